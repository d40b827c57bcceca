//! Runs are isolated: repeatable, thread-safe, no state leaking from one run into the next.

use std::sync::Arc;

use crate::common::{charm_logs, ctx, ctx_from_source, juju_env, redact_traceback};
use ops_scenario::{Error, Event, Inspect, State, Status, StoredValue};

#[test]
fn the_same_run_repeated_gives_the_same_output() {
    let ctx = ctx("stored-config");
    let state = State::default()
        .config([("port", 9000.into())])
        .leader(true);
    let first = ctx.run(Event::config_changed(), &state).unwrap();
    for _ in 0..5 {
        assert_eq!(ctx.run(Event::config_changed(), &state).unwrap(), first);
    }
}

#[test]
fn log_handlers_do_not_pile_up() {
    let ctx = ctx("status");
    let first = ctx.run(Event::install(), &State::default()).unwrap();
    for _ in 0..3 {
        let again = ctx.run(Event::install(), &State::default()).unwrap();
        assert_eq!(again.juju_log, first.juju_log);
    }
    assert_eq!(charm_logs(&first), ["INFO installed"]);
}

#[test]
fn concurrent_runs_match_sequential_runs() {
    let ctx = Arc::new(ctx("stored-config"));
    let case = |i: i64| {
        State::default().config([
            ("port", (1000 + i).into()),
            ("name", format!("n{i}").into()),
        ])
    };
    let sequential: Vec<_> = (0..40)
        .map(|i| ctx.run(Event::config_changed(), &case(i)).unwrap())
        .collect();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let ctx = Arc::clone(&ctx);
            std::thread::spawn(move || {
                (0..10)
                    .map(|k| {
                        let i = t * 10 + k;
                        (i, ctx.run(Event::config_changed(), &case(i)).unwrap())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for handle in handles {
        for (i, out) in handle.join().unwrap() {
            assert_eq!(out, sequential[i as usize], "run {i}");
            assert_eq!(
                out.state.unit_status,
                Status::active(format!("port={} ratio=0.5 debug=False name=n{i}", 1000 + i))
            );
        }
    }
}

#[test]
fn a_charm_exception_is_an_error_and_the_next_run_still_works() {
    let ctx = ctx("raising");
    let err = ctx.run(Event::start(), &State::default()).unwrap_err();
    let Error::CharmRaised {
        exc_type,
        message,
        traceback,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(exc_type, "KeyError");
    assert_eq!(message, "\"no such key: 'password'\"");
    // The traceback is Python's, its frames in ops differing between ops releases.
    assert!(
        traceback.starts_with("Traceback (most recent call last):"),
        "{traceback}"
    );
    assert!(traceback.contains("raising/src/charm.py"), "{traceback}");
    insta::assert_snapshot!("charm_raised", redact_traceback(&err.to_string()));

    let out = ctx.run(Event::update_status(), &State::default()).unwrap();
    assert_eq!(out.state.unit_status, Status::active("fine"));
    assert!(
        !out.juju_log.iter().any(|l| l.message == "starting"),
        "no log line leaks from the failed run"
    );
}

#[test]
fn the_traceback_shows_every_charm_frame() {
    let err = ctx("raising")
        .run(Event::stop(), &State::default())
        .unwrap_err();
    let Error::CharmRaised {
        exc_type,
        traceback,
        ..
    } = err
    else {
        panic!()
    };
    assert_eq!(exc_type, "RuntimeError");
    // Python's traceback: the charm's own frames, whatever ops adds around them.
    for frame in ["_on_stop", "_shutdown", "_check_stop_allowed", "_fail"] {
        assert!(
            traceback.contains(&format!("in {frame}")),
            "{frame} missing:\n{traceback}"
        );
    }
}

#[test]
fn juju_environment_is_set_during_a_run_and_restored_after() {
    let env_of = |ctx: &ops_scenario::Context| {
        juju_env(
            ctx,
            Event::start(),
            &State::default(),
            &["JUJU_UNIT_NAME", "JUJU_AVAILABILITY_ZONE"],
        )
    };
    let zoned = ctx("null").app_name("zoned").availability_zone("az-1");
    assert_eq!(
        env_of(&zoned),
        [Some("zoned/0".to_owned()), Some("az-1".to_owned())]
    );
    assert_eq!(env_of(&ctx("null")), [Some("null/0".to_owned()), None]);
}

#[test]
fn frameworks_do_not_leak_between_runs() {
    let ctx = ctx("status");
    for _ in 0..50 {
        ctx.run(Event::start(), &State::default()).unwrap();
    }
    let mut alive = None;
    ctx.run_inspected(
        Event::start(),
        &State::default(),
        Inspect::new().after(|charm| {
            alive = Some(charm.eval(
                "(__import__('gc').collect(), sum(isinstance(o, ops.Framework) for o in __import__('gc').get_objects()))[1]",
            )?);
            Ok(())
        }),
    )
    .unwrap();
    let Some(StoredValue::Int(n)) = alive else {
        panic!("{alive:?}")
    };
    assert!(n <= 2, "{n} Frameworks alive after 51 runs");
}

#[test]
fn a_reported_charm_exception_keeps_what_the_run_did_before_it() {
    let out = ctx("raising")
        .run_reporting_errors(Event::start(), &State::default())
        .unwrap();
    let error = out.error.as_ref().unwrap();
    assert_eq!(error.exc_type, "KeyError");
    assert!(error.traceback.contains("in _on_start"));
    assert_eq!(charm_logs(&out), ["INFO starting"]);
    assert_eq!(out.state.unit_status, Status::maintenance("about to fail"));
    assert_eq!(out.to_json()["state"], serde_json::Value::Null);
    // A run that does not raise is reported as usual.
    let out = ctx("raising")
        .run_reporting_errors(Event::update_status(), &State::default())
        .unwrap();
    assert!(out.error.is_none());
    assert_eq!(out.state.unit_status, Status::active("fine"));
}

#[test]
fn a_charm_that_reconfigures_logging_does_not_silence_later_runs() {
    let ctx = ctx("status");
    ctx.run_inspected(
        Event::install(),
        &State::default(),
        Inspect::new().after(|charm| {
            charm.exec(
                "import logging\nroot = logging.getLogger()\nroot.setLevel(logging.ERROR)\nroot.handlers.clear()",
            )
        }),
    )
    .unwrap();
    let out = ctx.run(Event::install(), &State::default()).unwrap();
    assert_eq!(charm_logs(&out), ["INFO installed"]);
    assert!(out
        .juju_log
        .iter()
        .any(|l| l.level == ops_scenario::LogLevel::Debug));
}

#[test]
fn a_charm_s_changes_to_os_environ_do_not_outlive_its_run() {
    let ctx = ctx_from_source(
        r#"
import os
import ops


class Meddler(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_start(self, event):
        os.environ["SCENARIO_TEST_LEAK"] = "1"
        os.environ.pop("PATH", None)

    def _on_update_status(self, event):
        seen = (os.environ.get("SCENARIO_TEST_LEAK"), "PATH" in os.environ)
        self.unit.status = ops.ActiveStatus(repr(seen))
"#,
        "name: meddler\n",
    );
    ctx.run(Event::start(), &State::default()).unwrap();
    let out = ctx.run(Event::update_status(), &State::default()).unwrap();
    assert_eq!(out.state.unit_status, Status::active("(None, True)"));
    // The process environment itself was never touched.
    assert!(std::env::var_os("SCENARIO_TEST_LEAK").is_none());
    assert!(std::env::var_os("PATH").is_some());
}

#[test]
fn other_threads_may_read_the_environment_while_charms_run() {
    // Runs never call setenv: a setenv racing a getenv in another thread crashes the process.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut reads = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::hint::black_box(std::env::var_os("JUJU_UNIT_NAME"));
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let ctx = ctx("status");
    for _ in 0..100 {
        ctx.run(Event::start(), &State::default().leader(true))
            .unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        assert!(reader.join().unwrap() > 0);
    }
}
