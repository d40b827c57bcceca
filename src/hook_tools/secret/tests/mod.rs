//! Tests of the secret hook tools: allowed and denied paths, by Juju version.

mod grant;
mod id;
mod revision;

use super::super::test_support::tools_with;
use super::*;
use crate::state::{PeerRelation, Relation, State};

const ID: &str = "secret:0123456789abcdefghij";

fn is_secret_not_found(err: &HookToolError) -> bool {
    err.is_secret_not_found()
}

fn secret_owner_arg(owner: Option<&str>) -> Result<SecretOwner, HookToolError> {
    SecretOwner::from_ops(owner)
}

fn meta() -> serde_json::Value {
    serde_json::json!({
        "name": "demo",
        "requires": {"db": {"interface": "pgsql"}},
        "peers": {"cluster": {"interface": "demo-peers"}},
    })
}

fn tools(mut state: State) -> HookTools {
    state.assign_relation_ids();
    tools_with(meta(), None, state)
}

fn on_juju(mut t: HookTools, version: &str) -> HookTools {
    t.scope.juju = JujuVersion::parse(version).unwrap();
    t
}

/// `secret-set` of the secret `id` with a new password and no metadata.
fn set_password(t: &mut HookTools, id: &str, password: &str) {
    t.secret_set(
        id,
        Some(content(&[("password", password)])),
        SecretMeta::default(),
    )
    .unwrap();
}

fn content(pairs: &[(&str, &str)]) -> SecretContent {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn observed() -> Secret {
    Secret::new([("password", "old")])
        .id(ID)
        .latest_content([("password", "new")])
}

fn owned(owner: SecretOwner) -> Secret {
    observed().owner(owner).label("creds")
}

fn db() -> Relation {
    Relation::new("db")
        .id(1)
        .remote_app_name("pg")
        .remote_units([0, 1])
}

#[test]
fn observers_read_the_tracked_revision_until_they_refresh() {
    let mut t = tools(State::default().secrets([observed()]));
    assert_eq!(
        t.secret_get(Some(ID), None, false, false).unwrap()["password"],
        "old"
    );
    assert_eq!(
        t.secret_get(Some(ID), None, false, true).unwrap()["password"],
        "new"
    );
    assert_eq!(t.state.secrets[0].tracked_revision, 1);
    assert_eq!(
        t.secret_get(Some(ID), None, true, false).unwrap()["password"],
        "new"
    );
    let s = &t.state.secrets[0];
    assert_eq!((s.tracked_revision, s.latest_revision), (2, 2));
    assert_eq!(s.tracked_content["password"], "new");
    assert_eq!(
        t.secret_get(Some(ID), None, false, false).unwrap()["password"],
        "new"
    );
}

#[test]
fn secrets_are_found_by_every_id_form_and_by_label() {
    let mut t = tools(State::default().secrets([observed().label("db")]));
    let uuid = t.state.model.uuid.clone();
    for id in [
        ID.to_owned(),
        "0123456789abcdefghij".into(),
        format!("secret://{uuid}/0123456789abcdefghij"),
    ] {
        assert!(t.secret_get(Some(&id), None, false, false).is_ok(), "{id}");
    }
    assert!(t.secret_get(None, Some("db"), false, false).is_ok());
    let err = t.secret_get(None, Some("nope"), false, false).unwrap_err();
    assert!(is_secret_not_found(&err), "{err:?}");
    let err = t
        .secret_get(Some("secret:aaaaaaaaaaaaaaaaaaaa"), None, false, false)
        .unwrap_err();
    assert_eq!(
        err,
        refused("secret \"secret:aaaaaaaaaaaaaaaaaaaa\" not found")
    );
    assert!(is_secret_not_found(&err));
}

#[test]
fn an_id_and_a_label_together_set_the_label() {
    let mut t = tools(State::default().secrets([observed()]));
    t.secret_get(Some(ID), Some("db-pass"), false, false)
        .unwrap();
    assert_eq!(t.state.secrets[0].label.as_deref(), Some("db-pass"));
    assert!(t.secret_get(None, Some("db-pass"), false, false).is_ok());
}

#[test]
fn a_label_belongs_to_one_secret() {
    let other = Secret::new([("a", "b")])
        .id("secret:bbbbbbbbbbbbbbbbbbbb")
        .label("taken");
    let mut t = tools(State::default().secrets([observed(), other]));
    assert_eq!(
        t.secret_get(Some(ID), Some("taken"), false, false)
            .unwrap_err(),
        refused("secret with label \"taken\" already exists")
    );
}

#[test]
fn refresh_and_peek_exclude_each_other() {
    let mut t = tools(State::default().secrets([observed()]));
    assert!(t.secret_get(Some(ID), None, true, true).is_err());
}

#[test]
fn owners_track_a_revision_from_juju_3_3_1_and_3_1_7_on() {
    for (version, sees) in [
        ("3.6.14", "old"),
        ("3.3.1", "old"),
        ("3.1.7", "old"),
        ("3.1.8", "old"),
        ("3.3.0", "new"),
        ("3.2.4", "new"),
        ("3.1.6", "new"),
    ] {
        let mut t = on_juju(
            tools(State::default().secrets([owned(SecretOwner::Unit)])),
            version,
        );
        assert_eq!(
            t.secret_get(Some(ID), None, false, false).unwrap()["password"],
            sees,
            "{version}"
        );
    }
}

#[test]
fn secrets_need_juju_3_0_2() {
    let mut t = on_juju(tools(State::default().secrets([observed()])), "3.0.1");
    let err = t.secret_get(Some(ID), None, false, false).unwrap_err();
    assert_eq!(
        err,
        refused("secrets are not available on Juju 3.0.1 (they need Juju 3.0.2 or later)")
    );
    assert!(!is_secret_not_found(&err));
    assert!(t
        .secret_add(
            content(&[("a", "b")]),
            SecretMeta::default(),
            SecretOwner::Unit
        )
        .is_err());
    assert!(t.secret_ids().is_err());
    let mut t = on_juju(tools(State::default().secrets([observed()])), "3.0.2");
    assert!(t.secret_get(Some(ID), None, false, false).is_ok());
}

#[test]
fn adding_gives_deterministic_ids_and_app_secrets_need_the_leader() {
    let add = |leader: bool, owner| {
        let mut t = tools(State::default().leader(leader));
        let meta = SecretMeta {
            label: Some("l".into()),
            ..SecretMeta::default()
        };
        t.secret_add(content(&[("a", "b")]), meta, owner)
            .map(|id| (id, t.state))
    };
    assert_eq!(
        add(false, SecretOwner::App).unwrap_err(),
        refused("this unit is not the leader")
    );
    let (id, state) = add(true, SecretOwner::App).unwrap();
    assert_eq!(id, add(false, SecretOwner::Unit).unwrap().0);
    assert_eq!(id.len(), "secret:".len() + 20);
    let secret = state.secret(&id).unwrap();
    assert_eq!((secret.tracked_revision, secret.latest_revision), (1, 1));
    assert_eq!(secret.owner, Some(SecretOwner::App));
    assert_eq!(secret.label.as_deref(), Some("l"));

    let mut t = tools(State::default().leader(true));
    let first = t
        .secret_add(
            content(&[("a", "b")]),
            SecretMeta::default(),
            SecretOwner::App,
        )
        .unwrap();
    let second = t
        .secret_add(
            content(&[("a", "b")]),
            SecretMeta::default(),
            SecretOwner::App,
        )
        .unwrap();
    assert_ne!(first, second);
    let other_model = {
        let mut state = State::default();
        state.model.uuid = "11111111-1111-4111-8111-111111111111".into();
        let mut t = tools(state);
        t.secret_add(
            content(&[("a", "b")]),
            SecretMeta::default(),
            SecretOwner::Unit,
        )
        .unwrap()
    };
    assert_ne!(first, other_model);
    assert!(t
        .secret_add(
            SecretContent::new(),
            SecretMeta::default(),
            SecretOwner::App
        )
        .is_err());
}

#[test]
fn an_added_secret_is_readable_in_the_same_hook() {
    let mut t = tools(State::default());
    let id = t
        .secret_add(
            content(&[("a", "b")]),
            SecretMeta::default(),
            SecretOwner::Unit,
        )
        .unwrap();
    assert_eq!(
        t.secret_get(Some(&id), None, false, false).unwrap()["a"],
        "b"
    );
    assert_eq!(t.secret_ids().unwrap(), [id]);
}

fn denied_at_commit(tool: &str) -> Vec<String> {
    vec![format!("{tool} {ID}: ERROR permission denied")]
}

/// The controller's refusal of a change to the application's secret by a non-leader: its
/// leadership token's check.
fn not_leader_at_commit(tool: &str) -> Vec<String> {
    vec![format!(
        "{tool} {ID}: ERROR \"demo/0\" is not leader of \"demo\""
    )]
}

#[test]
fn only_owners_and_the_leader_manage() {
    let mut t = tools(State::default().secrets([observed()]));
    let c = || Some(content(&[("password", "x")]));
    // Taken during the hook, refused when it commits.
    t.secret_set(ID, c(), SecretMeta::default()).unwrap();
    assert_eq!(t.commit_refusals, denied_at_commit("secret-set"));
    assert_eq!(t.state.secrets[0].latest_content["password"], "new");
    t.commit_refusals.clear();
    t.secret_remove(ID, None).unwrap();
    assert_eq!(t.commit_refusals, denied_at_commit("secret-remove"));
    assert_eq!(t.state.secrets.len(), 1);
    assert!(is_secret_not_found(
        &t.secret_info_get(Some(ID), None).unwrap_err()
    ));
    let mut t = tools(
        State::default()
            .leader(false)
            .secrets([owned(SecretOwner::App)]),
    );
    t.secret_set(ID, c(), SecretMeta::default()).unwrap();
    assert_eq!(t.commit_refusals, not_leader_at_commit("secret-set"));
    assert!(is_secret_not_found(
        &t.secret_info_get(Some(ID), None).unwrap_err()
    ));
    assert!(is_secret_not_found(
        &t.secret_info_get(None, Some("creds")).unwrap_err()
    ));
    assert_eq!(t.secret_ids().unwrap(), Vec::<String>::new());
    // Units of the owning application read it all the same.
    assert!(t.secret_get(Some(ID), None, false, false).is_ok());
    let mut t = tools(
        State::default()
            .leader(true)
            .secrets([owned(SecretOwner::App)]),
    );
    assert!(t.secret_set(ID, c(), SecretMeta::default()).is_ok());
    assert!(t.commit_refusals.is_empty());
    assert_eq!(t.secret_ids().unwrap(), [ID]);
    t.secret_set("secret:aaaaaaaaaaaaaaaaaaaa", c(), SecretMeta::default())
        .unwrap();
    assert_eq!(
        t.commit_refusals,
        ["secret-set secret:aaaaaaaaaaaaaaaaaaaa: ERROR secret \"secret:aaaaaaaaaaaaaaaaaaaa\" not found"]
    );
}

#[test]
fn info_is_the_owners_metadata() {
    let secret = owned(SecretOwner::Unit)
        .description("d")
        .expire("2026-11-25T12:00:00+00:00")
        .rotate(SecretRotate::Weekly);
    let t = tools(State::default().secrets([secret]));
    let info = t.secret_info_get(None, Some("creds")).unwrap();
    assert_eq!(
        info,
        SecretInfoData {
            id: ID.into(),
            label: Some("creds".into()),
            revision: 2,
            expires: Some("2026-11-25T12:00:00+00:00".into()),
            rotation: Some(SecretRotate::Weekly),
            rotates: None,
            description: Some("d".into()),
            model_uuid: t.state.model.uuid.clone(),
        }
    );
    assert_eq!(t.secret_info_get(Some(ID), Some("ignored")).unwrap(), info);
}

#[test]
fn owner_arguments_are_ops_words() {
    assert_eq!(secret_owner_arg(None), Ok(SecretOwner::App));
    assert_eq!(secret_owner_arg(Some("application")), Ok(SecretOwner::App));
    assert_eq!(secret_owner_arg(Some("unit")), Ok(SecretOwner::Unit));
    assert!(secret_owner_arg(Some("app")).is_err());
}

#[test]
fn a_label_an_older_secret_owns_fails_the_hook_at_commit() {
    let older = owned(SecretOwner::Unit).label("fresh");
    let mut t = tools(State::default().leader(true).secrets([older]));
    let meta = || SecretMeta {
        label: Some("fresh".into()),
        ..SecretMeta::default()
    };
    let id = t
        .secret_add(content(&[("token", "new")]), meta(), SecretOwner::App)
        .unwrap();
    assert_eq!(
        t.commit_refusals,
        [format!(
            "secret-add {id}: ERROR secret with label \"fresh\" already exists"
        )]
    );
    // Reading by the label finds the secret added in this hook, as Juju's agent does.
    assert_eq!(
        t.secret_get(None, Some("fresh"), false, false).unwrap()["token"],
        "new"
    );
    // The same label twice in one hook: refused at once by the unit agent.
    assert_eq!(
        t.secret_add(content(&[("token", "again")]), meta(), SecretOwner::App)
            .unwrap_err(),
        refused("secret with label \"fresh\" already exists")
    );
    // An observed secret's label is another namespace.
    let mut t = tools(State::default().secrets([observed().label("fresh")]));
    t.secret_add(content(&[("token", "new")]), meta(), SecretOwner::Unit)
        .unwrap();
    assert!(t.commit_refusals.is_empty());
}

#[test]
fn relabelling_to_a_label_another_owned_secret_has_fails_at_commit() {
    let other = Secret::new([("a", "b")])
        .id("secret:bbbbbbbbbbbbbbbbbbbb")
        .owner(SecretOwner::Unit)
        .label("other");
    let observed_label = Secret::new([("a", "c")])
        .id("secret:cccccccccccccccccccc")
        .label("seen");
    let mut t = tools(State::default().secrets([owned(SecretOwner::Unit), other, observed_label]));
    let relabel = |t: &mut HookTools, label: &str| {
        let meta = SecretMeta {
            label: Some(label.into()),
            ..SecretMeta::default()
        };
        t.secret_set(ID, None, meta)
    };
    // Its own label, or an observed secret's: nothing to refuse.
    relabel(&mut t, "creds").unwrap();
    relabel(&mut t, "seen").unwrap();
    assert!(t.commit_refusals.is_empty());
    // Another owned secret's: taken now, refused as the hook commits.
    relabel(&mut t, "other").unwrap();
    assert_eq!(
        t.commit_refusals,
        [format!(
            "secret-set {ID}: ERROR secret with label \"other\" already exists"
        )]
    );
}
