//! Memory stays flat over many runs: no Framework, handler or backend survives its run.

mod common;

use common::{charm_logs, ctx};
use ops_scenario::case::Case;
use ops_scenario::{Context, Event, State, StoredState};

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Run the deferring charm `runs` times (its update-status re-defers every time, so each run
/// re-emits, defers and commits), feeding each output State into the next run; return the
/// RSS after the first 1,000 runs and after all of them.
fn soak(runs: usize) -> (u64, u64) {
    let ctx = ctx("deferring");
    let state = State::default()
        .config([("defer-update-status", true.into())])
        .stored_states([
            StoredState::new("DeferringCharm").content([("ready", false), ("starts", false)])
        ]);
    let mut current = ctx.run(Event::update_status(), &state).unwrap().state;
    let mut warm = 0;
    for i in 1..runs {
        // Keep the queue short: one re-deferred update-status at a time.
        current.deferred.truncate(1);
        current = ctx.run(Event::update_status(), &current).unwrap().state;
        if i == 1_000 {
            warm = rss_kib();
        }
    }
    (warm, rss_kib())
}

fn assert_flat(runs: usize) {
    let (warm, after) = soak(runs);
    let growth = after.saturating_sub(warm);
    eprintln!("RSS after 1,000 runs: {warm} KiB; after {runs}: {after} KiB");
    assert!(
        growth < 8 * 1024,
        "RSS grew {growth} KiB from run 1,000 to run {runs} ({warm} -> {after} KiB)"
    );
}

/// The soak: 100,000 runs in one process. Debug builds are too slow for it; scripts/test.sh
/// runs it in a release build (`cargo test --release --test memory`).
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "a release-build soak: cargo test --release --test memory"
)]
fn memory_is_flat_over_100000_runs() {
    assert_flat(100_000);
}

/// The same, shorter, for debug builds.
#[test]
#[cfg(debug_assertions)]
fn memory_is_flat_over_10000_runs() {
    assert_flat(10_000);
}

/// Unit status of the gc-probe charm after `update-status`: `unreachable=<n>`, the objects
/// Python's cyclic collector found unreachable, that is, what earlier runs left behind.
fn probe(probe: &Context) -> (String, Vec<String>) {
    let out = probe
        .run(Event::update_status(), &State::default())
        .unwrap();
    (out.state.unit_status.to_string(), charm_logs(&out))
}

/// Runs end with nothing left for the cyclic garbage collector: ops' Framework and its own
/// StoredStateData refer to each other, and unless the engine breaks that cycle after a run,
/// every run's Framework, Model, backend and store stay in memory until the collector walks
/// them (about 5% of a small run's cost). Checked over the canonical bench cases (lifecycle,
/// leadership, relations, Pebble, deferral, stored state) and charm exceptions.
#[test]
fn runs_leave_no_reference_cycles() {
    let probe_ctx = ctx("gc-probe");
    probe(&probe_ctx); // the probe's own first run
    assert_eq!(probe(&probe_ctx).0, "active: unreachable=0");
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/cases");
    let mut names: Vec<_> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "{names:?}");
    for path in names {
        let case = Case::load(&path).unwrap();
        let prepared = case.prepare(&cases).unwrap();
        prepared.run().unwrap();
        // Classes always refer to themselves: the Context dropped before this one left its
        // charm's classes to the collector. The probe clears them.
        probe(&probe_ctx);
        for _ in 0..3 {
            let out = prepared.run().unwrap();
            assert!(out.error.is_none(), "{}: {:?}", path.display(), out.error);
        }
        let (status, logs) = probe(&probe_ctx);
        assert_eq!(
            status,
            "active: unreachable=0",
            "after {}: {logs:?}",
            path.display()
        );
    }
    let hostile = ctx("hostile");
    hostile
        .run(Event::update_status(), &State::default())
        .unwrap();
    probe(&probe_ctx); // the last case's classes
    for what in [
        "raise",
        "init-raise",
        "collect-status-raise",
        "exit-3",
        "recursion",
    ] {
        let state = State::default().config([("misbehave", what.into())]);
        hostile.run(Event::config_changed(), &state).unwrap_err();
        let (status, logs) = probe(&probe_ctx);
        assert_eq!(status, "active: unreachable=0", "after {what}: {logs:?}");
    }
}
