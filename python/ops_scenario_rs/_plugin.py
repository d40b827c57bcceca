"""The pytest switch: with `OPS_SCENARIO_ENGINE=rust` (or `--ops-engine=rust`), the session's
`ops.testing.Context` (and `scenario.Context`, for suites that import `scenario`) is the
engine's, from pytest's configure phase on: before any test module is imported, and before
other plugins' `pytest_sessionstart`. Otherwise it does nothing."""

from __future__ import annotations

import os

import pytest

ENV = 'OPS_SCENARIO_ENGINE'
_CHOICES = ('ops-testing', 'rust')
_SWAPPED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        '--ops-engine',
        choices=_CHOICES,
        default=None,
        help=f'the engine of ops.testing Contexts: rust, or ops-testing (default: ${ENV}, '
        'else ops-testing)',
    )


def _wanted(config: pytest.Config) -> bool:
    choice = config.getoption('--ops-engine') or os.environ.get(ENV) or 'ops-testing'
    if choice not in _CHOICES:
        raise pytest.UsageError(f'{ENV}={choice!r}: use "rust" or "ops-testing"')
    return bool(choice == 'rust')


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _wanted(config):
        return
    import ops.testing

    from . import Context

    setattr(ops.testing, 'Context', Context)
    config.stash[_SWAPPED] = True
    # Suites written for Scenario 7 import it as `scenario`.
    try:
        import scenario
    except ImportError:
        return
    setattr(scenario, 'Context', Context)


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.stash.get(_SWAPPED, False):
        return 'ops.testing.Context: ops_scenario_rs.Context (the ops-scenario engine, in Rust)'
    return None
