//! `scenario bench`: its timing printed, a missing or failing case refused. (Its usage errors
//! are in usage.rs.)

mod common;

use common::manifest_dir;
use std::process::Command;

fn scenario(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scenario"))
        .args(args)
        .current_dir(manifest_dir())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bench_refuses_a_missing_case_file() {
    let (code, stdout, stderr) = scenario(&["bench", "nowhere.json"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("nowhere.json"), "{stderr}");
}

#[test]
fn bench_times_a_case_and_ends_with_the_median() {
    let (code, stdout, stderr) = scenario(&["bench", "benches/cases/f-counter.json", "-n", "20"]);
    assert_eq!(code, Some(0), "{stderr}");
    let last = stdout.lines().last().unwrap();
    let micros: f64 = last
        .strip_prefix("median ")
        .and_then(|rest| rest.strip_suffix(" µs/run"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(micros > 0.0);
    assert!(
        stdout.starts_with("start-up: interpreter and `import ops` "),
        "{stdout}"
    );
    assert!(stdout.contains("20 runs: min "), "{stdout}");
}

#[test]
fn bench_refuses_a_case_that_fails() {
    let dir = manifest_dir();
    let case = dir.join("tests/fixtures/cli/raising-start.json");
    let (code, _, stderr) = scenario(&["bench", case.to_str().unwrap(), "-n", "3"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("does not run cleanly"), "{stderr}");
}
