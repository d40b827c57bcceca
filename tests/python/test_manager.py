"""The manager form: `with ctx(event, state) as mgr:`, the live charm before and after the run."""

from __future__ import annotations

from typing import Any

import ops
import pytest
from ops import testing

from conftest import load_charm

DB_REQUIRER = load_charm("db-requirer")
DbRequirerCharm = DB_REQUIRER.charm_class("DbRequirerCharm")
COUNTER = load_charm("counter")
CounterCharm = COUNTER.charm_class("CounterCharm")


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(DbRequirerCharm, meta=DB_REQUIRER.meta, config=DB_REQUIRER.config)


def test_charm_is_live_before_the_run(ctx: testing.Context[Any]) -> None:
    db = testing.Relation("db", remote_app_name="postgresql", remote_app_data={"host": "h"})

    with ctx(ctx.on.relation_changed(db), testing.State(leader=True, relations={db})) as mgr:
        charm = mgr.charm
        assert isinstance(charm, DbRequirerCharm)
        assert charm.unit.is_leader()
        relation = charm.model.get_relation("db")
        assert relation is not None
        assert relation.data[relation.app]["host"] == "h"
        state_out = mgr.run()

    assert state_out.get_relation(db.id).local_app_data["user"] == "client"


def test_charm_after_the_run_shows_what_the_handler_did(ctx: testing.Context[Any]) -> None:
    with ctx(ctx.on.update_status(), testing.State()) as mgr:
        state_out = mgr.run()
        assert mgr.charm.unit.status == ops.BlockedStatus("needs a database")

    assert state_out.unit_status == testing.BlockedStatus("needs a database")


def test_changes_made_through_the_charm_before_the_run_are_kept(ctx: testing.Context[Any]) -> None:
    with ctx(ctx.on.update_status(), testing.State()) as mgr:
        mgr.charm.unit.set_workload_version("9.9")
        state_out = mgr.run()

    assert state_out.workload_version == "9.9"


def test_leaving_the_block_without_run_runs_the_event() -> None:
    ctx = testing.Context(CounterCharm, meta=COUNTER.meta, config=COUNTER.config)

    with ctx(ctx.on.config_changed(), testing.State()) as mgr:
        assert mgr.charm.config["step"] == 1

    assert ctx.unit_status_history == [testing.UnknownStatus()]


def test_manager_then_chain_with_run() -> None:
    ctx = testing.Context(CounterCharm, meta=COUNTER.meta, config=COUNTER.config)

    with ctx(ctx.on.config_changed(), testing.State(config={"step": 4})) as mgr:
        first = mgr.run()
    second = ctx.run(ctx.on.config_changed(), first)

    assert second.unit_status == testing.ActiveStatus("count=8")


def test_manager_ops_holds_the_event_and_the_state(ctx: testing.Context[Any]) -> None:
    state = testing.State(leader=True)

    with ctx(ctx.on.update_status(), state) as mgr:
        assert mgr.ops is not None
        assert mgr.ops.event.name == "update_status"
        assert mgr.ops.state == state
        state_out = mgr.run()
        assert mgr.ops.state == state_out


def test_a_context_used_as_a_context_manager_closes_once(ctx: testing.Context[Any]) -> None:
    with ctx:
        ctx.run(ctx.on.update_status(), testing.State())
    assert [type(e).__name__ for e in ctx.emitted_events] == ["UpdateStatusEvent"]
    ctx.close()  # a second close does nothing


def test_manager_ops_state_shows_what_the_charm_wrote_before_the_run(
    ctx: testing.Context[Any],
) -> None:
    """tempo-coordinator-k8s's library tests write through the live charm and read
    `mgr.ops.state` without running the event."""
    db = testing.Relation("db", remote_app_name="postgresql")

    with ctx(ctx.on.update_status(), testing.State(leader=True, relations={db})) as mgr:
        relation = mgr.charm.model.get_relation("db")
        assert relation is not None
        relation.data[mgr.charm.app]["published"] = "yes"
        assert mgr.ops is not None
        assert mgr.ops.state.get_relation(db.id).local_app_data["published"] == "yes"
        mgr.run()
