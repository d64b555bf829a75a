//! One component per file, from the page down to a single pod.

pub mod add_node;
pub mod app;
pub mod claim_slot;
pub mod cluster_picture;
pub mod cluster_table;
pub mod console;
pub mod editor;
pub mod icon;
pub mod inspect_link;
pub mod inspector;
pub mod legend;
pub mod mount_links;
pub mod narration;
pub mod node_box;
pub mod node_menu;
pub mod pending_lane;
pub mod pod_glyph;
pub mod pod_tile;
pub mod storage_band;
pub mod time_controls;
pub mod timeline_bar;
pub mod volume_glyph;
pub mod volume_slot;
pub mod workload_actions;
pub mod workload_list;
