//! `scenario`: run a charm event from the command line, JSON in, JSON out.
//!
//! ```text
//! scenario run CASE.json
//! scenario run --charm DIR --event NAME [--state STATE.json] [--class NAME]
//! ```
//! Output JSON on stdout; exit code 0 when the run finished, 1 when the charm raised (the
//! Output then has `error` and `"state": null`), 2 for bad input (message on stderr).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ops_scenario::case::{self, Case};
use ops_scenario::{ContextOptions, Error, Event, State};

const USAGE: &str = "\
usage:
  scenario run CASE.json
  scenario run --charm DIR --event NAME [--state STATE.json] [--class NAME]

Runs one event of a charm and prints the Output as JSON (STATE_JSON.md).
Exit codes: 0 the run finished; 1 the charm raised (see `error`); 2 bad input.";

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
    ops_scenario::flush_python_output();
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
    ops_scenario::python_stdout_to_stderr()?;
    let output = case.run(base)?;
    let json = serde_json::to_string_pretty(&output.to_json()).expect("JSON values serialise");
    println!("{json}");
    Ok(if output.error.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
