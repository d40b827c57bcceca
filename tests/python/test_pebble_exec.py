"""`Container.exec` against `testing.Exec` mocks, and `ctx.exec_history`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ops import testing

from conftest import load_charm, log_messages

EXEC = load_charm("pebble-exec")
ExecCharm = EXEC.charm_class("ExecCharm")


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(ExecCharm, meta=EXEC.meta, config=EXEC.config)


def run_probe(ctx: testing.Context[Any], probe: str, *execs: testing.Exec) -> dict[str, str]:
    """Run the exec `probe` with these mocks; its `step: result` log lines."""
    container = testing.Container("workload", can_connect=True, execs=set(execs))
    state_out = ctx.run(
        ctx.on.config_changed(), testing.State(containers={container}, config={"probe": probe})
    )
    assert state_out.unit_status == testing.ActiveStatus(f"probe {probe} done")
    prefix = f"probe {probe} "
    return {
        step: result
        for step, _, result in (
            m[len(prefix) :].partition(": ")
            for m in log_messages(ctx.juju_log, "INFO")
            if m.startswith(prefix)
        )
    }


def test_longest_command_prefix_wins(ctx: testing.Context[Any]) -> None:
    lines = run_probe(
        ctx,
        "prefixes",
        testing.Exec(["git"], stdout="git\n"),
        testing.Exec(["git", "log"], stdout="log\n"),
        testing.Exec(["git", "log", "--oneline"], stdout="oneline\n"),
        testing.Exec(["ls"], stdout="a b\n", stderr="warning\n"),
    )

    assert lines["git log --oneline"] == "stdout='oneline\\n' stderr=''"
    assert lines["git log"] == "stdout='log\\n' stderr=''"
    assert lines["git status"] == "stdout='git\\n' stderr=''"
    assert lines["git"] == "stdout='git\\n' stderr=''"
    assert lines["ls -l"] == "stdout='a b\\n' stderr='warning\\n'"


def test_non_zero_exit_raises_exec_error(ctx: testing.Context[Any]) -> None:
    lines = run_probe(
        ctx, "failures", testing.Exec(["migrate"], return_code=3, stdout="partial", stderr="boom")
    )

    assert lines["wait"] == "ExecError exit=3 command=['migrate', '--apply']"
    assert lines["wait_output"] == "ExecError exit=3 stdout='partial' stderr='boom'"


def test_unmocked_command_fails_with_127(ctx: testing.Context[Any]) -> None:
    lines = run_probe(ctx, "unmocked")

    assert lines["exit"] == "127"
    assert lines["has a hint"] == "True"


def test_exec_history_records_the_commands_in_order(ctx: testing.Context[Any]) -> None:
    run_probe(ctx, "failures", testing.Exec(["migrate"], return_code=1))

    assert [c.command for c in ctx.exec_history["workload"]] == [
        ["migrate", "--apply"],
        ["migrate", "--apply"],
    ]


def test_exec_history_records_every_argument(tmp_path: Path) -> None:
    """The sidecar charm's config check passes every exec argument; its exit 2 stops the
    handler before the `encoding=None` call (ops.testing's `Exec` output is text only)."""
    webapp = load_charm("pebble-webapp")
    ctx = testing.Context(
        webapp.charm_class("WebappCharm"), meta=webapp.meta, config=webapp.config
    )
    metrics = testing.Container(
        "metrics",
        can_connect=True,
        mounts={"logs": testing.Mount(location="/var/log", source=tmp_path)},
        execs={
            testing.Exec(["metrics-exporter", "--version"], stdout="1.4.0\n"),
            testing.Exec(["metrics-exporter", "check-config"], return_code=2),
        },
    )

    state_out = ctx.run(
        ctx.on.pebble_ready(metrics),
        testing.State(containers={metrics}, config={"log-level": "warning"}),
    )

    assert state_out.unit_status == testing.BlockedStatus("config rejected (exit 2)")
    version, check = ctx.exec_history["metrics"]
    assert version.command == ["metrics-exporter", "--version"]
    assert check.command == ["metrics-exporter", "check-config", "--strict"]
    assert check.environment == {"LOG_LEVEL": "warning"}
    assert check.working_dir == "/srv/metrics"
    assert (check.user, check.group) == ("metrics", "metrics")
    assert check.timeout == 10.0
    assert check.stdin == "port = 8080\nlog-level = warning\n"
    assert check.combine_stderr is True
