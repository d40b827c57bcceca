#!/usr/bin/env python3
"""Compare two pytest JUnit XML reports test by test, as scripts/python-suite.sh does between
the suite's run on ops.testing and its run on the engine (`OPS_SCENARIO_ENGINE=rust`).

Each test is matched by its JUnit `classname` and `name`, written `classname::name` (for
tests/python: `test_relations::test_changed_with_host_goes_active`, parameters included in the
name), and has one outcome: passed, failed, error or skipped. Every test whose outcomes differ
is printed. The exit status is non-zero when

- either report has no tests, or a test id appears twice in one report;
- the two reports hold different sets of tests (a test only one run collected);
- a test's outcomes differ and its id is not in the allowed-differences file.

The allowed-differences file (`--allowed`, tests/python/DIFFERENCES.txt) has one test id per
line, then `#` and the reason, which is required; blank lines and lines starting with `#` are
comments. An allowed entry whose test no longer differs is reported, not failed, so it can be
removed.

Exit status: 0 same outcomes (or only allowed differences), 1 a difference that fails, 2 a
report or the allowed file could not be read.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

OUTCOMES = ("passed", "failed", "error", "skipped")


class InputError(Exception):
    """A report or the allowed-differences file is unreadable or malformed."""


@dataclasses.dataclass(frozen=True)
class TestResult:
    """One test's outcome in one report, with the first line of what pytest said about it."""

    test_id: str
    outcome: str
    detail: str = ""


def _outcome(testcase: ET.Element) -> tuple[str, str]:
    """A <testcase>'s outcome: an error anywhere wins over a failure, a failure over a skip."""
    for tag, outcome in (("error", "error"), ("failure", "failed"), ("skipped", "skipped")):
        child = testcase.find(tag)
        if child is not None:
            message = (child.get("message") or child.text or "").strip()
            return outcome, message.splitlines()[0] if message else ""
    return "passed", ""


def read_report(path: Path) -> dict[str, TestResult]:
    """Every test of a JUnit XML report by its `classname::name` id."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        raise InputError(f"cannot read the JUnit report {path}: {e}") from e
    results: dict[str, TestResult] = {}
    duplicates: list[str] = []
    for testcase in root.iter("testcase"):
        test_id = f"{testcase.get('classname', '')}::{testcase.get('name', '')}"
        outcome, detail = _outcome(testcase)
        if test_id in results:
            duplicates.append(test_id)
        results[test_id] = TestResult(test_id, outcome, detail)
    if duplicates:
        raise InputError(f"{path}: test ids reported more than once: {', '.join(duplicates)}")
    return results


def read_allowed(path: Path | None) -> dict[str, str]:
    """The allowed differences: test id -> reason."""
    if path is None:
        return {}
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise InputError(f"cannot read the allowed-differences file {path}: {e}") from e
    allowed: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        test_id, hash_sign, reason = stripped.partition("#")
        test_id, reason = test_id.strip(), reason.strip()
        if not hash_sign or not reason:
            raise InputError(f"{path}:{number}: give the reason after '#': {stripped!r}")
        if test_id in allowed:
            raise InputError(f"{path}:{number}: {test_id} is listed twice")
        allowed[test_id] = reason
    return allowed


def _counts(results: Iterable[TestResult]) -> str:
    tally = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        tally[result.outcome] += 1
    return ", ".join(f"{tally[o]} {o}" for o in OUTCOMES if tally[o]) or "no tests"


def compare(
    a: dict[str, TestResult],
    b: dict[str, TestResult],
    allowed: dict[str, str],
    labels: tuple[str, str],
) -> list[str]:
    """Print the comparison; return the problems that make it fail (empty when it passes)."""
    label_a, label_b = labels
    problems: list[str] = []
    print(f"{label_a}: {_counts(a.values())}")
    print(f"{label_b}: {_counts(b.values())}")
    for label, results in ((label_a, a), (label_b, b)):
        if not results:
            problems.append(f"{label} ran no tests")
    only_a = sorted(set(a) - set(b))
    only_b = sorted(set(b) - set(a))
    for label, missing_from, ids in ((label_a, label_b, only_a), (label_b, label_a, only_b)):
        for test_id in ids:
            print(f"ONLY IN {label}: {test_id} (not collected by {missing_from})")
        if ids:
            problems.append(f"{len(ids)} tests collected by {label} only")
    differing = 0
    for test_id in sorted(set(a) & set(b)):
        ra, rb = a[test_id], b[test_id]
        if ra.outcome == rb.outcome:
            continue
        differing += 1
        reason = allowed.get(test_id)
        verdict = f"allowed: {reason}" if reason else "NOT ALLOWED"
        print(f"DIFF {test_id}: {label_a} {ra.outcome}, {label_b} {rb.outcome} ({verdict})")
        for label, result in ((label_a, ra), (label_b, rb)):
            if result.detail:
                print(f"    {label}: {result.detail}")
        if reason is None:
            problems.append(f"{test_id} differs")
    for test_id in sorted(allowed):
        if test_id not in a and test_id not in b:
            print(f"NOTE: allowed difference {test_id} is not a test of either run")
        elif test_id in a and test_id in b and a[test_id].outcome == b[test_id].outcome:
            print(f"NOTE: allowed difference {test_id} no longer differs; remove it")
    common = len(set(a) & set(b))
    print(f"{common} tests in both runs, {differing} with different outcomes")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Compare two pytest JUnit XML reports outcome by outcome.",
        epilog="Exit status: 0 same, 1 a difference that is not allowed, 2 unreadable input.",
    )
    parser.add_argument("a", type=Path, help="the reference report (ops.testing)")
    parser.add_argument("b", type=Path, help="the report to check (the engine)")
    parser.add_argument(
        "--allowed", type=Path, help="allowed differences: `classname::name  # reason` per line"
    )
    parser.add_argument(
        "--labels",
        nargs=2,
        default=("A", "B"),
        metavar=("LABEL_A", "LABEL_B"),
        help="names for the two runs in the output",
    )
    args = parser.parse_args(argv)
    try:
        a, b = read_report(args.a), read_report(args.b)
        allowed = read_allowed(args.allowed)
    except InputError as e:
        print(f"compare-junit: {e}", file=sys.stderr)
        return 2
    problems = compare(a, b, allowed, tuple(args.labels))
    if problems:
        print("FAILED: " + "; ".join(problems))
        return 1
    print("OK: same outcome for every test" + (" (allowed differences aside)" if allowed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
