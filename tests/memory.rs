//! Memory stays flat over many runs: no Framework, handler or backend survives its run.

mod common;

use common::ctx;
use ops_scenario::{Event, State, StoredState};

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
