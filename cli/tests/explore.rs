//! `scenario explore`: the seed first, the summary, the findings written as case files that
//! `scenario run` reproduces; exit code 1 with findings, 0 without, 2 for a bad charm.

mod common;

use common::{finish, pty, scenario};

#[test]
fn explore_finds_the_planted_bugs_and_writes_reproducers() {
    let out = tempfile::tempdir().unwrap();
    let done = finish(&mut scenario([
        "explore".as_ref(),
        "tests/charms/fragile".as_ref(),
        "--walks".as_ref(),
        "30".as_ref(),
        "--seed".as_ref(),
        "3".as_ref(),
        "--out".as_ref(),
        out.path().as_os_str(),
        // One of the bugs is a hang.
        "--timeout".as_ref(),
        "0.3".as_ref(),
    ]));
    assert_eq!(done.code, Some(1), "{}\n{}", done.stdout, done.stderr);
    assert!(done.stdout.starts_with("seed 3\n"), "{}", done.stdout);
    let findings: usize = done
        .stdout
        .lines()
        .nth(1)
        .and_then(|line| line.strip_suffix(" findings"))
        .and_then(|line| line.rsplit(", ").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", done.stdout));
    assert!(findings >= 3, "{}", done.stdout);
    assert!(!out
        .path()
        .join(format!("finding-{}.json", findings + 1))
        .exists());
    for n in 1..=findings {
        let case = out.path().join(format!("finding-{n}.json"));
        let test = std::fs::read_to_string(out.path().join(format!("finding-{n}.rs"))).unwrap();
        assert!(
            test.contains(&format!("fn explore_finding_{n}()")),
            "{test}"
        );
        // The case file reproduces the failure: `scenario run` exits 1 with the error.
        let run = finish(&mut scenario(["run".as_ref(), case.as_os_str()]));
        assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    }
}

#[test]
fn explore_exits_0_when_nothing_breaks_and_2_for_a_missing_charm() {
    let done = finish(&mut scenario([
        "explore",
        "tests/charms/null",
        "--walks",
        "5",
        "--seed",
        "1",
    ]));
    assert_eq!(done.code, Some(0), "{}\n{}", done.stdout, done.stderr);
    assert!(done.stdout.contains(", 0 findings\n"), "{}", done.stdout);
    let missing = finish(&mut scenario(["explore", "tests/charms/no-such-charm"]));
    assert_eq!(missing.code, Some(2), "{}", missing.stderr);
    assert!(
        missing.stderr.starts_with("scenario: "),
        "{}",
        missing.stderr
    );
}

/// The lines of an exploration's output that follow from the seed and the walks alone: the
/// events fired, the relations and config drawn, the findings (not the runs, which count
/// the shrinking of a finding that two workers both found, nor the times).
fn deterministic(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|line| {
            [
                "events fired:",
                "relations drawn:",
                "config drawn:",
                "finding ",
            ]
            .iter()
            .any(|start| line.starts_with(start))
        })
        .collect()
}

/// `scenario explore` on the fragile charm, seed 11, 24 walks, a short time limit (it hangs).
fn fragile(extra: &[&std::ffi::OsStr]) -> common::Finished {
    let mut args: Vec<&std::ffi::OsStr> = [
        "explore",
        "tests/charms/fragile",
        "--walks",
        "24",
        "--seed",
        "11",
        "--timeout",
        "0.2",
    ]
    .iter()
    .map(|a| a.as_ref())
    .collect();
    args.extend_from_slice(extra);
    let done = finish(&mut scenario(args));
    assert_eq!(done.code, Some(1), "{}\n{}", done.stdout, done.stderr);
    done
}

#[test]
fn jobs_and_shards_find_what_one_process_finds() {
    let dir = tempfile::tempdir().unwrap();
    let (out_one, out_two) = (dir.path().join("one"), dir.path().join("two"));
    let one = fragile(&["--out".as_ref(), out_one.as_os_str()]);
    let lines = deterministic(&one.stdout);
    assert!(
        lines.iter().any(|l| l.starts_with("events fired: ")),
        "{}",
        one.stdout
    );
    assert!(
        lines.iter().filter(|l| l.starts_with("finding ")).count() >= 3,
        "{}",
        one.stdout
    );
    // Not a terminal: no progress line.
    assert!(
        !one.stderr.contains('\r') && !one.stderr.contains("explore: "),
        "{}",
        one.stderr
    );

    let two = fragile(&[
        "--jobs".as_ref(),
        "2".as_ref(),
        "--out".as_ref(),
        out_two.as_os_str(),
    ]);
    assert_eq!(deterministic(&two.stdout), lines, "{}", two.stdout);
    // The same case files.
    for n in 1..=lines.iter().filter(|l| l.starts_with("finding ")).count() {
        let case = |dir: &std::path::Path| {
            std::fs::read_to_string(dir.join(format!("finding-{n}.json"))).unwrap()
        };
        assert_eq!(case(&out_one), case(&out_two), "finding {n}");
    }
    assert!(two.stdout.starts_with("seed 11\n"), "{}", two.stdout);
    assert!(two.stdout.contains(" (2 workers: "), "{}", two.stdout);
    assert!(!two.stderr.contains('\r'), "{}", two.stderr);

    // Two CI shards, merged: the same findings, written out as one process writes them.
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for (shard, report) in [("1/2", &a), ("2/2", &b)] {
        fragile(&[
            "--shard".as_ref(),
            shard.as_ref(),
            "--report".as_ref(),
            report.as_os_str(),
        ]);
    }
    let out = dir.path().join("findings");
    let merged = finish(&mut scenario([
        "explore-merge".as_ref(),
        b.as_os_str(),
        a.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    assert_eq!(merged.code, Some(1), "{}\n{}", merged.stdout, merged.stderr);
    assert!(merged.stdout.starts_with("seed 11\n"), "{}", merged.stdout);
    assert_eq!(deterministic(&merged.stdout), lines, "{}", merged.stdout);
    let findings = lines.iter().filter(|l| l.starts_with("finding ")).count();
    for n in 1..=findings {
        let name = format!("finding-{n}.json");
        assert_eq!(
            std::fs::read_to_string(out.join(&name)).unwrap(),
            std::fs::read_to_string(out_one.join(&name)).unwrap(),
            "{name}"
        );
    }
    assert!(!out.join(format!("finding-{}.json", findings + 1)).exists());

    // A shard given twice, or another exploration's report, is refused.
    let twice = finish(&mut scenario([
        "explore-merge".as_ref(),
        a.as_os_str(),
        a.as_os_str(),
    ]));
    assert_eq!(twice.code, Some(2), "{}", twice.stderr);
    assert!(
        twice.stderr.contains("shard 1/2 is given twice"),
        "{}",
        twice.stderr
    );
    let other = dir.path().join("other.json");
    let text = std::fs::read_to_string(&b)
        .unwrap()
        .replacen("\"seed\": 11", "\"seed\": 12", 1);
    std::fs::write(&other, text).unwrap();
    let mixed = finish(&mut scenario([
        "explore-merge".as_ref(),
        a.as_os_str(),
        other.as_os_str(),
    ]));
    assert_eq!(mixed.code, Some(2), "{}", mixed.stderr);
    assert!(
        mixed.stderr.contains("another exploration's report"),
        "{}",
        mixed.stderr
    );
    // One shard alone: merged with a warning.
    let part = finish(&mut scenario(["explore-merge".as_ref(), a.as_os_str()]));
    assert_eq!(part.code, Some(1), "{}", part.stderr);
    assert!(part.stderr.contains("without shard 2/2"), "{}", part.stderr);
}

/// The summary's first line (`seed S: W walks ..., R runs, ...`): walks and runs.
fn walks_and_runs(stdout: &str) -> (usize, usize) {
    let line = stdout.lines().nth(1).unwrap_or_default();
    let line = line.split_once(": ").map_or(line, |(_, rest)| rest);
    let number = |what: &str| -> usize {
        line.split(", ")
            .find_map(|part| {
                let mut words = part.split_whitespace();
                let n = words.next()?.parse().ok()?;
                (words.next()? == what).then_some(n)
            })
            .unwrap_or_else(|| panic!("{stdout}"))
    };
    (number("walks"), number("runs"))
}

#[test]
fn runs_and_time_budgets_are_kept() {
    // --runs N: walks start until N runs were made (a walk of the null charm is a few runs).
    for jobs in ["1", "2"] {
        let done = finish(&mut scenario([
            "explore",
            "tests/charms/null",
            "--runs",
            "40",
            "--seed",
            "2",
            "--jobs",
            jobs,
        ]));
        assert_eq!(done.code, Some(0), "{}\n{}", done.stdout, done.stderr);
        let (walks, runs) = walks_and_runs(&done.stdout);
        assert!((40..40 + 20).contains(&runs), "{}", done.stdout);
        assert!(walks < 40, "{}", done.stdout);
    }
    // --time T: walks start for T, then the last one ends.
    let started = std::time::Instant::now();
    let done = finish(&mut scenario([
        "explore",
        "tests/charms/null",
        "--time",
        "1500ms",
        "--seed",
        "2",
    ]));
    let took = started.elapsed();
    assert_eq!(done.code, Some(0), "{}\n{}", done.stdout, done.stderr);
    assert!(took >= std::time::Duration::from_millis(1500), "{took:?}");
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
    let (walks, _) = walks_and_runs(&done.stdout);
    assert!(walks > 1, "{}", done.stdout);
    let rate = done
        .stdout
        .lines()
        .find(|l| l.starts_with("throughput: "))
        .unwrap_or_else(|| panic!("{}", done.stdout));
    assert!(rate.ends_with(" runs/s"), "{rate}");
}

/// Whether `coverage` is importable in the venv the tests run the charms in.
fn venv_has_coverage() -> bool {
    let venv = std::env::var("VIRTUAL_ENV").unwrap_or_default();
    std::process::Command::new(std::path::Path::new(&venv).join("bin/python"))
        .args(["-c", "import coverage"])
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
fn coverage_is_measured_when_asked_and_installed() {
    let measured = finish(&mut scenario([
        "explore",
        "tests/charms/null",
        "--walks",
        "3",
        "--seed",
        "1",
        "--coverage",
    ]));
    assert_eq!(
        measured.code,
        Some(0),
        "{}\n{}",
        measured.stdout,
        measured.stderr
    );
    let line = measured
        .stdout
        .lines()
        .find(|l| l.starts_with("line coverage: "))
        .unwrap_or_else(|| panic!("{}", measured.stdout));
    if venv_has_coverage() {
        assert!(
            line.contains("% of ") && line.contains("src/charm.py "),
            "{line}"
        );
    } else {
        assert_eq!(
            line,
            "line coverage: install `coverage` in the charm's venv"
        );
    }
    let not_asked = finish(&mut scenario([
        "explore",
        "tests/charms/null",
        "--walks",
        "2",
        "--seed",
        "1",
        "--jobs",
        "2",
    ]));
    assert_eq!(not_asked.code, Some(0), "{}", not_asked.stderr);
    let expected = if venv_has_coverage() {
        "line coverage: not measured (--coverage measures it)"
    } else {
        "line coverage: install `coverage` in the charm's venv"
    };
    assert!(
        not_asked.stdout.lines().any(|l| l == expected),
        "{}",
        not_asked.stdout
    );
}

#[test]
fn bad_jobs_shards_and_budgets_are_usage_errors() {
    for (args, says) in [
        (&["--jobs", "0"][..], "not a number of jobs"),
        (&["--jobs", "many"][..], "not a number of jobs"),
        (&["--shard", "0/2"][..], "not a shard K/N"),
        (&["--shard", "3/2"][..], "not a shard K/N"),
        (&["--shard", "2"][..], "not a shard K/N"),
        (&["--time", "soon"][..], "not a time"),
        (&["--time", "0"][..], "not a time"),
        (&["--runs", "0"][..], "positive number of runs"),
        (&["--runs", "5", "--walks", "5"][..], "cannot be used with"),
        (&["--time", "5", "--runs", "5"][..], "cannot be used with"),
    ] {
        let mut all = vec!["explore", "tests/charms/null"];
        all.extend_from_slice(args);
        let done = finish(&mut scenario(&all));
        assert_eq!(done.code, Some(2), "{args:?}: {}", done.stderr);
        assert_eq!(done.stdout, "", "{args:?}");
        assert!(
            done.stderr.starts_with("scenario: "),
            "{args:?}: {}",
            done.stderr
        );
        assert!(done.stderr.contains(says), "{args:?}: {}", done.stderr);
        assert!(
            done.stderr.contains("(see `scenario explore --help`)"),
            "{}",
            done.stderr
        );
    }
    let missing = finish(&mut scenario(["explore-merge", "nowhere.json"]));
    assert_eq!(missing.code, Some(2), "{}", missing.stderr);
    assert!(
        missing.stderr.starts_with("scenario: "),
        "{}",
        missing.stderr
    );
}

#[test]
fn on_a_terminal_a_progress_line_is_rewritten_in_place() {
    use std::io::Read;
    for jobs in ["1", "2"] {
        let (master, slave) = pty();
        let mut cmd = scenario([
            "explore",
            "tests/charms/null",
            "--time",
            "0.8",
            "--seed",
            "4",
            "--jobs",
            jobs,
        ]);
        cmd.stderr(std::process::Stdio::from(slave))
            .stdout(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // Drop the parent's copy of the slave (moved into the command, dropped with it).
        drop(cmd);
        let mut terminal = Vec::new();
        let reader = std::thread::spawn(move || {
            let mut master = std::fs::File::from(master);
            // Until the slave's last holder closes it (EIO).
            let _ = master.read_to_end(&mut terminal);
            terminal
        });
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        assert_eq!(child.wait().unwrap().code(), Some(0), "{stdout}");
        let terminal = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
        assert!(terminal.contains("\r\x1b[Kexplore: "), "{terminal:?}");
        assert!(terminal.contains(" runs/s, 0 findings"), "{terminal:?}");
        // Erased before the summary.
        assert!(terminal.ends_with("\r\x1b[K"), "{terminal:?}");
        assert!(!stdout.contains("explore: "), "{stdout}");
    }
}

#[test]
fn a_shard_split_over_jobs_explores_the_same_walks() {
    let dir = tempfile::tempdir().unwrap();
    let mut reports = Vec::new();
    for jobs in ["1", "2"] {
        let report = dir.path().join(format!("jobs-{jobs}.json"));
        let done = finish(&mut scenario([
            "explore".as_ref(),
            "tests/charms/null".as_ref(),
            "--walks".as_ref(),
            "9".as_ref(),
            "--seed".as_ref(),
            "6".as_ref(),
            "--shard".as_ref(),
            "2/3".as_ref(),
            "--jobs".as_ref(),
            jobs.as_ref(),
            "--report".as_ref(),
            report.as_os_str(),
        ]));
        assert_eq!(done.code, Some(0), "{}\n{}", done.stdout, done.stderr);
        // Walks 1, 4 and 7.
        assert_eq!(walks_and_runs(&done.stdout).0, 3, "{}", done.stdout);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        assert_eq!(json["shard"], serde_json::json!([1, 3]));
        reports.push((
            deterministic(&done.stdout).join("\n"),
            json["report"]["events"].clone(),
        ));
    }
    assert_eq!(reports[0], reports[1]);
}
