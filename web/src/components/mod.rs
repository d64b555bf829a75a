//! One component per file, from the page down to a single pod.

pub mod app;
pub mod cluster_picture;
pub mod console;
pub mod editor;
pub mod icon;
pub mod legend;
pub mod node_box;
pub mod pending_lane;
pub mod pod_glyph;
pub mod pod_tile;
pub mod time_controls;
pub mod workload_list;
