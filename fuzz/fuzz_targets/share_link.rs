//! libFuzzer entry point; the body and what it checks: `kubeplay_tests::fuzz::share_link`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubeplay_tests::fuzz::share_link(data));
