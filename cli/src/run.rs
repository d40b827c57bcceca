//! `scenario run`: one event of a charm, the Output as JSON on stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ops_scenario::case::{self, Case};
use ops_scenario::{ContextOptions, Error, Event, State};

use crate::RunArgs;

/// Run the case; exit code 0 when the run finished, 1 when the charm raised (or the run
/// exceeded its timeout), 2 (with the message on stderr) for bad input.
pub fn run(args: &RunArgs) -> ExitCode {
    match load(args).and_then(|(case, base)| run_case(&case, &base)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("scenario: {err}");
            ExitCode::from(2)
        }
    }
}

/// The case to run and the folder its relative paths are relative to: the case file's, or
/// the working directory for `--charm`.
fn load(args: &RunArgs) -> Result<(Case, PathBuf), Error> {
    let (mut case, base) = load_case(args)?;
    if let Some(timeout) = args.timeout {
        case.context.timeout = timeout.0;
    }
    Ok((case, base))
}

fn load_case(args: &RunArgs) -> Result<(Case, PathBuf), Error> {
    if let Some(path) = &args.case {
        let case = Case::load(path)?;
        let base = path.parent().map(Path::to_owned).unwrap_or_default();
        return Ok((case, base));
    }
    // clap requires a case file or both --charm and --event.
    let (Some(charm), Some(event)) = (&args.charm, &args.event) else {
        unreachable!("clap requires CASE.json or --charm and --event");
    };
    let state: State = match &args.state {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| Error::Io {
                context: format!("reading {}", file.display()),
                source: e,
            })?;
            case::from_json(&text)?
        }
        None => State::default(),
    };
    let case = Case {
        steps: Vec::new(),
        charm: charm.clone(),
        charm_class: args.class.clone(),
        context: ContextOptions::default(),
        event: Event::new(event.as_str()),
        state,
    };
    Ok((case, PathBuf::from(".")))
}

fn run_case(case: &Case, base: &Path) -> Result<ExitCode, Error> {
    ops_scenario::python::python_stdout_to_stderr()?;
    let output = case.run(base)?;
    let json = serde_json::to_string_pretty(&output.to_json()).expect("JSON values serialise");
    crate::print_stdout(&format!("{json}\n"));
    Ok(if output.error.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
