//! `scenario snapshot`: a live unit's State through the `juju` client
//! ([`ops_scenario::snapshot`]), printed as JSON, as a case file or as a Rust test.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use ops_scenario::case;
use ops_scenario::snapshot::{snapshot as take, JujuCli, Part, RustTest, SnapshotOptions};
use ops_scenario::Error;

use crate::{Format, SnapshotArgs};

/// Snapshot the unit and print it; exit code 0 when done, 1 when a `juju` command failed, 2
/// for bad input (the message on stderr). `args` are the command line after `snapshot`, for
/// the Rust test's header.
pub fn snapshot(args: &SnapshotArgs, line: &[OsString]) -> ExitCode {
    match options(args).and_then(|options| print(args, &options, line)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("scenario: {err}");
            ExitCode::from(if matches!(err, Error::Juju { .. }) {
                1
            } else {
                2
            })
        }
    }
}

fn options(args: &SnapshotArgs) -> Result<SnapshotOptions, Error> {
    let mut options = SnapshotOptions::new(&args.unit);
    options.model = args.model.clone();
    for value in &args.fetch {
        options.fetch.extend(fetch_list(value)?);
    }
    options.charm_dir = args.charm.clone();
    if !args.include.is_empty() {
        // clap has checked each name against the parts.
        options.include = Part::parse_list(&args.include.join(","))?;
    }
    Ok(options)
}

/// `--fetch CONTAINER:/PATH`, or `--fetch FILE.json` holding `{"container": ["/path", ...]}`.
fn fetch_list(value: &str) -> Result<Vec<(String, String)>, Error> {
    if let Some((container, path)) = value.split_once(':') {
        if path.starts_with('/') && !container.is_empty() {
            return Ok(vec![(container.to_owned(), path.to_owned())]);
        }
    }
    let text = std::fs::read_to_string(value).map_err(|e| Error::Io {
        context: format!("reading --fetch file {value} (or give CONTAINER:/PATH)"),
        source: e,
    })?;
    let files: std::collections::BTreeMap<String, Vec<String>> = case::from_json(&text)?;
    Ok(files
        .into_iter()
        .flat_map(|(container, paths)| paths.into_iter().map(move |p| (container.clone(), p)))
        .collect())
}

fn print(args: &SnapshotArgs, options: &SnapshotOptions, line: &[OsString]) -> Result<(), Error> {
    let snap = take(&JujuCli::new(), options)?;
    for warning in &snap.warnings {
        eprintln!("scenario snapshot: warning: {warning}");
    }
    let charm = args.charm.as_deref();
    if args.format == Format::Rust {
        let mut test = RustTest::new(
            charm.map_or_else(|| ".".into(), |dir| dir.display().to_string()),
            args.event.clone().unwrap_or_else(|| "update_status".into()),
        )
        .command(command_line(line));
        test.class_name = args.class.clone();
        crate::print_stdout(&rustfmt(snap.to_rust_test(&test)?));
    } else if let Some(event) = &args.event {
        // The case names the charm by absolute path, so that it runs wherever it is saved.
        let charm = match charm {
            Some(dir) => std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned()),
            None => {
                eprintln!("scenario snapshot: warning: no --charm: the case's charm is `.`");
                PathBuf::from(".")
            }
        };
        let case = snap.to_case_json(&charm, args.class.as_deref(), event)?;
        crate::print_stdout(&format!("{case}\n"));
    } else {
        crate::print_stdout(&format!("{}\n", snap.to_json()));
    }
    Ok(())
}

/// `scenario snapshot ARGS...` as a shell would take it, for the Rust test's header.
fn command_line(args: &[OsString]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| {
            let a = a.to_string_lossy();
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a.into_owned()
            }
        })
        .collect();
    format!("scenario snapshot {}", quoted.join(" "))
}

/// The Rust source as `rustfmt` lays it out, when `rustfmt` is installed.
fn rustfmt(source: String) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("scenario snapshot: rustfmt is not installed: the test is printed unformatted");
        return source;
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(source.as_bytes());
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => {
            String::from_utf8(out.stdout).unwrap_or(source)
        }
        _ => source,
    }
}
