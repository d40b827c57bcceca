"""Custom events: on the charm's own CharmEvents, on a charm library object, deferred with their
arguments, and emitted from the manager form."""

from __future__ import annotations

import logging
from typing import Any

import ops
import pytest
from ops import testing

from conftest import load_charm, log_messages

CUSTOM = load_charm("custom-events")
CustomEventsCharm = CUSTOM.charm_class("CustomEventsCharm")
# The charm's library, imported from its lib/ as the charm imports it.
from charms.demo.v0.greeter import GreetedEvent  # noqa: E402


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(CustomEventsCharm, meta=CUSTOM.meta)


def test_library_event_emitted_from_a_handler(ctx: testing.Context[Any]) -> None:
    state_out = ctx.run(ctx.on.start(), testing.State())

    assert state_out.unit_status == testing.ActiveStatus("hello start x2")
    assert "hello start x2" in log_messages(ctx.juju_log, "INFO")
    greeted = [e for e in ctx.emitted_events if isinstance(e, GreetedEvent)]
    assert len(greeted) == 1
    assert (greeted[0].name, greeted[0].times) == ("start", 2)


def test_emitted_events_are_the_ops_event_objects(ctx: testing.Context[Any]) -> None:
    ctx.run(ctx.on.start(), testing.State())

    assert [type(e) for e in ctx.emitted_events] == [ops.StartEvent, GreetedEvent]


def test_custom_event_emitted_through_the_manager(ctx: testing.Context[Any]) -> None:
    with ctx(ctx.on.update_status(), testing.State()) as mgr:
        mgr.charm.on.reconfigured.emit()
        assert mgr.charm.unit.status == ops.ActiveStatus("reconfigured")
        state_out = mgr.run()

    assert state_out.unit_status == testing.ActiveStatus("reconfigured")


def test_deferred_library_event_keeps_its_arguments(ctx: testing.Context[Any]) -> None:
    deferred = testing.DeferredEvent(
        handle_path="CustomEventsCharm/Greeter[greeter]/on/greeted[1]",
        owner="CustomEventsCharm",
        observer="_on_greeted",
        snapshot_data={"name": "bob", "times": 5},
    )

    state_out = ctx.run(ctx.on.update_status(), testing.State(deferred=[deferred]))

    assert state_out.unit_status == testing.ActiveStatus("hello bob x5")
    assert state_out.deferred == []


def test_library_event_run_through_ctx_on_custom(ctx: testing.Context[Any]) -> None:
    """`ctx.on.custom()` names a library's event by its class; the charm's attribute holding
    those events is found on the live charm."""
    from charms.demo.v0.greeter import Greeter

    state_out = ctx.run(ctx.on.custom(Greeter.on.greeted, "carol", times=4), testing.State())

    assert state_out.unit_status == testing.ActiveStatus("hello carol x4")
    greeted = [e for e in ctx.emitted_events if isinstance(e, GreetedEvent)]
    assert [(e.name, e.times) for e in greeted] == [("carol", 4)]


def test_library_event_through_ctx_on_custom_in_the_manager(ctx: testing.Context[Any]) -> None:
    from charms.demo.v0.greeter import Greeter

    with ctx(ctx.on.custom(Greeter.on.greeted, "dave"), testing.State()) as mgr:
        assert isinstance(mgr.charm, CustomEventsCharm)
        state_out = mgr.run()

    assert state_out.unit_status == testing.ActiveStatus("hello dave x1")


def test_a_custom_event_is_run_with_a_warning_in_the_log(
    ctx: testing.Context[Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Both checkers find a custom event worth a warning, which goes to ops.testing's log."""
    from charms.demo.v0.greeter import Greeter

    with caplog.at_level(logging.WARNING):
        ctx.run(ctx.on.custom(Greeter.on.greeted, "erin"), testing.State())

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("probably inconsistent" in m for m in warnings), warnings
