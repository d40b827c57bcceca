//! The `scenario` command line itself: `--help` on every subcommand and at the top,
//! `--version`, and usage errors as one line on stderr (what is wrong, the nearest valid name,
//! the `--help` to read), exit code 2. The help texts and the error lines are snapshots.

mod common;

use common::{finish, scenario};

/// `scenario ARGS... --help`: exit code 0, the help on stdout, nothing on stderr.
fn help(args: &[&str]) -> String {
    let done = finish(&mut scenario(args.iter().chain(&["--help"])));
    assert_eq!(done.code, Some(0), "{args:?}: {}", done.stderr);
    assert_eq!(done.stderr, "", "{args:?}");
    done.stdout
}

#[test]
fn every_subcommand_s_help_exits_0_and_names_its_options() {
    for (subcommand, options) in [
        (
            "run",
            &[
                "<CASE.json>",
                "--charm <DIR>",
                "--event <NAME>",
                "--state <STATE.json>",
                "--class <NAME>",
            ][..],
        ),
        ("bench", &["<CASE.json>", "-n <N>", "[default: 1000]"][..]),
        (
            "snapshot",
            &[
                "<APP/N>",
                "--model <MODEL>",
                "--format <FORMAT>",
                "--include <PARTS>",
                "--fetch <C:PATH|FETCH.json>",
                "--charm <DIR>",
                "--class <NAME>",
                "--event <NAME>",
            ][..],
        ),
    ] {
        let text = help(&[subcommand]);
        for option in options {
            assert!(text.contains(option), "{subcommand}: {option} in\n{text}");
        }
        assert!(text.contains("Exit codes: 0 "), "{subcommand}:\n{text}");
        assert!(text.contains("docs/STATE_JSON.md"), "{subcommand}:\n{text}");
        insta::assert_snapshot!(format!("help_{subcommand}"), text);
    }
}

#[test]
fn the_top_level_help_lists_the_subcommands() {
    let text = help(&[]);
    for subcommand in ["run", "bench", "snapshot"] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(&format!("{subcommand} "))),
            "{subcommand} in\n{text}"
        );
    }
    insta::assert_snapshot!("help", text);
}

#[test]
fn help_subcommand_and_short_flag_print_the_help_too() {
    let done = finish(&mut scenario(["help", "snapshot"]));
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert_eq!(done.stdout, help(&["snapshot"]));
    let done = finish(&mut scenario(["bench", "-h"]));
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stdout.contains("-n <N>"), "{}", done.stdout);
}

#[test]
fn version_prints_the_crate_version() {
    for flag in ["--version", "-V"] {
        let done = finish(&mut scenario([flag]));
        assert_eq!(done.code, Some(0), "{flag}: {}", done.stderr);
        assert_eq!(
            done.stdout,
            format!("scenario {}\n", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(done.stderr, "");
    }
}

/// Usage errors, each `$ scenario ARGS` then the line it printed; every one exits 2 with
/// nothing on stdout and a single line on stderr that ends pointing to the right `--help`.
fn usage_errors(cases: &[&[&str]]) -> String {
    let mut report = String::new();
    for args in cases {
        let done = finish(&mut scenario(*args));
        assert_eq!(done.code, Some(2), "{args:?}: {}", done.stderr);
        assert_eq!(done.stdout, "", "{args:?}");
        assert_eq!(done.stderr.lines().count(), 1, "{args:?}: {}", done.stderr);
        let subcommand = match args.first() {
            Some(&sub @ ("run" | "bench" | "snapshot")) => format!(" {sub}"),
            _ => String::new(),
        };
        assert!(
            done.stderr.starts_with("scenario: ")
                && done
                    .stderr
                    .ends_with(&format!(" (see `scenario{subcommand} --help`)\n")),
            "{args:?}: {}",
            done.stderr
        );
        report.push_str(&format!("$ scenario {}\n{}", args.join(" "), done.stderr));
    }
    report
}

#[test]
fn a_usage_error_is_one_line_naming_the_problem_and_the_help() {
    let report = usage_errors(&[
        &[],
        &["walk", "case.json"],
        &["--bogus"],
        &["run"],
        &["run", "--bogus"],
        &["run", "--charm", "tests/charms/status"],
        &["run", "--charm", "tests/charms/status", "--event"],
        &["run", "--state", "state.json"],
        &["run", "case.json", "--event", "start"],
        &["run", "case.json", "other.json"],
        &["bench"],
        &["bench", "case.json", "-n"],
        &["bench", "case.json", "-n", "0"],
        &["bench", "case.json", "-n", "many"],
        &["bench", "case.json", "--fast"],
        &["snapshot"],
        &["snapshot", "web/0", "db/0"],
        &["snapshot", "web/0", "--format", "yaml"],
        &["snapshot", "web/0", "--include", "relations,everything"],
    ]);
    insta::assert_snapshot!("usage_errors", report);
}

#[test]
fn a_near_miss_gets_the_nearest_valid_name() {
    let report = usage_errors(&[
        &["rnu", "case.json"],
        &["snapshto", "web/0"],
        &["run", "--evnt", "start"],
        &["snapshot", "web/0", "--fromat", "rust"],
        &["snapshot", "web/0", "--format", "jsn"],
        &["snapshot", "web/0", "--include", "relatoins"],
        &["snapshot", "web/0", "-i", "config,stored_stat"],
    ]);
    for (typed, meant) in [
        ("rnu", "run"),
        ("snapshto", "snapshot"),
        ("--evnt", "--event"),
        ("--fromat", "--format"),
        ("jsn", "json"),
        ("relatoins", "relations"),
        ("stored_stat", "stored-state"),
    ] {
        let line = report
            .lines()
            .find(|l| l.contains(&format!("'{typed}'")))
            .unwrap_or_else(|| panic!("{typed} in\n{report}"));
        assert!(
            line.contains(&format!("; did you mean '{meant}'?")),
            "{line}"
        );
    }
    insta::assert_snapshot!("near_misses", report);
}
