"""The pytest switch: with `OPS_SCENARIO_ENGINE=rust` (or `--ops-engine=rust`), the session's
`ops.testing.Context` (and `scenario.Context`, for suites that import `scenario`) is the
engine's. The swap is made before pytest imports the suite's initial conftest.py files (a
conftest may `from ops.testing import Context` at import time), so it is in place for every
test module and for other plugins by the end of the configure phase. Otherwise it does
nothing."""

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


def _wanted(option: str | None) -> bool:
    choice = option or os.environ.get(ENV) or 'ops-testing'
    if choice not in _CHOICES:
        raise pytest.UsageError(f'{ENV}={choice!r}: use "rust" or "ops-testing"')
    return bool(choice == 'rust')


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """The earliest hook an installed plugin gets after the command line is parsed."""
    _swap(early_config, getattr(early_config.known_args_namespace, 'ops_engine', None))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """For a session that loads the plugin late (`-p ops_scenario_rs._plugin`)."""
    _swap(config, config.getoption('--ops-engine'))


def _swap(config: pytest.Config, option: str | None) -> None:
    if config.stash.get(_SWAPPED, False) or not _wanted(option):
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
