//! `network-get`: a binding's addresses, from the State or the default network.

use std::borrow::Cow;

use super::{HookToolError, HookTools};
use crate::state::Network;

impl HookTools {
    /// `network-get <binding> [-r <id>]`. The binding must be a relation endpoint that is not
    /// container-scoped, an extra-binding, or `juju-info`; a binding the State gives no
    /// network for gets the default network. With a relation id, the relation must exist (ops
    /// then asks again without it).
    pub fn network_get(
        &self,
        binding: &str,
        relation_id: Option<u32>,
    ) -> Result<Cow<'_, Network>, HookToolError> {
        let endpoint = self.meta.endpoints.get(binding);
        let known = binding == "juju-info"
            || self.meta.extra_bindings.iter().any(|b| b == binding)
            || endpoint.is_some_and(|e| !e.container_scoped);
        if !known {
            let why = if endpoint.is_some() {
                "it is a container-scoped relation endpoint (ask for juju-info instead)"
            } else {
                "it is not a relation endpoint or extra-binding of the charm"
            };
            return Err(HookToolError::RelationNotFound(format!(
                "ERROR no network config found for binding \"{binding}\": {why}\n"
            )));
        }
        if let Some(id) = relation_id {
            if !self.state.relations.iter().any(|r| r.id() == Some(id)) {
                return Err(HookToolError::RelationNotFound(format!(
                    "ERROR relation {id} not found\n"
                )));
            }
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
        for (binding, id) in [("nope", None), ("sub", None), ("db", Some(9))] {
            assert!(
                matches!(
                    t.network_get(binding, id),
                    Err(HookToolError::RelationNotFound(_))
                ),
                "{binding}"
            );
        }
    }
}
