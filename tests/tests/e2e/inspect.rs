//! Browser tests of the inspector (click or Enter on anything in the picture) and of a
//! StatefulSet pod deleted and recreated with its identity, its claim and the data on it.

use super::*;

impl Page {
    /// The inspector's (title, data-target), or `None` when it is closed.
    async fn inspector(&self) -> Result<Option<(String, String)>> {
        let v = script(
            &self.client,
            "const i = document.getElementById('inspector');
             return i ? [document.getElementById('inspector-title').textContent, i.dataset.target] : null;",
            vec![],
        )
        .await?;
        Ok(v.as_array().map(|a| {
            let s = |i: usize| {
                a.get(i)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            (s(0), s(1))
        }))
    }

    async fn wait_inspector_title(&self, want: &str) -> Result<String> {
        wait_for(
            &format!("the inspector on {want:?}"),
            DOM_TIMEOUT,
            || async {
                let found = self.inspector().await?;
                let text = text_of(&self.client, "#inspector")
                    .await
                    .unwrap_or_default();
                Ok((
                    found
                        .as_ref()
                        .filter(|(title, _)| title.starts_with(want))
                        .map(|_| text.clone()),
                    format!("{found:?}"),
                ))
            },
        )
        .await
    }
}

#[tokio::test]
async fn clicking_a_pod_inspects_it_and_its_owners_are_links() {
    let name = "inspector";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_hello().await?;
        page.settle().await?;
        let pod = page
            .pods()
            .await?
            .into_iter()
            .find(|p| p.0.starts_with("hello-"))
            .map(|p| p.0)
            .ok_or("no hello pod drawn")?;
        click(&page.client, &format!("g.pod[data-pod=\"{pod}\"] .pod-box")).await?;
        let text = page
            .wait_inspector_title(&format!("Pod default/{pod}"))
            .await?;
        for want in [
            "Owned by",
            "ReplicaSet hello-",
            "Deployment hello",
            "Scheduled",
            "Started",
            "YAML",
        ] {
            if !text.contains(want) {
                return Err(format!("the pod's inspector lacks {want:?}: {text}").into());
            }
        }
        let focused = script(
            &page.client,
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await?;
        if focused != json!("inspector-title") {
            return Err(format!("focus is on {focused}, not the inspector").into());
        }
        page.shot("40-inspector-pod").await?;

        // The owner chain links to the Deployment, which lists its ReplicaSet.
        click(
            &page.client,
            "#inspector .inspector-owners button[data-inspect^=\"deployment/\"]",
        )
        .await?;
        let text = page
            .wait_inspector_title("Deployment default/hello")
            .await?;
        if !text.contains("revision 1") {
            return Err(
                format!("the Deployment's inspector does not list its ReplicaSet: {text}").into(),
            );
        }
        // Escape closes it.
        let title = page.client.find(Locator::Id("inspector-title")).await?;
        title.send_keys("\u{E00C}").await?;
        wait_for("the inspector to close", DOM_TIMEOUT, || async {
            let open = page.inspector().await?;
            Ok((open.is_none().then_some(()), format!("{open:?}")))
        })
        .await?;

        // The narration says what the controllers did last.
        let narration = text_of(&page.client, "#narration").await?;
        if !narration.contains("Started pod/hello-") {
            return Err(
                format!("the narration does not tell of the pods starting: {narration}").into(),
            );
        }
        // The table view lists the same pods, and its rows inspect too.
        click(&page.client, "#show-table").await?;
        let table = text_of(&page.client, "#cluster-table").await?;
        if !table.contains(&pod) || !table.contains("worker-1") {
            return Err(format!("the table lacks the pod or the node: {table}").into());
        }
        page.shot("43-table-view").await?;
        click(
            &page.client,
            &format!("#cluster-table tr[data-pod=\"{pod}\"] button"),
        )
        .await?;
        page.wait_inspector_title(&format!("Pod default/{pod}"))
            .await?;
        click(&page.client, "#inspector-close").await?;
        click(&page.client, "#show-picture").await?;

        // By keyboard alone: focus a node and press Enter.
        script(
            &page.client,
            "document.querySelector('g.node[data-node=\"worker-1\"]').focus();",
            vec![],
        )
        .await?;
        let node = page.client.active_element().await?;
        node.send_keys("\u{E007}").await?;
        let text = page.wait_inspector_title("Node worker-1").await?;
        if !text.contains("hello-") {
            return Err(format!("the node's inspector does not list its pods: {text}").into());
        }
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn a_statefulset_pod_deleted_comes_back_with_its_name_claim_and_data() {
    let name = "statefulset-identity";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_created(STATEFUL, 1).await?;
        page.settle().await?;
        let running = |pods: &[(String, String, bool)], who: &str| {
            pods.iter().any(|p| p.0 == who && p.1 == "Running" && p.2)
        };
        let pods = page.pods().await?;
        if !["web-0", "web-1", "web-2"]
            .iter()
            .all(|w| running(&pods, w))
        {
            return Err(format!("the StatefulSet did not come up: {pods:?}").into());
        }
        page.console("exec web-1 -- sh -c 'echo kept > /usr/share/nginx/html/index.html'")
            .await?;
        page.console("delete pod web-1").await?;
        page.wait_console("pod \"web-1\" deleted").await?;

        // Stepping shows web-1 gone (or terminating) while its claim stays.
        let mut saw_gap = false;
        for _ in 0..40 {
            click(&page.client, "#step-button").await?;
            let pods = page.pods().await?;
            if !running(&pods, "web-1") {
                saw_gap = true;
                let claims = claims(&page).await?;
                if !claims
                    .iter()
                    .any(|c| c.0 == "default/www-web-1" && c.1 == "Bound")
                {
                    return Err(format!("the claim went with the pod: {claims:?}").into());
                }
                page.shot("41-statefulset-pod-replaced").await?;
                break;
            }
        }
        if !saw_gap {
            return Err("web-1 was never seen missing after its deletion".into());
        }
        page.settle().await?;
        let pods = page.pods().await?;
        if !running(&pods, "web-1") {
            return Err(format!("web-1 did not come back: {pods:?}").into());
        }
        // The same claim, with the file written before the deletion.
        click(&page.client, "g.claim[data-claim=\"default/www-web-1\"]").await?;
        let text = page
            .wait_inspector_title("PersistentVolumeClaim default/www-web-1")
            .await?;
        if !text.contains("index.html") || !text.contains("kept") || !text.contains("Pod web-1") {
            return Err(format!("the claim does not show web-1 and its file: {text}").into());
        }
        page.scroll_to_storage().await?;
        page.shot("42-statefulset-claim-data").await?;
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}
