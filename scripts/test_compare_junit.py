"""Tests of scripts/compare-junit.py: each way a comparison passes or fails, on small reports."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compare_junit", Path(__file__).with_name("compare-junit.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


compare_junit = _load()

CASES = {
    "passed": "",
    "failed": '<failure message="assert 1 == 2&#10;more">trace</failure>',
    "error": '<error message="fixture broke">trace</error>',
    "skipped": '<skipped type="pytest.skip" message="no API">why</skipped>',
}


def report(tmp_path: Path, name: str, outcomes: dict[str, str]) -> Path:
    """A JUnit XML file with one test per `test_id -> outcome`, as pytest writes them."""
    cases = []
    for test_id, outcome in outcomes.items():
        classname, _, test_name = test_id.partition("::")
        cases.append(
            f'<testcase classname="{classname}" name="{test_name}" time="0.1">'
            f"{CASES[outcome]}</testcase>"
        )
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
        + "".join(cases)
        + "</testsuite></testsuites>"
    )
    return path


def run(tmp_path: Path, a: dict[str, str], b: dict[str, str], allowed: str | None = None) -> int:
    args = [str(report(tmp_path, "a.xml", a)), str(report(tmp_path, "b.xml", b))]
    if allowed is not None:
        (tmp_path / "allowed.txt").write_text(allowed)
        args += ["--allowed", str(tmp_path / "allowed.txt")]
    return int(compare_junit.main(args))


def test_same_outcomes_pass(tmp_path: Path) -> None:
    outcomes = {"m::a": "passed", "m::b[1]": "failed", "m::c": "skipped", "m::d": "error"}

    assert run(tmp_path, outcomes, dict(outcomes)) == 0


@pytest.mark.parametrize("other", ["failed", "error", "skipped"])
def test_a_different_outcome_fails(
    tmp_path: Path, other: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, {"m::a": "passed"}, {"m::a": other}) == 1
    assert f"DIFF m::a: A passed, B {other} (NOT ALLOWED)" in capsys.readouterr().out


def test_an_allowed_difference_passes(tmp_path: Path) -> None:
    allowed = "# header\n\nm::a  # the engine follows Juju here\n"

    assert run(tmp_path, {"m::a": "passed"}, {"m::a": "failed"}, allowed) == 0


def test_allowed_entry_without_reason_is_refused(tmp_path: Path) -> None:
    assert run(tmp_path, {"m::a": "passed"}, {"m::a": "failed"}, "m::a\n") == 2


def test_different_test_sets_fail_even_if_allowed(tmp_path: Path) -> None:
    allowed = "m::b  # not a reason to drop a test\n"

    assert run(tmp_path, {"m::a": "passed", "m::b": "passed"}, {"m::a": "passed"}, allowed) == 1


def test_an_empty_report_fails(tmp_path: Path) -> None:
    assert run(tmp_path, {}, {}) == 1


def test_a_duplicate_test_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.xml"
    path.write_text(
        "<testsuite>"
        '<testcase classname="m" name="a"/><testcase classname="m" name="a"/>'
        "</testsuite>"
    )

    assert compare_junit.main([str(path), str(path)]) == 2


def test_a_missing_report_is_refused(tmp_path: Path) -> None:
    assert compare_junit.main([str(tmp_path / "none.xml"), str(tmp_path / "none.xml")]) == 2


def test_a_stale_allowed_entry_is_only_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, {"m::a": "passed"}, {"m::a": "passed"}, "m::a  # fixed since\n") == 0
    assert "no longer differs" in capsys.readouterr().out
