"""Lifecycle events: each one reaches the charm's handler, and the charm class is the one given."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ops
import pytest
from ops import testing

from conftest import load_charm, log_messages

LIFECYCLE = load_charm("lifecycle")
LifecycleCharm = LIFECYCLE.charm_class("LifecycleCharm")

# Real suites spell the metadata out inline far more often than they read the charm's YAML.
LIFECYCLE_META = {"name": "lifecycle"}


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(LifecycleCharm, meta=LIFECYCLE_META)


EVENTS: dict[str, Callable[[testing.Context[Any]], Any]] = {
    "install": lambda ctx: ctx.on.install(),
    "start": lambda ctx: ctx.on.start(),
    "config_changed": lambda ctx: ctx.on.config_changed(),
    "update_status": lambda ctx: ctx.on.update_status(),
    "leader_elected": lambda ctx: ctx.on.leader_elected(),
    "upgrade_charm": lambda ctx: ctx.on.upgrade_charm(),
    "stop": lambda ctx: ctx.on.stop(),
    "remove": lambda ctx: ctx.on.remove(),
    "pre_series_upgrade": lambda ctx: ctx.on.pre_series_upgrade(),
    "post_series_upgrade": lambda ctx: ctx.on.post_series_upgrade(),
}


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_lifecycle_event_reaches_its_handler(ctx: testing.Context[Any], kind: str) -> None:
    leader = kind == "leader_elected"  # Juju sends leader-elected to the new leader only
    state_out = ctx.run(EVENTS[kind](ctx), testing.State(leader=leader))

    assert state_out.unit_status == testing.ActiveStatus(kind)
    assert f"handled {kind}" in log_messages(ctx.juju_log, "INFO")


def test_lifecycle_event_is_the_ops_event_type(ctx: testing.Context[Any]) -> None:
    ctx.run(ctx.on.upgrade_charm(), testing.State())

    charm_events = [e for e in ctx.emitted_events if not isinstance(e, ops.CollectStatusEvent)]
    assert [type(e) for e in charm_events] == [ops.UpgradeCharmEvent]


def test_install_start_sequence_keeps_last_status(ctx: testing.Context[Any]) -> None:
    state = testing.State(leader=True)  # leader-elected goes to the leader only
    for event in (
        ctx.on.install(),
        ctx.on.leader_elected(),
        ctx.on.config_changed(),
        ctx.on.start(),
    ):
        state = ctx.run(event, state)

    assert state.unit_status == testing.ActiveStatus("start")
    assert [s.message for s in ctx.unit_status_history] == [
        "",
        "install",
        "leader_elected",
        "config_changed",
    ]


def test_status_before_the_run_is_in_the_history(ctx: testing.Context[Any]) -> None:
    state_in = testing.State(unit_status=testing.BlockedStatus("was blocked"))

    state_out = ctx.run(ctx.on.update_status(), state_in)

    assert ctx.unit_status_history == [testing.BlockedStatus("was blocked")]
    assert state_out.unit_status == testing.ActiveStatus("update_status")


# --- Loading the charm: from the charm's directory, and the class given ------------------------


def test_autoloads_legacy_metadata_files() -> None:
    """No meta: ops.testing reads metadata.yaml, config.yaml and actions.yaml beside src/."""
    legacy = load_charm("legacy-layout")
    ctx = testing.Context(legacy.charm_class("LegacyLayoutCharm"))

    state_out = ctx.run(ctx.on.start(), testing.State())

    assert state_out.unit_status == testing.ActiveStatus("hi")


def test_autoloaded_charm_takes_config_from_state() -> None:
    legacy = load_charm("legacy-layout")
    ctx = testing.Context(legacy.charm_class("LegacyLayoutCharm"))

    state_out = ctx.run(ctx.on.start(), testing.State(config={"greeting": "bonjour"}))

    assert state_out.unit_status == testing.ActiveStatus("bonjour")


def test_autoloads_charmcraft_yaml() -> None:
    status = load_charm("leader-status")
    ctx = testing.Context(status.charm_class("LeaderStatusCharm"))

    state_out = ctx.run(ctx.on.start(), testing.State(leader=True))

    assert state_out.unit_status == testing.ActiveStatus("leader")
    assert state_out.app_status == testing.ActiveStatus("serving")


@pytest.mark.parametrize(
    ("class_name", "message"),
    [("SpecialDemoCharm", "special"), ("BaseDemoCharm", "base")],
)
def test_runs_the_charm_class_given(class_name: str, message: str) -> None:
    multi = load_charm("multi-class")
    ctx = testing.Context(multi.charm_class(class_name), meta=multi.meta)

    state_out = ctx.run(ctx.on.start(), testing.State())

    assert state_out.unit_status == testing.ActiveStatus(message)


def test_charm_root_gives_the_charm_its_files(tmp_path: Path) -> None:
    """With `charm_root`, `self.charm_dir` is that directory: its templates are readable."""
    charm_dir = load_charm("charm-dir")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "motd.txt").write_text("Hello from {unit}\n")
    ctx = testing.Context(
        charm_dir.charm_class("CharmDirCharm"), meta=charm_dir.meta, charm_root=tmp_path
    )

    state_out = ctx.run(ctx.on.start(), testing.State())

    assert state_out.unit_status == testing.ActiveStatus("Hello from charm-dir/0")
    assert f"env JUJU_CHARM_DIR={tmp_path}" in log_messages(ctx.juju_log)
    assert "banner demo-banner" in log_messages(ctx.juju_log)
    # The charm's own files are left as they were.
    assert (tmp_path / "templates" / "motd.txt").read_text() == "Hello from {unit}\n"


def test_app_name_and_unit_id_name_the_unit() -> None:
    hook_tools = load_charm("hook-tools")
    ctx = testing.Context(
        hook_tools.charm_class("HookToolsCharm"), meta=hook_tools.meta, app_name="tools", unit_id=3
    )

    state_out = ctx.run(ctx.on.start(), testing.State(planned_units=4))

    assert state_out.unit_status == testing.ActiveStatus("tools tools/3 4")


def test_model_name_and_uuid_come_from_the_state() -> None:
    hook_tools = load_charm("hook-tools")
    ctx = testing.Context(hook_tools.charm_class("HookToolsCharm"), meta=hook_tools.meta)
    model = testing.Model(name="prod", uuid="00000000-0000-4000-8000-000000000001")

    ctx.run(ctx.on.start(), testing.State(model=model))

    logged = log_messages(ctx.juju_log, "INFO")
    assert "model=prod" in logged
    assert "uuid=00000000-0000-4000-8000-000000000001" in logged


def test_juju_version_is_the_contexts(tmp_path: Path) -> None:
    charm_dir = load_charm("charm-dir")
    root = shutil.copytree(charm_dir.root, tmp_path / "charm")
    ctx = testing.Context(
        charm_dir.charm_class("CharmDirCharm"),
        meta=charm_dir.meta,
        charm_root=root,
        juju_version="3.5.4",
    )

    ctx.run(ctx.on.start(), testing.State())

    assert "env JUJU_VERSION=3.5.4" in log_messages(ctx.juju_log)
