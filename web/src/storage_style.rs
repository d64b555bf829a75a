//! How claims, volumes and mounts look: outline style, fill and the short lines beside them.
//!
//! As with pods, state is never colour alone: a Pending claim has a dashed outline, a Bound one
//! a solid outline and fill, a Lost or terminating one is crossed out; links a pod cannot use
//! yet are dashed.

use kubeplay_core::view::{ClaimPhase, ClaimView, MountState, VolumeView};

use crate::pod_style::{stroke, tint};

/// The outline and marks of a claim's cylinder, or of a volume's drive.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Look {
    /// Solid outline, filled: Bound claims and Available volumes.
    Solid,
    /// Dashed outline, white: Pending claims and volumes.
    Dashed,
    /// Dashed outline, hatched: Released volumes, kept but not reusable.
    Hatched,
    /// Crossed out: Lost or terminating claims, Failed or terminating volumes.
    Crossed,
}

impl Look {
    /// The CSS modifier (`claim--dashed`).
    pub fn name(self) -> &'static str {
        match self {
            Look::Solid => "solid",
            Look::Dashed => "dashed",
            Look::Hatched => "hatched",
            Look::Crossed => "crossed",
        }
    }
}

pub fn claim_look(c: &ClaimView) -> Look {
    match c.phase {
        _ if c.terminating => Look::Crossed,
        ClaimPhase::Lost => Look::Crossed,
        ClaimPhase::Bound => Look::Solid,
        ClaimPhase::Pending => Look::Dashed,
    }
}

pub fn volume_look(v: &VolumeView) -> Look {
    match v.phase.as_str() {
        _ if v.terminating => Look::Crossed,
        "Failed" => Look::Crossed,
        "Released" => Look::Hatched,
        "Available" | "Bound" => Look::Solid,
        _ => Look::Dashed,
    }
}

/// (fill, outline) of a claim: its workload's colours, or slate when it has none.
pub fn claim_colors(c: &ClaimView) -> (&'static str, &'static str) {
    match (claim_look(c), c.color) {
        (Look::Solid, Some(color)) => (tint(color), stroke(color)),
        (Look::Solid, None) => ("#e2e8f0", "#475569"),
        (_, Some(color)) => ("#ffffff", stroke(color)),
        (_, None) => ("#ffffff", "#64748b"),
    }
}

/// The name as drawn: namespaced outside `default`.
pub fn claim_title(c: &ClaimView) -> String {
    if c.namespace == "default" {
        c.name.clone()
    } else {
        format!("{}/{}", c.namespace, c.name)
    }
}

/// `1Gi · RWO · standard`: what is asked for or provided, skipping what is unknown.
pub fn size_line(capacity: &str, modes: &str, class: &str) -> String {
    [capacity, modes, class]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The claim's phase and its volume: `Bound · pvc-…`, `Pending`, `Lost · pvc-…`, with
/// `Terminating` first while it is being deleted.
pub fn claim_status(c: &ClaimView) -> String {
    let mut line = if c.terminating {
        format!("Terminating · {}", c.phase.as_str())
    } else {
        c.phase.as_str().to_string()
    };
    if let Some(volume) = &c.volume {
        line.push_str(&format!(" · {volume}"));
    }
    line
}

/// The hover text: the summary, why it waits, the sharing problem.
pub fn claim_tooltip(c: &ClaimView) -> String {
    let mut text = c.summary();
    if let Some(why) = &c.why {
        text.push_str(&format!("\n{why}"));
    }
    text
}

/// The CSS modifier of a mount link.
pub fn mount_name(state: MountState) -> &'static str {
    match state {
        MountState::Ok => "ok",
        MountState::Waiting => "waiting",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(phase: ClaimPhase, terminating: bool) -> ClaimView {
        ClaimView {
            namespace: "default".into(),
            name: "www-web-0".into(),
            phase,
            terminating,
            capacity: "1Gi".into(),
            access_modes: "RWO".into(),
            storage_class: "standard".into(),
            volume: (phase != ClaimPhase::Pending).then(|| "pvc-1".to_string()),
            owner: None,
            color: None,
            used_by: vec!["web-0".into()],
            why: None,
            conflict: None,
        }
    }

    #[test]
    fn claim_phases_differ_in_outline_not_only_colour() {
        let bound = claim_look(&claim(ClaimPhase::Bound, false));
        let pending = claim_look(&claim(ClaimPhase::Pending, false));
        let lost = claim_look(&claim(ClaimPhase::Lost, false));
        let deleting = claim_look(&claim(ClaimPhase::Bound, true));
        assert_eq!(
            (bound, pending, lost, deleting),
            (Look::Solid, Look::Dashed, Look::Crossed, Look::Crossed)
        );
    }

    #[test]
    fn status_lines_name_the_phase_and_the_volume() {
        assert_eq!(
            claim_status(&claim(ClaimPhase::Bound, false)),
            "Bound · pvc-1"
        );
        assert_eq!(claim_status(&claim(ClaimPhase::Pending, false)), "Pending");
        assert_eq!(
            claim_status(&claim(ClaimPhase::Bound, true)),
            "Terminating · Bound · pvc-1"
        );
        assert_eq!(size_line("1Gi", "RWO", ""), "1Gi · RWO");
        let mut other = claim(ClaimPhase::Bound, false);
        other.namespace = "shop".into();
        assert_eq!(claim_title(&other), "shop/www-web-0");
    }

    #[test]
    fn claims_without_a_workload_are_slate_and_unfilled_until_bound() {
        assert_eq!(
            claim_colors(&claim(ClaimPhase::Bound, false)),
            ("#e2e8f0", "#475569")
        );
        assert_eq!(
            claim_colors(&claim(ClaimPhase::Pending, false)).0,
            "#ffffff"
        );
        let mut owned = claim(ClaimPhase::Bound, false);
        owned.color = Some(2);
        assert_eq!(claim_colors(&owned), (tint(2), stroke(2)));
    }

    #[test]
    fn released_and_failed_volumes_look_different_from_available_ones() {
        let volume = |phase: &str| VolumeView {
            name: "disk".into(),
            phase: phase.into(),
            capacity: "5Gi".into(),
            access_modes: "RWO".into(),
            reclaim_policy: "Retain".into(),
            storage_class: "manual".into(),
            claim: None,
            bound: false,
            terminating: false,
        };
        let looks: Vec<Look> = ["Available", "Pending", "Released", "Failed"]
            .iter()
            .map(|p| volume_look(&volume(p)))
            .collect();
        assert_eq!(
            looks,
            [Look::Solid, Look::Dashed, Look::Hatched, Look::Crossed]
        );
    }
}
