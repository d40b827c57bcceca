//! The unit's networks: `network-get --format json <binding>`, run in the unit with
//! `juju exec`, for `juju-info`, every extra-binding and every endpoint (not container-scoped)
//! the unit has a relation on.
//!
//! Shape (internal/worker/uniter/runner/jujuc/network-get.go, `networkInfoResultDisplay`):
//! `{"bind-addresses": [{"mac-address": "00:16:3e:...", "interface-name": "eth0",
//! "addresses": [{"hostname": "", "value": "10.0.0.5", "cidr": "10.0.0.0/24"}]}],
//! "egress-subnets": ["10.0.0.5/32"], "ingress-addresses": ["10.0.0.5"]}`, each list left
//! out when empty.

use serde::Deserialize;

use super::runner::Juju;
use crate::error::Result;
use crate::state::{Address, BindAddress, Network};

#[derive(Deserialize)]
struct NetworkInfo {
    #[serde(rename = "bind-addresses", default)]
    bind_addresses: Vec<InterfaceInfo>,
    #[serde(rename = "egress-subnets", default)]
    egress_subnets: Vec<String>,
    #[serde(rename = "ingress-addresses", default)]
    ingress_addresses: Vec<String>,
}

#[derive(Deserialize)]
struct InterfaceInfo {
    #[serde(rename = "mac-address", default)]
    mac_address: String,
    #[serde(rename = "interface-name", default)]
    interface_name: String,
    #[serde(default)]
    addresses: Vec<AddressInfo>,
}

#[derive(Deserialize)]
struct AddressInfo {
    #[serde(default)]
    hostname: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    cidr: String,
}

/// The network of each binding, in the order given.
///
/// # Errors
/// [`Error::Juju`](crate::Error::Juju) when `network-get` fails in the unit.
pub(crate) fn gather(juju: &Juju, unit: &str, bindings: &[String]) -> Result<Vec<Network>> {
    bindings
        .iter()
        .map(|binding| {
            let info: NetworkInfo =
                juju.exec_json(unit, &["network-get", "--format", "json", binding])?;
            let bind_addresses = info.bind_addresses.into_iter().map(|i| {
                let mut bind = BindAddress::new(
                    i.addresses
                        .into_iter()
                        .map(|a| Address::new(a.value).hostname(a.hostname).cidr(a.cidr)),
                )
                .interface_name(i.interface_name);
                if !i.mac_address.is_empty() {
                    bind = bind.mac_address(i.mac_address);
                }
                bind
            });
            Ok(Network::new(binding)
                .bind_addresses(bind_addresses)
                .ingress_addresses(info.ingress_addresses)
                .egress_subnets(info.egress_subnets))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    #[test]
    fn network_get_output_becomes_a_network() {
        let fake = FakeJuju::new().exec(
            "db/0",
            "network-get --format json juju-info",
            r#"{"bind-addresses":[{"mac-address":"00:16:3e:aa:bb:cc","interface-name":"eth0","addresses":[{"hostname":"","value":"10.0.0.5","cidr":"10.0.0.0/24"}]}],"egress-subnets":["10.0.0.5/32"],"ingress-addresses":["10.0.0.5"]}"#,
        );
        let got = gather(&Juju::new(&fake, None), "db/0", &["juju-info".into()]).unwrap();
        assert_eq!(
            got,
            [Network::new("juju-info")
                .bind_addresses([
                    BindAddress::new([Address::new("10.0.0.5").cidr("10.0.0.0/24")])
                        .interface_name("eth0")
                        .mac_address("00:16:3e:aa:bb:cc")
                ])
                .ingress_addresses(["10.0.0.5"])
                .egress_subnets(["10.0.0.5/32"])]
        );
    }
}
