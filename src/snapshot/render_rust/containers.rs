//! Workload containers as builder expressions: layers, service statuses, notices, check
//! infos and files.

use std::fmt::Write as _;

use super::source::{chain, lit, pairs, raw, Code};
use crate::error::{Error, Result};
use crate::state::{
    CheckInfo, CheckLevel, CheckStartup, CheckStatus, Container, ContainerFile, FileContent,
    Notice, ServiceStatus, DEFAULT_NOTICE_TIME,
};

pub(super) fn container(code: &mut Code, c: &Container) -> Result<String> {
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
pub(super) fn notice(code: &mut Code, n: &Notice) -> String {
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
pub(super) fn check_info(code: &mut Code, info: &CheckInfo) -> String {
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

pub(super) fn file_expr(code: &mut Code, file: &ContainerFile, plain: bool) -> String {
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
