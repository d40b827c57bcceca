"""Stored state (`testing.StoredState`): given in the State, updated by the charm, carried
from one run to the next."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from ops import testing

from conftest import load_charm

COUNTER = load_charm("counter")
CounterCharm = COUNTER.charm_class("CounterCharm")
CONF_STORED = load_charm("conf-stored")
ConfStoredCharm = CONF_STORED.charm_class("ConfStoredCharm")


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(CounterCharm, meta=COUNTER.meta, config=COUNTER.config)


def count(state: testing.State) -> int:
    return state.get_stored_state("_stored", owner_path="CounterCharm").content["count"]


def test_stored_state_carries_across_runs(ctx: testing.Context[Any]) -> None:
    state = testing.State(config={"step": 2})
    for _ in range(3):
        state = ctx.run(ctx.on.config_changed(), state)

    assert count(state) == 6
    assert state.unit_status == testing.ActiveStatus("count=6")


def test_stored_state_given_in_the_input(ctx: testing.Context[Any]) -> None:
    state = testing.State(
        stored_states={testing.StoredState(owner_path="CounterCharm", content={"count": 10})}
    )

    state_out = ctx.run(ctx.on.config_changed(), state)

    assert count(state_out) == 11


def test_set_default_without_an_event_that_writes(ctx: testing.Context[Any]) -> None:
    state_out = ctx.run(ctx.on.update_status(), testing.State())

    assert count(state_out) == 0


def test_stored_values_of_many_types_round_trip() -> None:
    stored_config = load_charm("stored-config")
    ctx = testing.Context(
        stored_config.charm_class("StoredConfigCharm"),
        meta=stored_config.meta,
        config=stored_config.config,
    )

    state = ctx.run(ctx.on.config_changed(), testing.State(config={"port": 81}))
    state = dataclasses.replace(state, config={"port": 82, "log-level": "debug"})
    state = ctx.run(ctx.on.config_changed(), state)

    content = state.get_stored_state("_stored", owner_path="StoredConfigCharm").content
    assert content["counter"] == 2
    assert content["seen"] == ["info", "debug"]
    assert content["tags"] == {"81", "82"}
    assert content["last_port"] == 82
    assert content["blob"] == b"xx"
    assert content["big"] == 2**70 + 2


def test_defaults_of_every_type_are_stored() -> None:
    ctx = testing.Context(ConfStoredCharm, meta=CONF_STORED.meta, config=CONF_STORED.config)

    state_out = ctx.run(ctx.on.start(), testing.State())

    content = state_out.get_stored_state("_stored", owner_path="ConfStoredCharm").content
    assert content["nested"] == {"a": {"b": [1, 2]}}
    assert content["tags"] == set()
    assert content["frozen"] == frozenset({"x"})
    assert content["pair"] == (1, "one")
    assert content["big"] == 2**64
    assert content["keyed"] == {1: "one"}


def test_library_object_has_its_own_stored_state() -> None:
    ctx = testing.Context(ConfStoredCharm, meta=CONF_STORED.meta, config=CONF_STORED.config)
    tracker = testing.StoredState(
        owner_path="ConfStoredCharm/Tracker[tracker]", content={"seen": 41}
    )

    state_out = ctx.run(ctx.on.start(), testing.State(stored_states={tracker}))

    assert state_out.get_stored_state(
        "_stored", owner_path="ConfStoredCharm/Tracker[tracker]"
    ).content == {"seen": 42}
    assert state_out.get_stored_state("_extra", owner_path="ConfStoredCharm").content == {
        "started": True
    }
