//! `scenario bench`: its timing printed, a missing or failing case refused. (Its usage errors
//! are in usage.rs.)

mod common;

use common::{finish, fixture, scenario};

/// `text` with every number replaced by `N` (not the digits of a word, like `p10`), so that
/// timings read the same on every run.
fn without_numbers(text: &str) -> String {
    let mut out = String::new();
    let (mut in_number, mut in_word) = (false, false);
    for c in text.chars() {
        let digit = !in_word && (c.is_ascii_digit() || (in_number && c == '.'));
        if digit && !in_number {
            out.push('N');
        } else if !digit {
            out.push(c);
        }
        in_number = digit;
        in_word = c.is_alphanumeric() && !digit;
    }
    out
}

#[test]
fn bench_times_a_case_and_ends_with_the_median() {
    let done = finish(&mut scenario([
        "bench",
        "benches/cases/f-counter.json",
        "-n",
        "20",
    ]));
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let last = done.stdout.lines().last().unwrap();
    let micros: f64 = last
        .strip_prefix("median ")
        .and_then(|rest| rest.strip_suffix(" µs/run"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", done.stdout));
    assert!(micros > 0.0);
    assert!(done.stdout.contains("\n20 runs: "), "{}", done.stdout);
    insta::assert_snapshot!(without_numbers(&done.stdout));
}

#[test]
fn bench_refuses_a_missing_case_file() {
    let done = finish(&mut scenario(["bench", "nowhere.json"]));
    assert_eq!(done.code, Some(2), "{}", done.stderr);
    assert_eq!(done.stdout, "");
    insta::assert_snapshot!(done.stderr);
}

#[test]
fn bench_refuses_a_case_that_fails() {
    let done = finish(&mut scenario([
        "bench".as_ref(),
        fixture("raising-start.json").as_os_str(),
        "-n".as_ref(),
        "3".as_ref(),
    ]));
    assert_eq!(done.code, Some(2), "{}", done.stderr);
    assert_eq!(done.stdout, "");
    insta::assert_snapshot!(done.stderr);
}

#[test]
fn bench_over_jobs_reports_each_worker_and_the_total() {
    let done = finish(&mut scenario([
        "bench",
        "benches/cases/f-counter.json",
        "-n",
        "21",
        "--jobs",
        "2",
    ]));
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let lines: Vec<&str> = done.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", done.stdout);
    assert!(
        lines[0].starts_with("worker 1: 11 runs in "),
        "{}",
        done.stdout
    );
    assert!(
        lines[1].starts_with("worker 2: 10 runs in "),
        "{}",
        done.stdout
    );
    assert!(
        lines[2].starts_with("2 workers: 21 runs in "),
        "{}",
        done.stdout
    );
    assert!(lines[2].ends_with(" runs/s"), "{}", done.stdout);
    let bad = finish(&mut scenario([
        "bench",
        "benches/cases/f-counter.json",
        "--jobs",
        "0",
    ]));
    assert_eq!(bad.code, Some(2), "{}", bad.stderr);
    assert!(
        bad.stderr.contains("not a number of jobs"),
        "{}",
        bad.stderr
    );
    // A worker that cannot run the case: the parent says so, exit 2.
    let failing = finish(&mut scenario([
        "bench".as_ref(),
        fixture("raising-start.json").as_os_str(),
        "--jobs".as_ref(),
        "2".as_ref(),
    ]));
    assert_eq!(failing.code, Some(2), "{}", failing.stderr);
    assert!(
        failing.stderr.contains("bench worker 1 stopped"),
        "{}",
        failing.stderr
    );
}
