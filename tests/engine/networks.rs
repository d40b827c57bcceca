//! Networks: network-get for relation endpoints, extra-bindings and juju-info, from the State
//! or the default network, in the shape ops parses.

use crate::common::{charm_logs, ctx, ctx_from_source, rules};
use ops_scenario::{Address, BindAddress, Event, Network, Relation, State, Status};

fn db() -> Relation {
    Relation::new("db").remote_app_data([("host", "10.0.0.1")])
}

#[test]
fn a_binding_without_a_network_in_the_state_gets_the_default_one() {
    let out = ctx("db-requirer")
        .run(db().changed_event(), &State::default().relations([db()]))
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("db at 10.0.0.1 via 192.0.2.0")
    );
}

#[test]
fn the_state_s_network_is_what_the_charm_sees() {
    let net = Network::new("db")
        .bind_addresses([BindAddress::new([Address::new("10.20.30.40")
            .cidr("10.20.30.0/24")
            .hostname("db.local")])
        .interface_name("ens3")
        .mac_address("00:16:3e:00:00:01")])
        .ingress_addresses(["10.20.30.41"])
        .egress_subnets(["10.20.30.0/24", "10.99.0.0/16"]);
    let state = State::default().relations([db()]).networks([net.clone()]);
    let out = ctx("db-requirer")
        .run(db().changed_event(), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("db at 10.0.0.1 via 10.20.30.40")
    );
    assert_eq!(out.state.networks, [net], "networks come back unchanged");
}

const NETWORK_PROBE: &str = r#"
import ops


class NetworkProbe(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_update_status(self, event):
        seen = []
        for name in ["db", "metrics", "juju-info", "host", "nope"]:
            try:
                network = self.model.get_binding(name).network
            except ops.ModelError as e:
                seen.append(f"{name}: {type(e).__name__}")
                continue
            interfaces = [(i.name, str(i.address), str(i.subnet)) for i in network.interfaces]
            seen.append(
                f"{name}: {interfaces} ingress={[str(a) for a in network.ingress_addresses]} "
                f"egress={[str(s) for s in network.egress_subnets]}"
            )
        relation = self.model.get_relation("db")
        seen.append(f"by relation: {self.model.get_binding(relation).network.bind_address}")
        self.unit.status = ops.ActiveStatus(" | ".join(seen))
"#;

const NETWORK_META: &str = "name: probe\nrequires:\n  db:\n    interface: pgsql\n  host:\n    interface: juju-info\n    scope: container\nextra-bindings:\n  metrics:\n";

/// Juju binds every endpoint (a container-scoped one too), every extra-binding and
/// juju-info; for another name `network-get` fails with "no network config found", which ops
/// raises as `ModelError` (ops 2 and 3 alike: the text is no "relation not found").
#[test]
fn endpoints_extra_bindings_and_juju_info_have_networks_and_other_names_do_not() {
    let ctx = ctx_from_source(NETWORK_PROBE, NETWORK_META);
    let state = State::default()
        .relations([db()])
        .networks([Network::new("metrics")
            .bind_addresses([
                BindAddress::new([Address::new("10.9.9.9").cidr("10.9.9.0/24")])
                    .interface_name("eth9"),
            ])
            .ingress_addresses(["10.9.9.9"])
            .egress_subnets(["10.9.9.0/24"])]);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    let Status::Active(seen) = &out.state.unit_status else {
        panic!("{:?}", out.state.unit_status)
    };
    let parts: Vec<&str> = seen.split(" | ").collect();
    assert_eq!(
        parts,
        [
            "db: [('', '192.0.2.0', '192.0.2.0/32')] ingress=['192.0.2.0'] egress=['192.0.2.0/24']",
            "metrics: [('eth9', '10.9.9.9', '10.9.9.0/24')] ingress=['10.9.9.9'] egress=['10.9.9.0/24']",
            "juju-info: [('', '192.0.2.0', '192.0.2.0/32')] ingress=['192.0.2.0'] egress=['192.0.2.0/24']",
            "host: [('', '192.0.2.0', '192.0.2.0/32')] ingress=['192.0.2.0'] egress=['192.0.2.0/24']",
            "nope: ModelError",
            "by relation: 192.0.2.0",
        ]
    );
    assert!(charm_logs(&out).is_empty(), "{:?}", charm_logs(&out));
}

#[test]
fn a_network_for_a_binding_the_charm_lacks_is_inconsistent() {
    let err = ctx("db-requirer")
        .run(
            Event::start(),
            &State::default().networks([
                Network::new("dbb"),
                Network::new("db"),
                Network::new("db"),
            ]),
        )
        .unwrap_err();
    assert_eq!(rules(err), ["network.binding", "network.duplicate"]);
}
