//! Hostile charms: every way a charm can misbehave gives a clear error or the right output,
//! and the next run, of the same charm or another, is unaffected. Also: a hostile charm's
//! threads, and many threads running mixed cases at once.
//!
//! Its own test binary: the hostile charm changes the process while its hook runs (`os.chdir`
//! most of all, which moves the working directory of every thread), and a thread it starts
//! outlives the hook; the engine undoes it all after the run, but tests running beside it in
//! the same process would see it in between.

mod common;

use std::sync::Arc;

use common::{charm_logs, ctx, raised};
use ops_scenario::{Context, Error, Event, State, Status};

fn misbehaving(what: &str) -> State {
    State::default().config([("misbehave", what.into())])
}

/// What a well-behaved run of the hostile charm reports of the process.
fn report(ctx: &Context) -> Vec<String> {
    charm_logs(&ctx.run(Event::update_status(), &State::default()).unwrap())
}

/// The report of an undisturbed process: taken before any misbehaviour.
fn clean_report() -> Vec<String> {
    static CLEAN: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CLEAN.get_or_init(|| report(&ctx("hostile"))).clone()
}

/// Run the misbehaviour, then check that this charm and another run as before.
fn then_all_is_well(ctx: &Context) {
    assert_eq!(report(ctx), clean_report());
    let other = common::ctx("pebble-ready");
    let web = ops_scenario::Container::new("workload").can_connect(true);
    let out = other
        .run(
            web.pebble_ready_event(),
            &State::default().containers([web]),
        )
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("app is active"));
}

#[test]
fn exceptions_anywhere_are_errors_with_their_type() {
    let clean = clean_report();
    let ctx = ctx("hostile");
    for (what, exc_type, message) in [
        ("raise", "RuntimeError", "handler failed"),
        ("init-raise", "ValueError", "refusing to be built"),
        (
            "collect-status-raise",
            "LookupError",
            "no status to collect",
        ),
        ("keyboard-interrupt", "KeyboardInterrupt", ""),
        ("exit-1", "SystemExit", "1"),
        ("exit-3", "SystemExit", "3"),
        ("exit-bye", "SystemExit", "bye"),
    ] {
        let err = ctx
            .run(Event::config_changed(), &misbehaving(what))
            .unwrap_err();
        assert_eq!(raised(err), (exc_type.into(), message.into()), "{what}");
        assert_eq!(report(&ctx), clean, "after {what}");
    }
    then_all_is_well(&ctx);
}

#[test]
fn endless_recursion_is_a_recursion_error() {
    let ctx = ctx("hostile");
    let err = ctx
        .run(Event::config_changed(), &misbehaving("recursion"))
        .unwrap_err();
    let Error::CharmRaised {
        exc_type,
        traceback,
        ..
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(exc_type, "RecursionError");
    // Python's traceback, which Python shortens differently from one release to the next.
    assert!(traceback.contains("_recurse"), "{traceback}");
    then_all_is_well(&ctx);
}

#[test]
fn exit_0_is_a_successful_hook() {
    let ctx = ctx("hostile");
    let out = ctx
        .run(Event::config_changed(), &misbehaving("exit-0"))
        .unwrap();
    assert!(out.error.is_none());
    then_all_is_well(&ctx);
}

#[test]
fn process_changes_are_undone_after_the_run() {
    let ctx = ctx("hostile");
    for what in ["environ", "sys-path", "cwd", "logging", "sys-modules"] {
        let out = ctx
            .run(Event::config_changed(), &misbehaving(what))
            .unwrap();
        // A charm that removes the log handlers silences the rest of its own run.
        let logged = charm_logs(&out).contains(&format!("INFO misbehaved: {what}"));
        assert_eq!(logged, what != "logging", "{what}: {:?}", charm_logs(&out));
        then_all_is_well(&ctx);
    }
}

#[test]
fn a_charm_that_defers_everything_keeps_a_growing_queue() {
    let ctx = ctx("hostile");
    let mut state = misbehaving("defer-all");
    for (i, event) in [
        Event::start(),
        Event::config_changed(),
        Event::update_status(),
    ]
    .into_iter()
    .enumerate()
    {
        let out = ctx.run(&event, &state).unwrap();
        assert_eq!(out.state.deferred.len(), i + 1, "after {}", event.name);
        state = out.state;
    }
    let names: Vec<&str> = state.deferred.iter().map(|d| d.name()).collect();
    assert_eq!(names, ["start", "config_changed", "update_status"]);
    then_all_is_well(&ctx);
}

#[test]
fn a_thread_that_outlives_its_hook_changes_nothing() {
    let ctx = ctx("hostile");
    let out = ctx
        .run(Event::config_changed(), &misbehaving("thread"))
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("misbehave=thread"));
    // The thread wakes up after the hook and finds the run over.
    std::thread::sleep(std::time::Duration::from_millis(400));
    let out = ctx.run(Event::update_status(), &State::default()).unwrap();
    assert_eq!(out.state.unit_status, Status::active("misbehave=nothing"));
    assert!(out
        .unit_status_history
        .iter()
        .all(|s| s.message() != "too late"));
    then_all_is_well(&ctx);
}

/// 8 threads × 1,000 runs over mixed cases (statuses, relations, Pebble, stored state,
/// deferral, secrets) give exactly the sequential outputs.
#[test]
fn eight_threads_of_mixed_runs_match_the_sequential_runs() {
    let cases: Vec<(Arc<Context>, Event, State)> = {
        let bench = |name: &str| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("benches/cases")
                .join(format!("{name}.json"));
            let case = ops_scenario::case::Case::load(&path).unwrap();
            let charm_dir = path.parent().unwrap().join(&case.charm);
            let ctx = Context::with_options(
                ops_scenario::Charm::from_dir(charm_dir).unwrap(),
                case.context.clone(),
            )
            .unwrap();
            (Arc::new(ctx), case.event, case.state)
        };
        [
            "a-null-start",
            "b-leader-status-start",
            "c-relation-copy",
            "d-pebble-ready",
            "e-redefer",
            "f-counter",
        ]
        .into_iter()
        .map(bench)
        .collect()
    };
    let sequential: Vec<_> = cases
        .iter()
        .map(|(ctx, event, state)| ctx.run(event, state).unwrap())
        .collect();
    let cases = Arc::new(cases);
    let sequential = Arc::new(sequential);
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let (cases, sequential) = (Arc::clone(&cases), Arc::clone(&sequential));
            std::thread::spawn(move || {
                for i in 0..1000 {
                    let k = (t * 7 + i) % cases.len();
                    let (ctx, event, state) = &cases[k];
                    let out = ctx.run(event, state).unwrap();
                    assert_eq!(out, sequential[k], "thread {t} run {i} case {k}");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

#[test]
fn a_panic_during_a_run_is_an_error_and_the_next_run_works() {
    let ctx = ctx("hostile");
    let err = ctx
        .run_inspected(
            Event::update_status(),
            &State::default(),
            ops_scenario::Inspect::new().before(|_| panic!("boom in a closure")),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Runtime { .. }), "{err}");
    insta::assert_snapshot!("panic_in_a_closure", err);
    then_all_is_well(&ctx);
}
