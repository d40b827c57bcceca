//! `network-get`: a binding's addresses, from the State or the default network.

use std::borrow::Cow;

use super::relation::relation_not_found;
use super::{refused, HookToolError, HookTools};
use crate::state::Network;

impl HookTools {
    /// `network-get <binding> [-r <id>]`. The binding must be a relation endpoint (a
    /// container-scoped one too), an extra-binding, or `juju-info`; a binding the State gives
    /// no network for gets the default network.
    ///
    /// Juju binds every endpoint of the metadata, whatever its scope, and every
    /// extra-binding (`DefaultEndpointBindingsForCharm` over `Meta.CombinedRelations`,
    /// `state/endpoint_bindings.go`, 3.x). For another name the controller has no network
    /// info and `NetworkGetCommand.Run` fails with `no network config found for binding %q`
    /// (`internal/worker/uniter/runner/jujuc/network-get.go`, 3.6 and main): ops raises
    /// `ModelError`. A relation id the unit does not know is refused while the command reads
    /// its flags, as for every relation hook tool ([`relation_not_found`]): ops'
    /// `RelationNotFoundError` (ops then asks again without the id).
    pub fn network_get(
        &self,
        binding: &str,
        relation_id: Option<u32>,
    ) -> Result<Cow<'_, Network>, HookToolError> {
        if let Some(id) = relation_id {
            if !self.state.relations.iter().any(|r| r.id() == Some(id)) {
                return Err(relation_not_found(None, id));
            }
        }
        let known = binding == "juju-info"
            || self.meta.extra_bindings.iter().any(|b| b == binding)
            || self.meta.endpoints.get(binding).is_some();
        if !known {
            return Err(refused(format!(
                "no network config found for binding {binding:?}"
            )));
        }
        Ok(
            match self
                .state
                .networks
                .iter()
                .find(|n| n.binding_name == binding)
            {
                Some(network) => Cow::Borrowed(network),
                None => Cow::Owned(Network::new(binding)),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::super::HookToolError;
    use crate::state::{Address, BindAddress, Network, Relation, State};

    #[test]
    fn bindings_get_the_state_s_network_or_the_default() {
        let custom =
            Network::new("db").bind_addresses([BindAddress::new([Address::new("10.0.0.5")])]);
        let mut state = State::default()
            .networks([custom.clone()])
            .relations([Relation::new("db").id(4)]);
        state.assign_relation_ids();
        let t = tools_with(
            serde_json::json!({
                "name": "demo",
                "requires": {"db": {"interface": "pgsql"}, "sub": {"interface": "x", "scope": "container"}},
                "extra-bindings": {"metrics": null},
            }),
            None,
            state,
        );
        assert_eq!(*t.network_get("db", Some(4)).unwrap(), custom);
        assert_eq!(
            *t.network_get("metrics", None).unwrap(),
            Network::new("metrics")
        );
        assert_eq!(
            *t.network_get("juju-info", None).unwrap(),
            Network::new("juju-info")
        );
        // A container-scoped endpoint is a binding too (Juju binds every endpoint).
        assert_eq!(*t.network_get("sub", None).unwrap(), Network::new("sub"));
        // Another name: Juju's text, which ops raises as ModelError.
        assert_eq!(
            t.network_get("nope", None).unwrap_err(),
            HookToolError::Refused("no network config found for binding \"nope\"".into())
        );
        // A relation id the unit does not know fails first, in the flag parser's words.
        for binding in ["db", "nope"] {
            assert_eq!(
                t.network_get(binding, Some(9)).unwrap_err(),
                HookToolError::RelationNotFound(
                    "ERROR invalid value \"9\" for option -r: relation not found\n".into()
                ),
                "{binding}"
            );
        }
    }
}
