//! kubeplay's core: a deterministic simulation of the Kubernetes control plane.
//!
//! - [`store`]: the API objects (real `k8s-openapi` types) with uids, resourceVersions,
//!   generations, deletion and a watch log.
//! - [`sim`]: the [`World`]: simulated clock, work queue, seeded RNG; routes changes to
//!   controllers and applies what they return.
//! - [`controllers`]: Deployment, ReplicaSet, scheduler, kubelet, garbage collector; each a pure
//!   reconcile function.
//! - [`manifest`]: parsing, defaulting and validating YAML/JSON manifests, and applying them
//!   atomically.
//! - [`kubectl`]: the command language shared by the web console and the CLI, with kubectl's
//!   output formats.
//! - [`highlight`]: YAML syntax highlighting for the manifest editor; [`templates`]: the
//!   manifests it offers to start from, each tested to reach its steady state.
//! - [`dns`]: cluster DNS records, the pod search path and busybox's `nslookup`.
//! - [`view`]: plain rows for user interfaces; [`inspect`]: everything about one object, for
//!   the page's inspector.
//!
//! Architecture invariant: nothing here performs I/O or reads a clock; the same seed and the
//! same commands give the same cluster.

pub mod cluster;
pub mod controllers;
pub mod dns;
pub mod exec;
pub mod explain;
pub mod files;
pub mod highlight;
pub mod inspect;
pub mod kubectl;
pub mod labels;
pub mod lesson;
pub mod manifest;
pub mod markdown;
pub mod podutil;
pub mod quantity;
pub mod rng;
pub mod scenarios;
pub mod service_registry;
pub mod session;
pub mod share;
pub mod sim;
pub mod store;
pub mod templates;
pub mod time;
pub mod view;

pub use k8s_openapi;
pub use sim::World;
