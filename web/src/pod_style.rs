//! How a pod's state and a workload's palette index look: classes, glyphs and colours.
//!
//! State is never shown by colour alone: each state has its own glyph (drawn as SVG shapes, so
//! no font is needed), its own outline style, and the status text beside it.

use kubeplay_core::view::PodState;

/// The glyph drawn at the left of a pod tile.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Glyph {
    /// Filled disc: running and ready.
    Disc,
    /// Ring with a dot: running, not ready yet.
    DotRing,
    /// Dashed ring: waiting for a node.
    DashedRing,
    /// Half-filled disc: being created (image pull, container start).
    HalfDisc,
    /// Ring with a bar: shutting down.
    Minus,
    /// Warning triangle: crash loop or image error.
    Warning,
    /// Cross: failed.
    Cross,
    /// Check mark: completed.
    Check,
}

/// The CSS modifier for a state (`pod--running`); also the `data-state` attribute.
pub fn state_name(state: PodState) -> &'static str {
    match state {
        PodState::Pending => "pending",
        PodState::Creating => "creating",
        PodState::Running => "running",
        PodState::Ready => "ready",
        PodState::Terminating => "terminating",
        PodState::CrashLoop => "crashloop",
        PodState::ImageError => "imageerror",
        PodState::Succeeded => "succeeded",
        PodState::Failed => "failed",
    }
}

/// The glyph for a state.
pub fn glyph(state: PodState) -> Glyph {
    match state {
        PodState::Pending => Glyph::DashedRing,
        PodState::Creating => Glyph::HalfDisc,
        PodState::Running => Glyph::DotRing,
        PodState::Ready => Glyph::Disc,
        PodState::Terminating => Glyph::Minus,
        PodState::CrashLoop | PodState::ImageError => Glyph::Warning,
        PodState::Succeeded => Glyph::Check,
        PodState::Failed => Glyph::Cross,
    }
}

/// States that need someone's attention: drawn with a red outline and hatching.
pub fn is_trouble(state: PodState) -> bool {
    matches!(
        state,
        PodState::CrashLoop | PodState::ImageError | PodState::Failed
    )
}

/// States not yet (or no longer) running: drawn with a dashed outline.
pub fn is_transient(state: PodState) -> bool {
    matches!(
        state,
        PodState::Pending | PodState::Creating | PodState::Terminating
    )
}

/// The kind marker at a pod tile's top right: who made the pod. Each kind has its own short
/// tag (kubectl's short names), so a DaemonSet's pod reads as one without the caption.
pub fn kind_tag(owner_kind: Option<&str>) -> &'static str {
    match owner_kind {
        Some("Deployment") => "DEP",
        Some("ReplicaSet") => "RS",
        Some("StatefulSet") => "STS",
        Some("DaemonSet") => "DS",
        Some("Job") => "JOB",
        Some(_) => "OWN",
        None => "POD",
    }
}

/// Workload colours as (stroke, tint). Red is left out: it means trouble.
const PALETTE: [(&str, &str); 8] = [
    ("#2563eb", "#dbeafe"),
    ("#c2410c", "#ffedd5"),
    ("#15803d", "#dcfce7"),
    ("#7e22ce", "#f3e8ff"),
    ("#0f766e", "#ccfbf1"),
    ("#be185d", "#fce7f3"),
    ("#a16207", "#fef9c3"),
    ("#4338ca", "#e0e7ff"),
];

/// The strong colour of a workload (outlines, stripes, swatches).
pub fn stroke(color: usize) -> &'static str {
    PALETTE[color % PALETTE.len()].0
}

/// The light tint of a workload (tile fill).
pub fn tint(color: usize) -> &'static str {
    PALETTE[color % PALETTE.len()].1
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [PodState; 9] = [
        PodState::Pending,
        PodState::Creating,
        PodState::Running,
        PodState::Ready,
        PodState::Terminating,
        PodState::CrashLoop,
        PodState::ImageError,
        PodState::Succeeded,
        PodState::Failed,
    ];

    #[test]
    fn every_state_has_its_own_class_name() {
        let mut names: Vec<_> = ALL.iter().map(|s| state_name(*s)).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn running_waiting_and_broken_pods_differ_in_shape_not_only_colour() {
        let ready = glyph(PodState::Ready);
        assert_ne!(ready, glyph(PodState::Pending));
        assert_ne!(ready, glyph(PodState::Creating));
        assert_ne!(ready, glyph(PodState::CrashLoop));
        assert_ne!(glyph(PodState::Pending), glyph(PodState::Failed));
        assert!(is_trouble(PodState::ImageError) && !is_trouble(PodState::Ready));
        assert!(is_transient(PodState::Pending) && !is_transient(PodState::Ready));
    }

    #[test]
    fn every_owner_kind_has_its_own_tag() {
        let kinds = [
            Some("Deployment"),
            Some("ReplicaSet"),
            Some("StatefulSet"),
            Some("DaemonSet"),
            Some("Job"),
            Some("Other"),
            None,
        ];
        let mut tags: Vec<_> = kinds.iter().map(|k| kind_tag(*k)).collect();
        assert_eq!(kind_tag(Some("DaemonSet")), "DS");
        tags.sort();
        tags.dedup();
        assert_eq!(tags.len(), kinds.len());
    }

    #[test]
    fn palette_wraps_around_and_has_no_red() {
        assert_eq!(stroke(0), stroke(PALETTE.len()));
        assert!(PALETTE
            .iter()
            .all(|(s, _)| !s.starts_with("#dc") && !s.starts_with("#ef")));
    }
}
