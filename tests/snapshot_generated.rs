//! The State of unit gateway/0 in model edge, as `scenario snapshot` found it, with `db_relation_changed` run on it.
//!
//! Made by: `scenario snapshot gateway/0 -m edge --format rust --charm tests/charms/snapshot-machine --event db_relation_changed`
//! Regenerate it rather than edit it; write your own assertions in another file.

use ops_scenario::{
    stored_dict, Address, BindAddress, Charm, Context, DeferredEvent, Event, Model, ModelType,
    Network, PeerRelation, Port, Relation, State, Status, StoredState, StoredValue,
    SubordinateRelation,
};

#[test]
fn snapshot_of_gateway_0_runs_db_relation_changed() -> Result<(), ops_scenario::Error> {
    let ctx = Context::new(Charm::from_dir("tests/charms/snapshot-machine")?)?
        .app_name("gateway")
        .juju_version("3.6.1")
        .machine_id("0")
        .principal_unit("ubuntu/0");
    let state = State::default()
        .leader(true)
        .config([
            ("debug", true.into()),
            ("log-level", "debug".into()),
            ("port", 8080.into()),
            ("ratio", 0.25.into()),
        ])
        .unit_status(Status::active(
            "db at 10.42.0.20 via 10.42.0.11, 1 peer(s), on ubuntu/0, log debug",
        ))
        .app_status(Status::active(
            "db at 10.42.0.20 via 10.42.0.11, 1 peer(s), on ubuntu/0, log debug",
        ))
        .workload_version("2.1.0")
        .planned_units(2)
        .model(
            Model::new("edge")
                .uuid("7a1d2f38-9c4b-4e6a-8f15-2b3c4d5e6f70")
                .model_type(ModelType::Lxd),
        )
        .relations([SubordinateRelation::new("host")
            .id(1)
            .local_unit_data([
                ("egress-subnets", "10.42.0.11/32"),
                ("ingress-address", "10.42.0.11"),
                ("private-address", "10.42.0.11"),
            ])
            .remote_app_name("ubuntu")
            .remote_unit_data([
                ("egress-subnets", "10.42.0.11/32"),
                ("ingress-address", "10.42.0.11"),
                ("private-address", "10.42.0.11"),
            ])])
        .relations([PeerRelation::new("cluster")
            .id(2)
            .local_app_data([("leader-host", "10.42.0.11")])
            .local_unit_data([
                ("egress-subnets", "10.42.0.11/32"),
                ("ingress-address", "10.42.0.11"),
                ("private-address", "10.42.0.11"),
                ("ready", "true"),
            ])
            .peer_data(
                1,
                [
                    ("egress-subnets", "10.42.0.12/32"),
                    ("ingress-address", "10.42.0.12"),
                    ("private-address", "10.42.0.12"),
                    ("ready", "true"),
                ],
            )])
        .relations([Relation::new("db")
            .id(3)
            .local_app_data([("user", "gateway")])
            .local_unit_data([
                ("egress-subnets", "10.42.0.11/32"),
                ("ingress-address", "10.42.0.11"),
                ("private-address", "10.42.0.11"),
            ])
            .remote_app_name("postgresql")
            .remote_app_data([
                ("database", "gateway"),
                ("host", "10.42.0.20"),
                ("port", "5432"),
            ])
            .remote_unit_data(
                0,
                [
                    ("egress-subnets", "10.42.0.20/32"),
                    ("ingress-address", "10.42.0.20"),
                    ("private-address", "10.42.0.20"),
                    ("role", "primary"),
                ],
            )])
        .networks([
            Network::new("juju-info")
                .bind_addresses([BindAddress::new([
                    Address::new("10.42.0.11").cidr("10.42.0.0/24")
                ])
                .interface_name("eth0")
                .mac_address("00:16:3e:00:00:00")])
                .ingress_addresses(["10.42.0.11"])
                .egress_subnets(["10.42.0.11/32"]),
            Network::new("metrics")
                .bind_addresses([BindAddress::new([
                    Address::new("10.42.0.11").cidr("10.42.0.0/24")
                ])
                .interface_name("eth0")
                .mac_address("00:16:3e:00:00:00")])
                .ingress_addresses(["10.42.0.11"])
                .egress_subnets(["10.42.0.11/32"]),
            Network::new("cluster")
                .bind_addresses([BindAddress::new([
                    Address::new("10.42.0.11").cidr("10.42.0.0/24")
                ])
                .interface_name("eth0")
                .mac_address("00:16:3e:00:00:00")])
                .ingress_addresses(["10.42.0.11"])
                .egress_subnets(["10.42.0.11/32"]),
            Network::new("db")
                .bind_addresses([BindAddress::new([
                    Address::new("10.42.0.11").cidr("10.42.0.0/24")
                ])
                .interface_name("eth0")
                .mac_address("00:16:3e:00:00:00")])
                .ingress_addresses(["10.42.0.11"])
                .egress_subnets(["10.42.0.11/32"]),
        ])
        .opened_ports([Port::tcp(8080)])
        .stored_states([
            StoredState::new("GatewayCharm").content([
                ("big", StoredValue::BigInt("1180591620717411303424".into())),
                ("blob", StoredValue::Bytes(vec![0, 1])),
                ("events", StoredValue::Int(11)),
                (
                    "flags",
                    StoredValue::Set(vec![StoredValue::Str("ready".into())]),
                ),
                (
                    "frozen",
                    StoredValue::FrozenSet(vec![StoredValue::Str("x".into())]),
                ),
                (
                    "keyed",
                    StoredValue::KeyedDict(vec![(
                        StoredValue::Int(1),
                        StoredValue::Str("one".into()),
                    )]),
                ),
                (
                    "last",
                    StoredValue::Dict(stored_dict([(
                        "host",
                        StoredValue::Str("10.42.0.20".into()),
                    )])),
                ),
                ("nothing", StoredValue::None),
                (
                    "pair",
                    StoredValue::Tuple(vec![StoredValue::Int(1), StoredValue::Str("one".into())]),
                ),
                ("ratio", StoredValue::Float(0.25)),
                (
                    "seen",
                    StoredValue::List(vec![
                        StoredValue::Str("install".into()),
                        StoredValue::Str("config_changed".into()),
                        StoredValue::Str("db_relation_changed".into()),
                    ]),
                ),
            ]),
            StoredState::framework(14),
        ])
        .deferred([
            DeferredEvent::new(
                "GatewayCharm/on/config_changed[7]",
                "GatewayCharm",
                "_on_config_changed",
            ),
            DeferredEvent::new(
                "GatewayCharm/on/db_relation_changed[9]",
                "GatewayCharm",
                "_on_db_relation_changed",
            )
            .snapshot_data([
                ("app_name", StoredValue::Str("postgresql".into())),
                ("relation_id", StoredValue::Int(3)),
                ("relation_name", StoredValue::Str("db".into())),
                ("unit_name", StoredValue::Str("postgresql/0".into())),
            ]),
        ]);
    let out = ctx.run(
        Event::new("db_relation_changed")
            .relation_id(3)
            .remote_unit(0),
        &state,
    )?;
    // The charm handled the event on the live unit's State; assert on `out` here.
    assert_eq!(out.state.model, state.model);
    Ok(())
}
