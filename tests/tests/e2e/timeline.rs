//! Browser tests of time: scrubbing the timeline back and forward, carrying on from an earlier
//! moment, undo, and a reload bringing back the autosaved session.

use super::*;

impl Page {
    /// Moves the timeline slider to `ms` of simulated time, as dragging it does.
    async fn scrub_to(&self, ms: u64) -> Result<()> {
        script(
            &self.client,
            "const r = document.getElementById('timeline'); r.value = String(arguments[0]);
             r.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(ms)],
        )
        .await?;
        Ok(())
    }

    /// The timeline's (min, max, value) in milliseconds and the moment the picture shows.
    async fn timeline(&self) -> Result<(u64, u64, u64, Option<u64>)> {
        let v = script(
            &self.client,
            "const r = document.getElementById('timeline');
             const v = document.querySelector('.cluster-panel').dataset.viewing;
             return [Number(r.min), Number(r.max), Number(r.value), v === undefined ? null : Number(v)];",
            vec![],
        )
        .await?;
        let n = |i: usize| v[i].as_u64().unwrap_or(0);
        Ok((n(0), n(1), n(2), v[3].as_u64()))
    }

    /// Waits until exactly `want` hello pods are drawn Running on nodes.
    pub(crate) async fn wait_running_hello(&self, want: usize) -> Result<()> {
        wait_for(
            &format!("{want} running hello pods"),
            DOM_TIMEOUT,
            || async {
                let pods = self.pods().await?;
                Ok((
                    (running_hello(&pods) == want).then_some(()),
                    format!("{pods:?}"),
                ))
            },
        )
        .await
    }

    /// The timeline's marks: (title) each.
    async fn marks(&self) -> Result<Vec<String>> {
        let v = script(
            &self.client,
            "return Array.from(document.querySelectorAll('.timeline-mark')).map(m => m.title);",
            vec![],
        )
        .await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default())
    }
}

#[tokio::test]
async fn the_timeline_scrubs_back_and_forward_and_undo_takes_back_a_scale() {
    let name = "timeline";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_hello().await?;
        page.settle().await?;
        page.wait_running_hello(3).await?;
        page.console("sim advance 10s").await?;
        page.wait_console("advanced").await?;
        page.console("scale deployment hello --replicas=1").await?;
        page.wait_console("deployment.apps/hello scaled").await?;
        page.settle().await?;
        page.wait_running_hello(1).await?;

        let marks = page.marks().await?;
        if marks.len() != 3 || !marks[2].contains("scale deployment hello --replicas=1") {
            return Err(
                format!("the timeline marks {marks:?}, not the apply and the scale").into(),
            );
        }
        let (begin, end, value, viewing) = page.timeline().await?;
        if begin != 0 || value != end || end == 0 || viewing.is_some() {
            return Err(format!(
                "the live timeline reads {begin}..{end} at {value}, viewing {viewing:?}"
            )
            .into());
        }

        // Back to the moment just before the scale: three pods again, and the page says so.
        let scale_at: u64 = script(
            &page.client,
            "return Number(document.querySelectorAll('.timeline-mark')[2].dataset.at);",
            vec![],
        )
        .await?
        .as_u64()
        .unwrap_or(0);
        let before_scale = scale_at.saturating_sub(5_000);
        page.scrub_to(before_scale).await?;
        page.wait_running_hello(3).await?;
        let banner = text_of(&page.client, "#past-banner").await?;
        if !banner.contains("The picture shows the cluster at") {
            return Err(format!("no banner while looking back: {banner:?}").into());
        }
        let clock = text_of(&page.client, "#timeline-clock").await?;
        if !clock.contains(" / ") {
            return Err(
                format!("the timeline clock does not show the past moment: {clock:?}").into(),
            );
        }
        page.shot("20-timeline-scrubbed-back").await?;

        // Further back, to the start: the apply had just been made, no pod was running yet.
        page.scrub_to(0).await?;
        wait_for("no running pod at the start", DOM_TIMEOUT, || async {
            let pods = page.pods().await?;
            let starting = pods
                .iter()
                .filter(|p| p.0.starts_with("hello-"))
                .all(|p| p.1 != "Running");
            Ok((starting.then_some(()), format!("{pods:?}")))
        })
        .await?;
        page.shot("20b-timeline-at-the-start").await?;
        // And forward again, to now.
        page.scrub_to(end).await?;
        page.wait_running_hello(1).await?;
        if page.timeline().await?.3.is_some() {
            return Err("scrubbing to the end still shows the past".into());
        }

        // Back again, then Back to now.
        page.scrub_to(before_scale).await?;
        page.wait_running_hello(3).await?;
        click(&page.client, "#back-to-now").await?;
        page.wait_running_hello(1).await?;

        // Undo takes back the scale.
        click(&page.client, "#undo-button").await?;
        page.wait_running_hello(3).await?;
        let note = text_of(&page.client, "#sim-note").await?;
        if !note.contains("Undid `scale deployment hello --replicas=1`") {
            return Err(format!("the note after undo reads {note:?}").into());
        }
        if page.marks().await?.len() != 2 {
            return Err("the undone scale is still marked on the timeline".into());
        }
        page.shot("21-timeline-undone").await?;

        // Carrying on from an earlier moment: scale to 2 while looking back at the start of
        // the session's end minus a little, and the later time is forgotten.
        let (_, end, _, _) = page.timeline().await?;
        page.scrub_to(end / 2).await?;
        page.console("scale deployment hello --replicas=2").await?;
        page.wait_console("deployment.apps/hello scaled").await?;
        page.settle().await?;
        page.wait_running_hello(2).await?;
        let (_, _, _, viewing) = page.timeline().await?;
        if viewing.is_some() {
            return Err("acting in the past did not make it the present".into());
        }
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn a_reload_restores_the_session_and_reset_starts_over() {
    let name = "reload";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_hello().await?;
        page.settle().await?;
        page.console("scale deployment hello --replicas=2").await?;
        page.wait_console("deployment.apps/hello scaled").await?;
        page.settle().await?;
        page.wait_running_hello(2).await?;
        let before: Vec<String> = page.pods().await?.into_iter().map(|p| p.0).collect();
        let clock = text_of(&page.client, "#sim-clock").await?;

        page.load().await?;
        page.wait_running_hello(2).await?;
        let after: Vec<String> = page.pods().await?.into_iter().map(|p| p.0).collect();
        if after != before {
            return Err(format!("the reloaded pods {after:?} differ from {before:?}").into());
        }
        let clock_after = text_of(&page.client, "#sim-clock").await?;
        if clock_after != clock {
            return Err(format!("the clock was {clock}, after the reload {clock_after}").into());
        }
        let note = text_of(&page.client, "#sim-note").await?;
        if !note.starts_with("Restored the session saved in this browser") {
            return Err(format!("no restore note: {note:?}").into());
        }
        page.wait_console("scale deployment hello --replicas=2")
            .await?;
        let editor = script(
            &page.client,
            "return document.getElementById('yaml-editor').value;",
            vec![],
        )
        .await?;
        if editor.as_str() != Some(HELLO) {
            return Err(format!("the editor's text was not kept: {editor}").into());
        }
        page.shot("22-reload-restored").await?;

        click(&page.client, "#reset-button").await?;
        wait_for("a fresh cluster", DOM_TIMEOUT, || async {
            let pods = page.pods().await?;
            Ok((pods.is_empty().then_some(()), format!("{pods:?}")))
        })
        .await?;
        page.load().await?;
        let pods = page.pods().await?;
        if !pods.is_empty() {
            return Err(format!("after reset and reload the old pods came back: {pods:?}").into());
        }

        // A damaged save is reported and the page still runs.
        script(
            &page.client,
            "localStorage.setItem('kubeplay.session', '{\"version\":1,\"seed\":');",
            vec![],
        )
        .await?;
        page.load().await?;
        let note = text_of(&page.client, "#sim-note").await?;
        if !note.contains("could not be restored") {
            return Err(format!("a damaged save gave no message: {note:?}").into());
        }
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}
