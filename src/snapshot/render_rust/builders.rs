//! The crate's builders as Rust source: one function per State type, each giving the
//! expression that builds a value (`Relation::new("db").id(3)...`), leaving out what is the
//! default, and the `ops_scenario` names it uses.

use std::fmt::Write as _;

use super::containers::container;
use super::source::{chain, float, list_call, lit, pairs, strings, Code};
use crate::error::Result;
use crate::state::{
    default_unit_databag, AnyRelation, CloudSpec, ConfigValue, DeferredEvent, Model, ModelType,
    Network, PeerRelation, Port, Protocol, Relation, Secret, SecretOwner, SecretRotate, State,
    Status, Storage, StoredState, StoredValue, SubordinateRelation, DEFAULT_REMOTE_APP_NAME,
    DEFAULT_STORED_STATE_NAME,
};

pub(super) fn stored_value(code: &mut Code, value: &StoredValue) -> String {
    let sv = code.ty("StoredValue");
    let list = |code: &mut Code, items: &[StoredValue]| {
        items
            .iter()
            .map(|v| stored_value(code, v))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match value {
        StoredValue::None => format!("{sv}::None"),
        StoredValue::Bool(b) => format!("{sv}::Bool({b})"),
        StoredValue::Int(i) => format!("{sv}::Int({i})"),
        StoredValue::BigInt(digits) => format!("{sv}::BigInt({}.into())", lit(digits)),
        StoredValue::Float(f) => format!("{sv}::Float({})", float(*f)),
        StoredValue::Str(s) => format!("{sv}::Str({}.into())", lit(s)),
        StoredValue::Bytes(b) => format!(
            "{sv}::Bytes(vec![{}])",
            b.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
        ),
        StoredValue::List(items) => format!("{sv}::List(vec![{}])", list(code, items)),
        StoredValue::Tuple(items) => format!("{sv}::Tuple(vec![{}])", list(code, items)),
        StoredValue::Set(items) => format!("{sv}::Set(vec![{}])", list(code, items)),
        StoredValue::FrozenSet(items) => format!("{sv}::FrozenSet(vec![{}])", list(code, items)),
        StoredValue::Dict(map) if map.is_empty() => {
            format!("{sv}::Dict({}::new())", code.ty("StoredDict"))
        }
        StoredValue::Dict(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("({}, {})", lit(k), stored_value(code, v)))
                .collect();
            format!(
                "{sv}::Dict({}([{}]))",
                code.ty("stored_dict"),
                entries.join(", ")
            )
        }
        StoredValue::KeyedDict(pairs) => {
            let entries: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("({}, {})", stored_value(code, k), stored_value(code, v)))
                .collect();
            format!("{sv}::KeyedDict(vec![{}])", entries.join(", "))
        }
    }
}

/// `[("k", StoredValue::...), ...]` for a builder's `content` / `snapshot_data`.
pub(super) fn stored_pairs(code: &mut Code, dict: &crate::state::StoredDict) -> String {
    let items: Vec<String> = dict
        .iter()
        .map(|(k, v)| format!("({}, {})", lit(k), stored_value(code, v)))
        .collect();
    format!("[{}]", items.join(", "))
}

pub(super) fn config_value(code: &mut Code, value: &ConfigValue) -> String {
    match value {
        ConfigValue::String(s) => format!("{}.into()", lit(s)),
        ConfigValue::Bool(b) => format!("{b}.into()"),
        ConfigValue::Int(i) if (0..=i64::from(i32::MAX)).contains(i) => format!("{i}.into()"),
        ConfigValue::Float(f) if f.is_finite() && *f >= 0.0 => format!("{}.into()", float(*f)),
        ConfigValue::Int(i) => format!("{}::Int({i})", code.ty("ConfigValue")),
        ConfigValue::Float(f) => format!("{}::Float({})", code.ty("ConfigValue"), float(*f)),
    }
}

pub(super) fn status(code: &mut Code, status: &Status) -> String {
    let ctor = match status {
        Status::Unknown => return format!("{}::Unknown", code.ty("Status")),
        Status::Active(_) => "active",
        Status::Blocked(_) => "blocked",
        Status::Maintenance(_) => "maintenance",
        Status::Waiting(_) => "waiting",
        Status::Error(_) => "error",
    };
    format!("{}::{ctor}({})", code.ty("Status"), lit(status.message()))
}

pub(super) fn model(code: &mut Code, model: &Model) -> String {
    let mut calls = vec![format!("uuid({})", lit(&model.uuid))];
    if model.model_type == ModelType::Lxd {
        calls.push(format!("model_type({}::Lxd)", code.ty("ModelType")));
    }
    if let Some(spec) = &model.cloud_spec {
        calls.push(format!("cloud_spec({})", cloud_spec(code, spec)));
    }
    let head = format!("{}::new({})", code.ty("Model"), lit(&model.name));
    chain(head, &calls, 12)
}

/// `CloudSpec::new("ec2").region(..)...`, leaving out what is the default.
pub(super) fn cloud_spec(code: &mut Code, spec: &CloudSpec) -> String {
    let mut calls = Vec::new();
    if spec.name != CloudSpec::default().name {
        calls.push(format!("name({})", lit(&spec.name)));
    }
    for (method, value) in [
        ("region", &spec.region),
        ("endpoint", &spec.endpoint),
        ("identity_endpoint", &spec.identity_endpoint),
        ("storage_endpoint", &spec.storage_endpoint),
    ] {
        if let Some(value) = value {
            calls.push(format!("{method}({})", lit(value)));
        }
    }
    if let Some(credential) = &spec.credential {
        let mut cred = format!(
            "{}::new({})",
            code.ty("CloudCredential"),
            lit(&credential.auth_type)
        );
        if !credential.attributes.is_empty() {
            let _ = write!(cred, ".attributes({})", pairs(&credential.attributes));
        }
        if !credential.redacted.is_empty() {
            let names: Vec<String> = credential.redacted.iter().map(|r| lit(r)).collect();
            let _ = write!(cred, ".redacted([{}])", names.join(", "));
        }
        calls.push(format!("credential({cred})"));
    }
    if !spec.ca_certificates.is_empty() {
        let certs: Vec<String> = spec.ca_certificates.iter().map(|c| lit(c)).collect();
        calls.push(format!("ca_certificates([{}])", certs.join(", ")));
    }
    if spec.skip_tls_verify {
        calls.push("skip_tls_verify(true)".into());
    }
    if spec.is_controller_cloud {
        calls.push("is_controller_cloud(true)".into());
    }
    let head = format!("{}::new({})", code.ty("CloudSpec"), lit(&spec.cloud_type));
    chain(head, &calls, 16)
}

pub(super) fn relation(code: &mut Code, relation: &AnyRelation) -> String {
    match relation {
        AnyRelation::Regular(r) => regular(code, r),
        AnyRelation::Peer(r) => peer(code, r),
        AnyRelation::Subordinate(r) => subordinate(code, r),
    }
}

/// The calls every relation kind shares: id, interface, and this side's bags.
pub(super) fn common_calls(
    id: Option<u32>,
    interface: Option<&String>,
    local_app: &crate::state::Databag,
    local_unit: &crate::state::Databag,
) -> Vec<String> {
    let mut calls = Vec::new();
    if let Some(id) = id {
        calls.push(format!("id({id})"));
    }
    if let Some(interface) = interface {
        calls.push(format!("interface({})", lit(interface)));
    }
    if !local_app.is_empty() {
        calls.push(format!("local_app_data({})", pairs(local_app)));
    }
    if *local_unit != default_unit_databag() {
        calls.push(format!("local_unit_data({})", pairs(local_unit)));
    }
    calls
}

pub(super) fn regular(code: &mut Code, r: &Relation) -> String {
    let mut calls = common_calls(
        r.id,
        r.interface.as_ref(),
        &r.local_app_data,
        &r.local_unit_data,
    );
    if r.remote_app_name != DEFAULT_REMOTE_APP_NAME {
        calls.push(format!("remote_app_name({})", lit(&r.remote_app_name)));
    }
    if r.limit != 1 {
        calls.push(format!("limit({})", r.limit));
    }
    if let Some(uuid) = &r.remote_model_uuid {
        calls.push(format!("remote_model_uuid({})", lit(uuid)));
    }
    if !r.remote_app_data.is_empty() {
        calls.push(format!("remote_app_data({})", pairs(&r.remote_app_data)));
    }
    let default = Relation::default().remote_units_data;
    if r.remote_units_data != default {
        if !r.remote_units_data.keys().copied().eq([0]) {
            calls.push("remote_units([])".into());
        }
        for (n, bag) in &r.remote_units_data {
            calls.push(format!("remote_unit_data({n}, {})", pairs(bag)));
        }
    }
    let head = format!("{}::new({})", code.ty("Relation"), lit(&r.endpoint));
    chain(head, &calls, 12)
}

pub(super) fn peer(code: &mut Code, r: &PeerRelation) -> String {
    let mut calls = common_calls(
        r.id,
        r.interface.as_ref(),
        &r.local_app_data,
        &r.local_unit_data,
    );
    for (n, bag) in &r.peers_data {
        calls.push(format!("peer_data({n}, {})", pairs(bag)));
    }
    let head = format!("{}::new({})", code.ty("PeerRelation"), lit(&r.endpoint));
    chain(head, &calls, 12)
}

pub(super) fn subordinate(code: &mut Code, r: &SubordinateRelation) -> String {
    let mut calls = common_calls(
        r.id,
        r.interface.as_ref(),
        &r.local_app_data,
        &r.local_unit_data,
    );
    if r.remote_app_name != DEFAULT_REMOTE_APP_NAME {
        calls.push(format!("remote_app_name({})", lit(&r.remote_app_name)));
    }
    if r.remote_unit_id != 0 {
        calls.push(format!("remote_unit_id({})", r.remote_unit_id));
    }
    if !r.remote_app_data.is_empty() {
        calls.push(format!("remote_app_data({})", pairs(&r.remote_app_data)));
    }
    if r.remote_unit_data != default_unit_databag() {
        calls.push(format!("remote_unit_data({})", pairs(&r.remote_unit_data)));
    }
    let head = format!(
        "{}::new({})",
        code.ty("SubordinateRelation"),
        lit(&r.endpoint)
    );
    chain(head, &calls, 12)
}

pub(super) fn network(code: &mut Code, n: &Network) -> String {
    let default = Network::new(&n.binding_name);
    let mut calls = Vec::new();
    if n.bind_addresses != default.bind_addresses {
        let binds: Vec<String> = n
            .bind_addresses
            .iter()
            .map(|b| {
                let addresses: Vec<String> = b
                    .addresses
                    .iter()
                    .map(|a| {
                        let mut address = format!("{}::new({})", code.ty("Address"), lit(&a.value));
                        if !a.hostname.is_empty() {
                            let _ = write!(address, ".hostname({})", lit(&a.hostname));
                        }
                        if !a.cidr.is_empty() {
                            let _ = write!(address, ".cidr({})", lit(&a.cidr));
                        }
                        address
                    })
                    .collect();
                let mut bind = format!(
                    "{}::new([{}])",
                    code.ty("BindAddress"),
                    addresses.join(", ")
                );
                if !b.interface_name.is_empty() {
                    let _ = write!(bind, ".interface_name({})", lit(&b.interface_name));
                }
                if let Some(mac) = &b.mac_address {
                    let _ = write!(bind, ".mac_address({})", lit(mac));
                }
                bind
            })
            .collect();
        calls.push(format!("bind_addresses([{}])", binds.join(", ")));
    }
    if n.ingress_addresses != default.ingress_addresses {
        calls.push(format!(
            "ingress_addresses({})",
            strings(&n.ingress_addresses)
        ));
    }
    if n.egress_subnets != default.egress_subnets {
        calls.push(format!("egress_subnets({})", strings(&n.egress_subnets)));
    }
    let head = format!("{}::new({})", code.ty("Network"), lit(&n.binding_name));
    chain(head, &calls, 12)
}

pub(super) fn secret(code: &mut Code, s: &Secret) -> String {
    let mut calls = vec![format!("id({})", lit(&s.id))];
    match s.owner {
        Some(SecretOwner::App) => calls.push(format!("owner({}::App)", code.ty("SecretOwner"))),
        Some(SecretOwner::Unit) => calls.push(format!("owner({}::Unit)", code.ty("SecretOwner"))),
        None => {}
    }
    if let Some(label) = &s.label {
        calls.push(format!("label({})", lit(label)));
    }
    // Follow the builders' revision rules to say only what differs from them.
    let mut latest = 1;
    if s.latest_content != s.tracked_content {
        calls.push(format!("latest_content({})", pairs(&s.latest_content)));
        latest = 2;
    }
    if s.tracked_revision != 1 {
        calls.push(format!("tracked_revision({})", s.tracked_revision));
        latest = s.tracked_revision + (latest - 1);
    }
    if s.latest_revision != latest {
        calls.push(format!("latest_revision({})", s.latest_revision));
    }
    if let Some(description) = &s.description {
        calls.push(format!("description({})", lit(description)));
    }
    if let Some(expire) = &s.expire {
        calls.push(format!("expire({})", lit(expire)));
    }
    if let Some(rotate) = s.rotate {
        let variant = match rotate {
            SecretRotate::Never => "Never",
            SecretRotate::Hourly => "Hourly",
            SecretRotate::Daily => "Daily",
            SecretRotate::Weekly => "Weekly",
            SecretRotate::Monthly => "Monthly",
            SecretRotate::Quarterly => "Quarterly",
            SecretRotate::Yearly => "Yearly",
        };
        calls.push(format!("rotate({}::{variant})", code.ty("SecretRotate")));
    }
    for (relation, grantees) in &s.remote_grants {
        calls.push(format!("remote_grants({relation}, {})", strings(grantees)));
    }
    let head = format!("{}::new({})", code.ty("Secret"), pairs(&s.tracked_content));
    chain(head, &calls, 12)
}

pub(super) fn stored_state(code: &mut Code, s: &StoredState) -> String {
    let mut calls = Vec::new();
    let mut content = s.content.clone();
    let head = match &s.owner_path {
        Some(owner) => format!("{}::new({})", code.ty("StoredState"), lit(owner)),
        None => match content.remove("event_count") {
            Some(StoredValue::Int(n)) => format!("{}::framework({n})", code.ty("StoredState")),
            other => {
                if let Some(other) = other {
                    content.insert("event_count".into(), other);
                }
                // No counter to start from: the fields, with the framework's owner (none).
                let items = stored_pairs(code, &content);
                content.clear();
                format!(
                    "{} {{ owner_path: None, name: {}.into(), content: {}({items}) }}",
                    code.ty("StoredState"),
                    lit(&s.name),
                    code.ty("stored_dict")
                )
            }
        },
    };
    let literal = head.contains("owner_path: None");
    if s.name != DEFAULT_STORED_STATE_NAME && !literal {
        calls.push(format!("name({})", lit(&s.name)));
    }
    if !content.is_empty() {
        calls.push(format!("content({})", stored_pairs(code, &content)));
    }
    chain(head, &calls, 12)
}

pub(super) fn deferred(code: &mut Code, d: &DeferredEvent) -> String {
    let mut calls = Vec::new();
    if !d.snapshot_data.is_empty() {
        calls.push(format!(
            "snapshot_data({})",
            stored_pairs(code, &d.snapshot_data)
        ));
    }
    let head = format!(
        "{}::new({}, {}, {})",
        code.ty("DeferredEvent"),
        lit(&d.handle_path),
        lit(&d.owner),
        lit(&d.observer)
    );
    chain(head, &calls, 12)
}

pub(super) fn port(code: &mut Code, p: &Port) -> String {
    let ty = code.ty("Port");
    match (p.protocol, p.port) {
        (Protocol::Tcp, Some(n)) => format!("{ty}::tcp({n})"),
        (Protocol::Udp, Some(n)) => format!("{ty}::udp({n})"),
        _ => format!("{ty}::icmp()"),
    }
}

pub(super) fn storage(code: &mut Code, s: &Storage) -> String {
    let ty = code.ty("Storage");
    match s.index {
        0 => format!("{ty}::new({})", lit(&s.name)),
        n => format!("{ty}::new({}).index({n})", lit(&s.name)),
    }
}

/// `State::default().leader(true)...`: every part of the State that is not the default, one
/// builder call per line.
pub(super) fn state(code: &mut Code, state: &State) -> Result<String> {
    let mut calls = Vec::new();
    if state.leader {
        calls.push("leader(true)".to_owned());
    }
    if !state.config.is_empty() {
        let items: Vec<String> = state
            .config
            .iter()
            .map(|(k, v)| format!("({}, {})", lit(k), config_value(code, v)))
            .collect();
        calls.push(list_call("config", &items));
    }
    if state.unit_status != Status::Unknown {
        calls.push(format!("unit_status({})", status(code, &state.unit_status)));
    }
    if state.app_status != Status::Unknown {
        calls.push(format!("app_status({})", status(code, &state.app_status)));
    }
    if !state.workload_version.is_empty() {
        calls.push(format!(
            "workload_version({})",
            lit(&state.workload_version)
        ));
    }
    if state.planned_units != 1 {
        calls.push(format!("planned_units({})", state.planned_units));
    }
    if state.model != Model::default() {
        calls.push(format!("model({})", model(code, &state.model)));
    }
    // Relations: one `relations` call per run of relations of one kind, in State order.
    let mut run: Vec<String> = Vec::new();
    let mut run_kind = None;
    for r in &state.relations {
        let kind = std::mem::discriminant(r);
        if run_kind.is_some_and(|k| k != kind) {
            calls.push(list_call("relations", &run));
            run.clear();
        }
        run_kind = Some(kind);
        run.push(relation(code, r));
    }
    if !run.is_empty() {
        calls.push(list_call("relations", &run));
    }
    list(&mut calls, "networks", &state.networks, |x| {
        network(code, x)
    });
    if !state.containers.is_empty() {
        let items = state
            .containers
            .iter()
            .map(|c| container(code, c))
            .collect::<Result<Vec<_>>>()?;
        calls.push(list_call("containers", &items));
    }
    list(&mut calls, "opened_ports", &state.opened_ports, |x| {
        port(code, x)
    });
    list(&mut calls, "storages", &state.storages, |x| {
        storage(code, x)
    });
    list(&mut calls, "secrets", &state.secrets, |x| secret(code, x));
    list(&mut calls, "stored_states", &state.stored_states, |x| {
        stored_state(code, x)
    });
    list(&mut calls, "deferred", &state.deferred, |x| {
        deferred(code, x)
    });
    Ok(chain(format!("{}::default()", code.ty("State")), &calls, 4))
}

/// Add `.method([...])` for a non-empty list, each item written by `write`.
fn list<T>(calls: &mut Vec<String>, method: &str, items: &[T], write: impl FnMut(&T) -> String) {
    if !items.is_empty() {
        let items: Vec<String> = items.iter().map(write).collect();
        calls.push(list_call(method, &items));
    }
}
