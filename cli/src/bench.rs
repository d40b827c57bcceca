//! `scenario bench`: time a case file's run in one process, or in `--jobs` worker processes
//! of this binary at once (`bench --worker`, hidden: it prints `ready` once its first run is
//! done, waits for the parent's `go` line on stdin so that all workers start timing
//! together, then prints its figures as one JSON line).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use ops_scenario::case::Case;
use ops_scenario::Error;

use crate::BenchArgs;

/// Time the case; exit code 0 when timed, 2 (with the message on stderr) for bad input or a
/// case that does not run cleanly.
pub fn bench(args: &BenchArgs) -> ExitCode {
    let timed: Result<(), Box<dyn std::error::Error>> = if args.jobs > 1 {
        in_workers(args)
    } else {
        Case::load(&args.case)
            .and_then(|case| {
                let base = args.case.parent().unwrap_or(Path::new(""));
                time(&case, base, args.runs, args.worker)
            })
            .map_err(Into::into)
    };
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
fn time(case: &Case, base: &Path, runs: usize, worker: bool) -> Result<(), Error> {
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
    if worker {
        crate::print_stdout("ready\n");
        let _ = std::io::stdin().lock().read_line(&mut String::new());
    }
    let mut times = Vec::with_capacity(runs);
    let timing = Instant::now();
    for _ in 0..runs {
        let start = Instant::now();
        let output = prepared.run()?;
        times.push(start.elapsed());
        drop(output);
    }
    let elapsed = timing.elapsed().as_secs_f64();
    times.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let at = |q: f64| micros(times[((times.len() - 1) as f64 * q).round() as usize]);
    if worker {
        crate::print_stdout(&format!(
            "{{\"runs\": {runs}, \"elapsed\": {elapsed}, \"median_us\": {}}}\n",
            at(0.5)
        ));
        return Ok(());
    }
    crate::print_stdout(&format!(
        "start-up: interpreter and `import ops` {:.1} ms; charm load and first run {:.1} ms\n\
         {runs} runs: mean {:.1} µs, min {:.1} µs, p10 {:.1} µs, p90 {:.1} µs, max {:.1} µs\n\
         median {:.1} µs/run\n",
        micros(python) / 1e3,
        micros(first_run) / 1e3,
        elapsed * 1e6 / runs as f64,
        at(0.0),
        at(0.1),
        at(0.9),
        at(1.0),
        at(0.5),
    ));
    Ok(())
}

/// `--jobs J`: J workers each timing its share of the runs, started together; each one's
/// figures, then all together's runs per second.
fn in_workers(args: &BenchArgs) -> Result<(), Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let mut workers = Vec::new();
    for j in 0..args.jobs {
        let share = (args.runs / args.jobs + usize::from(j < args.runs % args.jobs)).max(1);
        let mut child = Command::new(&exe)
            .arg("bench")
            .arg(&args.case)
            .args(["-n", &share.to_string(), "--worker"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        workers.push((child, stdout));
    }
    let mut failed = None;
    for (j, (_, stdout)) in workers.iter_mut().enumerate() {
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        if line.trim() != "ready" {
            failed = Some(j);
            break;
        }
    }
    if let Some(j) = failed {
        for (child, _) in &mut workers {
            let _ = child.kill();
            let _ = child.wait();
        }
        return Err(format!(
            "bench worker {} stopped before timing (its error is above)",
            j + 1
        )
        .into());
    }
    let started = Instant::now();
    for (child, _) in &mut workers {
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(b"go\n")?;
        }
    }
    let mut text = String::new();
    let mut total = 0;
    for (j, (child, stdout)) in workers.iter_mut().enumerate() {
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        child.wait()?;
        let figures: serde_json::Value = serde_json::from_str(&line)
            .map_err(|_| format!("bench worker {} stopped before its figures", j + 1))?;
        let runs = figures["runs"].as_u64().unwrap_or(0) as usize;
        let elapsed = figures["elapsed"].as_f64().unwrap_or(0.0);
        total += runs;
        text.push_str(&format!(
            "worker {}: {runs} runs in {elapsed:.2} s, {:.0} runs/s, median {:.1} µs/run\n",
            j + 1,
            runs as f64 / elapsed,
            figures["median_us"].as_f64().unwrap_or(0.0),
        ));
    }
    let wall = started.elapsed().as_secs_f64();
    text.push_str(&format!(
        "{} workers: {total} runs in {wall:.2} s, {:.0} runs/s\n",
        args.jobs,
        total as f64 / wall
    ));
    crate::print_stdout(&text);
    Ok(())
}
