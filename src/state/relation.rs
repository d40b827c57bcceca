//! Relations: with another application ([`Relation`]), among this application's own units
//! ([`PeerRelation`]), and between a subordinate and its principal unit
//! ([`SubordinateRelation`]). A State holds them together as [`AnyRelation`]s.
//!
//! **Ids.** A relation may leave its `id` out. The run then numbers it by a rule over the State
//! alone, never a process-wide counter, so the same test gives the same ids whatever ran before:
//! in `State.relations` order, each relation without an id takes the lowest id from 1 up that no
//! relation in the State gives explicitly and no earlier relation took. The output State writes
//! every id (and every interface) out.
//!
//! **Default databags.** As in ops.testing, this unit's databag and every remote unit's databag
//! start with the three keys Juju fills in for every unit (`egress-subnets`, `ingress-address`,
//! `private-address`, all `192.0.2.0`); application databags start empty. A regular relation
//! starts with one remote unit, `remote/0`; a peer relation starts with no peers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::databag::Databag;
use crate::event::Event;

/// The address Juju's default databag keys and default networks carry (a documentation range).
pub const DEFAULT_ADDRESS: &str = "192.0.2.0";

/// The remote application's name when none is given.
pub const DEFAULT_REMOTE_APP_NAME: &str = "remote";

/// The databag Juju gives every unit when it joins a relation: `egress-subnets`,
/// `ingress-address` and `private-address`, each `192.0.2.0`.
pub fn default_unit_databag() -> Databag {
    ["egress-subnets", "ingress-address", "private-address"]
        .into_iter()
        .map(|k| (k, DEFAULT_ADDRESS))
        .collect()
}

fn databag<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Databag {
    pairs.into_iter().collect()
}

fn default_remote_units() -> BTreeMap<u32, Databag> {
    BTreeMap::from([(0, default_unit_databag())])
}

/// A relation with another application: this charm's endpoint on one side, the remote
/// application's units on the other.
///
/// ```
/// use ops_scenario::Relation;
/// let db = Relation::new("db")
///     .remote_app_name("postgresql")
///     .remote_app_data([("host", "10.0.0.1")])
///     .remote_units([0, 1]);
/// assert_eq!(db.remote_units_data.len(), 2);
/// let event = db.changed_event().remote_unit(1);
/// assert_eq!(event.name, "db_relation_changed");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Relation {
    /// The endpoint name in this charm's metadata.
    pub endpoint: String,
    /// The interface. Defaults to the endpoint's interface in the metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// The Juju relation id. Defaults to the State's rule (see the module docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// The remote application's name. Defaults to `"remote"`.
    pub remote_app_name: String,
    /// The endpoint's limit, as ops.testing records it. Defaults to 1.
    pub limit: u32,
    /// The remote model's uuid, for a cross-model relation. Defaults to `None`: this model.
    pub remote_model_uuid: Option<String>,
    /// This application's databag. Defaults to empty.
    pub local_app_data: Databag,
    /// This unit's databag. Defaults to Juju's address keys.
    pub local_unit_data: Databag,
    /// The remote application's databag. Defaults to empty.
    pub remote_app_data: Databag,
    /// Each remote unit's databag, by unit number. Defaults to one unit, `0`, with Juju's
    /// address keys.
    pub remote_units_data: BTreeMap<u32, Databag>,
}

impl Default for Relation {
    fn default() -> Self {
        Relation {
            endpoint: String::new(),
            interface: None,
            id: None,
            remote_app_name: DEFAULT_REMOTE_APP_NAME.to_owned(),
            limit: 1,
            remote_model_uuid: None,
            local_app_data: Databag::new(),
            local_unit_data: default_unit_databag(),
            remote_app_data: Databag::new(),
            remote_units_data: default_remote_units(),
        }
    }
}

/// A relation among the units of this application (a `peers` endpoint).
///
/// The application databag is the one app bag all peers share: `local_app_data`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PeerRelation {
    /// The endpoint name in this charm's `peers`.
    pub endpoint: String,
    /// The interface. Defaults to the endpoint's interface in the metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// The Juju relation id. Defaults to the State's rule (see the module docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// The application databag, shared by all peers. Defaults to empty.
    pub local_app_data: Databag,
    /// This unit's databag. Defaults to Juju's address keys.
    pub local_unit_data: Databag,
    /// The other units' databags, by unit number (never this unit's). Defaults to no peers.
    pub peers_data: BTreeMap<u32, Databag>,
}

impl Default for PeerRelation {
    fn default() -> Self {
        PeerRelation {
            endpoint: String::new(),
            interface: None,
            id: None,
            local_app_data: Databag::new(),
            local_unit_data: default_unit_databag(),
            peers_data: BTreeMap::new(),
        }
    }
}

/// The relation between a subordinate unit and the one principal unit it is attached to
/// (an endpoint with `scope: container`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SubordinateRelation {
    /// The endpoint name in this charm's metadata.
    pub endpoint: String,
    /// The interface. Defaults to the endpoint's interface in the metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// The Juju relation id. Defaults to the State's rule (see the module docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// The other application's name. Defaults to `"remote"`.
    pub remote_app_name: String,
    /// This application's databag. Defaults to empty.
    pub local_app_data: Databag,
    /// This unit's databag. Defaults to Juju's address keys.
    pub local_unit_data: Databag,
    /// The other application's databag. Defaults to empty.
    pub remote_app_data: Databag,
    /// The number of the other unit. Defaults to 0.
    pub remote_unit_id: u32,
    /// The other unit's databag. Defaults to Juju's address keys.
    pub remote_unit_data: Databag,
}

impl Default for SubordinateRelation {
    fn default() -> Self {
        SubordinateRelation {
            endpoint: String::new(),
            interface: None,
            id: None,
            remote_app_name: DEFAULT_REMOTE_APP_NAME.to_owned(),
            local_app_data: Databag::new(),
            local_unit_data: default_unit_databag(),
            remote_app_data: Databag::new(),
            remote_unit_id: 0,
            remote_unit_data: default_unit_databag(),
        }
    }
}

/// Builders and event constructors every relation kind has.
macro_rules! common_relation_api {
    ($ty:ident) => {
        impl $ty {
            /// A relation on `endpoint`, with the defaults described on the type.
            pub fn new(endpoint: impl Into<String>) -> Self {
                $ty {
                    endpoint: endpoint.into(),
                    ..$ty::default()
                }
            }

            /// Set the interface. Defaults to the endpoint's interface in the metadata.
            pub fn interface(mut self, interface: impl Into<String>) -> Self {
                self.interface = Some(interface.into());
                self
            }

            /// Set the relation id. Defaults to the State's numbering rule.
            pub fn id(mut self, id: u32) -> Self {
                self.id = Some(id);
                self
            }

            /// Set this application's databag (replacing it).
            pub fn local_app_data<K: Into<String>, V: Into<String>>(
                mut self,
                pairs: impl IntoIterator<Item = (K, V)>,
            ) -> Self {
                self.local_app_data = databag(pairs);
                self
            }

            /// Set this unit's databag (replacing it, Juju's address keys included).
            pub fn local_unit_data<K: Into<String>, V: Into<String>>(
                mut self,
                pairs: impl IntoIterator<Item = (K, V)>,
            ) -> Self {
                self.local_unit_data = databag(pairs);
                self
            }

            /// `<endpoint>_relation_created`.
            pub fn created_event(&self) -> Event {
                Event::relation(&self.endpoint, "created", self.id)
            }

            /// `<endpoint>_relation_joined`; give the joining unit with
            /// [`Event::remote_unit`] (defaults as ops.testing: the only remote unit, or the
            /// first one).
            pub fn joined_event(&self) -> Event {
                Event::relation(&self.endpoint, "joined", self.id)
            }

            /// `<endpoint>_relation_changed`; give the unit whose data changed with
            /// [`Event::remote_unit`] (defaults as for `joined_event`).
            pub fn changed_event(&self) -> Event {
                Event::relation(&self.endpoint, "changed", self.id)
            }

            /// `<endpoint>_relation_departed`; give the remote unit with
            /// [`Event::remote_unit`] and the departing unit with [`Event::departing_unit`]
            /// (defaults to the remote unit).
            pub fn departed_event(&self) -> Event {
                Event::relation(&self.endpoint, "departed", self.id)
            }

            /// `<endpoint>_relation_broken`: the relation is going away (it is left out of
            /// `model.relations` and has no remote units).
            pub fn broken_event(&self) -> Event {
                Event::relation(&self.endpoint, "broken", self.id)
            }
        }
    };
}

common_relation_api!(Relation);
common_relation_api!(PeerRelation);
common_relation_api!(SubordinateRelation);

impl Relation {
    /// Set the remote application's name. Defaults to `"remote"`.
    pub fn remote_app_name(mut self, name: impl Into<String>) -> Self {
        self.remote_app_name = name.into();
        self
    }

    /// Set the endpoint's limit. Defaults to 1.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// Set the remote model's uuid (a cross-model relation). Defaults to this model.
    pub fn remote_model_uuid(mut self, uuid: impl Into<String>) -> Self {
        self.remote_model_uuid = Some(uuid.into());
        self
    }

    /// Set the remote application's databag (replacing it).
    pub fn remote_app_data<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.remote_app_data = databag(pairs);
        self
    }

    /// Make these the remote units, each with Juju's default databag (replacing the units
    /// there were). `remote_units([])` leaves the relation without remote units.
    pub fn remote_units(mut self, ids: impl IntoIterator<Item = u32>) -> Self {
        self.remote_units_data = ids
            .into_iter()
            .map(|id| (id, default_unit_databag()))
            .collect();
        self
    }

    /// Set one remote unit's databag (replacing it; the unit is added if it was not there).
    pub fn remote_unit_data<K: Into<String>, V: Into<String>>(
        mut self,
        unit: u32,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.remote_units_data.insert(unit, databag(pairs));
        self
    }
}

impl PeerRelation {
    /// Make these the peers (the application's other units), each with Juju's default
    /// databag, replacing the peers there were.
    pub fn peers(mut self, ids: impl IntoIterator<Item = u32>) -> Self {
        self.peers_data = ids
            .into_iter()
            .map(|id| (id, default_unit_databag()))
            .collect();
        self
    }

    /// Set one peer's databag (replacing it; the peer is added if it was not there).
    pub fn peer_data<K: Into<String>, V: Into<String>>(
        mut self,
        unit: u32,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.peers_data.insert(unit, databag(pairs));
        self
    }
}

impl SubordinateRelation {
    /// Set the other application's name. Defaults to `"remote"`.
    pub fn remote_app_name(mut self, name: impl Into<String>) -> Self {
        self.remote_app_name = name.into();
        self
    }

    /// Set the other unit's number. Defaults to 0.
    pub fn remote_unit_id(mut self, id: u32) -> Self {
        self.remote_unit_id = id;
        self
    }

    /// Set the other application's databag (replacing it).
    pub fn remote_app_data<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.remote_app_data = databag(pairs);
        self
    }

    /// Set the other unit's databag (replacing it).
    pub fn remote_unit_data<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.remote_unit_data = databag(pairs);
        self
    }

    /// The other unit's name: `remote/0`.
    pub fn remote_unit_name(&self) -> String {
        format!("{}/{}", self.remote_app_name, self.remote_unit_id)
    }
}

/// Any kind of relation, as `State.relations` holds them.
///
/// JSON form: the relation's fields plus `"type"`: `"regular"` (the default when left out),
/// `"peer"` or `"subordinate"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", try_from = "RelationJson")]
pub enum AnyRelation {
    /// A relation with another application.
    Regular(Relation),
    /// A peer relation.
    Peer(PeerRelation),
    /// A subordinate relation.
    Subordinate(SubordinateRelation),
}

impl From<Relation> for AnyRelation {
    fn from(r: Relation) -> Self {
        AnyRelation::Regular(r)
    }
}
impl From<PeerRelation> for AnyRelation {
    fn from(r: PeerRelation) -> Self {
        AnyRelation::Peer(r)
    }
}
impl From<SubordinateRelation> for AnyRelation {
    fn from(r: SubordinateRelation) -> Self {
        AnyRelation::Subordinate(r)
    }
}

/// What a relation's kind says about its remote side, for code that treats all kinds alike.
macro_rules! each {
    ($self:expr, $r:ident => $body:expr) => {
        match $self {
            AnyRelation::Regular($r) => $body,
            AnyRelation::Peer($r) => $body,
            AnyRelation::Subordinate($r) => $body,
        }
    };
}

impl AnyRelation {
    /// The endpoint name.
    pub fn endpoint(&self) -> &str {
        each!(self, r => &r.endpoint)
    }

    /// The id the relation gives itself, if any (see the module docs for the default).
    pub fn id(&self) -> Option<u32> {
        each!(self, r => r.id)
    }

    pub(crate) fn set_id(&mut self, id: u32) {
        each!(self, r => r.id = Some(id))
    }

    /// The interface, if given.
    pub fn interface(&self) -> Option<&str> {
        each!(self, r => r.interface.as_deref())
    }

    pub(crate) fn set_interface(&mut self, interface: String) {
        each!(self, r => r.interface = Some(interface))
    }

    /// This application's databag.
    pub fn local_app_data(&self) -> &Databag {
        each!(self, r => &r.local_app_data)
    }

    /// This unit's databag.
    pub fn local_unit_data(&self) -> &Databag {
        each!(self, r => &r.local_unit_data)
    }

    pub(crate) fn local_data_mut(&mut self, is_app: bool) -> &mut Databag {
        if is_app {
            each!(self, r => &mut r.local_app_data)
        } else {
            each!(self, r => &mut r.local_unit_data)
        }
    }

    /// `"regular"`, `"peer"` or `"subordinate"`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            AnyRelation::Regular(_) => "regular",
            AnyRelation::Peer(_) => "peer",
            AnyRelation::Subordinate(_) => "subordinate",
        }
    }

    /// The application on the other side: the remote application, or for a peer relation
    /// this application (`own_app`).
    pub fn remote_app_name<'a>(&'a self, own_app: &'a str) -> &'a str {
        match self {
            AnyRelation::Regular(r) => &r.remote_app_name,
            AnyRelation::Peer(_) => own_app,
            AnyRelation::Subordinate(r) => &r.remote_app_name,
        }
    }

    /// The numbers of the units on the other side, in order (for a peer relation, the peers).
    pub fn remote_unit_ids(&self) -> Vec<u32> {
        match self {
            AnyRelation::Regular(r) => r.remote_units_data.keys().copied().collect(),
            AnyRelation::Peer(r) => r.peers_data.keys().copied().collect(),
            AnyRelation::Subordinate(r) => vec![r.remote_unit_id],
        }
    }

    /// The databag of the unit numbered `unit` on the other side, if it is in the relation.
    pub fn remote_unit_data(&self, unit: u32) -> Option<&Databag> {
        match self {
            AnyRelation::Regular(r) => r.remote_units_data.get(&unit),
            AnyRelation::Peer(r) => r.peers_data.get(&unit),
            AnyRelation::Subordinate(r) => {
                (r.remote_unit_id == unit).then_some(&r.remote_unit_data)
            }
        }
    }

    /// The other application's databag (for a peer relation, the shared app bag).
    pub fn remote_app_data(&self) -> &Databag {
        match self {
            AnyRelation::Regular(r) => &r.remote_app_data,
            AnyRelation::Peer(r) => &r.local_app_data,
            AnyRelation::Subordinate(r) => &r.remote_app_data,
        }
    }

    /// The regular relation, if this is one.
    pub fn as_regular(&self) -> Option<&Relation> {
        match self {
            AnyRelation::Regular(r) => Some(r),
            _ => None,
        }
    }

    /// The peer relation, if this is one.
    pub fn as_peer(&self) -> Option<&PeerRelation> {
        match self {
            AnyRelation::Peer(r) => Some(r),
            _ => None,
        }
    }

    /// The subordinate relation, if this is one.
    pub fn as_subordinate(&self) -> Option<&SubordinateRelation> {
        match self {
            AnyRelation::Subordinate(r) => Some(r),
            _ => None,
        }
    }

    /// `<endpoint>_relation_created`.
    pub fn created_event(&self) -> Event {
        Event::relation(self.endpoint(), "created", self.id())
    }
    /// `<endpoint>_relation_joined`.
    pub fn joined_event(&self) -> Event {
        Event::relation(self.endpoint(), "joined", self.id())
    }
    /// `<endpoint>_relation_changed`.
    pub fn changed_event(&self) -> Event {
        Event::relation(self.endpoint(), "changed", self.id())
    }
    /// `<endpoint>_relation_departed`.
    pub fn departed_event(&self) -> Event {
        Event::relation(self.endpoint(), "departed", self.id())
    }
    /// `<endpoint>_relation_broken`.
    pub fn broken_event(&self) -> Event {
        Event::relation(self.endpoint(), "broken", self.id())
    }
}

/// The JSON form of any relation, read field by field (so errors keep their paths) and then
/// checked against its `type`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelationJson {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    endpoint: Option<String>,
    interface: Option<String>,
    id: Option<u32>,
    remote_app_name: Option<String>,
    limit: Option<u32>,
    remote_model_uuid: Option<String>,
    local_app_data: Option<Databag>,
    local_unit_data: Option<Databag>,
    remote_app_data: Option<Databag>,
    remote_units_data: Option<BTreeMap<u32, Databag>>,
    peers_data: Option<BTreeMap<u32, Databag>>,
    remote_unit_id: Option<u32>,
    remote_unit_data: Option<Databag>,
}

impl TryFrom<RelationJson> for AnyRelation {
    type Error = String;

    fn try_from(j: RelationJson) -> Result<Self, String> {
        let kind = j.kind.as_deref().unwrap_or("regular");
        let given: [(&str, bool); 7] = [
            ("remote_app_name", j.remote_app_name.is_some()),
            ("limit", j.limit.is_some()),
            ("remote_model_uuid", j.remote_model_uuid.is_some()),
            ("remote_app_data", j.remote_app_data.is_some()),
            ("remote_units_data", j.remote_units_data.is_some()),
            ("peers_data", j.peers_data.is_some()),
            (
                "remote_unit_id",
                j.remote_unit_id.is_some() || j.remote_unit_data.is_some(),
            ),
        ];
        let allowed: &[&str] = match kind {
            "regular" => &[
                "remote_app_name",
                "limit",
                "remote_model_uuid",
                "remote_app_data",
                "remote_units_data",
            ],
            "peer" => &["peers_data"],
            "subordinate" => &["remote_app_name", "remote_app_data", "remote_unit_id"],
            other => {
                return Err(format!(
                    "unknown relation type {other:?}, expected \"regular\", \"peer\" or \"subordinate\""
                ))
            }
        };
        if let Some((field, _)) = given
            .iter()
            .find(|(field, present)| *present && !allowed.contains(field))
        {
            let field = if *field == "remote_unit_id" && j.remote_unit_id.is_none() {
                "remote_unit_data"
            } else {
                field
            };
            return Err(format!("`{field}` is not a field of a {kind} relation"));
        }
        let endpoint = j
            .endpoint
            .ok_or_else(|| "missing field `endpoint`".to_owned())?;
        Ok(match kind {
            "regular" => {
                let d = Relation::default();
                AnyRelation::Regular(Relation {
                    endpoint,
                    interface: j.interface,
                    id: j.id,
                    remote_app_name: j.remote_app_name.unwrap_or(d.remote_app_name),
                    limit: j.limit.unwrap_or(d.limit),
                    remote_model_uuid: j.remote_model_uuid,
                    local_app_data: j.local_app_data.unwrap_or(d.local_app_data),
                    local_unit_data: j.local_unit_data.unwrap_or(d.local_unit_data),
                    remote_app_data: j.remote_app_data.unwrap_or(d.remote_app_data),
                    remote_units_data: j.remote_units_data.unwrap_or(d.remote_units_data),
                })
            }
            "peer" => {
                let d = PeerRelation::default();
                AnyRelation::Peer(PeerRelation {
                    endpoint,
                    interface: j.interface,
                    id: j.id,
                    local_app_data: j.local_app_data.unwrap_or(d.local_app_data),
                    local_unit_data: j.local_unit_data.unwrap_or(d.local_unit_data),
                    peers_data: j.peers_data.unwrap_or(d.peers_data),
                })
            }
            _ => {
                let d = SubordinateRelation::default();
                AnyRelation::Subordinate(SubordinateRelation {
                    endpoint,
                    interface: j.interface,
                    id: j.id,
                    remote_app_name: j.remote_app_name.unwrap_or(d.remote_app_name),
                    local_app_data: j.local_app_data.unwrap_or(d.local_app_data),
                    local_unit_data: j.local_unit_data.unwrap_or(d.local_unit_data),
                    remote_app_data: j.remote_app_data.unwrap_or(d.remote_app_data),
                    remote_unit_id: j.remote_unit_id.unwrap_or(d.remote_unit_id),
                    remote_unit_data: j.remote_unit_data.unwrap_or(d.remote_unit_data),
                })
            }
        })
    }
}

/// The ids a State's relations end up with: explicit ids as given; the others numbered in
/// order with the lowest free id from 1 up (see the module docs).
pub(crate) fn effective_ids(relations: &[AnyRelation]) -> Vec<u32> {
    let explicit: std::collections::BTreeSet<u32> =
        relations.iter().filter_map(AnyRelation::id).collect();
    let mut next = 1;
    relations
        .iter()
        .map(|r| match r.id() {
            Some(id) => id,
            None => {
                while explicit.contains(&next) {
                    next += 1;
                }
                next += 1;
                next - 1
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_ops_testing() {
        let r = Relation::new("db");
        assert_eq!(r.remote_app_name, "remote");
        assert_eq!(r.remote_units_data.keys().collect::<Vec<_>>(), [&0]);
        assert_eq!(r.local_unit_data, default_unit_databag());
        assert!(r.local_app_data.is_empty() && r.remote_app_data.is_empty());
        assert!(PeerRelation::new("cluster").peers_data.is_empty());
        let s = SubordinateRelation::new("juju-info");
        assert_eq!(s.remote_unit_name(), "remote/0");
        assert_eq!(s.remote_unit_data, default_unit_databag());
    }

    #[test]
    fn ids_are_numbered_around_explicit_ones() {
        let relations: Vec<AnyRelation> = vec![
            Relation::new("a").into(),
            PeerRelation::new("b").id(1).into(),
            Relation::new("c").into(),
            Relation::new("d").id(3).into(),
            Relation::new("e").into(),
        ];
        assert_eq!(effective_ids(&relations), [2, 1, 4, 3, 5]);
    }

    #[test]
    fn json_takes_the_type_and_rejects_fields_of_other_kinds() {
        let r: AnyRelation =
            serde_json::from_str(r#"{"endpoint": "db", "remote_units_data": {"1": {"k": "v"}}}"#)
                .unwrap();
        let AnyRelation::Regular(r) = r else { panic!() };
        assert_eq!(r.remote_units_data[&1]["k"], "v");
        let p: AnyRelation =
            serde_json::from_str(r#"{"type": "peer", "endpoint": "c", "peers_data": {"2": {}}}"#)
                .unwrap();
        assert_eq!(p.remote_unit_ids(), [2]);
        let err = serde_json::from_str::<AnyRelation>(
            r#"{"type": "peer", "endpoint": "c", "remote_app_data": {}}"#,
        )
        .unwrap_err();
        assert!(err
            .to_string()
            .contains("`remote_app_data` is not a field of a peer relation"));
        let err = serde_json::from_str::<AnyRelation>(r#"{"endpoint": "c", "peers_dta": {}}"#)
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown field `peers_dta`"),
            "{err}"
        );
    }

    #[test]
    fn json_round_trips_every_kind() {
        for r in [
            AnyRelation::from(Relation::new("db").id(3).remote_model_uuid("u")),
            PeerRelation::new("c").peers([1, 2]).into(),
            SubordinateRelation::new("j").remote_unit_id(4).into(),
        ] {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(
                serde_json::from_str::<AnyRelation>(&json).unwrap(),
                r,
                "{json}"
            );
        }
    }
}
