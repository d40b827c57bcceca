"""Config: defaults from the charm's options, overrides from the State, types, and bad values."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from ops import testing

from conftest import load_charm, log_messages

STORED_CONFIG = load_charm("stored-config")
StoredConfigCharm = STORED_CONFIG.charm_class("StoredConfigCharm")
CONF_CONFIG = load_charm("conf-config")
ConfConfigCharm = CONF_CONFIG.charm_class("ConfConfigCharm")


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(StoredConfigCharm, meta=STORED_CONFIG.meta, config=STORED_CONFIG.config)


def test_defaults_fill_options_the_state_leaves_out(ctx: testing.Context[Any]) -> None:
    state_out = ctx.run(ctx.on.config_changed(), testing.State())

    assert state_out.unit_status == testing.ActiveStatus(
        "port=8080 ratio=0.5 debug=False name=None"
    )


def test_state_config_overrides_defaults(ctx: testing.Context[Any]) -> None:
    state = testing.State(config={"port": 9090, "ratio": 1.5, "debug": True, "name": "db"})

    state_out = ctx.run(ctx.on.config_changed(), state)

    assert state_out.unit_status == testing.ActiveStatus("port=9090 ratio=1.5 debug=True name=db")


def test_output_state_keeps_the_input_config(ctx: testing.Context[Any]) -> None:
    state = testing.State(config={"port": 1234})

    state_out = ctx.run(ctx.on.config_changed(), state)

    assert state_out.config == {"port": 1234}


def test_replace_changes_one_option_between_runs(ctx: testing.Context[Any]) -> None:
    first = ctx.run(ctx.on.config_changed(), testing.State(config={"port": 1}))

    second = ctx.run(ctx.on.config_changed(), dataclasses.replace(first, config={"port": 2}))

    assert second.unit_status.message.startswith("port=2 ")
    stored = second.get_stored_state("_stored", owner_path="StoredConfigCharm")
    assert stored.content["counter"] == 2
    assert stored.content["tags"] == {"1", "2"}


def test_config_values_have_python_types() -> None:
    ctx = testing.Context(ConfConfigCharm, meta=CONF_CONFIG.meta, config=CONF_CONFIG.config)

    ctx.run(ctx.on.config_changed(), testing.State(config={"count": 7, "name": "x"}))

    logged = log_messages(ctx.juju_log, "INFO")
    assert "port=8080 (int)" in logged
    assert "count=7 (int)" in logged
    assert "ratio=0.25 (float)" in logged
    assert "debug=False (bool)" in logged
    assert "legacy-yes=True (bool)" in logged
    assert "greeting='hello' (str)" in logged
    assert "empty='' (str)" in logged
    assert "name='x' (str)" in logged


def test_option_without_default_is_absent() -> None:
    ctx = testing.Context(ConfConfigCharm, meta=CONF_CONFIG.meta, config=CONF_CONFIG.config)

    ctx.run(ctx.on.start(), testing.State())

    logged = log_messages(ctx.juju_log, "INFO")
    assert "name in config: False" in logged
    assert not any(line.startswith("count=") for line in logged)


def test_option_of_the_wrong_type_is_inconsistent(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.errors.InconsistentScenarioError):
        ctx.run(ctx.on.config_changed(), testing.State(config={"port": "eighty"}))


def test_unknown_option_is_inconsistent(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.errors.InconsistentScenarioError):
        ctx.run(ctx.on.config_changed(), testing.State(config={"colour": "blue"}))


def test_inline_config_dict() -> None:
    """A test may give only the options it cares about, as a dict of its own."""
    counter = load_charm("counter")
    ctx = testing.Context(
        counter.charm_class("CounterCharm"),
        meta={"name": "counter"},
        config={"options": {"step": {"type": "int", "default": 5}}},
    )

    state_out = ctx.run(ctx.on.config_changed(), testing.State())

    assert state_out.unit_status == testing.ActiveStatus("count=5")
