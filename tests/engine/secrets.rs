//! Secrets: an owner adds, shares, rotates and prunes an application secret; an observer reads
//! a granted one by id and label and follows its revisions; every hook tool allowed and
//! refused as Juju allows and refuses it; every secret event; removed revisions in the Output;
//! chained runs; the checker's secret rules.

use crate::common::{
    assert_logged, charm_logs, ctx, eval, exec, ops_version, raised, rules, Failed,
};

use ops_scenario::{
    Context, Error, Event, Inspect, Relation, Secret, SecretOwner, SecretRotate, State, Status,
    StoredValue,
};

const ID: &str = "secret:0123456789abcdefghij";

/// The application secret the owner keeps, as a State gives it: tracked revision 1, latest 2.
fn creds() -> Secret {
    Secret::new([("password", "initial")])
        .id(ID)
        .owner(SecretOwner::App)
        .label("creds")
        .latest_content([("password", "second")])
}

/// The secret the observer was granted, tracked at revision 1 with revision 2 out.
fn granted() -> Secret {
    Secret::new([("password", "old")])
        .id(ID)
        .latest_content([("password", "new")])
}

fn consumer() -> Relation {
    Relation::new("db").id(1).remote_app_name("consumer")
}

fn provider() -> Relation {
    Relation::new("db")
        .id(1)
        .remote_app_name("owner")
        .remote_app_data([("secret-id", ID)])
}

/// Juju's refusals, when it commits the hook, of what Python statements run against the live
/// charm before update-status did.
fn refused_at_commit(ctx: &Context, state: &State, statements: &str) -> Vec<String> {
    match exec(ctx, state, statements).error() {
        Error::CommitRefused { refusals } => refusals,
        other => panic!("expected Juju to refuse the hook's changes, got {other}"),
    }
}

/// Each action, run on the secret `ID` looked up by id, is taken during the hook and refused
/// by its tool when Juju commits it, with `why` (the controller's text).
fn assert_refused_at_commit(ctx: &Context, state: &State, why: &str, actions: &[(&str, &str)]) {
    let by_id = format!("s = self.model.get_secret(id='{ID}')\n");
    for (action, tool) in actions {
        let refusals = refused_at_commit(ctx, state, &format!("{by_id}{action}"));
        assert_eq!(refusals, [format!("{tool} {ID}: ERROR {why}")], "{action}");
    }
}

/// A test charm's Context on another Juju version.
fn ctx_on(name: &str, juju: &str) -> Context {
    ctx(name).juju_version(juju)
}

// The owner.

#[test]
fn the_leader_adds_an_application_secret_with_a_deterministic_id() {
    let ctx = ctx("secret-owner");
    let state = State::default().leader(true);
    let out = ctx.run(Event::config_changed(), &state).unwrap();
    assert_eq!(out.state.secrets.len(), 1);
    let secret = &out.state.secrets[0];
    assert_eq!(secret.owner, Some(SecretOwner::App));
    assert_eq!(secret.label.as_deref(), Some("creds"));
    assert_eq!(secret.description.as_deref(), Some("db credentials"));
    assert_eq!(secret.tracked_content["password"], "initial");
    assert_eq!((secret.tracked_revision, secret.latest_revision), (1, 1));
    let unique = secret.unique_identifier().unwrap();
    assert!(unique
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b)));
    assert_eq!(out.state.unit_status, Status::active("revision 1"));
    assert_logged(&out, &format!("INFO added {}", secret.id));
    // Same State, same id.
    let again = ctx.run(Event::config_changed(), &state).unwrap();
    assert_eq!(again.state.secrets[0].id, secret.id);
}

#[test]
fn a_follower_cannot_add_an_application_secret_but_can_add_its_own() {
    let ctx = ctx("secret-owner");
    let (exc_type, message) = raised(exec(
        &ctx,
        &State::default(),
        "self.app.add_secret({'password': 'x'})",
    ));
    assert_eq!(exc_type, "ops.model.ModelError");
    insta::assert_snapshot!("follower_adds_an_application_secret", message);

    let mut id = None;
    let out = ctx
        .run_inspected(
            Event::update_status(),
            &State::default(),
            Inspect::new().before(|charm| {
                id = Some(charm.eval("self.unit.add_secret({'token': 'abc'}, label='mine').id")?);
                Ok(())
            }),
        )
        .unwrap();
    let secret = out.state.secret_by_label("mine").unwrap();
    assert_eq!(secret.owner, Some(SecretOwner::Unit));
    assert_eq!(id, Some(StoredValue::Str(secret.id.clone())));
}

#[test]
fn new_content_makes_a_new_revision_and_the_same_content_does_not() {
    let ctx = ctx("secret-owner");
    let state = State::default()
        .leader(true)
        .config([("password", "second".into())])
        .secrets([creds()]);
    // "second" is already the latest revision's content.
    let out = ctx.run(Event::config_changed(), &state).unwrap();
    assert_eq!(out.state.secrets[0].latest_revision, 2);
    assert_eq!(out.state.unit_status, Status::active("revision 2"));

    let state = state.config([("password", "third".into())]);
    let out = ctx.run(Event::config_changed(), &state).unwrap();
    let secret = &out.state.secrets[0];
    assert_eq!((secret.tracked_revision, secret.latest_revision), (1, 3));
    assert_eq!(secret.latest_content["password"], "third");
    assert_eq!(secret.tracked_content["password"], "initial");
    assert_eq!(out.state.unit_status, Status::active("revision 3"));
}

/// Update the `creds` secret's metadata during `update_status` on this Juju version.
fn set_info_on(juju: &str, state: &State) -> ops_scenario::Output {
    exec(
        &ctx_on("secret-owner", juju),
        state,
        "s = self.model.get_secret(label='creds')\n\
         s.set_info(description='rotated weekly', rotate=ops.SecretRotate.WEEKLY)",
    )
    .unwrap()
}

#[test]
fn metadata_changes_make_no_revision() {
    let state = State::default().leader(true).secrets([creds()]);
    let out = set_info_on("3.6.14", &state);
    let secret = &out.state.secrets[0];
    assert_eq!(secret.latest_revision, 2);
    assert_eq!(secret.description.as_deref(), Some("rotated weekly"));
    assert_eq!(secret.rotate, Some(SecretRotate::Weekly));
    assert_eq!(secret.label.as_deref(), Some("creds"));
}

#[test]
fn before_juju_3_6_ops_3_4_and_later_set_the_content_again_which_makes_a_revision() {
    // ops reads the secret and passes its content with the metadata (Juju bug 2081034), and
    // Juju before 3.6 makes a revision of any content it is given.
    let state = State::default().leader(true).secrets([creds()]);
    let out = set_info_on("3.5.4", &state);
    let secret = &out.state.secrets[0];
    let expected = if ops_version() >= (3, 4) { 3 } else { 2 };
    assert_eq!(secret.latest_revision, expected);
    assert_eq!(secret.latest_content["password"], "second");
    assert_eq!(secret.description.as_deref(), Some("rotated weekly"));
    assert_eq!(secret.label.as_deref(), Some("creds"));
}

#[test]
fn a_hook_makes_at_most_one_revision_of_a_secret() {
    let ctx = ctx("secret-owner");
    let state = State::default().leader(true).secrets([creds()]);
    let out = exec(
        &ctx,
        &state,
        "s = self.model.get_secret(label='creds')\n\
         s.set_content({'password': 'third'})\n\
         s.set_content({'password': 'fourth'})\n\
         added = self.app.add_secret({'token': 'a'}, label='new')\n\
         added.set_content({'token': 'b'})",
    )
    .unwrap();
    let secret = out.state.secret(ID).unwrap();
    assert_eq!(secret.latest_revision, 3);
    assert_eq!(secret.latest_content["password"], "fourth");
    let added = out.state.secret_by_label("new").unwrap();
    assert_eq!((added.tracked_revision, added.latest_revision), (1, 1));
    assert_eq!(added.tracked_content["token"], "b");
}

#[test]
fn the_latest_content_again_makes_a_revision_only_before_juju_3_6() {
    let state = State::default()
        .leader(true)
        .config([("password", "second".into())])
        .secrets([creds()]);
    let out = ctx_on("secret-owner", "3.5.4")
        .run(Event::config_changed(), &state)
        .unwrap();
    assert_eq!(out.state.secrets[0].latest_revision, 3);
    let out = ctx("secret-owner")
        .run(Event::config_changed(), &state)
        .unwrap();
    assert_eq!(out.state.secrets[0].latest_revision, 2);
}

#[test]
fn expiry_and_rotation_are_kept_as_given() {
    let ctx = ctx("secret-owner");
    let out = exec(
        &ctx,
        &State::default(),
        "import datetime\n\
         self.unit.add_secret({'a1b': 'x'}, label='l', \
         expire=datetime.datetime(2027, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc), \
         rotate=ops.SecretRotate.MONTHLY)",
    )
    .unwrap();
    let secret = out.state.secret_by_label("l").unwrap();
    assert_eq!(secret.expire.as_deref(), Some("2027-01-02T03:04:05+00:00"));
    assert_eq!(secret.rotate, Some(SecretRotate::Monthly));
    // A time without a zone (ops' own `datetime.now() + timedelta`) is read as UTC, as Juju's
    // secret-add reads it (worker/uniter/runner/jujuc/secret-add.go, secretUpsertCommand.Init).
    let out = exec(
        &ctx,
        &State::default(),
        "import datetime\nself.unit.add_secret({'a1b': 'x'}, label='naive', \
         expire=datetime.datetime(2027, 1, 2, 3, 4, 5, 678901))",
    )
    .unwrap();
    let secret = out.state.secret_by_label("naive").unwrap();
    assert_eq!(
        secret.expire.as_deref(),
        Some("2027-01-02T03:04:05.678901Z")
    );
}

#[test]
fn an_expiry_without_a_time_zone_is_utc_through_add_set_and_info_get() {
    // ops' `expire=timedelta(...)` becomes a naive `datetime.now() + ...`, passed on as is;
    // Juju reads it as UTC (worker/uniter/runner/jujuc/secret-add.go, secretUpsertCommand.Init,
    // which secret-set shares).
    let ctx = ctx("secret-owner");
    let out = exec(
        &ctx,
        &State::default(),
        "import datetime\n\
         secret = self.unit.add_secret({'a1b': 'x'}, label='naive', \
         expire=datetime.datetime(2027, 1, 2, 3, 4, 5))\n\
         assert secret.get_info().expires == datetime.datetime(\
         2027, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)\n\
         secret.set_info(expire=datetime.datetime(2028, 2, 3, 4, 5, 6, 7))",
    )
    .unwrap();
    let secret = out.state.secret_by_label("naive").unwrap();
    assert_eq!(
        secret.expire.as_deref(),
        Some("2028-02-03T04:05:06.000007Z")
    );
    assert_eq!(
        eval(
            &ctx,
            &out.state,
            "self.model.get_secret(label='naive').get_info().expires.isoformat()"
        ),
        StoredValue::from("2028-02-03T04:05:06.000007+00:00")
    );
}

#[test]
fn secret_ids_lists_what_this_unit_manages() {
    let ctx = ctx("secret-owner");
    if ops_version() < (3, 4) {
        // ops.hookcmds (and with it secret-ids) came with ops 3.4; before, no ops API runs it.
        assert_eq!(
            eval(&ctx, &State::default(), "hasattr(ops, 'hookcmds')"),
            StoredValue::Bool(false)
        );
        return;
    }
    let mine = Secret::new([("k1k", "v")])
        .id("secret:bbbbbbbbbbbbbbbbbbbb")
        .owner(SecretOwner::Unit);
    let state =
        State::default().secrets([creds(), mine, granted().id("secret:cccccccccccccccccccc")]);
    let ids = "list(__import__('ops').hookcmds.secret_ids())";
    assert_eq!(
        eval(&ctx, &state, ids),
        StoredValue::List(vec!["secret:bbbbbbbbbbbbbbbbbbbb".into()])
    );
    assert_eq!(
        eval(&ctx, &state.clone().leader(true), ids),
        StoredValue::List(vec![ID.into(), "secret:bbbbbbbbbbbbbbbbbbbb".into()])
    );
}

#[test]
fn the_owner_reads_its_info() {
    let ctx = ctx("secret-owner");
    let secret = creds()
        .description("db credentials")
        .expire("2026-11-25T12:00:00+00:00")
        .rotate(SecretRotate::Daily);
    let state = State::default().leader(true).secrets([secret]);
    let info = eval(
        &ctx,
        &state,
        "(lambda i: (i.id, i.label, i.revision, i.description, i.rotation.value, \
         i.expires.isoformat(), i.rotates))(self.model.get_secret(label='creds').get_info())",
    );
    assert_eq!(
        info,
        StoredValue::Tuple(vec![
            ID.into(),
            "creds".into(),
            2.into(),
            "db credentials".into(),
            "daily".into(),
            "2026-11-25T12:00:00+00:00".into(),
            StoredValue::None,
        ])
    );
}

#[test]
fn owners_track_a_revision_on_current_juju_and_always_saw_the_latest_before_3_1_7() {
    let ctx_for = |juju: &str| ctx_on("secret-owner", juju);
    let state = State::default().leader(true).secrets([creds()]);
    let read = "self.model.get_secret(label='creds').get_content()['password']";
    assert_eq!(eval(&ctx_for("3.6.14"), &state, read), "initial".into());
    assert_eq!(eval(&ctx_for("3.3.1"), &state, read), "initial".into());
    assert_eq!(eval(&ctx_for("3.1.6"), &state, read), "second".into());
    assert_eq!(eval(&ctx_for("3.2.4"), &state, read), "second".into());
}

#[test]
fn the_leader_grants_the_secret_to_the_application_that_joins() {
    let ctx = ctx("secret-owner");
    let db = consumer().remote_units([0]);
    let state = State::default()
        .leader(true)
        .relations([db.clone()])
        .secrets([creds()]);
    let out = ctx.run(db.joined_event(), &state).unwrap();
    let secret = &out.state.secrets[0];
    assert_eq!(
        secret.remote_grants[&1].iter().collect::<Vec<_>>(),
        ["consumer"]
    );
    assert_eq!(
        out.state.relation(&db).unwrap().local_app_data["secret-id"],
        ID
    );
}

#[test]
fn grants_to_a_unit_and_revokes_follow_juju() {
    let ctx = ctx("secret-owner");
    let db = consumer().remote_units([0, 1]);
    let state = State::default()
        .leader(true)
        .relations([db.clone()])
        .secrets([creds()]);
    let out = exec(
        &ctx,
        &state,
        "s = self.model.get_secret(label='creds')\n\
         rel = self.model.get_relation('db')\n\
         s.grant(rel, unit=self.model.get_unit('consumer/1'))",
    )
    .unwrap();
    assert!(out.state.secrets[0].remote_grants[&1].contains("consumer/1"));

    let state = out.state;
    let out = exec(
        &ctx,
        &state,
        "s = self.model.get_secret(label='creds')\n\
         s.revoke(self.model.get_relation('db'), unit=self.model.get_unit('consumer/1'))",
    )
    .unwrap();
    assert!(out.state.secrets[0].remote_grants.is_empty());

    let (exc_type, message) = raised(exec(
        &ctx,
        &state,
        "self.model._backend.secret_grant('secret:0123456789abcdefghij', 7)",
    ));
    // ops raises SecretNotFoundError for any secret tool's "not found", this one included.
    assert_eq!(exc_type, "ops.model.SecretNotFoundError", "{message}");
    let (exc_type, message) = raised(exec(
        &ctx,
        &state,
        "self.model.get_secret(label='creds').grant(self.model.get_relation('db'))",
    ));
    assert_eq!(exc_type, "ops.model.ModelError");
    insta::assert_snapshot!("grant_to_a_relation_with_unit_level_grants", message);
}

#[test]
fn rotating_sets_new_content() {
    let ctx = ctx("secret-owner");
    let state = State::default().leader(true).secrets([creds()]);
    let out = ctx.run(creds().rotate_event(), &state).unwrap();
    let secret = &out.state.secrets[0];
    assert_eq!(secret.latest_revision, 3);
    assert_eq!(secret.latest_content["password"], "rotated-3");
    assert_eq!(out.state.unit_status, Status::active("revision 3"));
    assert_logged(&out, &format!("INFO rotated {ID} label=creds"));
    // Before Juju 3.6 ops reads the secret and its metadata before it sets it.
    let out = ctx_on("secret-owner", "3.4.6")
        .run(creds().rotate_event(), &state)
        .unwrap();
    assert_eq!(out.state.secrets[0].latest_content["password"], "rotated-3");
}

#[test]
fn expired_and_unused_revisions_are_removed_and_recorded() {
    let ctx = ctx("secret-owner");
    // Tracked revision 3, latest 4.
    let secret = creds().tracked_revision(3);
    let state = State::default().leader(true).secrets([secret.clone()]);
    let out = ctx.run(secret.remove_event(1), &state).unwrap();
    assert_eq!(out.removed_secret_revisions, [1]);
    assert_eq!(out.state.secrets, state.secrets);
    assert_logged(&out, "INFO removing revision 1 of creds");

    let out = ctx.run(secret.expired_event(2), &state).unwrap();
    assert_eq!(out.removed_secret_revisions, [2]);
    assert_logged(&out, "INFO expired revision 2 of creds");
}

#[test]
fn removing_the_latest_revision_is_allowed_as_in_juju() {
    let ctx = ctx("secret-owner");
    let state = State::default().leader(true).secrets([creds()]);
    let out = ctx.run(creds().expired_event(2), &state).unwrap();
    assert_eq!(out.removed_secret_revisions, [2]);
    let secret = &out.state.secrets[0];
    assert_eq!((secret.tracked_revision, secret.latest_revision), (1, 1));
    assert_eq!(secret.latest_content["password"], "initial");
}

#[test]
fn removing_every_revision_removes_the_secret() {
    let ctx = ctx("secret-owner");
    let state = State::default().leader(true).secrets([creds()]);
    let out = exec(
        &ctx,
        &state,
        "self.model.get_secret(label='creds').remove_all_revisions()",
    )
    .unwrap();
    assert!(out.state.secrets.is_empty());
    assert!(out.removed_secret_revisions.is_empty());
}

#[test]
fn a_follower_reads_the_application_secret_but_cannot_manage_it() {
    let ctx = ctx("secret-owner");
    let state = State::default().leader(false).secrets([creds()]);
    assert_eq!(
        eval(
            &ctx,
            &state,
            "self.model.get_secret(label='creds').get_content()['password']"
        ),
        "initial".into()
    );
    let (exc_type, _) = raised(exec(
        &ctx,
        &state,
        "self.model.get_secret(label='creds').get_info()",
    ));
    assert_eq!(exc_type, "ops.model.SecretNotFoundError");
    // Juju takes these and refuses them when the hook commits, as the leadership check
    // fails: the charm sees no error.
    assert_refused_at_commit(
        &ctx,
        &state,
        "\"secret-owner/0\" is not leader of \"secret-owner\"",
        &[
            ("s.set_content({'password': 'mine'})", "secret-set"),
            ("s.remove_all_revisions()", "secret-remove"),
            ("s.remove_revision(1)", "secret-remove"),
        ],
    );
    let out = ctx.run(Event::config_changed(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::waiting("not the leader"));
    assert_eq!(out.state.secrets, state.secrets);
}

// The observer.

#[test]
fn the_observer_reads_a_granted_secret_by_id_and_labels_it() {
    let ctx = ctx("secret-observer");
    let db = provider();
    let state = State::default()
        .relations([db.clone()])
        .secrets([granted()]);
    let out = ctx.run(db.changed_event(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("password=old"));
    let secret = &out.state.secrets[0];
    assert_eq!(secret.label.as_deref(), Some("db-creds"));
    assert_eq!(secret.tracked_revision, 1, "reading does not refresh");

    // The next run finds it by the label the first one gave it.
    let out = ctx.run(Event::update_status(), &out.state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("password=old"));
}

#[test]
fn the_observer_waits_until_a_secret_is_labelled() {
    let ctx = ctx("secret-observer");
    let state = State::default().secrets([granted()]);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::waiting("no secret labelled db-creds")
    );
}

#[test]
fn secret_changed_peeks_and_refreshes() {
    let ctx = ctx("secret-observer");
    let secret = granted().label("db-creds");
    let state = State::default().secrets([secret.clone()]);
    let out = ctx.run(secret.changed_event(), &state).unwrap();
    assert_logged(
        &out,
        &format!("INFO changed {ID}: tracked=old latest=new refreshed=new"),
    );
    assert_eq!(out.state.unit_status, Status::active("password=new"));
    let after = &out.state.secrets[0];
    assert_eq!((after.tracked_revision, after.latest_revision), (2, 2));
    assert_eq!(after.tracked_content["password"], "new");
}

#[test]
fn peek_does_not_move_the_tracked_revision() {
    let ctx = ctx("secret-observer");
    let state = State::default().secrets([granted()]);
    let mut seen = None;
    let out = ctx
        .run_inspected(
            Event::update_status(),
            &state,
            Inspect::new().before(|charm| {
                seen = Some(charm.eval(&format!(
                    "(lambda s: (s.peek_content()['password'], s.get_content()['password']))\
                     (self.model.get_secret(id='{ID}'))"
                ))?);
                Ok(())
            }),
        )
        .unwrap();
    assert_eq!(
        seen,
        Some(StoredValue::Tuple(vec!["new".into(), "old".into()]))
    );
    assert_eq!(out.state.secrets[0].tracked_revision, 1);
}

#[test]
fn ids_are_found_in_every_form_ops_writes() {
    let ctx = ctx("secret-observer");
    let state = State::default().secrets([granted()]);
    let uuid = &state.model.uuid;
    for id in [
        ID.to_owned(),
        "0123456789abcdefghij".to_owned(),
        format!("secret://{uuid}/0123456789abcdefghij"),
    ] {
        let expr = format!("self.model.get_secret(id='{id}').get_content()['password']");
        assert_eq!(eval(&ctx, &state, &expr), "old".into(), "{id}");
    }
}

#[test]
fn an_observer_cannot_manage_what_it_was_granted() {
    let ctx = ctx("secret-observer");
    let db = provider();
    let state = State::default()
        .relations([db.clone()])
        .secrets([granted()]);
    let by_id = format!("s = self.model.get_secret(id='{ID}')\n");
    for action in ["s.get_info()", "s.grant(self.model.get_relation('db'))"] {
        let (exc_type, message) = raised(exec(&ctx, &state, &format!("{by_id}{action}")));
        assert_eq!(
            exc_type, "ops.model.SecretNotFoundError",
            "{action}: {message}"
        );
    }
    assert_refused_at_commit(
        &ctx,
        &state,
        "permission denied",
        &[
            ("s.set_content({'password': 'mine'})", "secret-set"),
            ("s.remove_all_revisions()", "secret-remove"),
            ("s.revoke(self.model.get_relation('db'))", "secret-revoke"),
        ],
    );
}

#[test]
fn a_refused_change_fails_the_hook_after_the_charm_finishes() {
    let ctx = ctx("secret-observer");
    let state = State::default().secrets([granted()]);
    // On Juju before 3.6, ops 3.4 and later read the metadata first: "not found" at once.
    let statements = format!(
        "self.model.get_secret(id='{ID}').set_content({{'password': 'x'}})\n\
         self.unit.status = ops.ActiveStatus('went on')"
    );
    let err = exec(&ctx_on("secret-observer", "3.5.4"), &state, &statements).unwrap_err();
    if ops_version() >= (3, 4) {
        assert!(
            matches!(&err, Error::CharmRaised { exc_type, .. } if exc_type == "ops.model.SecretNotFoundError"),
            "{err}"
        );
    } else {
        assert!(matches!(err, Error::CommitRefused { .. }), "{err}");
    }
    let refusals = refused_at_commit(&ctx, &state, &statements);
    assert_eq!(
        refusals,
        [format!("secret-set {ID}: ERROR permission denied")]
    );
}

#[test]
fn unknown_secrets_are_not_found() {
    let ctx = ctx("secret-observer");
    let state = State::default().secrets([granted()]);
    for lookup in [
        "self.model.get_secret(id='secret:aaaaaaaaaaaaaaaaaaaa')",
        "self.model.get_secret(label='nope')",
    ] {
        let (exc_type, _) = raised(exec(&ctx, &state, lookup));
        assert_eq!(exc_type, "ops.model.SecretNotFoundError", "{lookup}");
    }
}

#[test]
fn secrets_need_juju_3_0_2() {
    let ctx = ctx_on("secret-observer", "2.9.44");
    let state = State::default();
    let (exc_type, message) = raised(exec(
        &ctx,
        &state,
        &format!("self.model.get_secret(id='{ID}')"),
    ));
    assert_eq!(exc_type, "ops.model.ModelError");
    insta::assert_snapshot!("secrets_on_juju_2_9", message);
}

#[test]
fn a_deferred_secret_event_is_re_emitted_with_its_secret() {
    let ctx = ctx("secret-observer");
    let secret = granted().label("db-creds");
    let deferred = secret
        .changed_event()
        .deferred("SecretObserverCharm", "_on_secret_changed");
    assert_eq!(deferred.snapshot_data["id"], StoredValue::from(ID));
    let state = State::default().secrets([secret]).deferred([deferred]);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    assert_logged(
        &out,
        &format!("INFO changed {ID}: tracked=old latest=new refreshed=new"),
    );
    assert!(out.state.deferred.is_empty());
}

#[test]
fn an_event_may_name_its_secret_by_the_bare_id() {
    let ctx = ctx("secret-observer");
    let secret = granted().label("db-creds");
    let state = State::default().secrets([secret]);
    let event = Event::new("secret_changed").secret_id("0123456789abcdefghij");
    let out = ctx.run(event, &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("password=new"));
    assert!(charm_logs(&out)
        .iter()
        .any(|l| l.starts_with(&format!("INFO changed {ID}:"))));
}

// Chained runs.

#[test]
fn a_secret_added_in_one_run_is_shared_and_rotated_in_the_next() {
    let owner = ctx("secret-owner");
    let out = owner
        .run(Event::config_changed(), &State::default().leader(true))
        .unwrap();
    let id = out.state.secrets[0].id.clone();

    let db = consumer().remote_units([0]);
    let state = out.state.relations([db.clone()]);
    let out = owner.run(db.joined_event(), &state).unwrap();
    assert_eq!(
        out.state.relation(&db).unwrap().local_app_data["secret-id"],
        id
    );
    assert!(out.state.secret(&id).unwrap().remote_grants[&1].contains("consumer"));

    let secret = out.state.secret(&id).unwrap().clone();
    let out = owner.run(secret.rotate_event(), &out.state).unwrap();
    let rotated = out.state.secret(&id).unwrap();
    assert_eq!(rotated.latest_revision, 2);
    assert_eq!(rotated.latest_content["password"], "rotated-2");

    // The observer's side of the same secret: granted, so in its State without an owner.
    let observed = Secret::new(rotated.tracked_content.clone())
        .id(id.clone())
        .latest_content(rotated.latest_content.clone());
    let observer = ctx("secret-observer");
    let db = Relation::new("db")
        .id(1)
        .remote_app_name("secret-owner")
        .remote_app_data([("secret-id", id.as_str())]);
    let state = State::default().relations([db.clone()]).secrets([observed]);
    let out = observer.run(db.changed_event(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("password=initial"));
    let secret = out.state.secret(&id).unwrap().clone();
    let out = observer.run(secret.changed_event(), &out.state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("password=rotated-2"));
}

#[test]
fn the_output_state_round_trips_through_json() {
    let out = ctx("secret-owner")
        .run(Event::config_changed(), &State::default().leader(true))
        .unwrap();
    let json = out.to_json();
    let secret = &json["state"]["secrets"][0];
    assert_eq!(secret["owner"], "app");
    assert_eq!(secret["tracked_revision"], 1);
    assert_eq!(secret["latest_revision"], 1);
    let back: State = serde_json::from_value(json["state"].clone()).unwrap();
    assert_eq!(back, out.state);
}

// The checker.

#[test]
fn secret_events_go_where_juju_sends_them() {
    let owner = ctx("secret-owner");
    let state = State::default().leader(true).secrets([creds()]);
    assert_eq!(
        rules(owner.run(creds().changed_event(), &state)),
        ["secret.owned"]
    );
    // The other units of the owning application consume its secrets, and Juju sends them
    // secret-changed (juju/juju PR 15127).
    let follower = granted().owner(SecretOwner::App).label("db-creds");
    let out = ctx("secret-observer")
        .run(
            follower.changed_event(),
            &State::default().leader(false).secrets([follower.clone()]),
        )
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("password=new"));
    let observer = ctx("secret-observer");
    let state = State::default().secrets([granted()]);
    for event in [
        granted().rotate_event(),
        granted().expired_event(1),
        granted().remove_event(1),
    ] {
        assert_eq!(
            rules(observer.run(&event, &state)),
            ["secret.not_owned"],
            "{}",
            event.name
        );
    }
}

#[test]
fn secret_events_name_a_secret_in_the_state_and_juju_3() {
    let observer = ctx("secret-observer");
    assert_eq!(
        rules(observer.run(granted().changed_event(), &State::default())),
        ["secret.not_in_state"]
    );
    assert_eq!(
        rules(observer.run(Event::new("secret_changed"), &State::default())),
        ["secret.event_secret"]
    );
    let state = State::default().secrets([granted()]);
    assert_eq!(
        rules(ctx_on("secret-observer", "2.9.44").run(granted().changed_event(), &state)),
        ["secret.juju_version"]
    );
    let owner = ctx("secret-owner");
    let state = State::default().leader(true).secrets([creds()]);
    assert_eq!(
        rules(owner.run(Event::new("secret_remove").secret_id(ID), &state)),
        ["secret.revision_missing"]
    );
    assert_eq!(
        rules(owner.run(creds().remove_event(2), &state)),
        ["secret.remove_latest"]
    );
}

#[test]
fn the_checker_refuses_secrets_juju_cannot_have() {
    let ctx = ctx("secret-observer");
    let state = State::default().secrets([
        granted().id("secret:not-an-id"),
        granted().label("a"),
        granted().label("a").id("secret:bbbbbbbbbbbbbbbbbbbb"),
    ]);
    assert_eq!(
        rules(ctx.run(Event::update_status(), &state)),
        ["secret.id", "secret.duplicate_label"]
    );
    let state = State::default().secrets([granted(), granted()]);
    assert_eq!(
        rules(ctx.run(Event::update_status(), &state)),
        ["secret.duplicate_id"]
    );
}

// Grants as Juju keeps them, and relations that are gone (the secret-grants charm).

/// The secret-grants charm's State: the leader, with `creds` and a `db` relation to `pg`
/// (units 0 and 1), running the `grants` steps.
fn grants_state(grants: &str) -> State {
    State::default()
        .leader(true)
        .relations([db_to_pg()])
        .secrets([creds()])
        .config([("grants", grants.into())])
}

fn db_to_pg() -> Relation {
    Relation::new("db")
        .id(1)
        .remote_app_name("pg")
        .remote_units([0, 1])
}

fn grants_on(out: &ops_scenario::Output, relation_id: u32) -> Vec<String> {
    out.state
        .secret(ID)
        .unwrap()
        .remote_grants
        .get(&relation_id)
        .map(|g| g.iter().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn a_second_grant_on_a_relation_in_one_hook_replaces_the_first() {
    let ctx = ctx("secret-grants");
    for (steps, expected) in [
        // Juju keeps one pending grant per secret and relation.
        ("unit:0 unit:1", vec!["pg/1"]),
        // The application's pending grant covers its units: the unit grant is a no-op.
        ("app unit:0", vec!["pg"]),
        // A revoked pending grant makes way for the application.
        ("unit:0 revoke-unit:0 app", vec!["pg"]),
    ] {
        let out = ctx
            .run(Event::update_status(), &grants_state(steps))
            .unwrap();
        assert_eq!(grants_on(&out, 1), expected, "{steps}");
        for step in steps.split(' ') {
            assert_logged(&out, &format!("INFO {step}: ok"));
        }
    }
    // A unit, then the application: the pending unit grant counts, Juju refuses.
    let out = ctx
        .run(Event::update_status(), &grants_state("unit:0 app"))
        .unwrap();
    assert_logged(&out, "INFO app: ModelError");
    assert_eq!(grants_on(&out, 1), ["pg/0"]);
    // Grants made by earlier hooks stay beside this hook's.
    let mut state = grants_state("unit:1");
    state.secrets[0]
        .remote_grants
        .insert(1, ["pg/0".into()].into());
    let out = ctx.run(Event::update_status(), &state).unwrap();
    assert_eq!(grants_on(&out, 1), ["pg/0", "pg/1"]);
}

#[test]
fn before_juju_3_3_1_every_grant_is_kept_unchecked() {
    let ctx = ctx_on("secret-grants", "3.3.0");
    for (steps, expected) in [
        ("unit:0 unit:1", vec!["pg/0", "pg/1"]),
        ("app unit:0", vec!["pg", "pg/0"]),
        ("unit:0 app", vec!["pg", "pg/0"]),
    ] {
        let out = ctx
            .run(Event::update_status(), &grants_state(steps))
            .unwrap();
        assert_eq!(grants_on(&out, 1), expected, "{steps}");
        for step in steps.split(' ') {
            assert_logged(&out, &format!("INFO {step}: ok"));
        }
    }
}

#[test]
fn a_grant_to_a_unit_that_left_stays_until_the_relation_goes() {
    let ctx = ctx("secret-grants");
    // pg/7 left the relation; its grant is valid input and stays through other hooks.
    let mut state = grants_state("");
    state.secrets[0]
        .remote_grants
        .insert(1, ["pg/7".into()].into());
    let out = ctx.run(Event::update_status(), &state).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(grants_on(&out, 1), ["pg/7"]);
    // relation-broken: Juju removes the grants scoped to the relation with it.
    let out = ctx.run(db_to_pg().broken_event(), &state).unwrap();
    assert_logged(&out, "INFO broken 1");
    assert!(grants_on(&out, 1).is_empty(), "{:?}", out.state.secrets);
    assert!(out.state.secret(ID).unwrap().remote_grants.is_empty());
    // A grant that names another application's unit, or a relation not in the State, is not.
    let mut bad = grants_state("");
    bad.secrets[0]
        .remote_grants
        .insert(1, ["other/0".into()].into());
    bad.secrets[0].remote_grants.insert(5, ["pg".into()].into());
    assert_eq!(
        rules(ctx.run(Event::update_status(), &bad)),
        ["secret.grants", "secret.grants"]
    );
}

#[test]
fn a_relation_that_is_gone_is_relation_not_found() {
    let ctx = ctx("secret-grants");
    // The charm kept relation id 7, which is not in the State (the relation is gone).
    let state = State::default()
        .relations([db_to_pg()])
        .config([("probe-relation", 7.into())]);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    let lines: Vec<String> = charm_logs(&out)
        .into_iter()
        .filter(|l| {
            ["INFO read", "INFO write", "INFO network"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect();
    // ops reads a gone relation's data as empty; writing it raises RelationNotFoundError;
    // its Binding asks network-get again without the id when ops raises that error, so
    // the default network comes back (a ModelError would have propagated).
    assert_eq!(
        lines,
        [
            "INFO read ok",
            "INFO write RelationNotFoundError",
            "INFO network 192.0.2.0",
        ],
        "ops {:?}",
        ops_version()
    );
}

#[test]
fn new_secret_ids_are_xids_before_juju_3_6_19_and_opaque_from_it() {
    let add_two = |juju: &str| -> (String, String) {
        let ctx = ctx_on("secret-owner", juju);
        let state = State::default().leader(true);
        let mut ids = Vec::new();
        ctx.run_inspected(
            Event::update_status(),
            &state,
            Inspect::new().before(|charm| {
                for _ in 0..2 {
                    ids.push(
                        charm.eval("self.unit.add_secret({'key': 'value'}).unique_identifier")?,
                    );
                }
                Ok(())
            }),
        )
        .unwrap();
        let text = |v: &StoredValue| match v {
            StoredValue::Str(s) => s.clone(),
            other => panic!("{other:?}"),
        };
        (text(&ids[0]), text(&ids[1]))
    };
    // Xids from one controller share time, machine and process (the first 9 bytes: 14
    // characters and 2 bits of the 15th) and count up.
    let (a, b) = add_two("3.6.18");
    assert_eq!(a[..14], b[..14], "{a} {b}");
    assert_ne!(a, b);
    // Opaque ids (12 random bytes on a real controller) share nothing.
    let (c, d) = add_two("3.6.19");
    assert_ne!(c[..14], d[..14], "{c} {d}");
    for id in [&a, &b, &c, &d] {
        assert_eq!(id.len(), 20, "{id}");
        assert!(id.ends_with('0') || id.ends_with('g'), "12 bytes: {id}");
    }
    // Still from the State: the same run draws the same ids.
    assert_eq!(add_two("3.6.19"), (c, d));
}

#[test]
fn a_label_an_older_owned_secret_has_fails_the_hook_when_juju_commits_it() {
    let ctx = ctx("secret-owner");
    let state = State::default().leader(true).secrets([creds()]);
    // The charm adds a second secret labelled `creds` and reads it back by the label: the
    // agent finds the new one; the controller refuses the label as the hook commits.
    let refusals = refused_at_commit(
        &ctx,
        &state,
        "s = self.app.add_secret({'password': 'fresh'}, label='creds')\n\
         assert self.model.get_secret(label='creds').get_content() == {'password': 'fresh'}",
    );
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(
        refusals[0].starts_with("secret-add secret:")
            && refusals[0].ends_with(": ERROR secret with label \"creds\" already exists"),
        "{refusals:?}"
    );
    // Relabelling a secret to a label another owned secret has: the same, at commit.
    let other = Secret::new([("token", "t")])
        .id("secret:bbbbbbbbbbbbbbbbbbbb")
        .owner(SecretOwner::App)
        .label("other");
    let two = State::default().leader(true).secrets([creds(), other]);
    let refusals = refused_at_commit(
        &ctx,
        &two,
        "self.model.get_secret(label='creds').set_info(label='other')",
    );
    assert_eq!(
        refusals,
        [format!(
            "secret-set {ID}: ERROR secret with label \"other\" already exists"
        )]
    );
    // Twice in one hook: the unit agent refuses the second at once.
    let (exc_type, message) = raised(exec(
        &ctx,
        &State::default().leader(true),
        "self.app.add_secret({'key': 'value'}, label='x')\nself.app.add_secret({'key': 'value'}, label='x')",
    ));
    assert_eq!(exc_type, "ops.model.ModelError");
    assert!(
        message.contains("secret with label \"x\" already exists"),
        "{message}"
    );
}
