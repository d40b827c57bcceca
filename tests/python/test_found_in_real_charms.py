"""What real charms' ops.testing suites do that the engine does differently (scripts/real-charm.sh).

Each test is the smallest ops.testing-style form of a real charm's test whose outcome differed
between ops.testing and the engine, over this repository's charms where one fits. They pass on
ops.testing; each says which charm's test it comes from and what the engine does instead.
"""

from __future__ import annotations

from typing import Any

import ops
import pytest
from ops import testing

from conftest import load_charm

DB_REQUIRER = load_charm("db-requirer")
DbRequirerCharm = DB_REQUIRER.charm_class("DbRequirerCharm")


@pytest.fixture
def db_requirer_ctx() -> testing.Context[Any]:
    return testing.Context(DbRequirerCharm, meta=DB_REQUIRER.meta, config=DB_REQUIRER.config)


def test_relation_data_written_after_mgr_run_reaches_the_output_state(
    db_requirer_ctx: testing.Context[Any],
) -> None:
    """loki-k8s tests/unit/test_charm_logging.py::test_update_endpoints.

    In the manager form, the charm may still be used after `mgr.run()`. On ops.testing the
    output State `mgr.run()` returned shares its mutable members with the State the charm's
    backend goes on writing into: a relation-set after the run changes the very databag dict the
    test took from `state_out` (so does `Container.add_layer`: the layer appears in the output
    container's `layers`; the State's own fields, such as `unit_status`, are not changed). The
    engine's kept backend accepts the write, and the charm reads it back, but `state_out`,
    converted from the engine's JSON when the run finished, never sees it.
    """
    ctx = db_requirer_ctx
    db = testing.Relation("db", remote_app_name="postgresql", remote_app_data={"host": "h"})

    with ctx(ctx.on.relation_changed(db), testing.State(leader=True, relations={db})) as mgr:
        state_out = mgr.run()
        unit_data = state_out.get_relation(db.id).local_unit_data
        assert "endpoint" not in unit_data

        relation = mgr.charm.model.get_relation("db")
        assert relation is not None
        relation.data[mgr.charm.unit]["endpoint"] = "http://foo"

        assert unit_data["endpoint"] == "http://foo"

    assert state_out.get_relation(db.id).local_unit_data["endpoint"] == "http://foo"


def _manager_exit_calls_ops_destroy() -> bool:
    """Whether this ops-scenario's `Manager.__exit__` ends with `self.ops.destroy()`: 8.0.0 to
    8.3.x, and 7.23.0 to 7.23.2 (operator af31fadc, "expose trace data in testing", until
    3ac3706b, ops 3.4.0, and its backport to the 2.23 line; 7.23.4 no longer does)."""
    from importlib.metadata import version

    parts = tuple(int(p) for p in version("ops-scenario").split(".")[:3] if p.isdigit())
    return (8,) <= parts < (8, 4) or (7, 23) <= parts < (7, 23, 3)


@pytest.mark.skipif(
    not _manager_exit_calls_ops_destroy(),
    reason="this ops-scenario's Manager.__exit__ does not call ops.destroy()",
)
def test_manager_form_exits_on_an_ops_scenario_whose_manager_calls_ops_destroy() -> None:
    """grafana-k8s (ops-scenario 8.3.1): every test in the manager form, 28 of its 72.

    ops-scenario 8.0 to 8.3 (and 7.23.0 to 7.23.2) end `Manager.__exit__` with
    `self.ops.destroy()`, ops.testing's `Ops` (an `ops._main._Manager`) finalising the run and
    collecting the trace data. The package's `_Ops` has no `destroy`, so leaving the `with` block
    raises `AttributeError: '_Ops' object has no attribute 'destroy'`, whether or not the test
    called `mgr.run()`. With a no-op `_Ops.destroy` patched in (a probe), all 28 pass. Runs
    only on those versions (grafana-k8s's own venv, through scripts/real-charm.sh).
    """
    ctx = testing.Context(DbRequirerCharm, meta=DB_REQUIRER.meta, config=DB_REQUIRER.config)

    with ctx(ctx.on.update_status(), testing.State()) as mgr:
        state_out = mgr.run()

    assert state_out.unit_status == testing.BlockedStatus("needs a database")
