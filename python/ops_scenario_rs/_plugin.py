"""The pytest switch: with `OPS_SCENARIO_ENGINE=rust` (or `--ops-engine=rust`), the session's
`ops.testing.Context` (and `scenario.Context`) is the engine's, from the end of pytest's
configure phase, before any test module is imported. Otherwise it does nothing."""

from __future__ import annotations

import os
from typing import Any

ENV = 'OPS_SCENARIO_ENGINE'


def pytest_addoption(parser: Any) -> None:
    parser.addoption(
        '--ops-engine',
        choices=('ops-testing', 'rust'),
        default=None,
        help=f'run ops.testing Contexts on this engine (default: ${ENV}, else ops-testing)',
    )


def _wanted(config: Any) -> bool:
    choice = config.getoption('--ops-engine') or os.environ.get(ENV, 'ops-testing')
    if choice not in ('ops-testing', 'rust'):
        raise ValueError(f'{ENV}={choice!r}: use "rust" or "ops-testing"')
    return bool(choice == 'rust')


def pytest_configure(config: Any) -> None:
    if not _wanted(config):
        return
    import ops.testing

    from . import Context

    ops.testing.Context = Context  # type: ignore[misc]
    try:
        import scenario
    except ImportError:
        return
    scenario.Context = Context  # type: ignore[attr-defined]
    config.stash[_SWAPPED] = True


def pytest_report_header(config: Any) -> str | None:
    if config.stash.get(_SWAPPED, False):
        return 'ops.testing.Context: ops_scenario_rs (the Rust engine)'
    return None


try:
    import pytest

    _SWAPPED: Any = pytest.StashKey[bool]()
except ImportError:  # pragma: no cover
    _SWAPPED = None
