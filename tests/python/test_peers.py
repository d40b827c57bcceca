"""Peer relations (`testing.PeerRelation`): the shared app databag and the peers' unit databags."""

from __future__ import annotations

import json
from typing import Any

import ops
import pytest
from ops import testing

from conftest import load_charm, log_messages

PEER_CLUSTER = load_charm("peer-cluster")
PeerClusterCharm = PEER_CLUSTER.charm_class("PeerClusterCharm")
APP = "peer-cluster"


def members(relation: testing.RelationBase) -> list[str]:
    """The member list the leader published in the shared app databag."""
    return json.loads(relation.local_app_data["members"])


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(PeerClusterCharm, meta=PEER_CLUSTER.meta, config=PEER_CLUSTER.config)


def test_created_alone_the_leader_is_the_only_member(ctx: testing.Context[Any]) -> None:
    cluster = testing.PeerRelation("cluster")

    state_out = ctx.run(
        ctx.on.relation_created(cluster), testing.State(leader=True, relations={cluster})
    )

    relation_out = state_out.get_relation(cluster.id)
    assert members(relation_out) == [f"{APP}/0"]
    assert relation_out.local_app_data["leader"] == f"{APP}/0"
    assert relation_out.local_unit_data["address"] == "192.0.2.0"
    assert state_out.unit_status == testing.ActiveStatus(f"1 member, leader {APP}/0")
    assert "no peers" in log_messages(ctx.juju_log, "INFO")


def test_joined_leader_lists_every_peer(ctx: testing.Context[Any]) -> None:
    cluster = testing.PeerRelation(
        "cluster", peers_data={1: {"address": "10.0.0.2"}, 2: {"address": "10.0.0.3"}}
    )

    state_out = ctx.run(
        ctx.on.relation_joined(cluster, remote_unit=2),
        testing.State(leader=True, relations={cluster}),
    )

    assert members(state_out.get_relation(cluster.id)) == [f"{APP}/0", f"{APP}/1", f"{APP}/2"]
    assert state_out.unit_status == testing.ActiveStatus(f"3 members, leader {APP}/0")
    logged = log_messages(ctx.juju_log, "INFO")
    assert f"peer {APP}/1 at 10.0.0.2" in logged
    assert f"peer {APP}/2 at 10.0.0.3" in logged


def test_follower_reads_the_shared_app_databag(ctx: testing.Context[Any]) -> None:
    shared = {"members": json.dumps([f"{APP}/0", f"{APP}/1"]), "leader": f"{APP}/1"}
    cluster = testing.PeerRelation(
        "cluster", local_app_data=shared, peers_data={1: {"address": "a"}}
    )

    state_out = ctx.run(
        ctx.on.relation_changed(cluster, remote_unit=1), testing.State(relations={cluster})
    )

    relation_out = state_out.get_relation(cluster.id)
    assert relation_out.local_app_data == shared
    assert state_out.unit_status == testing.ActiveStatus(f"2 members, leader {APP}/1")


def test_follower_waits_for_the_leader(ctx: testing.Context[Any]) -> None:
    cluster = testing.PeerRelation("cluster", peers_data={1: {"address": "a"}})

    state_out = ctx.run(ctx.on.update_status(), testing.State(relations={cluster}))

    assert state_out.unit_status == testing.WaitingStatus(
        "waiting for the leader to publish members"
    )


def test_changed_from_a_peer_without_address_is_deferred(ctx: testing.Context[Any]) -> None:
    cluster = testing.PeerRelation("cluster", peers_data={1: {}})

    state_out = ctx.run(
        ctx.on.relation_changed(cluster, remote_unit=1),
        testing.State(leader=True, relations={cluster}),
    )

    assert len(state_out.deferred) == 1
    assert state_out.deferred[0].name == "cluster_relation_changed"
    assert "members" not in state_out.get_relation(cluster.id).local_app_data


def test_departed_peer_leaves_the_member_list(ctx: testing.Context[Any]) -> None:
    cluster = testing.PeerRelation(
        "cluster", peers_data={1: {"address": "10.0.0.2"}, 2: {"address": "10.0.0.3"}}
    )

    state_out = ctx.run(
        ctx.on.relation_departed(cluster, remote_unit=2, departing_unit=2),
        testing.State(leader=True, relations={cluster}),
    )

    assert members(state_out.get_relation(cluster.id)) == [f"{APP}/0", f"{APP}/1"]
    assert state_out.unit_status == testing.ActiveStatus(f"2 members, leader {APP}/0")


def test_departing_unit_itself_leaves_the_cluster() -> None:
    ctx = testing.Context(
        PeerClusterCharm, meta=PEER_CLUSTER.meta, config=PEER_CLUSTER.config, unit_id=2
    )
    cluster = testing.PeerRelation("cluster", peers_data={1: {"address": "10.0.0.2"}})

    state_out = ctx.run(
        ctx.on.relation_departed(cluster, remote_unit=1, departing_unit=2),
        testing.State(relations={cluster}),
    )

    assert state_out.unit_status == testing.MaintenanceStatus("leaving the cluster")
    assert "this unit is leaving the cluster" in log_messages(ctx.juju_log, "INFO")


def test_new_leader_takes_over_the_shared_databag(ctx: testing.Context[Any]) -> None:
    shared = {"members": json.dumps([f"{APP}/0", f"{APP}/1"]), "leader": f"{APP}/1"}
    cluster = testing.PeerRelation(
        "cluster", local_app_data=shared, peers_data={1: {"address": "x"}}
    )

    state_out = ctx.run(ctx.on.leader_elected(), testing.State(leader=True, relations={cluster}))

    assert state_out.get_relation(cluster.id).local_app_data["leader"] == f"{APP}/0"
    assert f"elected; previous leader {APP}/1" in log_messages(ctx.juju_log, "INFO")


def test_follower_writing_the_app_databag_fails(ctx: testing.Context[Any]) -> None:
    cluster = testing.PeerRelation("cluster", peers_data={1: {"address": "x"}})
    state = testing.State(relations={cluster}, config={"probe": "app-write"})

    with pytest.raises(testing.errors.UncaughtCharmError) as excinfo:
        ctx.run(ctx.on.config_changed(), state)

    assert isinstance(excinfo.value.__cause__, ops.RelationDataError)


def test_writing_a_peers_unit_databag_fails(ctx: testing.Context[Any]) -> None:
    cluster = testing.PeerRelation("cluster", peers_data={1: {"address": "x"}})
    state = testing.State(leader=True, relations={cluster}, config={"probe": "peer-write"})

    with pytest.raises(testing.errors.UncaughtCharmError) as excinfo:
        ctx.run(ctx.on.config_changed(), state)

    assert isinstance(excinfo.value.__cause__, ops.RelationDataError)


def test_peers_data_is_unchanged_by_the_run(ctx: testing.Context[Any]) -> None:
    peers = {1: {"address": "10.0.0.2"}, 2: {"address": "10.0.0.3"}}
    cluster = testing.PeerRelation("cluster", peers_data=peers)

    state_out = ctx.run(ctx.on.config_changed(), testing.State(leader=True, relations={cluster}))

    relation_out = state_out.get_relation(cluster.id)
    assert isinstance(relation_out, testing.PeerRelation)
    assert relation_out.peers_data == peers


def test_without_the_peer_relation_the_unit_is_blocked(ctx: testing.Context[Any]) -> None:
    state_out = ctx.run(ctx.on.update_status(), testing.State())

    assert state_out.unit_status == testing.BlockedStatus("no cluster relation")
