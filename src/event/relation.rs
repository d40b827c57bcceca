//! Relation events resolved against the State: which relation, which remote and departing
//! units, with ops.testing's defaults; and deferred relation snapshots completed from it.

use super::Event;
use crate::state::{
    AnyRelation, DeferredEvent, PeerRelation, Relation, State, StoredDict, StoredValue,
    SubordinateRelation,
};

/// The five relation events of one relation type, built from the relation (its endpoint and,
/// if it has one, its id).
macro_rules! relation_events {
    ($ty:ty, |$r:ident| ($endpoint:expr, $id:expr)) => {
        impl $ty {
            /// `<endpoint>_relation_created`.
            pub fn created_event(&self) -> Event {
                Event::relation(
                    {
                        let $r = self;
                        $endpoint
                    },
                    "created",
                    {
                        let $r = self;
                        $id
                    },
                )
            }

            /// `<endpoint>_relation_joined`; give the joining unit with
            /// [`Event::remote_unit`] (defaults as ops.testing: the only remote unit, or the
            /// first one).
            pub fn joined_event(&self) -> Event {
                Event::relation(
                    {
                        let $r = self;
                        $endpoint
                    },
                    "joined",
                    {
                        let $r = self;
                        $id
                    },
                )
            }

            /// `<endpoint>_relation_changed`; give the unit whose data changed with
            /// [`Event::remote_unit`] (defaults as for `joined_event`).
            pub fn changed_event(&self) -> Event {
                Event::relation(
                    {
                        let $r = self;
                        $endpoint
                    },
                    "changed",
                    {
                        let $r = self;
                        $id
                    },
                )
            }

            /// `<endpoint>_relation_departed`; give the remote unit with
            /// [`Event::remote_unit`] and the departing unit with [`Event::departing_unit`]
            /// (defaults to the remote unit).
            pub fn departed_event(&self) -> Event {
                Event::relation(
                    {
                        let $r = self;
                        $endpoint
                    },
                    "departed",
                    {
                        let $r = self;
                        $id
                    },
                )
            }

            /// `<endpoint>_relation_broken`: the relation is going away (it is left out of
            /// `model.relations` and has no remote units).
            pub fn broken_event(&self) -> Event {
                Event::relation(
                    {
                        let $r = self;
                        $endpoint
                    },
                    "broken",
                    {
                        let $r = self;
                        $id
                    },
                )
            }
        }
    };
}

relation_events!(Relation, |r| (&r.endpoint, r.id));
relation_events!(PeerRelation, |r| (&r.endpoint, r.id));
relation_events!(SubordinateRelation, |r| (&r.endpoint, r.id));
relation_events!(AnyRelation, |r| (r.endpoint(), r.id()));

/// The five relation hooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RelationHook {
    Created,
    Joined,
    Changed,
    Departed,
    Broken,
}

impl RelationHook {
    pub(crate) fn of_name(name: &str) -> Option<Self> {
        let (_, hook) = name.rsplit_once("_relation_")?;
        Some(match hook {
            "created" => RelationHook::Created,
            "joined" => RelationHook::Joined,
            "changed" => RelationHook::Changed,
            "departed" => RelationHook::Departed,
            "broken" => RelationHook::Broken,
            _ => return None,
        })
    }

    /// Whether Juju names a remote unit (`JUJU_REMOTE_UNIT`) for this hook.
    pub(crate) fn has_remote_unit(self) -> bool {
        matches!(
            self,
            RelationHook::Joined | RelationHook::Changed | RelationHook::Departed
        )
    }
}

/// How the remote unit of a relation event was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RemoteUnitChoice {
    /// The event names it, or the hook has none.
    Given,
    /// The relation's only remote unit.
    OnlyOne,
    /// The first of several remote units.
    FirstOfSeveral,
    /// The hook needs one but the relation has no remote units.
    NoneAvailable,
}

/// A relation event resolved against the State.
#[derive(Clone, Debug)]
pub(crate) struct RelationTarget<'s> {
    pub hook: RelationHook,
    /// The relation's position in `State::relations`.
    pub index: usize,
    pub relation: &'s AnyRelation,
    pub id: u32,
    pub remote_unit: Option<u32>,
    pub departing_unit: Option<u32>,
    pub choice: RemoteUnitChoice,
}

/// Why a relation event cannot be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RelationTargetError {
    NotARelationEvent,
    /// No relation has the event's id.
    NoSuchId(u32),
    /// The relation with the event's id is on another endpoint.
    OtherEndpoint {
        id: u32,
        endpoint: String,
    },
    /// The event has no id and no relation is on its endpoint.
    NoneOnEndpoint,
    /// The event has no id and several relations are on its endpoint.
    SeveralOnEndpoint(Vec<u32>),
}

/// Whether a metadata endpoint name is the entity of an event name (`my-db` is `my_db`).
pub(crate) fn endpoint_matches(endpoint: &str, entity: &str) -> bool {
    endpoint.len() == entity.len()
        && endpoint
            .bytes()
            .zip(entity.bytes())
            .all(|(a, b)| a == b || (a == b'-' && b == b'_'))
}

impl<'s> RelationTarget<'s> {
    pub(crate) fn resolve(
        state: &'s State,
        hook: RelationHook,
        entity: &str,
        relation_id: Option<u32>,
        remote_unit: Option<u32>,
        departing_unit: Option<u32>,
    ) -> Result<Self, RelationTargetError> {
        let ids = crate::state::effective_ids(&state.relations);
        let (index, id) = match relation_id {
            Some(id) => {
                let i = ids
                    .iter()
                    .position(|x| *x == id)
                    .ok_or(RelationTargetError::NoSuchId(id))?;
                let relation = &state.relations[i];
                if !endpoint_matches(relation.endpoint(), entity) {
                    return Err(RelationTargetError::OtherEndpoint {
                        id,
                        endpoint: relation.endpoint().to_owned(),
                    });
                }
                (i, id)
            }
            None => {
                let matching: Vec<usize> = (0..state.relations.len())
                    .filter(|i| endpoint_matches(state.relations[*i].endpoint(), entity))
                    .collect();
                match matching[..] {
                    [i] => (i, ids[i]),
                    [] => return Err(RelationTargetError::NoneOnEndpoint),
                    _ => {
                        return Err(RelationTargetError::SeveralOnEndpoint(
                            matching.iter().map(|i| ids[*i]).collect(),
                        ))
                    }
                }
            }
        };
        let relation = &state.relations[index];
        let (remote_unit, choice) = if !hook.has_remote_unit() || remote_unit.is_some() {
            (
                remote_unit.filter(|_| hook.has_remote_unit()),
                RemoteUnitChoice::Given,
            )
        } else {
            match relation.remote_unit_ids()[..] {
                [] => (None, RemoteUnitChoice::NoneAvailable),
                [only] => (Some(only), RemoteUnitChoice::OnlyOne),
                [first, ..] => (Some(first), RemoteUnitChoice::FirstOfSeveral),
            }
        };
        let departing_unit = match hook {
            RelationHook::Departed => departing_unit.or(remote_unit),
            _ => None,
        };
        Ok(RelationTarget {
            hook,
            index,
            relation,
            id,
            remote_unit,
            departing_unit,
            choice,
        })
    }
}

/// Complete the snapshot of a deferred relation event that gives no `app_name` (one built by
/// [`Event::deferred`], or by hand): the relation's real endpoint and id, the remote
/// application (this application for a peer relation), and the remote and departing units as
/// full unit names, defaulted as for the event itself. Snapshots that ops wrote (they have an
/// `app_name`) are left as they are. Returns `None` when there is nothing to complete or the
/// relation cannot be found (the consistency checker reports that).
pub(crate) fn complete_relation_snapshot(
    deferred: &DeferredEvent,
    state: &State,
    app_name: &str,
) -> Option<StoredDict> {
    let hook = RelationHook::of_name(deferred.name())?;
    let snapshot = &deferred.snapshot_data;
    if snapshot.contains_key("app_name") {
        return None;
    }
    let entity = match snapshot.get("relation_name") {
        Some(StoredValue::Str(name)) => name.as_str(),
        _ => deferred.name().rsplit_once("_relation_")?.0,
    };
    let id = match snapshot.get("relation_id") {
        Some(StoredValue::Int(id)) => Some(u32::try_from(*id).ok()?),
        _ => None,
    };
    let bare_unit = |key: &str| match snapshot.get(key) {
        Some(StoredValue::Str(n)) => n.parse::<u32>().ok(),
        _ => None,
    };
    let target = RelationTarget::resolve(
        state,
        hook,
        entity,
        id,
        bare_unit("unit_name"),
        bare_unit("departing_unit"),
    )
    .ok()?;
    let app = target.relation.remote_app_name(app_name).to_owned();
    let mut completed = snapshot.clone();
    completed.insert("relation_name".into(), target.relation.endpoint().into());
    completed.insert("relation_id".into(), i64::from(target.id).into());
    completed.insert("app_name".into(), app.as_str().into());
    for (key, unit) in [
        ("unit_name", target.remote_unit),
        ("departing_unit", target.departing_unit),
    ] {
        let given_in_full =
            matches!(snapshot.get(key), Some(StoredValue::Str(s)) if s.contains('/'));
        if let (Some(unit), false) = (unit, given_in_full) {
            completed.insert(key.into(), format!("{app}/{unit}").into());
        }
    }
    Some(completed)
}
