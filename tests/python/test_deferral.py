"""Deferral: `event.defer()`, `State(deferred=[...])`, re-emission before the next event, and
`capture_deferred_events`."""

from __future__ import annotations

from typing import Any

import ops
import pytest
from ops import testing

from conftest import load_charm, log_messages

DEFERRING = load_charm("deferring")
DeferringCharm = DEFERRING.charm_class("DeferringCharm")
REDEFER = load_charm("redefer")
RedeferCharm = REDEFER.charm_class("RedeferCharm")
ACTION_BACKUP = load_charm("action-backup")
ActionBackupCharm = ACTION_BACKUP.charm_class("ActionBackupCharm")


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(DeferringCharm, meta=DEFERRING.meta, config=DEFERRING.config)


def stored(state: testing.State) -> dict[str, Any]:
    return dict(state.get_stored_state("_stored", owner_path="DeferringCharm").content)


def test_start_is_deferred_until_ready(ctx: testing.Context[Any]) -> None:
    state_out = ctx.run(ctx.on.start(), testing.State())

    assert [e.name for e in state_out.deferred] == ["start"]
    assert state_out.deferred[0].observer == "_on_start"
    assert state_out.unit_status == testing.UnknownStatus()
    assert "not ready, deferring start" in log_messages(ctx.juju_log, "INFO")


def test_deferred_start_is_reemitted_before_each_event(ctx: testing.Context[Any]) -> None:
    state = ctx.run(ctx.on.start(), testing.State())
    # The deferred start runs first, before config-changed makes the charm ready: deferred again.
    state = ctx.run(ctx.on.config_changed(), state)
    assert len(state.deferred) == 1
    # Now ready: the re-emitted start goes through.
    state = ctx.run(ctx.on.update_status(), state)

    assert state.deferred == []
    assert state.unit_status == testing.ActiveStatus("started")
    assert stored(state) == {"ready": True, "starts": 3}


def test_deferred_event_given_in_the_state(ctx: testing.Context[Any]) -> None:
    state = testing.State(
        deferred=[ctx.on.start().deferred(DeferringCharm._on_start)],
        stored_states={
            testing.StoredState(owner_path="DeferringCharm", content={"ready": True, "starts": 0})
        },
    )

    state_out = ctx.run(ctx.on.update_status(), state)

    assert state_out.deferred == []
    assert state_out.unit_status == testing.ActiveStatus("started")
    assert stored(state_out)["starts"] == 1


def test_reemitted_events_are_captured_when_asked() -> None:
    ctx = testing.Context(
        DeferringCharm,
        meta=DEFERRING.meta,
        config=DEFERRING.config,
        capture_deferred_events=True,
    )
    state = testing.State(deferred=[ctx.on.start().deferred(DeferringCharm._on_start)])

    ctx.run(ctx.on.update_status(), state)

    assert [type(e) for e in ctx.emitted_events] == [ops.StartEvent, ops.UpdateStatusEvent]


def test_reemitted_events_are_not_captured_by_default(ctx: testing.Context[Any]) -> None:
    state = testing.State(deferred=[ctx.on.start().deferred(DeferringCharm._on_start)])

    ctx.run(ctx.on.update_status(), state)

    assert len(ctx.emitted_events) == 1
    assert isinstance(ctx.emitted_events[0], ops.UpdateStatusEvent)


def test_update_status_deferred_when_configured(ctx: testing.Context[Any]) -> None:
    state = testing.State(config={"defer-update-status": True})

    state_out = ctx.run(ctx.on.update_status(), state)

    assert [e.name for e in state_out.deferred] == ["update_status"]


def test_update_status_deferred_again_and_again() -> None:
    ctx = testing.Context(RedeferCharm, meta=REDEFER.meta)
    state = testing.State(
        deferred=[ctx.on.update_status().deferred(RedeferCharm._on_update_status)]
    )

    for _ in range(3):
        state = ctx.run(ctx.on.start(), state)

    assert [e.name for e in state.deferred] == ["update_status"]
    assert state.unit_status == testing.ActiveStatus("started")


def test_deferred_hook_runs_before_an_action() -> None:
    ctx = testing.Context(
        ActionBackupCharm,
        meta=ACTION_BACKUP.meta,
        actions=ACTION_BACKUP.actions,
        config=ACTION_BACKUP.config,
    )
    state = testing.State(
        deferred=[ctx.on.config_changed().deferred(ActionBackupCharm._on_config_changed)]
    )

    state_out = ctx.run(ctx.on.action("backup", params={"target": "/x"}), state)

    assert ctx.action_results is not None
    assert ctx.action_results["config-changed-runs"] == 1
    # Not ready yet: config-changed deferred itself again.
    assert [e.name for e in state_out.deferred] == ["config_changed"]
