//! `scenario explore`: walk a charm through drawn States and events, and write out what
//! breaks it; in this process, over `--jobs` worker processes of this binary, or as one
//! `--shard` of several whose reports `scenario explore-merge` puts together.
//!
//! Workers: [`workers`]; line coverage: [`coverage`].

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ops_scenario::explore::{Explorer, Report};
use ops_scenario::{Charm, Context, Error};
use serde::{Deserialize, Serialize};

use crate::{ExploreArgs, ExploreMergeArgs, Shard};

mod coverage;
mod workers;

use coverage::Coverage;
use workers::{explore_in_workers, worker};

/// An error to print: the engine's, or the CLI's own.
type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// What one exploration (a process, a worker, a shard, or their merge) did: the library's
/// Report and what the CLI adds. The `--report` file, and a worker's last line.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Explored {
    /// The library's [`Report`].
    report: Report,
    /// The charm explored (its absolute directory) and its class: what case files name.
    charm: PathBuf,
    class: Option<String>,
    /// The run time limit, seconds (`None`: no limit).
    timeout: Option<f64>,
    /// Events per walk after start-up, at most.
    steps: usize,
    /// Which shard, from 0, of how many (`[0, 1]`: all the walks).
    shard: [u64; 2],
    /// Seconds from the first walk to the last one's end (a merge: the longest part's).
    elapsed: f64,
    /// Each process that explored: its runs and its seconds.
    workers: Vec<WorkerFigures>,
    /// The charm's line coverage over the exploration.
    coverage: Coverage,
}

/// One worker's runs and the time they took.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct WorkerFigures {
    runs: usize,
    elapsed: f64,
}

impl Explored {
    /// Another part of the same exploration (other walks) added to this one.
    fn merge(&mut self, other: Explored) {
        // Each walk's findings come from one part, in the order that part found them; put
        // them back in that order after `Report::merge`, which sorts by walk alone and can
        // leave a finding in the place of the same finding from a later walk of this part.
        let mut rank = std::collections::HashMap::new();
        for part in [&self.report.findings, &other.report.findings] {
            for (i, finding) in part.iter().enumerate() {
                rank.insert((finding.key.clone(), finding.walk), i);
            }
        }
        self.report.merge(other.report);
        self.report
            .findings
            .sort_by_key(|f| (f.walk, rank.get(&(f.key.clone(), f.walk)).copied()));
        self.elapsed = self.elapsed.max(other.elapsed);
        self.workers.extend(other.workers);
        self.coverage.merge(other.coverage);
    }

    /// The summary: the Report's, the coverage line, then the runs per second.
    fn summary(&self, wall: f64) -> String {
        let mut text = self.report.summary();
        // The findings come last in the Report's summary: the coverage and rate before them.
        let at = text.find("\nfinding 1: ").map_or(text.len(), |at| at + 1);
        let mut middle = self.coverage.line();
        let rate = |runs: usize, secs: f64| if secs > 0.0 { runs as f64 / secs } else { 0.0 };
        middle.push_str(&format!(
            "throughput: {} runs in {wall:.1} s, {:.0} runs/s",
            self.report.runs,
            rate(self.report.runs, wall)
        ));
        if self.workers.len() > 1 {
            let each: Vec<String> = self
                .workers
                .iter()
                .map(|w| format!("{:.0}", rate(w.runs, w.elapsed)))
                .collect();
            middle.push_str(&format!(
                " ({} workers: {} runs/s)",
                self.workers.len(),
                each.join(", ")
            ));
        }
        middle.push('\n');
        text.insert_str(at, &middle);
        text
    }
}

/// What bounds an exploration.
#[derive(Clone, Copy, Debug)]
enum Budget {
    Walks(u64),
    Runs(usize),
    Time(Duration),
}

/// Explore; exit code 0 when nothing broke, 1 with findings, 2 for bad input.
pub fn explore(args: &ExploreArgs) -> ExitCode {
    let result = match args.worker {
        Some(shard) => worker(args, shard).map(|()| None),
        None => explore_and_report(args).map(Some),
    };
    match result {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(report)) if report.findings.is_empty() => ExitCode::SUCCESS,
        Ok(Some(_)) => ExitCode::from(1),
        Err(err) => {
            eprintln!("scenario: {err}");
            ExitCode::from(2)
        }
    }
}

/// The budget the options give, 100 walks by default.
fn budget(args: &ExploreArgs) -> Budget {
    match (args.walks, args.runs, args.time) {
        (_, Some(runs), _) => Budget::Runs(runs),
        (_, _, Some(time)) => Budget::Time(time),
        (walks, None, None) => Budget::Walks(walks.unwrap_or(100)),
    }
}

/// The charm and its Context, as the options name them (the interpreter not started).
fn context(charm_dir: &Path, class: Option<&str>, timeout: Option<Duration>) -> Fallible<Context> {
    let mut charm = Charm::from_dir(charm_dir)?;
    if let Some(class) = class {
        charm = charm.class_name(class);
    }
    Ok(match timeout {
        Some(limit) => Context::new(charm)?.timeout(limit),
        None => Context::new(charm)?.no_timeout(),
    })
}

fn explore_and_report(args: &ExploreArgs) -> Fallible<Report> {
    let seed = args.seed.unwrap_or_else(clock_seed);
    // The seed first, so that an interrupted exploration can be repeated.
    crate::print_stdout(&format!("seed {seed}\n"));
    let ctx = context(&args.charm, args.class.as_deref(), args.timeout.0)?;
    let shard = args.shard.unwrap_or(Shard { index: 0, count: 1 });
    let mut progress = Progress::new();
    let (explored, wall) = if args.jobs == 1 {
        ctx.start_python()?;
        ops_scenario::python::python_stdout_to_stderr()?;
        let explored = explore_here(args, &ctx, seed, shard, budget(args), |report| {
            progress.show(report.walks, report.runs, report.findings.len());
        })?;
        let wall = explored.elapsed;
        (explored, wall)
    } else {
        let (mut explored, wall) = explore_in_workers(args, seed, shard, &mut progress)?;
        // The workers' sub-shards make up this process's shard.
        explored.shard = [shard.index, shard.count];
        (explored, wall)
    };
    progress.clear();
    finish(
        &explored,
        &ctx,
        args.out.as_deref(),
        args.report.as_deref(),
        wall,
    )?;
    Ok(explored.report)
}

/// Write the findings and the report file, and print the summary.
fn finish(
    explored: &Explored,
    ctx: &Context,
    out: Option<&Path>,
    report_file: Option<&Path>,
    wall: f64,
) -> Fallible<()> {
    if let Some(out) = out {
        write_findings(&explored.report, ctx, &explored.charm, out)?;
    }
    if let Some(path) = report_file {
        let json = serde_json::to_string_pretty(explored).expect("a report serialises");
        std::fs::write(path, json + "\n").map_err(|source| Error::Io {
            context: format!("writing {}", path.display()),
            source,
        })?;
    }
    crate::print_stdout(&explored.summary(wall));
    Ok(())
}

/// Explore `shard` of the walks in this process (the interpreter started), measuring line
/// coverage unless told not to; `progress` after each walk.
fn explore_here(
    args: &ExploreArgs,
    ctx: &Context,
    seed: u64,
    shard: Shard,
    budget: Budget,
    progress: impl FnMut(&Report),
) -> Fallible<Explored> {
    let charm_dir = ctx.charm().dir().to_owned();
    let importable = coverage::importable()?;
    if importable && args.coverage {
        coverage::start(&charm_dir)?;
    }
    let mut explorer = Explorer::new(ctx)
        .seed(seed)
        .steps(args.steps)
        .shard(shard.index, shard.count);
    explorer = match budget {
        Budget::Walks(walks) => explorer.walks(walks),
        Budget::Runs(runs) => explorer.runs(runs),
        Budget::Time(time) => explorer.time(time),
    };
    let started = Instant::now();
    let report = explorer.run_with_progress(progress);
    let elapsed = started.elapsed().as_secs_f64();
    let coverage = match (importable, args.coverage) {
        (false, _) => Coverage::NotInstalled,
        (true, false) => Coverage::NotAsked,
        (true, true) => Coverage::Lines(coverage::stop(&charm_dir)?),
    };
    Ok(Explored {
        workers: vec![WorkerFigures {
            runs: report.runs,
            elapsed,
        }],
        report,
        charm: charm_dir,
        class: args.class.clone(),
        timeout: args.timeout.0.map(|t| t.as_secs_f64()),
        steps: args.steps,
        shard: [shard.index, shard.count],
        elapsed,
        coverage,
    })
}

/// `scenario explore-merge`: merge shards' reports, print the summary, write the findings.
pub fn merge(args: &ExploreMergeArgs) -> ExitCode {
    match merge_reports(args) {
        Ok(report) if report.findings.is_empty() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(err) => {
            eprintln!("scenario: {err}");
            ExitCode::from(2)
        }
    }
}

fn merge_reports(args: &ExploreMergeArgs) -> Fallible<Report> {
    let mut merged: Option<Explored> = None;
    let mut shards = BTreeSet::new();
    for path in &args.reports {
        let bad = |message: String| -> Box<dyn std::error::Error> {
            Box::new(Error::InvalidInput {
                path: path.display().to_string(),
                message,
            })
        };
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            context: format!("reading {}", path.display()),
            source,
        })?;
        let part: Explored = serde_json::from_str(&text)
            .map_err(|e| bad(format!("not a report of `scenario explore --report` ({e})")))?;
        if !shards.insert(part.shard) {
            return Err(bad(format!(
                "shard {}/{} is given twice",
                part.shard[0] + 1,
                part.shard[1]
            )));
        }
        match &mut merged {
            None => merged = Some(part),
            Some(so_far) => {
                if so_far.report.seed != part.report.seed
                    || so_far.steps != part.steps
                    || so_far.shard[1] != part.shard[1]
                {
                    return Err(bad(format!(
                        "another exploration's report: seed {}, --steps {}, {} shards, where \
                         the first has seed {}, --steps {}, {} shards",
                        part.report.seed,
                        part.steps,
                        part.shard[1],
                        so_far.report.seed,
                        so_far.steps,
                        so_far.shard[1]
                    )));
                }
                so_far.merge(part);
            }
        }
    }
    let mut merged = merged.expect("clap requires a report");
    let count = merged.shard[1];
    let missing: Vec<String> = (0..count)
        .filter(|k| !shards.iter().any(|s| s[0] == *k))
        .map(|k| format!("{}/{count}", k + 1))
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "scenario: warning: without shard {}: the merged report covers part of the walks",
            missing.join(", ")
        );
    }
    merged.shard = [0, 1];
    if let Some(charm) = &args.charm {
        merged.charm = std::path::absolute(charm).unwrap_or_else(|_| charm.clone());
    }
    crate::print_stdout(&format!("seed {}\n", merged.report.seed));
    let ctx = context(
        &merged.charm,
        merged.class.as_deref(),
        merged.timeout.map(Duration::from_secs_f64),
    )?;
    let wall = merged.elapsed;
    finish(&merged, &ctx, args.out.as_deref(), None, wall)?;
    Ok(merged.report)
}

/// The progress line on stderr, rewritten in place at most ten times a second; only on a
/// terminal.
struct Progress {
    on: bool,
    started: Instant,
    shown: Option<Instant>,
}

impl Progress {
    fn new() -> Self {
        Progress {
            on: std::io::stderr().is_terminal(),
            started: Instant::now(),
            shown: None,
        }
    }

    fn show(&mut self, walks: usize, runs: usize, findings: usize) {
        if !self.on
            || self
                .shown
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.shown = Some(Instant::now());
        let secs = self.started.elapsed().as_secs_f64();
        let line = format!(
            "\r\x1b[Kexplore: {walks} walks, {runs} runs, {:.0} runs/s, {} findings",
            if secs > 0.0 { runs as f64 / secs } else { 0.0 },
            findings
        );
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    /// Erase the line, before the summary.
    fn clear(&mut self) {
        if self.on && self.shown.is_some() {
            let _ = std::io::stderr().lock().write_all(b"\r\x1b[K");
        }
    }
}

/// `finding-N.json` (a case file for `scenario run`) and `finding-N.rs` (a Rust test that
/// runs it) for each finding, in `out`.
fn write_findings(report: &Report, ctx: &Context, charm: &Path, out: &Path) -> Fallible<()> {
    let io = |what: &Path| {
        let context = format!("writing {}", what.display());
        move |source| Error::Io { context, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let charm = std::path::absolute(charm).unwrap_or_else(|_| PathBuf::from(charm));
    for (i, finding) in report.findings.iter().enumerate() {
        let case_path = out.join(format!("finding-{}.json", i + 1));
        let case = finding.case(&charm, ctx);
        let json = serde_json::to_string_pretty(&case).expect("a case serialises");
        std::fs::write(&case_path, json + "\n").map_err(io(&case_path))?;
        let absolute = std::path::absolute(&case_path).unwrap_or(case_path);
        let test_path = out.join(format!("finding-{}.rs", i + 1));
        let test = finding.rust_test(&format!("explore_finding_{}", i + 1), &absolute);
        std::fs::write(&test_path, test).map_err(io(&test_path))?;
    }
    Ok(())
}

/// A seed from the clock, for an exploration that names none.
fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
