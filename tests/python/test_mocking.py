"""`unittest.mock.patch` of what the charm imports: its own module's functions and constants, a
sibling module of src/, and ops objects reached through the live charm."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import ops
import pytest
from ops import testing

from conftest import load_charm, module_name

RAISING = load_charm("raising")
RaisingCharm = RAISING.charm_class("RaisingCharm")
PEBBLE_READY = load_charm("pebble-ready")
PebbleReadyCharm = PEBBLE_READY.charm_class("PebbleReadyCharm")
LEADER_STATUS = load_charm("leader-status")
LeaderStatusCharm = LEADER_STATUS.charm_class("LeaderStatusCharm")
CHARM_DIR = load_charm("charm-dir")
CharmDirCharm = CHARM_DIR.charm_class("CharmDirCharm")


def test_patch_a_charm_module_function_by_name() -> None:
    ctx = testing.Context(RaisingCharm, meta=RAISING.meta)

    with mock.patch(f"{module_name('raising')}._check_stop_allowed") as check:
        ctx.run(ctx.on.stop(), testing.State())

    check.assert_called_once_with("stop failed")


def test_patch_object_with_a_side_effect() -> None:
    ctx = testing.Context(RaisingCharm, meta=RAISING.meta)

    with mock.patch.object(RAISING.module, "_fail", side_effect=ValueError("patched")):
        with pytest.raises(testing.errors.UncaughtCharmError) as excinfo:
            ctx.run(ctx.on.stop(), testing.State())

    assert isinstance(excinfo.value.__cause__, ValueError)
    assert str(excinfo.value.__cause__) == "patched"


def test_patch_a_module_constant_the_charm_reads() -> None:
    ctx = testing.Context(PebbleReadyCharm, meta=PEBBLE_READY.meta)
    container = testing.Container("workload", can_connect=True)
    service = PEBBLE_READY.module.LAYER["services"]["app"]

    with mock.patch.dict(service, {"command": "/usr/bin/app --debug"}):
        state_out = ctx.run(ctx.on.pebble_ready(container), testing.State(containers={container}))

    assert (
        state_out.get_container("workload").plan.services["app"].command == "/usr/bin/app --debug"
    )


def test_patch_an_ops_object_through_the_live_charm() -> None:
    ctx = testing.Context(LeaderStatusCharm, meta=LEADER_STATUS.meta)

    with ctx(ctx.on.start(), testing.State(leader=True)) as mgr:
        with mock.patch.object(mgr.charm.unit, "is_leader", return_value=False) as is_leader:
            state_out = mgr.run()

    is_leader.assert_called()
    assert state_out.unit_status == testing.ActiveStatus("follower")


def test_patch_a_sibling_module_of_src(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "motd.txt").write_text("hi {unit}")
    ctx = testing.Context(CharmDirCharm, meta=CHARM_DIR.meta, charm_root=tmp_path)

    with mock.patch("helpers.render", return_value="rendered by a mock") as render:
        state_out = ctx.run(ctx.on.start(), testing.State())

    render.assert_called_once_with("hi {unit}", "charm-dir/0")
    assert state_out.unit_status == testing.ActiveStatus("rendered by a mock")


def test_patch_the_ops_class_the_charm_uses() -> None:
    ctx = testing.Context(LeaderStatusCharm, meta=LEADER_STATUS.meta)
    seen: list[Any] = []
    real = ops.Unit.is_leader

    def spy(unit: ops.Unit) -> bool:
        seen.append(unit.name)
        return real(unit)

    with mock.patch.object(ops.Unit, "is_leader", spy):
        state_out = ctx.run(ctx.on.start(), testing.State(leader=True))

    assert seen == ["leader-status/0"]
    assert state_out.unit_status == testing.ActiveStatus("leader")
