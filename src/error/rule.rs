//! [`Rule`]: every rule of the consistency checker, by its stable id.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The rules, each with its id and what it checks (the first doc line is the id).
macro_rules! rules {
    ($($(#[doc = $doc:literal])+ $variant:ident = $id:literal,)+) => {
        /// A rule of the consistency checker: what a [`Violation`](crate::Violation) broke.
        ///
        /// Each rule has a stable id (`config.type`), the `rule` of a violation in JSON and in
        /// reports: the area (`config`, `relation`, `secret`, ...) and what is wrong. The ids
        /// are listed below with what each rule checks; [`Rule::ALL`] lists them in order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Rule {
            /// Every rule, in the order of this list.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),+];

            /// The rule's stable id: `config.type`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)+
                }
            }

            /// The rule with this id, if there is one.
            pub fn from_id(id: &str) -> Option<Rule> {
                match id {
                    $($id => Some(Rule::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

rules! {
    /// `action.missing`: an action event names no action to run.
    ActionMissing = "action.missing",
    /// `action.name`: the metadata declares an action whose name Juju refuses.
    ActionName = "action.name",
    /// `action.name_mismatch`: the event's name and its action's name disagree.
    ActionNameMismatch = "action.name_mismatch",
    /// `action.param_enum`: a parameter's value is not one of its `enum`.
    ActionParamEnum = "action.param_enum",
    /// `action.param_required`: a required parameter is not given (Juju refuses to run the
    /// action, even when the parameter has a default).
    ActionParamRequired = "action.param_required",
    /// `action.param_type`: a parameter's value is not of its declared JSON Schema type.
    ActionParamType = "action.param_type",
    /// `action.param_type_missing`: a parameter declares no type (a warning).
    ActionParamTypeMissing = "action.param_type_missing",
    /// `action.param_type_unknown`: a parameter's type is not one JSON Schema knows (a warning).
    ActionParamTypeUnknown = "action.param_type_unknown",
    /// `action.param_undeclared`: a parameter the action does not declare, where
    /// `additionalProperties` (false by default on Juju 4) forbids it.
    ActionParamUndeclared = "action.param_undeclared",
    /// `config.missing_type`: a config option set in the State declares no type.
    ConfigMissingType = "config.missing_type",
    /// `config.secret_id`: a `secret` option's value is not a secret id.
    ConfigSecretId = "config.secret_id",
    /// `config.type`: a config value is not of its option's type.
    ConfigType = "config.type",
    /// `config.undeclared`: a config option the charm does not declare.
    ConfigUndeclared = "config.undeclared",
    /// `config.unknown_type`: an option's type is not one Juju knows (or `secret` before
    /// Juju 3.4).
    ConfigUnknownType = "config.unknown_type",
    /// `container.cannot_connect`: `pebble-ready` for a container that cannot connect.
    ContainerCannotConnect = "container.cannot_connect",
    /// `container.check_info`: a check info Pebble could not report (a bad threshold, a
    /// status its level cannot have, ...).
    ContainerCheckInfo = "container.check_info",
    /// `container.check_missing`: a check event that names no check.
    ContainerCheckMissing = "container.check_missing",
    /// `container.check_not_found`: a check event for a check not in the container's
    /// `check_infos`.
    ContainerCheckNotFound = "container.check_not_found",
    /// `container.duplicate`: two containers with one name.
    ContainerDuplicate = "container.duplicate",
    /// `container.duplicate_exec`: two execs with one command prefix.
    ContainerDuplicateExec = "container.duplicate_exec",
    /// `container.duplicate_notice`: two notices with one id.
    ContainerDuplicateNotice = "container.duplicate_notice",
    /// `container.file`: a file path that is not absolute.
    ContainerFile = "container.file",
    /// `container.missing`: a Pebble event for a container not in the State.
    ContainerMissing = "container.missing",
    /// `container.mount`: a mount location that is not absolute.
    ContainerMount = "container.mount",
    /// `container.name`: the metadata declares a container whose name Juju refuses (not a
    /// DNS label).
    ContainerName = "container.name",
    /// `container.notice_missing`: a custom-notice event that names no notice, where the
    /// container has not exactly one.
    ContainerNoticeMissing = "container.notice_missing",
    /// `container.notice_not_found`: a custom-notice event for a notice the container does
    /// not have.
    ContainerNoticeNotFound = "container.notice_not_found",
    /// `container.undeclared`: a container the charm's metadata does not declare.
    ContainerUndeclared = "container.undeclared",
    /// `context.juju_version`: the Context's Juju version is not a version.
    ContextJujuVersion = "context.juju_version",
    /// `deferred.handle_path`: a deferred event's handle path is not one ops writes.
    DeferredHandlePath = "deferred.handle_path",
    /// `deferred.relation`: a deferred relation event whose relation cannot be told.
    DeferredRelation = "deferred.relation",
    /// `deferred.unstorable`: a deferred event's snapshot holds what ops cannot store.
    DeferredUnstorable = "deferred.unstorable",
    /// `event.args`: the event gives what its kind cannot have (arguments to a Juju event,
    /// a relation id to a non-relation event, an action to a non-action event, ...).
    EventArgs = "event.args",
    /// `event.collect_metrics`: `collect-metrics` on a Juju that no longer sends it.
    EventCollectMetrics = "event.collect_metrics",
    /// `event.custom`: the event is not a Juju event, so it is taken as a custom event (a
    /// warning).
    EventCustom = "event.custom",
    /// `event.name`: the event's name is not a Python identifier.
    EventName = "event.name",
    /// `event.not_in_juju`: an event the Context's Juju version never dispatches (series
    /// upgrades, metrics and leader settings are gone from Juju 4).
    EventNotInJuju = "event.not_in_juju",
    /// `event.unknown`: an event derived from metadata the charm does not declare
    /// (`dbb_relation_changed`, an undeclared action).
    EventUnknown = "event.unknown",
    /// `model.cloud_spec`: the model's cloud spec has no type.
    ModelCloudSpec = "model.cloud_spec",
    /// `network.binding`: a network for a binding the charm does not have.
    NetworkBinding = "network.binding",
    /// `network.duplicate`: two networks for one binding.
    NetworkDuplicate = "network.duplicate",
    /// `network.extra_binding`: an extra-binding with the name of an endpoint.
    NetworkExtraBinding = "network.extra_binding",
    /// `port.duplicate`: a port opened twice.
    PortDuplicate = "port.duplicate",
    /// `port.invalid`: a port out of range, or a port number for ICMP.
    PortInvalid = "port.invalid",
    /// `relation.ambiguous`: a relation event without an id, with several relations on its
    /// endpoint.
    RelationAmbiguous = "relation.ambiguous",
    /// `relation.departing_unit`: a departing unit on a hook other than relation-departed.
    RelationDepartingUnit = "relation.departing_unit",
    /// `relation.duplicate_id`: two relations with one id.
    RelationDuplicateId = "relation.duplicate_id",
    /// `relation.endpoint`: a relation on an endpoint the charm does not declare.
    RelationEndpoint = "relation.endpoint",
    /// `relation.endpoint_mismatch`: a relation event whose relation (by id) is on another
    /// endpoint.
    RelationEndpointMismatch = "relation.endpoint_mismatch",
    /// `relation.endpoint_name`: the metadata declares an endpoint whose name Juju refuses.
    RelationEndpointName = "relation.endpoint_name",
    /// `relation.interface` (a warning): a relation's interface is not its endpoint's.
    RelationInterface = "relation.interface",
    /// `relation.kind`: a relation of the wrong kind for its endpoint (peer, subordinate,
    /// regular).
    RelationKind = "relation.kind",
    /// `relation.limit`: more relations on an endpoint than its `limit` (a warning).
    RelationLimit = "relation.limit",
    /// `relation.missing`: a relation event with no relation on its endpoint.
    RelationMissing = "relation.missing",
    /// `relation.no_remote_unit`: a hook that needs a remote unit, on a relation with none.
    RelationNoRemoteUnit = "relation.no_remote_unit",
    /// `relation.not_in_state`: a relation event for a relation id not in the State.
    RelationNotInState = "relation.not_in_state",
    /// `relation.peer_is_self`: a peer relation whose peers include the unit under test.
    RelationPeerIsSelf = "relation.peer_is_self",
    /// `relation.remote_unit`: a remote unit on a hook Juju gives none (created, broken).
    RelationRemoteUnit = "relation.remote_unit",
    /// `relation.remote_unit_defaulted`: no remote unit given, and the first of several is
    /// used (a warning).
    RelationRemoteUnitDefaulted = "relation.remote_unit_defaulted",
    /// `relation.unit_unknown`: the event names a remote or departing unit the relation does
    /// not have.
    RelationUnitUnknown = "relation.unit_unknown",
    /// `resource.duplicate`: a resource given twice.
    ResourceDuplicate = "resource.duplicate",
    /// `resource.undeclared`: a resource the charm's metadata does not declare.
    ResourceUndeclared = "resource.undeclared",
    /// `run.thread_left`: a thread the charm started was still running when its hook ended (a
    /// warning the run adds, not the checker): under Juju the hook's process would wait for it
    /// (a daemon thread would be killed), here it runs on beside later runs.
    RunThreadLeft = "run.thread_left",
    /// `secret.content_empty`: a secret revision with no keys.
    SecretContentEmpty = "secret.content_empty",
    /// `secret.content_key`: a secret key Juju does not allow.
    SecretContentKey = "secret.content_key",
    /// `secret.duplicate_id`: two secrets with one id.
    SecretDuplicateId = "secret.duplicate_id",
    /// `secret.duplicate_label`: one label on two secrets of the same side.
    SecretDuplicateLabel = "secret.duplicate_label",
    /// `secret.event_secret`: a secret event that names no secret.
    SecretEventSecret = "secret.event_secret",
    /// `secret.expire`: an expiry that is not a date-time Juju reads.
    SecretExpire = "secret.expire",
    /// `secret.grants`: grants on a secret this unit does not own, or on relations not in the
    /// State.
    SecretGrants = "secret.grants",
    /// `secret.id`: a secret id that is not one.
    SecretId = "secret.id",
    /// `secret.juju_version`: secrets before Juju 3.0.2.
    SecretJujuVersion = "secret.juju_version",
    /// `secret.no_new_revision`: `secret-changed` where the tracked revision is the latest.
    SecretNoNewRevision = "secret.no_new_revision",
    /// `secret.not_in_state`: a secret event for a secret not in the State.
    SecretNotInState = "secret.not_in_state",
    /// `secret.not_leader`: an owner's event for an application secret on a unit that is
    /// not the leader.
    SecretNotLeader = "secret.not_leader",
    /// `secret.not_owned`: an owner's event (rotate, expired, remove) for a secret this unit
    /// does not own.
    SecretNotOwned = "secret.not_owned",
    /// `secret.owned`: `secret-changed` for a secret this unit manages (its own, or as the
    /// leader its application's).
    SecretOwned = "secret.owned",
    /// `secret.remove_latest`: `secret-remove` for the latest revision.
    SecretRemoveLatest = "secret.remove_latest",
    /// `secret.revision`: revisions that cannot be (0, or the tracked after the latest).
    SecretRevision = "secret.revision",
    /// `secret.revision_missing`: `secret-expired` or `secret-remove` without a revision.
    SecretRevisionMissing = "secret.revision_missing",
    /// `secret.revision_unexpected`: a revision on a secret event Juju gives none.
    SecretRevisionUnexpected = "secret.revision_unexpected",
    /// `secret.revision_unknown`: a revision the secret does not have.
    SecretRevisionUnknown = "secret.revision_unknown",
    /// `storage.count`: more instances of a storage than its metadata allows.
    StorageCount = "storage.count",
    /// `storage.duplicate`: a storage instance given twice.
    StorageDuplicate = "storage.duplicate",
    /// `storage.event_mismatch`: a storage event whose instance is of another storage.
    StorageEventMismatch = "storage.event_mismatch",
    /// `storage.missing`: a storage event that names no instance.
    StorageMissing = "storage.missing",
    /// `storage.name`: the metadata declares a storage whose name Juju refuses.
    StorageName = "storage.name",
    /// `storage.not_in_state`: a storage event for an instance not in the State.
    StorageNotInState = "storage.not_in_state",
    /// `storage.undeclared`: a storage the charm's metadata does not declare.
    StorageUndeclared = "storage.undeclared",
    /// `stored_state.duplicate`: one stored state given twice.
    StoredStateDuplicate = "stored_state.duplicate",
    /// `stored_state.type`: a value a charm cannot assign to a StoredState attribute (a
    /// warning).
    StoredStateType = "stored_state.type",
    /// `stored_state.unstorable`: a value ops cannot store.
    StoredStateUnstorable = "stored_state.unstorable",
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        Rule::from_id(&id).ok_or_else(|| {
            serde::de::Error::custom(format!("{id:?} is not a rule id of the checker"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_read_back() {
        let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "the list is kept in id order, without repeats");
        for rule in Rule::ALL {
            assert_eq!(Rule::from_id(rule.id()), Some(*rule));
            let json = serde_json::to_value(rule).unwrap();
            assert_eq!(json, rule.id());
            assert_eq!(serde_json::from_value::<Rule>(json).unwrap(), *rule);
        }
        assert!(serde_json::from_value::<Rule>("config.typo".into()).is_err());
    }
}
