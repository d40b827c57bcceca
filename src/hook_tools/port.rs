//! `open-port`, `close-port` and `opened-ports` on the State's `opened_ports`.
//!
//! ops passes a lower-cased protocol and an optional port number, and runs
//! `open-port <port>/<protocol>` (or `open-port <protocol>` without a number); these check
//! that argument as Juju's `open-port` does, with Juju's messages: TCP and UDP need a port
//! from 1 to 65535, ICMP takes none, and no other protocol exists. Opening an open port and
//! closing a closed one change nothing. ops only ever opens single ports (no ranges), so the
//! State holds single ports; a new port goes after the ones already open.

use super::{refused, HookToolError, HookTools};
use crate::state::{Port, Protocol};

const PORT_FORMAT: &str = "<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp";

/// The port `open-port`/`close-port` would act on for ops' arguments, or Juju's message.
fn parse_port(protocol: &str, port: Option<i64>) -> Result<Port, String> {
    let Some(number) = port else {
        // `open-port tcp`: only `icmp` is valid without a number.
        return match protocol {
            "icmp" => Ok(Port::icmp()),
            other => Err(format!("expected {PORT_FORMAT}; got \"{other}\"")),
        };
    };
    let arg = format!("{number}/{protocol}");
    if protocol.is_empty()
        || !protocol
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(format!("expected {PORT_FORMAT}; got \"{arg}\""));
    }
    if protocol == "icmp" {
        return Err(format!(
            "protocol \"icmp\" doesn't support any ports; got \"{number}\""
        ));
    }
    let Some(n) = u16::try_from(number).ok().filter(|n| *n >= 1) else {
        return Err(format!(
            "port must be in the range [1, 65535]; got \"{number}\""
        ));
    };
    match Protocol::parse(protocol) {
        Some(Protocol::Tcp) => Ok(Port::tcp(n)),
        Some(Protocol::Udp) => Ok(Port::udp(n)),
        _ => Err(format!(
            "protocol must be \"tcp\", \"udp\", or \"icmp\"; got \"{protocol}\""
        )),
    }
}

impl HookTools {
    /// `open-port`: open a port for this unit (nothing changes if it is open already).
    ///
    /// # Errors
    /// `Refused` with Juju's text for a TCP or UDP port without a number or out of range, an
    /// ICMP port with a number, or an unknown protocol.
    pub fn open_port(&mut self, protocol: &str, port: Option<i64>) -> Result<(), HookToolError> {
        let port = parse_port(protocol, port).map_err(refused)?;
        if !self.state.opened_ports.contains(&port) {
            self.state.opened_ports.push(port);
        }
        Ok(())
    }

    /// `close-port`: close a port of this unit (nothing changes if it is not open).
    ///
    /// # Errors
    /// As [`open_port`](Self::open_port).
    pub fn close_port(&mut self, protocol: &str, port: Option<i64>) -> Result<(), HookToolError> {
        let port = parse_port(protocol, port).map_err(refused)?;
        self.state.opened_ports.retain(|p| *p != port);
        Ok(())
    }

    /// `opened-ports`: the unit's open ports, in State order (ops makes a set of `ops.Port`
    /// of them, with `port=None` for ICMP).
    pub fn opened_ports(&self) -> Vec<Port> {
        self.state.opened_ports.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::*;
    use crate::state::State;

    fn tools(ports: Vec<Port>) -> HookTools {
        tools_with(
            serde_json::json!({"name": "demo"}),
            None,
            State::default().opened_ports(ports),
        )
    }

    #[test]
    fn open_and_close_change_the_states_ports_once() {
        let mut t = tools(vec![Port::tcp(22)]);
        t.open_port("tcp", Some(8080)).unwrap();
        t.open_port("udp", Some(53)).unwrap();
        t.open_port("icmp", None).unwrap();
        t.open_port("tcp", Some(8080)).unwrap();
        assert_eq!(
            t.opened_ports(),
            [Port::tcp(22), Port::tcp(8080), Port::udp(53), Port::icmp()]
        );
        t.close_port("tcp", Some(22)).unwrap();
        t.close_port("udp", Some(9999)).unwrap();
        t.close_port("icmp", None).unwrap();
        // 53/tcp is not 53/udp.
        t.close_port("tcp", Some(53)).unwrap();
        assert_eq!(t.state.opened_ports, [Port::tcp(8080), Port::udp(53)]);
    }

    #[test]
    fn bad_ports_get_jujus_messages_and_change_nothing() {
        let mut t = tools(vec![]);
        let refused = |m: &str| HookToolError::Refused(m.to_owned());
        assert_eq!(
            t.open_port("tcp", None).unwrap_err(),
            refused(
                "expected <port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp; got \"tcp\""
            )
        );
        assert_eq!(
            t.open_port("icmp", Some(8)).unwrap_err(),
            refused("protocol \"icmp\" doesn't support any ports; got \"8\"")
        );
        for n in [0, 65536, -1] {
            assert_eq!(
                t.open_port("udp", Some(n)).unwrap_err(),
                refused(&format!(
                    "port must be in the range [1, 65535]; got \"{n}\""
                ))
            );
        }
        assert_eq!(
            t.close_port("sctp", Some(80)).unwrap_err(),
            refused("protocol must be \"tcp\", \"udp\", or \"icmp\"; got \"sctp\"")
        );
        assert!(t.open_port("", Some(80)).is_err());
        assert!(t.open_port("sctp", None).is_err());
        assert!(t.state.opened_ports.is_empty());
        t.open_port("tcp", Some(65535)).unwrap();
        assert_eq!(t.opened_ports(), [Port::tcp(65535)]);
    }
}
