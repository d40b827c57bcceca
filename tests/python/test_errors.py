"""Errors a test meets: a charm exception (`UncaughtCharmError`) and an inconsistent State
(`InconsistentScenarioError`), checked before the charm runs."""

from __future__ import annotations

import importlib.metadata
import traceback
from typing import Any

import pytest
from ops import testing

from conftest import load_charm

RAISING = load_charm("raising")
RaisingCharm = RAISING.charm_class("RaisingCharm")
PEBBLE_READY = load_charm("pebble-ready")
PebbleReadyCharm = PEBBLE_READY.charm_class("PebbleReadyCharm")
SECRET_OBSERVER = load_charm("secret-observer")

SCENARIO_MAJOR = int(importlib.metadata.version("ops-scenario").split(".")[0])


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(RaisingCharm, meta=RAISING.meta)


def test_charm_exception_is_wrapped(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.errors.UncaughtCharmError) as excinfo:
        ctx.run(ctx.on.start(), testing.State())

    assert isinstance(excinfo.value.__cause__, KeyError)
    assert "KeyError" in str(excinfo.value)


def test_charm_exception_keeps_the_charm_frames(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.errors.UncaughtCharmError) as excinfo:
        ctx.run(ctx.on.stop(), testing.State())

    cause = excinfo.value.__cause__
    assert isinstance(cause, RuntimeError) and str(cause) == "stop failed"
    frames = [frame.name for frame in traceback.extract_tb(cause.__traceback__)]
    assert frames[-4:] == ["_on_stop", "_shutdown", "_check_stop_allowed", "_fail"]


def test_what_ran_before_the_exception_is_recorded(ctx: testing.Context[Any]) -> None:
    with pytest.raises(testing.errors.UncaughtCharmError):
        ctx.run(ctx.on.start(), testing.State())

    assert any(line.message == "starting" for line in ctx.juju_log)


def test_uncaught_charm_error_is_a_runtime_error(ctx: testing.Context[Any]) -> None:
    with pytest.raises(RuntimeError):
        ctx.run(ctx.on.start(), testing.State())


def test_a_handler_that_does_not_raise(ctx: testing.Context[Any]) -> None:
    state_out = ctx.run(ctx.on.update_status(), testing.State())

    assert state_out.unit_status == testing.ActiveStatus("fine")


@pytest.mark.skipif(
    SCENARIO_MAJOR < 8, reason="SCENARIO_BARE_CHARM_ERRORS is new in ops-scenario 8"
)
def test_bare_charm_errors(ctx: testing.Context[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCENARIO_BARE_CHARM_ERRORS", "true")

    with pytest.raises(KeyError):
        ctx.run(ctx.on.start(), testing.State())


def test_pebble_event_for_an_undeclared_container_is_inconsistent() -> None:
    ctx = testing.Context(PebbleReadyCharm, meta=PEBBLE_READY.meta)
    sidecar = testing.Container("sidecar", can_connect=True)

    with pytest.raises(testing.errors.InconsistentScenarioError):
        ctx.run(ctx.on.pebble_ready(sidecar), testing.State(containers={sidecar}))


def test_secret_event_for_a_secret_not_in_the_state_is_inconsistent() -> None:
    ctx = testing.Context(
        SECRET_OBSERVER.charm_class("SecretObserverCharm"),
        meta=SECRET_OBSERVER.meta,
        config=SECRET_OBSERVER.config,
    )
    secret = testing.Secret({"password": "x"})

    with pytest.raises(testing.errors.InconsistentScenarioError):
        ctx.run(ctx.on.secret_changed(secret), testing.State())


def test_inconsistent_state_never_reaches_the_charm(ctx: testing.Context[Any]) -> None:
    stray = testing.Relation("db")

    with pytest.raises(testing.errors.InconsistentScenarioError):
        ctx.run(ctx.on.start(), testing.State(relations={stray}))

    assert ctx.unit_status_history == []
    assert not any(line.message == "starting" for line in ctx.juju_log)
