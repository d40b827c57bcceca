"""Actions: parameters, results, logs, failing (`testing.ActionFailed`) and raising."""

from __future__ import annotations

from typing import Any

import pytest
from ops import testing

from conftest import load_charm

ACTION_BACKUP = load_charm("action-backup")
ActionBackupCharm = ACTION_BACKUP.charm_class("ActionBackupCharm")


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(
        ActionBackupCharm,
        meta=ACTION_BACKUP.meta,
        actions=ACTION_BACKUP.actions,
        config=ACTION_BACKUP.config,
    )


def test_action_results_and_logs(ctx: testing.Context[Any]) -> None:
    state_out = ctx.run(
        ctx.on.action("backup", params={"target": "/backups", "level": 9}), testing.State()
    )

    assert ctx.action_results is not None
    assert ctx.action_results["params"]["target"] == "/backups"
    assert ctx.action_results["params"]["level"] == 9
    assert ctx.action_results["config-changed-runs"] == 0
    assert ctx.action_logs == ["backing up to /backups", "done"]
    assert state_out.unit_status == testing.ActiveStatus("backed up to /backups")


def test_action_id_is_in_the_results(ctx: testing.Context[Any]) -> None:
    ctx.run(ctx.on.action("backup", params={"target": "/x"}), testing.State())

    assert ctx.action_results is not None
    assert isinstance(ctx.action_results["id"], str) and ctx.action_results["id"]


def test_failed_action_raises_action_failed(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.ActionFailed) as excinfo:
        ctx.run(ctx.on.action("fail-me", params={"message": "disk full"}), testing.State())

    assert excinfo.value.message == "disk full"
    # fail() does not stop the handler: what it did after is in the State and the logs.
    assert excinfo.value.state.unit_status == testing.BlockedStatus("the action failed")
    assert ctx.action_logs == ["about to fail", "still running"]
    assert ctx.action_results == {"partial": "yes"}


def test_failed_action_without_message(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.ActionFailed) as excinfo:
        ctx.run(ctx.on.action("fail-me"), testing.State())

    assert excinfo.value.message == ""


def test_action_handler_raising_is_an_uncaught_charm_error(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.errors.UncaughtCharmError) as excinfo:
        ctx.run(ctx.on.action("restore"), testing.State())

    assert isinstance(excinfo.value.__cause__, ValueError)
    assert "restore needs a source" in str(excinfo.value.__cause__)


def test_action_with_its_parameter(ctx: testing.Context[Any]) -> None:
    ctx.run(ctx.on.action("restore", params={"from": "nightly"}), testing.State())

    assert ctx.action_results == {"restored-from": "nightly"}
    assert ctx.action_logs == ["restoring"]


def test_logs_and_results_are_per_action_run(ctx: testing.Context[Any]) -> None:
    ctx.run(ctx.on.action("backup", params={"target": "/a"}), testing.State())
    ctx.run(ctx.on.action("restore", params={"from": "b"}), testing.State())

    assert ctx.action_logs == ["restoring"]
    assert ctx.action_results == {"restored-from": "b"}


def test_nested_results(ctx: testing.Context[Any]) -> None:
    ctx.run(ctx.on.action("report"), testing.State())

    assert ctx.action_results is not None
    assert ctx.action_results["a"]["b"] == "c"


def test_actions_cannot_be_deferred(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.errors.UncaughtCharmError) as excinfo:
        ctx.run(ctx.on.action("defer-me"), testing.State())

    assert isinstance(excinfo.value.__cause__, RuntimeError)


def test_undeclared_action_is_inconsistent(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.errors.InconsistentScenarioError):
        ctx.run(ctx.on.action("snapshot"), testing.State())


def test_parameter_of_the_wrong_type_is_inconsistent(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.errors.InconsistentScenarioError):
        ctx.run(ctx.on.action("backup", params={"target": 3}), testing.State())


def test_action_without_observer_from_autoloaded_actions_yaml() -> None:
    legacy = load_charm("legacy-layout")
    ctx = testing.Context(legacy.charm_class("LegacyLayoutCharm"))

    state_out = ctx.run(ctx.on.action("refresh"), testing.State())

    assert ctx.action_logs == []
    assert state_out.unit_status == testing.UnknownStatus()
