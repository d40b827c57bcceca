//! [`AnyRelation`]: a relation of any kind, as `State.relations` holds them; its JSON form
//! (the fields plus `"type"`); and the State's rule for relation ids left out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::relation::{Databag, PeerRelation, Relation, SubordinateRelation};

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
