//! Quick actions on a workload (scale, change image, restart, undo, delete), as the command
//! lines they run: like node operations, they go through the command language so the console
//! shows exactly what was done. Pure, so it is tested natively.

use kubeplay_core::view::WorkloadView;

use crate::node_ops::quote;

/// One quick action.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum WorkloadOp {
    /// `kubectl scale --replicas=N`.
    Scale(String),
    /// `kubectl set image` of one container.
    Image {
        container: String,
        image: String,
    },
    /// `kubectl rollout restart`: a new template revision with the same spec.
    Restart,
    /// `kubectl rollout undo`: back to the previous revision.
    Undo,
    Delete,
}

/// The resource word kubectl uses for a workload kind.
fn resource(kind: &str) -> String {
    kind.to_ascii_lowercase()
}

impl WorkloadOp {
    /// The command line that carries the action out on `w`.
    pub fn command(&self, w: &WorkloadView) -> String {
        let target = format!("{}/{}", resource(&w.kind), w.name);
        let ns = if w.namespace == "default" {
            String::new()
        } else {
            format!(" -n {}", quote(&w.namespace))
        };
        match self {
            WorkloadOp::Scale(n) => {
                format!("kubectl scale {target} --replicas={}{ns}", quote(n.trim()))
            }
            WorkloadOp::Image { container, image } => format!(
                "kubectl set image {target} {}{ns}",
                quote(&format!("{container}={}", image.trim()))
            ),
            WorkloadOp::Restart => format!("kubectl rollout restart {target}{ns}"),
            WorkloadOp::Undo => format!("kubectl rollout undo {target}{ns}"),
            WorkloadOp::Delete => format!("kubectl delete {} {}{ns}", resource(&w.kind), w.name),
        }
    }
}

/// What a workload of this kind offers. Undo is offered for Deployments and DaemonSets, whose
/// revisions are the way back; a StatefulSet is changed back by another update, rolled out in
/// reverse ordinal order. A DaemonSet has no replica count, and a bare ReplicaSet has no
/// revisions to restart or undo.
pub struct Offers {
    pub scale: bool,
    pub image: bool,
    pub restart: bool,
    pub undo: bool,
}

pub fn offers(w: &WorkloadView) -> Offers {
    let kind = w.kind.as_str();
    Offers {
        scale: w.replicas.is_some(),
        image: !w.containers.is_empty() && kind != "ReplicaSet",
        restart: matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet"),
        undo: matches!(kind, "Deployment" | "DaemonSet"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workload(kind: &str, ns: &str) -> WorkloadView {
        WorkloadView {
            kind: kind.into(),
            namespace: ns.into(),
            name: "web".into(),
            status_line: String::new(),
            color: 0,
            replicas: (kind != "DaemonSet").then_some(3),
            containers: vec![("nginx".into(), "nginx:1.27".into())],
        }
    }

    #[test]
    fn each_action_is_the_kubectl_line_a_person_would_type() {
        let d = workload("Deployment", "default");
        assert_eq!(
            WorkloadOp::Scale("5".into()).command(&d),
            "kubectl scale deployment/web --replicas=5"
        );
        assert_eq!(
            WorkloadOp::Image {
                container: "nginx".into(),
                image: " nginx:1.28 ".into()
            }
            .command(&d),
            "kubectl set image deployment/web nginx=nginx:1.28"
        );
        assert_eq!(
            WorkloadOp::Restart.command(&d),
            "kubectl rollout restart deployment/web"
        );
        assert_eq!(
            WorkloadOp::Undo.command(&d),
            "kubectl rollout undo deployment/web"
        );
        assert_eq!(
            WorkloadOp::Delete.command(&d),
            "kubectl delete deployment web"
        );
        let s = workload("StatefulSet", "shop");
        assert_eq!(
            WorkloadOp::Scale("1".into()).command(&s),
            "kubectl scale statefulset/web --replicas=1 -n shop"
        );
    }

    #[test]
    fn what_was_typed_reaches_the_command_as_one_word() {
        let d = workload("Deployment", "default");
        assert_eq!(
            WorkloadOp::Scale("5 --all".into()).command(&d),
            "kubectl scale deployment/web --replicas='5 --all'"
        );
    }

    #[test]
    fn kinds_offer_what_kubernetes_lets_them_do() {
        let d = offers(&workload("Deployment", "default"));
        assert!(d.scale && d.image && d.restart && d.undo);
        let s = offers(&workload("StatefulSet", "default"));
        assert!(s.scale && s.image && s.restart && !s.undo);
        let ds = offers(&workload("DaemonSet", "default"));
        assert!(!ds.scale && ds.image && ds.restart && ds.undo);
        let rs = offers(&workload("ReplicaSet", "default"));
        assert!(rs.scale && !rs.image && !rs.restart && !rs.undo);
    }
}
