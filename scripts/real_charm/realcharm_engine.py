"""pytest plugin (-p realcharm_engine, with this folder importable), used by scripts/real-charm.sh:
records which class `ops.testing.Context` and `scenario.Context` are once the session starts (after
every plugin's configure, so after the engine's switch) into $REALCHARM_ENGINE_OUT (JSON), so a run
meant for our engine that silently ran on ops.testing is caught. It keeps its own `open`: some suites
patch `builtins.open` for good (self-signed-certificates starts a patcher in a fixture and never stops
it), which would also stop pytest writing its JUnit XML, so the real `open` is put back for the
session's finish (every test has run by then) and the patch restored after."""
import builtins
import json
import os

import pytest

_open = builtins.open
_seen: dict[str, str] = {}


def _describe(module: str) -> str:
    try:
        mod = __import__(module, fromlist=['Context'])
        cls = mod.Context
    except Exception as e:  # noqa: BLE001 - recorded, not raised
        return f'unavailable ({type(e).__name__}: {e})'
    return f'{cls.__module__}.{cls.__qualname__}'


def pytest_sessionstart(session):
    for module in ('ops.testing', 'scenario'):
        _seen[module] = _describe(module)


def pytest_unconfigure(config):
    out = os.environ.get('REALCHARM_ENGINE_OUT')
    if out:
        with _open(out, 'w') as f:
            json.dump(_seen, f)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    patched = builtins.open
    builtins.open = _open
    try:
        yield
    finally:
        builtins.open = patched
