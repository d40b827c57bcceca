//! Which Python environment runs the charm: the venv given to the Context, else the one
//! `VIRTUAL_ENV` names, else the charm's own `.venv`, else its tox unit environment; every
//! error about Python says which was used and why. (The discovery cases, which need a process
//! without `VIRTUAL_ENV`, run the `scenario` CLI: cli/tests/python_env.rs.)

use std::path::PathBuf;

use ops_scenario::{Charm, Context, Error, Event, State};

/// The project's venv (with ops), which the charms below get as their own.
fn project_venv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv")
}

#[test]
fn a_context_may_name_the_venv_and_one_process_has_one() {
    let charm = || {
        Charm::from_source(
            "import ops\nclass C(ops.CharmBase):\n    pass\n",
            "name: c\n",
        )
        .unwrap()
    };
    // This process runs the project venv (VIRTUAL_ENV, set by .cargo/config.toml).
    let in_use = std::env::var("VIRTUAL_ENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| project_venv());
    let same = Context::new(charm()).unwrap().venv(&in_use);
    same.run(Event::start(), &State::default()).unwrap();
    let other = Context::new(charm()).unwrap().venv("/opt/another-venv");
    match other.run(Event::start(), &State::default()).unwrap_err() {
        Error::PythonEnvironment { message } => {
            assert!(message.contains(&in_use.display().to_string()), "{message}");
            assert!(
                message.contains("/opt/another-venv (given to the Context)"),
                "{message}"
            );
        }
        err => panic!("{err}"),
    }
}
