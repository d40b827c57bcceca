#!/usr/bin/env python3
"""Web application with a metrics sidecar: the Kubernetes containers test charm.

Exercises what a sidecar charm does with Pebble: `can_connect`; `push` (with `make_dirs`,
permissions, user and group) and `pull` of a config file; `add_layer` (plain on
pebble-ready, `combine=True` on config-changed) with a service and an http and an exec
check, `replan` and `get_services`; `list_files` with a pattern and `exec` with
`wait_output` and `wait`, every exec argument, and `ExecError`; the custom-notice event's
`event.notice` (acting on `example.com/reload` by restarting the service, and on
`example.com/maintenance` by stopping or starting checks); the check-failed and
check-recovered events' `event.info`; `get_checks` and `get_notices` with their filters on
update-status; and deferral of pebble-ready (until the metrics sidecar answers) and of a
custom notice (a reload before the service is planned).
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)

CONFIG_PATH = "/etc/web/web.conf"


def _value(thing: object) -> str:
    """An enum's value, or the string itself (ops gives either for some fields)."""
    return str(getattr(thing, "value", thing))


class WebappCharm(ops.CharmBase):
    """Runs `web` and `metrics`, configured from the charm config."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        web = self.on["web"]
        framework.observe(web.pebble_ready, self._on_web_pebble_ready)
        framework.observe(web.pebble_custom_notice, self._on_web_custom_notice)
        framework.observe(web.pebble_check_failed, self._on_web_check_failed)
        framework.observe(web.pebble_check_recovered, self._on_web_check_recovered)
        framework.observe(self.on["metrics"].pebble_ready, self._on_metrics_pebble_ready)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)

    # --- web ---------------------------------------------------------------------------

    def _config_text(self) -> str:
        return f"port = {int(self.config['port'])}\nlog-level = {self.config['log-level']}\n"

    def _layer(self) -> ops.pebble.LayerDict:
        port = int(self.config["port"])
        return {
            "summary": "web server",
            "services": {
                "web": {
                    "override": "replace",
                    "summary": "the web server",
                    "command": f"/usr/bin/web --config {CONFIG_PATH}",
                    "startup": "enabled",
                    "environment": {
                        "LOG_LEVEL": str(self.config["log-level"]),
                        "PORT": str(port),
                    },
                },
            },
            "checks": {
                "ready": {
                    "override": "replace",
                    "level": "ready",
                    "http": {"url": f"http://localhost:{port}/ready"},
                },
                "alive": {
                    "override": "replace",
                    "level": "alive",
                    "threshold": 5,
                    "exec": {"command": "pgrep web"},
                },
            },
        }

    def _configure(self, web: ops.Container, *, combine: bool) -> None:
        text = self._config_text()
        web.push(CONFIG_PATH, text, make_dirs=True, permissions=0o600, user="web", group="web")
        with web.pull(CONFIG_PATH) as f:
            written = f.read()
        logger.info("config file reads back %r", written)
        web.add_layer("web", self._layer(), combine=combine)
        web.replan()
        services = web.get_services()
        summary = ", ".join(
            f"{name}={_value(info.current)}" for name, info in sorted(services.items())
        )
        logger.info("plan services: %s", sorted(web.get_plan().services))
        self.unit.status = ops.ActiveStatus(summary)

    def _on_web_pebble_ready(self, event: ops.PebbleReadyEvent) -> None:
        web = event.workload
        if not web.can_connect():
            self.unit.status = ops.WaitingStatus("waiting for the web container")
            return
        if not self.unit.get_container("metrics").can_connect():
            # The web server reports through the exporter: wait for it.
            self.unit.status = ops.WaitingStatus("waiting for the metrics container")
            event.defer()
            return
        self._configure(web, combine=False)

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        web = self.unit.get_container("web")
        if not web.can_connect():
            self.unit.status = ops.WaitingStatus("waiting for the web container")
            return
        self._configure(web, combine=True)

    def _on_web_custom_notice(self, event: ops.PebbleCustomNoticeEvent) -> None:
        notice = event.notice
        logger.info(
            "notice id=%s type=%s key=%s data=%s",
            notice.id,
            _value(notice.type),
            notice.key,
            dict(notice.last_data),
        )
        web = event.workload
        if notice.key == "example.com/reload":
            if "web" not in web.get_plan().services:
                self.unit.status = ops.WaitingStatus("reload before the web service exists")
                event.defer()
                return
            web.restart("web")
            reason = notice.last_data.get("reason", "no reason")
            self.unit.status = ops.ActiveStatus(f"restarted web: {reason}")
        elif notice.key == "example.com/maintenance":
            if notice.last_data.get("checks") == "stop":
                stopped = web.stop_checks("alive", "ready")
                self.unit.status = ops.MaintenanceStatus(f"stopped checks {sorted(stopped)}")
            else:
                started = web.start_checks("alive", "ready")
                self.unit.status = ops.ActiveStatus(f"started checks {sorted(started)}")
        else:
            logger.info("ignored notice %s", notice.key)

    def _on_web_check_failed(self, event: ops.PebbleCheckFailedEvent) -> None:
        info = event.info
        logger.info(
            "check failed name=%s status=%s failures=%s threshold=%s",
            info.name,
            _value(info.status),
            info.failures,
            info.threshold,
        )
        self.unit.status = ops.MaintenanceStatus(
            f"check {info.name} {_value(info.status)} after {info.failures} failures"
        )

    def _on_web_check_recovered(self, event: ops.PebbleCheckRecoveredEvent) -> None:
        info = event.info
        logger.info("check recovered name=%s status=%s", info.name, _value(info.status))
        self.unit.status = ops.ActiveStatus(f"check {info.name} {_value(info.status)} again")

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        web = self.unit.get_container("web")
        if not web.can_connect():
            self.unit.status = ops.WaitingStatus("waiting for the web container")
            return
        checks = web.get_checks()
        logger.info(
            "checks: %s", {name: _value(info.status) for name, info in sorted(checks.items())}
        )
        ready = web.get_checks(level=ops.pebble.CheckLevel.READY)
        logger.info("ready checks: %s", sorted(ready))
        logger.info("checks named alive: %s", sorted(web.get_checks("alive")))
        every = web.get_notices()
        logger.info("notices: %s", [(n.id, _value(n.type), n.key) for n in every])
        custom = web.get_notices(types=[ops.pebble.NoticeType.CUSTOM])
        logger.info("custom notices: %s", [n.key for n in custom])
        reloads = web.get_notices(keys=["example.com/reload"])
        logger.info("reload notices: %s", [(n.id, n.occurrences) for n in reloads])
        down = sorted(
            name for name, info in checks.items() if info.status == ops.pebble.CheckStatus.DOWN
        )
        if down:
            self.unit.status = ops.BlockedStatus(f"checks down: {', '.join(down)}")
        else:
            self.unit.status = ops.ActiveStatus(f"{len(checks)} checks up")

    # --- metrics -----------------------------------------------------------------------

    def _on_metrics_pebble_ready(self, event: ops.PebbleReadyEvent) -> None:
        metrics = event.workload
        logs = metrics.list_files("/var/log", pattern="*.log")
        logger.info("log files: %s", sorted(f.name for f in logs))
        try:
            version, _ = metrics.exec(["metrics-exporter", "--version"]).wait_output()
        except ops.pebble.ExecError as e:
            logger.warning("metrics-exporter --version exited %s: %s", e.exit_code, e.stderr)
            self.unit.status = ops.BlockedStatus(f"metrics-exporter exited {e.exit_code}")
            return
        version = version.strip()
        self.unit.set_workload_version(version)
        check = metrics.exec(
            ["metrics-exporter", "check-config", "--strict"],
            environment={"LOG_LEVEL": str(self.config["log-level"])},
            working_dir="/srv/metrics",
            user="metrics",
            group="metrics",
            timeout=10.0,
            stdin=self._config_text(),
            combine_stderr=True,
        )
        try:
            check.wait()
        except ops.pebble.ExecError as e:
            self.unit.status = ops.BlockedStatus(f"config rejected (exit {e.exit_code})")
            return
        dump = metrics.exec(["metrics-exporter", "dump"], encoding=None)
        raw, _ = dump.wait_output()
        logger.info("dump is %s of %d bytes", type(raw).__name__, len(raw))
        self.unit.status = ops.ActiveStatus(f"metrics-exporter {version}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(WebappCharm)
