//! Workload containers through Pebble: the sidecar charm's containers, `exec`, the
//! filesystem, and the plan's services and checks.

mod containers;
mod exec;
mod files;
mod services;
