//! Exploration's throughput against plain runs of the same charm (runs per second, criterion's
//! `thrpt`), in one sitting:
//!
//! - `explore/relation-copy`: `Explorer` on tests/charms/relation-copy, seed 1, 20 walks (each
//!   a drawn State, its start-up and up to six more events; the one finding it makes shrunk
//!   every time), timed per run it makes;
//! - `explore/replay`: the very runs that exploration makes (each State and event it ran,
//!   recorded once through an invariant that sees every run), run again with `Context::run`
//!   one after the other, timed per run: the plain-run throughput of the same work;
//! - `explore/run c-relation-copy`: the canonical case `c-relation-copy` over the same charm
//!   (`db-relation-changed`, leader, three remote units, the handler copying), a heavier run
//!   than exploration's average, for scale.
//!
//! The target is explore's runs/s at 80% or more of the replay's: what an exploration adds
//! (drawing States and steps, the consistency check, cloning the State between steps,
//! shrinking) should cost less than a quarter of a run. `cargo bench --bench explore`
//! (VIRTUAL_ENV defaults to the project's .venv).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ops_scenario::case::Case;
use ops_scenario::explore::Explorer;
use ops_scenario::{Charm, Context, Event, State};

fn explore_vs_run(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let ctx = Context::new(Charm::from_dir(root.join("tests/charms/relation-copy")).unwrap())
        .unwrap()
        .timeout(Duration::from_secs(10));
    let explorer = Explorer::new(&ctx).seed(1).walks(20);
    // The same seed and walks make the same runs each time: count them once.
    let runs = explorer.run().runs as u64;
    let mut group = c.benchmark_group("explore");
    group.sample_size(20);
    group.throughput(Throughput::Elements(runs));
    group.bench_function("relation-copy", |b| b.iter(|| explorer.run()));

    // Every run the exploration makes that ends (all of them on this charm), as it ran.
    let seen: Arc<Mutex<Vec<(State, Event)>>> = Arc::default();
    let record = Arc::clone(&seen);
    let recording =
        Explorer::new(&ctx)
            .seed(1)
            .walks(20)
            .invariant("record", move |state, event, _| {
                record.lock().unwrap().push((state.clone(), event.clone()));
                Ok(())
            });
    recording.run();
    let replay = std::mem::take(&mut *seen.lock().unwrap());
    assert!(
        replay.len() as u64 * 10 >= runs * 9,
        "{} of {runs} runs recorded",
        replay.len()
    );
    group.throughput(Throughput::Elements(replay.len() as u64));
    group.bench_function("replay", |b| {
        b.iter(|| {
            for (state, event) in &replay {
                ctx.run(event, state).unwrap();
            }
        })
    });

    let path = root.join("benches/cases/c-relation-copy.json");
    let case = Case::load(&path).unwrap();
    let prepared = case
        .prepare(path.parent().unwrap_or(Path::new(".")))
        .unwrap();
    assert!(prepared.run().unwrap().error.is_none());
    group.throughput(Throughput::Elements(1));
    group.bench_function("run c-relation-copy", |b| {
        b.iter(|| prepared.run().unwrap())
    });
    group.finish();
}

criterion_group!(benches, explore_vs_run);
criterion_main!(benches);
