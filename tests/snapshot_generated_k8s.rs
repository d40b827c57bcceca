//! The State of unit web/0 in model shop, as `scenario snapshot` found it, with `web_pebble_ready` run on it.
//!
//! Made by: `scenario snapshot web/0 --format rust --charm tests/charms/snapshot-k8s --fetch web:/etc/web/web.conf --event web_pebble_ready`
//! Regenerate it rather than edit it; write your own assertions in another file.
//!
//! What the snapshot could not take over as it was:
//! - container "sidecar": Pebble did not answer, so it is left with can_connect false (`juju ssh --container sidecar web/0 /charm/bin/pebble plan` failed (exit code 1): error: cannot communicate with server: Get "http://localhost/v1/plan?format=yaml": dial unix /charm/container/pebble.socket: connect: connection refused
//!   ERROR command terminated with exit code 1)

use ops_scenario::{
    Address, BindAddress, Charm, CheckInfo, CheckLevel, CheckStatus, CloudCredential, CloudSpec,
    Container, Context, DeferredEvent, Event, Layer, Model, Network, Notice, Port, Relation,
    Secret, SecretOwner, SecretRotate, ServiceStatus, State, Status, Storage, StoredState,
    StoredValue,
};

#[test]
fn snapshot_of_web_0_runs_web_pebble_ready() -> Result<(), ops_scenario::Error> {
    let ctx = Context::new(Charm::from_dir("tests/charms/snapshot-k8s")?)?
        .app_name("web")
        .juju_version("3.6.12")
        .app_trusted(true);
    let state = State::default()
        .leader(true)
        .config([
            ("log-level", "info".into()),
            ("port", 8081.into()),
            ("vault-secret", "secret:d4ksbjnmp25c76e01vi0".into()),
        ])
        .unit_status(Status::active("serving"))
        .app_status(Status::active(""))
        .workload_version("1.4.2")
        .planned_units(2)
        .model(
            Model::new("shop")
                .uuid("5e1f7a2b-8c3d-4e9f-a0b1-c2d3e4f5a6b7")
                .cloud_spec(
                    CloudSpec::new("kubernetes")
                        .name("microk8s")
                        .region("localhost")
                        .endpoint("https://10.0.0.10:16443")
                        .credential(CloudCredential::new("clientcertificate").attributes([
                            (
                                "ClientCertificateData",
                                "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
                            ),
                            (
                                "ClientKeyData",
                                concat!(
                                    "-----BEGIN RSA PRIVATE KEY-----\n",
                                    "MIIE\n",
                                    "-----END RSA PRIVATE KEY-----\n"
                                ),
                            ),
                        ]))
                        .ca_certificates([
                            "-----BEGIN CERTIFICATE-----\nMIIDB\n-----END CERTIFICATE-----\n",
                        ])
                        .is_controller_cloud(true),
                ),
        )
        .relations([Relation::new("ingress")
            .id(4)
            .local_app_data([("model", "shop"), ("name", "web")])
            .local_unit_data([
                ("egress-subnets", "10.1.24.5/32"),
                ("ingress-address", "10.1.24.5"),
                ("private-address", "10.1.24.5"),
            ])
            .remote_app_name("traefik")
            .remote_app_data([("url", "http://10.1.24.9/shop-web")])
            .remote_unit_data(
                0,
                [
                    ("egress-subnets", "10.1.24.9/32"),
                    ("ingress-address", "10.1.24.9"),
                    ("private-address", "10.1.24.9"),
                ],
            )])
        .networks([
            Network::new("juju-info")
                .bind_addresses([BindAddress::new(
                    [Address::new("10.1.24.5").cidr("10.1.24.0/24")],
                )
                .interface_name("eth0")
                .mac_address("6a:1f:2e:3d:4c:5b")])
                .ingress_addresses(["10.1.24.5"])
                .egress_subnets(["10.1.24.5/32"]),
            Network::new("ingress")
                .bind_addresses([BindAddress::new(
                    [Address::new("10.1.24.5").cidr("10.1.24.0/24")],
                )
                .interface_name("eth0")
                .mac_address("6a:1f:2e:3d:4c:5b")])
                .ingress_addresses(["10.1.24.5"])
                .egress_subnets(["10.1.24.5/32"]),
        ])
        .containers([
            Container::new("web")
                .can_connect(true)
                .layers([(
                    "snapshot",
                    Layer::from_yaml(
                        r#"services:
  web:
    summary: web server
    startup: enabled
    override: replace
    command: /usr/bin/web --port 8081
    environment:
      LOG_LEVEL: info
checks:
  up:
    override: replace
    level: alive
    http:
      url: http://localhost:8081/health
"#,
                    )?,
                )])
                .service_statuses([
                    ("metrics", ServiceStatus::Inactive),
                    ("web", ServiceStatus::Active),
                ])
                .notices([Notice::new("example.com/web/reloaded")
                    .id("3")
                    .first_occurred("2025-12-05T09:58:01.412948172Z")
                    .last_occurred("2025-12-05T10:12:44.090316577Z")
                    .last_repeated("2025-12-05T10:12:44.090316577Z")
                    .occurrences(2)
                    .last_data([("config", "/etc/web/web.conf")])
                    .expire_after(604800.0)])
                .check_infos([CheckInfo::new("up")
                    .level(CheckLevel::Alive)
                    .status(CheckStatus::Down)
                    .failures(3)
                    .change_id("7")])
                .files([("/etc/web/web.conf", "listen: 8081\nlog: info\n")]),
            Container::new("sidecar"),
        ])
        .opened_ports([Port::tcp(8080)])
        .storages([
            Storage::new("cache").index(4),
            Storage::new("cache").index(5),
            Storage::new("data").index(3),
        ])
        .secrets([
            Secret::new([("token", "t0k3n-rev2")])
                .id("secret:d4ksbi7mp25c76e01vhg")
                .owner(SecretOwner::App)
                .label("api-token")
                .tracked_revision(2)
                .description("The token the web server signs with")
                .expire("2026-06-01T00:00:00+00:00")
                .rotate(SecretRotate::Monthly)
                .remote_grants(4, ["traefik"]),
            Secret::new([("password", "hunter2"), ("username", "web")])
                .id("secret:d4ksbjnmp25c76e01vi0")
                .latest_content([("password", "correct-horse"), ("username", "web")])
                .tracked_revision(2)
                .latest_revision(4),
        ])
        .stored_states([
            StoredState::framework(11),
            StoredState::new("WebCharm").content([("restarts", StoredValue::Int(2))]),
        ])
        .deferred([DeferredEvent::new(
            "WebCharm/on/web_pebble_ready[8]",
            "WebCharm",
            "_on_web_pebble_ready",
        )
        .snapshot_data([("container_name", StoredValue::Str("web".into()))])]);
    let out = ctx.run(Event::new("web_pebble_ready"), &state)?;
    // The charm handled the event on the live unit's State; assert on `out` here.
    assert_eq!(out.state.model, state.model);
    Ok(())
}
