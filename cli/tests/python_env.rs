//! Which Python environment runs the charm when nothing names one: the charm's own `.venv`,
//! else its tox unit environment; the error says where it looked. Each case runs the
//! `scenario` CLI as a child process without `VIRTUAL_ENV`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project's venv (with ops), which the charms below get as their own.
fn project_venv() -> PathBuf {
    common::manifest_dir().join(".venv")
}

/// A charm that reports the venv its Python runs from.
fn charm_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/charm.py"),
        "import sys\nimport ops\n\n\
         class Where(ops.CharmBase):\n\
         \x20   def __init__(self, framework):\n\
         \x20       super().__init__(framework)\n\
         \x20       framework.observe(self.on.start, self._on_start)\n\n\
         \x20   def _on_start(self, event):\n\
         \x20       self.unit.status = ops.ActiveStatus(sys.prefix)\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("charmcraft.yaml"), "name: where\n").unwrap();
    dir
}

/// `scenario run --charm DIR --event start` without VIRTUAL_ENV: exit code, stdout, stderr.
fn run_without_virtual_env(charm: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scenario"))
        .args(["run", "--charm"])
        .arg(charm)
        .args(["--event", "start"])
        .env_remove("VIRTUAL_ENV")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn prefix_reported(stdout: &str) -> String {
    let output: serde_json::Value = serde_json::from_str(stdout).unwrap();
    output["state"]["unit_status"]["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_charm_s_own_venv_is_found() {
    let charm = charm_dir();
    std::os::unix::fs::symlink(project_venv(), charm.path().join(".venv")).unwrap();
    let (code, stdout, stderr) = run_without_virtual_env(charm.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        prefix_reported(&stdout),
        charm.path().join(".venv").display().to_string()
    );
}

#[test]
fn the_charm_s_tox_unit_environment_comes_next() {
    let charm = charm_dir();
    std::fs::create_dir(charm.path().join(".tox")).unwrap();
    std::os::unix::fs::symlink(project_venv(), charm.path().join(".tox/unit")).unwrap();
    let (code, stdout, stderr) = run_without_virtual_env(charm.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        prefix_reported(&stdout),
        charm.path().join(".tox/unit").display().to_string()
    );
}

#[test]
fn without_any_venv_the_error_says_where_it_looked() {
    let charm = charm_dir();
    let (code, _, stderr) = run_without_virtual_env(charm.path());
    if code == Some(0) {
        return; // the interpreter's own site-packages has ops: nothing to report
    }
    assert_eq!(code, Some(2), "{stderr}");
    insta::assert_snapshot!(common::python_environment_report(
        &stderr,
        &[(charm.path(), "[CHARM]")]
    ));
}

/// The Python minor of the project's venv, which is the one `scenario` embeds (the venv must
/// be made with it): `3.11`.
fn embedded_minor() -> String {
    let cfg = std::fs::read_to_string(project_venv().join("pyvenv.cfg")).unwrap();
    let version = cfg
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once('=')?;
            ["version", "version_info"]
                .contains(&key.trim())
                .then(|| value.trim().to_owned())
        })
        .expect("the project venv's pyvenv.cfg gives its version");
    let mut parts = version.split('.');
    format!("{}.{}", parts.next().unwrap(), parts.next().unwrap())
}

#[test]
fn a_venv_of_another_python_minor_gets_both_named_and_the_fix() {
    let minor = embedded_minor();
    let other = if minor == "3.13" { "3.12" } else { "3.13" };
    let charm = charm_dir();
    // The charm's .venv as `python3.13 -m venv .venv` lays it out.
    let venv = charm.path().join(".venv");
    std::fs::create_dir_all(venv.join(format!("lib/python{other}/site-packages"))).unwrap();
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    std::fs::write(
        venv.join("pyvenv.cfg"),
        format!("home = /usr/bin\ninclude-system-site-packages = false\nversion = {other}.1\n"),
    )
    .unwrap();
    let (code, stdout, stderr) = run_without_virtual_env(charm.path());
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    let first = stderr.lines().next().unwrap();
    assert!(
        first.starts_with(&format!(
            "scenario: the venv {} (the charm's own .venv: VIRTUAL_ENV is not set and the \
             Context names none) is Python {other} (its pyvenv.cfg: version = {other}.1), but \
             this build of ops-scenario embeds CPython {minor}.",
            venv.display()
        )),
        "{stderr}"
    );
    for part in [
        format!("in {}/.cargo/config.toml", charm.path().display()),
        r#"PYO3_PYTHON = { value = ".venv/bin/python", relative = true }"#.to_owned(),
        format!(
            "PYO3_PYTHON=\"{}/bin/python\" cargo install --locked --path cli --root \
             ~/.local/scenario-py{other}",
            venv.display()
        ),
        format!("uv venv --python {minor} \"{}\"", venv.display()),
    ] {
        assert!(stderr.contains(&part), "{part:?} not in:\n{stderr}");
    }
}
