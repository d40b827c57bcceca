"""Pebble: containers, `can_connect`, layers and the plan, services, notices and check infos."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import ops
import pytest
from ops import pebble, testing

from conftest import load_charm, log_messages

PEBBLE_READY = load_charm("pebble-ready")
PebbleReadyCharm = PEBBLE_READY.charm_class("PebbleReadyCharm")
WEBAPP = load_charm("pebble-webapp")
WebappCharm = WEBAPP.charm_class("WebappCharm")
SERVICES = load_charm("pebble-services")
ServicesCharm = SERVICES.charm_class("ServicesCharm")

WEB_LAYER = pebble.Layer(
    {
        "summary": "web server",
        "services": {
            "web": {"override": "replace", "command": "/usr/bin/web", "startup": "enabled"}
        },
        "checks": {
            "ready": {
                "override": "replace",
                "level": "ready",
                "http": {"url": "http://localhost:8080/ready"},
            },
            "alive": {"override": "replace", "level": "alive", "exec": {"command": "pgrep web"}},
        },
    }
)


def webapp_ctx() -> testing.Context[Any]:
    return testing.Context(WebappCharm, meta=WEBAPP.meta, config=WEBAPP.config)


def probe_lines(juju_log: list[Any], probe: str) -> dict[str, str]:
    """The charm's `probe <name> <step>: <result>` log lines, as {step: result}."""
    prefix = f"probe {probe} "
    lines: dict[str, str] = {}
    for message in log_messages(juju_log, "INFO"):
        if message.startswith(prefix):
            step, _, result = message[len(prefix) :].partition(": ")
            lines[step] = result
    return lines


# --- pebble-ready: push, add_layer, replan -----------------------------------------------------


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(PebbleReadyCharm, meta=PEBBLE_READY.meta)


def test_pebble_ready_starts_the_service(ctx: testing.Context[Any]) -> None:
    container = testing.Container("workload", can_connect=True)

    state_out = ctx.run(ctx.on.pebble_ready(container), testing.State(containers={container}))

    assert state_out.unit_status == testing.ActiveStatus("app is active")
    workload = state_out.get_container("workload")
    assert workload.service_statuses == {"app": pebble.ServiceStatus.ACTIVE}
    assert workload.plan.services["app"].command == "/usr/bin/app --config /etc/app/app.conf"
    assert list(workload.layers) == ["app"]


def test_pebble_ready_pushes_the_config_file(ctx: testing.Context[Any]) -> None:
    container = testing.Container("workload", can_connect=True)

    state_out = ctx.run(ctx.on.pebble_ready(container), testing.State(containers={container}))

    root = state_out.get_container("workload").get_filesystem(ctx)
    assert (root / "etc" / "app" / "app.conf").read_text() == "listen = 0.0.0.0:8080\n"


def test_service_status_already_active_is_kept(ctx: testing.Context[Any]) -> None:
    layer = pebble.Layer({"services": {"app": {"override": "replace", "command": "/bin/app"}}})
    container = testing.Container(
        "workload",
        can_connect=True,
        layers={"app": layer},
        service_statuses={"app": pebble.ServiceStatus.ACTIVE},
    )

    state_out = ctx.run(ctx.on.pebble_ready(container), testing.State(containers={container}))

    assert (
        state_out.get_container("workload").service_statuses["app"] == pebble.ServiceStatus.ACTIVE
    )
    assert state_out.unit_status == testing.ActiveStatus("app is active")


def test_container_state_object_is_replaced_not_mutated(ctx: testing.Context[Any]) -> None:
    container = testing.Container("workload", can_connect=True)
    state_in = testing.State(containers={container})

    ctx.run(ctx.on.pebble_ready(container), state_in)

    assert container.layers == {}
    assert state_in.get_container("workload").service_statuses == {}


# --- a sidecar charm with two containers ---------------------------------------------------------


def test_web_waits_for_the_metrics_container_and_defers() -> None:
    ctx = webapp_ctx()
    web = testing.Container("web", can_connect=True)
    metrics = testing.Container("metrics", can_connect=False)

    state_out = ctx.run(ctx.on.pebble_ready(web), testing.State(containers={web, metrics}))

    assert state_out.unit_status == testing.WaitingStatus("waiting for the metrics container")
    assert [e.name for e in state_out.deferred] == ["web_pebble_ready"]


def test_web_configures_once_both_containers_answer() -> None:
    ctx = webapp_ctx()
    web = testing.Container("web", can_connect=True)
    metrics = testing.Container("metrics", can_connect=True)

    state_out = ctx.run(ctx.on.pebble_ready(web), testing.State(containers={web, metrics}))

    assert state_out.unit_status == testing.ActiveStatus("web=active")
    web_out = state_out.get_container("web")
    assert (web_out.get_filesystem(ctx) / "etc/web/web.conf").read_text() == (
        "port = 8080\nlog-level = info\n"
    )
    assert web_out.plan.services["web"].environment == {"LOG_LEVEL": "info", "PORT": "8080"}
    assert sorted(web_out.plan.checks) == ["alive", "ready"]
    assert "config file reads back 'port = 8080\\nlog-level = info\\n'" in log_messages(
        ctx.juju_log, "INFO"
    )


def test_config_changed_combines_the_layer() -> None:
    ctx = webapp_ctx()
    web = testing.Container("web", can_connect=True, layers={"web": WEB_LAYER})
    state = testing.State(containers={web}, config={"port": 9000, "log-level": "debug"})

    state_out = ctx.run(ctx.on.config_changed(), state)

    service = state_out.get_container("web").plan.services["web"]
    assert service.environment == {"LOG_LEVEL": "debug", "PORT": "9000"}
    assert service.command == "/usr/bin/web --config /etc/web/web.conf"
    assert state_out.get_container("web").plan.checks["ready"].http == {
        "url": "http://localhost:9000/ready"
    }


def test_config_changed_waits_when_pebble_is_not_up() -> None:
    ctx = webapp_ctx()
    web = testing.Container("web", can_connect=False)

    state_out = ctx.run(ctx.on.config_changed(), testing.State(containers={web}))

    assert state_out.unit_status == testing.WaitingStatus("waiting for the web container")
    assert state_out.get_container("web").layers == {}


def test_deferred_pebble_ready_runs_when_metrics_comes_up() -> None:
    """Chain: the deferred pebble-ready is re-emitted before the next event."""
    ctx = webapp_ctx()
    web = testing.Container("web", can_connect=True)
    metrics = testing.Container("metrics", can_connect=False)
    state = ctx.run(ctx.on.pebble_ready(web), testing.State(containers={web, metrics}))

    metrics_up = dataclasses.replace(state.get_container("metrics"), can_connect=True)
    state = dataclasses.replace(state, containers={state.get_container("web"), metrics_up})
    state = ctx.run(ctx.on.update_status(), state)

    assert state.deferred == []
    assert state.get_container("web").service_statuses == {"web": pebble.ServiceStatus.ACTIVE}


# --- notices and check infos -------------------------------------------------------------------


def test_custom_notice_restarts_the_service() -> None:
    ctx = webapp_ctx()
    notice = testing.Notice("example.com/reload", last_data={"reason": "cert rotated"})
    web = testing.Container(
        "web",
        can_connect=True,
        layers={"web": WEB_LAYER},
        service_statuses={"web": pebble.ServiceStatus.ACTIVE},
        notices=[notice],
    )

    state_out = ctx.run(ctx.on.pebble_custom_notice(web, notice), testing.State(containers={web}))

    assert state_out.unit_status == testing.ActiveStatus("restarted web: cert rotated")
    assert state_out.get_container("web").service_statuses["web"] == pebble.ServiceStatus.ACTIVE


def test_custom_notice_event_carries_the_notice() -> None:
    ctx = webapp_ctx()
    notice = testing.Notice("example.com/other", last_data={"a": "b"})
    web = testing.Container("web", can_connect=True, notices=[notice])

    ctx.run(ctx.on.pebble_custom_notice(web, notice), testing.State(containers={web}))

    notice_events = [e for e in ctx.emitted_events if isinstance(e, ops.PebbleCustomNoticeEvent)]
    assert len(notice_events) == 1
    assert notice_events[0].notice.key == "example.com/other"
    assert notice_events[0].notice.id == notice.id
    assert "ignored notice example.com/other" in log_messages(ctx.juju_log, "INFO")


def test_reload_notice_before_the_service_exists_is_deferred() -> None:
    ctx = webapp_ctx()
    notice = testing.Notice("example.com/reload")
    web = testing.Container("web", can_connect=True, notices=[notice])

    state_out = ctx.run(ctx.on.pebble_custom_notice(web, notice), testing.State(containers={web}))

    assert state_out.unit_status == testing.WaitingStatus("reload before the web service exists")
    assert [e.name for e in state_out.deferred] == ["web_pebble_custom_notice"]


def test_maintenance_notice_stops_the_checks() -> None:
    ctx = webapp_ctx()
    notice = testing.Notice("example.com/maintenance", last_data={"checks": "stop"})
    infos = {
        testing.CheckInfo("alive", level=pebble.CheckLevel.ALIVE),
        testing.CheckInfo("ready", level=pebble.CheckLevel.READY),
    }
    web = testing.Container(
        "web", can_connect=True, layers={"web": WEB_LAYER}, notices=[notice], check_infos=infos
    )

    state_out = ctx.run(ctx.on.pebble_custom_notice(web, notice), testing.State(containers={web}))

    assert state_out.unit_status == testing.MaintenanceStatus("stopped checks ['alive', 'ready']")
    web_out = state_out.get_container("web")
    assert web_out.get_check_info("alive").status == pebble.CheckStatus.INACTIVE


def test_check_failed_event_carries_the_check_info() -> None:
    ctx = webapp_ctx()
    info = testing.CheckInfo(
        "alive",
        level=pebble.CheckLevel.ALIVE,
        status=pebble.CheckStatus.DOWN,
        failures=3,
    )
    web = testing.Container("web", can_connect=True, layers={"web": WEB_LAYER}, check_infos={info})

    state_out = ctx.run(ctx.on.pebble_check_failed(web, info), testing.State(containers={web}))

    assert state_out.unit_status == testing.MaintenanceStatus("check alive down after 3 failures")


def test_check_recovered_event() -> None:
    ctx = webapp_ctx()
    info = testing.CheckInfo("ready", level=pebble.CheckLevel.READY)
    web = testing.Container("web", can_connect=True, layers={"web": WEB_LAYER}, check_infos={info})

    state_out = ctx.run(ctx.on.pebble_check_recovered(web, info), testing.State(containers={web}))

    assert state_out.unit_status == testing.ActiveStatus("check ready up again")


def test_update_status_reports_the_checks_that_are_down() -> None:
    ctx = webapp_ctx()
    infos = {
        testing.CheckInfo("alive", level=pebble.CheckLevel.ALIVE),
        testing.CheckInfo(
            "ready", level=pebble.CheckLevel.READY, status=pebble.CheckStatus.DOWN, failures=3
        ),
    }
    web = testing.Container("web", can_connect=True, layers={"web": WEB_LAYER}, check_infos=infos)

    state_out = ctx.run(ctx.on.update_status(), testing.State(containers={web}))

    assert state_out.unit_status == testing.BlockedStatus("checks down: ready")
    assert "ready checks: ['ready']" in log_messages(ctx.juju_log, "INFO")


def test_update_status_lists_the_containers_notices() -> None:
    ctx = webapp_ctx()
    reload = testing.Notice("example.com/reload", occurrences=2)
    other = testing.Notice("example.com/other")
    web = testing.Container(
        "web", can_connect=True, layers={"web": WEB_LAYER}, notices=[reload, other]
    )

    ctx.run(ctx.on.update_status(), testing.State(containers={web}))

    logged = log_messages(ctx.juju_log, "INFO")
    assert f"reload notices: [('{reload.id}', 2)]" in logged
    assert (
        f"notices: [('{reload.id}', 'custom', 'example.com/reload'), "
        f"('{other.id}', 'custom', 'example.com/other')]"
    ) in logged


# --- the service lifecycle, merges, and an unreachable Pebble -----------------------------------


@pytest.fixture
def services_ctx() -> testing.Context[Any]:
    return testing.Context(ServicesCharm, meta=SERVICES.meta, config=SERVICES.config)


def test_service_lifecycle(services_ctx: testing.Context[Any]) -> None:
    container = testing.Container("workload", can_connect=True)
    state = testing.State(containers={container}, config={"probe": "lifecycle"})

    state_out = services_ctx.run(services_ctx.on.config_changed(), state)

    lines = probe_lines(services_ctx.juju_log, "lifecycle")
    assert lines["before replan"] == "{'web': 'inactive', 'worker': 'inactive'}"
    assert lines["after replan"] == "{'web': 'active', 'worker': 'inactive'}"
    assert lines["after start worker"] == "{'web': 'active', 'worker': 'active'}"
    assert lines["after stop web"] == "{'web': 'inactive', 'worker': 'active'}"
    assert lines["after restart"] == "{'web': 'active', 'worker': 'active'}"
    assert lines["web is running"] == "True"
    assert lines["only web"] == "['web']"
    assert state_out.get_container("workload").service_statuses == {
        "web": pebble.ServiceStatus.ACTIVE,
        "worker": pebble.ServiceStatus.INACTIVE,
    }


def test_autostart_starts_the_enabled_services(services_ctx: testing.Context[Any]) -> None:
    container = testing.Container("workload", can_connect=True)
    state = testing.State(containers={container}, config={"probe": "autostart"})

    services_ctx.run(services_ctx.on.config_changed(), state)

    assert probe_lines(services_ctx.juju_log, "autostart") == {
        "after autostart": "{'web': 'active', 'worker': 'inactive'}"
    }


def test_merge_layers_into_the_plan(services_ctx: testing.Context[Any]) -> None:
    base = pebble.Layer(
        {
            "services": {
                "web": {
                    "override": "replace",
                    "command": "/usr/bin/web",
                    "startup": "enabled",
                    "environment": {"A": "1"},
                }
            }
        }
    )
    container = testing.Container("workload", can_connect=True, layers={"base": base})
    state = testing.State(containers={container}, config={"probe": "merge"})

    state_out = services_ctx.run(services_ctx.on.config_changed(), state)

    lines = probe_lines(services_ctx.juju_log, "merge")
    assert lines["command"] == "/usr/bin/web --fast"
    assert lines["environment"] == "{'A': '1', 'B': '2'}"
    assert lines["startup"] == "enabled"
    assert sorted(state_out.get_container("workload").layers) == ["base", "overlay"]


def test_unreachable_pebble_refuses_files_and_services(services_ctx: testing.Context[Any]) -> None:
    container = testing.Container("workload", can_connect=False)
    state = testing.State(containers={container}, config={"probe": "disconnected"})

    state_out = services_ctx.run(services_ctx.on.config_changed(), state)

    lines = probe_lines(services_ctx.juju_log, "disconnected")
    assert lines["can_connect"] == "False"
    for call in ("push", "pull", "list_files", "make_dir", "add_layer", "start", "replan"):
        assert lines[call] == "ConnectionError", call
    assert state_out.unit_status == testing.ActiveStatus("probe disconnected done")


def test_files_seeded_through_a_mount_are_listed(tmp_path: Path) -> None:
    ctx = webapp_ctx()
    (tmp_path / "web.log").write_text("x")
    (tmp_path / "access.log").write_text("y")
    (tmp_path / "notes.txt").write_text("z")
    metrics = testing.Container(
        "metrics",
        can_connect=True,
        mounts={"logs": testing.Mount(location="/var/log", source=tmp_path)},
        execs={
            testing.Exec(["metrics-exporter", "--version"], stdout="2.0\n"),
            testing.Exec(["metrics-exporter", "check-config"], return_code=2),
        },
    )

    state_out = ctx.run(ctx.on.pebble_ready(metrics), testing.State(containers={metrics}))

    assert "log files: ['access.log', 'web.log']" in log_messages(ctx.juju_log, "INFO")
    assert state_out.unit_status == testing.BlockedStatus("config rejected (exit 2)")
    assert state_out.workload_version == "2.0"
