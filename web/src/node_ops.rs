//! Node operations offered in the picture, as the command lines they run.
//!
//! The command language is the page's only door into the cluster: every item of a node's menu
//! and the "Add node" form become one `kubectl` or `sim` line, run like a console line, so the
//! console shows exactly what was done. Pure, so it is tested natively.

use kubeplay_core::view::NodeView;

/// Effects a taint can have, in the order the form offers them.
pub const TAINT_EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// One thing a node's menu can do.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum NodeOp {
    Cordon,
    Uncordon,
    /// Cordon, then evict every pod but the DaemonSet ones, as `kubectl drain` does.
    Drain,
    /// Stop the node's kubelet (`sim node fail`).
    Fail,
    /// Start it again (`sim node recover`).
    Recover,
    /// Add or change a label: `key=value`.
    Label(String),
    /// Remove the label with this key.
    Unlabel(String),
    /// Add a taint: `key[=value]:Effect`.
    Taint(String),
    /// Remove a taint, given as the node shows it (`key[=value]:Effect`).
    Untaint(String),
    /// Delete the Node object.
    Remove,
}

impl NodeOp {
    /// The command line that carries the operation out on `node`.
    pub fn command(&self, node: &str) -> String {
        match self {
            NodeOp::Cordon => format!("kubectl cordon {node}"),
            NodeOp::Uncordon => format!("kubectl uncordon {node}"),
            NodeOp::Drain => {
                format!("kubectl drain {node} --ignore-daemonsets --delete-emptydir-data --force")
            }
            NodeOp::Fail => format!("sim node fail {node}"),
            NodeOp::Recover => format!("sim node recover {node}"),
            NodeOp::Label(pair) => format!("kubectl label node {node} {}", quote(pair.trim())),
            NodeOp::Unlabel(key) => format!("kubectl label node {node} {}-", quote(key)),
            NodeOp::Taint(spec) => format!("kubectl taint node {node} {}", quote(spec.trim())),
            NodeOp::Untaint(taint) => {
                format!("kubectl taint node {node} {}-", quote(&untaint_spec(taint)))
            }
            NodeOp::Remove => format!("kubectl delete node {node}"),
        }
    }
}

/// `key[=value]:Effect` → `key:Effect`, the form `kubectl taint … key:Effect-` removes.
/// (Keys and effects cannot contain `=` or `:`.)
pub fn untaint_spec(taint: &str) -> String {
    let (key_value, effect) = taint.rsplit_once(':').unwrap_or((taint, ""));
    let key = key_value.split_once('=').map_or(key_value, |(k, _)| k);
    if effect.is_empty() {
        key.to_string()
    } else {
        format!("{key}:{effect}")
    }
}

/// A label's key: `key=value` → `key`.
pub fn label_key(label: &str) -> &str {
    label.split_once('=').map_or(label, |(k, _)| k)
}

/// `key[=value]` with an effect → `key[=value]:Effect`.
pub fn taint_spec(key_value: &str, effect: &str) -> String {
    format!("{}:{effect}", key_value.trim())
}

/// A word as the command line's shell-like splitter reads it back: quoted when it is empty or
/// holds blanks or quotes, so what someone typed reaches the command as one argument.
pub fn quote(word: &str) -> String {
    if !word.is_empty()
        && !word
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '\'' | '"' | '\\' | '#'))
    {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', "'\"'\"'"))
}

/// One entry of a node's menu.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum MenuItem {
    /// Runs at once.
    Run { label: String, op: NodeOp },
    /// Opens the small form for a new label.
    AddLabel,
    /// Opens the small form for a new taint.
    AddTaint,
    /// Shows or hides the node's labels in the picture.
    ToggleLabels { shown: bool },
    /// Asks before deleting the node.
    ConfirmRemove,
}

impl MenuItem {
    /// What the item says.
    pub fn text(&self) -> String {
        match self {
            MenuItem::Run { label, .. } => label.clone(),
            MenuItem::AddLabel => "Add label…".to_string(),
            MenuItem::AddTaint => "Add taint…".to_string(),
            MenuItem::ToggleLabels { shown: true } => "Hide labels".to_string(),
            MenuItem::ToggleLabels { shown: false } => "Show labels".to_string(),
            MenuItem::ConfirmRemove => "Remove node…".to_string(),
        }
    }

    /// Items that take something away are drawn in red.
    pub fn is_destructive(&self) -> bool {
        matches!(
            self,
            MenuItem::ConfirmRemove
                | MenuItem::Run {
                    op: NodeOp::Drain
                        | NodeOp::Fail
                        | NodeOp::Unlabel(_)
                        | NodeOp::Untaint(_)
                        | NodeOp::Remove,
                    ..
                }
        )
    }
}

/// The menu of `node`, for its current state: Cordon or Uncordon, Fail or Recover, one
/// removal per label and taint.
pub fn menu(node: &NodeView, labels_shown: bool) -> Vec<MenuItem> {
    let run = |label: &str, op: NodeOp| MenuItem::Run {
        label: label.to_string(),
        op,
    };
    let mut items = vec![
        if node.cordoned {
            run("Uncordon", NodeOp::Uncordon)
        } else {
            run("Cordon", NodeOp::Cordon)
        },
        run("Drain", NodeOp::Drain),
        if node.failed {
            run("Recover node", NodeOp::Recover)
        } else {
            run("Fail node", NodeOp::Fail)
        },
        MenuItem::ToggleLabels {
            shown: labels_shown,
        },
        MenuItem::AddLabel,
        MenuItem::AddTaint,
    ];
    items.extend(node.labels.iter().map(|l| {
        run(
            &format!("Remove label {l}"),
            NodeOp::Unlabel(label_key(l).into()),
        )
    }));
    items.extend(
        node.taints
            .iter()
            .map(|t| run(&format!("Remove taint {t}"), NodeOp::Untaint(t.clone()))),
    );
    items.push(MenuItem::ConfirmRemove);
    items
}

/// `worker-N` with the smallest N above every existing `worker-N`.
pub fn next_worker_name(nodes: &[std::rc::Rc<NodeView>]) -> String {
    let highest = nodes
        .iter()
        .filter_map(|n| n.name.strip_prefix("worker-")?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("worker-{}", highest + 1)
}

/// What the "Add node" form holds, as typed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NewNode {
    pub name: String,
    pub cpu: String,
    pub memory: String,
    pub pods: String,
    /// `key=value` pairs, separated by commas or blanks.
    pub labels: String,
    /// `key[=value]:Effect` specs, separated by commas or blanks.
    pub taints: String,
}

impl NewNode {
    /// The default size of `sim node add` (4 CPU, 16Gi, 110 pods), named `name`.
    pub fn named(name: String) -> NewNode {
        NewNode {
            name,
            cpu: "4".into(),
            memory: "16Gi".into(),
            pods: "110".into(),
            labels: String::new(),
            taints: String::new(),
        }
    }

    /// The `sim node add` line; sizes left empty take the command's defaults.
    pub fn command(&self) -> String {
        let mut line = format!("sim node add {}", quote(self.name.trim()));
        for (flag, value) in [
            ("cpu", &self.cpu),
            ("memory", &self.memory),
            ("pods", &self.pods),
        ] {
            if !value.trim().is_empty() {
                line.push_str(&format!(" --{flag} {}", quote(value.trim())));
            }
        }
        for (flag, list) in [("label", &self.labels), ("taint", &self.taints)] {
            for item in list.split(|c: char| c == ',' || c.is_whitespace()) {
                if !item.is_empty() {
                    line.push_str(&format!(" --{flag} {}", quote(item)));
                }
            }
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> NodeView {
        NodeView {
            name: name.into(),
            status: "Ready".into(),
            roles: "<none>".into(),
            ready: true,
            condition: None,
            failed: false,
            cordoned: false,
            taints: vec![],
            labels: vec![],
            cpu_capacity_millis: 4000,
            cpu_requested_millis: 0,
            memory_capacity_bytes: 16 << 30,
            memory_requested_bytes: 0,
            pods: vec![],
        }
    }

    #[test]
    fn each_operation_is_one_command_line() {
        let cases = [
            (NodeOp::Cordon, "kubectl cordon worker-1"),
            (NodeOp::Uncordon, "kubectl uncordon worker-1"),
            (
                NodeOp::Drain,
                "kubectl drain worker-1 --ignore-daemonsets --delete-emptydir-data --force",
            ),
            (NodeOp::Fail, "sim node fail worker-1"),
            (NodeOp::Recover, "sim node recover worker-1"),
            (
                NodeOp::Label(" disk=ssd ".into()),
                "kubectl label node worker-1 disk=ssd",
            ),
            (
                NodeOp::Unlabel("disk".into()),
                "kubectl label node worker-1 disk-",
            ),
            (
                NodeOp::Taint("gpu=yes:NoSchedule".into()),
                "kubectl taint node worker-1 gpu=yes:NoSchedule",
            ),
            (
                NodeOp::Untaint("gpu=yes:NoSchedule".into()),
                "kubectl taint node worker-1 gpu:NoSchedule-",
            ),
            (NodeOp::Remove, "kubectl delete node worker-1"),
        ];
        for (op, line) in cases {
            assert_eq!(op.command("worker-1"), line, "{op:?}");
        }
    }

    #[test]
    fn taints_and_labels_are_removed_by_key_and_effect() {
        assert_eq!(
            untaint_spec("dedicated=gpu:NoExecute"),
            "dedicated:NoExecute"
        );
        assert_eq!(
            untaint_spec("node-role.kubernetes.io/control-plane:NoSchedule"),
            "node-role.kubernetes.io/control-plane:NoSchedule"
        );
        assert_eq!(
            label_key("node-role.kubernetes.io/control-plane="),
            "node-role.kubernetes.io/control-plane"
        );
        assert_eq!(taint_spec(" gpu ", "NoSchedule"), "gpu:NoSchedule");
    }

    #[test]
    fn what_someone_typed_stays_one_argument() {
        assert_eq!(quote("a=b"), "a=b");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), "'it'\"'\"'s'");
        let line = NodeOp::Label("team=web ops".into()).command("n");
        assert_eq!(line, "kubectl label node n 'team=web ops'");
    }

    #[test]
    fn the_menu_follows_the_nodes_state() {
        let mut n = node("worker-1");
        n.labels = vec!["disk=ssd".into()];
        n.taints = vec!["gpu=yes:NoSchedule".into()];
        let texts: Vec<String> = menu(&n, false).iter().map(MenuItem::text).collect();
        assert_eq!(
            texts,
            [
                "Cordon",
                "Drain",
                "Fail node",
                "Show labels",
                "Add label…",
                "Add taint…",
                "Remove label disk=ssd",
                "Remove taint gpu=yes:NoSchedule",
                "Remove node…"
            ]
        );
        n.cordoned = true;
        n.failed = true;
        let texts: Vec<String> = menu(&n, true).iter().map(MenuItem::text).collect();
        assert_eq!(
            &texts[..4],
            ["Uncordon", "Drain", "Recover node", "Hide labels"]
        );
        assert!(menu(&n, true).last().unwrap().is_destructive());
        assert!(!menu(&n, true)[0].is_destructive());
    }

    #[test]
    fn the_next_worker_takes_the_number_after_the_highest() {
        let nodes = [
            node("control-plane"),
            node("worker-1"),
            node("worker-3"),
            node("worker-x"),
        ]
        .map(std::rc::Rc::new);
        assert_eq!(next_worker_name(&nodes), "worker-4");
        assert_eq!(next_worker_name(&[]), "worker-1");
    }

    #[test]
    fn a_new_node_becomes_one_sim_node_add_line() {
        let mut form = NewNode::named("worker-3".into());
        form.labels = "disk=ssd, zone=a".into();
        form.taints = "gpu=yes:NoSchedule".into();
        assert_eq!(
            form.command(),
            "sim node add worker-3 --cpu 4 --memory 16Gi --pods 110 --label disk=ssd --label zone=a --taint gpu=yes:NoSchedule"
        );
        form.cpu = " ".into();
        form.memory = "8Gi".into();
        form.labels.clear();
        form.taints.clear();
        assert_eq!(
            form.command(),
            "sim node add worker-3 --memory 8Gi --pods 110"
        );
    }
}
