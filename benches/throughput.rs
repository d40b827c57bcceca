//! Throughput of whole runs (µs per `Context::run`), for comparison with ops.testing
//! (benches/python/ops_testing_bench.py runs the same four cases through ops.testing 8.9).
//!
//! `cargo bench --bench throughput` (VIRTUAL_ENV defaults to the project's .venv).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use ops_scenario::{Charm, Context, DeferredEvent, Event, State, StoredState};

fn ctx(name: &str) -> Context {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/charms")
        .join(name);
    Context::new(Charm::from_dir(dir).unwrap()).unwrap()
}

fn runs(c: &mut Criterion) {
    let mut group = c.benchmark_group("run");
    group.sample_size(50);

    let null = ctx("null");
    let empty = State::default();
    group.bench_function("null_charm_start", |b| {
        b.iter(|| null.run(Event::start(), &empty).unwrap())
    });

    let status = ctx("status");
    let leader = State::default().leader(true);
    group.bench_function("status_charm_start_leader", |b| {
        b.iter(|| status.run(Event::start(), &leader).unwrap())
    });

    let stored = ctx("stored-config");
    let config = State::default().config([("port", 9000.into())]);
    group.bench_function("stored_config_config_changed", |b| {
        b.iter(|| stored.run(Event::config_changed(), &config).unwrap())
    });

    let deferring = ctx("deferring");
    let queued = State::default()
        .stored_states([
            StoredState::new("DeferringCharm").content([("ready", false), ("starts", false)])
        ])
        .deferred([DeferredEvent::new(
            "DeferringCharm/on/start[1]",
            "DeferringCharm",
            "_on_start",
        )]);
    group.bench_function("deferred_start_reemitted_on_update_status", |b| {
        b.iter(|| deferring.run(Event::update_status(), &queued).unwrap())
    });
    group.finish();
}

criterion_group!(benches, runs);
criterion_main!(benches);
