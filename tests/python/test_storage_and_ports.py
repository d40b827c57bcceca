"""Storage (`testing.Storage`, its filesystem, `requested_storages`) and ports (`opened_ports`)."""

from __future__ import annotations

from typing import Any

import pytest
from ops import testing

from conftest import load_charm, log_messages

STORAGE_DB = load_charm("storage-db")
StorageDbCharm = STORAGE_DB.charm_class("StorageDbCharm")
PORTS_WEB = load_charm("ports-web")
PortsWebCharm = PORTS_WEB.charm_class("PortsWebCharm")


@pytest.fixture
def storage_ctx() -> testing.Context[Any]:
    return testing.Context(StorageDbCharm, meta=STORAGE_DB.meta, config=STORAGE_DB.config)


@pytest.fixture
def ports_ctx() -> testing.Context[Any]:
    return testing.Context(PortsWebCharm, meta=PORTS_WEB.meta, config=PORTS_WEB.config)


# --- storage -------------------------------------------------------------------------------------


def test_attached_storage_is_a_real_directory(storage_ctx: testing.Context[Any]) -> None:
    # Always give the index: ops.testing numbers a Storage left without one from a counter
    # shared by the whole process, so it would depend on which tests ran before.
    data = testing.Storage("data", index=0)

    state_out = storage_ctx.run(
        storage_ctx.on.storage_attached(data), testing.State(storages={data})
    )

    root = data.get_filesystem(storage_ctx)
    assert (root / "marker.txt").read_text() == "written by storage-db/0\n"
    assert (root / "own.txt").read_text() == "data/0\n"
    assert state_out.unit_status == testing.ActiveStatus("data: 1")


def test_second_instance_attached(storage_ctx: testing.Context[Any]) -> None:
    first, second = testing.Storage("data", index=0), testing.Storage("data", index=1)

    state_out = storage_ctx.run(
        storage_ctx.on.storage_attached(second), testing.State(storages={first, second})
    )

    assert (second.get_filesystem(storage_ctx) / "own.txt").read_text() == "data/1\n"
    assert state_out.unit_status == testing.ActiveStatus("data: 2")


def test_detaching_reads_what_the_test_seeded(storage_ctx: testing.Context[Any]) -> None:
    data = testing.Storage("data", index=0)
    (data.get_filesystem(storage_ctx) / "marker.txt").write_text("seeded\n")

    state_out = storage_ctx.run(
        storage_ctx.on.storage_detaching(data), testing.State(storages={data})
    )

    assert state_out.unit_status == testing.MaintenanceStatus("detaching data/0")
    detaching = [
        m for m in log_messages(storage_ctx.juju_log, "INFO") if m.startswith("detaching ")
    ]
    assert len(detaching) == 1 and detaching[0].endswith(": seeded")


def test_config_changed_requests_more_storage(storage_ctx: testing.Context[Any]) -> None:
    state_out = storage_ctx.run(
        storage_ctx.on.config_changed(), testing.State(config={"request": 2})
    )

    assert storage_ctx.requested_storages == {"data": 2}
    assert state_out.unit_status == testing.MaintenanceStatus("requested 2 data")


def test_block_storage_attached(storage_ctx: testing.Context[Any]) -> None:
    scratch = testing.Storage("scratch", index=0)

    state_out = storage_ctx.run(
        storage_ctx.on.storage_attached(scratch), testing.State(storages={scratch})
    )

    assert state_out.unit_status == testing.ActiveStatus("scratch attached")


def test_storage_list(storage_ctx: testing.Context[Any]) -> None:
    state = testing.State(storages={testing.Storage("data", index=0)}, config={"probe": "list"})

    storage_ctx.run(storage_ctx.on.update_status(), state)

    assert "probe list: data=[0] scratch=[]" in log_messages(storage_ctx.juju_log, "INFO")


def test_storage_event_for_storage_not_in_the_state_is_inconsistent(
    storage_ctx: testing.Context[Any],
) -> None:
    with pytest.raises(testing.errors.InconsistentScenarioError):
        storage_ctx.run(
            storage_ctx.on.storage_attached(testing.Storage("data", index=0)), testing.State()
        )


# --- ports ---------------------------------------------------------------------------------------


def test_config_changed_opens_its_ports(ports_ctx: testing.Context[Any]) -> None:
    state_out = ports_ctx.run(ports_ctx.on.config_changed(), testing.State())

    assert set(state_out.opened_ports) == {
        testing.TCPPort(8080),
        testing.UDPPort(53),
        testing.ICMPPort(),
    }
    assert state_out.unit_status == testing.ActiveStatus("open: 53/udp 8080/tcp icmp")


def test_close_port(ports_ctx: testing.Context[Any]) -> None:
    state = testing.State(config={"close": "8080/tcp,icmp"})

    state_out = ports_ctx.run(ports_ctx.on.config_changed(), state)

    assert set(state_out.opened_ports) == {testing.UDPPort(53)}


def test_set_ports_replaces_what_was_open(ports_ctx: testing.Context[Any]) -> None:
    state = testing.State(
        opened_ports={testing.TCPPort(9999), testing.UDPPort(53)},
        config={"set-ports": "80,443/tcp,53/udp"},
    )

    state_out = ports_ctx.run(ports_ctx.on.start(), state)

    assert set(state_out.opened_ports) == {
        testing.TCPPort(80),
        testing.TCPPort(443),
        testing.UDPPort(53),
    }


def test_charm_sees_the_ports_opened_before(ports_ctx: testing.Context[Any]) -> None:
    state = testing.State(opened_ports={testing.TCPPort(22)}, config={"probe": "close-unopened"})

    state_out = ports_ctx.run(ports_ctx.on.update_status(), state)

    assert state_out.unit_status == testing.ActiveStatus("probe close-unopened: 22/tcp")
    assert set(state_out.opened_ports) == {testing.TCPPort(22)}
