//! Secret and secret-event rules.
//!
//! Events: a secret event names a secret in the State (by id, in any form); Juju sends
//! `secret-changed` only to observers and `secret-rotate`, `secret-expired` and
//! `secret-remove` only to owners (for an application's secret, to its leader), the last two
//! with a revision, and `secret-remove` only for a revision that is no longer the latest; no
//! secret events before Juju 3.0.2.
//!
//! State: what Juju makes impossible. Ids are well formed and unique, and an owned secret is
//! of this model; content is never empty and its keys are Juju's; revisions start at 1 and the
//! latest is not behind the tracked one (the same revision has the same content); labels are
//! unique among owned secrets and among observed ones; only owned secrets have grants, on
//! relations in the State, to the relation's remote application or its units; expiry times
//! are ISO 8601 with a zone.

use std::collections::BTreeSet;

use super::Checked;
use crate::charm::CharmMeta;
use crate::error::{Rule, Violation};
use crate::event::{Event, EventKind, Prepared};
use crate::options::{ContextOptions, JujuVersion};
use crate::state::{Secret, SecretContent, SecretOwner, State};

/// Secrets exist from Juju 3.0.2 on.
const SECRETS_SINCE: JujuVersion = JujuVersion(3, 0, 2);

/// This area's rules.
pub(super) fn check(
    meta: &CharmMeta,
    options: &ContextOptions,
    event: &Event,
    prepared: &Prepared,
    out: &mut Checked,
) {
    check_event(options, event, prepared, out);
    check_secrets(meta, options, &prepared.state, out);
}

fn check_event(options: &ContextOptions, event: &Event, prepared: &Prepared, out: &mut Checked) {
    let state = &prepared.state;
    if event.kind() != EventKind::Secret {
        for (field, given) in [
            ("secret_id", event.secret_id.is_some()),
            ("revision", event.revision.is_some()),
        ] {
            if given {
                out.errors.push(Violation::new(
                    Rule::EventArgs,
                    format!(
                        "{:?} is not a secret event, so it cannot have a {field}",
                        event.name
                    ),
                ));
            }
        }
        return;
    }
    if let Some(juju) = options.juju().filter(|v| *v < SECRETS_SINCE) {
        out.errors.push(
            Violation::new(
                Rule::SecretJujuVersion,
                format!(
                    "{:?}: secrets need Juju 3.0.2 or later, and the Context has {juju}",
                    event.name
                ),
            )
            .hint("set the Context's juju_version to 3.0.2 or later"),
        );
    }
    let Some(id) = event.secret_id.as_deref() else {
        out.errors.push(
            Violation::new(
                Rule::SecretEventSecret,
                format!("{:?} names no secret", event.name),
            )
            .hint(format!(
                "build the event from a secret in the State: secret.{}",
                constructor(&event.name)
            )),
        );
        return;
    };
    let Some(secret) = prepared
        .scope
        .secret
        .as_ref()
        .map(|s| &state.secrets[s.index])
    else {
        out.errors.push(
            Violation::new(
                Rule::SecretNotInState,
                format!(
                    "{:?} is for secret {id:?}, which is not in the State",
                    event.name
                ),
            )
            .hint("add the secret to State.secrets"),
        );
        return;
    };
    let has_revision = event.secret_event_has_revision();
    match (has_revision, event.revision) {
        (true, None) => out.errors.push(
            Violation::new(
                Rule::SecretRevisionMissing,
                format!("{:?} needs the revision it is about", event.name),
            )
            .hint(format!("secret.{}", constructor(&event.name))),
        ),
        (false, Some(_)) => out.errors.push(Violation::new(
            Rule::SecretRevisionUnexpected,
            format!(
                "{:?}: Juju names no revision for this event, so the event cannot give one",
                event.name
            ),
        )),
        _ => {}
    }
    if event.is_secret_owner_event() {
        if secret.owner.is_none() {
            out.errors.push(
                Violation::new(
                    Rule::SecretNotOwned,
                    format!(
                        "{:?} is for secret {id:?}, which this unit does not own: Juju sends it only to the owner",
                        event.name
                    ),
                )
                .hint("give the secret an owner (\"unit\" or \"app\"), or run secret_changed for an observed secret"),
            );
        } else if secret.owner == Some(SecretOwner::App) && !state.leader {
            out.warnings.push(Violation::new(
                Rule::SecretNotLeader,
                format!(
                    "{:?} is for an application secret, which Juju sends only to the leader, and this unit is not the leader",
                    event.name
                ),
            ));
        }
    } else if secret.owner == Some(SecretOwner::Unit)
        || (secret.owner == Some(SecretOwner::App) && state.leader)
    {
        // A non-leader reads its application's secrets as a consumer, and Juju sends it
        // secret-changed for them (juju/juju PR 15127; `ensureConsumerMetadataForAppOwned
        // SecretsForPeerUnits` in the 3.x secrets manager facade).
        out.errors.push(
            Violation::new(
                Rule::SecretOwned,
                format!(
                    "\"secret_changed\" is for secret {id:?}, which this unit manages: Juju sends it to the units that consume the secret (observers, and the other units of the owning application)"
                ),
            )
            .hint("set the secret's owner to none for an observed secret, or run the event on a non-leader for an application secret"),
        );
    } else if secret.latest_revision == secret.tracked_revision {
        out.warnings.push(Violation::new(
            Rule::SecretNoNewRevision,
            format!(
                "\"secret_changed\" is for secret {id:?}, whose latest revision is the one this unit tracks; Juju sends it for a new revision"
            ),
        ));
    }
    if let Some(revision) = event.revision.filter(|_| has_revision) {
        if event.name == "secret_remove" && revision >= secret.latest_revision {
            out.errors.push(Violation::new(
                Rule::SecretRemoveLatest,
                format!(
                    "\"secret_remove\" is for revision {revision} of secret {id:?}, whose latest revision is {}: Juju sends it only for revisions no longer the latest",
                    secret.latest_revision
                ),
            ));
        } else if revision == 0 || revision > secret.latest_revision {
            out.errors.push(Violation::new(
                Rule::SecretRevisionUnknown,
                format!(
                    "{:?} is for revision {revision} of secret {id:?}, whose revisions are 1 to {}",
                    event.name, secret.latest_revision
                ),
            ));
        }
    }
}

/// The Rust constructor of a secret event, for hints.
fn constructor(name: &str) -> &'static str {
    match name {
        "secret_changed" => "changed_event()",
        "secret_rotate" => "rotate_event()",
        "secret_expired" => "expired_event(revision)",
        _ => "remove_event(revision)",
    }
}

/// Juju's rule for secret keys: lower-case letters and digits, at least 3 characters,
/// starting with a letter, single hyphens between (ops' `Secret._key_re`).
fn is_valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let Some((first, rest)) = bytes.split_first() else {
        return false;
    };
    let mut chars = 1;
    let mut after_hyphen = false;
    for b in rest {
        match b {
            b'-' if !after_hyphen => after_hyphen = true,
            b'a'..=b'z' | b'0'..=b'9' => {
                after_hyphen = false;
                chars += 1;
            }
            _ => return false,
        }
    }
    first.is_ascii_lowercase() && !after_hyphen && chars >= 3
}

/// Whether `text` is an ISO 8601 date-time with a zone: `2026-11-25T12:00:00+00:00`,
/// `...Z`, with optional fractional seconds.
fn is_datetime_with_zone(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let head = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !head {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    if rest == "Z" || rest == "z" {
        return true;
    }
    let zone = rest.as_bytes();
    zone.len() == 6
        && matches!(zone[0], b'+' | b'-')
        && zone[1..3].iter().all(u8::is_ascii_digit)
        && zone[3] == b':'
        && zone[4..6].iter().all(u8::is_ascii_digit)
}

fn check_content(at: &str, field: &str, content: &SecretContent, out: &mut Checked) {
    if content.is_empty() {
        out.errors.push(Violation::new(
            Rule::SecretContentEmpty,
            format!("{at}.{field} is empty: Juju requires at least one key"),
        ));
    }
    for key in content.keys().filter(|k| !is_valid_key(k)) {
        out.errors.push(
            Violation::new(
                Rule::SecretContentKey,
                format!("{at}.{field} has key {key:?}, which Juju does not allow"),
            )
            .hint("keys are lower-case letters and digits, at least 3 long, starting with a letter, with single hyphens between"),
        );
    }
}

fn check_secrets(meta: &CharmMeta, options: &ContextOptions, state: &State, out: &mut Checked) {
    if state.secrets.is_empty() {
        return;
    }
    if let Some(juju) = options.juju().filter(|v| *v < SECRETS_SINCE) {
        out.warnings.push(Violation::new(
            Rule::SecretJujuVersion,
            format!("the State has secrets, which need Juju 3.0.2 or later, and the Context has {juju}: the charm cannot use them"),
        ));
    }
    let app_name = options.app_name.as_deref().unwrap_or(&meta.name);
    let uuid = &state.model.uuid;
    let mut labels: BTreeSet<(bool, &str)> = BTreeSet::new();
    for (i, secret) in state.secrets.iter().enumerate() {
        let at = format!("secrets[{i}]");
        match Secret::parse_id(&secret.id) {
            None => out.errors.push(
                Violation::new(
                    Rule::SecretId,
                    format!("{at}: {:?} is not a secret id", secret.id),
                )
                .hint("write it as Juju does: \"secret:\" followed by 20 characters of [0-9a-v], or leave it out for a default"),
            ),
            Some((Some(model), _)) if model != uuid && secret.owner.is_some() => {
                out.errors.push(Violation::new(
                    Rule::SecretId,
                    format!("{at}: {:?} is a secret of model {model:?}, so this unit cannot own it", secret.id),
                ));
            }
            Some(_) => {}
        }
        if state.secrets[..i]
            .iter()
            .any(|s| s.has_id(&secret.id, uuid))
        {
            out.errors.push(
                Violation::new(
                    Rule::SecretDuplicateId,
                    format!(
                        "{at}: secret id {:?} is used by more than one secret",
                        secret.id
                    ),
                )
                .hint("secrets built from the same content get the same default id: give them ids"),
            );
        }
        check_content(&at, "tracked_content", &secret.tracked_content, out);
        if secret.latest_content != secret.tracked_content {
            check_content(&at, "latest_content", &secret.latest_content, out);
        }
        if secret.tracked_revision == 0 {
            out.errors.push(Violation::new(
                Rule::SecretRevision,
                format!("{at}: revisions start at 1, and the tracked revision is 0"),
            ));
        }
        if secret.latest_revision < secret.tracked_revision {
            out.errors.push(Violation::new(
                Rule::SecretRevision,
                format!(
                    "{at}: the latest revision ({}) is before the tracked one ({})",
                    secret.latest_revision, secret.tracked_revision
                ),
            ));
        } else if secret.latest_revision == secret.tracked_revision
            && secret.latest_content != secret.tracked_content
        {
            out.errors.push(
                Violation::new(
                    Rule::SecretRevision,
                    format!(
                        "{at}: the tracked and latest revision are both {}, with different content",
                        secret.tracked_revision
                    ),
                )
                .hint("set latest_revision past tracked_revision, or the same content"),
            );
        }
        if let Some(label) = secret.label.as_deref() {
            if !labels.insert((secret.is_owned(), label)) {
                let kind = if secret.is_owned() {
                    "owned"
                } else {
                    "observed"
                };
                out.errors.push(Violation::new(
                    Rule::SecretDuplicateLabel,
                    format!("{at}: label {label:?} is on more than one {kind} secret"),
                ));
            }
        }
        if let Some(expire) = secret
            .expire
            .as_deref()
            .filter(|e| !is_datetime_with_zone(e))
        {
            out.errors.push(
                Violation::new(
                    Rule::SecretExpire,
                    format!("{at}: expire {expire:?} is not an ISO 8601 date-time with a zone"),
                )
                .hint("write it like \"2026-11-25T12:00:00+00:00\""),
            );
        }
        if !secret.remote_grants.is_empty() && secret.owner.is_none() {
            out.errors.push(Violation::new(
                Rule::SecretGrants,
                format!("{at}: only the owner grants a secret, and this one is observed but has remote_grants"),
            ));
            continue;
        }
        for (relation_id, grantees) in &secret.remote_grants {
            let Some(relation) = state.relation_by_id(*relation_id) else {
                out.errors.push(Violation::new(
                    Rule::SecretGrants,
                    format!("{at}: remote_grants names relation {relation_id}, which is not in the State (a grant goes with its relation)"),
                ));
                continue;
            };
            let remote_app = relation.remote_app_name(app_name);
            // A unit grant stays when its unit leaves the relation: Juju removes a grant only
            // on revoke or with its relation (`removeScopedSecretPermissionOps`,
            // `state/relation.go`, 3.x), so the unit need not be among the remote units.
            for grantee in grantees {
                let ok = grantee == remote_app
                    || grantee
                        .strip_prefix(remote_app)
                        .and_then(|rest| rest.strip_prefix('/'))
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                if !ok {
                    out.errors.push(Violation::new(
                        Rule::SecretGrants,
                        format!("{at}: remote_grants on relation {relation_id} names {grantee:?}, which is neither its remote application {remote_app:?} nor a unit of it"),
                    ));
                }
            }
            if grantees.len() > 1 && grantees.contains(remote_app) {
                out.warnings.push(Violation::new(
                    Rule::SecretGrants,
                    format!("{at}: remote_grants on relation {relation_id} names both {remote_app:?} and some of its units; Juju keeps only the application grant"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Relation;

    const ID: &str = "secret:0123456789abcdefghij";

    fn meta() -> CharmMeta {
        CharmMeta::from_values(
            serde_json::json!({"name": "demo", "requires": {"db": {"interface": "pgsql"}}}),
            None,
            None,
        )
        .unwrap()
    }

    fn run(options: &ContextOptions, event: &Event, state: &State) -> Checked {
        let mut out = Checked::default();
        let meta = meta();
        let prepared = Prepared::new(&meta, options, event, state);
        check(&meta, options, event, &prepared, &mut out);
        out
    }

    fn rules(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.rule.id()).collect()
    }

    fn observed() -> Secret {
        Secret::new([("password", "a")])
            .id(ID)
            .latest_content([("password", "b")])
    }

    fn owned() -> Secret {
        observed().owner(SecretOwner::App)
    }

    #[test]
    fn well_formed_events_pass() {
        let opts = ContextOptions::default();
        let state = State::default().leader(true).secrets([observed()]);
        let out = run(&opts, &observed().changed_event(), &state);
        assert!(out.errors.is_empty() && out.warnings.is_empty(), "{out:?}");
        let state = State::default().leader(true).secrets([owned()]);
        for event in [
            owned().rotate_event(),
            owned().expired_event(2),
            owned().remove_event(1),
        ] {
            let out = run(&opts, &event, &state);
            assert!(
                out.errors.is_empty() && out.warnings.is_empty(),
                "{event:?}: {out:?}"
            );
        }
    }

    #[test]
    fn events_go_to_observers_or_owners_as_juju_sends_them() {
        let opts = ContextOptions::default();
        let state = State::default().leader(true).secrets([owned()]);
        assert_eq!(
            rules(&run(&opts, &owned().changed_event(), &state).errors),
            ["secret.owned"]
        );
        let state = State::default().secrets([observed()]);
        assert_eq!(
            rules(&run(&opts, &observed().rotate_event(), &state).errors),
            ["secret.not_owned"]
        );
        let state = State::default().leader(false).secrets([owned()]);
        assert_eq!(
            rules(&run(&opts, &owned().rotate_event(), &state).warnings),
            ["secret.not_leader"]
        );
        // The other units of the owning application consume its secrets: Juju sends them
        // secret-changed.
        let out = run(&opts, &owned().changed_event(), &state);
        assert!(out.errors.is_empty() && out.warnings.is_empty(), "{out:?}");
        let unit_owned = owned().owner(SecretOwner::Unit);
        let state = State::default().leader(false).secrets([unit_owned.clone()]);
        assert_eq!(
            rules(&run(&opts, &unit_owned.changed_event(), &state).errors),
            ["secret.owned"]
        );
    }

    #[test]
    fn events_name_a_secret_in_the_state_and_the_revisions_juju_names() {
        let opts = ContextOptions::default();
        let state = State::default().leader(true).secrets([owned()]);
        let no_id = Event::new("secret_rotate");
        assert_eq!(
            rules(&run(&opts, &no_id, &state).errors),
            ["secret.event_secret"]
        );
        let missing = run(&opts, &observed().changed_event(), &State::default());
        assert_eq!(rules(&missing.errors), ["secret.not_in_state"]);
        let no_revision = Event::new("secret_expired").secret_id(ID);
        assert_eq!(
            rules(&run(&opts, &no_revision, &state).errors),
            ["secret.revision_missing"]
        );
        let extra = owned().rotate_event().revision(1);
        assert_eq!(
            rules(&run(&opts, &extra, &state).errors),
            ["secret.revision_unexpected"]
        );
        assert_eq!(
            rules(&run(&opts, &owned().remove_event(2), &state).errors),
            ["secret.remove_latest"]
        );
        assert_eq!(
            rules(&run(&opts, &owned().expired_event(3), &state).errors),
            ["secret.revision_unknown"]
        );
        let stray = Event::start().secret_id(ID);
        assert_eq!(rules(&run(&opts, &stray, &state).errors), ["event.args"]);
    }

    #[test]
    fn secret_events_need_juju_3_0_2() {
        let opts = ContextOptions {
            juju_version: "2.9.44".into(),
            ..ContextOptions::default()
        };
        let state = State::default().secrets([observed()]);
        let out = run(&opts, &observed().changed_event(), &state);
        assert_eq!(rules(&out.errors), ["secret.juju_version"]);
        assert_eq!(rules(&out.warnings), ["secret.juju_version"]);
    }

    #[test]
    fn the_state_holds_only_what_juju_allows() {
        let opts = ContextOptions::default();
        let e = Event::start();
        let state = State::default().secrets([
            Secret::new([("password", "a")]).id("secret:short"),
            observed(),
            observed().label("x"),
            Secret::new([("Bad_Key", "a")])
                .id("secret:bbbbbbbbbbbbbbbbbbbb")
                .label("x"),
            Secret::new(Vec::<(String, String)>::new()).id("secret:cccccccccccccccccccc"),
            Secret::new([("key", "a")])
                .id("secret:dddddddddddddddddddd")
                .latest_content([("key", "b")])
                .latest_revision(1),
            Secret::new([("key", "a")])
                .id("secret:eeeeeeeeeeeeeeeeeeee")
                .expire("tomorrow")
                .remote_grants(1, ["pg"]),
            Secret::new([("key", "a")])
                .id("secret://other-model/ffffffffffffffffffff")
                .owner(SecretOwner::Unit),
        ]);
        let out = run(&opts, &e, &state);
        assert_eq!(
            rules(&out.errors),
            [
                "secret.id",
                "secret.duplicate_id",
                "secret.content_key",
                "secret.duplicate_label",
                "secret.content_empty",
                "secret.revision",
                "secret.expire",
                "secret.grants",
                "secret.id",
            ],
            "{out:?}"
        );
    }

    #[test]
    fn grants_are_on_relations_in_the_state_to_their_remote_side() {
        let opts = ContextOptions::default();
        let db = Relation::new("db")
            .id(1)
            .remote_app_name("pg")
            .remote_units([0]);
        let good = owned().remote_grants(1, ["pg"]);
        let state = State::default().relations([db.clone()]).secrets([good]);
        assert!(run(&opts, &Event::start(), &state).errors.is_empty());
        // pg/7 has left the relation: its grant stays until revoked or the relation goes.
        let departed = owned().remote_grants(1, ["pg/7"]);
        let state = State::default().relations([db.clone()]).secrets([departed]);
        assert!(run(&opts, &Event::start(), &state).errors.is_empty());
        let bad = owned()
            .remote_grants(1, ["pg/x", "other", "other/0"])
            .remote_grants(2, ["pg"]);
        let state = State::default().relations([db]).secrets([bad]);
        let out = run(&opts, &Event::start(), &state);
        assert_eq!(
            rules(&out.errors),
            [
                "secret.grants",
                "secret.grants",
                "secret.grants",
                "secret.grants"
            ]
        );
    }

    #[test]
    fn keys_and_times_follow_juju() {
        for key in ["abc", "a-b-c", "password", "tls-cert2"] {
            assert!(is_valid_key(key), "{key}");
        }
        for key in ["ab", "Abc", "a--b", "abc-", "-abc", "1abc", "a_b_c", ""] {
            assert!(!is_valid_key(key), "{key}");
        }
        for t in [
            "2026-11-25T12:00:00+00:00",
            "2026-11-25T12:00:00Z",
            "2026-11-25T12:00:00.123456-05:30",
        ] {
            assert!(is_datetime_with_zone(t), "{t}");
        }
        for t in [
            "2026-11-25T12:00:00",
            "2026-11-25",
            "tomorrow",
            "2026-11-25T12:00:00+0000",
        ] {
            assert!(!is_datetime_with_zone(t), "{t}");
        }
    }
}
