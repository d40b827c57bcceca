"""Regular relations (`testing.Relation`): every relation event, databags read and written."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from ops import testing

from conftest import load_charm, log_messages

DB_REQUIRER = load_charm("db-requirer")
DbRequirerCharm = DB_REQUIRER.charm_class("DbRequirerCharm")
DB_PROVIDER = load_charm("db-provider")
DbProviderCharm = DB_PROVIDER.charm_class("DbProviderCharm")
RELATION_COPY = load_charm("relation-copy")
RelationCopyCharm = RELATION_COPY.charm_class("RelationCopyCharm")
READ_ALL = load_charm("relation-read-all")
RelationReadAllCharm = READ_ALL.charm_class("RelationReadAllCharm")

REQUIRER_META = {
    "name": "db-requirer",
    "requires": {"db": {"interface": "pgsql", "limit": 1}},
    "extra-bindings": {"metrics": None},
}
REQUIRER_CONFIG = {"options": {"database": {"type": "string", "default": "app"}}}


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(DbRequirerCharm, meta=REQUIRER_META, config=REQUIRER_CONFIG)


@pytest.fixture
def db() -> testing.Relation:
    return testing.Relation(
        "db",
        remote_app_name="postgresql",
        remote_app_data={"host": "10.0.0.1"},
    )


# --- the requirer's events ---------------------------------------------------------------------


def test_created_leader_asks_for_its_database(
    ctx: testing.Context[Any], db: testing.Relation
) -> None:
    state = testing.State(leader=True, relations={db}, config={"database": "orders"})

    state_out = ctx.run(ctx.on.relation_created(db), state)

    assert state_out.get_relation(db.id).local_app_data == {"database": "orders"}
    assert state_out.unit_status == testing.WaitingStatus("waiting for the database")


def test_created_follower_leaves_the_app_databag_alone(
    ctx: testing.Context[Any], db: testing.Relation
) -> None:
    state_out = ctx.run(ctx.on.relation_created(db), testing.State(relations={db}))

    assert state_out.get_relation(db.id).local_app_data == {}


def test_joined_records_the_remote_unit(ctx: testing.Context[Any], db: testing.Relation) -> None:
    state_out = ctx.run(ctx.on.relation_joined(db), testing.State(relations={db}))

    assert state_out.get_relation(db.id).local_unit_data["joined"] == "postgresql/0"


def test_joined_names_the_remote_unit_given() -> None:
    ctx = testing.Context(DbRequirerCharm, meta=REQUIRER_META, config=REQUIRER_CONFIG)
    db = testing.Relation("db", remote_app_name="postgresql", remote_units_data={0: {}, 3: {}})

    state_out = ctx.run(ctx.on.relation_joined(db, remote_unit=3), testing.State(relations={db}))

    assert state_out.get_relation(db.id).local_unit_data["joined"] == "postgresql/3"


def test_local_unit_databag_starts_with_juju_address_keys(
    ctx: testing.Context[Any], db: testing.Relation
) -> None:
    state_out = ctx.run(ctx.on.relation_joined(db), testing.State(relations={db}))

    local = state_out.get_relation(db.id).local_unit_data
    assert {"egress-subnets", "ingress-address", "private-address"} <= set(local)


def test_changed_with_host_goes_active(ctx: testing.Context[Any], db: testing.Relation) -> None:
    state = testing.State(leader=True, relations={db})

    state_out = ctx.run(ctx.on.relation_changed(db), state)

    assert state_out.unit_status == testing.ActiveStatus("db at 10.0.0.1 via 192.0.2.0")
    relation_out = state_out.get_relation(db.id)
    assert relation_out.local_app_data == {"database": "app", "user": "client"}
    assert relation_out.local_unit_data["seen"] == "postgresql/0"


def test_changed_without_host_waits(ctx: testing.Context[Any]) -> None:
    db = testing.Relation("db", remote_app_name="postgresql")

    state_out = ctx.run(ctx.on.relation_changed(db), testing.State(relations={db}))

    assert state_out.unit_status == testing.WaitingStatus("no host yet")


def test_changed_reads_the_remote_units_databag(ctx: testing.Context[Any]) -> None:
    db = testing.Relation(
        "db",
        remote_app_name="postgresql",
        remote_app_data={"host": "10.0.0.9"},
        remote_units_data={0: {"port": "5432"}},
    )

    ctx.run(ctx.on.relation_changed(db, remote_unit=0), testing.State(relations={db}))

    assert "unit postgresql/0 serves port 5432" in log_messages(ctx.juju_log, "INFO")


def test_changed_uses_the_bindings_network(
    ctx: testing.Context[Any], db: testing.Relation
) -> None:
    network = testing.Network(
        "db", bind_addresses=[testing.BindAddress([testing.Address("10.1.2.3")])]
    )

    state_out = ctx.run(
        ctx.on.relation_changed(db), testing.State(relations={db}, networks={network})
    )

    assert state_out.unit_status == testing.ActiveStatus("db at 10.0.0.1 via 10.1.2.3")


def test_departed_names_the_departing_unit(ctx: testing.Context[Any]) -> None:
    db = testing.Relation(
        "db", remote_app_name="postgresql", remote_units_data={0: {}, 1: {"port": "1"}}
    )

    ctx.run(
        ctx.on.relation_departed(db, remote_unit=1, departing_unit=1),
        testing.State(relations={db}),
    )

    departed = [m for m in log_messages(ctx.juju_log, "INFO") if m.startswith("departed ")]
    assert len(departed) == 1
    assert f"relation={db.id} app=postgresql unit=postgresql/1 " in departed[0]
    assert departed[0].endswith("departing=postgresql/1")


def test_broken_blocks(ctx: testing.Context[Any], db: testing.Relation) -> None:
    state_out = ctx.run(ctx.on.relation_broken(db), testing.State(relations={db}))

    assert state_out.unit_status == testing.BlockedStatus("needs a database")


def test_update_status_without_relation_blocks(ctx: testing.Context[Any]) -> None:
    state_out = ctx.run(ctx.on.update_status(), testing.State())

    assert state_out.unit_status == testing.BlockedStatus("needs a database")


def test_update_status_reads_the_remote_model(ctx: testing.Context[Any]) -> None:
    uuid = "11111111-2222-4333-8444-555555555555"
    db = testing.Relation("db", remote_app_name="postgresql", remote_model_uuid=uuid)

    state_out = ctx.run(ctx.on.update_status(), testing.State(relations={db}))

    assert state_out.unit_status == testing.ActiveStatus("related to postgresql")
    assert f"remote model {uuid}" in log_messages(ctx.juju_log, "INFO")


def test_relation_chain_created_joined_changed(ctx: testing.Context[Any]) -> None:
    """Feeding each output State back in, as Juju runs the hooks one after the other."""
    db = testing.Relation("db", remote_app_name="postgresql")
    state = testing.State(leader=True, relations={db})

    state = ctx.run(ctx.on.relation_created(db), state)
    state = ctx.run(ctx.on.relation_joined(state.get_relation(db.id)), state)
    # The database answers: its app databag now has the host.
    published = dataclasses.replace(
        state.get_relation(db.id), remote_app_data={"host": "db.local"}
    )
    state = dataclasses.replace(state, relations={published})
    state = ctx.run(ctx.on.relation_changed(published), state)

    relation_out = state.get_relation(db.id)
    assert relation_out.local_app_data == {"database": "app", "user": "client"}
    assert relation_out.local_unit_data["joined"] == "postgresql/0"
    assert state.unit_status == testing.ActiveStatus("db at db.local via 192.0.2.0")


def test_relation_on_an_unknown_endpoint_is_inconsistent(ctx: testing.Context[Any]) -> None:
    stray = testing.Relation("cache")

    with pytest.raises(testing.errors.InconsistentScenarioError):
        ctx.run(ctx.on.update_status(), testing.State(relations={stray}))


def test_relation_event_for_a_relation_not_in_the_state_is_inconsistent(
    ctx: testing.Context[Any], db: testing.Relation
) -> None:
    with pytest.raises(testing.errors.InconsistentScenarioError):
        ctx.run(ctx.on.relation_changed(db), testing.State())


# --- a provider with several remote units and relations ----------------------------------------


@pytest.fixture
def provider_ctx() -> testing.Context[Any]:
    return testing.Context(DbProviderCharm, meta=DB_PROVIDER.meta)


def test_provider_publishes_for_every_remote_unit(provider_ctx: testing.Context[Any]) -> None:
    relation = testing.Relation(
        "database",
        remote_app_name="wordpress",
        remote_app_data={"database": "blog"},
        remote_units_data={0: {"requested": "yes"}, 1: {"requested": "yes"}, 2: {}},
    )

    state_out = provider_ctx.run(
        provider_ctx.on.relation_changed(relation, remote_unit=2),
        testing.State(leader=True, relations={relation}),
    )

    assert state_out.get_relation(relation.id).local_app_data == {
        "host": "192.0.2.0",
        "database": "blog",
        "user": "wordpress-user",
        "units": "wordpress/0,wordpress/1,wordpress/2",
    }
    assert state_out.unit_status == testing.ActiveStatus("serving 3 units of wordpress")


def test_provider_follower_does_not_publish(provider_ctx: testing.Context[Any]) -> None:
    relation = testing.Relation(
        "database", remote_app_name="wordpress", remote_app_data={"database": "blog"}
    )

    state_out = provider_ctx.run(
        provider_ctx.on.relation_changed(relation), testing.State(relations={relation})
    )

    assert state_out.get_relation(relation.id).local_app_data == {}
    assert state_out.unit_status == testing.ActiveStatus("serving as follower")


def test_provider_sees_every_relation_on_its_endpoint(provider_ctx: testing.Context[Any]) -> None:
    # State.relations is a frozenset: ops.testing lists relation-ids in its iteration order,
    # which for small ids is id order, as Juju lists them.
    blog = testing.Relation("database", id=3, remote_app_name="blog")
    shop = testing.Relation("database", id=5, remote_app_name="shop")

    state_out = provider_ctx.run(
        provider_ctx.on.update_status(), testing.State(relations=[blog, shop])
    )

    assert state_out.unit_status == testing.ActiveStatus("serving {3: 'blog', 5: 'shop'}")
    assert sorted(r.id for r in state_out.get_relations("database")) == [3, 5]


def test_provider_waits_for_the_remote_request(provider_ctx: testing.Context[Any]) -> None:
    relation = testing.Relation("database", remote_app_name="wordpress")

    state_out = provider_ctx.run(
        provider_ctx.on.relation_changed(relation),
        testing.State(leader=True, relations={relation}),
    )

    assert state_out.unit_status == testing.WaitingStatus("wordpress has not asked for a database")


# --- copying and reading databags --------------------------------------------------------------


def test_leader_copies_the_remote_app_databag() -> None:
    ctx = testing.Context(RelationCopyCharm, meta=RELATION_COPY.meta)
    db = testing.Relation(
        "db",
        remote_app_name="upstream",
        remote_app_data={"a": "1", "b": "2"},
        remote_units_data={0: {"x": "y"}, 1: {}},
    )

    state_out = ctx.run(
        ctx.on.relation_changed(db, remote_unit=1), testing.State(leader=True, relations={db})
    )

    relation_out = state_out.get_relation(db.id)
    assert relation_out.local_app_data == {"a": "1", "b": "2", "units": "2"}
    assert relation_out.local_unit_data["seen"] == "upstream/1"
    assert relation_out.remote_app_data == {"a": "1", "b": "2"}
    assert state_out.unit_status == testing.ActiveStatus("copied 2 keys from upstream")


def test_follower_copy_leaves_app_databag_as_it_was() -> None:
    ctx = testing.Context(RelationCopyCharm, meta=RELATION_COPY.meta)
    db = testing.Relation("db", remote_app_data={"a": "1"}, local_app_data={"old": "value"})

    state_out = ctx.run(ctx.on.relation_changed(db), testing.State(relations={db}))

    assert state_out.get_relation(db.id).local_app_data == {"old": "value"}


def test_reads_every_databag_of_every_relation() -> None:
    ctx = testing.Context(RelationReadAllCharm, meta=READ_ALL.meta)
    first = testing.Relation(
        "upstream",
        remote_app_data={"k": "v"},
        remote_units_data={0: {"a": "1"}, 1: {"b": "2", "c": "3"}},
    )
    second = testing.Relation("upstream", remote_app_data={}, remote_units_data={4: {"d": "4"}})

    state_out = ctx.run(
        ctx.on.relation_changed(first, remote_unit=0), testing.State(relations=[first, second])
    )

    assert state_out.unit_status == testing.ActiveStatus("read 5 keys in 5 bags")
