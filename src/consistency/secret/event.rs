//! The rules on a secret event: it names a secret in the State, goes to whom Juju sends it
//! (observers or owners), with the revisions Juju names, on a Juju version with secrets.
//! Apart from the State's rules (`state.rs`) because it reads the event against the State,
//! where those read the State alone.

use super::{Checked, SECRETS_SINCE};
use crate::error::{Rule, Violation};
use crate::event::{Event, EventKind, Prepared};
use crate::options::ContextOptions;
use crate::state::SecretOwner;

pub(super) fn check_event(
    options: &ContextOptions,
    event: &Event,
    prepared: &Prepared,
    out: &mut Checked,
) {
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

#[cfg(test)]
mod tests {
    use super::super::test_support::{observed, owned, rules, run, ID};
    use crate::event::Event;
    use crate::options::ContextOptions;
    use crate::state::{SecretOwner, State};

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
}
