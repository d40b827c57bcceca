//! Networks: what `network-get` reports for a binding (a relation endpoint, an extra-binding,
//! or `juju-info`).
//!
//! A binding the State gives no [`Network`] for gets the default one ops.testing gives:
//! one interface with the address `192.0.2.0`, ingress address `192.0.2.0` and egress subnet
//! `192.0.2.0/24` ([`Network::new`]).

use serde::{Deserialize, Serialize};

use super::relation::DEFAULT_ADDRESS;

/// The network of one binding.
///
/// ```
/// use ops_scenario::{Address, BindAddress, Network};
/// let net = Network::new("db")
///     .bind_addresses([BindAddress::new([Address::new("10.1.2.3").cidr("10.1.2.0/24")])
///         .interface_name("eth0")])
///     .ingress_addresses(["10.1.2.3"]);
/// assert_eq!(net.bind_addresses[0].addresses[0].value, "10.1.2.3");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The binding: an endpoint name, an extra-binding name, or `juju-info`.
    pub binding_name: String,
    /// The addresses the unit has on the binding's space, by interface. Defaults to one
    /// interface (no name) with the address `192.0.2.0`.
    #[serde(default = "default_bind_addresses")]
    pub bind_addresses: Vec<BindAddress>,
    /// The addresses other units should use to reach this one. Defaults to `["192.0.2.0"]`.
    #[serde(default = "default_ingress")]
    pub ingress_addresses: Vec<String>,
    /// The subnets traffic from this unit comes from. Defaults to `["192.0.2.0/24"]`.
    #[serde(default = "default_egress")]
    pub egress_subnets: Vec<String>,
}

fn default_bind_addresses() -> Vec<BindAddress> {
    vec![BindAddress::new([Address::new(DEFAULT_ADDRESS)])]
}

fn default_ingress() -> Vec<String> {
    vec![DEFAULT_ADDRESS.to_owned()]
}

fn default_egress() -> Vec<String> {
    vec![format!("{DEFAULT_ADDRESS}/24")]
}

impl Network {
    /// The default network for `binding_name` (what a binding the State does not list gets).
    pub fn new(binding_name: impl Into<String>) -> Self {
        Network {
            binding_name: binding_name.into(),
            bind_addresses: default_bind_addresses(),
            ingress_addresses: default_ingress(),
            egress_subnets: default_egress(),
        }
    }

    /// Set the bind addresses (replacing the default).
    pub fn bind_addresses(mut self, addresses: impl IntoIterator<Item = BindAddress>) -> Self {
        self.bind_addresses = addresses.into_iter().collect();
        self
    }

    /// Set the ingress addresses (replacing the default).
    pub fn ingress_addresses<S: Into<String>>(
        mut self,
        addresses: impl IntoIterator<Item = S>,
    ) -> Self {
        self.ingress_addresses = addresses.into_iter().map(Into::into).collect();
        self
    }

    /// Set the egress subnets (replacing the default).
    pub fn egress_subnets<S: Into<String>>(mut self, subnets: impl IntoIterator<Item = S>) -> Self {
        self.egress_subnets = subnets.into_iter().map(Into::into).collect();
        self
    }
}

/// The addresses of one network interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BindAddress {
    /// The interface name (`eth0`). Defaults to `""`.
    #[serde(default)]
    pub interface_name: String,
    /// The interface's MAC address. Defaults to `None`.
    #[serde(default)]
    pub mac_address: Option<String>,
    /// The addresses on the interface.
    pub addresses: Vec<Address>,
}

impl BindAddress {
    /// An unnamed interface with these addresses.
    pub fn new(addresses: impl IntoIterator<Item = Address>) -> Self {
        BindAddress {
            interface_name: String::new(),
            mac_address: None,
            addresses: addresses.into_iter().collect(),
        }
    }

    /// Set the interface name.
    pub fn interface_name(mut self, name: impl Into<String>) -> Self {
        self.interface_name = name.into();
        self
    }

    /// Set the MAC address.
    pub fn mac_address(mut self, mac: impl Into<String>) -> Self {
        self.mac_address = Some(mac.into());
        self
    }
}

/// One address on an interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// The IP address (`10.1.2.3`).
    pub value: String,
    /// A host name for it. Defaults to `""`.
    #[serde(default)]
    pub hostname: String,
    /// The address's subnet in CIDR form (`10.1.2.0/24`). Defaults to `""`.
    #[serde(default)]
    pub cidr: String,
}

impl Address {
    /// An address with no host name or CIDR.
    pub fn new(value: impl Into<String>) -> Self {
        Address {
            value: value.into(),
            hostname: String::new(),
            cidr: String::new(),
        }
    }

    /// Set the host name.
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = hostname.into();
        self
    }

    /// Set the CIDR.
    pub fn cidr(mut self, cidr: impl Into<String>) -> Self {
        self.cidr = cidr.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_defaults_are_the_default_network() {
        let n: Network = serde_json::from_str(r#"{"binding_name": "db"}"#).unwrap();
        assert_eq!(n, Network::new("db"));
        assert_eq!(n.egress_subnets, ["192.0.2.0/24"]);
    }
}
