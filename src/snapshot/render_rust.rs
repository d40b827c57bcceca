//! A snapshot as a Rust integration test: the State built with the crate's builders
//! (`Relation::new("db").id(3).remote_app_name("pg").remote_app_data([...])`), the unit's
//! Context, and a run of a chosen event.
//!
//! The text is laid out one builder call per line; `scenario snapshot` passes it through
//! `rustfmt` when that is installed.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::Snapshot;
use crate::error::{Error, Result};
use crate::event::LIFECYCLE_EVENTS;
use crate::options::DEFAULT_JUJU_VERSION;
use crate::state::{
    default_unit_databag, AnyRelation, CheckInfo, CheckLevel, CheckStartup, CheckStatus, CloudSpec,
    ConfigValue, Container, ContainerFile, DeferredEvent, FileContent, Model, ModelType, Network,
    Notice, PeerRelation, Port, Protocol, Relation, Secret, SecretOwner, SecretRotate,
    ServiceStatus, Status, Storage, StoredState, StoredValue, SubordinateRelation,
    DEFAULT_NOTICE_TIME, DEFAULT_REMOTE_APP_NAME, DEFAULT_STORED_STATE_NAME,
};

/// How to write the test: which charm, which event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustTest {
    /// The charm directory as the test names it (`Charm::from_dir("...")`), relative to where
    /// the test runs (the package root, under `cargo test`).
    pub charm_dir: String,
    /// The CharmBase subclass, when `src/charm.py` has several. Defaults to none.
    pub class_name: Option<String>,
    /// The event to run (its Python name). See [`Snapshot::event`].
    pub event: String,
    /// The command line that made the snapshot, quoted in the file's header so that it can be
    /// made again. Defaults to none.
    pub command: Option<String>,
}

impl RustTest {
    /// A test running `event` on the charm in `charm_dir`.
    pub fn new(charm_dir: impl Into<String>, event: impl Into<String>) -> Self {
        RustTest {
            charm_dir: charm_dir.into(),
            class_name: None,
            event: event.into(),
            command: None,
        }
    }

    /// Name the charm class.
    pub fn class_name(mut self, class_name: impl Into<String>) -> Self {
        self.class_name = Some(class_name.into());
        self
    }

    /// Quote the command line that made the snapshot in the header.
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.command = Some(command.into());
        self
    }
}

/// Rust source being written: the expressions, and the `ops_scenario` names they use.
#[derive(Default)]
struct Code {
    uses: BTreeSet<&'static str>,
}

impl Code {
    /// A name from `ops_scenario`, imported.
    fn ty(&mut self, name: &'static str) -> &'static str {
        self.uses.insert(name);
        name
    }
}

/// A Rust string literal.
///
/// A long one is written as `concat!` of its lines (long lines cut in pieces): rustfmt cannot
/// break a string literal, and gives up laying out the whole statement around one that does
/// not fit, so a certificate in a databag would leave the State unformatted.
fn lit(text: &str) -> String {
    const LONGEST: usize = 70;
    const PIECE: usize = 60;
    let whole = format!("{text:?}");
    if whole.len() <= LONGEST {
        return whole;
    }
    let mut pieces = Vec::new();
    for line in text.split_inclusive('\n') {
        let mut rest = line;
        while rest.len() > PIECE {
            let mut at = PIECE;
            while !rest.is_char_boundary(at) {
                at -= 1;
            }
            pieces.push(&rest[..at]);
            rest = &rest[at..];
        }
        pieces.push(rest);
    }
    let pieces: Vec<String> = pieces.iter().map(|p| format!("{p:?}")).collect();
    format!("concat!({})", pieces.join(", "))
}

/// A raw string literal, with enough `#`s.
fn raw(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

/// A builder chain: `head` then `.call`s, one per line below `indent`.
fn chain(head: String, calls: &[String], indent: usize) -> String {
    let mut out = head;
    for call in calls {
        let _ = write!(out, "\n{:indent$}.{call}", "", indent = indent + 4);
    }
    out
}

/// `[("k", "v"), ...]`, or an empty vector the compiler can type.
fn pairs<'a>(bag: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let items: Vec<String> = bag
        .into_iter()
        .map(|(k, v)| format!("({}, {})", lit(k), lit(v)))
        .collect();
    if items.is_empty() {
        "Vec::<(&str, &str)>::new()".into()
    } else {
        format!("[{}]", items.join(", "))
    }
}

/// `["a", "b"]`, or an empty vector the compiler can type.
fn strings<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| lit(s)).collect();
    if items.is_empty() {
        "Vec::<String>::new()".into()
    } else {
        format!("[{}]", items.join(", "))
    }
}

fn float(f: f64) -> String {
    if f.is_nan() {
        "f64::NAN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "f64::INFINITY"
        } else {
            "f64::NEG_INFINITY"
        }
        .into()
    } else {
        format!("{f:?}")
    }
}

fn stored_value(code: &mut Code, value: &StoredValue) -> String {
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
fn stored_pairs(code: &mut Code, dict: &crate::state::StoredDict) -> String {
    let items: Vec<String> = dict
        .iter()
        .map(|(k, v)| format!("({}, {})", lit(k), stored_value(code, v)))
        .collect();
    format!("[{}]", items.join(", "))
}

fn config_value(code: &mut Code, value: &ConfigValue) -> String {
    match value {
        ConfigValue::String(s) => format!("{}.into()", lit(s)),
        ConfigValue::Bool(b) => format!("{b}.into()"),
        ConfigValue::Int(i) if (0..=i64::from(i32::MAX)).contains(i) => format!("{i}.into()"),
        ConfigValue::Float(f) if f.is_finite() && *f >= 0.0 => format!("{}.into()", float(*f)),
        ConfigValue::Int(i) => format!("{}::Int({i})", code.ty("ConfigValue")),
        ConfigValue::Float(f) => format!("{}::Float({})", code.ty("ConfigValue"), float(*f)),
    }
}

fn status(code: &mut Code, status: &Status) -> String {
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

fn model(code: &mut Code, model: &Model) -> String {
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
fn cloud_spec(code: &mut Code, spec: &CloudSpec) -> String {
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

fn relation(code: &mut Code, relation: &AnyRelation) -> String {
    match relation {
        AnyRelation::Regular(r) => regular(code, r),
        AnyRelation::Peer(r) => peer(code, r),
        AnyRelation::Subordinate(r) => subordinate(code, r),
    }
}

/// The calls every relation kind shares: id, interface, and this side's bags.
fn common_calls(
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

fn regular(code: &mut Code, r: &Relation) -> String {
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

fn peer(code: &mut Code, r: &PeerRelation) -> String {
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

fn subordinate(code: &mut Code, r: &SubordinateRelation) -> String {
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

fn network(code: &mut Code, n: &Network) -> String {
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

fn container(code: &mut Code, c: &Container) -> Result<String> {
    let mut calls = Vec::new();
    if c.can_connect {
        calls.push("can_connect(true)".into());
    }
    if !c.layers.is_empty() {
        let mut layers = Vec::new();
        for (label, layer) in c.layers.iter() {
            let yaml = serde_yaml_ng::to_string(layer)
                .map_err(|e| Error::runtime(format!("writing layer {label:?} as YAML: {e}")))?;
            layers.push(format!(
                "({}, {}::from_yaml({})?)",
                lit(label),
                code.ty("Layer"),
                raw(&yaml)
            ));
        }
        calls.push(format!("layers([{}])", layers.join(", ")));
    }
    if !c.service_statuses.is_empty() {
        let ss = code.ty("ServiceStatus");
        let statuses: Vec<String> = c
            .service_statuses
            .iter()
            .map(|(name, status)| {
                let variant = match status {
                    ServiceStatus::Active => "Active",
                    ServiceStatus::Inactive => "Inactive",
                    ServiceStatus::Error => "Error",
                    ServiceStatus::Backoff => "Backoff",
                };
                format!("({}, {ss}::{variant})", lit(name))
            })
            .collect();
        calls.push(format!("service_statuses([{}])", statuses.join(", ")));
    }
    if !c.notices.is_empty() {
        let notices: Vec<String> = c.notices.iter().map(|n| notice(code, n)).collect();
        calls.push(format!("notices([{}])", notices.join(", ")));
    }
    if !c.check_infos.is_empty() {
        let infos: Vec<String> = c.check_infos.iter().map(|i| check_info(code, i)).collect();
        calls.push(format!("check_infos([{}])", infos.join(", ")));
    }
    if !c.files.is_empty() {
        let all_text = c
            .files
            .values()
            .all(|f| f.text().is_some() && f.has_default_metadata());
        let files: Vec<String> = c
            .files
            .iter()
            .map(|(path, file)| {
                let value = file_expr(code, file, all_text);
                format!("({}, {value})", lit(path))
            })
            .collect();
        calls.push(format!("files([{}])", files.join(", ")));
    }
    let head = format!("{}::new({})", code.ty("Container"), lit(&c.name));
    Ok(chain(head, &calls, 12))
}

/// `Notice::new("example.com/x").id("1")...`, leaving out what is the default.
fn notice(code: &mut Code, n: &Notice) -> String {
    let mut calls: Vec<String> = Vec::new();
    if let Some(id) = &n.id {
        calls.push(format!("id({})", lit(id)));
    }
    if n.notice_type != "custom" {
        calls.push(format!("notice_type({})", lit(&n.notice_type)));
    }
    if let Some(user) = n.user_id {
        calls.push(format!("user_id({user})"));
    }
    for (method, time) in [
        ("first_occurred", &n.first_occurred),
        ("last_occurred", &n.last_occurred),
        ("last_repeated", &n.last_repeated),
    ] {
        if time != DEFAULT_NOTICE_TIME {
            calls.push(format!("{method}({})", lit(time)));
        }
    }
    if n.occurrences != 1 {
        calls.push(format!("occurrences({})", n.occurrences));
    }
    if !n.last_data.is_empty() {
        calls.push(format!("last_data({})", pairs(&n.last_data)));
    }
    for (method, seconds) in [
        ("repeat_after", n.repeat_after),
        ("expire_after", n.expire_after),
    ] {
        if let Some(seconds) = seconds {
            calls.push(format!("{method}({seconds:?})"));
        }
    }
    chain(
        format!("{}::new({})", code.ty("Notice"), lit(&n.key)),
        &calls,
        16,
    )
}

/// `CheckInfo::new("up").level(CheckLevel::Alive)...`, leaving out what is the default.
fn check_info(code: &mut Code, info: &CheckInfo) -> String {
    let mut out = format!("{}::new({})", code.ty("CheckInfo"), lit(&info.name));
    let level = match info.level {
        CheckLevel::Unset => None,
        CheckLevel::Alive => Some("Alive"),
        CheckLevel::Ready => Some("Ready"),
    };
    if let Some(level) = level {
        let _ = write!(out, ".level({}::{level})", code.ty("CheckLevel"));
    }
    if info.startup == CheckStartup::Disabled {
        let _ = write!(out, ".startup({}::Disabled)", code.ty("CheckStartup"));
    }
    let status = match info.status {
        CheckStatus::Up => None,
        CheckStatus::Down => Some("Down"),
        CheckStatus::Inactive => Some("Inactive"),
    };
    if let Some(status) = status {
        let _ = write!(out, ".status({}::{status})", code.ty("CheckStatus"));
    }
    if info.failures != 0 {
        let _ = write!(out, ".failures({})", info.failures);
    }
    if info.threshold != 3 {
        let _ = write!(out, ".threshold({})", info.threshold);
    }
    if let Some(id) = &info.change_id {
        let _ = write!(out, ".change_id({})", lit(id));
    }
    out
}

fn file_expr(code: &mut Code, file: &ContainerFile, plain: bool) -> String {
    match (&file.content, plain) {
        (FileContent::Text(text), true) => lit(text),
        (FileContent::Text(text), false) => {
            format!("{}::from({})", code.ty("ContainerFile"), lit(text))
        }
        (FileContent::Bytes(bytes), _) => format!(
            "{}::from(vec![{}])",
            code.ty("ContainerFile"),
            bytes
                .iter()
                .map(|b| format!("{b}u8"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn secret(code: &mut Code, s: &Secret) -> String {
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

fn stored_state(code: &mut Code, s: &StoredState) -> String {
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

fn deferred(code: &mut Code, d: &DeferredEvent) -> String {
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

fn port(code: &mut Code, p: &Port) -> String {
    let ty = code.ty("Port");
    match (p.protocol, p.port) {
        (Protocol::Tcp, Some(n)) => format!("{ty}::tcp({n})"),
        (Protocol::Udp, Some(n)) => format!("{ty}::udp({n})"),
        _ => format!("{ty}::icmp()"),
    }
}

fn storage(code: &mut Code, s: &Storage) -> String {
    let ty = code.ty("Storage");
    match s.index {
        0 => format!("{ty}::new({})", lit(&s.name)),
        n => format!("{ty}::new({}).index({n})", lit(&s.name)),
    }
}

/// `.method([a, b])` with each item on its own line.
fn list_call(method: &str, items: &[String]) -> String {
    format!(
        "{method}([\n{}\n        ])",
        items
            .iter()
            .map(|i| format!("            {i},"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// A name fit for a Rust function: lower case, `_` for anything else.
fn ident(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    out.trim_matches('_').to_owned()
}

impl Snapshot {
    /// A Rust integration test that builds this State with the crate's builders and runs
    /// `test.event` on the charm.
    ///
    /// # Errors
    /// As [`Snapshot::event`].
    pub fn to_rust_test(&self, test: &RustTest) -> Result<String> {
        let event = self.event(&test.event)?;
        let mut code = Code::default();
        let state = &self.state;

        // The Context.
        let mut charm = format!("{}::from_dir({})?", code.ty("Charm"), lit(&test.charm_dir));
        if let Some(class) = &test.class_name {
            let _ = write!(charm, ".class_name({})", lit(class));
        }
        let ctx_opts = &self.context;
        let mut ctx_calls = Vec::new();
        if let Some(app) = ctx_opts
            .app_name
            .as_ref()
            .filter(|a| **a != self.charm_name)
        {
            ctx_calls.push(format!("app_name({})", lit(app)));
        }
        if ctx_opts.unit_id != 0 {
            ctx_calls.push(format!("unit_id({})", ctx_opts.unit_id));
        }
        if ctx_opts.juju_version != DEFAULT_JUJU_VERSION {
            ctx_calls.push(format!("juju_version({})", lit(&ctx_opts.juju_version)));
        }
        if ctx_opts.app_trusted {
            ctx_calls.push("app_trusted(true)".into());
        }
        if let Some(machine) = &ctx_opts.machine_id {
            ctx_calls.push(format!("machine_id({})", lit(machine)));
        }
        if let Some(zone) = &ctx_opts.availability_zone {
            ctx_calls.push(format!("availability_zone({})", lit(zone)));
        }
        if let Some(principal) = &ctx_opts.principal_unit {
            ctx_calls.push(format!("principal_unit({})", lit(principal)));
        }
        let ctx = chain(
            format!("{}::new({charm})?", code.ty("Context")),
            &ctx_calls,
            4,
        );

        // The State.
        let mut calls = Vec::new();
        if state.leader {
            calls.push("leader(true)".to_owned());
        }
        if !state.config.is_empty() {
            let items: Vec<String> = state
                .config
                .iter()
                .map(|(k, v)| format!("({}, {})", lit(k), config_value(&mut code, v)))
                .collect();
            calls.push(list_call("config", &items));
        }
        if state.unit_status != Status::Unknown {
            calls.push(format!(
                "unit_status({})",
                status(&mut code, &state.unit_status)
            ));
        }
        if state.app_status != Status::Unknown {
            calls.push(format!(
                "app_status({})",
                status(&mut code, &state.app_status)
            ));
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
            calls.push(format!("model({})", model(&mut code, &state.model)));
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
            run.push(relation(&mut code, r));
        }
        if !run.is_empty() {
            calls.push(list_call("relations", &run));
        }
        if !state.networks.is_empty() {
            let items: Vec<String> = state
                .networks
                .iter()
                .map(|n| network(&mut code, n))
                .collect();
            calls.push(list_call("networks", &items));
        }
        if !state.containers.is_empty() {
            let items = state
                .containers
                .iter()
                .map(|c| container(&mut code, c))
                .collect::<Result<Vec<_>>>()?;
            calls.push(list_call("containers", &items));
        }
        if !state.opened_ports.is_empty() {
            let items: Vec<String> = state
                .opened_ports
                .iter()
                .map(|p| port(&mut code, p))
                .collect();
            calls.push(list_call("opened_ports", &items));
        }
        if !state.storages.is_empty() {
            let items: Vec<String> = state
                .storages
                .iter()
                .map(|s| storage(&mut code, s))
                .collect();
            calls.push(list_call("storages", &items));
        }
        if !state.secrets.is_empty() {
            let items: Vec<String> = state.secrets.iter().map(|s| secret(&mut code, s)).collect();
            calls.push(list_call("secrets", &items));
        }
        if !state.stored_states.is_empty() {
            let items: Vec<String> = state
                .stored_states
                .iter()
                .map(|s| stored_state(&mut code, s))
                .collect();
            calls.push(list_call("stored_states", &items));
        }
        if !state.deferred.is_empty() {
            let items: Vec<String> = state
                .deferred
                .iter()
                .map(|d| deferred(&mut code, d))
                .collect();
            calls.push(list_call("deferred", &items));
        }
        let state_expr = chain(format!("{}::default()", code.ty("State")), &calls, 4);

        // The event.
        let mut event_expr = if LIFECYCLE_EVENTS.contains(&event.name.as_str()) {
            format!("{}::{}()", code.ty("Event"), event.name)
        } else {
            format!("{}::new({})", code.ty("Event"), lit(&event.name))
        };
        if let Some(id) = event.relation_id {
            let _ = write!(event_expr, ".relation_id({id})");
        }
        if let Some(unit) = event.remote_unit {
            let _ = write!(event_expr, ".remote_unit({unit})");
        }

        // The file.
        let mut out = String::new();
        let _ = writeln!(
            out,
            "//! The State of unit {} in model {}, as `scenario snapshot` found it, with `{}` run on it.",
            self.unit, state.model.name, test.event
        );
        if let Some(command) = &test.command {
            let _ = writeln!(out, "//!\n//! Made by: `{command}`");
        }
        let _ = writeln!(
            out,
            "//! Regenerate it rather than edit it; write your own assertions in another file."
        );
        if !self.warnings.is_empty() {
            let _ = writeln!(
                out,
                "//!\n//! What the snapshot could not take over as it was:"
            );
            for warning in &self.warnings {
                let lines: Vec<&str> = warning.lines().collect();
                let _ = writeln!(out, "//! - {}", lines.join("\n//!   "));
            }
        }
        let uses: Vec<&str> = code.uses.iter().copied().collect();
        let _ = writeln!(out, "\nuse ops_scenario::{{{}}};\n", uses.join(", "));
        let name = ident(&format!("snapshot_of_{}_runs_{}", self.unit, test.event));
        let _ = writeln!(out, "#[test]");
        let _ = writeln!(out, "fn {name}() -> Result<(), ops_scenario::Error> {{");
        let _ = writeln!(out, "    let ctx = {ctx};");
        let _ = writeln!(out, "    let state = {state_expr};");
        let _ = writeln!(out, "    let out = ctx.run({event_expr}, &state)?;");
        let _ = writeln!(
            out,
            "    // The charm handled the event on the live unit's State; assert on `out` here."
        );
        let _ = writeln!(out, "    assert_eq!(out.state.model, state.model);");
        let _ = writeln!(out, "    Ok(())");
        let _ = writeln!(out, "}}");
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::ContextOptions;
    use crate::state::{stored_dict, State};

    #[test]
    fn a_long_string_is_a_concat_of_its_lines_and_pieces() {
        assert_eq!(lit("short \"one\""), r#""short \"one\"""#);
        let pem = "-----BEGIN CERTIFICATE-----\nMIICdzCCAeCgAwIBAgIJ\n-----END CERTIFICATE-----\n";
        assert_eq!(
            lit(pem),
            r#"concat!("-----BEGIN CERTIFICATE-----\n", "MIICdzCCAeCgAwIBAgIJ\n", "-----END CERTIFICATE-----\n")"#
        );
        let long = "é".repeat(50); // 100 bytes: cut at a character boundary
        let written = lit(&long);
        assert_eq!(
            written,
            format!("concat!({:?}, {:?})", "é".repeat(30), "é".repeat(20))
        );
    }

    fn snapshot(state: State) -> Snapshot {
        Snapshot {
            unit: "web/1".into(),
            charm_name: "web-k8s".into(),
            state,
            context: ContextOptions {
                app_name: Some("web".into()),
                unit_id: 1,
                ..ContextOptions::default()
            },
            warnings: vec!["something was guessed".into()],
        }
    }

    #[test]
    fn values_render_as_the_expressions_that_build_them() {
        let mut code = Code::default();
        let value = StoredValue::Dict(stored_dict([
            ("n", StoredValue::None),
            ("f", StoredValue::Float(0.5)),
            ("k", StoredValue::KeyedDict(vec![(1.into(), "x".into())])),
        ]));
        assert_eq!(
            stored_value(&mut code, &value),
            "StoredValue::Dict(stored_dict([(\"f\", StoredValue::Float(0.5)), \
             (\"k\", StoredValue::KeyedDict(vec![(StoredValue::Int(1), StoredValue::Str(\"x\".into()))])), \
             (\"n\", StoredValue::None)]))"
        );
        assert_eq!(raw("a \"# b"), "r##\"a \"# b\"##");
        assert_eq!(
            config_value(&mut code, &ConfigValue::Int(-3)),
            "ConfigValue::Int(-3)"
        );
        assert_eq!(
            config_value(&mut code, &ConfigValue::Float(2.0)),
            "2.0.into()"
        );
        assert_eq!(
            ident("snapshot_of_web/1_runs_db-relation"),
            "snapshot_of_web_1_runs_db_relation"
        );
    }

    #[test]
    fn secret_revisions_say_only_what_the_builders_do_not() {
        let mut code = Code::default();
        let s = Secret::new([("a", "1")])
            .id("secret:d1ehcifmp25c76e01vhg")
            .latest_content([("a", "3")])
            .tracked_revision(1)
            .latest_revision(3);
        assert_eq!(
            secret(&mut code, &s),
            "Secret::new([(\"a\", \"1\")])\n                \
             .id(\"secret:d1ehcifmp25c76e01vhg\")\n                \
             .latest_content([(\"a\", \"3\")])\n                \
             .latest_revision(3)"
        );
    }

    #[test]
    fn the_test_imports_what_it_uses_and_names_the_warnings() {
        let state = State::default()
            .leader(true)
            .relations([Relation::new("db").id(3).remote_app_name("pg")]);
        let text = snapshot(state)
            .to_rust_test(&RustTest::new("charm", "db_relation_changed"))
            .unwrap();
        assert!(
            text.contains("use ops_scenario::{Charm, Context, Event, Relation, State};"),
            "{text}"
        );
        assert!(text.contains("//! - something was guessed"), "{text}");
        assert!(
            text.contains("ctx.run(Event::new(\"db_relation_changed\").relation_id(3).remote_unit(0), &state)?"),
            "{text}"
        );
        assert!(text.contains(".app_name(\"web\")"), "{text}");
        assert!(text.contains(".unit_id(1)"), "{text}");
    }
}
