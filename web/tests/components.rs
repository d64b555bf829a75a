//! Component tests in a real browser: each test mounts one component of the page on its own
//! element, drives it with DOM events as a person would (typing, keys, clicks) and checks the
//! markup it draws and the actions it asks for.
//!
//! Run with `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown
//! -p kubeplay-web --test components` (headless Chromium; flags in `web/webdriver.json`).
//! Whole flows through the page are the WebDriver tests in `tests/tests/e2e/`.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use kubeplay_core::share::LessonRef;
use kubeplay_web::components::cluster_picture::{ClusterPicture, ClusterPictureProps};
use kubeplay_web::components::cluster_table::{ClusterTable, ClusterTableProps};
use kubeplay_web::components::console::{Console, ConsoleProps};
use kubeplay_web::components::editor::{Editor, EditorProps};
use kubeplay_web::components::lesson_panel::{LessonPanel, LessonPanelProps};
use kubeplay_web::components::markdown::{Markdown, MarkdownProps};
use kubeplay_web::components::time_controls::{TimeControls, TimeControlsProps};
use kubeplay_web::components::workload_list::{WorkloadList, WorkloadListProps};
use kubeplay_web::examples::NGINX_DEPLOYMENT;
use kubeplay_web::state::{Action, ApplyOutcome, ConsoleEntry, ErrorRow, Playground, Speed};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, Event, EventInit, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit,
};
use yew::{BaseComponent, Callback};

wasm_bindgen_test_configure!(run_in_browser);

// ---- helpers ------------------------------------------------------------------------------

/// Mounts `C` with `props` on a fresh element in the document and waits for it to render. The
/// page's stylesheet is loaded first, so that sizes and positions are the page's.
async fn mount<C: BaseComponent>(props: C::Properties) -> Element {
    // The handle is dropped, not destroyed: the component stays mounted for the test.
    mount_with_handle::<C>(props).await.0
}

/// [`mount`], keeping the handle that gives the component new properties.
async fn mount_with_handle<C: BaseComponent>(props: C::Properties) -> (Element, yew::AppHandle<C>) {
    let document = gloo::utils::document();
    if document.get_element_by_id("page-style").is_none() {
        let style = document.create_element("style").unwrap();
        style.set_id("page-style");
        style.set_text_content(Some(include_str!("../style.css")));
        document.head().unwrap().append_child(&style).unwrap();
    }
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    (root, handle)
}

/// A callback that records what it is called with.
fn recorder<T: 'static>() -> (Callback<T>, Rc<RefCell<Vec<T>>>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    (Callback::from(move |t| sink.borrow_mut().push(t)), seen)
}

fn one(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector} in {}", root.inner_html()))
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().dyn_into().unwrap())
        .collect()
}

fn attr(el: &Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_default()
}

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

async fn click(el: &Element) {
    match el.dyn_ref::<HtmlElement>() {
        Some(html) => html.click(),
        // SVG shapes have no click(): a bubbling mouse event, as a pointer would send.
        None => {
            let init = web_sys::MouseEventInit::new();
            init.set_bubbles(true);
            init.set_cancelable(true);
            let event =
                web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
            el.dispatch_event(&event).unwrap();
        }
    }
    yew::scheduler::flush().await;
}

/// Types `value` into an input or textarea: sets it and fires a bubbling `input` event.
async fn type_into(el: &Element, value: &str) {
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
    } else {
        el.unchecked_ref::<web_sys::HtmlTextAreaElement>()
            .set_value(value);
    }
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict("input", &init).unwrap();
    el.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

/// Presses `key` on `el` (a bubbling, cancelable `keydown`); returns whether the page
/// prevented the browser's default.
async fn press(el: &Element, key: &str, ctrl: bool) -> bool {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(ctrl);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    el.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
    event.default_prevented()
}

fn input_value(el: &Element) -> String {
    el.unchecked_ref::<HtmlInputElement>().value()
}

/// A settled playground running the example nginx Deployment (3 pods) and, after `extra`,
/// settled again.
fn playground(extra: &[&str]) -> Playground {
    let mut p = Playground::default();
    p.update(Action::Apply(NGINX_DEPLOYMENT.to_string()));
    p.update(Action::Settle);
    for line in extra {
        p.update(Action::Run(line.to_string()));
    }
    p.update(Action::Settle);
    p
}

/// A pod no node has room for.
const BIG_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: \"64\"
";

// ---- console ------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn console_runs_a_line_and_recalls_history_with_the_arrow_keys() {
    let (dispatch, seen) = recorder::<Action>();
    let root = mount::<Console>(ConsoleProps {
        entries: Rc::new(vec![ConsoleEntry {
            entry: 0,
            command: "get nodes".into(),
            stdout: "NAME   STATUS\nnode-1 Ready\n".into(),
            stderr: String::new(),
            ok: true,
        }]),
        history: Rc::new(vec![
            "get nodes".into(),
            "scale deployment/nginx --replicas=5".into(),
        ]),
        dispatch,
        complete: Callback::from(|line: String| kubeplay_core::kubectl::Completion {
            start: line.len(),
            candidates: Vec::new(),
            common: String::new(),
        }),
    })
    .await;
    // The log echoes the command with its kubectl prefix, then its output.
    let log = one(&root, "#console-output");
    assert!(text(&log).contains("$ kubectl get nodes"), "{}", text(&log));
    assert!(text(&log).contains("node-1 Ready"));

    let input = one(&root, "#console-input");
    assert!(
        press(&input, "ArrowUp", false).await,
        "↑ is the page's, not the caret's"
    );
    assert_eq!(input_value(&input), "scale deployment/nginx --replicas=5");
    press(&input, "ArrowUp", false).await;
    assert_eq!(input_value(&input), "get nodes");
    press(&input, "ArrowUp", false).await;
    assert_eq!(input_value(&input), "get nodes", "stops at the oldest");
    press(&input, "ArrowDown", false).await;
    press(&input, "ArrowDown", false).await;
    assert_eq!(
        input_value(&input),
        "",
        "past the newest is a new, empty line"
    );

    type_into(&input, "get pods -o wide").await;
    click(&one(&root, "button[type=submit]")).await;
    assert_eq!(*seen.borrow(), vec![Action::Run("get pods -o wide".into())]);
    assert_eq!(input_value(&input), "", "the line is cleared after running");

    // A blank line runs nothing.
    type_into(&input, "   ").await;
    click(&one(&root, "button[type=submit]")).await;
    assert_eq!(seen.borrow().len(), 1);
}

#[wasm_bindgen_test]
async fn console_tab_completes_object_names_from_the_cluster() {
    let p = Rc::new(playground(&[]));
    let complete = {
        let p = p.clone();
        Callback::from(move |line: String| p.complete(&line))
    };
    let (dispatch, _) = recorder::<Action>();
    let root = mount::<Console>(ConsoleProps {
        entries: Rc::default(),
        history: Rc::default(),
        dispatch,
        complete,
    })
    .await;
    let input = one(&root, "#console-input");
    type_into(&input, "scale d").await;
    assert!(press(&input, "Tab", false).await);
    assert_eq!(input_value(&input), "scale deployment/nginx ");
    type_into(&input, "get deployments ng").await;
    press(&input, "Tab", false).await;
    assert_eq!(input_value(&input), "get deployments nginx ");

    // Several candidates: the common prefix, and the candidates listed under the line.
    type_into(&input, "delete pod/nginx-").await;
    press(&input, "Tab", false).await;
    let listed = all(&root, "#console-completions code");
    assert_eq!(
        listed.len(),
        3,
        "{}",
        one(&root, "#console-completions").inner_html()
    );
    assert!(listed.iter().all(|c| text(c).starts_with("pod/nginx-")));
    press(&input, "Escape", false).await;
    assert!(
        all(&root, "#console-completions code").is_empty(),
        "Escape closes the list"
    );

    // Tab on an empty line moves focus: the console is no keyboard trap.
    type_into(&input, "").await;
    assert!(!press(&input, "Tab", false).await);
}

// ---- editor -------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn editor_marks_rejected_lines_and_applies_with_ctrl_enter() {
    gloo::utils::window()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let (on_apply, applied) = recorder::<String>();
    let root = mount::<Editor>(EditorProps {
        outcome: Some(ApplyOutcome::Rejected {
            errors: vec![ErrorRow {
                line: Some(3),
                message: "spec.replicas: invalid type: string \"three\", expected i32".into(),
            }],
        }),
        apply_count: 1,
        on_apply,
    })
    .await;
    // The starting text is the example Deployment, one gutter number per line.
    let area = one(&root, "#yaml-editor");
    let lines = NGINX_DEPLOYMENT.split('\n').count();
    assert_eq!(all(&root, ".gutter-line").len(), lines);
    // Only line 3 is marked, with the message on it.
    let marked = all(&root, ".gutter-line.error");
    assert_eq!(marked.len(), 1);
    assert_eq!(attr(&marked[0], "data-line"), "3");
    assert!(attr(&marked[0], "title").contains("expected i32"));
    // Syntax colouring: keys and values are spans of their own.
    assert!(
        !all(&root, ".code-colours .tok-key").is_empty(),
        "{}",
        one(&root, ".code-colours").inner_html()
    );

    type_into(&area, "apiVersion: v1\nkind: Pod\n").await;
    assert_eq!(all(&root, ".gutter-line").len(), 3);
    assert!(
        press(&area, "Enter", true).await,
        "Ctrl+Enter applies instead of a new line"
    );
    assert!(
        !press(&area, "Enter", false).await,
        "Enter alone is a new line"
    );
    click(&one(&root, "#apply-button")).await;
    assert_eq!(
        *applied.borrow(),
        vec!["apiVersion: v1\nkind: Pod\n".to_string(); 2]
    );
    // The draft is kept for a reload.
    let draft = gloo::utils::window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(kubeplay_web::autosave::DRAFT_KEY)
        .unwrap();
    assert_eq!(draft.as_deref(), Some("apiVersion: v1\nkind: Pod\n"));
}

// ---- markdown -----------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn lesson_markdown_keeps_raw_html_as_text_and_drops_script_links() {
    let root = mount::<Markdown>(MarkdownProps {
        text: "Run `kubectl get pods`.\n\n<script>alert(1)</script>\n\n\
               [docs](https://kubernetes.io/docs/) [bad](javascript:alert(1)) \
               ![img](https://example.com/x.png)\n\n- one\n- **two**"
            .into(),
    })
    .await;
    assert!(all(&root, "script").is_empty());
    assert!(all(&root, "img").is_empty(), "images become their alt text");
    assert!(
        text(&root).contains("<script>alert(1)</script>"),
        "{}",
        root.inner_html()
    );
    let links = all(&root, "a");
    assert_eq!(links.len(), 1, "{}", root.inner_html());
    assert_eq!(attr(&links[0], "href"), "https://kubernetes.io/docs/");
    assert!(attr(&links[0], "rel").contains("noopener"));
    assert!(text(&root).contains("bad"), "a dropped link keeps its text");
    assert_eq!(text(&one(&root, "code")), "kubectl get pods");
    assert_eq!(all(&root, "li").len(), 2);
    assert_eq!(text(&one(&root, "li strong")), "two");
}

// ---- the picture and the table ------------------------------------------------------------

/// The playground's picture, mounted, with what clicking in it asks to inspect.
async fn mount_picture(p: &Playground) -> (Element, Rc<RefCell<Vec<String>>>) {
    let (on_run, _) = recorder::<String>();
    let (on_inspect, inspected) = recorder::<String>();
    let root = mount::<ClusterPicture>(ClusterPictureProps {
        view: p.view.clone(),
        outcome: None,
        on_run,
        on_inspect,
    })
    .await;
    (root, inspected)
}

#[wasm_bindgen_test]
async fn the_picture_draws_pods_in_their_nodes_and_unschedulable_ones_in_the_lane() {
    let mut p = playground(&[]);
    p.update(Action::Apply(BIG_POD.to_string()));
    p.update(Action::Settle);
    let (root, inspected) = mount_picture(&p).await;
    let nginx = all(&root, "[data-owner='Deployment/nginx']");
    assert_eq!(nginx.len(), 3, "{}", root.inner_html());
    for pod in &nginx {
        assert_eq!(attr(pod, "data-state"), "ready");
        assert_eq!(attr(pod, "data-kind"), "Deployment");
        assert!(!attr(pod, "data-node").is_empty());
        // Each sits inside the box of the node it runs on.
        let node = pod.closest("g.node").unwrap().unwrap();
        assert_eq!(attr(&node, "data-node"), attr(pod, "data-node"));
    }
    let lane = one(&root, "#pending-lane");
    let waiting = all(&lane, "[data-pod='big']");
    assert_eq!(waiting.len(), 1, "{}", lane.inner_html());
    assert_eq!(attr(&waiting[0], "data-state"), "pending");
    assert!(
        attr(&waiting[0], "aria-label").contains("Insufficient cpu"),
        "{}",
        attr(&waiting[0], "aria-label")
    );
    // State reads without colour: a running pod's glyph differs in shape from a pending one's.
    let shape = |pod: &Element| -> Vec<(String, String)> {
        all(pod, "[class^=glyph]")
            .iter()
            .map(|g| (g.tag_name(), attr(g, "class")))
            .collect()
    };
    assert_ne!(shape(&nginx[0]), shape(&waiting[0]));

    click(&waiting[0]).await;
    assert_eq!(*inspected.borrow(), vec!["pod/default/big".to_string()]);
}

#[wasm_bindgen_test]
async fn the_picture_grows_with_its_pods_while_the_svg_keeps_its_size() {
    // The SVG keeps one size while pods come and go (a change of size lays all of it out
    // again); the stage around it follows the picture's height and cuts the SVG there.
    let small = playground(&[]);
    let big = playground(&["scale deployment nginx --replicas=12"]);
    let (small_root, _) = mount_picture(&small).await;
    let (big_root, _) = mount_picture(&big).await;
    let svg = |root: &Element| one(root, "#cluster-svg");
    let stage = |root: &Element| one(root, ".picture-stage");
    assert_eq!(
        attr(&svg(&small_root), "viewBox"),
        attr(&svg(&big_root), "viewBox")
    );
    let height = |el: &Element| el.get_bounding_client_rect().height();
    assert_eq!(height(&svg(&small_root)), height(&svg(&big_root)));
    assert_eq!(all(&big_root, "g.pod").len(), 12);
    assert!(
        height(&stage(&big_root)) > height(&stage(&small_root)) + 20.0,
        "the stage follows the picture: {} then {}",
        height(&stage(&small_root)),
        height(&stage(&big_root))
    );
    // Every node box lies within the stage, and the SVG reaches past its bottom.
    for root in [&small_root, &big_root] {
        let stage_box = stage(root).get_bounding_client_rect();
        assert!(svg(root).get_bounding_client_rect().bottom() >= stage_box.bottom());
        for frame in all(root, "rect.node-frame") {
            let b = frame.get_bounding_client_rect();
            assert!(
                b.height() > 0.0 && b.bottom() <= stage_box.bottom() + 0.5,
                "{} past {}",
                b.bottom(),
                stage_box.bottom()
            );
        }
    }
}

#[wasm_bindgen_test]
async fn more_pods_than_tiles_are_counted_per_workload_and_state_in_each_node() {
    let p = playground(&[
        "sim node add worker-3",
        "sim node add worker-4",
        "create deployment many --image=nginx:1.27 --replicas=320",
    ]);
    let (root, inspected) = mount_picture(&p).await;
    assert!(
        all(&root, "g.pod").is_empty(),
        "no tiles: {}",
        root.inner_html()
    );
    assert!(text(&one(&root, "#picture-summarised")).contains("More than 300 pods"));
    // Every pod is counted once, in the node it runs on.
    let counted: usize = all(&root, "g.workload-summary")
        .iter()
        .map(|g| attr(g, "data-count").parse::<usize>().unwrap())
        .sum();
    assert_eq!(counted, 323);
    let many = all(&root, "g.workload-summary[data-workload='deploy/many']");
    assert_eq!(many.len(), 4, "on each of the four workers");
    for bar in &many {
        let ready = one(bar, ".summary-part[data-state='ready']");
        assert_eq!(attr(&ready, "data-count"), attr(bar, "data-count"));
        assert!(
            attr(bar, "aria-label").contains(" ready"),
            "{}",
            attr(bar, "aria-label")
        );
    }
    click(&many[0]).await;
    assert_eq!(
        *inspected.borrow(),
        vec!["deployment/default/many".to_string()]
    );
}

#[wasm_bindgen_test]
async fn a_rollout_surging_past_the_tile_limit_keeps_its_tiles() {
    // 240 replicas: the rolling update's surge and terminating pods take the picture past 300
    // pods for a while. Switching to bars and back would redraw every pod twice.
    let mut p = playground(&[
        "sim node add worker-3",
        "sim node add worker-4",
        "create deployment many --image=nginx:1.27 --replicas=240",
    ]);
    let props = |p: &Playground| {
        let (on_run, _) = recorder::<String>();
        let (on_inspect, _) = recorder::<String>();
        ClusterPictureProps {
            view: p.view.clone(),
            outcome: None,
            on_run,
            on_inspect,
        }
    };
    let (root, mut handle) = mount_with_handle::<ClusterPicture>(props(&p)).await;
    let drawn = |p: &Playground| kubeplay_web::layout::pod_count(&p.view);
    let mut most = 0;
    p.update(Action::Run(
        "set image deployment/many nginx=nginx:1.28".into(),
    ));
    for _ in 0..40 {
        p.update(Action::Run("sim advance 250ms".into()));
        handle.update(props(&p));
        yew::scheduler::flush().await;
        most = most.max(drawn(&p));
        assert_eq!(
            all(&root, "g.pod").len(),
            drawn(&p),
            "every pod has its tile"
        );
        assert!(all(&root, "g.workload-summary").is_empty());
    }
    assert!(most > 300, "the rollout peaked at {most} pods");
    // Well past the limit the picture does switch to bars, and keeps them back down to 300
    // (the three nginx pods count too).
    for (replicas, tiles) in [(457, false), (347, false), (297, true), (347, true)] {
        p.update(Action::Run(format!(
            "scale deployment many --replicas={replicas}"
        )));
        p.update(Action::Settle);
        handle.update(props(&p));
        yew::scheduler::flush().await;
        assert_eq!(drawn(&p), replicas + 3);
        assert_eq!(!all(&root, "g.pod").is_empty(), tiles, "{replicas} pods");
        assert_eq!(
            root.query_selector("#picture-summarised")
                .unwrap()
                .is_none(),
            tiles
        );
    }
}

#[wasm_bindgen_test]
async fn the_table_lists_the_same_pods_as_the_picture() {
    let p = playground(&[]);
    let (on_inspect, inspected) = recorder::<String>();
    let root = mount::<ClusterTable>(ClusterTableProps {
        view: p.view.clone(),
        on_inspect,
    })
    .await;
    let names: Vec<String> = p
        .view
        .nodes
        .iter()
        .flat_map(|n| &n.pods)
        .map(|pod| pod.name.clone())
        .collect();
    assert_eq!(names.len(), 3);
    let table = text(&root);
    for name in &names {
        assert!(table.contains(name.as_str()), "{name} missing from {table}");
    }
    for node in &p.view.nodes {
        assert!(table.contains(node.name.as_str()));
    }
    let link = all(&root, "button")
        .into_iter()
        .find(|b| text(b) == names[0])
        .expect("each pod name is a link to inspect it");
    click(&link).await;
    assert_eq!(
        *inspected.borrow(),
        vec![format!("pod/default/{}", names[0])]
    );
}

// ---- workloads ----------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn workload_actions_open_one_at_a_time_and_build_kubectl_commands() {
    let p = playground(&["create deployment api --image=nginx:1.27 --replicas=2"]);
    let (on_run, ran) = recorder::<String>();
    let (on_inspect, _) = recorder::<String>();
    let root = mount::<WorkloadList>(WorkloadListProps {
        workloads: p.view.workloads.clone(),
        outcome: None,
        on_run,
        on_inspect,
    })
    .await;
    let rows = all(&root, "li.workload");
    assert_eq!(rows.len(), 2, "{}", root.inner_html());
    let status = text(&root);
    assert!(status.contains("3/3"), "kubectl's READY column: {status}");

    let toggles = all(&root, ".workload-toggle");
    click(&toggles[0]).await;
    assert_eq!(all(&root, ".workload-actions").len(), 1);
    assert_eq!(attr(&toggles[0], "aria-expanded"), "true");
    click(&toggles[1]).await;
    assert_eq!(
        all(&root, ".workload-actions").len(),
        1,
        "opening one closes the other"
    );
    click(&toggles[1]).await;
    assert!(all(&root, ".workload-actions").is_empty());

    // nginx: scale to 5 and change its image.
    let nginx = one(&root, "[data-workload='Deployment/nginx']");
    click(&one(&nginx, ".workload-toggle")).await;
    type_into(&one(&nginx, ".wl-replicas"), "5").await;
    click(&one(&nginx, "[data-form=scale] button[type=submit]")).await;
    type_into(&one(&nginx, ".wl-image"), "nginx:1.28").await;
    click(&one(&nginx, "[data-form=image] button[type=submit]")).await;
    let ran = ran.borrow();
    assert_eq!(ran[0], "kubectl scale deployment/nginx --replicas=5");
    assert_eq!(
        ran[1],
        "kubectl set image deployment/nginx nginx=nginx:1.28"
    );
}

// ---- time ---------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn time_controls_say_whether_time_runs_and_send_their_actions() {
    let (dispatch, seen) = recorder::<Action>();
    let root = mount::<TimeControls>(TimeControlsProps {
        clock: "00:01:30".into(),
        playing: false,
        speed: Speed::X5,
        next_event: Some("in 2s: kubelet starts nginx".into()),
        dispatch,
    })
    .await;
    let play = one(&root, "#play-button");
    assert_eq!(attr(&play, "aria-pressed"), "false");
    assert_eq!(attr(&play, "aria-label"), "Play the simulation");
    let pressed: Vec<String> = all(&root, ".seg[aria-pressed=true]")
        .iter()
        .map(|b| attr(b, "aria-label"))
        .collect();
    assert_eq!(pressed, vec!["Speed 5x".to_string()]);
    click(&play).await;
    click(&one(&root, "#step-button")).await;
    click(&one(&root, "#settle-button")).await;
    click(&one(&root, "[aria-label='Speed 60x']")).await;
    assert_eq!(
        *seen.borrow(),
        vec![
            Action::TogglePlay,
            Action::Step,
            Action::Settle,
            Action::SetSpeed(Speed::X60)
        ]
    );
}

// ---- lessons ------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn the_lesson_panel_shows_the_steps_checks_and_hints() {
    let mut p = Playground::default();
    p.update(Action::StartLesson(LessonRef::Builtin(
        "deployments".into(),
    )));
    let lesson = p.lesson.clone().expect("the lesson started");
    let (dispatch, seen) = recorder::<Action>();
    let root = mount::<LessonPanel>(LessonPanelProps {
        lesson: lesson.clone(),
        dispatch,
        read_only: false,
    })
    .await;
    assert_eq!(text(&one(&root, "#lesson-heading")), lesson.lesson.title);
    let total = lesson.lesson.steps.len();
    assert_eq!(
        text(&one(&root, "#lesson-progress")),
        format!("0 of {total} steps")
    );
    assert_eq!(all(&root, ".lesson-step").len(), total);
    // Only the first step can be opened; later ones wait.
    let buttons = all(&root, ".lesson-step-button");
    assert!(!buttons[0].has_attribute("disabled"));
    assert!(buttons[1..].iter().all(|b| b.has_attribute("disabled")));
    // The first step's checks, none holding on the untouched cluster.
    let checks = all(&root, "#lesson-checks .lesson-check");
    assert_eq!(checks.len(), lesson.lesson.steps[0].checks.len());
    // The step is not done on the untouched cluster: some check does not hold yet. Each says
    // whether it holds in words as well as by its mark.
    let passing = all(&root, ".lesson-check.is-passing").len();
    assert!(passing < checks.len());
    for c in &checks {
        let holds = attr(c, "data-passing") == "true";
        assert!(
            text(c).contains(if holds { "(holds)" } else { "(not yet)" }),
            "{}",
            text(c)
        );
        assert_eq!(
            text(&one(c, ".lesson-check-mark")),
            if holds { "✓" } else { "○" }
        );
    }

    click(&one(&root, "#lesson-hint")).await;
    click(&one(&root, "#lesson-restart")).await;
    assert_eq!(*seen.borrow(), vec![Action::Hint, Action::Reset]);

    // Read-only embeds have no restart or leave.
    let root = mount::<LessonPanel>(LessonPanelProps {
        lesson,
        dispatch: Callback::noop(),
        read_only: true,
    })
    .await;
    assert!(all(&root, "#lesson-restart, #lesson-leave").is_empty());
}

// ---- determinism --------------------------------------------------------------------------

/// The same script on the same seed gives, in the browser's wasm, the byte-identical traced
/// transcript (outputs, clock, step count, digest of every work item) that the native test
/// `traced_transcript_matches_natively` checks against the same file.
#[wasm_bindgen_test]
fn the_traced_transcript_in_wasm_is_byte_identical_to_the_native_one() {
    let script = include_str!("../../tests/golden/determinism/mixed.kp");
    let want = include_str!("../../tests/golden/determinism/mixed.trace");
    let got =
        kubeplay_core::kubectl::script::transcript(script, &kubeplay_core::kubectl::NoFiles, true);
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
        panic!(
            "wasm and native differ at line {}:\n  wasm:   {:?}\n  native: {:?}",
            line + 1,
            got.lines().nth(line).unwrap_or("<end>"),
            want.lines().nth(line).unwrap_or("<end>")
        );
    }
}
