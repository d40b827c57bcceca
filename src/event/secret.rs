//! Secret events: `secret_changed` (for an observer), `secret_rotate`, `secret_expired` and
//! `secret_remove` (for the owner; the last two name a revision), built from their secret and
//! resolved against the State by the secret's id.

use super::{Event, EventKind};
use crate::state::{DeferredEvent, Secret, State, StoredDict, StoredValue};

impl Secret {
    fn event(&self, name: &str, revision: Option<u32>) -> Event {
        Event {
            secret_id: Some(self.id.clone()),
            revision,
            ..Event::new(name)
        }
    }

    /// `secret_changed`: a new revision of a secret this unit observes.
    ///
    /// ```
    /// # use ops_scenario::Secret;
    /// let s = Secret::new([("password", "a")]).latest_content([("password", "b")]);
    /// let e = s.changed_event();
    /// assert_eq!((e.name.as_str(), e.secret_id.as_deref()), ("secret_changed", Some(s.id.as_str())));
    /// ```
    pub fn changed_event(&self) -> Event {
        self.event("secret_changed", None)
    }

    /// `secret_rotate`: time to rotate a secret this unit (or, as leader, its application)
    /// owns.
    pub fn rotate_event(&self) -> Event {
        self.event("secret_rotate", None)
    }

    /// `secret_expired`: `revision` of an owned secret has expired.
    pub fn expired_event(&self, revision: u32) -> Event {
        self.event("secret_expired", Some(revision))
    }

    /// `secret_remove`: no observer tracks `revision` of an owned secret any more.
    pub fn remove_event(&self, revision: u32) -> Event {
        self.event("secret_remove", Some(revision))
    }
}

impl Event {
    /// Set the secret of a secret event, by id.
    pub fn secret_id(mut self, id: impl Into<String>) -> Self {
        self.secret_id = Some(id.into());
        self
    }

    /// Set the revision of a `secret_expired` or `secret_remove` event.
    pub fn revision(mut self, revision: u32) -> Self {
        self.revision = Some(revision);
        self
    }

    /// The secret this secret event is about, found in the State by its id (in any form):
    /// `None` for another kind of event, a secret event without a `secret_id`, or an id that
    /// no secret in the State has (the checker reports the last two).
    pub(crate) fn secret_target<'s>(&self, state: &'s State) -> Option<(usize, &'s Secret)> {
        if self.kind() != EventKind::Secret {
            return None;
        }
        let index = state.secret_index(self.secret_id.as_deref()?)?;
        Some((index, &state.secrets[index]))
    }

    /// Whether this is one of the events Juju sends to a secret's owner (rotate, expired,
    /// remove) rather than to an observer (changed).
    pub(crate) fn is_secret_owner_event(&self) -> bool {
        matches!(
            self.name.as_str(),
            "secret_rotate" | "secret_expired" | "secret_remove"
        )
    }

    /// Whether this secret event carries a revision (`secret_expired`, `secret_remove`).
    pub(crate) fn secret_event_has_revision(&self) -> bool {
        matches!(self.name.as_str(), "secret_expired" | "secret_remove")
    }

    /// What ops' snapshot of this secret event holds, as far as the event knows it: `id`,
    /// and for expired/remove `revision` (ops adds `label`;
    /// [`DeferredEvent::completed_secret_snapshot`] fills it from the State).
    pub(crate) fn secret_snapshot(&self) -> StoredDict {
        let mut data = StoredDict::new();
        if self.kind() != EventKind::Secret {
            return data;
        }
        if let Some(id) = &self.secret_id {
            data.insert("id".into(), id.as_str().into());
        }
        if let (true, Some(revision)) = (self.secret_event_has_revision(), self.revision) {
            data.insert("revision".into(), StoredValue::Int(i64::from(revision)));
        }
        data
    }
}

impl DeferredEvent {
    /// A deferred secret event's snapshot with what ops would have written and the test may
    /// have left out: the secret's `label` (`None` when it has none), found in the State by
    /// the snapshot's `id`. `None` when there is nothing to complete.
    pub(crate) fn completed_secret_snapshot(&self, state: &State) -> Option<StoredDict> {
        complete_secret_snapshot(self, state)
    }
}

fn complete_secret_snapshot(deferred: &DeferredEvent, state: &State) -> Option<StoredDict> {
    let kind = Event::new(deferred.name()).kind();
    let snapshot = &deferred.snapshot_data;
    if kind != EventKind::Secret || snapshot.contains_key("label") {
        return None;
    }
    let Some(StoredValue::Str(id)) = snapshot.get("id") else {
        return None;
    };
    let secret = &state.secrets[state.secret_index(id)?];
    let mut completed = snapshot.clone();
    completed.insert(
        "label".into(),
        secret
            .label
            .as_deref()
            .map_or(StoredValue::None, StoredValue::from),
    );
    Some(completed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::SecretOwner;

    fn owned() -> Secret {
        Secret::new([("a", "1")])
            .id("secret:0123456789abcdefghij")
            .owner(SecretOwner::App)
            .label("creds")
    }

    #[test]
    fn events_carry_the_secret_and_revision() {
        let s = owned();
        let e = s.remove_event(3);
        assert_eq!(e.name, "secret_remove");
        assert_eq!(e.kind(), EventKind::Secret);
        assert_eq!(e.secret_id.as_deref(), Some("secret:0123456789abcdefghij"));
        assert_eq!(e.revision, Some(3));
        assert_eq!(s.expired_event(2).name, "secret_expired");
        assert_eq!(s.rotate_event().revision, None);
        assert!(s.rotate_event().is_secret_owner_event());
        assert!(!s.changed_event().is_secret_owner_event());
        assert_eq!(s.rotate_event().hook_name(), "secret-rotate");
    }

    #[test]
    fn targets_are_found_by_id_in_any_form() {
        let state = State::default().secrets([owned()]);
        let e = Event::new("secret_rotate").secret_id("0123456789abcdefghij");
        assert_eq!(
            e.secret_target(&state).unwrap().1.label.as_deref(),
            Some("creds")
        );
        assert!(Event::new("secret_rotate").secret_target(&state).is_none());
        let unknown = Event::new("secret_rotate").secret_id("secret:aaaaaaaaaaaaaaaaaaaa");
        assert!(unknown.secret_target(&state).is_none());
        let not_secret = Event::start().secret_id("0123456789abcdefghij");
        assert!(not_secret.secret_target(&state).is_none());
    }

    #[test]
    fn snapshots_name_the_secret_and_the_state_fills_the_label() {
        let s = owned();
        let snapshot = s.remove_event(2).secret_snapshot();
        assert_eq!(
            snapshot["id"],
            StoredValue::from("secret:0123456789abcdefghij")
        );
        assert_eq!(snapshot["revision"], StoredValue::Int(2));
        let deferred =
            DeferredEvent::new("C/on/secret_remove[1]", "C", "_on_remove").snapshot_data(snapshot);
        let state = State::default().secrets([s]);
        let completed = deferred.completed_secret_snapshot(&state).unwrap();
        assert_eq!(completed["label"], StoredValue::from("creds"));
        assert!(deferred
            .completed_secret_snapshot(&State::default())
            .is_none());
    }
}
