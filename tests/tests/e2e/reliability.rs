//! Browser tests of what must never break the page: its Content-Security-Policy (served, and
//! opened straight from disk), a panic in the wasm code, and local storage that is full or
//! disabled.

use super::*;

impl Page {
    /// The autosaved session as local storage holds it.
    async fn saved_session(&self) -> Result<Option<String>> {
        let v = script(
            &self.client,
            "return localStorage.getItem('kubeplay.session');",
            vec![],
        )
        .await?;
        Ok(v.as_str().map(str::to_string))
    }

    /// Waits until the autosave holds a session with `needle` in it.
    async fn wait_saved(&self, needle: &str) -> Result<String> {
        wait_for(
            &format!("an autosave with {needle:?}"),
            DOM_TIMEOUT,
            || async {
                let saved = self.saved_session().await?.unwrap_or_default();
                Ok((saved.contains(needle).then(|| saved.clone()), saved))
            },
        )
        .await
    }

    /// Calls the wasm test hook that panics, as a page script would.
    async fn panic_now(&self) -> Result<()> {
        script(
            &self.client,
            "try { window.wasmBindings.simulate_panic(); } catch (e) { return String(e); }
             return 'no error';",
            vec![],
        )
        .await?;
        wait_for("the crash screen", DOM_TIMEOUT, || async {
            let role = script(
                &self.client,
                "const d = document.querySelector('#crash [role=alertdialog]');
                 return d ? d.getAttribute('aria-labelledby') : null;",
                vec![],
            )
            .await?;
            Ok((role.as_str().map(|_| ()), format!("{role}")))
        })
        .await
    }

    /// (Re)loads the page and waits for it to draw, whatever it drew before.
    async fn reload_after_crash(&self, button: &str) -> Result<()> {
        click(&self.client, button).await?;
        wait_for("the page to start again", LOAD_TIMEOUT, || async {
            let v = script(
                &self.client,
                "return [document.getElementById('crash') === null,
                         document.querySelectorAll('#cluster-svg g.node').length];",
                vec![],
            )
            .await?;
            let ok = v[0].as_bool() == Some(true) && v[1].as_u64().unwrap_or(0) > 0;
            Ok((ok.then_some(()), format!("{v}")))
        })
        .await
    }

    /// Checks the page's Content-Security-Policy: only its own scripts and wasm, no inline
    /// script in the page, and the policy enforced (injected inline script and a string given
    /// to setTimeout do not run while the page's own code still works). Applies `HELLO`.
    async fn check_policy(&self) -> Result<()> {
        let v = script(
            &self.client,
            "const m = document.querySelector('meta[http-equiv=Content-Security-Policy]');
             return [m ? m.content : null,
                     document.querySelectorAll('script:not([src])').length,
                     Array.from(document.scripts).map(s => new URL(s.src).origin === location.origin)];",
            vec![],
        )
        .await?;
        let policy = v[0].as_str().ok_or("no Content-Security-Policy meta")?;
        let script_src = policy
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .ok_or("no script-src directive")?;
        if script_src != "script-src 'self' 'wasm-unsafe-eval'" {
            return Err(
                format!("script-src allows more than this site's scripts: {script_src}").into(),
            );
        }
        if !policy.contains("object-src 'none'") || !policy.contains("base-uri 'none'") {
            return Err(format!("the policy leaves objects or <base> open: {policy}").into());
        }
        if v[1].as_u64() != Some(0) {
            return Err(format!("{} inline script(s) in the page", v[1]).into());
        }
        if v[2]
            .as_array()
            .is_none_or(|a| a.is_empty() || a.iter().any(|x| x != true))
        {
            return Err(format!("a script from another origin: {}", v[2]).into());
        }
        // The policy is enforced: an inline script added to the page does not run, and
        // neither does a string given to setTimeout.
        script(
            &self.client,
            "const s = document.createElement('script');
             s.textContent = 'window.__inlineRan = true;';
             document.body.appendChild(s);
             const s2 = document.createElement('script');
             s2.textContent = 'setTimeout(\"window.__evalRan = true\", 0);';
             document.body.appendChild(s2);",
            vec![],
        )
        .await?;
        // The page's own code still answers (it was loaded under the same policy).
        self.apply_hello().await?;
        self.settle().await?;
        self.wait_running_hello(3).await?;
        let ran = script(
            &self.client,
            "return [window.__inlineRan === true, window.__evalRan === true];",
            vec![],
        )
        .await?;
        if ran != json!([false, false]) {
            return Err(format!("the policy let injected script run: {ran}").into());
        }
        Ok(())
    }
}

#[tokio::test]
async fn the_page_runs_under_a_policy_that_forbids_inline_script() {
    let name = "csp";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = page.check_policy().await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn the_page_runs_straight_from_disk() {
    let name = "from-disk";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        let index = dist_dir().canonicalize()?.join("index.html");
        page.client
            .goto(&format!("file://{}", index.display()))
            .await?;
        wait_for(
            "the app to draw the cluster from disk",
            LOAD_TIMEOUT,
            || async {
                let v = script(
                    &page.client,
                    "return [location.protocol,
                         document.querySelectorAll('#cluster-svg g.node').length,
                         (document.getElementById('loading') || {}).textContent || ''];",
                    vec![],
                )
                .await?;
                let ok = v[0] == "file:" && v[1].as_u64().unwrap_or(0) > 0;
                Ok((ok.then_some(()), format!("{v}")))
            },
        )
        .await?;
        // The same policy holds, and the cluster works.
        page.check_policy().await?;
        page.shot("43-from-disk").await?;
        // The session is autosaved there too, and a reload brings it back.
        page.client.refresh().await?;
        wait_for("the session restored from disk", LOAD_TIMEOUT, || async {
            let pods = page.pods().await?;
            let hello = pods.iter().filter(|p| p.0.starts_with("hello-")).count();
            Ok(((hello == 3).then_some(()), format!("{pods:?}")))
        })
        .await?;
        // A page from disk fetches nothing: a lesson by address is refused with the way out.
        let lesson = format!(
            "file://{}?lesson-url=lessons/daemonsets.yaml",
            index.display()
        );
        page.client.goto(&lesson).await?;
        page.wait_note("Open lesson", LOAD_TIMEOUT).await?;
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn a_panic_shows_a_recoverable_error_and_the_autosave_survives_it() {
    let name = "panic";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_hello().await?;
        page.settle().await?;
        page.wait_running_hello(3).await?;
        let pods: Vec<String> = page.pods().await?.into_iter().map(|p| p.0).collect();
        let saved = page.wait_saved("hello").await?;

        page.panic_now().await?;
        let focused = script(&page.client, "return document.activeElement.id;", vec![]).await?;
        if focused != "crash-reload" {
            return Err(format!("the crash screen did not take the focus: {focused}").into());
        }
        let message = text_of(&page.client, "#crash-message").await?;
        if !message.contains("simulated panic") {
            return Err(format!("the crash screen does not show the error: {message:?}").into());
        }
        page.shot("40-panic-screen").await?;
        // Whatever the dead page does next, the last good autosave is not overwritten.
        script(
            &page.client,
            "document.getElementById('reset-button').click();",
            vec![],
        )
        .await?;
        if page.saved_session().await?.as_deref() != Some(saved.as_str()) {
            return Err("the autosave changed after the panic".into());
        }

        page.reload_after_crash("#crash-reload").await?;
        page.wait_running_hello(3).await?;
        let after: Vec<String> = page.pods().await?.into_iter().map(|p| p.0).collect();
        if after != pods {
            return Err(format!("after the reload the pods are {after:?}, were {pods:?}").into());
        }
        let note = text_of(&page.client, "#sim-note").await?;
        if !note.contains("stopped after an internal error") || !note.contains("restored") {
            return Err(format!("the reload does not say what happened: {note:?}").into());
        }
        page.shot("41-panic-reloaded").await?;

        // Once more, and this time start over: a fresh cluster, the old session kept aside.
        page.panic_now().await?;
        page.reload_after_crash("#crash-start-over").await?;
        let fresh = page.pods().await?;
        if !fresh.is_empty() {
            return Err(format!("start over kept the pods: {fresh:?}").into());
        }
        let aside = script(
            &page.client,
            "return localStorage.getItem('kubeplay.session.before-crash');",
            vec![],
        )
        .await?;
        if aside.as_str() != Some(saved.as_str()) {
            return Err("start over did not keep the old session aside".into());
        }
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn full_local_storage_gets_a_message_and_the_page_runs_on() {
    let name = "storage-full";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        // Fill this origin's storage with something else, to the last byte it takes.
        let filled = script(
            &page.client,
            "localStorage.removeItem('kubeplay.session');
             let chunk = 'x'.repeat(1 << 20), i = 0, total = 0;
             while (chunk.length > 0) {
               try { localStorage.setItem('filler-' + i++, chunk); total += chunk.length; }
               catch (e) { chunk = chunk.slice(0, chunk.length >> 1); }
             }
             return total;",
            vec![],
        )
        .await?;
        page.apply_hello().await?;
        let problem = wait_for("the storage message", DOM_TIMEOUT, || async {
            let text = text_of(&page.client, "#storage-problem").await?;
            Ok((text.contains("Autosave failed").then(|| text.clone()), text))
        })
        .await?;
        if !problem.contains("will not survive a reload") {
            return Err(format!("the message does not say what it means: {problem:?}").into());
        }
        page.settle().await?;
        page.wait_running_hello(3).await?;
        page.shot("42-storage-full").await?;
        // Room again: the next change saves and the message goes.
        script(
            &page.client,
            "Object.keys(localStorage).filter(k => k.startsWith('filler-'))
               .forEach(k => localStorage.removeItem(k));",
            vec![],
        )
        .await?;
        page.console("scale deployment hello --replicas=2").await?;
        page.wait_saved("replicas=2").await?;
        wait_for("the storage message to go", DOM_TIMEOUT, || async {
            let text = text_of(&page.client, "#storage-problem").await?;
            Ok((text.is_empty().then_some(()), text))
        })
        .await?;
        eprintln!("filled {filled} characters of local storage");
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn disabled_local_storage_gets_a_message_and_the_page_runs_on() {
    let name = "storage-disabled";
    let Some(page) = Page::open_without_storage(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        let blocked = script(
            &page.client,
            "try { window.localStorage.length; return false; } catch (e) { return true; }",
            vec![],
        )
        .await?;
        if blocked != true {
            return Err("this browser profile did not block local storage".into());
        }
        let note = text_of(&page.client, "#sim-note").await?;
        if !note.contains("Autosave is off") {
            return Err(format!("no message about disabled storage: {note:?}").into());
        }
        page.apply_hello().await?;
        page.settle().await?;
        page.wait_running_hello(3).await?;
        let problem = text_of(&page.client, "#storage-problem").await?;
        if !problem.contains("Autosave is off") || !problem.contains("will not survive a reload") {
            return Err(format!("saving gave no message: {problem:?}").into());
        }
        page.shot("43-storage-disabled").await?;
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}
