//! `scenario`: run a charm event from the command line, JSON in, JSON out.
//!
//! ```text
//! scenario run CASE.json
//! scenario run --charm DIR --event NAME [--state STATE.json] [--class NAME]
//! scenario bench CASE.json [-n N]
//! scenario snapshot APP/N [-m MODEL] [--format json|rust] [--include PARTS] [--fetch C:PATH]...
//!                   [--charm DIR] [--class NAME] [--event NAME]
//! ```
//! `run`: Output JSON on stdout; exit code 0 when the run finished, 1 when the charm raised
//! (the Output then has `error` and `"state": null`), 2 for bad input (message on stderr).
//! `bench`: runs the case N times in one process (default 1000) and prints the start-up
//! times, then the median time per run as its last line: `median 123.4 µs/run`.
//! `snapshot`: gathers a live unit's State through the `juju` client
//! ([`ops_scenario::snapshot`]) and prints it as JSON, as a case file (with `--event`), or as
//! a Rust test (`--format rust`); exit code 1 when a `juju` command fails, 2 for bad input.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

mod schema;

use ops_scenario::case::{self, Case};
use ops_scenario::{ContextOptions, Error, Event, State};

const USAGE: &str = "\
usage:
  scenario run CASE.json
  scenario run --charm DIR --event NAME [--state STATE.json] [--class NAME]
  scenario bench CASE.json [-n N]
  scenario snapshot APP/N [-m MODEL] [--format json|rust] [--include PARTS]
                    [--fetch CONTAINER:PATH | --fetch FETCH.json]... [--charm DIR]
                    [--class NAME] [--event NAME]
  scenario schema [case|state|output]

run: runs one event of a charm and prints the Output as JSON (docs/STATE_JSON.md).
Exit codes: 0 the run finished; 1 the charm raised (see `error`); 2 bad input.
bench: runs the case N times (default 1000) in one process; prints the start-up times,
then the median time per run as its last line (`median 123.4 µs/run`).
snapshot: gathers the State of a live unit through the `juju` client and prints it: the
State as JSON; with --event, a case file running that event; with --format rust, a Rust
test running it (default update_status). PARTS: all (the default) or a comma-separated list
of relations, config, containers, networks, secrets, storage, cloud-spec, deferred,
stored-state, status.
--fetch copies a container's file into the State (FETCH.json: {\"container\": [\"/path\"]}).
--charm: the charm's source, for its metadata (else read from the unit).
Exit codes: 0 done (warnings on stderr); 1 a juju command failed; 2 bad input.
schema: prints the JSON Schema of case files (the default), States or Outputs.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("run") => match parse_run(&args[1..]).and_then(|(case, base)| run(&case, &base)) {
            Ok(code) => code,
            Err(err) => {
                eprintln!("scenario: {err}");
                ExitCode::from(2)
            }
        },
        Some("bench") => {
            match parse_bench(&args[1..]).and_then(|(case, base, n)| bench(&case, &base, n)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("scenario: {err}");
                    ExitCode::from(2)
                }
            }
        }
        Some("snapshot") => match parse_snapshot(&args[1..]).and_then(|cmd| snapshot(&cmd)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("scenario: {err}");
                ExitCode::from(if matches!(err, Error::Juju { .. }) {
                    1
                } else {
                    2
                })
            }
        },
        Some("schema") => schema::main(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    };
    // The embedded interpreter is never finalised: flush what the charm printed.
    ops_scenario::python::flush_python_output();
    code
}

/// The case to run and the folder its relative paths are relative to.
fn parse_run(args: &[String]) -> Result<(Case, PathBuf), Error> {
    let bad = |message: &str| Error::InvalidInput {
        path: "command line".into(),
        message: format!("{message}\n{USAGE}"),
    };
    if let [file] = args {
        if !file.starts_with('-') {
            let path = Path::new(file);
            let case = Case::load(path)?;
            let base = path.parent().map(Path::to_owned).unwrap_or_default();
            return Ok((case, base));
        }
    }
    let (mut charm, mut event, mut state, mut class) = (None, None, None, None);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let mut value = || {
            rest.next()
                .cloned()
                .ok_or_else(|| bad(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--charm" => charm = Some(value()?),
            "--event" => event = Some(value()?),
            "--state" => state = Some(value()?),
            "--class" => class = Some(value()?),
            other => return Err(bad(&format!("unknown argument {other:?}"))),
        }
    }
    let charm = charm.ok_or_else(|| bad("--charm is required"))?;
    let event = event.ok_or_else(|| bad("--event is required"))?;
    let state: State = match state {
        Some(file) => {
            let text = std::fs::read_to_string(&file).map_err(|e| Error::Io {
                context: format!("reading {file}"),
                source: e,
            })?;
            case::from_json(&text)?
        }
        None => State::default(),
    };
    let case = Case {
        charm: PathBuf::from(charm),
        charm_class: class,
        context: ContextOptions::default(),
        event: Event::new(event),
        state,
    };
    Ok((case, PathBuf::from(".")))
}

fn run(case: &Case, base: &Path) -> Result<ExitCode, Error> {
    ops_scenario::python::python_stdout_to_stderr()?;
    let output = case.run(base)?;
    let json = serde_json::to_string_pretty(&output.to_json()).expect("JSON values serialise");
    println!("{json}");
    Ok(if output.error.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `bench CASE.json [-n N]`: the case, its folder and the number of timed runs.
fn parse_bench(args: &[String]) -> Result<(Case, PathBuf, usize), Error> {
    let bad = |message: String| Error::InvalidInput {
        path: "command line".into(),
        message: format!("{message}\n{USAGE}"),
    };
    let (mut file, mut runs) = (None, 1000);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "-n" => {
                let value = rest.next().ok_or_else(|| bad("-n needs a value".into()))?;
                runs = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| bad(format!("-n takes a positive number, not {value:?}")))?;
            }
            flag if flag.starts_with('-') => return Err(bad(format!("unknown argument {flag:?}"))),
            path if file.is_none() => file = Some(PathBuf::from(path)),
            extra => return Err(bad(format!("one case file only; also got {extra:?}"))),
        }
    }
    let file = file.ok_or_else(|| bad("bench needs a case file".into()))?;
    let case = Case::load(&file)?;
    let base = file.parent().map(Path::to_owned).unwrap_or_default();
    Ok((case, base, runs))
}

/// Time `runs` runs of the case after a first, untimed one. A run that fails (the charm
/// raised, or Juju refused its changes) stops the benchmark: it would time the failure.
fn bench(case: &Case, base: &Path, runs: usize) -> Result<(), Error> {
    let prepared = case.prepare(base)?;
    let started = Instant::now();
    prepared.start_python()?;
    let python = started.elapsed();
    ops_scenario::python::python_stdout_to_stderr()?;
    let loaded = Instant::now();
    let first = prepared.run()?;
    let first_run = loaded.elapsed();
    if let Some(error) = first.error {
        return Err(Error::InvalidInput {
            path: "case".into(),
            message: format!(
                "the case does not run cleanly, so there is nothing to time: {}: {}",
                error.exc_type, error.message
            ),
        });
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let output = prepared.run()?;
        times.push(start.elapsed());
        drop(output);
    }
    times.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let at = |q: f64| micros(times[((times.len() - 1) as f64 * q).round() as usize]);
    println!(
        "start-up: interpreter and `import ops` {:.1} ms; charm load and first run {:.1} ms",
        micros(python) / 1e3,
        micros(first_run) / 1e3
    );
    println!(
        "{runs} runs: min {:.1} µs, p10 {:.1} µs, p90 {:.1} µs, max {:.1} µs",
        at(0.0),
        at(0.1),
        at(0.9),
        at(1.0)
    );
    println!("median {:.1} µs/run", at(0.5));
    Ok(())
}

/// `snapshot APP/N ...`: what to gather and how to print it.
struct SnapshotCommand {
    options: ops_scenario::snapshot::SnapshotOptions,
    rust: bool,
    event: Option<String>,
    charm: Option<String>,
    class: Option<String>,
    /// The command line, for the Rust test's header.
    line: String,
}

fn parse_snapshot(args: &[String]) -> Result<SnapshotCommand, Error> {
    use ops_scenario::snapshot::{Part, SnapshotOptions};
    let bad = |message: String| Error::InvalidInput {
        path: "command line".into(),
        message: format!("{message}\n{USAGE}"),
    };
    let (mut unit, mut model, mut rust, mut include) = (None, None, false, None);
    let (mut fetch, mut charm, mut class, mut event) = (Vec::new(), None, None, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || {
            rest.next()
                .cloned()
                .ok_or_else(|| bad(format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "-m" | "--model" => model = Some(value()?),
            "-f" | "--format" => {
                rust = match value()?.as_str() {
                    "json" => false,
                    "rust" => true,
                    other => return Err(bad(format!("--format is json or rust, not {other:?}"))),
                }
            }
            "-i" | "--include" => include = Some(Part::parse_list(&value()?)?),
            "--fetch" => fetch.extend(fetch_list(&value()?)?),
            "--charm" => charm = Some(value()?),
            "--class" => class = Some(value()?),
            "--event" => event = Some(value()?),
            flag if flag.starts_with('-') => return Err(bad(format!("unknown argument {flag:?}"))),
            target if unit.is_none() => unit = Some(target.to_owned()),
            extra => return Err(bad(format!("one unit only; also got {extra:?}"))),
        }
    }
    let unit = unit.ok_or_else(|| bad("snapshot needs a unit, like web/0".into()))?;
    let mut options = SnapshotOptions::new(unit);
    options.model = model;
    options.fetch = fetch;
    options.charm_dir = charm.as_ref().map(PathBuf::from);
    if let Some(include) = include {
        options.include = include;
    }
    let quoted: Vec<String> = args
        .iter()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a.clone()
            }
        })
        .collect();
    Ok(SnapshotCommand {
        options,
        rust,
        event,
        charm,
        class,
        line: format!("scenario snapshot {}", quoted.join(" ")),
    })
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

fn snapshot(cmd: &SnapshotCommand) -> Result<(), Error> {
    use ops_scenario::snapshot::{snapshot, JujuCli, RustTest};
    let snap = snapshot(&JujuCli::new(), &cmd.options)?;
    for warning in &snap.warnings {
        eprintln!("scenario snapshot: warning: {warning}");
    }
    if cmd.rust {
        let mut test = RustTest::new(
            cmd.charm.clone().unwrap_or_else(|| ".".into()),
            cmd.event.clone().unwrap_or_else(|| "update_status".into()),
        )
        .command(&cmd.line);
        test.class_name = cmd.class.clone();
        print!("{}", rustfmt(snap.to_rust_test(&test)?));
    } else if let Some(event) = &cmd.event {
        // The case names the charm by absolute path, so that it runs wherever it is saved.
        let charm = match &cmd.charm {
            Some(dir) => std::path::absolute(dir).unwrap_or_else(|_| PathBuf::from(dir)),
            None => {
                eprintln!("scenario snapshot: warning: no --charm: the case's charm is `.`");
                PathBuf::from(".")
            }
        };
        println!(
            "{}",
            snap.to_case_json(&charm, cmd.class.as_deref(), event)?
        );
    } else {
        println!("{}", snap.to_json());
    }
    Ok(())
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
