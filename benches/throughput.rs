//! Throughput of whole runs (µs per `Context::run`), for comparison with ops.testing
//! (benches/python/ops_testing_bench.py runs the same six cases through ops.testing 8.9, and
//! benches/python/ops_floor_bench.py through ops' own dispatch with the cheapest in-memory
//! backend: the floor for any engine that runs real ops).
//!
//! `cargo bench --bench throughput` (VIRTUAL_ENV defaults to the project's .venv).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use ops_scenario::{
    Charm, Container, Context, DeferredEvent, Event, Relation, State, Status, StoredState,
};

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

    // The leader copies the remote application's data into its own app databag.
    let copy = ctx("relation-copy");
    let db = Relation::new("db")
        .id(1)
        .remote_app_name("postgresql")
        .remote_app_data([
            ("host", "10.0.0.1"),
            ("port", "5432"),
            ("database", "app"),
            ("user", "app"),
            ("password", "secret"),
        ])
        .remote_units([]);
    let db = (0..3).fold(db, |db, unit| {
        db.remote_unit_data(
            unit,
            [
                ("ingress-address", format!("10.0.0.{}", 10 + unit)),
                (
                    "role",
                    (if unit == 0 { "primary" } else { "replica" }).to_owned(),
                ),
                ("version", "16".to_owned()),
            ],
        )
    });
    let copy_state = State::default().leader(true).relations([db.clone()]);
    let copy_event = db.changed_event().remote_unit(1);
    let out = copy.run(&copy_event, &copy_state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("copied 5 keys from postgresql")
    );
    group.bench_function("relation_changed_leader_copies_3_units", |b| {
        b.iter(|| copy.run(&copy_event, &copy_state).unwrap())
    });

    // 20 relations x 10 remote units x 20 keys per bag; the handler reads every bag.
    let read_all = ctx("relation-read-all");
    let bag = |rel: u32, unit: String| {
        (0..20).map(move |i| (format!("k{i}"), format!("value-{rel}-{unit}-{i}")))
    };
    let relations: Vec<Relation> = (1..=20)
        .map(|rel| {
            (0..10).fold(
                Relation::new("upstream")
                    .id(rel)
                    .remote_app_name("web")
                    .remote_app_data(bag(rel, "app".into()))
                    .remote_units([]),
                |r, unit| r.remote_unit_data(unit, bag(rel, unit.to_string())),
            )
        })
        .collect();
    let big_event = relations[0].changed_event().remote_unit(0);
    let big_state = State::default().relations(relations);
    let out = read_all.run(&big_event, &big_state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("read 4400 keys in 220 bags")
    );
    group.bench_function("relation_changed_reads_20_relations_x_10_units", |b| {
        b.iter(|| read_all.run(&big_event, &big_state).unwrap())
    });

    // pebble-ready: push a config file, add a layer with a service, replan.
    let pebble = ctx("pebble-ready");
    let workload = Container::new("workload").can_connect(true);
    let ready_event = workload.pebble_ready_event();
    let ready_state = State::default().containers([workload]);
    let out = pebble.run(&ready_event, &ready_state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("app is active"));
    group.bench_function("pebble_ready_pushes_a_file_adds_a_layer_and_replans", |b| {
        b.iter(|| pebble.run(&ready_event, &ready_state).unwrap())
    });
    group.finish();
}

criterion_group!(benches, runs);
criterion_main!(benches);
