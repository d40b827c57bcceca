//! The engine's integration tests, one module per area, in one test binary: one link and one
//! interpreter start per `cargo test`, and every test shares that interpreter (taking turns at
//! the run lock) as a charm's own test suite does.
//!
//! Kept out, as binaries of their own: `memory.rs` (a release-build soak), `tracing.rs` (it
//! sets a tracer provider, once per process), `robustness.rs` (a hostile charm changes the
//! process, its working directory above all, while its hook runs) and `thousand_tests.rs` (a
//! charm suite's own binary of 1,000 tests), `same_process.rs` (ops.testing and Harness tests
//! between engine runs, with what the process looks like before any run). `snapshot_generated*.rs` are the CLI's generated
//! tests, compiled here from where the CLI's test compares them.

#[path = "../common/mod.rs"]
mod common;

mod actions;
mod architecture;
mod backend;
mod bad_input;
mod charm_root;
mod cloud;
mod config;
mod deferred;
mod delta;
mod early_exit;
mod events;
mod explore;
mod inspect;
mod isolation;
mod juju_versions;
mod layers;
mod loading;
mod networks;
mod pebble;
mod peers;
mod ports;
mod python_env;
mod python_values;
mod reads;
mod relations;
mod secrets;
mod sequences;
mod shim;
#[path = "../snapshot_generated.rs"]
mod snapshot_generated;
#[path = "../snapshot_generated_k8s.rs"]
mod snapshot_generated_k8s;
mod status;
mod storage;
mod stored_state;
mod subordinates;
mod timeout;
