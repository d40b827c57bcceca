//! Ports: `open_port`, `close_port`, `set_ports` and `opened_ports` on the State's
//! `opened_ports`, what Juju refuses (with its messages), and the checker's port rules.

use crate::common::{charm_logs, ctx, probe, rules, violated};

const CHARM: &str = "ports-web";
use ops_scenario::{Event, Output, Port, Protocol, State, Status};

fn run(event: Event, state: &State) -> Output {
    ctx(CHARM)
        .run(event, state)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// What the charm logged of `opened_ports()`, last.
fn logged_opened(out: &Output) -> String {
    charm_logs(out)
        .into_iter()
        .rev()
        .find_map(|l| l.strip_prefix("INFO opened: ").map(str::to_owned))
        .expect("the charm logs its opened ports")
}

#[test]
fn config_changed_opens_tcp_udp_and_icmp() {
    let out = run(Event::config_changed(), &State::default());
    assert_eq!(
        out.state.opened_ports,
        [Port::tcp(8080), Port::udp(53), Port::icmp()]
    );
    assert_eq!(
        logged_opened(&out),
        "['53/udp', '8080/tcp', 'icmp'] as ['Port']"
    );
    assert_eq!(
        out.state.unit_status,
        Status::active("open: 53/udp 8080/tcp icmp")
    );
    assert_eq!(
        out.to_json()["state"]["opened_ports"],
        serde_json::json!([
            {"protocol": "tcp", "port": 8080},
            {"protocol": "udp", "port": 53},
            {"protocol": "icmp"}
        ])
    );
}

#[test]
fn opening_an_open_port_keeps_one_and_closing_removes_it() {
    let state = State::default()
        .opened_ports([Port::tcp(22), Port::tcp(8080)])
        .config([("close", "22/tcp,icmp,9999/udp".into())]);
    let out = run(Event::config_changed(), &state);
    // 8080/tcp was open already; 22/tcp and icmp are closed; closing 9999/udp, which is not
    // open, changes nothing.
    assert_eq!(out.state.opened_ports, [Port::tcp(8080), Port::udp(53)]);
    assert_eq!(logged_opened(&out), "['53/udp', '8080/tcp'] as ['Port']");
    // The input State is untouched.
    assert_eq!(state.opened_ports, [Port::tcp(22), Port::tcp(8080)]);
}

#[test]
fn set_ports_opens_the_missing_and_closes_the_rest() {
    let state = State::default()
        .opened_ports([Port::tcp(22), Port::udp(53), Port::icmp()])
        .config([("set-ports", "80,443/tcp,53/udp".into())]);
    let out = run(Event::start(), &state);
    let mut ports = out.state.opened_ports.clone();
    ports.sort();
    assert_eq!(ports, [Port::tcp(80), Port::tcp(443), Port::udp(53)]);
    assert_eq!(
        logged_opened(&out),
        "['443/tcp', '53/udp', '80/tcp'] as ['Port']"
    );
    // 53/udp stayed where it was; the new ports come after it.
    assert_eq!(out.state.opened_ports[0], Port::udp(53));
}

#[test]
fn set_ports_with_nothing_closes_everything() {
    let state = State::default()
        .opened_ports([Port::tcp(22), Port::icmp()])
        .config([("set-ports", "none".into())]);
    let out = run(Event::start(), &state);
    assert!(out.state.opened_ports.is_empty());
    assert_eq!(logged_opened(&out), "[] as []");
    let icmp = State::default().config([("set-ports", "icmp,8000".into())]);
    let out = run(Event::start(), &icmp);
    let mut ports = out.state.opened_ports.clone();
    ports.sort();
    assert_eq!(ports, [Port::tcp(8000), Port::icmp()]);
}

#[test]
fn opened_ports_reads_the_states_ports_as_ops_ports() {
    let state = State::default().opened_ports([Port::udp(5353), Port::icmp()]);
    let (out, result) = probe(CHARM, state, "close-unopened");
    assert_eq!(result, "ok");
    assert_eq!(logged_opened(&out), "['5353/udp', 'icmp'] as ['Port']");
    assert_eq!(out.state.opened_ports, [Port::udp(5353), Port::icmp()]);
}

#[test]
fn ops_lower_cases_the_protocol() {
    let (out, result) = probe(CHARM, State::default(), "upper-case");
    assert_eq!(result, "ok");
    assert_eq!(out.state.opened_ports, [Port::tcp(9000)]);
}

#[test]
fn juju_refuses_bad_ports_with_its_messages() {
    let mut refusals = Vec::new();
    for name in [
        "icmp-with-port",
        "tcp-without-port",
        "out-of-range",
        "zero",
        "bad-protocol",
        "close-bad",
    ] {
        let (out, result) = probe(CHARM, State::default().opened_ports([Port::tcp(80)]), name);
        refusals.push(format!("{name}: {result}"));
        assert_eq!(out.state.opened_ports, [Port::tcp(80)], "{name}");
    }
    insta::assert_snapshot!("bad_ports", refusals.join("\n"));
}

#[test]
fn the_checker_reports_ports_that_cannot_be_open() {
    let ctx = ctx(CHARM);
    let violated_by = |state: &State| violated(&ctx, &Event::start(), state);
    assert!(
        violated_by(&State::default().opened_ports([Port::tcp(1), Port::udp(65535)])).is_empty()
    );
    let bad = [
        Port {
            protocol: Protocol::Tcp,
            port: None,
        },
        Port {
            protocol: Protocol::Icmp,
            port: Some(7),
        },
        Port::udp(0),
    ];
    for port in bad {
        assert_eq!(
            violated_by(&State::default().opened_ports([port])),
            ["port.invalid"],
            "{port:?}"
        );
    }
    assert_eq!(
        violated_by(&State::default().opened_ports([Port::icmp(), Port::icmp()])),
        ["port.duplicate"]
    );
    let json: Result<State, _> = serde_json::from_value(serde_json::json!({
        "opened_ports": [{"protocol": "sctp", "port": 1}]
    }));
    assert!(json.is_err());
    let err = ctx
        .run(
            Event::start(),
            &State::default().opened_ports([Port::tcp(0)]),
        )
        .expect_err("a run with port 0 went ahead");
    assert_eq!(rules(err), ["port.invalid"]);
}
