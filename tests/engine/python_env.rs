//! Which Python environment runs the charm: the venv given to the Context, else the one
//! `VIRTUAL_ENV` names, else the charm's own `.venv`, else its tox unit environment; every
//! error about Python says which was used and why. (The discovery cases, which need a process
//! without `VIRTUAL_ENV`, run the `scenario` CLI: cli/tests/python_env.rs.)

use std::path::{Path, PathBuf};

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
    // This process runs the project venv (VIRTUAL_ENV, set by .cargo/config.toml), started as
    // VIRTUAL_ENV names it whichever test comes first (run alone, this one would be first).
    ops_scenario::python::start_python().unwrap();
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

/// What the start-up says of a venv (the shim's `use_venv`, as the first run calls it):
/// `None` when the venv can be used. Called on a venv this process cannot use, it changes
/// nothing, so the running interpreter is untouched.
fn use_venv(venv: &Path, why: &str) -> Option<String> {
    let result = ops_scenario::python::__run_python_between_runs(&format!(
        "import _scenario_environment as e\nresult = e.use_venv({}, {}, {})",
        py_str(&venv.display().to_string()),
        py_str(why),
        py_str(env!("OPS_SCENARIO_BUILT_WITH")),
    ))
    .unwrap();
    (result != "None").then_some(result)
}

/// A Python string literal (JSON's is one, for these texts).
fn py_str(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// The embedded interpreter's minor (`3.11`) and its description in messages (`CPython 3.11.7
/// (/path/to/libpython3.11.so.1.0)`).
fn embedded() -> (String, String) {
    let said = ops_scenario::python::__run_python_between_runs(
        "import sys, _scenario_environment as e\n\
         result = f'{sys.version_info[0]}.{sys.version_info[1]} {e.embedded_python()}'",
    )
    .unwrap();
    let (minor, description) = said.split_once(' ').unwrap();
    (minor.to_owned(), description.to_owned())
}

/// A minor other than the embedded one: 3.13, or 3.12 on a build for 3.13.
fn other_minor(embedded: &str) -> &'static str {
    if embedded == "3.13" {
        "3.12"
    } else {
        "3.13"
    }
}

/// A venv as `python{minor} -m venv` lays it out (its pyvenv.cfg and its lib/python3.X), at
/// `dir`, with `bin/python` the given script, or none.
fn fake_venv(dir: &Path, minor: &str, python: Option<&str>) {
    std::fs::create_dir_all(dir.join("lib").join(format!("python{minor}/site-packages"))).unwrap();
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::write(
        dir.join("pyvenv.cfg"),
        format!(
            "home = /opt/python{minor}/bin\ninclude-system-site-packages = false\n\
             version = {minor}.0\nexecutable = /opt/python{minor}/bin/python{minor}\n"
        ),
    )
    .unwrap();
    if let Some(script) = python {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("bin/python");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The message with what differs between machines and builds replaced: the venv's folder, the
/// embedded interpreter and its minor, the interpreter the build is for, the other minor.
fn redacted(message: &str, dir: &Path, embedded: &(String, String), other: &str) -> String {
    redact_dir(message, dir)
        .replace(&embedded.1, "[EMBEDDED]")
        .replace(env!("OPS_SCENARIO_BUILT_WITH"), "[BUILT WITH]")
        .replace(other, "[VENV MINOR]")
        .replace(&embedded.0, "[MINOR]")
}

#[test]
fn a_venv_of_another_minor_names_both_pythons_and_the_fix() {
    let embedded = embedded();
    let other = other_minor(&embedded.0);
    let charm = tempfile::tempdir().unwrap();
    let venv = charm.path().join(".venv");
    fake_venv(&venv, other, None);
    let message = use_venv(&venv, "the charm's own .venv").expect("a venv it cannot use");
    for part in [
        format!("is Python {other} (its pyvenv.cfg: version = {other}.0)"),
        format!("this build of ops-scenario embeds {}", embedded.1),
        format!("built against: {}", env!("OPS_SCENARIO_BUILT_WITH")),
        format!("in {}", charm.path().join(".cargo/config.toml").display()),
        r#"PYO3_PYTHON = { value = ".venv/bin/python", relative = true }"#.to_owned(),
        format!("PYO3_PYTHON=\"{}/bin/python\" cargo test", venv.display()),
        format!("--root ~/.local/scenario-py{other}"),
        format!("uv venv --python {} \"{}\"", embedded.0, venv.display()),
    ] {
        assert!(message.contains(&part), "{part:?} not in:\n{message}");
    }
    insta::assert_snapshot!(
        "another_minor",
        redacted(&message, charm.path(), &embedded, other)
    );
}

#[test]
fn a_venv_whose_python_has_no_shared_libpython_says_how_to_get_one() {
    let embedded = embedded();
    let other = other_minor(&embedded.0);
    let dir = tempfile::tempdir().unwrap();
    // Not a charm's own venv: the config line names its python by its full path.
    let venv = dir.path().join("envs/unit");
    // The venv's python answers the probe as a static build does.
    fake_venv(
        &venv,
        other,
        Some(&format!(
            "#!/bin/sh\necho '{{\"version\": \"{other}.2\", \"base\": \"/opt/python{other}/bin/python{other}\", \
             \"shared\": false, \"library\": \"/opt/python{other}/lib/libpython{other}.a\"}}'\n"
        )),
    );
    let message = use_venv(&venv, "VIRTUAL_ENV is set").expect("a venv it cannot use");
    for part in [
        format!("(CPython {other}.2, /opt/python{other}/bin/python{other})"),
        format!("its Python has no shared libpython (/opt/python{other}/lib/libpython{other}.a"),
        format!("uv python install {other}"),
        "PYTHON_CONFIGURE_OPTS=--enable-shared".to_owned(),
        format!("libpython{other}-dev"),
        format!("PYO3_PYTHON = \"{}/bin/python\"", venv.display()),
    ] {
        assert!(message.contains(&part), "{part:?} not in:\n{message}");
    }
    insta::assert_snapshot!(
        "another_minor_without_a_shared_libpython",
        redacted(&message, dir.path(), &embedded, other)
    );
}

#[test]
fn a_venv_that_does_not_exist_or_lacks_this_minor_s_packages_says_so() {
    let (minor, _) = embedded();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let message = use_venv(&missing, "VIRTUAL_ENV is set").unwrap();
    assert!(message.starts_with(&format!(
        "the venv {} (VIRTUAL_ENV is set) does not exist",
        missing.display()
    )));
    assert!(
        message.contains(&format!(
            "fix: python{minor} -m venv \"{}\"",
            missing.display()
        )),
        "{message}"
    );
    // A venv that says nothing of its Python and has no site-packages for this one.
    let bare = dir.path().join("bare");
    std::fs::create_dir_all(bare.join("bin")).unwrap();
    let message = use_venv(&bare, "VIRTUAL_ENV is set").unwrap();
    assert!(
        message.contains(&format!("has no python{minor} site-packages")),
        "{message}"
    );
    assert!(
        message.contains(&format!("python{minor} -m venv --clear")),
        "{message}"
    );
}

#[test]
fn the_venv_in_use_is_read_as_of_the_embedded_minor() {
    let (minor, _) = embedded();
    let in_use = std::env::var("VIRTUAL_ENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| project_venv());
    let said = ops_scenario::python::__run_python_between_runs(&format!(
        "import _scenario_environment as e\nresult = e.venv_python({})[0]",
        py_str(&in_use.display().to_string())
    ))
    .unwrap();
    assert_eq!(said, minor);
}
