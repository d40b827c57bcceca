"""Secrets: the owner adds, updates, grants and rotates; the observer reads them and follows
their revisions."""

from __future__ import annotations

from typing import Any

import ops
import pytest
from ops import testing

from conftest import load_charm, log_messages

OWNER = load_charm("secret-owner")
SecretOwnerCharm = OWNER.charm_class("SecretOwnerCharm")
OBSERVER = load_charm("secret-observer")
SecretObserverCharm = OBSERVER.charm_class("SecretObserverCharm")


@pytest.fixture
def owner_ctx() -> testing.Context[Any]:
    return testing.Context(SecretOwnerCharm, meta=OWNER.meta, config=OWNER.config)


@pytest.fixture
def observer_ctx() -> testing.Context[Any]:
    return testing.Context(SecretObserverCharm, meta=OBSERVER.meta, config=OBSERVER.config)


def owned_creds(**kwargs: Any) -> testing.Secret:
    """The application secret the owner charm keeps, labelled as it looks it up."""
    return testing.Secret({"password": "initial"}, owner="app", label="creds", **kwargs)


# --- the owner -----------------------------------------------------------------------------------


def test_leader_adds_the_secret(owner_ctx: testing.Context[Any]) -> None:
    state_out = owner_ctx.run(owner_ctx.on.config_changed(), testing.State(leader=True))

    (secret,) = state_out.secrets
    assert secret.label == "creds"
    assert secret.owner == "app"
    assert secret.description == "db credentials"
    assert secret.tracked_content == {"password": "initial"}
    assert f"added {secret.id}" in log_messages(owner_ctx.juju_log, "INFO")


def test_leader_updates_the_secrets_content(owner_ctx: testing.Context[Any]) -> None:
    secret = owned_creds()
    state = testing.State(leader=True, secrets={secret}, config={"password": "changed"})

    state_out = owner_ctx.run(owner_ctx.on.config_changed(), state)

    assert state_out.get_secret(id=secret.id).latest_content == {"password": "changed"}
    assert f"updated {secret.id}" in log_messages(owner_ctx.juju_log, "INFO")


def test_follower_does_not_touch_the_secret(owner_ctx: testing.Context[Any]) -> None:
    secret = owned_creds()
    state = testing.State(secrets={secret}, config={"password": "changed"})

    state_out = owner_ctx.run(owner_ctx.on.config_changed(), state)

    assert state_out.unit_status == testing.WaitingStatus("not the leader")
    assert state_out.get_secret(id=secret.id).latest_content == {"password": "initial"}


def test_secret_is_granted_to_the_joining_application(owner_ctx: testing.Context[Any]) -> None:
    secret = owned_creds()
    db = testing.Relation("db", remote_app_name="consumer")
    state = testing.State(leader=True, secrets={secret}, relations={db})

    state_out = owner_ctx.run(owner_ctx.on.relation_joined(db), state)

    assert state_out.get_secret(id=secret.id).remote_grants == {db.id: {"consumer"}}
    assert state_out.get_relation(db.id).local_app_data == {"secret-id": secret.id}


def test_nothing_to_grant_blocks(owner_ctx: testing.Context[Any]) -> None:
    db = testing.Relation("db", remote_app_name="consumer")

    state_out = owner_ctx.run(
        owner_ctx.on.relation_joined(db), testing.State(leader=True, relations={db})
    )

    assert state_out.unit_status == testing.BlockedStatus("no secret to share")
    assert state_out.get_relation(db.id).local_app_data == {}


def test_rotate_sets_new_content(owner_ctx: testing.Context[Any]) -> None:
    secret = owned_creds(rotate=ops.SecretRotate.DAILY)

    state_out = owner_ctx.run(
        owner_ctx.on.secret_rotate(secret), testing.State(leader=True, secrets={secret})
    )

    assert state_out.get_secret(id=secret.id).latest_content == {"password": "rotated-2"}
    assert f"rotated {secret.id} label=creds" in log_messages(owner_ctx.juju_log, "INFO")


def test_secret_looked_up_by_label(owner_ctx: testing.Context[Any]) -> None:
    secret = owned_creds()

    state_out = owner_ctx.run(
        owner_ctx.on.config_changed(), testing.State(leader=True, secrets={secret})
    )

    assert len(state_out.secrets) == 1
    assert state_out.get_secret(label="creds").id == secret.id


# --- the observer --------------------------------------------------------------------------------


def granted(**kwargs: Any) -> testing.Secret:
    """A secret another application owns and granted to this one."""
    return testing.Secret({"password": "s3cret"}, **kwargs)


def test_observer_reads_the_secret_by_id_and_labels_it(observer_ctx: testing.Context[Any]) -> None:
    secret = granted()
    db = testing.Relation("db", remote_app_data={"secret-id": secret.id})

    state_out = observer_ctx.run(
        observer_ctx.on.relation_changed(db), testing.State(relations={db}, secrets={secret})
    )

    assert state_out.unit_status == testing.ActiveStatus("password=s3cret")
    assert state_out.get_secret(id=secret.id).label == "db-creds"


def test_observer_without_the_id_waits(observer_ctx: testing.Context[Any]) -> None:
    db = testing.Relation("db")

    state_out = observer_ctx.run(
        observer_ctx.on.relation_changed(db), testing.State(relations={db})
    )

    assert state_out.unit_status == testing.WaitingStatus("no secret yet")


def test_observer_reads_by_label(observer_ctx: testing.Context[Any]) -> None:
    secret = granted(label="db-creds")

    state_out = observer_ctx.run(observer_ctx.on.update_status(), testing.State(secrets={secret}))

    assert state_out.unit_status == testing.ActiveStatus("password=s3cret")


def test_unknown_label_is_not_found(observer_ctx: testing.Context[Any]) -> None:
    state_out = observer_ctx.run(observer_ctx.on.update_status(), testing.State())

    assert state_out.unit_status == testing.WaitingStatus("no secret labelled db-creds")


def test_secret_changed_follows_the_new_revision(observer_ctx: testing.Context[Any]) -> None:
    secret = testing.Secret(
        {"password": "old"}, latest_content={"password": "new"}, label="db-creds"
    )

    state_out = observer_ctx.run(
        observer_ctx.on.secret_changed(secret), testing.State(secrets={secret})
    )

    assert f"changed {secret.id}: tracked=old latest=new refreshed=new" in log_messages(
        observer_ctx.juju_log, "INFO"
    )
    assert state_out.unit_status == testing.ActiveStatus("password=new")
    assert state_out.get_secret(id=secret.id).tracked_content == {"password": "new"}


def test_secret_changed_event_type(observer_ctx: testing.Context[Any]) -> None:
    secret = granted(label="db-creds")

    observer_ctx.run(observer_ctx.on.secret_changed(secret), testing.State(secrets={secret}))

    changed = [e for e in observer_ctx.emitted_events if isinstance(e, ops.SecretChangedEvent)]
    assert len(changed) == 1
    assert changed[0].secret.id == secret.id
