//! `container.exec`: commands are not run; the State's [`Exec`] mocks say what they return,
//! matched as ops.testing matches them (`_MockPebbleClient._find_exec_handler`).

use std::collections::BTreeMap;
use std::fmt;

use super::fs::py_repr;
use crate::output::ExecArgs;
use crate::state::Exec;

/// The exit code ops.testing gives a command no mock matches (a shell's "command not found").
pub(crate) const UNMOCKED_EXIT_CODE: i32 = 127;

/// The mock for `command`: the one with the longest prefix of it (an empty prefix matches
/// every command); among equal prefixes the last one, as ops.testing keys mocks by prefix.
pub(crate) fn find_exec<'a>(execs: &'a [Exec], command: &[String]) -> Option<&'a Exec> {
    execs
        .iter()
        .filter(|e| command.starts_with(&e.command_prefix))
        .max_by_key(|e| e.command_prefix.len())
}

/// Standard input the charm gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExecStdin {
    /// A `str` (or text stream, read).
    Text(String),
    /// `bytes` (or a binary stream, read).
    Bytes(Vec<u8>),
}

/// What the charm asked for: `Container.exec`'s arguments.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ExecRequest {
    /// The command and its arguments.
    pub(crate) command: Vec<String>,
    /// Environment variables given.
    pub(crate) environment: BTreeMap<String, String>,
    /// The working directory given.
    pub(crate) working_dir: Option<String>,
    /// The timeout given, in seconds.
    pub(crate) timeout: Option<f64>,
    /// The user to run as, by id.
    pub(crate) user_id: Option<u32>,
    /// The user to run as, by name.
    pub(crate) user: Option<String>,
    /// The group to run as, by id.
    pub(crate) group_id: Option<u32>,
    /// The group to run as, by name.
    pub(crate) group: Option<String>,
    /// Standard input, if given.
    pub(crate) stdin: Option<ExecStdin>,
    /// The encoding output is read in; `None`: bytes.
    pub(crate) encoding: Option<String>,
    /// Whether stderr goes to stdout.
    pub(crate) combine_stderr: bool,
    /// The service whose context the command runs in.
    pub(crate) service_context: Option<String>,
}

impl ExecRequest {
    /// A request with ops' defaults (`encoding='utf-8'`, nothing else given).
    #[cfg(test)]
    pub(crate) fn new<S: Into<String>>(command: impl IntoIterator<Item = S>) -> Self {
        ExecRequest {
            command: command.into_iter().map(Into::into).collect(),
            environment: BTreeMap::new(),
            working_dir: None,
            timeout: None,
            user_id: None,
            user: None,
            group_id: None,
            group: None,
            stdin: None,
            encoding: Some("utf-8".to_owned()),
            combine_stderr: false,
            service_context: None,
        }
    }

    /// The exec history record (stdin bytes decoded as UTF-8, lossily).
    pub(crate) fn to_exec_args(&self) -> ExecArgs {
        ExecArgs {
            command: self.command.clone(),
            environment: self.environment.clone(),
            working_dir: self.working_dir.clone(),
            stdin: self.stdin.as_ref().map(|s| match s {
                ExecStdin::Text(t) => t.clone(),
                ExecStdin::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            }),
            timeout: self.timeout,
            user: self.user.clone(),
            user_id: self.user_id,
            group: self.group.clone(),
            group_id: self.group_id,
            encoding: self.encoding.clone(),
            combine_stderr: self.combine_stderr,
            service_context: self.service_context.clone(),
        }
    }
}

impl From<&ExecRequest> for ExecArgs {
    fn from(request: &ExecRequest) -> Self {
        request.to_exec_args()
    }
}

/// What the command returned (the charm decodes the output with its `encoding`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExecResult {
    /// The exit code (`ExecError` on `wait`/`wait_output` when not 0).
    pub(crate) return_code: i32,
    /// Standard output (with stderr after it when `combine_stderr`).
    pub(crate) stdout: Vec<u8>,
    /// Standard error (empty when `combine_stderr`).
    pub(crate) stderr: Vec<u8>,
}

/// No mock matches the command. ops.testing raises `pebble.ExecError(command, 127, '',
/// hint)` from `container.exec` itself, before recording the command in the exec history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnmockedCommand {
    /// The command.
    pub(crate) command: Vec<String>,
}

impl UnmockedCommand {
    /// The exit code: [`UNMOCKED_EXIT_CODE`].
    pub(crate) fn exit_code(&self) -> i32 {
        UNMOCKED_EXIT_CODE
    }

    /// The `ExecError`'s stderr: ops.testing's hint, naming the command and the container,
    /// with the fix in this crate's terms (Rust, and the case-file JSON).
    pub(crate) fn hint(&self, container: &str) -> String {
        let py_list = format!(
            "[{}]",
            self.command
                .iter()
                .map(|a| py_repr(a))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rust_args = self
            .command
            .iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let json_args = serde_json::to_string(&self.command).unwrap_or_default();
        format!(
            "mock for cmd {py_list} not found. Please patch out whatever leads to the call, or \
             pass to the Container {container} an Exec mock for the command your charm is \
             attempting to run, such as \
             'Container::new({container:?}).execs([Exec::new([{rust_args}])])' \
             (in a case file: \"execs\": [{{\"command_prefix\": {json_args}}}])"
        )
    }
}

impl fmt::Display for UnmockedCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no exec mock matches {:?}", self.command)
    }
}

/// Run the request against the mocks: the matching mock's output and exit code.
pub(crate) fn run(execs: &[Exec], request: &ExecRequest) -> Result<ExecResult, UnmockedCommand> {
    let exec = find_exec(execs, &request.command).ok_or_else(|| UnmockedCommand {
        command: request.command.clone(),
    })?;
    let mut stdout = exec.stdout.as_bytes().to_vec();
    let mut stderr = exec.stderr.as_bytes().to_vec();
    if request.combine_stderr {
        // Pebble sends both streams to stdout; the order between them is not kept.
        stdout.append(&mut stderr);
    }
    Ok(ExecResult {
        return_code: exec.return_code,
        stdout,
        stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    // The longest matching prefix wins, wherever it is in the list.
    #[test]
    fn longest_prefix_wins() {
        let execs = [
            Exec::new(["ls"]).stdout("short"),
            Exec::new(["ls", "-l"]).stdout("long"),
            Exec::new(["cat"]).stdout("cat"),
        ];
        assert_eq!(
            find_exec(&execs, &cmd(&["ls", "-l", "/"])).unwrap().stdout,
            "long"
        );
        assert_eq!(
            find_exec(&execs, &cmd(&["ls", "-a"])).unwrap().stdout,
            "short"
        );
        assert_eq!(find_exec(&execs, &cmd(&["ls"])).unwrap().stdout, "short");
        assert!(find_exec(&execs, &cmd(&["lsblk"])).is_none());
        assert!(find_exec(&execs, &cmd(&[])).is_none());
    }

    // An empty prefix matches every command, but loses to any longer match.
    #[test]
    fn empty_prefix_matches_all() {
        let execs = [
            Exec::new(Vec::<String>::new()).stdout("any"),
            Exec::new(["ls"]).stdout("ls"),
        ];
        assert_eq!(find_exec(&execs, &cmd(&["whoami"])).unwrap().stdout, "any");
        assert_eq!(find_exec(&execs, &cmd(&[])).unwrap().stdout, "any");
        assert_eq!(find_exec(&execs, &cmd(&["ls", "-l"])).unwrap().stdout, "ls");
    }

    // Duplicate prefixes: the last one wins (ops.testing builds a dict by prefix).
    #[test]
    fn last_duplicate_wins() {
        let execs = [Exec::new(["ls"]).stdout("1"), Exec::new(["ls"]).stdout("2")];
        assert_eq!(find_exec(&execs, &cmd(&["ls"])).unwrap().stdout, "2");
    }

    // The mock's exit code and output come back as bytes.
    #[test]
    fn run_returns_the_mock() {
        let execs = [Exec::new(["ls"]).return_code(2).stdout("out").stderr("err")];
        let result = run(&execs, &ExecRequest::new(["ls", "/x"])).unwrap();
        assert_eq!(
            result,
            ExecResult {
                return_code: 2,
                stdout: b"out".to_vec(),
                stderr: b"err".to_vec()
            }
        );
    }

    // combine_stderr: stderr follows stdout; stderr is empty.
    #[test]
    fn combine_stderr_appends() {
        let execs = [Exec::new(["ls"]).stdout("out\n").stderr("err\n")];
        let request = ExecRequest {
            combine_stderr: true,
            ..ExecRequest::new(["ls"])
        };
        let result = run(&execs, &request).unwrap();
        assert_eq!(result.stdout, b"out\nerr\n");
        assert!(result.stderr.is_empty());
    }

    // No match: exit code 127 and ops.testing's hint, in this crate's terms.
    #[test]
    fn unmocked_command() {
        let err = run(&[Exec::new(["cat"])], &ExecRequest::new(["ls", "-l"])).unwrap_err();
        assert_eq!(err.command, cmd(&["ls", "-l"]));
        assert_eq!(err.exit_code(), 127);
        assert_eq!(
            err.hint("workload"),
            "mock for cmd ['ls', '-l'] not found. Please patch out whatever leads to the call, \
             or pass to the Container workload an Exec mock for the command your charm is \
             attempting to run, such as \
             'Container::new(\"workload\").execs([Exec::new([\"ls\", \"-l\"])])' \
             (in a case file: \"execs\": [{\"command_prefix\": [\"ls\",\"-l\"]}])"
        );
        let quoted = UnmockedCommand {
            command: cmd(&["echo", "it's"]),
        };
        assert!(quoted
            .hint("w")
            .starts_with("mock for cmd ['echo', \"it's\"] not found."));
    }

    // The history record keeps every argument; stdin bytes are decoded lossily.
    #[test]
    fn exec_args_record() {
        let request = ExecRequest {
            environment: BTreeMap::from([("A".to_owned(), "1".to_owned())]),
            working_dir: Some("/srv".into()),
            timeout: Some(5.0),
            user_id: Some(1000),
            user: Some("app".into()),
            group_id: Some(1001),
            group: Some("grp".into()),
            stdin: Some(ExecStdin::Bytes(vec![b'h', b'i', 0xff])),
            encoding: None,
            combine_stderr: true,
            service_context: Some("web".into()),
            ..ExecRequest::new(["ls"])
        };
        let args = ExecArgs::from(&request);
        assert_eq!(args.command, cmd(&["ls"]));
        assert_eq!(args.environment["A"], "1");
        assert_eq!(args.working_dir.as_deref(), Some("/srv"));
        assert_eq!(args.stdin.as_deref(), Some("hi\u{fffd}"));
        assert_eq!(args.timeout, Some(5.0));
        assert_eq!((args.user_id, args.group_id), (Some(1000), Some(1001)));
        assert_eq!(
            (args.user.as_deref(), args.group.as_deref()),
            (Some("app"), Some("grp"))
        );
        assert_eq!(args.encoding, None);
        assert!(args.combine_stderr);
        assert_eq!(args.service_context.as_deref(), Some("web"));
        let plain = ExecRequest::new(["ls"]).to_exec_args();
        assert_eq!(plain.encoding.as_deref(), Some("utf-8"));
        assert_eq!(plain.stdin, None);
        let text = ExecRequest {
            stdin: Some(ExecStdin::Text("t".into())),
            ..ExecRequest::new(["ls"])
        };
        assert_eq!(text.to_exec_args().stdin.as_deref(), Some("t"));
    }
}
