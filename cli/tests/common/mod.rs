//! Running the `scenario` binary from tests: a command run from the repository root, what it
//! printed and its exit code.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The repository's root, where the test charms, fixtures and venvs are (the CLI's own
/// package is its `cli/` folder).
pub fn manifest_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A case file or other input under tests/fixtures/cli.
pub fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures/cli").join(name)
}

/// What one `scenario` process did.
pub struct Finished {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// Stdout as JSON; a test failure showing it when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// `scenario ARGS...`, run from the package root.
pub fn scenario<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scenario"));
    cmd.args(args).current_dir(manifest_dir());
    cmd
}

/// Run the command to its end.
pub fn finish(cmd: &mut Command) -> Finished {
    let out = cmd.output().expect("running the scenario binary");
    Finished {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Run the command to its end, which must be exit code 0.
pub fn ok(cmd: &mut Command) -> Finished {
    let done = finish(cmd);
    assert_eq!(
        done.code,
        Some(0),
        "expected exit 0\nstdout:\n{}\nstderr:\n{}",
        done.stdout,
        done.stderr
    );
    done
}

/// `scenario run FILE`, which must exit 0; its Output JSON.
pub fn run_ok(path: &Path) -> Value {
    ok(&mut scenario([OsStr::new("run"), path.as_os_str()])).json()
}

/// `text` with the machine's paths replaced, for snapshots: the repository root by `[REPO]`
/// (as the tests spell it and as it resolves), then each of `more` by its label.
pub fn normalise(text: &str, more: &[(&Path, &str)]) -> String {
    let mut text = text.to_owned();
    for (path, label) in more {
        text = text.replace(&path.display().to_string(), label);
        if let Ok(real) = path.canonicalize() {
            text = text.replace(&real.display().to_string(), label);
        }
    }
    let root = manifest_dir();
    text = text.replace(&root.display().to_string(), "[REPO]");
    let real = root.canonicalize().expect("the repository root exists");
    text.replace(&real.display().to_string(), "[REPO]")
}

/// The report of a Python environment that cannot import ops, for a snapshot: the lines that
/// name the machine's Python (its version and prefix, the entries of its sys.path) left out,
/// the paths in the rest replaced as [`normalise`] does.
pub fn python_environment_report(stderr: &str, more: &[(&Path, &str)]) -> String {
    let kept: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.starts_with("  Python: ") && !line.starts_with("    "))
        .collect();
    normalise(&kept.join("\n"), more)
}

/// A pseudo-terminal: (master, slave), for what the binary does on a terminal.
pub fn pty() -> (std::os::fd::OwnedFd, std::os::fd::OwnedFd) {
    use std::os::fd::FromRawFd;
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes the two descriptors it opens; no name, settings or size given.
    let done = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(done, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both were just opened, and are owned here only.
    unsafe {
        (
            std::os::fd::OwnedFd::from_raw_fd(master),
            std::os::fd::OwnedFd::from_raw_fd(slave),
        )
    }
}
