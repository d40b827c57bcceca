//! `scenario explore`: the seed first, the summary, the findings written as case files that
//! `scenario run` reproduces; exit code 1 with findings, 0 without, 2 for a bad charm.

mod common;

use common::{finish, scenario};

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
