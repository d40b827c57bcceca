"""Shared set-up of the ops.testing-style suite: our test charms, loaded as a charm's own tests
load theirs.

Every charm under `tests/charms/` keeps its code in `src/charm.py`, so a plain `import charm`
could only ever give one of them. `load_charm("db-requirer")` imports that charm's module under
its own name (`charm_db_requirer`, registered in `sys.modules` so that
`mock.patch("charm_db_requirer.x")` works), with the charm's `src/` and `lib/` importable as
they are in a charm repository, and reads its metadata YAML into the dicts a test passes to
`testing.Context(meta=..., config=..., actions=...)`.

Nothing here touches `ops.testing.Context`: the tests take it from `ops.testing` themselves, so
the engine switch (`OPS_SCENARIO_ENGINE=rust`), which swaps that name at pytest's configure
phase, sees every test module import the engine's class.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import ops
import yaml

CHARMS_DIR = Path(__file__).resolve().parent.parent / "charms"
"""tests/charms: one small charm per concern (see each charm's docstring)."""


@dataclasses.dataclass(frozen=True)
class LoadedCharm:
    """A test charm's imported module and its metadata, split the way `Context` takes it."""

    root: Path
    """The charm's directory (charmcraft.yaml or metadata.yaml, and src/)."""
    module: ModuleType
    """The charm's `src/charm.py`, imported as `charm_<name>`."""
    raw_meta: dict[str, Any]
    """The metadata without `config` and `actions`."""
    raw_config: dict[str, Any] | None
    """The `config:` section (`{"options": {...}}`), or None when the charm has none."""
    raw_actions: dict[str, Any] | None
    """The `actions:` section, or None when the charm has none."""

    @property
    def meta(self) -> dict[str, Any]:
        """A fresh copy of the metadata, safe for a test to edit."""
        return copy.deepcopy(self.raw_meta)

    @property
    def config(self) -> dict[str, Any] | None:
        """A fresh copy of the config options."""
        return copy.deepcopy(self.raw_config)

    @property
    def actions(self) -> dict[str, Any] | None:
        """A fresh copy of the actions."""
        return copy.deepcopy(self.raw_actions)

    def charm_class(self, name: str) -> type[ops.CharmBase]:
        """The CharmBase subclass `name` of the charm's module."""
        cls = getattr(self.module, name)
        assert isinstance(cls, type) and issubclass(cls, ops.CharmBase), name
        return cls


_LOADED: dict[str, LoadedCharm] = {}


def module_name(charm: str) -> str:
    """The module name of a charm's `src/charm.py`: `db-requirer` -> `charm_db_requirer`."""
    return "charm_" + charm.replace("-", "_")


def _read_yaml(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    loaded = yaml.safe_load(path.read_text())
    return loaded if isinstance(loaded, dict) else None


def _read_metadata(
    root: Path,
) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
    """(meta, config, actions) from charmcraft.yaml, or the legacy three files."""
    unified = _read_yaml(root / "charmcraft.yaml")
    if unified is not None:
        config = unified.pop("config", None)
        actions = unified.pop("actions", None)
        return unified, config, actions
    meta = _read_yaml(root / "metadata.yaml")
    if meta is None:
        raise FileNotFoundError(f"{root} has neither charmcraft.yaml nor metadata.yaml")
    return meta, _read_yaml(root / "config.yaml"), _read_yaml(root / "actions.yaml")


def _make_importable(path: Path) -> None:
    """Put a charm's src/ or lib/ on sys.path, as its own tox/pytest set-up would."""
    if path.is_dir() and str(path) not in sys.path:
        sys.path.append(str(path))


def load_charm(charm: str) -> LoadedCharm:
    """Import `tests/charms/<charm>/src/charm.py` under a name of its own, once per session."""
    if charm in _LOADED:
        return _LOADED[charm]
    root = CHARMS_DIR / charm
    _make_importable(root / "src")
    _make_importable(root / "lib")
    name = module_name(charm)
    spec = importlib.util.spec_from_file_location(name, root / "src" / "charm.py")
    assert spec is not None and spec.loader is not None, root
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    meta, config, actions = _read_metadata(root)
    loaded = LoadedCharm(root, module, meta, config, actions)
    _LOADED[charm] = loaded
    return loaded


def log_messages(juju_log: list[Any], level: str | None = None) -> list[str]:
    """The messages of `ctx.juju_log`, only those at `level` (`"INFO"`, ...) when given."""
    return [line.message for line in juju_log if level is None or line.level == level]


# --- which engine runs the suite ---------------------------------------------------------------


def _context_class_name() -> str:
    from ops import testing

    return f"{testing.Context.__module__}.{testing.Context.__qualname__}"


def pytest_report_header(config: Any) -> list[str]:
    """Say in the run's header which Context the tests get, and on which ops."""
    from importlib.metadata import version

    return [
        f"ops.testing.Context: {_context_class_name()}"
        f" (ops {version('ops')}, ops-scenario {version('ops-scenario')})"
    ]


def pytest_sessionstart(session: Any) -> None:
    """With the engine asked for, refuse to run on ops.testing's own Context.

    Otherwise a run meant for the engine whose switch did not take (the package missing, its
    plugin not registered) would run ops.testing again and compare equal to itself.
    """
    import os

    import pytest
    from ops import testing

    on_ops_testing = testing.Context.__module__.split(".")[0] == "scenario"
    if os.environ.get("OPS_SCENARIO_ENGINE") == "rust" and on_ops_testing:
        pytest.exit(
            "OPS_SCENARIO_ENGINE=rust is set but ops.testing.Context is still ops.testing's own "
            f"({_context_class_name()}): is ops_scenario_rs installed in this venv "
            "(scripts/python-suite-env.sh --with-engine)?",
            returncode=4,
        )
