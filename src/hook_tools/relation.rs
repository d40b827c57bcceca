//! `relation-ids`, `relation-list`, `relation-get`, `relation-set` and `relation-model-get`,
//! with Juju's rules for who may read and write which databag.
//!
//! The runtime gives every relation its id before a run, so relations are found by id here.
//!
//! Where Juju and ops.testing differ, these follow Juju: in `relation-departed`,
//! `relation-list` leaves out the departing remote unit (its databag stays readable); in
//! `relation-broken`, the relation has no remote units left.

use super::{refused, HookToolError, HookTools};
use crate::event::RelationHook;
use crate::options::JujuVersion;
use crate::state::{AnyRelation, Databag};

/// Application databags exist from Juju 2.7 on (ops' `JujuVersion.has_app_data`).
const APP_DATA_SINCE: JujuVersion = JujuVersion(2, 7, 0);
/// `relation-model-get` exists from Juju 3.6.2 on.
const RELATION_MODEL_GET_SINCE: JujuVersion = JujuVersion(3, 6, 2);

/// A relation id the unit does not know (gone, or never there). Every relation hook tool
/// (and `network-get`) reads `-r` through `relationIdValue.Set`, which fails with
/// `HookContext.Relation`'s `relation not found` (`internal/worker/uniter/runner/jujuc/
/// context.go` and `runner/context/context.go`, 3.6 and main alike), so the flag parser says
/// `invalid value "<id>" for option -r: relation not found`. ops maps that text to
/// `RelationNotFoundError`: ops 3.9's `_relation_is_gone` matches `relation (\d+ )?not found`,
/// ops 2's `_is_relation_not_found` the substring `relation not found`.
pub(super) fn relation_not_found(endpoint: Option<&str>, id: u32) -> HookToolError {
    let reference = match endpoint {
        Some(endpoint) => format!("{endpoint}:{id}"),
        None => id.to_string(),
    };
    HookToolError::RelationNotFound(format!(
        "ERROR invalid value \"{reference}\" for option -r: relation not found\n"
    ))
}

impl HookTools {
    /// The index in the State of relation `id`, checked against the endpoint ops names with
    /// it (Juju refuses a mismatched `endpoint:id`).
    fn relation_index(&self, id: u32, endpoint: Option<&str>) -> Result<usize, HookToolError> {
        self.state
            .relations
            .iter()
            .position(|r| r.id() == Some(id) && endpoint.is_none_or(|e| e == r.endpoint()))
            .ok_or_else(|| relation_not_found(endpoint, id))
    }

    /// The hook this run is, if it runs for relation `id`.
    fn hook_for(&self, id: u32) -> Option<RelationHook> {
        self.scope
            .relation_event()
            .filter(|e| e.relation_id == id)
            .map(|e| e.hook)
    }

    fn is_own_app(&self, name: &str) -> bool {
        name == self.scope.app_name
    }

    /// `relation-ids <endpoint>`: the ids of the endpoint's relations, in State order.
    pub fn relation_ids(&self, endpoint: &str) -> Vec<u32> {
        self.state
            .relations
            .iter()
            .filter(|r| r.endpoint() == endpoint)
            .filter_map(AnyRelation::id)
            .collect()
    }

    /// `relation-list -r <id>`: the remote units, as `<app>/<n>`. A peer relation leaves out
    /// this unit; `relation-departed` leaves out the departing remote unit; in
    /// `relation-broken` every remote unit has departed.
    pub fn relation_list(
        &self,
        id: u32,
        endpoint: Option<&str>,
    ) -> Result<Vec<String>, HookToolError> {
        let relation = &self.state.relations[self.relation_index(id, endpoint)?];
        let departing = match self.hook_for(id) {
            Some(RelationHook::Broken) => return Ok(Vec::new()),
            Some(RelationHook::Departed) => self
                .scope
                .relation_event()
                .and_then(|e| e.remote_unit.as_deref()),
            _ => None,
        };
        let app = relation.remote_app_name(&self.scope.app_name);
        let is_peer = matches!(relation, AnyRelation::Peer(_));
        Ok(relation
            .remote_unit_ids()
            .into_iter()
            .filter(|n| !(is_peer && *n == self.scope.unit_id))
            .map(|n| format!("{app}/{n}"))
            .filter(|name| Some(name.as_str()) != departing)
            .collect())
    }

    /// The remote application of relation `id` (this application for a peer relation), or
    /// `None` if there is no such relation, as ops expects.
    pub fn relation_remote_app_name(&self, id: u32, endpoint: Option<&str>) -> Option<&str> {
        let index = self.relation_index(id, endpoint).ok()?;
        Some(self.state.relations[index].remote_app_name(&self.scope.app_name))
    }

    /// `relation-get -r <id> - <member> [--app]`: a unit's or an application's databag.
    ///
    /// Juju's read rules: this unit's own bag, the remote application's bag and every remote
    /// unit's bag are readable; this application's bag only by the leader, except in a peer
    /// relation, where all units share it.
    pub fn relation_get(
        &self,
        id: u32,
        member: &str,
        is_app: bool,
        endpoint: Option<&str>,
    ) -> Result<&Databag, HookToolError> {
        if is_app && self.scope.juju < APP_DATA_SINCE {
            return Err(HookToolError::OpsRefused(format!(
                "getting application data is not supported on Juju version {}",
                self.scope.juju
            )));
        }
        let relation = &self.state.relations[self.relation_index(id, endpoint)?];
        let remote_app = relation.remote_app_name(&self.scope.app_name);
        if is_app {
            if self.is_own_app(member) {
                if matches!(relation, AnyRelation::Peer(_)) || self.state.leader {
                    return Ok(relation.local_app_data());
                }
                return Err(refused("permission denied"));
            }
            if member == remote_app {
                return Ok(relation.remote_app_data());
            }
            return Err(refused("permission denied"));
        }
        if member == self.scope.unit_name {
            return Ok(relation.local_unit_data());
        }
        let unit = member
            .strip_prefix(remote_app)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|n| n.parse::<u32>().ok());
        unit.and_then(|n| relation.remote_unit_data(n))
            .ok_or_else(|| {
                refused(format!(
                    "cannot read settings for unit \"{member}\" in relation \"{}:{id}\": unit \"{member}\": settings not found",
                    relation.endpoint()
                ))
            })
    }

    /// The endpoint of relation `id` if `member`'s databag (as `relation-get` names it) is a
    /// remote one: the remote application's, a remote unit's or a peer unit's; `None` for this
    /// unit's and this application's own bags, and for a relation not in the State. A run that
    /// records reads notes the keys looked up in remote bags only: those are what a State
    /// gives the charm, where its own bags are what it writes.
    pub fn remote_bag_endpoint(
        &self,
        id: u32,
        member: &str,
        is_app: bool,
        endpoint: Option<&str>,
    ) -> Option<&str> {
        let own = if is_app {
            self.is_own_app(member)
        } else {
            member == self.scope.unit_name
        };
        if own {
            return None;
        }
        let index = self.relation_index(id, endpoint).ok()?;
        Some(self.state.relations[index].endpoint())
    }

    /// `relation-set -r <id> [--app]`: write this unit's databag, or as leader this
    /// application's; an empty value deletes the key.
    pub fn relation_set(
        &mut self,
        id: u32,
        data: impl IntoIterator<Item = (String, String)>,
        is_app: bool,
        endpoint: Option<&str>,
    ) -> Result<(), HookToolError> {
        let mut data = data.into_iter().peekable();
        if data.peek().is_none() {
            return Err(HookToolError::InvalidArgument(
                "at least one key:value pair is required for relation-set".into(),
            ));
        }
        if is_app && self.scope.juju < APP_DATA_SINCE {
            return Err(HookToolError::OpsRefused(format!(
                "setting application data is not supported on Juju version {}",
                self.scope.juju
            )));
        }
        let index = self.relation_index(id, endpoint)?;
        if is_app && !self.state.leader {
            return Err(refused("permission denied"));
        }
        let bag = self.state.relations[index].local_data_mut(is_app);
        for (key, value) in data {
            if value.is_empty() {
                bag.remove(&key);
            } else {
                bag.insert(key, value);
            }
        }
        Ok(())
    }

    /// `relation-model-get -r <id>`: the uuid of the model the remote application is in.
    pub fn relation_model_get(
        &self,
        id: u32,
        endpoint: Option<&str>,
    ) -> Result<&str, HookToolError> {
        if self.scope.juju < RELATION_MODEL_GET_SINCE {
            return Err(refused(format!(
                "relation-model-get is not available on Juju {} (it needs Juju 3.6.2 or later)",
                self.scope.juju
            )));
        }
        let relation = &self.state.relations[self.relation_index(id, endpoint)?];
        Ok(match relation {
            AnyRelation::Regular(r) => r.remote_model_uuid.as_deref(),
            _ => None,
        }
        .unwrap_or(&self.state.model.uuid))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::super::{HookToolError, HookTools};
    use super::*;
    use crate::event::{RelationEventScope, RemoteUnitChoice};
    use crate::state::{PeerRelation, Relation, State, SubordinateRelation};

    fn meta() -> serde_json::Value {
        serde_json::json!({
            "name": "demo",
            "requires": {"db": {"interface": "pgsql"}, "info": {"interface": "juju-info", "scope": "container"}},
            "peers": {"cluster": {"interface": "demo-peers"}},
        })
    }

    fn tools(mut state: State) -> HookTools {
        state.assign_relation_ids();
        tools_with(meta(), None, state)
    }

    fn db() -> Relation {
        Relation::new("db")
            .id(1)
            .remote_app_name("pg")
            .remote_app_data([("host", "h")])
            .remote_units([0, 1])
            .remote_unit_data(1, [("k", "v")])
    }

    fn set(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ids_and_units_are_listed_per_relation_kind() {
        let t = tools(
            State::default()
                .relations([db()])
                .relations([PeerRelation::new("cluster").id(2).peers([0, 1, 2])])
                .relations([SubordinateRelation::new("info")
                    .id(3)
                    .remote_app_name("ubuntu")
                    .remote_unit_id(4)]),
        );
        assert_eq!(t.relation_ids("db"), [1]);
        assert_eq!(t.relation_list(1, Some("db")).unwrap(), ["pg/0", "pg/1"]);
        // A peer relation never lists this unit (demo/0).
        assert_eq!(t.relation_list(2, None).unwrap(), ["demo/1", "demo/2"]);
        assert_eq!(t.relation_list(3, None).unwrap(), ["ubuntu/4"]);
        assert_eq!(t.relation_remote_app_name(2, None), Some("demo"));
        assert_eq!(t.relation_remote_app_name(9, None), None);
        assert!(matches!(
            t.relation_list(1, Some("cluster")),
            Err(HookToolError::RelationNotFound(_))
        ));
    }

    #[test]
    fn remote_bags_are_the_other_side_and_the_peers() {
        let t = tools(
            State::default()
                .relations([db()])
                .relations([PeerRelation::new("cluster").id(2).peers([1])]),
        );
        assert_eq!(t.remote_bag_endpoint(1, "pg", true, None), Some("db"));
        assert_eq!(
            t.remote_bag_endpoint(1, "pg/1", false, Some("db")),
            Some("db")
        );
        assert_eq!(
            t.remote_bag_endpoint(2, "demo/1", false, None),
            Some("cluster")
        );
        // This unit's and this application's bags (the peers' shared one too) are not remote.
        assert_eq!(t.remote_bag_endpoint(1, "demo/0", false, None), None);
        assert_eq!(t.remote_bag_endpoint(1, "demo", true, None), None);
        assert_eq!(t.remote_bag_endpoint(2, "demo", true, None), None);
        assert_eq!(t.remote_bag_endpoint(9, "pg", true, None), None);
    }

    #[test]
    fn departed_leaves_out_the_departing_unit_and_broken_has_none() {
        let mut t = tools(State::default().relations([db()]));
        t.scope.relation = Ok(RelationEventScope {
            index: 0,
            relation_id: 1,
            endpoint: "db".into(),
            hook: RelationHook::Departed,
            remote_app: "pg".into(),
            remote_unit_id: Some(1),
            remote_unit: Some("pg/1".into()),
            departing_unit: Some("pg/1".into()),
            remote_unit_choice: RemoteUnitChoice::Given,
        });
        assert_eq!(t.relation_list(1, None).unwrap(), ["pg/0"]);
        assert_eq!(t.relation_get(1, "pg/1", false, None).unwrap()["k"], "v");
        t.scope.relation.as_mut().unwrap().hook = RelationHook::Broken;
        assert!(t.relation_list(1, None).unwrap().is_empty());
        assert_eq!(t.relation_get(1, "pg", true, None).unwrap()["host"], "h");
    }

    #[test]
    fn read_rules() {
        let follower = tools(State::default().relations([db().local_app_data([("a", "b")])]));
        assert_eq!(
            follower.relation_get(1, "pg", true, None).unwrap()["host"],
            "h"
        );
        assert_eq!(
            follower.relation_get(1, "pg/1", false, None).unwrap()["k"],
            "v"
        );
        assert!(follower.relation_get(1, "demo/0", false, None).is_ok());
        assert_eq!(
            follower.relation_get(1, "demo", true, None).unwrap_err(),
            HookToolError::Refused("permission denied".into())
        );
        let err = follower.relation_get(1, "pg/7", false, None).unwrap_err();
        assert!(err.to_string().contains("settings not found"), "{err}");
        let leader = tools(
            State::default()
                .leader(true)
                .relations([db().local_app_data([("a", "b")])]),
        );
        assert_eq!(
            leader.relation_get(1, "demo", true, None).unwrap()["a"],
            "b"
        );
        // In a peer relation every unit reads the shared application databag.
        let peer = tools(
            State::default().relations([PeerRelation::new("cluster").local_app_data([("x", "y")])]),
        );
        assert_eq!(peer.relation_get(1, "demo", true, None).unwrap()["x"], "y");
    }

    #[test]
    fn write_rules() {
        let mut follower = tools(State::default().relations([db()]));
        follower
            .relation_set(1, set(&[("seen", "1")]), false, Some("db"))
            .unwrap();
        assert_eq!(follower.state.relations[0].local_unit_data()["seen"], "1");
        assert_eq!(
            follower
                .relation_set(1, set(&[("x", "1")]), true, None)
                .unwrap_err(),
            HookToolError::Refused("permission denied".into())
        );
        assert!(matches!(
            follower.relation_set(1, set(&[]), false, None),
            Err(HookToolError::InvalidArgument(_))
        ));
        let mut leader = tools(
            State::default()
                .leader(true)
                .relations([db().local_app_data([("gone", "x")])]),
        );
        leader
            .relation_set(1, set(&[("user", "u"), ("gone", "")]), true, None)
            .unwrap();
        let bag = leader.state.relations[0].local_app_data();
        assert_eq!(bag.get("user").map(String::as_str), Some("u"));
        assert!(!bag.contains_key("gone"), "an empty value deletes the key");
    }

    #[test]
    fn version_gates() {
        let mut t = tools(
            State::default()
                .leader(true)
                .relations([db().remote_model_uuid("other")]),
        );
        assert_eq!(t.relation_model_get(1, None).unwrap(), "other");
        t.scope.juju = JujuVersion(3, 6, 1);
        assert!(matches!(
            t.relation_model_get(1, None),
            Err(HookToolError::Refused(_))
        ));
        t.scope.juju = JujuVersion(2, 6, 0);
        assert!(matches!(
            t.relation_get(1, "pg", true, None),
            Err(HookToolError::OpsRefused(_))
        ));
        assert!(matches!(
            t.relation_set(1, set(&[("a", "b")]), true, None),
            Err(HookToolError::OpsRefused(_))
        ));
        assert!(t.relation_get(1, "pg/0", false, None).is_ok());
    }

    /// A relation id the unit does not know (the relation is gone, or was never there): every
    /// relation tool fails in the flag parser's words, with or without the endpoint ops adds,
    /// which ops 3.9 and 2.x raise as `RelationNotFoundError`.
    #[test]
    fn a_relation_that_is_gone_is_not_found_in_juju_s_words() {
        let mut t = tools(State::default().relations([db()]));
        let gone = |reference: &str| {
            HookToolError::RelationNotFound(format!(
                "ERROR invalid value \"{reference}\" for option -r: relation not found\n"
            ))
        };
        assert_eq!(t.relation_list(7, None).unwrap_err(), gone("7"));
        assert_eq!(
            t.relation_get(7, "pg", true, Some("db")).unwrap_err(),
            gone("db:7")
        );
        assert_eq!(
            t.relation_set(7, set(&[("a", "b")]), false, Some("db"))
                .unwrap_err(),
            gone("db:7")
        );
        assert_eq!(t.relation_model_get(7, None).unwrap_err(), gone("7"));
        assert_eq!(t.relation_remote_app_name(7, None), None);
        // Juju 4 words it the same: `HookContext.Relation` is unchanged there.
        t.scope.juju = JujuVersion(4, 0, 0);
        assert_eq!(t.relation_list(7, None).unwrap_err(), gone("7"));
        assert_eq!(
            t.relation_get(7, "pg", true, Some("db")).unwrap_err(),
            gone("db:7")
        );
        // The wording matches what ops maps: ops 3.9's `relation (\d+ )?not found` and ops 2's
        // substring `relation not found`.
        assert!(gone("7").to_string().contains("relation not found"));
    }
}
