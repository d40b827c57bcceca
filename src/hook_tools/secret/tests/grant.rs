//! Tests of `secret-grant` and `secret-revoke`: grantees on the relation's remote side, the
//! pending grant per relation by Juju version, and a broken relation's grants.

use super::*;
use crate::event::RelationHook;

#[test]
fn grants_go_to_the_remote_app_or_one_of_its_units() {
    let state = State::default()
        .leader(true)
        .relations([db()])
        .secrets([owned(SecretOwner::App)]);
    let mut t = tools(state);
    t.secret_grant(ID, 1, Some("pg/1")).unwrap();
    assert_eq!(
        t.state.secrets[0].remote_grants[&1]
            .iter()
            .collect::<Vec<_>>(),
        ["pg/1"]
    );
    assert_eq!(
        t.secret_grant(ID, 1, None).unwrap_err(),
        refused("any unit level grants need to be revoked before granting access to the corresponding application")
    );
    t.secret_revoke(ID, 1, Some("pg/1")).unwrap();
    assert!(
        t.state.secrets[0].remote_grants.is_empty(),
        "the last revoke removes the entry"
    );
    t.secret_grant(ID, 1, None).unwrap();
    t.secret_grant(ID, 1, Some("pg/0")).unwrap();
    assert_eq!(
        t.state.secrets[0].remote_grants[&1]
            .iter()
            .collect::<Vec<_>>(),
        ["pg"]
    );
    t.secret_revoke(ID, 1, Some("pg/0")).unwrap();
    t.secret_revoke(ID, 1, None).unwrap();
    assert!(t.state.secrets[0].remote_grants.is_empty());
    assert_eq!(
        t.secret_grant(ID, 1, Some("other/0")).unwrap_err(),
        refused("cannot specify unit \"other/0\" in relation to application \"pg\"")
    );
    assert!(t.secret_grant(ID, 1, Some("pg")).is_err());
    // A relation that is not there is "not found": ops' SecretNotFoundError.
    assert!(is_secret_not_found(
        &t.secret_grant(ID, 9, None).unwrap_err()
    ));
    assert!(is_secret_not_found(
        &t.secret_revoke(ID, 9, None).unwrap_err()
    ));
}

#[test]
fn peers_can_be_granted_a_unit_secret() {
    let state = State::default()
        .relations([PeerRelation::new("cluster").id(2).peers([1])])
        .secrets([owned(SecretOwner::Unit)]);
    let mut t = tools(state);
    t.secret_grant(ID, 2, Some("demo/1")).unwrap();
    assert!(t.state.secrets[0].remote_grants[&2].contains("demo/1"));
}

#[test]
fn granting_needs_a_secret_this_unit_manages() {
    let mut t = tools(
        State::default()
            .relations([db()])
            .secrets([owned(SecretOwner::App)]),
    );
    assert!(is_secret_not_found(
        &t.secret_grant(ID, 1, None).unwrap_err()
    ));
    t.secret_revoke(ID, 1, None).unwrap();
    assert_eq!(t.commit_refusals, not_leader_at_commit("secret-revoke"));
    let mut t = tools(State::default().relations([db()]).secrets([observed()]));
    t.secret_revoke(ID, 1, None).unwrap();
    assert_eq!(t.commit_refusals, denied_at_commit("secret-revoke"));
    assert!(is_secret_not_found(
        &t.secret_grant(ID, 1, None).unwrap_err()
    ));
}

/// Hook tools for a `relation-broken` run of relation 1 (`db`, remote application `pg`).
fn broken(state: State) -> HookTools {
    use crate::event::{RelationEventScope, RemoteUnitChoice};
    let mut t = tools(state);
    t.scope.relation = Ok(RelationEventScope {
        index: 0,
        relation_id: 1,
        endpoint: "db".into(),
        hook: RelationHook::Broken,
        remote_app: "pg".into(),
        remote_unit_id: None,
        remote_unit: None,
        departing_unit: None,
        remote_unit_choice: RemoteUnitChoice::Given,
    });
    t
}

fn grantees(t: &HookTools, relation_id: u32) -> Vec<&str> {
    t.state.secrets[0]
        .remote_grants
        .get(&relation_id)
        .map(|g| g.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn a_hook_keeps_one_pending_grant_per_relation() {
    let leader = || {
        State::default()
            .leader(true)
            .relations([db()])
            .secrets([owned(SecretOwner::App)])
    };
    // Two unit grants on one relation in one hook: Juju keeps the pending grant per relation
    // key, so the second replaces the first.
    let mut t = tools(leader());
    t.secret_grant(ID, 1, Some("pg/0")).unwrap();
    t.secret_grant(ID, 1, Some("pg/1")).unwrap();
    assert_eq!(grantees(&t, 1), ["pg/1"]);
    // Granting the application, then one of its units: the check sees the pending
    // application grant, so the unit grant changes nothing.
    let mut t = tools(leader());
    t.secret_grant(ID, 1, None).unwrap();
    t.secret_grant(ID, 1, Some("pg/0")).unwrap();
    assert_eq!(grantees(&t, 1), ["pg"]);
    // A unit, then the application: refused, the pending unit grant counts.
    let mut t = tools(leader());
    t.secret_grant(ID, 1, Some("pg/0")).unwrap();
    assert_eq!(
        t.secret_grant(ID, 1, None).unwrap_err(),
        refused("any unit level grants need to be revoked before granting access to the corresponding application")
    );
    // Grants from earlier hooks stay: only this hook's pending grant is replaced.
    let mut t = tools(
        State::default()
            .leader(true)
            .relations([db()])
            .secrets([owned(SecretOwner::App).remote_grants(1, ["pg/0"])]),
    );
    t.secret_grant(ID, 1, Some("pg/1")).unwrap();
    t.secret_grant(ID, 1, Some("pg/0")).unwrap();
    assert_eq!(grantees(&t, 1), ["pg/0", "pg/1"], "pg/0's grant was there");
    // Another relation's pending grant is its own.
    let mut t = tools(
        State::default()
            .leader(true)
            .relations([db()])
            .relations([PeerRelation::new("cluster").id(2).peers([1, 2])])
            .secrets([owned(SecretOwner::App)]),
    );
    t.secret_grant(ID, 1, Some("pg/0")).unwrap();
    t.secret_grant(ID, 2, Some("demo/1")).unwrap();
    assert_eq!(
        (grantees(&t, 1), grantees(&t, 2)),
        (vec!["pg/0"], vec!["demo/1"])
    );
}

#[test]
fn before_juju_3_3_1_every_grant_is_its_own_record() {
    let leader = |version: &str| {
        on_juju(
            tools(
                State::default()
                    .leader(true)
                    .relations([db()])
                    .secrets([owned(SecretOwner::App)]),
            ),
            version,
        )
    };
    for (version, two_units, app_then_unit, unit_then_app) in [
        ("3.3.0", vec!["pg/0", "pg/1"], vec!["pg", "pg/0"], true),
        ("3.1.7", vec!["pg/0", "pg/1"], vec!["pg", "pg/0"], true),
        ("3.3.1", vec!["pg/1"], vec!["pg"], false),
    ] {
        let mut t = leader(version);
        t.secret_grant(ID, 1, Some("pg/0")).unwrap();
        t.secret_grant(ID, 1, Some("pg/1")).unwrap();
        assert_eq!(grantees(&t, 1), two_units, "{version}");
        let mut t = leader(version);
        t.secret_grant(ID, 1, None).unwrap();
        t.secret_grant(ID, 1, Some("pg/0")).unwrap();
        assert_eq!(grantees(&t, 1), app_then_unit, "{version}");
        let mut t = leader(version);
        t.secret_grant(ID, 1, Some("pg/0")).unwrap();
        assert_eq!(
            t.secret_grant(ID, 1, None).is_ok(),
            unit_then_app,
            "{version}"
        );
    }
}

#[test]
fn a_broken_relation_takes_its_grants_with_it() {
    let state = State::default()
        .leader(true)
        .relations([db()])
        .relations([PeerRelation::new("cluster").id(2).peers([1])])
        .secrets([owned(SecretOwner::App)
            .remote_grants(1, ["pg"])
            .remote_grants(2, ["demo/1"])]);
    let mut t = broken(state.clone());
    // During the hook the grant is still there (revoking it works as ever).
    assert_eq!(grantees(&t, 1), ["pg"]);
    t.finish();
    assert_eq!(grantees(&t, 1), Vec::<&str>::new());
    assert_eq!(
        grantees(&t, 2),
        ["demo/1"],
        "another relation's grants stay"
    );
    // Another hook keeps them.
    let mut t = tools(state);
    t.finish();
    assert_eq!(grantees(&t, 1), ["pg"]);
}
