"""The pytest switch (ops_scenario_rs._plugin), in pytest sessions of their own."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

_PROBE = """
import ops.testing
import scenario

def test_probe():
    print("CONTEXT", ops.testing.Context.__module__, scenario.Context.__module__)
"""


def _modules(result: pytest.RunResult) -> list[str]:
    line = next(l for l in result.outlines if "CONTEXT " in l)
    return line.split("CONTEXT ", 1)[1].split()


def test_off_by_default(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPS_SCENARIO_ENGINE", raising=False)
    pytester.makepyfile(_PROBE)
    result = pytester.runpytest_subprocess("-s")
    result.assert_outcomes(passed=1)
    assert all(m.startswith("scenario") for m in _modules(result))


@pytest.mark.parametrize("how", ["env", "option"])
def test_rust_swaps_both_names(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    args = ["-s"]
    if how == "env":
        monkeypatch.setenv("OPS_SCENARIO_ENGINE", "rust")
    else:
        monkeypatch.delenv("OPS_SCENARIO_ENGINE", raising=False)
        args.append("--ops-engine=rust")
    pytester.makepyfile(_PROBE)
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1)
    assert _modules(result) == ["ops_scenario_rs._context", "ops_scenario_rs._context"]
    result.stdout.fnmatch_lines(["ops.testing.Context: ops_scenario_rs.Context*"])


def test_another_value_is_a_usage_error(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPS_SCENARIO_ENGINE", "python")
    pytester.makepyfile(_PROBE)
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*OPS_SCENARIO_ENGINE='python'*"])


def test_a_conftest_importing_context_gets_the_engine_s(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Suites bind `Context` when their conftest.py is imported, before pytest's configure."""
    monkeypatch.setenv("OPS_SCENARIO_ENGINE", "rust")
    pytester.makeconftest("from ops.testing import Context\nBOUND = Context\n")
    pytester.makepyfile(
        "from conftest import BOUND\n"
        "def test_bound():\n"
        "    assert BOUND.__module__ == 'ops_scenario_rs._context'\n"
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
