"""ops.testing's API on the ops-scenario engine (Rust), inside this interpreter.

`ops_scenario_rs.Context` is a drop-in for `ops.testing.Context` (and `scenario.Context`): the
same constructor, `ctx.on`, `ctx.run`, the manager form and the output attributes, with
ops.testing's own State classes. Installing the package registers a pytest plugin that swaps
it in for a whole session when `OPS_SCENARIO_ENGINE=rust` is set or `--ops-engine=rust` is
passed.
"""

from __future__ import annotations

from ._context import Context, EngineError

__all__ = ['Context', 'EngineError']
