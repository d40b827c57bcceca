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
//!
//! The event's rules are in `event.rs`, the State's in `state.rs`.

mod event;
mod state;

use super::Checked;
use crate::charm::CharmMeta;
use crate::event::{Event, Prepared};
use crate::options::{ContextOptions, JujuVersion};

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
    event::check_event(options, event, prepared, out);
    state::check_secrets(meta, options, &prepared.state, out);
}

#[cfg(test)]
mod test_support {
    use super::*;
    use crate::error::Violation;
    use crate::state::{Secret, SecretOwner, State};

    pub(super) const ID: &str = "secret:0123456789abcdefghij";

    fn meta() -> CharmMeta {
        CharmMeta::from_values(
            serde_json::json!({"name": "demo", "requires": {"db": {"interface": "pgsql"}}}),
            None,
            None,
        )
        .unwrap()
    }

    pub(super) fn run(options: &ContextOptions, event: &Event, state: &State) -> Checked {
        let mut out = Checked::default();
        let meta = meta();
        let prepared = Prepared::new(&meta, options, event, state);
        check(&meta, options, event, &prepared, &mut out);
        out
    }

    pub(super) fn rules(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.rule.id()).collect()
    }

    pub(super) fn observed() -> Secret {
        Secret::new([("password", "a")])
            .id(ID)
            .latest_content([("password", "b")])
    }

    pub(super) fn owned() -> Secret {
        observed().owner(SecretOwner::App)
    }
}
