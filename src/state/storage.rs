//! Storage instances attached to the unit, resources given to the charm, and opened ports.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::State;

/// One storage instance (`storage:` in the metadata) attached to the unit.
///
/// JSON form: `{"name": "data", "index": 0}`. ops.testing numbers storages from a process-wide
/// counter; here the index defaults to 0, so give each further instance of the same storage
/// its index.
///
/// The instance's filesystem (`storage-get location`) is a directory on the host that the
/// Context makes the first time the charm (or the test) asks for it, and keeps until the
/// Context is dropped.
///
/// ```
/// # use ops_scenario::{State, Storage};
/// let data = Storage::new("data").index(1);
/// let state = State::default().storages([Storage::new("data"), data.clone()]);
/// let event = data.attached_event();
/// assert_eq!(event.name, "data_storage_attached");
/// assert_eq!(state.storages.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// The storage name in the metadata.
    pub name: String,
    /// The instance's index. Defaults to 0.
    #[serde(default)]
    pub index: u32,
}

impl Storage {
    /// Instance 0 of the storage `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Storage {
            name: name.into(),
            index: 0,
        }
    }

    /// Set the instance's index.
    pub fn index(mut self, index: u32) -> Self {
        self.index = index;
        self
    }

    /// The instance's id as Juju writes it: `data/0`.
    pub fn full_id(&self) -> String {
        format!("{}/{}", self.name, self.index)
    }
}

/// A resource the charm can fetch (`resources:` in the metadata), as a file on the host.
///
/// JSON form: `{"name": "bin", "path": "path/to/file"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// The resource name in the metadata.
    pub name: String,
    /// The file `resource-get` gives, as written (a relative path in a case file is relative
    /// to the case file; from Rust, to the test's working directory).
    pub path: PathBuf,
}

impl Resource {
    /// The resource `name`, whose file is at `path`.
    pub fn new(name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Resource {
            name: name.into(),
            path: path.into(),
        }
    }
}

/// A port's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP (no port number).
    Icmp,
}

impl Protocol {
    /// The name Juju and ops use: `tcp`, `udp` or `icmp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
        }
    }

    /// The protocol named `name` (lower case, as ops passes it).
    pub(crate) fn parse(name: &str) -> Option<Self> {
        match name {
            "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            "icmp" => Some(Protocol::Icmp),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A port the unit has opened (ops' `Port`, ops.testing's `TCPPort`, `UDPPort`, `ICMPPort`).
///
/// JSON form: `{"protocol": "tcp", "port": 8080}`, and `{"protocol": "icmp"}` for ICMP. A TCP
/// or UDP port needs a number from 1 to 65535 and an ICMP one has none; the consistency
/// checker reports a State that breaks this (the fields are public, so it can be built).
///
/// ```
/// # use ops_scenario::{Port, Protocol};
/// assert_eq!(Port::tcp(8080).to_string(), "8080/tcp");
/// assert_eq!(Port::icmp().port, None);
/// assert_eq!(Port::udp(53).protocol, Protocol::Udp);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Port {
    /// The protocol.
    pub protocol: Protocol,
    /// The port number (1-65535); none for ICMP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl Port {
    /// The TCP port `port`.
    pub fn tcp(port: u16) -> Self {
        Port {
            protocol: Protocol::Tcp,
            port: Some(port),
        }
    }

    /// The UDP port `port`.
    pub fn udp(port: u16) -> Self {
        Port {
            protocol: Protocol::Udp,
            port: Some(port),
        }
    }

    /// ICMP.
    pub fn icmp() -> Self {
        Port {
            protocol: Protocol::Icmp,
            port: None,
        }
    }

    /// What is wrong with this port, if anything: TCP and UDP need a number from 1 to 65535,
    /// ICMP has none.
    pub(crate) fn problem(&self) -> Option<String> {
        match (self.protocol, self.port) {
            (Protocol::Icmp, Some(n)) => Some(format!("an ICMP port has no number (it has {n})")),
            (Protocol::Icmp, None) => None,
            (p, None) => Some(format!(
                "a {} port needs a number",
                p.as_str().to_uppercase()
            )),
            (_, Some(0)) => Some("port numbers go from 1 to 65535 (it has 0)".to_owned()),
            (_, Some(_)) => None,
        }
    }
}

impl fmt::Display for Port {
    /// As Juju writes it: `8080/tcp`, or `icmp`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(n) => write!(f, "{n}/{}", self.protocol),
            None => f.write_str(self.protocol.as_str()),
        }
    }
}

impl State {
    /// Add attached storage instances.
    pub fn storages(mut self, storages: impl IntoIterator<Item = Storage>) -> Self {
        self.storages.extend(storages);
        self
    }

    /// Add opened ports.
    ///
    /// ```
    /// # use ops_scenario::{Port, State};
    /// let state = State::default().opened_ports([Port::tcp(8080), Port::icmp()]);
    /// assert_eq!(state.opened_ports.len(), 2);
    /// ```
    pub fn opened_ports(mut self, ports: impl IntoIterator<Item = Port>) -> Self {
        self.opened_ports.extend(ports);
        self
    }

    /// Add resources.
    pub fn resources(mut self, resources: impl IntoIterator<Item = Resource>) -> Self {
        self.resources.extend(resources);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_round_trip_as_json_and_validate() {
        let json = serde_json::to_value([Port::tcp(80), Port::icmp()]).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"protocol": "tcp", "port": 80}, {"protocol": "icmp"}])
        );
        let back: Vec<Port> = serde_json::from_value(json).unwrap();
        assert_eq!(back, [Port::tcp(80), Port::icmp()]);
        assert_eq!(Port::udp(53).problem(), None);
        assert!(Port::tcp(0).problem().is_some());
        let bad = Port {
            protocol: Protocol::Icmp,
            port: Some(1),
        };
        assert!(bad.problem().is_some());
        let bad = Port {
            protocol: Protocol::Udp,
            port: None,
        };
        assert_eq!(bad.problem().unwrap(), "a UDP port needs a number");
        assert_eq!(Protocol::parse("icmp"), Some(Protocol::Icmp));
        assert_eq!(Protocol::parse("TCP"), None);
    }
}
