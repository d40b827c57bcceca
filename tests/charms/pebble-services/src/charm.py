#!/usr/bin/env python3
"""Layers, services and checks probes: the Pebble-plan test charm.

Exercises, one probe per value of the `probe` option, run on config-changed: `add_layer`
(a new label, `override: merge` over a lower layer, `combine=True` into an existing label,
an existing label without `combine`); `replan` and `autostart` starting the enabled
services; `start`, `stop` and `restart`, and their errors for a service not in the plan;
`get_services`, `get_service`, `get_plan`; `get_checks`, `get_check`, `start_checks` and
`stop_checks` and their errors for an unknown check; and every Pebble call on a container
that cannot be reached (`pebble.ConnectionError`, `can_connect()` false). Results are
logged as `probe <name> <step>: <result>`, an exception as its type and Pebble code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import ops

logger = logging.getLogger(__name__)

BASE: ops.pebble.LayerDict = {
    "summary": "base",
    "services": {
        "web": {
            "override": "replace",
            "command": "/usr/bin/web",
            "startup": "enabled",
            "environment": {"A": "1"},
        },
        "worker": {
            "override": "replace",
            "command": "/usr/bin/worker",
            "startup": "disabled",
        },
    },
}


def _value(thing: object) -> str:
    return str(getattr(thing, "value", thing))


def _describe(exc: Exception) -> str:
    name = type(exc).__name__
    if isinstance(exc, ops.pebble.APIError):
        return f"{name} {exc.code}"
    return name


class ServicesCharm(ops.CharmBase):
    """Runs the probe the config names against the `workload` container."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        self.container = self.unit.get_container("workload")

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        probe = str(self.config["probe"])
        method = getattr(self, "_probe_" + probe.replace("-", "_"), None)
        if method is None:
            self.unit.status = ops.BlockedStatus(f"unknown probe {probe!r}")
            return
        self._probe = probe
        method()
        self.unit.status = ops.ActiveStatus(f"probe {probe} done")

    def _log(self, step: str, result: object) -> None:
        logger.info("probe %s %s: %s", self._probe, step, result)

    def _try(self, step: str, call: Callable[[], object]) -> None:
        try:
            result = call()
        except Exception as e:  # noqa: BLE001 - the probe reports every failure
            self._log(step, _describe(e))
        else:
            self._log(step, "ok" if result is None else result)

    def _statuses(self) -> dict[str, str]:
        return {
            name: _value(info.current)
            for name, info in sorted(self.container.get_services().items())
        }

    # --- probes ------------------------------------------------------------------------

    def _probe_lifecycle(self) -> None:
        c = self.container
        c.add_layer("base", BASE)
        self._log("before replan", self._statuses())
        c.replan()
        self._log("after replan", self._statuses())
        c.start("worker")
        self._log("after start worker", self._statuses())
        c.stop("web")
        self._log("after stop web", self._statuses())
        c.restart("web", "worker")
        self._log("after restart", self._statuses())
        c.stop("worker")
        self._log("web is running", c.get_service("web").is_running())
        self._log("only web", sorted(c.get_services("web")))

    def _probe_autostart(self) -> None:
        self.container.add_layer("base", BASE)
        self.container.autostart()
        self._log("after autostart", self._statuses())

    def _probe_unknown(self) -> None:
        c = self.container
        self._try("start", lambda: c.start("ghost"))
        self._try("stop", lambda: c.stop("ghost"))
        self._try("restart", lambda: c.restart("ghost"))
        self._try("start known and unknown", lambda: c.start("web", "ghost"))
        self._log("web after the refused start", self._statuses().get("web"))
        self._try("get_service", lambda: c.get_service("ghost"))
        self._log("get_services", dict(c.get_services("ghost")))

    def _probe_merge(self) -> None:
        c = self.container
        c.add_layer(
            "overlay",
            {"services": {"web": {"override": "merge", "environment": {"B": "2"}}}},
        )
        c.add_layer(
            "base",
            {"services": {"web": {"override": "merge", "command": "/usr/bin/web --fast"}}},
            combine=True,
        )
        web = c.get_plan().services["web"]
        self._log("command", web.command)
        self._log("environment", dict(sorted(web.environment.items())))
        self._log("startup", _value(web.startup))

    def _probe_relabel(self) -> None:
        self._try("same label", lambda: self.container.add_layer("base", BASE))
        self._log("layers unchanged", sorted(self.container.get_plan().services))

    def _probe_checks(self) -> None:
        c = self.container
        self._log("all", {n: _value(i.status) for n, i in sorted(c.get_checks().items())})
        self._log("stop alive", c.stop_checks("alive"))
        self._log("stop alive again", c.stop_checks("alive"))
        self._log("alive is", _value(c.get_check("alive").status))
        self._log("start alive", c.start_checks("alive"))
        self._log("start alive again", c.start_checks("alive"))
        self._try("start ghost", lambda: c.start_checks("ghost"))
        self._try("stop ghost", lambda: c.stop_checks("ghost"))
        self._try("get_check ghost", lambda: c.get_check("ghost"))
        self._log("alive level", _value(c.get_check("alive").level))

    def _probe_add_checks(self) -> None:
        c = self.container
        c.add_layer(
            "checks",
            {
                "checks": {
                    "up": {"override": "replace", "level": "alive", "exec": {"command": "true"}},
                    "later": {
                        "override": "replace",
                        "startup": "disabled",
                        "tcp": {"port": 8080},
                    },
                }
            },
        )
        c.replan()
        self._log("checks", {n: _value(i.status) for n, i in sorted(c.get_checks().items())})

    def _probe_disconnected(self) -> None:
        c = self.container
        self._log("can_connect", c.can_connect())
        calls: dict[str, Callable[[], object]] = {
            "push": lambda: c.push("/x", "x"),
            "pull": lambda: c.pull("/x"),
            "list_files": lambda: c.list_files("/"),
            "exists": lambda: c.exists("/x"),
            "isdir": lambda: c.isdir("/x"),
            "make_dir": lambda: c.make_dir("/x"),
            "remove_path": lambda: c.remove_path("/x"),
            "add_layer": lambda: c.add_layer("base", BASE),
            "get_plan": lambda: c.get_plan(),
            "get_services": lambda: c.get_services(),
            "start": lambda: c.start("web"),
            "stop": lambda: c.stop("web"),
            "restart": lambda: c.restart("web"),
            "replan": lambda: c.replan(),
            "autostart": lambda: c.autostart(),
            "exec": lambda: c.exec(["true"]).wait(),
            "get_checks": lambda: c.get_checks(),
            "start_checks": lambda: c.start_checks("alive"),
            "stop_checks": lambda: c.stop_checks("alive"),
            "get_notices": lambda: c.get_notices(),
            "get_notice": lambda: c.get_notice("1"),
        }
        for name, call in calls.items():
            self._try(name, call)


if __name__ == "__main__":  # pragma: nocover
    ops.main(ServicesCharm)
