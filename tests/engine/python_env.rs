//! Which Python environment runs the charm: the venv given to the Context, else the one
//! `VIRTUAL_ENV` names, else the charm's own `.venv`, else its tox unit environment; every
//! error about Python says which was used and why. (The discovery cases, which need a process
//! without `VIRTUAL_ENV`, run the `scenario` CLI: cli/tests/python_env.rs.)

use std::path::PathBuf;

use ops_scenario::{Error, Event, State};

use crate::common::{ctx_from_source, redact_dir};

/// The project's venv (with ops), which the charms below get as their own.
fn project_venv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv")
}

#[test]
fn a_context_may_name_the_venv_and_one_process_has_one() {
    let ctx = || {
        ctx_from_source(
            "import ops\nclass C(ops.CharmBase):\n    pass\n",
            "name: c\n",
        )
    };
    // This process runs the project venv (VIRTUAL_ENV, set by .cargo/config.toml).
    let in_use = std::env::var("VIRTUAL_ENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| project_venv());
    let same = ctx().venv(&in_use);
    same.run(Event::start(), &State::default()).unwrap();
    let other = ctx().venv("/opt/another-venv");
    let err = other.run(Event::start(), &State::default()).unwrap_err();
    assert!(matches!(err, Error::PythonEnvironment { .. }), "{err}");
    // The venv in use is the one VIRTUAL_ENV names: one of the project's three.
    insta::assert_snapshot!(
        "a_second_venv",
        redact_dir(&err.to_string(), &in_use).replace("[DIR]", "[VENV IN USE]")
    );
}
