//! The page's entry point; everything else is in the library (`lib.rs`).

fn main() {
    kubeplay_web::start();
}
