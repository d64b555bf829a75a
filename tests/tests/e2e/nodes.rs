//! Browser tests of node operations from the picture: the "Add node" form, each node's menu
//! (by pointer and by keyboard alone), and how each node state is drawn.

use super::*;

const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
const DOWN: &str = "\u{E015}";
const END: &str = "\u{E010}";
const SPACE: &str = "\u{E00D}";

/// A Deployment with one pod per node at most, so a node's pods are easy to count.
const SPREAD: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
spec:
  replicas: 2
  selector:
    matchLabels: { app: spread }
  template:
    metadata:
      labels: { app: spread }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: { cpu: 500m, memory: 256Mi }
";

impl Page {
    /// `data-*` facts of a node box: (ready, cordoned, badges), or `None` when not drawn.
    async fn node_state(&self, node: &str) -> Result<Option<(bool, bool, Vec<String>)>> {
        let v = script(
            &self.client,
            "const n = document.querySelector(`g.node[data-node=\"${arguments[0]}\"]`);
             if (!n) return null;
             return [n.dataset.ready === 'true', n.dataset.cordoned === 'true',
                     Array.from(n.querySelectorAll('.node-badge')).map(b => b.dataset.badge)];",
            vec![json!(node)],
        )
        .await?;
        if v.is_null() {
            return Ok(None);
        }
        let badges = v[2]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|b| b.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some((
            v[0].as_bool().unwrap_or(false),
            v[1].as_bool().unwrap_or(false),
            badges,
        )))
    }

    async fn open_node_menu(&self, node: &str) -> Result<()> {
        click(
            &self.client,
            &format!("button[aria-label=\"Actions for node {node}\"]"),
        )
        .await?;
        self.wait_node_menu().await
    }

    /// Waits until a node's menu shows its items.
    async fn wait_node_menu(&self) -> Result<()> {
        wait_for("the node menu", DOM_TIMEOUT, || async {
            let items = self.menu_items().await?;
            Ok(((!items.is_empty()).then_some(()), format!("{items:?}")))
        })
        .await
    }

    /// The texts of the open menu's items.
    async fn menu_items(&self) -> Result<Vec<String>> {
        let v = script(
            &self.client,
            "return Array.from(document.querySelectorAll('[role=menu] [role=menuitem]')).map(b => b.textContent);",
            vec![],
        )
        .await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Clicks the open menu's item with this text.
    async fn choose(&self, text: &str) -> Result<()> {
        self.client
            .find(Locator::XPath(&format!(
                "//*[@role='menu']/button[@role='menuitem' and normalize-space()='{text}']"
            )))
            .await
            .map_err(|e| format!("no menu item {text:?}: {e}"))?
            .click()
            .await?;
        Ok(())
    }

    /// What has the keyboard focus: its aria-label, else its text, else its id.
    async fn focused(&self) -> Result<String> {
        let v = script(
            &self.client,
            "const e = document.activeElement;
             return e ? (e.getAttribute('aria-label') || e.textContent.trim() || e.id) : '';",
            vec![],
        )
        .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Presses keys on whatever has the focus.
    async fn press(&self, keys: &str) -> Result<()> {
        self.client.active_element().await?.send_keys(keys).await?;
        Ok(())
    }

    /// Waits for the picture's result line to report command number `seq`; returns its text.
    async fn picture_result(&self, seq: u64) -> Result<(bool, String)> {
        wait_for("the picture's result line", DOM_TIMEOUT, || async {
            let v = script(
                &self.client,
                "const p = document.getElementById('picture-result');
                 return p ? [p.dataset.seq || '', p.classList.contains('ok'), p.textContent] : ['', false, ''];",
                vec![],
            )
            .await?;
            let done = v[0].as_str() == Some(seq.to_string().as_str());
            let text = v[2].as_str().unwrap_or_default().to_string();
            Ok((done.then(|| (v[1].as_bool().unwrap_or(false), text.clone())), text))
        })
        .await
    }

    async fn field(&self, id: &str) -> Result<String> {
        let v = script(
            &self.client,
            "const e = document.getElementById(arguments[0]); return e ? e.value : null;",
            vec![json!(id)],
        )
        .await?;
        v.as_str()
            .map(String::from)
            .ok_or_else(|| format!("no field #{id}").into())
    }

    async fn type_into(&self, id: &str, text: &str) -> Result<()> {
        let input = self.client.find(Locator::Id(id)).await?;
        input.clear().await?;
        input.send_keys(text).await?;
        Ok(())
    }
}

#[tokio::test]
async fn a_node_added_from_the_picture_is_drawn_with_its_label() {
    let name = "node-add";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        click(&page.client, "#add-node-button").await?;
        let suggested = page.field("add-node-name").await?;
        if suggested != "worker-3" {
            return Err(format!("the form suggests {suggested:?}, not the next free worker-3").into());
        }
        // A name that is taken: the error shows in the form, which keeps what was typed.
        page.type_into("add-node-name", "worker-1").await?;
        page.type_into("add-node-labels", "disktype=ssd").await?;
        page.type_into("add-node-cpu", "2").await?;
        click(&page.client, "#add-node-submit").await?;
        let error = wait_for("the form's error", DOM_TIMEOUT, || async {
            let text = text_of(&page.client, "#add-node-error").await?;
            Ok(((!text.is_empty()).then(|| text.clone()), text))
        })
        .await?;
        if !error.contains("worker-1") {
            return Err(format!("the error does not name the node: {error:?}").into());
        }
        for (id, want) in [("add-node-name", "worker-1"), ("add-node-labels", "disktype=ssd"), ("add-node-cpu", "2")] {
            let kept = page.field(id).await?;
            if kept != want {
                return Err(format!("#{id} holds {kept:?} after the error, not {want:?}").into());
            }
        }
        page.shot("20-add-node-error").await?;

        page.type_into("add-node-name", "worker-3").await?;
        page.press(ENTER).await?;
        let (ok, said) = page.picture_result(2).await?;
        if !ok || !said.contains("node/worker-3 created") {
            return Err(format!("the result line says {said:?}").into());
        }
        let open = script(&page.client, "return document.getElementById('add-node-form') !== null;", vec![]).await?;
        if open != json!(false) {
            return Err("the form stayed open after the node was added".into());
        }
        let drawn = page.node_state("worker-3").await?;
        if drawn != Some((true, false, vec!["Ready".to_string()])) {
            return Err(format!("worker-3 drawn as {drawn:?}").into());
        }
        let cpu = text_of(&page.client, "g.node[data-node=\"worker-3\"] [data-usage=\"CPU\"]").await?;
        if !cpu.contains("0 / 2") {
            return Err(format!("worker-3's CPU bar reads {cpu:?}, not 0 / 2").into());
        }
        let console = text_of(&page.client, "#console-output").await?;
        if !console.contains("sim node add worker-3 --cpu 2 --memory 16Gi --pods 110 --label disktype=ssd") {
            return Err(format!("the console does not show the command: {console:?}").into());
        }

        page.open_node_menu("worker-3").await?;
        page.choose("Show labels").await?;
        let labels = wait_for("worker-3's label chips", DOM_TIMEOUT, || async {
            let v = script(
                &page.client,
                "return Array.from(document.querySelectorAll('g.node[data-node=\"worker-3\"] .chip--label')).map(c => c.dataset.label);",
                vec![],
            )
            .await?;
            let labels: Vec<String> = v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect()).unwrap_or_default();
            Ok((labels.contains(&"disktype=ssd".to_string()).then(|| labels.clone()), format!("{labels:?}")))
        })
        .await?;
        eprintln!("worker-3 labels: {labels:?}");
        page.shot("21-node-added-with-labels").await
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn cordoning_from_the_menu_draws_the_scheduling_disabled_badge() {
    let name = "node-cordon";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_created(SPREAD, 1).await?;
        page.settle().await?;
        page.open_node_menu("worker-1").await?;
        let items = page.menu_items().await?;
        for want in ["Cordon", "Drain", "Fail node", "Add label…", "Add taint…", "Remove node…"] {
            if !items.iter().any(|i| i == want) {
                return Err(format!("the menu lacks {want:?}: {items:?}").into());
            }
        }
        page.choose("Cordon").await?;
        let (ok, said) = page.picture_result(1).await?;
        if !ok || !said.contains("node/worker-1 cordoned") {
            return Err(format!("the result line says {said:?}").into());
        }
        let state = page.node_state("worker-1").await?;
        if state != Some((true, true, vec!["Ready".to_string(), "SchedulingDisabled".to_string()])) {
            return Err(format!("cordoned worker-1 drawn as {state:?}").into());
        }
        let class = script(&page.client, "return document.querySelector('g.node[data-node=\"worker-1\"]').getAttribute('class');", vec![]).await?;
        if !class.as_str().unwrap_or_default().contains("node--cordoned") {
            return Err(format!("worker-1's class is {class}").into());
        }
        let dash = script(
            &page.client,
            "return getComputedStyle(document.querySelector('g.node[data-node=\"worker-1\"] .node-frame')).strokeDasharray;",
            vec![],
        )
        .await?;
        if matches!(dash.as_str(), None | Some("none") | Some("")) {
            return Err(format!("a cordoned node's outline is not dashed: {dash}").into());
        }
        let pods_kept = page.pods().await?.iter().filter(|p| p.0.starts_with("spread-") && p.2).count();
        if pods_kept != 2 {
            return Err(format!("cordoning moved pods: {pods_kept} spread pods on nodes").into());
        }
        page.shot("22-cordoned-from-menu").await?;

        page.open_node_menu("worker-1").await?;
        page.choose("Uncordon").await?;
        let (ok, said) = page.picture_result(2).await?;
        if !ok || !said.contains("node/worker-1 uncordoned") {
            return Err(format!("the result line says {said:?}").into());
        }
        let state = page.node_state("worker-1").await?;
        if state != Some((true, false, vec!["Ready".to_string()])) {
            return Err(format!("uncordoned worker-1 drawn as {state:?}").into());
        }
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn the_node_menu_works_from_the_keyboard_alone() {
    let name = "node-keyboard";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        let button = "Actions for node worker-2";
        // Reach the button with Tab alone, starting from the Apply button.
        script(&page.client, "document.getElementById('apply-button').focus();", vec![]).await?;
        let mut presses = 0;
        while page.focused().await? != button {
            presses += 1;
            if presses > 40 {
                return Err(format!("40 Tabs from Apply never reached {button:?}").into());
            }
            page.press("\u{E004}").await?;
        }
        eprintln!("{presses} Tabs from Apply reach {button:?}");
        page.press(ENTER).await?;
        let first = wait_for("focus on the first item", DOM_TIMEOUT, || async {
            let f = page.focused().await?;
            Ok(((f == "Cordon").then(|| f.clone()), f))
        })
        .await?;
        eprintln!("after Enter, focus on {first:?}");
        page.press(DOWN).await?;
        if page.focused().await? != "Drain" {
            return Err(format!("↓ moved focus to {:?}", page.focused().await?).into());
        }
        page.press(END).await?;
        if page.focused().await? != "Remove node…" {
            return Err(format!("End moved focus to {:?}", page.focused().await?).into());
        }
        page.shot("23-node-menu-keyboard").await?;
        page.press(ESCAPE).await?;
        let expanded = script(&page.client, "return document.querySelector(`button[aria-label=\"Actions for node worker-2\"]`).getAttribute('aria-expanded');", vec![]).await?;
        if expanded != json!("false") || page.focused().await? != button {
            return Err(format!("Escape left aria-expanded={expanded}, focus on {:?}", page.focused().await?).into());
        }

        // Space opens it too; ↓ four times reaches "Add label…", Enter opens its form.
        page.press(SPACE).await?;
        wait_for("the menu again", DOM_TIMEOUT, || async {
            let f = page.focused().await?;
            Ok(((f == "Cordon").then_some(()), f))
        })
        .await?;
        for _ in 0..4 {
            page.press(DOWN).await?;
        }
        if page.focused().await? != "Add label…" {
            return Err(format!("four ↓ reached {:?}", page.focused().await?).into());
        }
        page.press(ENTER).await?;
        let field = wait_for("the label field", DOM_TIMEOUT, || async {
            let id = script(&page.client, "return document.activeElement.id;", vec![]).await?;
            let id = id.as_str().unwrap_or_default().to_string();
            Ok(((id == "label-worker-2").then(|| id.clone()), id))
        })
        .await?;
        // A bad label: the error shows and the text stays for correcting.
        page.press("tier=gold!").await?;
        page.press(ENTER).await?;
        let error = wait_for("the label error", DOM_TIMEOUT, || async {
            let text = text_of(&page.client, ".node-form-error").await?;
            Ok(((!text.is_empty()).then(|| text.clone()), text))
        })
        .await?;
        eprintln!("bad label: {error}");
        if page.field(&field).await? != "tier=gold!" {
            return Err("the label form lost what was typed".into());
        }
        page.press("\u{E003}").await?; // Backspace
        page.press(ENTER).await?;
        let (ok, said) = page.picture_result(2).await?;
        if !ok || !said.contains("node/worker-2 labeled") {
            return Err(format!("the result line says {said:?}").into());
        }
        let back = wait_for("focus back on the menu button", DOM_TIMEOUT, || async {
            let f = page.focused().await?;
            Ok(((f == button).then(|| f.clone()), f))
        })
        .await?;
        eprintln!("after labelling, focus on {back:?}");
        page.press(ENTER).await?;
        wait_for("the menu with the new label", DOM_TIMEOUT, || async {
            let items = page.menu_items().await?;
            Ok((items.iter().any(|i| i == "Remove label tier=gold").then_some(()), format!("{items:?}")))
        })
        .await?;
        page.press(ESCAPE).await
    }
    .await;
    page.finish(name, outcome).await;
}

/// A DaemonSet for nodes labelled `disktype=ssd` only: none of the starting nodes.
const SSD_AGENT: &str = "\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ssd-agent
spec:
  selector:
    matchLabels: { app: ssd-agent }
  template:
    metadata:
      labels: { app: ssd-agent }
    spec:
      nodeSelector: { disktype: ssd }
      containers:
        - name: agent
          image: busybox:1.36
          command: [sleep, infinity]
";

#[tokio::test]
async fn a_labelled_node_added_from_the_picture_gets_its_daemon_pod() {
    let name = "daemon-node";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_created(SSD_AGENT, 1).await?;
        page.settle().await?;
        let daemon_pods = |pods: &[(String, String, bool)]| -> Vec<String> {
            pods.iter()
                .filter(|p| p.0.starts_with("ssd-agent-"))
                .map(|p| p.0.clone())
                .collect()
        };
        let none = daemon_pods(&page.pods().await?);
        if !none.is_empty() {
            return Err(format!("daemon pods without an ssd node: {none:?}").into());
        }
        click(&page.client, "#add-node-button").await?;
        page.type_into("add-node-name", "worker-3").await?;
        page.type_into("add-node-labels", "disktype=ssd").await?;
        click(&page.client, "#add-node-submit").await?;
        page.wait_action_result("node/worker-3 created").await?;
        page.settle().await?;
        let placed = script(
            &page.client,
            "return Array.from(document.querySelectorAll('g.pod[data-kind=\"DaemonSet\"]'))
                .map(p => [p.dataset.pod, p.dataset.node, p.dataset.status]);",
            vec![],
        )
        .await?;
        let rows = placed.as_array().cloned().unwrap_or_default();
        if rows.len() != 1 || rows[0][1] != json!("worker-3") || rows[0][2] != json!("Running") {
            return Err(format!("want one Running daemon pod on worker-3, got {placed}").into());
        }
        page.shot("23-daemon-pod-on-new-node").await?;

        // Labelling it out of the selector takes the pod away again.
        page.console("label node worker-3 disktype-").await?;
        page.wait_console("node/worker-3 unlabeled").await?;
        page.settle().await?;
        let left = daemon_pods(&page.pods().await?);
        if !left.is_empty() {
            return Err(format!("the daemon pod stayed after the label went: {left:?}").into());
        }
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn a_tablet_works_by_touch_alone() {
    let name = "touch";
    let Some(page) = Page::open_touch(name, 768, 1024).await else {
        return;
    };
    let outcome = async {
        let coarse = script(&page.client, "return matchMedia('(pointer: coarse)').matches && navigator.maxTouchPoints > 0;", vec![]).await?;
        if coarse != json!(true) {
            return Err("the browser does not present itself as a touch device".into());
        }
        page.apply_hello().await?;
        page.settle().await?;
        // Every control is big enough for a finger (WCAG 2.5.8: at least 24 × 24 px). Hidden
        // file inputs are reached through their label, and the timeline's marks (hidden from
        // assistive technology) are shortcuts for the slider, which meets the size itself.
        let small = script(
            &page.client,
            "return Array.from(document.querySelectorAll('button, input, select, [role=menuitem], a[href]'))
                .filter(e => !e.classList.contains('visually-hidden') && !e.closest('[aria-hidden=true]'))
                .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && (r.width < 24 || r.height < 24); })
                .map(e => { const r = e.getBoundingClientRect();
                    return `${(e.getAttribute('aria-label') || e.textContent || e.id || e.className).trim()} (${Math.round(r.width)}×${Math.round(r.height)})`; });",
            vec![],
        )
        .await?;
        if small.as_array().is_some_and(|a| !a.is_empty()) {
            return Err(format!("controls smaller than 24 px: {small}").into());
        }
        // A tap on a pod inspects it.
        let pod = script(&page.client, "return document.querySelector('g.pod').dataset.pod;", vec![]).await?;
        let pod = pod.as_str().unwrap_or_default().to_string();
        tap(&page.client, &format!("g.pod[data-pod=\"{pod}\"]")).await?;
        wait_for("the inspector on the tapped pod", DOM_TIMEOUT, || async {
            let target = script(&page.client, "const i = document.getElementById('inspector'); return i ? i.dataset.target : '';", vec![]).await?;
            let target = target.as_str().unwrap_or_default().to_string();
            Ok((target.ends_with(&pod).then_some(()), target))
        })
        .await?;
        page.shot("24-touch-inspect").await?;
        tap(&page.client, "#inspector-close").await?;
        // Taps open a node's menu and cordon it.
        tap(&page.client, "button[aria-label=\"Actions for node worker-1\"]").await?;
        page.wait_node_menu().await?;
        tap(&page.client, "[role=menu] button[role=menuitem]:first-child").await?;
        let (ok, said) = page.picture_result(1).await?;
        if !ok || !said.contains("node/worker-1 cordoned") {
            return Err(format!("the result line says {said:?}").into());
        }
        let state = page.node_state("worker-1").await?;
        if state.as_ref().map(|s| s.1) != Some(true) {
            return Err(format!("worker-1 after the tap is drawn as {state:?}").into());
        }
        page.shot("24-touch-cordoned").await
    }
    .await;
    page.finish(name, outcome).await;
}
