//! Running the `juju` client: the [`JujuRunner`] trait (so that tests can answer in its
//! place), [`JujuCli`], the runner that spawns the real `juju`, and [`Juju`], which adds the
//! model flag, reads JSON, runs hook tools in the unit with `juju exec`, and turns every
//! failure into an [`Error::Juju`] naming the command line and what it printed.

use std::ffi::OsString;
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{Error, Result};

/// What one `juju` command printed, and how it exited.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JujuOutput {
    /// The exit code; `None` when the process was killed by a signal.
    pub code: Option<i32>,
    /// Everything it printed on stdout.
    pub stdout: Vec<u8>,
    /// Everything it printed on stderr.
    pub stderr: Vec<u8>,
}

impl JujuOutput {
    /// A command that succeeded and printed `stdout`.
    pub fn ok(stdout: impl Into<Vec<u8>>) -> Self {
        JujuOutput {
            code: Some(0),
            stdout: stdout.into(),
            stderr: Vec::new(),
        }
    }

    /// A command that failed with exit code 1 and printed `stderr`.
    pub fn failed(stderr: impl Into<Vec<u8>>) -> Self {
        JujuOutput {
            code: Some(1),
            stdout: Vec::new(),
            stderr: stderr.into(),
        }
    }

    /// Whether the command exited with code 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `juju` commands. [`JujuCli`] spawns the real client; a test can answer with canned
/// output instead.
pub trait JujuRunner {
    /// Run `juju` with these arguments (not including `juju` itself) and wait for it.
    ///
    /// # Errors
    /// The I/O error when the command cannot be started at all.
    fn run(&self, args: &[String]) -> std::io::Result<JujuOutput>;
}

/// The real `juju` client, found on `PATH` (or at the path given to [`JujuCli::program`]).
#[derive(Clone, Debug)]
pub struct JujuCli {
    program: OsString,
}

impl Default for JujuCli {
    fn default() -> Self {
        JujuCli {
            program: OsString::from("juju"),
        }
    }
}

impl JujuCli {
    /// The `juju` found on `PATH`.
    pub fn new() -> Self {
        JujuCli::default()
    }

    /// Run this program instead of the `juju` on `PATH`.
    pub fn program(mut self, program: impl Into<OsString>) -> Self {
        self.program = program.into();
        self
    }
}

impl JujuRunner for JujuCli {
    fn run(&self, args: &[String]) -> std::io::Result<JujuOutput> {
        let out = Command::new(&self.program)
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        Ok(JujuOutput {
            code: out.status.code(),
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }
}

/// The command line as a person would type it: `juju` and the arguments, quoted for a POSIX
/// shell where needed.
pub(crate) fn command_line(args: &[String]) -> String {
    let mut line = String::from("juju");
    for arg in args {
        line.push(' ');
        let plain = !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+#".contains(c));
        if plain {
            line.push_str(arg);
        } else {
            line.push('\'');
            line.push_str(&arg.replace('\'', r"'\''"));
            line.push('\'');
        }
    }
    line
}

/// `juju` for one model: the commands a snapshot runs, with their failures as
/// [`Error::Juju`].
pub(crate) struct Juju<'r> {
    runner: &'r dyn JujuRunner,
    /// `-m` as the user gave it: `[<controller>:]<model>` or a model uuid.
    model: Option<String>,
}

/// What `juju exec --format json` prints for one unit. Shape: cmd/juju/action/exec.go and
/// the operation results it formats (`{"web/0": {"id": "28", "results": {"return-code": 0,
/// "stdout": "..."}, "status": "completed", "unit": "web/0"}}`; `stdout-encoding: base64`
/// when the output is not UTF-8).
#[derive(Deserialize)]
struct ExecTask {
    #[serde(default)]
    status: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    results: ExecResults,
}

#[derive(Default, Deserialize)]
struct ExecResults {
    #[serde(rename = "return-code", default)]
    return_code: i64,
    #[serde(default)]
    stdout: String,
    #[serde(rename = "stdout-encoding", default)]
    stdout_encoding: String,
    #[serde(default)]
    stderr: String,
}

impl<'r> Juju<'r> {
    pub(crate) fn new(runner: &'r dyn JujuRunner, model: Option<String>) -> Self {
        Juju { runner, model }
    }

    /// The model as given with `-m`, without its controller prefix.
    pub(crate) fn model_name(&self) -> Option<&str> {
        self.model
            .as_deref()
            .map(|m| m.split_once(':').map_or(m, |(_, model)| model))
    }

    /// The arguments for `juju <sub> ...`: the model flag goes right after the subcommand
    /// (`juju models`, a controller command, takes the controller instead).
    fn argv(&self, sub: &str, args: &[&str]) -> Vec<String> {
        let mut argv = vec![sub.to_owned()];
        match (&self.model, sub) {
            (Some(model), "models") => {
                if let Some((controller, _)) = model.split_once(':') {
                    argv.extend(["-c".to_owned(), controller.to_owned()]);
                }
            }
            (Some(model), _) => argv.extend(["-m".to_owned(), model.clone()]),
            (None, _) => {}
        }
        argv.extend(args.iter().map(|a| (*a).to_owned()));
        argv
    }

    /// Run `juju <sub> args...`, whatever its exit code.
    fn spawn(&self, argv: &[String]) -> Result<JujuOutput> {
        self.runner.run(argv).map_err(|e| Error::Juju {
            command: command_line(argv),
            message: format!(
                "could not be started: {e} (is the Juju client installed and on PATH?)"
            ),
        })
    }

    /// Run `juju <sub> args...` and give its stdout.
    ///
    /// # Errors
    /// [`Error::Juju`] when it cannot be started or exits with another code than 0.
    pub(crate) fn run(&self, sub: &str, args: &[&str]) -> Result<Vec<u8>> {
        let argv = self.argv(sub, args);
        let out = self.spawn(&argv)?;
        if !out.success() {
            return Err(failed(&argv, &out));
        }
        Ok(out.stdout)
    }

    /// Run `juju <sub> args...` and give its stdout as text.
    pub(crate) fn text(&self, sub: &str, args: &[&str]) -> Result<String> {
        let stdout = self.run(sub, args)?;
        String::from_utf8(stdout).map_err(|_| Error::Juju {
            command: command_line(&self.argv(sub, args)),
            message: "printed output that is not UTF-8".into(),
        })
    }

    /// Run `juju <sub> args...` and read its stdout as JSON.
    ///
    /// # Errors
    /// [`Error::Juju`] when the command fails, or when what it printed is not the JSON
    /// expected (naming the field and the line and column).
    pub(crate) fn json<T: DeserializeOwned>(&self, sub: &str, args: &[&str]) -> Result<T> {
        let stdout = self.run(sub, args)?;
        parse_json(&self.argv(sub, args), &stdout)
    }

    /// Run a command in the unit's hook context with `juju exec --format json --unit <unit>
    /// -- <command...>` and give what the command printed on stdout.
    ///
    /// # Errors
    /// [`Error::Juju`] naming the `juju exec` command line when juju fails, or when the
    /// command fails in the unit (with its return code and stderr).
    pub(crate) fn exec(&self, unit: &str, command: &[&str]) -> Result<String> {
        let mut args = vec!["--format", "json", "--unit", unit, "--"];
        args.extend_from_slice(command);
        let argv = self.argv("exec", &args);
        let out = self.spawn(&argv)?;
        // `juju exec` exits with 1 when the command fails in the unit ("task failed"), and
        // still prints the task: read it when there is one.
        if out.stdout.iter().all(u8::is_ascii_whitespace) {
            return Err(if out.success() {
                Error::Juju {
                    command: command_line(&argv),
                    message: format!("printed no result for {unit}"),
                }
            } else {
                failed(&argv, &out)
            });
        }
        let tasks: std::collections::BTreeMap<String, ExecTask> = parse_json(&argv, &out.stdout)?;
        let Some(task) = tasks.into_values().next() else {
            return Err(Error::Juju {
                command: command_line(&argv),
                message: format!("printed no result for {unit}"),
            });
        };
        let results = task.results;
        if results.return_code != 0 || !matches!(task.status.as_str(), "completed" | "") {
            let mut what = format!(
                "failed in {unit} (status {:?}, return code {})",
                task.status, results.return_code
            );
            for detail in [task.message.trim(), results.stderr.trim()] {
                if !detail.is_empty() {
                    what.push_str(": ");
                    what.push_str(detail);
                }
            }
            return Err(Error::Juju {
                command: command_line(&argv),
                message: what,
            });
        }
        if results.stdout_encoding == "base64" {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(results.stdout.trim())
                .map_err(|e| Error::Juju {
                    command: command_line(&argv),
                    message: format!("printed base64 stdout that cannot be decoded: {e}"),
                })?;
            return String::from_utf8(bytes).map_err(|_| Error::Juju {
                command: command_line(&argv),
                message: "printed output that is not UTF-8".into(),
            });
        }
        Ok(results.stdout)
    }

    /// Run a hook tool in the unit (as [`Juju::exec`]) and read what it printed as JSON.
    pub(crate) fn exec_json<T: DeserializeOwned>(&self, unit: &str, command: &[&str]) -> Result<T> {
        let stdout = self.exec(unit, command)?;
        let mut args = vec!["--format", "json", "--unit", unit, "--"];
        args.extend_from_slice(command);
        parse_json(&self.argv("exec", &args), stdout.as_bytes())
    }

    /// The full command line of `juju <sub> args...`, for messages.
    pub(crate) fn line(&self, sub: &str, args: &[&str]) -> String {
        command_line(&self.argv(sub, args))
    }
}

/// The error for a command that exited with another code than 0.
fn failed(argv: &[String], out: &JujuOutput) -> Error {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let printed = if stderr.trim().is_empty() {
        stdout.trim().to_owned()
    } else {
        stderr.trim().to_owned()
    };
    let code = out.code.map_or_else(
        || "killed by a signal".to_owned(),
        |c| format!("exit code {c}"),
    );
    Error::Juju {
        command: command_line(argv),
        message: if printed.is_empty() {
            format!("failed ({code}) and printed nothing")
        } else {
            format!("failed ({code}): {printed}")
        },
    }
}

/// Read JSON printed by `argv`, saying where it does not fit.
pub(crate) fn parse_json<T: DeserializeOwned>(argv: &[String], bytes: &[u8]) -> Result<T> {
    let unreadable = |at: String, inner: serde_json::Error| Error::Juju {
        command: command_line(argv),
        message: format!("printed JSON that cannot be read{at}: {inner}"),
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." || path.is_empty() {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        unreadable(at, e.into_inner())
    })?;
    de.end().map_err(|e| unreadable(String::new(), e))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    #[test]
    fn the_command_line_quotes_what_a_shell_would_split() {
        let args: Vec<String> = ["exec", "--", "echo", "a b", "it's"]
            .map(String::from)
            .to_vec();
        assert_eq!(command_line(&args), r"juju exec -- echo 'a b' 'it'\''s'");
    }

    #[test]
    fn the_model_flag_follows_the_subcommand_and_models_takes_the_controller() {
        let fake = FakeJuju::new();
        let juju = Juju::new(&fake, Some("ctl:shop".into()));
        assert_eq!(
            juju.line("status", &["--format", "json"]),
            "juju status -m ctl:shop --format json"
        );
        assert_eq!(
            juju.line("models", &["--format", "json"]),
            "juju models -c ctl --format json"
        );
        assert_eq!(juju.model_name(), Some("shop"));
    }

    #[test]
    fn a_failing_command_is_named_with_what_it_printed() {
        let fake = FakeJuju::new().answer(
            "status --format json",
            JujuOutput::failed("ERROR model \"x\" not found\n"),
        );
        let err = Juju::new(&fake, None)
            .json::<serde_json::Value>("status", &["--format", "json"])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`juju status --format json` failed (exit code 1): ERROR model \"x\" not found"
        );
    }

    #[test]
    fn malformed_json_says_which_command_printed_it_and_where() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Shape {
            revision: u32,
        }
        let fake = FakeJuju::new().answer(
            "show --format json",
            JujuOutput::ok("{\n  \"revision\": \"two\"\n}"),
        );
        let err = Juju::new(&fake, None)
            .json::<Shape>("show", &["--format", "json"])
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(
                "`juju show --format json` printed JSON that cannot be read at `revision`: invalid type"
            ),
            "{text}"
        );
        assert!(text.ends_with("at line 2 column 19"), "{text}");
    }

    #[test]
    fn exec_gives_the_command_stdout_and_names_a_failure_in_the_unit() {
        let fake = FakeJuju::new()
            .answer(
                "exec --format json --unit web/0 -- is-leader --format json",
                JujuOutput::ok(
                    r#"{"web/0": {"id": "3", "results": {"return-code": 0, "stdout": "true\n"}, "status": "completed", "unit": "web/0"}}"#,
                ),
            )
            .answer(
                "exec --format json --unit web/0 -- secret-get secret:x",
                JujuOutput {
                    code: Some(1),
                    stdout: br#"{"web/0": {"id": "4", "results": {"return-code": 1, "stderr": "ERROR secret \"x\" not found\n"}, "status": "completed", "unit": "web/0"}}"#.to_vec(),
                    stderr: b"ERROR the following task failed:\n id \"4\" with return code 1\n".to_vec(),
                },
            );
        let juju = Juju::new(&fake, None);
        let leader: bool = juju
            .exec_json("web/0", &["is-leader", "--format", "json"])
            .unwrap();
        assert!(leader);
        let err = juju.exec("web/0", &["secret-get", "secret:x"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`juju exec --format json --unit web/0 -- secret-get secret:x` failed in web/0 \
             (status \"completed\", return code 1): ERROR secret \"x\" not found"
        );
    }

    #[test]
    fn a_missing_client_says_so() {
        struct Missing;
        impl JujuRunner for Missing {
            fn run(&self, _: &[String]) -> std::io::Result<JujuOutput> {
                Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not found",
                ))
            }
        }
        let err = Juju::new(&Missing, None)
            .run("status", &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("`juju status` could not be started: not found"),
            "{err}"
        );
    }
}
