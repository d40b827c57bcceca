//! `scenario bench`: time a case file's run in one process.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ops_scenario::case::Case;
use ops_scenario::Error;

use crate::BenchArgs;

/// Time the case; exit code 0 when timed, 2 (with the message on stderr) for bad input or a
/// case that does not run cleanly.
pub fn bench(args: &BenchArgs) -> ExitCode {
    let timed = Case::load(&args.case).and_then(|case| {
        let base = args.case.parent().unwrap_or(Path::new(""));
        time(&case, base, args.runs)
    });
    match timed {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("scenario: {err}");
            ExitCode::from(2)
        }
    }
}

/// Time `runs` runs of the case after a first, untimed one. A run that fails (the charm
/// raised, or Juju refused its changes) stops the benchmark: it would time the failure.
fn time(case: &Case, base: &Path, runs: usize) -> Result<(), Error> {
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
    crate::print_stdout(&format!(
        "start-up: interpreter and `import ops` {:.1} ms; charm load and first run {:.1} ms\n\
         {runs} runs: min {:.1} µs, p10 {:.1} µs, p90 {:.1} µs, max {:.1} µs\n\
         median {:.1} µs/run\n",
        micros(python) / 1e3,
        micros(first_run) / 1e3,
        at(0.0),
        at(0.1),
        at(0.9),
        at(1.0),
        at(0.5),
    ));
    Ok(())
}
