//! Throughput of whole runs (µs per run) of the seven canonical cases in `benches/cases/`,
//! each a case file over its own test charm:
//!
//! - a: null charm, `start`, empty State;
//! - b: `start` sets maintenance then active by leadership (leader);
//! - c: `db-relation-changed` with remote app data and three remote units, the leader copies
//!   the data into its app databag;
//! - d: `pebble-ready` pushes a config file, adds a layer with a service and replans;
//! - e: one deferred `update-status` that defers again, event `start`;
//! - f: a StoredState counter incremented on `config-changed` by an int option;
//! - g: 20 relations × 10 remote units × 20 keys per bag, `relation-changed` on one of them,
//!   the handler reads every bag.
//!
//! `cargo bench --bench throughput` (VIRTUAL_ENV defaults to the project's .venv). The same
//! case files run through `scenario bench`, and `benches/python/side_by_side.py` times them
//! against ops.testing and ops' own floor in one sitting.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use ops_scenario::case::Case;

/// The canonical cases and the unit status each must end in (checked before timing).
const CASES: &[(&str, &str)] = &[
    ("a-null-start", "unknown"),
    ("b-leader-status-start", "active: leader"),
    ("c-relation-copy", "active: copied 5 keys from postgresql"),
    ("d-pebble-ready", "active: app is active"),
    ("e-redefer", "active: started"),
    ("f-counter", "active: count=44"),
    ("g-read-all-relations", "active: read 4400 keys in 220 bags"),
];

fn runs(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/cases");
    let mut group = c.benchmark_group("run");
    group.sample_size(50);
    for (name, status) in CASES {
        let path = dir.join(format!("{name}.json"));
        let case = Case::load(&path).unwrap();
        let prepared = case
            .prepare(path.parent().unwrap_or(Path::new(".")))
            .unwrap();
        let out = prepared.run().unwrap();
        assert!(out.error.is_none(), "{name}: {:?}", out.error);
        assert_eq!(&out.state.unit_status.to_string(), status, "{name}");
        group.bench_function(*name, |b| b.iter(|| prepared.run().unwrap()));
    }
    group.finish();
}

criterion_group!(benches, runs);
criterion_main!(benches);
