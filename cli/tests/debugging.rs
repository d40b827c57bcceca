//! `scenario run` and a charm that hangs or stops at `breakpoint()` (tests/charms/hanging): the
//! run's timeout (`--timeout`, or the case's `context.timeout`), and a pdb session on a
//! pseudo-terminal that looks at and changes the charm's variables, then lets the run go on,
//! past the timeout, which pdb pauses.

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{finish, manifest_dir, pty, scenario};
use serde_json::{json, Value};

fn state_file(dir: &tempfile::TempDir, mode: &str) -> std::path::PathBuf {
    let path = dir.path().join("state.json");
    std::fs::write(&path, json!({"config": {"mode": mode}}).to_string()).unwrap();
    path
}

/// What the terminal has shown so far, read by a thread of its own.
struct Terminal {
    input: File,
    shown: Arc<Mutex<String>>,
}

impl Terminal {
    fn new(master: OwnedFd) -> Terminal {
        let input = File::from(master);
        let mut output = input.try_clone().unwrap();
        let shown = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&shown);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Ends with an error (EIO) once the child has closed its side.
            while let Ok(n @ 1..) = output.read(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Terminal { input, shown }
    }

    /// Wait until the terminal shows `text` for the `nth` time (from 1).
    fn wait_for(&self, text: &str, nth: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let shown = self.shown.lock().unwrap().clone();
            if shown.matches(text).count() >= nth {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?} #{nth}; the terminal shows:\n{shown}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn type_line(&mut self, line: &str) {
        self.input
            .write_all(format!("{line}\n").as_bytes())
            .unwrap();
    }
}

#[test]
fn breakpoint_stops_in_pdb_and_the_run_goes_on_after_continue() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_file(&dir, "breakpoint");
    let (master, slave) = pty();
    let mut child = scenario(["run", "--charm", "tests/charms/hanging", "--event", "start"])
        .arg("--state")
        .arg(&state)
        .args(["--timeout", "1"])
        .env_remove("PYTHONBREAKPOINT")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut terminal = Terminal::new(master);
    terminal.wait_for("(Pdb) ", 1);
    terminal.type_line("p answer");
    terminal.wait_for("42", 1);
    terminal.wait_for("(Pdb) ", 2);
    // Longer than the run's timeout: pdb has paused it.
    std::thread::sleep(Duration::from_millis(1500));
    terminal.type_line("answer = 43");
    terminal.wait_for("(Pdb) ", 3);
    terminal.type_line("c");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let status = child.wait().unwrap();
    let shown = terminal.shown.lock().unwrap().clone();
    assert!(status.success(), "{status}\n{shown}\n{stdout}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        out["state"]["unit_status"],
        json!({"name": "active", "message": "answer 43"}),
        "{shown}"
    );
}

#[test]
fn pythonbreakpoint_0_makes_breakpoint_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_file(&dir, "breakpoint");
    let done = finish(
        scenario(["run", "--charm", "tests/charms/hanging", "--event", "start"])
            .arg("--state")
            .arg(&state)
            .env("PYTHONBREAKPOINT", "0")
            .stdin(Stdio::null()),
    );
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert_eq!(
        done.json()["state"]["unit_status"],
        json!({"name": "active", "message": "answer 42"})
    );
}

/// A run that sleeps is reported as exit code 1 with a `Timeout` error, from `--timeout` or
/// from the case's `context.timeout`.
#[test]
fn a_run_past_its_timeout_exits_1_naming_the_handler() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_file(&dir, "sleep");
    let case = dir.path().join("case.json");
    let charm = manifest_dir().join("tests/charms/hanging");
    std::fs::write(
        &case,
        json!({"charm": charm, "context": {"timeout": 0.3}, "event": {"name": "start"},
               "state": {"config": {"mode": "sleep"}}})
        .to_string(),
    )
    .unwrap();
    let from_flag = || {
        let mut cmd = scenario(["run", "--charm", "tests/charms/hanging", "--event", "start"]);
        cmd.arg("--state").arg(&state).args(["--timeout", "0.3"]);
        cmd
    };
    let from_case = || {
        let mut cmd = scenario(["run"]);
        cmd.arg(&case);
        cmd
    };
    for mut cmd in [from_flag(), from_case()] {
        let started = Instant::now();
        let done = finish(&mut cmd);
        // The limit, and the process's start (Python, ops) and end.
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(done.code, Some(1), "{}", done.stderr);
        let error = &done.json()["error"];
        assert_eq!(error["type"], "Timeout");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.starts_with(
                "the run was interrupted after its timeout of 0.3s, in HangingCharm._on_start ("
            ),
            "{message}"
        );
        assert!(error["traceback"]
            .as_str()
            .unwrap()
            .contains("time.sleep(3600)"));
    }
    // A bad --timeout is bad input.
    let done = finish(scenario(["run", "--timeout=-1"]).arg(&case));
    assert_eq!(done.code, Some(2), "{}", done.stderr);
    assert!(
        done.stderr.contains("not a positive number of seconds"),
        "{}",
        done.stderr
    );
}
