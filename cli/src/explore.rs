//! `scenario explore`: walk a charm through drawn States and events, and write out what
//! breaks it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ops_scenario::explore::{Explorer, Report};
use ops_scenario::{Charm, Context, Error};

use crate::ExploreArgs;

/// Explore; exit code 0 when nothing broke, 1 with findings, 2 for bad input.
pub fn explore(args: &ExploreArgs) -> ExitCode {
    match run(args) {
        Ok(report) if report.findings.is_empty() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(err) => {
            eprintln!("scenario: {err}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &ExploreArgs) -> Result<Report, Error> {
    let seed = args.seed.unwrap_or_else(clock_seed);
    // The seed first, so that an interrupted exploration can be repeated.
    crate::print_stdout(&format!("seed {seed}\n"));
    let mut charm = Charm::from_dir(&args.charm)?;
    if let Some(class) = &args.class {
        charm = charm.class_name(class);
    }
    let ctx = match args.timeout.0 {
        Some(limit) => Context::new(charm)?.timeout(limit),
        None => Context::new(charm)?.no_timeout(),
    };
    ctx.start_python()?;
    ops_scenario::python::python_stdout_to_stderr()?;
    let report = Explorer::new(&ctx)
        .seed(seed)
        .walks(args.walks)
        .steps(args.steps)
        .run();
    if let Some(out) = &args.out {
        write_findings(&report, &ctx, &args.charm, out)?;
    }
    crate::print_stdout(&report.summary());
    Ok(report)
}

/// `finding-N.json` (a case file for `scenario run`) and `finding-N.rs` (a Rust test that
/// runs it) for each finding, in `out`.
fn write_findings(report: &Report, ctx: &Context, charm: &Path, out: &Path) -> Result<(), Error> {
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
