//! Storage, storage-event, port, resource and cloud-spec rules.

use std::collections::BTreeMap;

use super::{suggest, Checked};
use crate::charm::CharmMeta;
use crate::error::{Rule, Violation};
use crate::event::{Event, EventKind};
use crate::options::{ContextOptions, JujuVersion, JUJU_4};
use crate::state::{ModelType, State};

/// Kubernetes models give a cloud spec from this Juju on (ops.testing's rule).
const K8S_CLOUD_SPEC_SINCE: JujuVersion = JujuVersion(3, 6, 10);
/// Juju stops dispatching `collect-metrics` here.
const METRICS_REMOVED_IN: JujuVersion = JujuVersion(3, 6, 11);

/// This area's rules.
pub(super) fn check(
    meta: &CharmMeta,
    options: &ContextOptions,
    event: &Event,
    state: &State,
    out: &mut Checked,
) {
    check_event(meta, options, event, state, out);
    check_storages(meta, state, out);
    check_ports(state, out);
    check_resources(meta, state, out);
    check_cloud_spec(options, state, out);
}

/// The storage names the metadata declares.
fn declared_storages(meta: &CharmMeta) -> Vec<&str> {
    meta.storages.keys().map(String::as_str).collect()
}

fn check_event(
    meta: &CharmMeta,
    options: &ContextOptions,
    event: &Event,
    state: &State,
    out: &mut Checked,
) {
    match event.kind() {
        EventKind::Storage => check_storage_event(meta, event, state, out),
        _ if event.storage.is_some() => out.errors.push(Violation::new(
            Rule::EventArgs,
            format!(
                "{:?} is not a storage event, so it cannot have a storage",
                event.name
            ),
        )),
        EventKind::Lifecycle
            if event.name == "collect_metrics"
                && options
                    .juju()
                    .is_some_and(|v| v >= METRICS_REMOVED_IN && v < JUJU_4) =>
        {
            out.warnings.push(Violation::new(
                Rule::EventCollectMetrics,
                format!(
                    "Juju {} never dispatches collect-metrics (Juju {METRICS_REMOVED_IN} removed metrics), and add-metric fails",
                    options.juju_version
                ),
            ));
        }
        _ => {}
    }
}

/// A storage event must name an instance of a declared storage that the State holds; the
/// event's name must be that storage's.
fn check_storage_event(meta: &CharmMeta, event: &Event, state: &State, out: &mut Checked) {
    let entity = event.entity().unwrap_or("");
    let declared = declared_storages(meta);
    let matches = |name: &str| name.replace('-', "_") == entity.replace('-', "_");
    if !declared.iter().any(|d| matches(d)) {
        let v = Violation::new(
            Rule::EventUnknown,
            format!(
                "{:?} names storage {entity:?}, which the charm's metadata does not declare",
                event.name
            ),
        );
        out.errors
            .push(v.hint(suggest(entity, declared.iter().copied(), "storage")));
        return;
    }
    let Some(storage) = &event.storage else {
        out.errors.push(
            Violation::new(
                Rule::StorageMissing,
                format!("{:?} needs the storage instance it is about", event.name),
            )
            .hint("build the event from the State's storage: Storage::new(\"data\").attached_event(), or give \"storage\": {\"name\": ..., \"index\": ...}"),
        );
        return;
    };
    if !matches(&storage.name) {
        out.errors.push(Violation::new(
            Rule::StorageEventMismatch,
            format!(
                "{:?} is about storage {entity:?}, but its storage is {:?}",
                event.name, storage.name
            ),
        ));
        return;
    }
    if !declared.contains(&storage.name.as_str()) {
        out.errors.push(
            Violation::new(
                Rule::StorageUndeclared,
                format!(
                    "{:?}: storage {:?} is not declared in the charm's metadata",
                    event.name, storage.name
                ),
            )
            .hint(suggest(&storage.name, declared.iter().copied(), "storage")),
        );
        return;
    }
    if !state
        .storages
        .iter()
        .any(|s| s.name == storage.name && s.index == storage.index)
    {
        out.errors.push(
            Violation::new(
                Rule::StorageNotInState,
                format!(
                    "{:?} is about storage {}/{}, which is not in State.storages",
                    event.name, storage.name, storage.index
                ),
            )
            .hint("Juju runs storage hooks only for attached instances: add it to State.storages"),
        );
    }
}

fn check_storages(meta: &CharmMeta, state: &State, out: &mut Checked) {
    let declared = declared_storages(meta);
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for (i, storage) in state.storages.iter().enumerate() {
        if !declared.contains(&storage.name.as_str()) {
            let v = Violation::new(
                Rule::StorageUndeclared,
                format!(
                    "storages[{i}]: storage {:?} is not declared in the charm's metadata",
                    storage.name
                ),
            );
            out.errors
                .push(v.hint(suggest(&storage.name, declared.iter().copied(), "storage")));
            continue;
        }
        if state.storages[..i]
            .iter()
            .any(|s| s.name == storage.name && s.index == storage.index)
        {
            out.errors.push(Violation::new(
                Rule::StorageDuplicate,
                format!(
                    "storages[{i}]: storage {}/{} appears more than once",
                    storage.name, storage.index
                ),
            ));
            continue;
        }
        *counts.entry(&storage.name).or_insert(0) += 1;
    }
    for (name, count) in counts {
        let Some(max) = meta.storages.get(name).and_then(|s| s.count.max) else {
            continue;
        };
        if count > max {
            out.errors.push(Violation::new(
                Rule::StorageCount,
                format!(
                    "the State attaches {count} instances of storage {name:?}, and its metadata allows at most {max}"
                ),
            )
            .hint("give `multiple: range:` in the storage's metadata, or attach fewer"));
        }
    }
}

fn check_ports(state: &State, out: &mut Checked) {
    for (i, port) in state.opened_ports.iter().enumerate() {
        if let Some(problem) = port.problem() {
            out.errors.push(Violation::new(
                Rule::PortInvalid,
                format!("opened_ports[{i}]: {problem}"),
            ));
        } else if state.opened_ports[..i].contains(port) {
            out.errors.push(Violation::new(
                Rule::PortDuplicate,
                format!("opened_ports[{i}]: {port} appears more than once"),
            ));
        }
    }
}

fn check_resources(meta: &CharmMeta, state: &State, out: &mut Checked) {
    let declared: Vec<&str> = meta.resources.keys().map(String::as_str).collect();
    for (i, resource) in state.resources.iter().enumerate() {
        if !declared.contains(&resource.name.as_str()) {
            let v = Violation::new(
                Rule::ResourceUndeclared,
                format!(
                    "resources[{i}]: resource {:?} is not declared in the charm's metadata",
                    resource.name
                ),
            );
            out.errors.push(v.hint(suggest(
                &resource.name,
                declared.iter().copied(),
                "resources",
            )));
        } else if state.resources[..i].iter().any(|r| r.name == resource.name) {
            out.errors.push(Violation::new(
                Rule::ResourceDuplicate,
                format!(
                    "resources[{i}]: resource {:?} appears more than once",
                    resource.name
                ),
            ));
        }
    }
}

fn check_cloud_spec(options: &ContextOptions, state: &State, out: &mut Checked) {
    let Some(spec) = &state.model.cloud_spec else {
        return;
    };
    if spec.cloud_type.is_empty() {
        out.errors.push(
            Violation::new(Rule::ModelCloudSpec, "the model's cloud_spec has no type")
                .hint("give the cloud type, like CloudSpec::new(\"lxd\") or {\"type\": \"lxd\"}"),
        );
    }
    let juju = options.juju();
    if state.model.model_type == ModelType::Kubernetes
        && juju.is_some_and(|v| v < K8S_CLOUD_SPEC_SINCE)
    {
        out.errors.push(
            Violation::new(
                Rule::ModelCloudSpec,
                format!(
                    "a Kubernetes model gives no cloud spec before Juju {K8S_CLOUD_SPEC_SINCE} (the Context has {})",
                    options.juju_version
                ),
            )
            .hint("set the Juju version to 3.6.10 or later, or make the model a machine model (type \"lxd\")"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::StorageRef;
    use crate::state::{CloudSpec, Model, Port, Protocol, Resource, Storage};

    fn meta() -> CharmMeta {
        CharmMeta::from_values(
            serde_json::json!({
                "name": "demo",
                "storage": {
                    "data": {"type": "filesystem", "multiple": {"range": "1-2"}},
                    "my-cache": {"type": "filesystem"},
                },
                "resources": {"bin": {"type": "file", "filename": "bin"}},
            }),
            None,
            None,
        )
        .unwrap()
    }

    fn run(event: &Event, state: &State, options: &ContextOptions) -> Checked {
        let mut out = Checked::default();
        check(&meta(), options, event, state, &mut out);
        out
    }

    fn rules(event: &Event, state: &State) -> Vec<String> {
        let mut got: Vec<String> = run(event, state, &ContextOptions::default())
            .errors
            .into_iter()
            .map(|v| v.rule.id().to_owned())
            .collect();
        got.sort();
        got
    }

    #[test]
    fn storage_events_need_a_declared_instance_in_the_state() {
        let data = Storage::new("data");
        let state = State::default().storages([data.clone(), Storage::new("my-cache")]);
        assert!(rules(&data.attached_event(), &state).is_empty());
        assert!(rules(&Storage::new("my-cache").detaching_event(), &state).is_empty());
        assert_eq!(
            rules(&Event::new("data_storage_attached"), &state),
            ["storage.missing"]
        );
        assert_eq!(
            rules(&Storage::new("data").index(1).attached_event(), &state),
            ["storage.not_in_state"]
        );
        assert_eq!(
            rules(&Event::new("dta_storage_attached"), &state),
            ["event.unknown"]
        );
        let mut mismatched = data.attached_event();
        mismatched.storage = Some(StorageRef {
            name: "my-cache".into(),
            index: 0,
        });
        assert_eq!(rules(&mismatched, &state), ["storage.event_mismatch"]);
        // The name with underscores is the same entity, but not the declared name.
        let mut underscored = Storage::new("my-cache").attached_event();
        underscored.storage.as_mut().unwrap().name = "my_cache".into();
        assert_eq!(rules(&underscored, &state), ["storage.undeclared"]);
        let mut start = Event::start();
        start.storage = data.attached_event().storage;
        assert_eq!(rules(&start, &state), ["event.args"]);
    }

    #[test]
    fn state_storages_are_declared_unique_and_within_the_counts() {
        let state = State::default().storages([
            Storage::new("data"),
            Storage::new("data"),
            Storage::new("data").index(1),
            Storage::new("data").index(2),
            Storage::new("dat"),
        ]);
        assert_eq!(
            rules(&Event::start(), &state),
            ["storage.count", "storage.duplicate", "storage.undeclared"]
        );
        let c = run(&Event::start(), &state, &ContextOptions::default());
        let undeclared = c
            .errors
            .iter()
            .find(|v| v.rule.id() == "storage.undeclared")
            .unwrap();
        assert_eq!(undeclared.hint.as_deref(), Some("did you mean \"data\"?"));
        let singular = State::default()
            .storages([Storage::new("my-cache"), Storage::new("my-cache").index(1)]);
        assert_eq!(rules(&Event::start(), &singular), ["storage.count"]);
    }

    #[test]
    fn ports_must_be_valid_and_unique() {
        let state = State::default().opened_ports([
            Port::tcp(80),
            Port::tcp(80),
            Port::udp(80),
            Port::tcp(0),
            Port {
                protocol: Protocol::Icmp,
                port: Some(3),
            },
            Port {
                protocol: Protocol::Tcp,
                port: None,
            },
            Port::icmp(),
        ]);
        assert_eq!(
            rules(&Event::start(), &state),
            [
                "port.duplicate",
                "port.invalid",
                "port.invalid",
                "port.invalid"
            ]
        );
    }

    #[test]
    fn resources_must_be_declared_once() {
        let state = State::default().resources([
            Resource::new("bin", "/a"),
            Resource::new("bin", "/b"),
            Resource::new("bim", "/c"),
        ]);
        assert_eq!(
            rules(&Event::start(), &state),
            ["resource.duplicate", "resource.undeclared"]
        );
    }

    #[test]
    fn kubernetes_cloud_specs_need_juju_3_6_10() {
        let k8s = State::default().model(Model::default().cloud_spec(CloudSpec::new("k8s")));
        assert!(rules(&Event::start(), &k8s).is_empty());
        let old = ContextOptions {
            juju_version: "3.6.9".into(),
            ..ContextOptions::default()
        };
        let c = run(&Event::start(), &k8s, &old);
        assert_eq!(c.errors[0].rule.id(), "model.cloud_spec");
        let machine = State::default().model(
            Model::default()
                .model_type(ModelType::Lxd)
                .cloud_spec(CloudSpec::new("lxd")),
        );
        assert!(run(&Event::start(), &machine, &old).errors.is_empty());
        let untyped = State::default().model(
            Model::default()
                .model_type(ModelType::Lxd)
                .cloud_spec(CloudSpec::default()),
        );
        assert_eq!(rules(&Event::start(), &untyped), ["model.cloud_spec"]);
    }

    #[test]
    fn collect_metrics_warns_where_juju_no_longer_runs_it() {
        let c = run(
            &Event::collect_metrics(),
            &State::default(),
            &ContextOptions::default(),
        );
        assert_eq!(c.warnings[0].rule.id(), "event.collect_metrics");
        let old = ContextOptions {
            juju_version: "3.6.10".into(),
            ..ContextOptions::default()
        };
        assert!(run(&Event::collect_metrics(), &State::default(), &old)
            .warnings
            .is_empty());
    }
}
