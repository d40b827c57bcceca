//! The engine shares its process with other tests: an ops.testing (Scenario) test and a Harness
//! test run between engine runs behave exactly as in a fresh process, and between runs ops and
//! the process are as the host left them (ops' module attributes, the root logger, os
//! functions, the environment, sys.path, the working directory): every patch a run installs
//! is removed after it, also after a charm that raises, exits or misbehaves, and after an
//! Inspect closure that panics. One test: its steps must not interleave.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ctx, ops_version};
use ops_scenario::{Error, Event, Inspect, State, Status, StoredValue};

/// Runs a tiny charm under Harness and under ops.testing; reports what they saw, as JSON.
fn probe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/same_process/probe.py")
}

/// Snapshots of ops and of the process, compared by identity.
const SNAPSHOT: &str = include_str!("fixtures/same_process/snapshot.py");

fn between_runs(statements: &str) -> String {
    ops_scenario::python::__run_python_between_runs(statements)
        .unwrap_or_else(|e| panic!("Python between runs failed: {e}"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The probe in a fresh process of the same venv.
fn probe_in_a_fresh_process() -> serde_json::Value {
    let venv =
        std::env::var("VIRTUAL_ENV").expect("VIRTUAL_ENV names the venv (.cargo/config.toml)");
    let out = Command::new(Path::new(&venv).join("bin").join("python"))
        .arg(probe_path())
        .output()
        .expect("the venv's python runs");
    assert!(
        out.status.success(),
        "the probe failed in a fresh process:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&String::from_utf8_lossy(&out.stdout))
}

/// Load the probe as a module (as the fresh process runs it as a file: Harness looks for the
/// charm's files beside the charm's module) and evaluate `expression` on it, as JSON.
fn probe_here(expression: &str) -> serde_json::Value {
    json(&between_runs(&format!(
        "import importlib.util, json, sys\n\
         spec = importlib.util.spec_from_file_location('same_process_probe', {path:?})\n\
         probe = importlib.util.module_from_spec(spec)\n\
         sys.modules['same_process_probe'] = probe\n\
         spec.loader.exec_module(probe)\n\
         result = json.dumps(probe.{expression}, sort_keys=True)",
        path = probe_path().display().to_string(),
    )))
}

fn take_snapshot(name: &str) {
    between_runs(&format!("{SNAPSHOT}\ntake({name:?})"));
}

fn differences(before: &str, after: &str) -> Vec<String> {
    let found = between_runs(&format!(
        "{SNAPSHOT}\nimport json\nresult = json.dumps(differences({before:?}, {after:?}))"
    ));
    let found: Vec<String> = serde_json::from_str(&found).unwrap();
    found
        .into_iter()
        .filter(|line| !otel_sdk_first_use(line))
        .collect()
}

/// What opentelemetry's SDK keeps once it is first used in a process, whoever uses it (with
/// ops[tracing] installed a run does, as an ops.testing run does): its Resource's service
/// instance id, and the warning filter `TracerProvider.get_tracer` adds (with the module's
/// warning registry). Not a patch of the run's: a process that used the SDK keeps them.
fn otel_sdk_first_use(line: &str) -> bool {
    const FILTER: &str = "('ignore', re.compile('You should use InstrumentationScope. Deprecated \
                          since version 1.11.1.', re.IGNORECASE), <class 'DeprecationWarning'>, \
                          re.compile('opentelemetry.sdk.trace'), 0), ";
    if let Some(change) = line.strip_prefix("warnings.filters: ") {
        return change
            .split_once(" became ")
            .is_some_and(|(before, after)| after.replacen(FILTER, "", 1) == before);
    }
    [
        "opentelemetry.sdk.resources._service_instance_id: None became ",
        "opentelemetry.sdk.resources._service_instance_id_pid: None became ",
        "opentelemetry.sdk.trace.__warningregistry__ was added",
    ]
    .iter()
    .any(|memo| line.starts_with(memo))
}

/// Engine runs that install every patch, and charms that misbehave in every way that could
/// keep one from being removed.
fn engine_runs() {
    let out = ctx("counter")
        .run(Event::start(), &State::default())
        .unwrap();
    assert!(
        out.state
            .stored_states
            .iter()
            .any(|s| s.owner_path.as_deref() == Some("CounterCharm")),
        "{out:?}"
    );

    let hostile = ctx("hostile");
    for (what, fails) in [
        ("raise", true),
        ("init-raise", true),
        ("collect-status-raise", true),
        ("exit-0", false),
        ("exit-1", true),
        ("keyboard-interrupt", true),
        ("environ", false),
        ("sys-path", false),
        ("cwd", false),
        ("logging", false),
    ] {
        let state = State::default().config([("misbehave", what.into())]);
        let outcome = hostile.run(Event::config_changed(), &state);
        assert_eq!(outcome.is_err(), fails, "{what}: {outcome:?}");
    }

    // ops.hookcmds.secret_ids answered by the run (ops 3.4 and later have it).
    if ops_version() >= (3, 4) {
        let mut ids = None;
        ctx("secret-owner")
            .run_inspected(
                Event::update_status(),
                &State::default(),
                Inspect::new().before(|charm| {
                    ids = Some(charm.eval("ops.hookcmds.secret_ids()")?);
                    Ok(())
                }),
            )
            .unwrap();
        assert_eq!(ids, Some(StoredValue::List(vec![])));
    }

    // The engine still runs charms as before.
    let out = ctx("status")
        .run(Event::install(), &State::default())
        .unwrap();
    assert_eq!(common::charm_logs(&out), ["INFO installed"]);
    let err = ctx("raising")
        .run(Event::start(), &State::default())
        .unwrap_err();
    assert!(matches!(err, Error::CharmRaised { .. }), "{err}");
    let out = ctx("raising")
        .run(Event::update_status(), &State::default())
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("fine"));

    // Last (no run after it to tidy up): a test's Inspect closure that panics mid-run, after
    // the charm logged a security event (ops 3 caches where those go: the run's log handler).
    let err = ctx("null")
        .run_inspected(
            Event::start(),
            &State::default(),
            Inspect::new().before(|charm| {
                let refused = charm.exec("self.app.status = ops.ActiveStatus()");
                assert!(refused.unwrap_err().to_string().contains("non-leader"));
                panic!("a test's closure panics mid-run")
            }),
        )
        .unwrap_err();
    assert!(err.to_string().contains("the run panicked"), "{err}");
}

/// The venvs made from this repository's requirements files, which pin ops.testing
/// (ops-scenario); scripts/ops-versions.sh makes others, with ops alone.
const VENVS_WITH_OPS_TESTING: [&str; 3] = [".venv", ".venv-ops2", ".venv-ops-oldest"];

#[test]
fn ops_testing_and_harness_tests_between_engine_runs_see_plain_ops() {
    let fresh = probe_in_a_fresh_process();
    let venv = std::env::var("VIRTUAL_ENV").unwrap();
    let venv_name = Path::new(&venv).file_name().unwrap().to_string_lossy();
    if VENVS_WITH_OPS_TESTING.contains(&venv_name.as_ref()) {
        assert!(fresh["scenario"].is_object(), "{}", fresh["scenario"]);
    }

    // Before any run: the engine is loaded, and ops is as a fresh process has it.
    ops_scenario::python::start_python().unwrap();
    take_snapshot("start");
    assert_eq!(probe_here("ops_attributes()"), fresh["ops attributes"]);

    // Runs leave nothing behind.
    engine_runs();
    take_snapshot("after runs");
    assert_eq!(differences("start", "after runs"), Vec::<String>::new());
    assert_eq!(probe_here("ops_attributes()"), fresh["ops attributes"]);

    // A Harness test and an ops.testing test see what they see in a fresh process.
    assert_eq!(probe_here("observe()"), fresh);

    // What those tests left in the process (ops.testing sets the root logger's level, say) is
    // the host's own state now: runs keep that too, and still work.
    take_snapshot("after tests");
    engine_runs();
    take_snapshot("end");
    assert_eq!(differences("after tests", "end"), Vec::<String>::new());
}
