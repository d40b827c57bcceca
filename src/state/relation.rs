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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
}
