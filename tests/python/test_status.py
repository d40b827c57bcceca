"""Statuses: unit and app status, their histories, workload version, and collect-status."""

from __future__ import annotations

from typing import Any

import pytest
from ops import testing

from conftest import load_charm, log_messages

STATUS = load_charm("status")
StatusCharm = STATUS.charm_class("StatusCharm")
COLLECT = load_charm("collect-status")
CollectStatusCharm = COLLECT.charm_class("CollectStatusCharm")


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(StatusCharm, meta={"name": "status"})


def test_start_on_the_leader(ctx: testing.Context[Any]) -> None:
    state_out = ctx.run(ctx.on.start(), testing.State(leader=True))

    assert state_out.unit_status == testing.ActiveStatus("ready")
    assert state_out.app_status == testing.ActiveStatus("app ready")
    assert state_out.workload_version == "1.1"
    assert ctx.unit_status_history == [
        testing.UnknownStatus(),
        testing.MaintenanceStatus("starting"),
    ]
    assert ctx.app_status_history == [testing.UnknownStatus()]


def test_workload_version_history(ctx: testing.Context[Any]) -> None:
    state = ctx.run(ctx.on.install(), testing.State())
    state = ctx.run(ctx.on.start(), state)

    assert state.workload_version == "1.1"
    # The history holds each version replaced; the unset version before install is not one.
    assert ctx.workload_version_history == ["1.0"]


def test_follower_cannot_set_the_app_status(ctx: testing.Context[Any]) -> None:
    state_in = testing.State(app_status=testing.ActiveStatus("serving"))

    state_out = ctx.run(ctx.on.stop(), state_in)

    assert state_out.unit_status == testing.BlockedStatus("stopped")
    assert state_out.app_status == testing.ActiveStatus("serving")
    assert any(
        m.startswith("cannot set app status") for m in log_messages(ctx.juju_log, "WARNING")
    )


def test_charm_reads_its_current_status(ctx: testing.Context[Any]) -> None:
    state_in = testing.State(unit_status=testing.ActiveStatus("all fine"))

    state_out = ctx.run(ctx.on.update_status(), state_in)

    assert "current status: active: all fine" in log_messages(ctx.juju_log, "INFO")
    assert state_out.unit_status == testing.WaitingStatus("waiting for nothing")


@pytest.mark.parametrize(
    ("leader", "broken", "unit_status", "app_status"),
    [
        (True, False, testing.ActiveStatus("all good"), testing.ActiveStatus("app fine")),
        (False, False, testing.ActiveStatus("all good"), testing.UnknownStatus()),
        (True, True, testing.BlockedStatus("broken"), testing.ActiveStatus("app fine")),
    ],
)
def test_collect_status_picks_the_highest_priority(
    leader: bool, broken: bool, unit_status: Any, app_status: Any
) -> None:
    ctx = testing.Context(CollectStatusCharm, meta=COLLECT.meta, config=COLLECT.config)
    state = testing.State(leader=leader, config={"broken": broken})

    state_out = ctx.run(ctx.on.update_status(), state)

    assert state_out.unit_status == unit_status
    assert state_out.app_status == app_status
