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

#[test]
fn memory_is_flat_over_20000_runs() {
    let ctx = ctx("deferring");
    let state = State::default()
        .config([("defer-update-status", true.into())])
        .stored_states([
            StoredState::new("DeferringCharm").content([("ready", false), ("starts", false)])
        ]);
    let mut current = ctx.run(Event::update_status(), &state).unwrap().state;
    for _ in 0..2_000 {
        // Keep the queue short: one re-deferred update-status at a time.
        current.deferred.truncate(1);
        current = ctx.run(Event::update_status(), &current).unwrap().state;
    }
    let warm = rss_kib();
    for _ in 0..18_000 {
        current.deferred.truncate(1);
        current = ctx.run(Event::update_status(), &current).unwrap().state;
    }
    let after = rss_kib();
    let growth = after.saturating_sub(warm);
    eprintln!("RSS after 2,000 runs: {warm} KiB; after 20,000: {after} KiB");
    assert!(
        growth < 8 * 1024,
        "RSS grew {growth} KiB over 18,000 runs ({warm} -> {after} KiB)"
    );
}
