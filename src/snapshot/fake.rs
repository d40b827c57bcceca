//! An in-memory `juju` for the gathering steps' unit tests: canned answers by command line.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::runner::{JujuOutput, JujuRunner};

/// Answers `juju` commands from a table keyed by the arguments joined with spaces (without
/// `juju`). `juju scp` is keyed without its destination, which it writes. Anything else fails
/// as an unknown command.
#[derive(Default)]
pub(crate) struct FakeJuju {
    answers: BTreeMap<String, JujuOutput>,
    files: BTreeMap<String, Vec<u8>>,
    calls: RefCell<Vec<String>>,
}

impl FakeJuju {
    pub(crate) fn new() -> Self {
        FakeJuju::default()
    }

    /// Answer `juju <key>` with `output`.
    pub(crate) fn answer(mut self, key: &str, output: JujuOutput) -> Self {
        self.answers.insert(key.to_owned(), output);
        self
    }

    /// Answer `juju <key>` with success and `stdout`.
    pub(crate) fn ok(self, key: &str, stdout: &str) -> Self {
        self.answer(key, JujuOutput::ok(stdout))
    }

    /// Answer `juju exec --format json --unit <unit> -- <command>` with a completed task
    /// whose command printed `stdout`.
    pub(crate) fn exec(self, unit: &str, command: &str, stdout: &str) -> Self {
        let task = serde_json::json!({unit: {
            "id": "1",
            "results": {"return-code": 0, "stdout": stdout},
            "status": "completed",
            "unit": unit,
        }});
        self.ok(
            &format!("exec --format json --unit {unit} -- {command}"),
            &task.to_string(),
        )
    }

    /// Answer `juju exec ... -- <command>` with a task whose command failed.
    pub(crate) fn exec_fails(self, unit: &str, command: &str, stderr: &str) -> Self {
        let task = serde_json::json!({unit: {
            "id": "1",
            "results": {"return-code": 1, "stderr": stderr},
            "status": "completed",
            "unit": unit,
        }});
        self.answer(
            &format!("exec --format json --unit {unit} -- {command}"),
            JujuOutput {
                code: Some(1),
                stdout: task.to_string().into_bytes(),
                stderr: b"ERROR the following task failed".to_vec(),
            },
        )
    }

    /// Answer `juju scp <key> <destination>` by writing `content` to the destination.
    pub(crate) fn scp(mut self, key: &str, content: &[u8]) -> Self {
        self.files.insert(key.to_owned(), content.to_vec());
        self
    }

    /// The commands run so far, as keys.
    pub(crate) fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

impl JujuRunner for FakeJuju {
    fn run(&self, args: &[String]) -> std::io::Result<JujuOutput> {
        let key = args.join(" ");
        self.calls.borrow_mut().push(key.clone());
        if args.first().map(String::as_str) == Some("scp") {
            if let Some((destination, source)) = args.split_last() {
                if let Some(content) = self.files.get(&source.join(" ")) {
                    std::fs::write(destination, content)?;
                    return Ok(JujuOutput::ok(""));
                }
            }
        }
        Ok(self.answers.get(&key).cloned().unwrap_or_else(|| {
            JujuOutput::failed(format!("ERROR fake juju: no answer for {key}\n"))
        }))
    }
}
