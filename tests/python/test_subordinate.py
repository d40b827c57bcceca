"""Subordinate relations (`testing.SubordinateRelation`): the one principal unit and its
databags."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import ops
import pytest
from ops import testing

from conftest import load_charm, log_messages

SUBORDINATE = load_charm("subordinate")
SubordinateCharm = SUBORDINATE.charm_class("SubordinateCharm")

SCENARIO_MAJOR = int(importlib.metadata.version("ops-scenario").split(".")[0])


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(SubordinateCharm, meta=SUBORDINATE.meta, config=SUBORDINATE.config)


@pytest.fixture
def juju_info() -> testing.SubordinateRelation:
    return testing.SubordinateRelation(
        "juju-info",
        remote_app_name="mysql",
        remote_unit_id=3,
        remote_app_data={"role": "primary"},
    )


def test_joined_publishes_the_agent_address(
    ctx: testing.Context[Any], juju_info: testing.SubordinateRelation
) -> None:
    state_out = ctx.run(
        ctx.on.relation_joined(juju_info), testing.State(leader=True, relations={juju_info})
    )

    relation_out = state_out.get_relation(juju_info.id)
    assert relation_out.local_unit_data["agent-address"] == "192.0.2.0"
    assert relation_out.local_app_data == {"agent": "log-agent"}


def test_changed_reads_the_principal_units_databag(
    ctx: testing.Context[Any], juju_info: testing.SubordinateRelation
) -> None:
    state_out = ctx.run(ctx.on.relation_changed(juju_info), testing.State(relations={juju_info}))

    assert state_out.unit_status == testing.ActiveStatus(
        "agent for mysql/3 at 192.0.2.0 via 192.0.2.0"
    )
    assert state_out.get_relation(juju_info.id).local_unit_data["watching"] == "mysql/3"
    assert "principal app bag: {'role': 'primary'}" in log_messages(ctx.juju_log, "INFO")


def test_subordinate_relation_output_keeps_its_type(
    ctx: testing.Context[Any], juju_info: testing.SubordinateRelation
) -> None:
    state_out = ctx.run(ctx.on.relation_changed(juju_info), testing.State(relations={juju_info}))

    relation_out = state_out.get_relation(juju_info.id)
    assert isinstance(relation_out, testing.SubordinateRelation)
    assert relation_out.remote_unit_id == 3
    assert relation_out.remote_app_name == "mysql"


def test_logs_endpoint_tails_what_the_principal_asks(ctx: testing.Context[Any]) -> None:
    logs = testing.SubordinateRelation(
        "logs",
        remote_app_name="mysql",
        remote_app_data={"log-paths": "/var/log/mysql/*.log"},
        remote_unit_data={"log-level": "debug"},
    )

    state_out = ctx.run(ctx.on.relation_changed(logs), testing.State(relations={logs}))

    assert state_out.unit_status == testing.ActiveStatus(
        "tailing /var/log/mysql/*.log of mysql/0 at debug"
    )
    assert state_out.get_relation(logs.id).local_unit_data["tailing"] == "/var/log/mysql/*.log"


def test_logs_endpoint_waits_for_paths(ctx: testing.Context[Any]) -> None:
    logs = testing.SubordinateRelation("logs", remote_app_name="mysql")

    state_out = ctx.run(ctx.on.relation_changed(logs), testing.State(relations={logs}))

    assert state_out.unit_status == testing.WaitingStatus("mysql/0 has not said what to tail")


def test_departed_principal(
    ctx: testing.Context[Any], juju_info: testing.SubordinateRelation
) -> None:
    state_out = ctx.run(
        ctx.on.relation_departed(juju_info, remote_unit=3, departing_unit=3),
        testing.State(relations={juju_info}),
    )

    assert state_out.unit_status == testing.WaitingStatus("mysql/3 departed")


def test_broken_leaves_no_principal(
    ctx: testing.Context[Any], juju_info: testing.SubordinateRelation
) -> None:
    state_out = ctx.run(ctx.on.relation_broken(juju_info), testing.State(relations={juju_info}))

    assert state_out.unit_status == testing.BlockedStatus("no principal")


def test_writing_the_principals_databag_fails(
    ctx: testing.Context[Any], juju_info: testing.SubordinateRelation
) -> None:
    state = testing.State(relations={juju_info}, config={"probe": "principal-unit"})

    with pytest.raises(testing.errors.UncaughtCharmError) as excinfo:
        ctx.run(ctx.on.relation_changed(juju_info), state)

    assert isinstance(excinfo.value.__cause__, ops.RelationDataError)


@pytest.mark.skipif(
    SCENARIO_MAJOR < 8, reason="Context(principal_unit=...) is new in ops-scenario 8"
)
def test_principal_unit_is_the_related_one(
    juju_info: testing.SubordinateRelation,
) -> None:
    ctx = testing.Context(
        SubordinateCharm,
        meta=SUBORDINATE.meta,
        config=SUBORDINATE.config,
        principal_unit="mysql/3",
    )

    state_out = ctx.run(ctx.on.update_status(), testing.State(relations={juju_info}))

    assert state_out.unit_status == testing.ActiveStatus("attached to mysql/3")
