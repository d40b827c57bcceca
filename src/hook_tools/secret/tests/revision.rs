//! Revisions: which content makes one, by Juju version, and removing them.

use super::*;

#[test]
fn setting_new_content_makes_a_revision_and_metadata_does_not() {
    let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
    t.secret_set(
        ID,
        Some(content(&[("password", "new")])),
        SecretMeta::default(),
    )
    .unwrap();
    assert_eq!(
        t.state.secrets[0].latest_revision, 2,
        "same as the latest: no revision"
    );
    t.secret_set(
        ID,
        None,
        SecretMeta {
            description: Some("d".into()),
            rotate: Some(SecretRotate::Daily),
            ..SecretMeta::default()
        },
    )
    .unwrap();
    assert_eq!(t.state.secrets[0].latest_revision, 2);
    t.secret_set(
        ID,
        Some(content(&[("password", "newer")])),
        SecretMeta::default(),
    )
    .unwrap();
    let s = &t.state.secrets[0];
    assert_eq!((s.tracked_revision, s.latest_revision), (1, 3));
    assert_eq!(s.latest_content["password"], "newer");
    assert_eq!(s.tracked_content["password"], "old");
    assert_eq!(s.description.as_deref(), Some("d"));
    assert_eq!(s.rotate, Some(SecretRotate::Daily));
    assert_eq!(
        s.label.as_deref(),
        Some("creds"),
        "unchanged when not given"
    );
}

/// What Juju refuses when it commits the hook, for a change to the secret `ID`.
#[test]
fn content_set_twice_in_a_hook_makes_one_revision() {
    let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
    for password in ["a", "b"] {
        set_password(&mut t, ID, password);
    }
    let s = &t.state.secrets[0];
    assert_eq!(
        (s.latest_revision, s.latest_content["password"].as_str()),
        (3, "b")
    );
    let id = t
        .secret_add(
            content(&[("k", "1")]),
            SecretMeta::default(),
            SecretOwner::Unit,
        )
        .unwrap();
    t.secret_set(&id, Some(content(&[("k", "2")])), SecretMeta::default())
        .unwrap();
    let added = t.state.secret(&id).unwrap();
    assert_eq!((added.tracked_revision, added.latest_revision), (1, 1));
    assert_eq!(added.tracked_content["k"], "2");
}

#[test]
fn from_juju_3_6_the_latest_content_again_is_dropped() {
    let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
    for password in ["other", "new"] {
        set_password(&mut t, ID, password);
    }
    let s = &t.state.secrets[0];
    assert_eq!(
        (s.latest_revision, s.latest_content["password"].as_str()),
        (3, "other")
    );
}

#[test]
fn before_juju_3_6_every_content_makes_a_revision() {
    let mut t = on_juju(
        tools(State::default().secrets([owned(SecretOwner::Unit)])),
        "3.5.4",
    );
    for password in ["a", "b"] {
        set_password(&mut t, ID, password);
    }
    assert_eq!(t.state.secrets[0].latest_revision, 4);
}

#[test]
fn before_juju_3_6_the_same_content_makes_a_revision() {
    let mut t = on_juju(
        tools(State::default().secrets([owned(SecretOwner::Unit)])),
        "3.5.4",
    );
    t.secret_set(
        ID,
        Some(content(&[("password", "new")])),
        SecretMeta::default(),
    )
    .unwrap();
    assert_eq!(t.state.secrets[0].latest_revision, 3);
}

#[test]
fn ops_reading_first_passes_the_metadata_back() {
    let secret = owned(SecretOwner::Unit).description("d");
    let mut t = on_juju(tools(State::default().secrets([secret])), "3.5.4");
    t.secret_set_reading_first(
        ID,
        None,
        SecretMeta {
            rotate: Some(SecretRotate::Daily),
            ..SecretMeta::default()
        },
    )
    .unwrap();
    let s = &t.state.secrets[0];
    assert_eq!(
        (s.latest_revision, s.latest_content["password"].as_str()),
        (3, "new")
    );
    assert_eq!(
        (s.label.as_deref(), s.description.as_deref()),
        (Some("creds"), Some("d"))
    );
    assert_eq!(s.rotate, Some(SecretRotate::Daily));
    let mut t = on_juju(tools(State::default().secrets([observed()])), "3.5.4");
    assert!(is_secret_not_found(
        &t.secret_set_reading_first(ID, None, SecretMeta::default())
            .unwrap_err()
    ));
    assert!(t.commit_refusals.is_empty());
}

#[test]
fn removing_a_revision_is_recorded_and_removing_all_removes_the_secret() {
    let mut t = tools(State::default().secrets([owned(SecretOwner::Unit).tracked_revision(3)]));
    // tracked 3, latest 4.
    t.secret_remove(ID, Some(1)).unwrap();
    t.secret_remove(ID, Some(2)).unwrap();
    assert_eq!(t.output.removed_secret_revisions, [1, 2]);
    assert_eq!(
        t.state.secrets[0].latest_revision, 4,
        "older revisions leave the State alone"
    );
    t.secret_remove(ID, Some(5)).unwrap();
    assert_eq!(
        t.commit_refusals,
        [format!(
            "secret-remove {ID} --revision 5: secret revision not found"
        )]
    );
    t.secret_remove(ID, None).unwrap();
    assert!(t.state.secrets.is_empty());
    assert_eq!(t.output.removed_secret_revisions, [1, 2]);
}

#[test]
fn removing_the_latest_or_tracked_revision_keeps_the_one_still_known() {
    let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
    t.secret_remove(ID, Some(2)).unwrap();
    let s = &t.state.secrets[0];
    assert_eq!((s.tracked_revision, s.latest_revision), (1, 1));
    assert_eq!(s.latest_content["password"], "old");
    t.secret_remove(ID, Some(1)).unwrap();
    assert!(t.state.secrets.is_empty(), "its only revision is gone");
    assert_eq!(t.output.removed_secret_revisions, [2, 1]);

    let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
    t.secret_remove(ID, Some(1)).unwrap();
    let s = &t.state.secrets[0];
    assert_eq!((s.tracked_revision, s.latest_revision), (2, 2));
    assert_eq!(s.tracked_content["password"], "new");
}
