//! Exploring over worker processes of this binary: a worker (`explore --worker I/J`,
//! hidden) explores the walks whose number is I modulo J and talks to its parent in JSON
//! lines on stdout ([`Line`]): `"ready"` once its charm's interpreter is up, then (after the
//! parent's `go` line on stdin, so that all workers start their clocks together) progress,
//! then what it explored. What the charm prints goes to stderr, which the parent shares with
//! its workers.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ops_scenario::Error;
use serde::{Deserialize, Serialize};

use super::{budget, context, explore_here, Budget, Explored, Fallible, Progress};
use crate::{ExploreArgs, Shard};

/// A worker's line on stdout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Line {
    /// Its interpreter is up; it waits for `go` on stdin.
    Ready,
    /// So far: walks, runs, and the findings (exception type and frame).
    Progress {
        walks: usize,
        runs: usize,
        findings: Vec<String>,
    },
    /// Done: what it explored.
    Done(Box<Explored>),
}

/// A worker: explore `shard`, talking to the parent in JSON lines on stdout.
pub(super) fn worker(args: &ExploreArgs, shard: Shard) -> Fallible<()> {
    let seed = args.seed.unwrap_or(0);
    let ctx = context(&args.charm, args.class.as_deref(), args.timeout.0)?;
    ctx.start_python()?;
    ops_scenario::python::python_stdout_to_stderr()?;
    say(&Line::Ready);
    // Wait for the parent's `go` (or the end of stdin).
    let _ = std::io::stdin().lock().read_line(&mut String::new());
    let mut last = Instant::now();
    let explored = explore_here(args, &ctx, seed, shard, budget(args), |report| {
        if last.elapsed() >= Duration::from_millis(100) {
            last = Instant::now();
            say(&Line::Progress {
                walks: report.walks,
                runs: report.runs,
                findings: report.findings.iter().map(key_text).collect(),
            });
        }
    })?;
    say(&Line::Done(Box::new(explored)));
    Ok(())
}

/// One JSON line on stdout. A parent that has gone away ends the worker.
fn say(line: &Line) {
    let text = serde_json::to_string(line).expect("a line serialises") + "\n";
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        std::process::exit(3);
    }
}

/// A finding's identity, for counting distinct findings in progress.
fn key_text(finding: &ops_scenario::explore::Finding) -> String {
    format!("{} at {}", finding.key.exc_type, finding.key.frame)
}

/// A started worker process.
struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
}

/// Explore `shard` over `args.jobs` workers (worker j takes sub-shard `shard.index + j *
/// shard.count` of `shard.count * jobs`), and merge what they explored.
pub(super) fn explore_in_workers(
    args: &ExploreArgs,
    seed: u64,
    shard: Shard,
    progress: &mut Progress,
) -> Fallible<(Explored, f64)> {
    let jobs = args.jobs as u64;
    let exe = std::env::current_exe().map_err(|source| Error::Io {
        context: "finding the scenario binary".into(),
        source,
    })?;
    let (tx, rx) = mpsc::channel::<(usize, Option<Line>)>();
    let mut workers = Vec::new();
    for j in 0..jobs {
        let mut cmd = Command::new(&exe);
        cmd.arg("explore")
            .arg(&args.charm)
            .arg("--worker")
            .arg(format!(
                "{}/{}",
                shard.index + j * shard.count,
                shard.count * jobs
            ))
            .args(["--seed", &seed.to_string()])
            .args(["--steps", &args.steps.to_string()])
            .args([
                "--timeout",
                &args.timeout.0.map_or(0.0, |t| t.as_secs_f64()).to_string(),
            ]);
        match budget(args) {
            Budget::Walks(walks) => cmd.args(["--walks", &walks.to_string()]),
            Budget::Runs(runs) => {
                let share = runs / args.jobs + usize::from((j as usize) < runs % args.jobs);
                cmd.args(["--runs", &share.max(1).to_string()])
            }
            Budget::Time(time) => cmd.args(["--time", &time.as_secs_f64().to_string()]),
        };
        if let Some(class) = &args.class {
            cmd.args(["--class", class]);
        }
        if args.coverage {
            cmd.arg("--coverage");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|source| Error::Io {
                context: format!("starting worker {}", j + 1),
                source,
            })?;
        let stdout = child.stdout.take().expect("piped");
        let tx = tx.clone();
        let index = j as usize;
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match serde_json::from_str::<Line>(&line) {
                    Ok(said) => {
                        if tx.send((index, Some(said))).is_err() {
                            return;
                        }
                    }
                    // Not the worker's own: something the charm wrote to the process's
                    // stdout directly.
                    Err(_) => eprintln!("{line}"),
                }
            }
            let _ = tx.send((index, None));
        });
        let stdin = child.stdin.take();
        workers.push(Worker { child, stdin });
    }
    drop(tx);
    let result = gather(&mut workers, &rx, progress);
    for worker in &mut workers {
        if result.is_err() {
            let _ = worker.child.kill();
        }
        let _ = worker.child.wait();
    }
    result
}

/// Start the workers together once all are ready, follow their progress, and merge what
/// they explored.
fn gather(
    workers: &mut [Worker],
    rx: &mpsc::Receiver<(usize, Option<Line>)>,
    progress: &mut Progress,
) -> Fallible<(Explored, f64)> {
    let n = workers.len();
    let failed = |j: usize| {
        format!(
            "explore worker {} of {n} stopped before its report (its error is above)",
            j + 1
        )
    };
    let mut ready = 0;
    while ready < n {
        match rx.recv() {
            Ok((_, Some(Line::Ready))) => ready += 1,
            Ok((j, None)) => return Err(failed(j).into()),
            Ok(_) => {}
            Err(_) => return Err(failed(0).into()),
        }
    }
    for worker in workers.iter_mut() {
        if let Some(mut stdin) = worker.stdin.take() {
            let _ = stdin.write_all(b"go\n");
        }
    }
    let started = Instant::now();
    progress.started = started;
    let mut seen: Vec<(usize, usize, Vec<String>)> = vec![(0, 0, Vec::new()); n];
    let mut done: Vec<Option<Explored>> = vec![None; n];
    while done.iter().any(Option::is_none) {
        match rx.recv() {
            Ok((
                j,
                Some(Line::Progress {
                    walks,
                    runs,
                    findings,
                }),
            )) => {
                seen[j] = (walks, runs, findings);
                let walks = seen.iter().map(|s| s.0).sum();
                let runs = seen.iter().map(|s| s.1).sum();
                let findings: BTreeSet<String> =
                    seen.iter().flat_map(|s| s.2.iter().cloned()).collect();
                progress.show(walks, runs, findings.len());
            }
            Ok((j, Some(Line::Done(explored)))) => done[j] = Some(*explored),
            Ok((j, None)) if done[j].is_none() => return Err(failed(j).into()),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let mut parts = done.into_iter().flatten();
    let mut merged = parts.next().ok_or_else(|| failed(0))?;
    for part in parts {
        merged.merge(part);
    }
    Ok((merged, started.elapsed().as_secs_f64()))
}
