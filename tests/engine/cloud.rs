//! The model's cloud spec (`credential-get`, for trusted applications), resources
//! (`resource-get`), reboots (`juju-reboot`, now and after the hook), metrics (`add-metric`
//! in collect-metrics), pod specs (`pod-spec-set`), and the checker's resource and
//! cloud-spec rules.
//!
//! The Output records what the charm asked of the machine: `reboot_requested` (`None`,
//! `"after_hook"` or `"now"`), `added_metrics` (the values as ops formats them) and
//! `pod_spec` (`{"spec": ..., "k8s_resources": ...}`).

use crate::common::{assert_logged, charm_logs, ctx, logged, rule_ids, rules, violations};
use ops_scenario::{
    ActionCall, AddedMetrics, CloudCredential, CloudSpec, Context, Event, Model, ModelType, Output,
    Resource, State, Status,
};

fn cloud_reader() -> Context {
    ctx("cloud-reader")
}

fn machine_model() -> Model {
    Model::default().model_type(ModelType::Lxd)
}

fn full_spec() -> CloudSpec {
    CloudSpec::new("openstack")
        .name("mycloud")
        .region("region-1")
        .endpoint("https://keystone:5000/v3")
        .identity_endpoint("https://keystone:5000")
        .storage_endpoint("https://swift:8080")
        .credential(
            CloudCredential::new("userpass")
                .attributes([("username", "admin"), ("password", "secret")])
                .redacted(["password"]),
        )
        .ca_certificates(["-----BEGIN CERTIFICATE-----"])
        .skip_tls_verify(true)
        .is_controller_cloud(true)
}

#[test]
fn a_trusted_application_reads_every_field_of_the_cloud_spec() {
    let state = State::default().model(machine_model().cloud_spec(full_spec()));
    let out = cloud_reader()
        .app_trusted(true)
        .run(Event::start(), &state)
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("cloud: openstack"));
    let logs = charm_logs(&out);
    for line in [
        "INFO spec type: CloudSpec",
        "INFO cloud: openstack mycloud region-1 https://keystone:5000/v3",
        "INFO endpoints: https://keystone:5000 https://swift:8080",
        "INFO credential: CloudCredential userpass [('password', 'secret'), ('username', 'admin')] ['password']",
        "INFO tls: ['-----BEGIN CERTIFICATE-----'] True controller=True",
    ] {
        assert!(logs.contains(&line.to_owned()), "{line:?} not in {logs:?}");
    }
    // The State's cloud spec is not changed by reading it.
    assert_eq!(out.state.model.cloud_spec, Some(full_spec()));
}

#[test]
fn defaults_of_a_minimal_cloud_spec_reach_the_charm() {
    let state = State::default().model(machine_model().cloud_spec(CloudSpec::new("lxd")));
    let out = cloud_reader()
        .app_trusted(true)
        .run(Event::start(), &state)
        .unwrap();
    assert_logged(&out, "INFO cloud: lxd localhost None None");
    assert_logged(&out, "INFO credential: None");
    assert_logged(&out, "INFO tls: [] False controller=False");
}

#[test]
fn an_untrusted_application_is_denied_with_jujus_message() {
    let state = State::default().model(machine_model().cloud_spec(full_spec()));
    let out = cloud_reader().run(Event::start(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("no cloud spec"));
    insta::assert_snapshot!(
        "credential_get_untrusted",
        logged(&out, "ERROR credential-get failed: ")
    );
}

#[test]
fn a_trusted_application_on_a_model_without_a_cloud_spec_is_denied() {
    let out = cloud_reader()
        .app_trusted(true)
        .run(Event::start(), &State::default().model(machine_model()))
        .unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("no cloud spec"));
    insta::assert_snapshot!(
        "credential_get_without_a_cloud_spec",
        logged(&out, "ERROR credential-get failed: ")
    );
}

#[test]
fn kubernetes_models_have_cloud_specs_from_juju_3_6_10() {
    let state = State::default().model(Model::default().cloud_spec(CloudSpec::new("k8s")));
    let out = cloud_reader()
        .app_trusted(true)
        .run(Event::start(), &state)
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("cloud: k8s"));
    let err = cloud_reader()
        .app_trusted(true)
        .juju_version("3.6.9")
        .run(Event::start(), &state)
        .expect_err("a Kubernetes cloud spec on Juju 3.6.9 ran");
    assert_eq!(rules(err), ["model.cloud_spec"]);
}

#[test]
fn cloud_specs_round_trip_as_json_with_ops_field_names() {
    let state = State::default().model(machine_model().cloud_spec(full_spec()));
    let json = serde_json::to_value(&state).unwrap();
    let spec = &json["model"]["cloud_spec"];
    assert_eq!(spec["type"], "openstack");
    assert_eq!(spec["identity_endpoint"], "https://keystone:5000");
    assert_eq!(spec["credential"]["auth_type"], "userpass");
    assert_eq!(spec["credential"]["attributes"]["username"], "admin");
    assert_eq!(spec["is_controller_cloud"], true);
    let back: State = serde_json::from_value(json).unwrap();
    assert_eq!(back, state);
}

/// A resource file for `bin`, in a directory kept as long as the returned guard.
fn bin_file(content: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bin.txt");
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

#[test]
fn a_resource_in_the_state_is_fetched_from_its_path() {
    let (_guard, path) = bin_file("v1.2.3\n");
    let state = State::default().resources([Resource::new("bin", &path)]);
    let out = cloud_reader().run(Event::install(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("bin fetched"));
    assert_logged(&out, &format!("INFO bin at {}: v1.2.3", path.display()));
    assert_eq!(out.state.resources, [Resource::new("bin", &path)]);
}

#[test]
fn a_declared_resource_missing_from_the_state_fails_as_in_juju() {
    let (_guard, path) = bin_file("v1");
    let state = State::default()
        .resources([Resource::new("bin", &path)])
        .config([("resource", "extra".into())]);
    let out = cloud_reader().run(Event::install(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("no extra resource"));
    insta::assert_snapshot!(
        "resource_missing_from_the_state",
        logged(&out, "ERROR resource-get failed: ")
    );
}

#[test]
fn an_undeclared_resource_is_refused_by_ops() {
    let state = State::default().config([("resource", "nope".into())]);
    let out = cloud_reader().run(Event::install(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::blocked("unknown resource nope")
    );
    assert_logged(&out, "ERROR not a resource: invalid resource name: nope");
}

#[test]
fn the_checker_reports_resources_the_metadata_does_not_declare() {
    let state = State::default().resources([
        Resource::new("bim", "/x"),
        Resource::new("bin", "/a"),
        Resource::new("bin", "/b"),
    ]);
    let violations = violations(cloud_reader().check(&Event::install(), &state));
    assert_eq!(
        rule_ids(&violations),
        ["resource.undeclared", "resource.duplicate"]
    );
    assert_eq!(violations[0].hint.as_deref(), Some("did you mean \"bin\"?"));
}

fn update_status_with_reboot(mode: &str) -> Output {
    let state = State::default()
        .model(machine_model())
        .config([("reboot", mode.into())]);
    cloud_reader()
        .run(Event::update_status(), &state)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn reboot_after_the_hook_is_recorded_and_the_hook_goes_on() {
    let out = update_status_with_reboot("later");
    assert_eq!(
        out.state.unit_status,
        Status::maintenance("rebooting after the hook")
    );
    assert_logged(&out, "INFO reboot requested");
    assert_eq!(out.reboot_requested, Some(ops_scenario::Reboot::AfterHook));
    assert_eq!(out.to_json()["reboot_requested"], "after_hook");
}

#[test]
fn reboot_now_ends_the_hook_there() {
    let out = update_status_with_reboot("now");
    assert_eq!(out.reboot_requested, Some(ops_scenario::Reboot::Now));
    assert_eq!(out.to_json()["reboot_requested"], "now");
    // ops exits the hook right after juju-reboot --now: nothing after it runs.
    assert_eq!(out.state.unit_status, Status::maintenance("rebooting now"));
    assert!(!charm_logs(&out)
        .iter()
        .any(|l| l.contains("still running after reboot")));
}

#[test]
fn no_reboot_is_recorded_when_none_is_asked_for() {
    let out = update_status_with_reboot("");
    assert_eq!(out.state.unit_status, Status::active("no reboot"));
    assert_eq!(out.reboot_requested, None);
    assert_eq!(out.to_json()["reboot_requested"], serde_json::Value::Null);
}

#[test]
fn reboot_is_refused_in_an_action() {
    let event = Event {
        action: Some(ActionCall {
            name: "restart".into(),
            params: serde_json::Map::new(),
            id: None,
        }),
        ..Event::new("restart_action")
    };
    // The charm catches Juju's refusal and fails the action with it.
    let out = cloud_reader()
        .run(event, &State::default().model(machine_model()))
        .unwrap();
    assert_eq!(out.reboot_requested, None);
    insta::assert_snapshot!(
        "reboot_in_an_action",
        out.action_failure.expect("the action failed")
    );
}

#[test]
fn metrics_are_recorded_in_collect_metrics_on_a_juju_that_has_them() {
    let out = cloud_reader()
        .juju_version("3.6.10")
        .run(
            Event::collect_metrics(),
            &State::default().model(machine_model()),
        )
        .unwrap();
    assert_logged(&out, "INFO metrics added");
    assert_eq!(
        out.added_metrics,
        [AddedMetrics {
            metrics: [("load", "0.5"), ("requests", "3")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            labels: [("region".to_owned(), "east".to_owned())].into(),
        }]
    );
    assert_eq!(
        out.to_json()["added_metrics"],
        serde_json::json!([{
            "metrics": {"requests": "3", "load": "0.5"},
            "labels": {"region": "east"}
        }])
    );
}

#[test]
fn metrics_are_refused_where_juju_has_none() {
    // Juju 3.6.11 removed metrics: the checker warns that collect-metrics never runs, and
    // add-metric fails if it does.
    let ctx = cloud_reader();
    let warnings = ctx
        .check(
            &Event::collect_metrics(),
            &State::default().model(machine_model()),
        )
        .unwrap();
    assert_eq!(rule_ids(&warnings), ["event.collect_metrics"]);
    let out = ctx
        .run(
            Event::collect_metrics(),
            &State::default().model(machine_model()),
        )
        .unwrap();
    insta::assert_snapshot!(
        "add_metric_on_juju_3_6_11",
        logged(&out, "ERROR add-metric failed: ")
    );
    assert!(out.added_metrics.is_empty());
}

#[test]
fn a_leader_on_juju_2_9_sets_its_pod_spec() {
    let out = cloud_reader()
        .juju_version("2.9.44")
        .run(Event::upgrade_charm(), &State::default().leader(true))
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("pod spec set"));
    assert_eq!(
        out.pod_spec,
        Some(serde_json::json!({
            "spec": {"version": 3, "containers": [{"name": "app", "image": "app:1"}]},
            "k8s_resources": {"kubernetesResources": {"services": [{"name": "app"}]}}
        }))
    );
}

#[test]
fn pod_specs_are_refused_to_followers_and_on_juju_3() {
    let follower = cloud_reader()
        .juju_version("2.9.44")
        .run(Event::upgrade_charm(), &State::default())
        .unwrap();
    assert_eq!(follower.state.unit_status, Status::blocked("no pod spec"));
    // ops checks leadership itself, in its own words.
    assert_logged(
        &follower,
        "ERROR pod-spec-set failed: cannot set a pod spec as this unit is not a leader",
    );
    let juju3 = cloud_reader()
        .run(Event::upgrade_charm(), &State::default().leader(true))
        .unwrap();
    assert_eq!(juju3.state.unit_status, Status::blocked("no pod spec"));
    insta::assert_snapshot!(
        "pod_spec_set_on_juju_3",
        logged(&juju3, "ERROR pod-spec-set failed: ")
    );
    assert_eq!(juju3.pod_spec, None);
    assert_eq!(follower.pod_spec, None);
}
