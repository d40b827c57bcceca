//! The rules on the State's secrets, whatever the event: what Juju makes impossible (ids,
//! content keys, revisions, labels, grants, expiry times). Apart from the event's rules
//! (`event.rs`) because they hold for every run, secret event or not.

use std::collections::BTreeSet;

use super::{Checked, SECRETS_SINCE};
use crate::charm::CharmMeta;
use crate::error::{Rule, Violation};
use crate::options::ContextOptions;
use crate::state::{Secret, SecretContent, State};

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

pub(super) fn check_secrets(
    meta: &CharmMeta,
    options: &ContextOptions,
    state: &State,
    out: &mut Checked,
) {
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
    use super::super::test_support::{observed, owned, rules, run};
    use super::{is_datetime_with_zone, is_valid_key};
    use crate::event::Event;
    use crate::options::ContextOptions;
    use crate::state::{Relation, Secret, SecretOwner, State};

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
