#!/usr/bin/env python3
"""Hostile charm: one misbehaviour per run, picked by the `misbehave` option.

On config-changed (unless said otherwise): `raise` (RuntimeError), `init-raise` (ValueError in
`__init__`), `collect-status-raise` (in collect-unit-status), `exit-<code>` (`sys.exit` with 0,
1, 3 or the text "bye"), `keyboard-interrupt`, `recursion` (RecursionError), `environ`
(changes, adds and deletes os.environ entries), `sys-path` (puts a directory first and drops
the last entry), `cwd` (`os.chdir('/')`), `logging` (removes the root handlers, sets the
level to CRITICAL), `sys-modules` (replaces `json` with None and deletes `ops.pebble`),
`defer-all` (defers every event it sees), `thread` (starts a thread that tries a hook tool
after the hook has ended). update-status always reports, as juju-log lines, what it sees of
the process: the environment, whether sys.path has the charm's directory and what its last
entry is, the working directory, whether `json` imports and `ops.pebble` is loaded, and the
root logger's level.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

import ops

logger = logging.getLogger(__name__)


def _recurse(n: int) -> int:
    return _recurse(n + 1) + 1


class HostileCharm(ops.CharmBase):
    """Does what the `misbehave` option says."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._misbehave = str(self.config.get("misbehave", ""))
        if self._misbehave == "init-raise":
            raise ValueError("refusing to be built")
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.collect_unit_status, self._on_collect_status)

    def _on_collect_status(self, event: ops.CollectStatusEvent) -> None:
        if self._misbehave == "collect-status-raise":
            raise LookupError("no status to collect")
        event.add_status(ops.ActiveStatus(f"misbehave={self._misbehave or 'nothing'}"))

    def _on_start(self, event: ops.StartEvent) -> None:
        if self._misbehave == "defer-all":
            event.defer()

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        if self._misbehave == "defer-all":
            event.defer()
            return
        try:
            import json  # noqa: F401  (whether it still imports)

            json_ok = "yes"
        except ImportError:
            json_ok = "no"
        logger.info("env HOSTILE=%s unit=%s", os.environ.get("HOSTILE"), os.environ.get("JUJU_UNIT_NAME"))
        logger.info(
            "hostile in sys.path=%s sys.path[-1]=%s cwd=%s json=%s pebble=%s",
            "/hostile" in sys.path,
            sys.path[-1],
            os.getcwd(),
            json_ok,
            "ops.pebble" in sys.modules,
        )
        logger.info("root level=%s", logging.getLogger().level)

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        what = self._misbehave
        if what == "raise":
            raise RuntimeError("handler failed")
        if what.startswith("exit-"):
            code = what[len("exit-"):]
            sys.exit(int(code) if code.isdigit() else code)
        if what == "keyboard-interrupt":
            raise KeyboardInterrupt
        if what == "recursion":
            _recurse(0)
        if what == "environ":
            os.environ["HOSTILE"] = "1"
            os.environ["JUJU_UNIT_NAME"] = "evil/9"
            del os.environ["JUJU_VERSION"]
        if what == "sys-path":
            sys.path.insert(0, "/hostile")
            sys.path.pop()
        if what == "cwd":
            os.chdir("/")
        if what == "logging":
            root = logging.getLogger()
            for handler in list(root.handlers):
                root.removeHandler(handler)
            root.setLevel(logging.CRITICAL)
        if what == "sys-modules":
            sys.modules["json"] = None  # type: ignore[assignment]
            del sys.modules["ops.pebble"]
        if what == "defer-all":
            event.defer()
        if what == "thread":
            unit = self.unit

            def late() -> None:
                time.sleep(0.2)
                try:
                    unit.status = ops.BlockedStatus("too late")
                except Exception as e:  # noqa: BLE001 - reported for the test
                    print(f"late thread: {type(e).__name__}: {e}", file=sys.stderr)

            threading.Thread(target=late, daemon=False).start()
        logger.info("misbehaved: %s", what)


if __name__ == "__main__":  # pragma: nocover
    ops.main(HostileCharm)
