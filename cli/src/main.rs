//! `scenario`: run a charm event from the command line, JSON in, JSON out.
//!
//! ```text
//! scenario run CASE.json
//! scenario run --charm DIR --event NAME [--state STATE.json] [--class NAME]
//! scenario bench CASE.json [-n N] [--jobs J]
//! scenario snapshot APP/N [-m MODEL] [--format json|rust] [--include PARTS] [--fetch C:PATH]...
//!                   [--charm DIR] [--class NAME] [--event NAME]
//! scenario explore CHARM_DIR [--walks N | --runs N | --time T] [--seed S] [--jobs J]
//!                  [--shard K/N] [--out DIR] [--report FILE] [--timeout S] [--steps N]
//!                  [--class NAME] [--coverage]
//! scenario explore-merge REPORT.json... [--out DIR] [--charm DIR]
//! ```
//! This file holds the command line (clap) and the dispatch; each subcommand is its own
//! module. A usage error is one line on stderr naming what is wrong (and the nearest valid
//! name, when there is one) and pointing to the subcommand's `--help`, exit code 2.

mod bench;
mod explore;
mod run;
mod schema;
mod snapshot;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgGroup, Args, CommandFactory, Parser, Subcommand, ValueEnum};
use ops_scenario::snapshot::Part;

/// The exit codes of every subcommand, and where the JSON they read and write is described.
const AFTER_HELP: &str = concat!(
    "Exit codes: 0 done; 1 the charm raised (run) or a juju command failed (snapshot); ",
    "2 bad input (the message on stderr). `scenario <COMMAND> --help` says more.\n\n",
    "The JSON (case files, States, the Output) is described in docs/STATE_JSON.md ",
    "in the ops-scenario repository."
);

/// Run a Juju charm's events from the command line: JSON in, JSON out.
///
/// Each run executes the charm's real Python code on the real ops library, against a
/// simulated Juju, in this process.
#[derive(Debug, Parser)]
#[command(
    name = "scenario",
    version,
    subcommand_required = true,
    arg_required_else_help = false,
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Run(RunArgs),
    Bench(BenchArgs),
    Snapshot(SnapshotArgs),
    Schema(SchemaArgs),
    Explore(ExploreArgs),
    ExploreMerge(ExploreMergeArgs),
}

/// Run one event of a charm and print the Output as JSON on stdout.
///
/// Give a case file (the charm, the context, the event and the State in one JSON document), or
/// the charm, the event and optionally a State file. What the charm prints goes to stderr.
#[derive(Debug, Args)]
#[command(
    override_usage = "scenario run <CASE.json> [--timeout <SECONDS>]\n       \
                      scenario run --charm <DIR> --event <NAME> [--state <STATE.json>] [--class <NAME>] \
                      [--timeout <SECONDS>]",
    after_help = concat!(
        "Exit codes: 0 the run finished; 1 the charm raised or the run timed out (the Output ",
        "then has `error` and \"state\": null); 2 bad input (the message on stderr).\n\n",
        "The JSON (case files, States, the Output) is described in docs/STATE_JSON.md ",
        "in the ops-scenario repository."
    )
)]
#[command(group(ArgGroup::new("input").required(true).args(["case", "charm"])))]
struct RunArgs {
    /// The case file to run; paths in it are relative to its folder
    #[arg(value_name = "CASE.json", conflicts_with_all = ["charm", "event", "state", "class"])]
    case: Option<PathBuf>,
    /// The charm's directory (charmcraft.yaml or metadata.yaml, and src/charm.py)
    #[arg(long, value_name = "DIR", requires = "event")]
    charm: Option<PathBuf>,
    /// The event to run, as ops names it: start, config_changed, db_relation_changed, ...
    #[arg(long, value_name = "NAME", requires = "charm")]
    event: Option<String>,
    /// A JSON file holding the State to run on [default: a fresh unit's State]
    #[arg(long, value_name = "STATE.json", requires = "charm")]
    state: Option<PathBuf>,
    /// The charm class in src/charm.py [default: the one CharmBase subclass there]
    #[arg(long, value_name = "NAME", requires = "charm")]
    class: Option<String>,
    /// Interrupt the run after SECONDS (0: no limit) [default: the case's `context.timeout`,
    /// else 60]
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    timeout: Option<Timeout>,
}

/// A `--timeout`: a limit, or none.
#[derive(Clone, Copy, Debug)]
struct Timeout(Option<std::time::Duration>);

/// A `--timeout`: seconds, 0 for none.
fn parse_timeout(text: &str) -> Result<Timeout, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if seconds == 0.0 {
        return Ok(Timeout(None));
    }
    std::time::Duration::try_from_secs_f64(seconds)
        .map(|limit| Timeout(Some(limit)))
        .map_err(|_| format!("{text} is not a positive number of seconds (0 for no limit)"))
}

/// Time a case file: run it N times in one process and print the median time per run.
///
/// One untimed run comes first (it loads the charm); a case that does not run cleanly is
/// refused. Prints the start-up times, the spread, then `median 123.4 µs/run` as the last
/// line.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Exit codes: 0 timed; 2 bad input, or a case that does not run cleanly (the message on ",
    "stderr).\n\n",
    "The JSON (case files, States, the Output) is described in docs/STATE_JSON.md ",
    "in the ops-scenario repository."
))]
struct BenchArgs {
    /// The case file to time
    #[arg(value_name = "CASE.json")]
    case: PathBuf,
    /// The number of timed runs (with --jobs, split between the workers)
    #[arg(short = 'n', value_name = "N", default_value_t = 1000, value_parser = positive)]
    runs: usize,
    /// Time in J worker processes at once, each making its share of the runs: prints each
    /// worker's figures and the runs per second of all together
    #[arg(short, long, value_name = "J", default_value_t = 1, value_parser = jobs)]
    jobs: usize,
    /// Run as one of a parent's workers (internal): print "ready", wait for a line on
    /// stdin, time, print the figures as JSON
    #[arg(long, hide = true)]
    worker: bool,
}

/// Gather a live unit's State through the `juju` client and print it.
///
/// Prints the State as JSON; with --event, a case file that runs that event on it (for
/// `scenario run`); with --format rust, a Rust test that runs the event (default
/// update_status). Warnings (what could not be taken over as it was) go to stderr.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Exit codes: 0 done (warnings on stderr); 1 a juju command failed; 2 bad input.\n\n",
    "The JSON (case files, States, the Output) is described in docs/STATE_JSON.md ",
    "in the ops-scenario repository."
))]
struct SnapshotArgs {
    /// The unit, like web/0
    #[arg(value_name = "APP/N")]
    unit: String,
    /// The model, [<controller>:]<model> or a uuid [default: juju's current model]
    #[arg(short, long, value_name = "MODEL")]
    model: Option<String>,
    /// What to print: the State (or, with --event, a case file) as JSON, or a Rust test
    #[arg(short, long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// The parts of the State to gather, comma-separated or repeated [default: all]
    #[arg(
        short,
        long,
        value_name = "PARTS",
        value_delimiter = ',',
        value_parser = part_names()
    )]
    include: Vec<String>,
    /// Copy a container's file into the State: CONTAINER:/PATH, or a JSON file listing
    /// them, {"container": ["/path", ...]}; repeatable [default: none]
    #[arg(long, value_name = "C:PATH|FETCH.json")]
    fetch: Vec<String>,
    /// The charm's source: its metadata, and the charm the case or test runs [default: the
    /// metadata is read from the unit, the charm is `.`]
    #[arg(long, value_name = "DIR")]
    charm: Option<PathBuf>,
    /// The charm class the case or test names [default: the one CharmBase subclass]
    #[arg(long, value_name = "NAME")]
    class: Option<String>,
    /// Print a case file (or with --format rust, a test) that runs this event on the State
    /// [default: the State alone; for a test, update_status]
    #[arg(long, value_name = "NAME")]
    event: Option<String>,
}

/// Walk a charm through States and events drawn from its metadata, and report what breaks it.
///
/// Prints the seed first, then a summary: walks, runs, the events fired, the relations and
/// config drawn, with --coverage the line coverage of the charm's src/ and lib/ (`coverage`
/// installed in the charm's venv), the runs per second, and each finding (an exception the charm
/// raised, in which of its frames; a hang; a broken invariant), shrunk to the fewest steps
/// and the simplest State that still break it. With --out, each finding is written as a case
/// file for `scenario run` and a Rust test. On a terminal, a progress line on stderr.
///
/// The same charm, seed and walks give the same findings, in one process, over --jobs
/// workers or over --shard CI jobs merged with `scenario explore-merge`.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Exit codes: 0 nothing broke; 1 findings (in the summary, and with --out in files); ",
    "2 bad input (the message on stderr)."
))]
struct ExploreArgs {
    /// The charm's directory (charmcraft.yaml or metadata.yaml, and src/charm.py)
    #[arg(value_name = "CHARM_DIR")]
    charm: PathBuf,
    /// How many walks: each a drawn State, Juju's start-up sequence for it, then more
    /// events [default: 100, unless --runs or --time]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    walks: Option<u64>,
    /// Stop starting walks after N runs (shrinking included); with --jobs, N/J each
    #[arg(long, value_name = "N", value_parser = positive, conflicts_with = "walks")]
    runs: Option<usize>,
    /// Stop starting walks after T: seconds, or 30s, 2m, 1h; with --jobs, each worker
    #[arg(long, value_name = "T", value_parser = parse_time, conflicts_with_all = ["walks", "runs"])]
    time: Option<std::time::Duration>,
    /// At most this many events per walk after start-up
    #[arg(long, value_name = "N", default_value_t = 6)]
    steps: usize,
    /// The seed every draw follows from [default: drawn from the clock, and printed]
    #[arg(long, value_name = "SEED")]
    seed: Option<u64>,
    /// Explore in J worker processes at once (walk w in worker w mod J): the same findings
    /// as one process, sooner
    #[arg(short, long, value_name = "J", default_value_t = 1, value_parser = jobs)]
    jobs: usize,
    /// Only the walks of shard K of N (1 <= K <= N: walk w is in shard w mod N + 1), as one
    /// of N CI jobs; merge their --report files with `scenario explore-merge`
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<Shard>,
    /// Write each finding here: finding-N.json (a case file) and finding-N.rs (a test)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write the report as JSON (for `scenario explore-merge`)
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// The charm class in src/charm.py [default: the one CharmBase subclass there]
    #[arg(long, value_name = "NAME")]
    class: Option<String>,
    /// A run still going after SECONDS is a finding (type Timeout; 0: no limit)
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout, default_value = "10")]
    timeout: Timeout,
    /// Measure the line coverage of the charm's src/ and lib/ (needs `coverage` in the
    /// charm's venv; slows runs; see the README about runs that time out)
    #[arg(long)]
    coverage: bool,
    /// Run as worker INDEX of COUNT for a parent `explore --jobs` (internal): the walks
    /// whose number is INDEX modulo COUNT, progress and the report as JSON lines on stdout
    #[arg(long, hide = true, value_name = "INDEX/COUNT", value_parser = parse_worker)]
    worker: Option<Shard>,
}

/// Merge the --report files of `scenario explore --shard K/N` jobs into one report.
///
/// Prints the merged summary (the same one process exploring all the shards would print) and,
/// with --out, writes the findings as `scenario explore --out` does.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Exit codes: 0 nothing broke; 1 findings; 2 bad input, or reports of different ",
    "explorations (the message on stderr)."
))]
struct ExploreMergeArgs {
    /// The reports, written by `scenario explore --shard K/N --report FILE`
    #[arg(value_name = "REPORT.json", required = true)]
    reports: Vec<PathBuf>,
    /// Write each finding here: finding-N.json (a case file) and finding-N.rs (a test)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The charm's directory, where it is not where the reports say (another machine's path)
    #[arg(long, value_name = "DIR")]
    charm: Option<PathBuf>,
}

/// A part of an exploration: `index` of `count`, counted from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shard {
    index: u64,
    count: u64,
}

/// `--shard K/N`: 1 <= K <= N.
fn parse_shard(text: &str) -> Result<Shard, String> {
    let bad = || format!("{text:?} is not a shard K/N, with 1 <= K <= N (like 2/4)");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok(Shard {
        index: k - 1,
        count: n,
    })
}

/// `--worker INDEX/COUNT`: 0 <= INDEX < COUNT.
fn parse_worker(text: &str) -> Result<Shard, String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("{text:?} is not INDEX/COUNT"))?;
    let index = i
        .parse()
        .map_err(|_| format!("{text:?} is not INDEX/COUNT"))?;
    let count = n
        .parse()
        .map_err(|_| format!("{text:?} is not INDEX/COUNT"))?;
    if index >= count {
        return Err(format!("{text:?}: INDEX must be below COUNT"));
    }
    Ok(Shard { index, count })
}

/// `--jobs`: 1 to 256 worker processes.
fn jobs(value: &str) -> Result<usize, String> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=256).contains(n))
        .ok_or_else(|| format!("{value:?} is not a number of jobs from 1 to 256"))
}

/// `--time`: seconds (`20`, `1.5`), or with a unit (`500ms`, `30s`, `2m`, `1h`).
fn parse_time(text: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("{text:?} is not a time: seconds, or like 30s, 2m, 1h");
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let scale = match unit {
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad()),
    };
    let number: f64 = number.trim().parse().map_err(|_| bad())?;
    std::time::Duration::try_from_secs_f64(number * scale)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(bad)
}

/// Print the JSON Schema (draft 2020-12) of case files, of a State or of the Output.
///
/// Save it beside your case files and name it in them for your editor:
/// "$schema": "./case.schema.json" (docs/STATE_JSON.md).
#[derive(Debug, Args)]
#[command(after_help = "Exit codes: 0 printed; 2 bad arguments.")]
struct SchemaArgs {
    /// Which document
    #[arg(value_enum, default_value_t = Schema::Case)]
    which: Schema,
}

/// The documents `schema` describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Schema {
    /// A case file (`scenario run CASE.json`)
    Case,
    /// A State (`--state` files, `scenario snapshot`'s JSON)
    State,
    /// The Output `scenario run` prints
    Output,
}

/// What `snapshot` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The State, or with --event a case file, as JSON
    Json,
    /// A Rust test running the event on the State
    Rust,
}

/// `-n`: a number of runs, at least one.
fn positive(value: &str) -> Result<usize, String> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| "expected a positive number of runs".to_owned())
}

/// `--include`: `all` or a part's name (`stored_state` for `stored-state` too).
fn part_names() -> clap::builder::PossibleValuesParser {
    let all = clap::builder::PossibleValue::new("all").help("every part");
    let parts = Part::ALL.map(|part| {
        let name = part.name();
        let help = match part {
            Part::Relations => "relations and their databags",
            Part::Config => "config values",
            Part::Containers => "Pebble plans, service statuses, checks, notices (and --fetch)",
            Part::Networks => "the networks of the unit's bindings",
            Part::Secrets => "secrets the unit owns or observes",
            Part::Storage => "storage attached to the unit",
            Part::CloudSpec => "the cloud spec of a trusted application",
            Part::Deferred => "deferred events",
            Part::StoredState => "StoredState contents, the charm's and the framework's",
            Part::Status => "unit and app status, workload version, opened ports",
        };
        clap::builder::PossibleValue::new(name)
            .alias(name.replace('-', "_"))
            .help(help)
    });
    clap::builder::PossibleValuesParser::new(std::iter::once(all).chain(parts))
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err, &args),
    };
    let code = match cli.command {
        Command::Run(run) => run::run(&run),
        Command::Bench(bench) => bench::bench(&bench),
        Command::Snapshot(snapshot) => snapshot::snapshot(&snapshot, &args[2..]),
        Command::Schema(schema) => schema::schema(schema.which),
        Command::Explore(explore) => explore::explore(&explore),
        Command::ExploreMerge(merge) => explore::merge(&merge),
    };
    // The embedded interpreter is never finalised: flush what the charm printed.
    ops_scenario::python::flush_python_output();
    code
}

/// Print `text` on stdout. A reader that has gone away (`scenario run case.json | head`) is not
/// an error: the rest of the output is dropped, as other command-line tools do.
fn print_stdout(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("scenario: writing to stdout: {err}");
        }
        _ => {}
    }
}

/// `--help` and `--version` as clap prints them (exit code 0); any other error as one line on
/// stderr (exit code 2): what is wrong, the nearest valid name when clap found one, and the
/// subcommand's `--help`.
fn usage_error(err: &clap::Error, args: &[OsString]) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    eprintln!("scenario: {}", one_line(err, args));
    ExitCode::from(2)
}

/// The error's own sentence (clap's, up to its tips and usage) on one line, then the
/// suggestion and where the help is.
fn one_line(err: &clap::Error, args: &[OsString]) -> String {
    let rendered = err.render().to_string();
    let message = rendered.strip_prefix("error: ").unwrap_or(&rendered);
    // Clap lists what it names on the lines below its sentence: a list after a colon, a
    // bracketed note (`[possible values: ...]`) after a space, items after a comma.
    let mut line = String::new();
    for part in message
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
    {
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') || part.starts_with('[') {
                " "
            } else {
                ", "
            });
        }
        line.push_str(part);
    }
    let command = Cli::command();
    let mut suggested: Vec<String> = [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .flat_map(|kind| match err.get(kind) {
        Some(ContextValue::String(name)) => vec![name.clone()],
        Some(ContextValue::Strings(names)) => names.clone(),
        _ => Vec::new(),
    })
    .collect();
    // Clap's similarity misses transpositions in short names (`rnu`): a subcommand one or
    // two edits away.
    if let (ErrorKind::InvalidSubcommand, Some(ContextValue::String(typed)), true) = (
        err.kind(),
        err.get(ContextKind::InvalidSubcommand),
        suggested.is_empty(),
    ) {
        suggested.extend(
            command
                .get_subcommands()
                .map(|sub| sub.get_name())
                .filter(|name| strsim::damerau_levenshtein(typed, name) <= 2)
                .min_by_key(|name| strsim::damerau_levenshtein(typed, name))
                .map(str::to_owned),
        );
    }
    if !suggested.is_empty() {
        let names: Vec<String> = suggested.iter().map(|n| format!("'{n}'")).collect();
        line.push_str(&format!("; did you mean {}?", names.join(" or ")));
    }
    // No global options: the first argument names the subcommand, when it is one.
    let subcommand = args
        .get(1)
        .and_then(|arg| arg.to_str())
        .and_then(|name| command.find_subcommand(name))
        .map(|sub| format!(" {}", sub.get_name()))
        .unwrap_or_default();
    format!("{line} (see `scenario{subcommand} --help`)")
}
