//! A run's time limit (`Context::timeout`): a charm stuck in a pure-Python loop, a sleep, a
//! socket, `select` or a lock is interrupted after the limit with an error naming its handler,
//! from any thread (cargo test's threads are not Python's main thread); the process is left as
//! before, and the runs after it are those of a fresh process. The charm is
//! tests/charms/hanging.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use ops_scenario::{Context, Error, Event, Output, Rule, State, Status};

use crate::common::ctx;

const LIMIT: Duration = Duration::from_millis(300);

/// These tests take turns: a run waits for the process's run lock, and another of them holds
/// it for its whole limit, which would count in the time a run is seen to take.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

fn hanging(mode: &str) -> State {
    State::default().config([("mode", mode.into())])
}

fn timed_ctx() -> Context {
    ctx("hanging").timeout(LIMIT)
}

/// Run `mode`, expecting the limit to interrupt it within two seconds of passing (on
/// CPython 3.13 a pure-Python loop off the main thread stops by the asynchronous exception,
/// half a second after the signal, and a loaded CI machine adds its own delay); the error.
fn interrupted(ctx: &Context, mode: &str) -> (Duration, String, String) {
    let started = Instant::now();
    let err = ctx.run(Event::start(), &hanging(mode)).unwrap_err();
    let took = started.elapsed();
    let Error::Timeout {
        limit,
        handler,
        traceback,
    } = &err
    else {
        panic!("{mode}: not a timeout: {err}");
    };
    assert_eq!(*limit, LIMIT, "{mode}");
    assert!(
        took >= LIMIT && took < LIMIT + Duration::from_secs(2),
        "{mode}: took {took:?}"
    );
    (took, handler.clone(), traceback.clone())
}

/// The Python state a run must leave as it found it: the timeout signal's handler, SIGINT's,
/// `sys.breakpointhook`, which thread is Python's main one.
fn process_now() -> String {
    ops_scenario::python::__run_python_between_runs(
        "import signal, sys, threading\n\
         result = (signal.getsignal(signal.SIGRTMAX - 3), signal.getsignal(signal.SIGINT),\n\
         \x20   sys.breakpointhook is sys.__breakpointhook__, threading.main_thread().ident)",
    )
    .unwrap()
}

#[test]
fn every_kind_of_hang_is_interrupted_in_its_handler() {
    let _turn = one_at_a_time();
    let ctx = timed_ctx();
    let before = process_now();
    // On CPython 3.13 a signal sets the eval breaker of the main thread's own thread state,
    // so a pure-Python loop on another thread (a test thread here) does not see it; the
    // asynchronous RunTimeout the watchdog raises half a second later does.
    for (mode, line) in [
        ("loop", "charm.py"),
        ("sleep", "time.sleep(3600)"),
        ("recv", "quiet.recv(1)"),
        ("accept", "listener.accept()"),
        ("select", "select.select([], [], [], 3600)"),
        ("lock", "lock.acquire()"),
    ] {
        let (_, handler, traceback) = interrupted(&ctx, mode);
        // The handler, and the innermost frame (the charm's, or the stdlib's it called).
        assert!(
            handler.starts_with("HangingCharm._on_start (") && handler.contains(", at "),
            "{mode}: {handler}"
        );
        assert!(
            traceback.contains(&format!("in _{mode}\n")) && traceback.contains(line),
            "{mode}: {traceback}"
        );
        assert!(traceback.contains("RunTimeout"), "{mode}: {traceback}");
        assert_eq!(process_now(), before, "{mode}");
    }
}

#[test]
fn the_engine_s_own_frames_are_never_where_a_charm_was() {
    let _turn = one_at_a_time();
    // The charm sleeps in code named as the shim's files are (`py_shim/...`): where the run
    // was is the charm's frame that called it. An asynchronous interruption can land in the
    // shim's signal handler; its frames are skipped the same way.
    let (_, handler, _) = interrupted(&timed_ctx(), "shim_named");
    assert!(
        handler.starts_with("HangingCharm._on_start (")
            && handler.contains(", at HangingCharm._shim_named (")
            && !handler.contains("py_shim/"),
        "{handler}"
    );
}

#[test]
fn a_charm_that_swallows_the_interrupt_is_interrupted_again() {
    let _turn = one_at_a_time();
    let ctx = timed_ctx();
    let started = Instant::now();
    let err = ctx.run(Event::start(), &hanging("swallow")).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    // Once at the limit, again half a second later.
    assert!(started.elapsed() < LIMIT + Duration::from_secs(2));
}

#[test]
fn runs_on_another_thread_are_interrupted_too() {
    let _turn = one_at_a_time();
    let ctx = timed_ctx();
    std::thread::scope(|s| {
        // A nap, not a sleep: were the limit not armed on this thread, the test would fail
        // instead of hanging.
        s.spawn(|| interrupted(&ctx, "nap")).join().unwrap();
    });
}

#[test]
fn the_error_says_where_and_after_how_long() {
    let _turn = one_at_a_time();
    let err = timed_ctx()
        .run(Event::start(), &hanging("sleep"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "the run was interrupted after its timeout of 0.3s, in HangingCharm._on_start ("
        ),
        "{err}"
    );
}

#[test]
fn the_runs_after_a_timeout_are_those_of_a_fresh_process() {
    let _turn = one_at_a_time();
    let ctx = timed_ctx();
    let fresh: Output = ctx.run(Event::start(), &hanging("ok")).unwrap();
    assert_eq!(fresh.state.unit_status, Status::active("ok"));
    for mode in ["sleep", "select", "recv"] {
        interrupted(&ctx, mode);
    }
    for _ in 0..1000 {
        assert_eq!(ctx.run(Event::start(), &hanging("ok")).unwrap(), fresh);
    }
}

#[test]
fn a_timed_out_run_is_reported_with_what_it_did() {
    let _turn = one_at_a_time();
    let out = timed_ctx()
        .run_reporting_errors(Event::start(), &hanging("sleep"))
        .unwrap();
    let error = out.error.expect("reported");
    assert_eq!(error.exc_type, "Timeout");
    assert!(
        error.message.contains("HangingCharm._on_start"),
        "{}",
        error.message
    );
    assert!(error.traceback.contains("time.sleep(3600)"));
    assert_eq!(out.state.unit_status, Status::maintenance("about to sleep"));
}

#[test]
fn a_trace_function_left_on_the_thread_does_not_stall_the_runs_after_a_timeout() {
    let _one = one_at_a_time();
    // Clearing a pending asynchronous exception with PyThreadState_SetAsyncExc(NULL) left
    // CPython 3.11's eval breaker signalled, and under a trace function (the charm leaves one
    // on its thread, as `coverage` would) the thread's next Python call spun for ever. Both
    // runs on one thread of their own, so that a stall fails the test instead of hanging it.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ctx = timed_ctx();
        interrupted(&ctx, "traced_sleep");
        let out = ctx.run(Event::start(), &hanging("ok"));
        let _ = done.send(out.map(|o| o.state.unit_status));
    });
    let status = finished
        .recv_timeout(LIMIT + Duration::from_secs(20))
        .expect("the run after the timeout finished")
        .unwrap();
    assert_eq!(status, ops_scenario::Status::active("ok"));
}

#[test]
fn a_minute_by_default_and_none_on_request() {
    let _turn = one_at_a_time();
    assert_eq!(
        ctx("hanging").options().timeout,
        Some(Duration::from_secs(60))
    );
    assert_eq!(ctx("hanging").no_timeout().options().timeout, None);
    assert_eq!(
        ctx("hanging").timeout(Duration::ZERO).options().timeout,
        None
    );
    let out = ctx("hanging")
        .no_timeout()
        .run(Event::start(), &hanging("ok"))
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("ok"));
    // A limit beyond the clock's reach is no limit, not a panic.
    let out = ctx("hanging")
        .timeout(Duration::MAX)
        .run(Event::start(), &hanging("ok"))
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("ok"));
}

#[test]
fn a_thread_left_running_is_a_warning() {
    let _turn = one_at_a_time();
    let out = ctx("hanging")
        .run(Event::start(), &hanging("thread"))
        .unwrap();
    let left: Vec<_> = out
        .warnings
        .iter()
        .filter(|w| w.rule == Rule::RunThreadLeft)
        .collect();
    assert_eq!(left.len(), 1, "{:?}", out.warnings);
    assert!(
        left[0].message.contains("'charm-worker'"),
        "{}",
        left[0].message
    );
    // A run that leaves none has no such warning.
    let out = ctx("hanging").run(Event::start(), &hanging("ok")).unwrap();
    assert!(out.warnings.iter().all(|w| w.rule != Rule::RunThreadLeft));
}
