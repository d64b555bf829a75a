//! Browser tests of the workloads panel's quick actions: a rolling update to a new image seen
//! in the picture, then undo back to the first revision; scale; delete with a confirmation.

use super::*;

/// The ReplicaSet hash in a Deployment pod's name: `hello-<hash>-<suffix>` → `<hash>`.
fn template_hash(pod: &str) -> Option<&str> {
    let mut parts = pod.rsplitn(3, '-');
    parts.next()?;
    parts.next()
}

impl Page {
    /// Opens the quick actions of `workload` (`Deployment/hello`).
    async fn open_actions(&self, workload: &str) -> Result<()> {
        click(
            &self.client,
            &format!("li.workload[data-workload=\"{workload}\"] .workload-toggle"),
        )
        .await?;
        wait_for("the workload's actions", DOM_TIMEOUT, || async {
            let n = script(
                &self.client,
                "return document.querySelectorAll('.workload-actions').length;",
                vec![],
            )
            .await?;
            Ok(((n == json!(1)).then_some(()), n.to_string()))
        })
        .await
    }

    /// Sets an input inside the open actions panel as typing does.
    async fn fill_action(&self, css: &str, value: &str) -> Result<()> {
        script(
            &self.client,
            "const e = document.querySelector('.workload-actions ' + arguments[0]); e.focus(); e.value = arguments[1];
             e.dispatchEvent(new InputEvent('input', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await?;
        Ok(())
    }

    /// The template hashes of the hello pods drawn on nodes, with how many pods have each.
    async fn hello_hashes(&self) -> Result<std::collections::BTreeMap<String, usize>> {
        let mut hashes = std::collections::BTreeMap::new();
        for (pod, _, on_node) in self.pods().await? {
            if on_node && pod.starts_with("hello-") {
                if let Some(h) = template_hash(&pod) {
                    *hashes.entry(h.to_string()).or_default() += 1;
                }
            }
        }
        Ok(hashes)
    }

    pub(crate) async fn wait_action_result(&self, needle: &str) -> Result<()> {
        wait_for(
            &format!("{needle:?} after the action"),
            DOM_TIMEOUT,
            || async {
                let text = text_of(&self.client, "#picture-result").await?;
                Ok((text.contains(needle).then_some(()), text))
            },
        )
        .await
    }
}

#[tokio::test]
async fn a_rolling_update_and_its_undo_are_seen_in_the_picture() {
    let name = "rollout";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_hello().await?;
        page.settle().await?;
        let first = page.hello_hashes().await?;
        if first.len() != 1 || first.values().sum::<usize>() != 3 {
            return Err(format!("before the update: {first:?}").into());
        }
        let first_hash = first.keys().next().cloned().unwrap_or_default();

        page.open_actions("Deployment/hello").await?;
        page.shot("30-workload-actions").await?;
        page.fill_action(".wl-image", "nginx:1.28").await?;
        click(&page.client, ".workload-actions form[data-form=image] button[type=submit]").await?;
        page.wait_action_result("deployment.apps/hello image updated").await?;

        // Step until old and new pods are drawn side by side.
        let mut mixed = None;
        for _ in 0..60 {
            click(&page.client, "#step-button").await?;
            let hashes = page.hello_hashes().await?;
            if hashes.len() == 2 {
                mixed = Some(hashes);
                break;
            }
        }
        let Some(mixed) = mixed else {
            return Err("the picture never showed old and new pods together".into());
        };
        eprintln!("mid-rollout: {mixed:?}");
        page.shot("31-rolling-update-midway").await?;

        // Step on until an old pod terminates: it fades to half (in steps) and stays there.
        // Its animations are finished at once rather than waited for.
        let mut faded = None;
        for _ in 0..120 {
            click(&page.client, "#step-button").await?;
            let opacity = script(
                &page.client,
                "const t = document.querySelector('#cluster-svg g.pod--terminating');
                 if (!t) return null;
                 t.getAnimations().forEach(a => a.finish());
                 return getComputedStyle(t).opacity;",
                vec![],
            )
            .await?;
            if let Some(opacity) = opacity.as_str() {
                faded = Some(opacity.to_string());
                break;
            }
        }
        match faded.as_deref() {
            Some("0.45") => {}
            other => return Err(format!("a terminating pod's opacity: {other:?}, want 0.45").into()),
        }
        page.shot("31b-rolling-update-terminating").await?;

        page.settle().await?;
        let updated = page.hello_hashes().await?;
        if updated.len() != 1 || updated.contains_key(&first_hash) || updated.values().sum::<usize>() != 3 {
            return Err(format!("after the update: {updated:?} (first revision {first_hash})").into());
        }
        let status = text_of(&page.client, "li.workload[data-workload=\"Deployment/hello\"] .workload-status").await?;
        if !status.starts_with("3/3 ready, 3 up-to-date") {
            return Err(format!("the status line reads {status:?}").into());
        }

        click(&page.client, ".workload-actions button[data-op=undo]").await?;
        page.wait_action_result("deployment.apps/hello rolled back").await?;
        page.settle().await?;
        let back = page.hello_hashes().await?;
        if back.keys().collect::<Vec<_>>() != vec![&first_hash] || back.values().sum::<usize>() != 3 {
            return Err(format!("after undo: {back:?}, want three pods of {first_hash}").into());
        }
        page.shot("32-rollout-undone").await?;

        // Scale from the panel, and a bad count is refused with kubectl's message.
        page.fill_action(".wl-replicas", "-2").await?;
        click(&page.client, ".workload-actions form[data-form=scale] button[type=submit]").await?;
        wait_for("the refused scale", DOM_TIMEOUT, || async {
            let text = text_of(&page.client, ".wl-result").await.unwrap_or_default();
            Ok((text.to_lowercase().contains("replicas").then_some(()), text))
        })
        .await?;
        page.fill_action(".wl-replicas", "1").await?;
        click(&page.client, ".workload-actions form[data-form=scale] button[type=submit]").await?;
        page.wait_action_result("deployment.apps/hello scaled").await?;
        page.settle().await?;
        if page.hello_hashes().await?.values().sum::<usize>() != 1 {
            return Err("scaling to 1 from the panel did not leave one pod".into());
        }

        // Delete asks first.
        click(&page.client, ".workload-actions button[data-op=delete]").await?;
        let label = script(&page.client, "return document.querySelector('.workload-actions button[data-op=delete]').getAttribute('aria-label');", vec![]).await?;
        if label.as_str() != Some("Confirm: delete Deployment hello") {
            return Err(format!("delete did not ask for confirmation: {label}").into());
        }
        click(&page.client, ".workload-actions button[data-op=delete]").await?;
        page.wait_action_result("deployment.apps \"hello\" deleted").await?;
        page.settle().await?;
        wait_for("no workloads", DOM_TIMEOUT, || async {
            let empty = script(&page.client, "return document.getElementById('workloads-empty') !== null;", vec![]).await?;
            Ok(((empty == json!(true)).then_some(()), empty.to_string()))
        })
        .await?;
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}
