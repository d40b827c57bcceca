#!/usr/bin/env python3
"""Conf-pebble charm: containers and Pebble, for the conformance suite.

On config-changed it runs the probe the `probe` option names (`_probe_<name>`) against the
`workload` container (and `sidecar` where a probe says so). Report lines, one each:
    "<what>=<value>"                 what a call returned (sorted, JSON-like)
    "<what> failed: <Type>"          what a call raised (the type only: the messages and
                                     codes are each engine's own; see DIFFERENCES.md)
    "<what> exit=<n> stdout=<..> stderr=<..>"   an ExecError's fields
Event handlers:
    pebble-ready:      "ready <container> can_connect=<bool>", the plan's services and the
                       file list of /
    custom-notice:     "notice <container> id=<id> type=<t> key=<k> occurrences=<n>
                       data=<json>", and get_notices() as seen by the charm
    check-failed/-recovered: "<kind> <container> check=<name> level=<l> status=<s>
                       failures=<n> threshold=<n>"
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from typing import Any

import ops
from ops import pebble

logger = logging.getLogger(__name__)

LAYER_BASE: pebble.LayerDict = {
    "summary": "base",
    "description": "the base layer",
    "services": {
        "web": {
            "override": "replace",
            "summary": "web server",
            "command": "/usr/bin/web --port 80",
            "startup": "enabled",
            "environment": {"A": "1", "B": "2"},
        },
        "worker": {
            "override": "replace",
            "command": "/usr/bin/worker",
            "startup": "disabled",
        },
    },
    "checks": {
        "alive": {
            "override": "replace",
            "level": "alive",
            "period": "10s",
            "threshold": 3,
            "http": {"url": "http://localhost:80/health"},
        },
    },
}

LAYER_MERGE: pebble.LayerDict = {
    "summary": "overlay",
    "services": {
        "web": {"override": "merge", "environment": {"B": "3", "C": "4"}},
        "worker": {"override": "replace", "command": "/usr/bin/worker --fast", "startup": "enabled"},
        "cron": {"override": "replace", "command": "/usr/bin/cron", "startup": "disabled"},
    },
    "checks": {
        "alive": {"override": "merge", "threshold": 5},
        "ready": {"override": "replace", "level": "ready", "exec": {"command": "/bin/true"}},
    },
}


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _value(thing: object) -> Any:
    return getattr(thing, "value", thing)


class ConfPebbleCharm(ops.CharmBase):
    """Reports what Pebble does, probe by probe."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        for name in ("workload", "sidecar"):
            framework.observe(self.on[name].pebble_ready, self._on_pebble_ready)
            framework.observe(self.on[name].pebble_custom_notice, self._on_custom_notice)
            framework.observe(self.on[name].pebble_check_failed, self._on_check)
            framework.observe(self.on[name].pebble_check_recovered, self._on_check)
        self.c = self.unit.get_container("workload")

    # ---- reporting ------------------------------------------------------------------------

    def _try(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            result = fn()
        except pebble.ExecError as e:
            logger.warning(f"{what} failed: ExecError")
            logger.info(f"{what} exit={e.exit_code} stdout={e.stdout!r} stderr={e.stderr!r}")
            return None
        except Exception as e:  # noqa: BLE001 - the probe reports every failure
            logger.warning(f"{what} failed: {type(e).__name__}")
            return None
        logger.info(f"{what}={_show(result)}")
        return result

    def _services(self, c: ops.Container | None = None) -> dict[str, Any]:
        c = c or self.c
        return {n: _value(s.current) for n, s in sorted(c.get_services().items())}

    def _checks(self, c: ops.Container | None = None) -> dict[str, Any]:
        c = c or self.c
        return {
            n: {"status": _value(i.status), "level": _value(i.level), "threshold": i.threshold,
                "failures": i.failures}
            for n, i in sorted(c.get_checks().items())
        }

    def _ls(self, path: str, **kw: Any) -> list[Any]:
        return sorted(
            (f.path, _value(f.type), f.size if f.type == pebble.FileType.FILE else None)
            for f in self.c.list_files(path, **kw)
        )

    @staticmethod
    def _notice(n: pebble.Notice) -> dict[str, Any]:
        return {"id": n.id, "type": _value(n.type), "key": n.key, "occurrences": n.occurrences,
                "data": dict(n.last_data)}

    # ---- events ---------------------------------------------------------------------------

    def _on_pebble_ready(self, event: ops.PebbleReadyEvent) -> None:
        c = event.workload
        logger.info(f"ready {c.name} can_connect={c.can_connect()}")
        self._try(f"ready {c.name} services", lambda: sorted(c.get_plan().services))
        self._try(f"ready {c.name} statuses", lambda: self._services(c))
        c.add_layer("ready", {"services": {"web": {"override": "replace", "command": "/usr/bin/web", "startup": "enabled"}}}, combine=True)
        c.replan()
        self._try(f"ready {c.name} after replan", lambda: self._services(c))
        self.unit.status = ops.ActiveStatus(f"{c.name} ready")

    def _on_custom_notice(self, event: ops.PebbleCustomNoticeEvent) -> None:
        n = event.notice
        logger.info(f"notice {event.workload.name} id={n.id} type={_value(n.type)} key={n.key}")
        self._try("notice fields", lambda: self._notice(n))
        self._try("notices seen", lambda: [self._notice(x) for x in event.workload.get_notices()])

    def _on_check(self, event: ops.PebbleCheckEvent) -> None:
        i = event.info
        logger.info(f"{event.handle.kind} {event.workload.name} check={i.name}")
        self._try("check info", lambda: {"name": i.name, "level": _value(i.level),
                                         "status": _value(i.status), "failures": i.failures,
                                         "threshold": i.threshold})
        self._try("checks seen", lambda: self._checks(event.workload))

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        probe = str(self.config["probe"])
        method = getattr(self, "_probe_" + probe.replace("-", "_"), None)
        if method is None:
            self.unit.status = ops.BlockedStatus(f"unknown probe {probe!r}")
            return
        method()
        self.unit.status = ops.ActiveStatus(f"probe {probe} done")

    # ---- probes: connection -----------------------------------------------------------------

    def _probe_disconnected(self) -> None:
        c = self.c
        logger.info(f"can_connect={c.can_connect()}")
        calls: dict[str, Callable[[], Any]] = {
            "get_plan": lambda: c.get_plan().to_dict(),
            "get_services": lambda: sorted(c.get_services()),
            "get_service": lambda: c.get_service("web"),
            "get_checks": lambda: sorted(c.get_checks()),
            "get_check": lambda: c.get_check("alive"),
            "get_notices": lambda: c.get_notices(),
            "get_notice": lambda: c.get_notice("1"),
            "add_layer": lambda: c.add_layer("x", LAYER_BASE),
            "replan": c.replan,
            "autostart": c.autostart,
            "start": lambda: c.start("web"),
            "stop": lambda: c.stop("web"),
            "restart": lambda: c.restart("web"),
            "start_checks": lambda: c.start_checks("alive"),
            "stop_checks": lambda: c.stop_checks("alive"),
            "send_signal": lambda: c.send_signal("SIGHUP", "web"),
            "push": lambda: c.push("/x", "x"),
            "pull": lambda: c.pull("/x").read(),
            "list_files": lambda: c.list_files("/"),
            "make_dir": lambda: c.make_dir("/d"),
            "remove_path": lambda: c.remove_path("/x"),
            "exists": lambda: c.exists("/x"),
            "isdir": lambda: c.isdir("/x"),
            "exec": lambda: c.exec(["ls"]).wait_output(),
            "notify": lambda: c.pebble.notify(pebble.NoticeType.CUSTOM, "example.com/x"),
        }
        for what, fn in calls.items():
            self._try(what, fn)

    def _probe_disconnected_core(self) -> None:
        """The calls both engines refuse when Pebble cannot be reached."""
        c = self.c
        logger.info(f"can_connect={c.can_connect()}")
        for what, fn in {
            "get_services": lambda: sorted(c.get_services()),
            "add_layer": lambda: c.add_layer("x", LAYER_BASE),
            "replan": c.replan,
            "start": lambda: c.start("web"),
            "push": lambda: c.push("/x", "x"),
            "pull": lambda: c.pull("/x").read(),
            "list_files": lambda: c.list_files("/"),
            "exists": lambda: c.exists("/x"),
        }.items():
            self._try(what, fn)

    def _probe_sidecar(self) -> None:
        s = self.unit.get_container("sidecar")
        logger.info(f"sidecar can_connect={s.can_connect()}")
        logger.info(f"workload can_connect={self.c.can_connect()}")
        self._try("sidecar push", lambda: s.push("/etc/side.conf", "side"))
        self._try("sidecar services", lambda: self._services(s))
        self._try("containers", lambda: sorted(self.unit.containers))

    # ---- probes: files --------------------------------------------------------------------

    def _probe_files(self) -> None:
        c = self.c
        self._try("push text", lambda: c.push("/etc/app/app.conf", "port=80\n", make_dirs=True))
        self._try("push bytes", lambda: c.push("/etc/app/blob.bin", b"\x00\x01\xff", make_dirs=True))
        self._try("push file-like", lambda: c.push("/etc/app/io.txt", io.StringIO("from io")))
        self._try("pull text", lambda: c.pull("/etc/app/app.conf").read())
        self._try("pull bytes", lambda: list(c.pull("/etc/app/blob.bin", encoding=None).read()))
        self._try("list /etc/app", lambda: self._ls("/etc/app"))
        self._try("list pattern", lambda: self._ls("/etc/app", pattern="*.conf"))
        self._try("list itself", lambda: self._ls("/etc/app", itself=True))
        self._try("make_dir", lambda: c.make_dir("/var/lib/app/data", make_parents=True))
        self._try("exists dir", lambda: c.exists("/var/lib/app"))
        self._try("isdir dir", lambda: c.isdir("/var/lib/app/data"))
        self._try("isdir file", lambda: c.isdir("/etc/app/app.conf"))
        self._try("exists missing", lambda: c.exists("/nope"))
        self._try("remove file", lambda: c.remove_path("/etc/app/io.txt"))
        self._try("exists removed", lambda: c.exists("/etc/app/io.txt"))

    def _probe_file_errors(self) -> None:
        c = self.c
        self._try("push no parent", lambda: c.push("/missing/dir/f", "x"))
        self._try("pull missing", lambda: c.pull("/missing.txt").read())
        self._try("list missing", lambda: c.list_files("/missing"))
        self._try("make_dir no parents", lambda: c.make_dir("/a/b/c"))
        c.make_dir("/full")
        c.push("/full/f", "x")
        self._try("make_dir existing", lambda: c.make_dir("/full"))
        self._try("make_dir existing ok", lambda: c.make_dir("/full", make_parents=True))
        self._try("remove non-empty", lambda: c.remove_path("/full"))
        self._try("remove missing", lambda: c.remove_path("/missing"))
        self._try("remove recursive", lambda: c.remove_path("/full", recursive=True))
        self._try("exists after", lambda: c.exists("/full"))

    def _probe_pull_dir(self) -> None:
        self.c.make_dir("/d")
        self._try("pull dir", lambda: self.c.pull("/d").read())
        self._try("remove missing recursive", lambda: self.c.remove_path("/nope", recursive=True))

    def _probe_relative(self) -> None:
        self._try("push relative", lambda: self.c.push("rel.txt", "x"))
        self._try("pull relative", lambda: self.c.pull("rel.txt").read())

    def _probe_seeded(self) -> None:
        c = self.c
        self._try("pull app.conf", lambda: c.pull("/etc/app/app.conf").read())
        self._try("pull blob", lambda: list(c.pull("/etc/app/blob.bin", encoding=None).read()))
        self._try("exists seeded", lambda: c.exists("/etc/app/app.conf"))
        self._try("isdir parent", lambda: c.isdir("/etc/app"))
        self._try("list seeded", lambda: self._ls("/etc/app"))
        self._try("rewrite", lambda: c.push("/etc/app/app.conf", "port=81\n"))
        self._try("remove blob", lambda: c.remove_path("/etc/app/blob.bin"))
        self._try("add", lambda: c.push("/etc/app/new.txt", "new"))

    def _probe_mount(self) -> None:
        c = self.c
        self._try("pull mounted", lambda: c.pull("/srv/data/hello.txt").read())
        self._try("exists mounted", lambda: c.exists("/srv/data/hello.txt"))
        self._try("list mount", lambda: [f.name for f in c.list_files("/srv/data")])
        self._try("push beside", lambda: c.push("/srv/other.txt", "beside", make_dirs=True))

    def _probe_mount_point(self) -> None:
        self._try("isdir mount point", lambda: self.c.isdir("/srv/data"))
        self._try("exists mount point", lambda: self.c.exists("/srv/data"))

    # ---- probes: layers and services --------------------------------------------------------

    def _plan(self) -> None:
        plan = self.c.get_plan()
        self._try("plan services", lambda: {n: s.to_dict() for n, s in sorted(plan.services.items())})
        self._try("plan checks", lambda: {n: ch.to_dict() for n, ch in sorted(plan.checks.items())})

    def _probe_layers(self) -> None:
        c = self.c
        c.add_layer("base", LAYER_BASE)
        c.add_layer("overlay", LAYER_MERGE)
        self._plan()
        self._try("statuses", self._services)

    def _probe_layer_combine(self) -> None:
        c = self.c
        c.add_layer("base", LAYER_BASE)
        c.add_layer("base", LAYER_MERGE, combine=True)
        self._plan()

    def _probe_layer_string(self) -> None:
        self.c.add_layer("yaml", "summary: s\nservices:\n  web:\n    override: replace\n    command: /bin/web\n    startup: enabled\n")
        self.c.add_layer("obj", pebble.Layer({"services": {"web": {"override": "merge", "user": "app"}}}))
        self._plan()

    def _probe_plan_seeded(self) -> None:
        self._plan()
        self._try("statuses", self._services)
        self._try("get_service web running", lambda: self.c.get_service("web").is_running())
        self._try("get_service ghost", lambda: self.c.get_service("ghost"))

    def _probe_layer_clash(self) -> None:
        self.c.add_layer("base", LAYER_BASE)
        self._try("add_layer same label", lambda: self.c.add_layer("base", LAYER_BASE))
        self._try("services", lambda: sorted(self.c.get_plan().services))

    def _probe_layer_no_override(self) -> None:
        self._try("add_layer new without override", lambda: self.c.add_layer("x", {"services": {"web": {"command": "/bin/web"}}}))
        self._try("add_layer combine without override", lambda: self.c.add_layer("base", {"services": {"web": {"command": "/bin/web"}}}, combine=True))

    def _probe_services(self) -> None:
        c = self.c
        c.add_layer("base", LAYER_BASE)
        self._try("before", self._services)
        c.replan()
        self._try("after replan", self._services)
        c.start("worker")
        self._try("after start worker", self._services)
        c.stop("web")
        self._try("after stop web", self._services)
        c.restart("web", "worker")
        self._try("after restart", self._services)
        c.stop("worker")
        self._try("web running", lambda: c.get_service("web").is_running())
        self._try("only web", lambda: sorted(c.get_services("web")))

    def _probe_autostart(self) -> None:
        self.c.add_layer("base", LAYER_BASE)
        self.c.autostart()
        self._try("after autostart", self._services)

    def _probe_autostart_none(self) -> None:
        self.c.add_layer("base", {"services": {"w": {"override": "replace", "command": "/w"}}})
        self._try("autostart", self.c.autostart)
        self._try("statuses", self._services)

    def _probe_service_errors(self) -> None:
        c = self.c
        c.add_layer("base", LAYER_BASE)
        self._try("start ghost", lambda: c.start("ghost"))
        self._try("stop ghost", lambda: c.stop("ghost"))
        self._try("restart ghost", lambda: c.restart("ghost"))
        self._try("start none", lambda: c.start())
        self._try("statuses", self._services)

    def _probe_replan_seeded(self) -> None:
        self._try("before", self._services)
        self.c.replan()
        self._try("after replan", self._services)

    # ---- probes: exec ---------------------------------------------------------------------

    def _probe_exec(self) -> None:
        c = self.c
        self._try("ls", lambda: c.exec(["ls", "-l", "/"], stdin="").wait_output())
        self._try("ls other", lambda: c.exec(["ls", "/tmp"], stdin="").wait_output())
        self._try("echo", lambda: c.exec(["echo", "hi"], environment={"X": "1"}, working_dir="/tmp", stdin="").wait_output())
        self._try("wait", lambda: c.exec(["ls", "-l"], stdin="").wait())

    def _probe_exec_fail(self) -> None:
        c = self.c
        self._try("false wait_output", lambda: c.exec(["false"], stdin="").wait_output())
        self._try("false wait", lambda: c.exec(["false"], stdin="").wait())

    def _probe_exec_stdin(self) -> None:
        c = self.c
        self._try("cat str", lambda: c.exec(["cat"], stdin="hello").wait_output())
        self._try("cat stream", lambda: c.exec(["cat"], stdin=io.StringIO("streamed"), user="app", group="app", timeout=5.0).wait_output())

    def _probe_exec_unmocked(self) -> None:
        self._try("unmocked", lambda: self.c.exec(["nope", "x"], stdin="").wait_output())

    def _probe_exec_stderr(self) -> None:
        self._try("combined", lambda: self.c.exec(["warn"], combine_stderr=True, stdin="").wait_output())
        self._try("separate", lambda: self.c.exec(["warn"], stdin="").wait_output())

    def _probe_exec_no_stdin(self) -> None:
        self._try("ls", lambda: self.c.exec(["ls"]).wait_output())

    # ---- probes: checks -------------------------------------------------------------------

    def _probe_checks(self) -> None:
        c = self.c
        self._try("checks", self._checks)
        self._try("alive only", lambda: sorted(c.get_checks("alive")))
        self._try("ready level", lambda: sorted(c.get_checks(level=pebble.CheckLevel.READY)))
        self._try("stop alive", lambda: c.stop_checks("alive"))
        self._try("stop alive again", lambda: c.stop_checks("alive"))
        self._try("alive status", lambda: _value(c.get_check("alive").status))
        self._try("start alive", lambda: c.start_checks("alive"))
        self._try("start alive again", lambda: c.start_checks("alive"))
        self._try("get_check ghost", lambda: c.get_check("ghost"))

    def _probe_checks_unknown(self) -> None:
        self._try("start_checks ghost", lambda: self.c.start_checks("ghost"))
        self._try("stop_checks ghost", lambda: self.c.stop_checks("ghost"))

    def _probe_checks_layer(self) -> None:
        self.c.add_layer("base", LAYER_BASE)
        self._try("checks after layer", self._checks)
        self.c.replan()
        self._try("checks after replan", self._checks)

    # ---- probes: notices ------------------------------------------------------------------

    def _probe_notices(self) -> None:
        c = self.c
        self._try("all", lambda: sorted(n.id for n in c.get_notices()))
        self._try("by key", lambda: sorted(n.id for n in c.get_notices(keys=["example.com/a"])))
        self._try("by user", lambda: sorted(n.id for n in c.get_notices(user_id=1000)))
        self._try("all users", lambda: sorted(n.id for n in c.get_notices(select=pebble.NoticesSelect.ALL)))
        self._try("get 1", lambda: self._notice(c.get_notice("1")))
        self._try("get ghost", lambda: c.get_notice("99"))

    def _probe_notices_type(self) -> None:
        c = self.c
        self._try("custom", lambda: sorted(n.id for n in c.get_notices(types=[pebble.NoticeType.CUSTOM])))
        self._try("custom str", lambda: sorted(n.id for n in c.get_notices(types=["custom"])))


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfPebbleCharm)
