//! Pebble (workload) events resolved against the State: which container, and which notice or
//! check; and deferred workload snapshots completed from it.

use crate::state::{CheckInfo, Container, DeferredEvent, Notice, State, StoredDict, StoredValue};

use super::{endpoint_matches, Event};

impl Container {
    /// `<container>_pebble_ready`.
    pub fn pebble_ready_event(&self) -> Event {
        Event::workload(&self.name, "pebble_ready")
    }

    /// `<container>_pebble_custom_notice` for `notice` (which must be one of this
    /// container's notices, with an id).
    pub fn custom_notice_event(&self, notice: &Notice) -> Event {
        Event {
            notice_id: notice.id.clone(),
            ..Event::workload(&self.name, "pebble_custom_notice")
        }
    }

    /// `<container>_pebble_check_failed` for the check `info` names.
    pub fn check_failed_event(&self, info: &CheckInfo) -> Event {
        Event {
            check: Some(info.name.clone()),
            ..Event::workload(&self.name, "pebble_check_failed")
        }
    }

    /// `<container>_pebble_check_recovered` for the check `info` names.
    pub fn check_recovered_event(&self, info: &CheckInfo) -> Event {
        Event {
            check: Some(info.name.clone()),
            ..Event::workload(&self.name, "pebble_check_recovered")
        }
    }
}

/// The four Pebble hooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WorkloadHook {
    Ready,
    CustomNotice,
    CheckFailed,
    CheckRecovered,
}

impl WorkloadHook {
    /// The hook an event name ends with, and the container part before it.
    pub(crate) fn split(name: &str) -> Option<(&str, Self)> {
        [
            ("_pebble_ready", WorkloadHook::Ready),
            ("_pebble_custom_notice", WorkloadHook::CustomNotice),
            ("_pebble_check_failed", WorkloadHook::CheckFailed),
            ("_pebble_check_recovered", WorkloadHook::CheckRecovered),
        ]
        .into_iter()
        .find_map(|(suffix, hook)| {
            name.strip_suffix(suffix)
                .filter(|c| !c.is_empty())
                .map(|c| (c, hook))
        })
    }

    /// Whether the hook is about a check.
    pub(crate) fn is_check(self) -> bool {
        matches!(
            self,
            WorkloadHook::CheckFailed | WorkloadHook::CheckRecovered
        )
    }
}

/// A Pebble event resolved against the State.
#[derive(Clone, Debug)]
pub(crate) struct WorkloadTarget<'s> {
    pub container: &'s Container,
    pub notice: Option<&'s Notice>,
    pub check: Option<&'s CheckInfo>,
}

/// Why a Pebble event cannot be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WorkloadTargetError {
    NotAWorkloadEvent,
    /// The State has no such container.
    NoSuchContainer(String),
    /// A custom-notice event without a notice id, in a container without exactly one custom
    /// notice.
    NoNoticeId,
    /// The container has no notice with this id.
    NoSuchNotice(String),
    /// A check event without a check name.
    NoCheckName,
    /// The container has no check info with this name.
    NoSuchCheck(String),
}

/// Resolve a Pebble event by its name's container part (or an explicit container name), its
/// notice id and its check name.
pub(crate) fn resolve<'s>(
    state: &'s State,
    name: &str,
    container: Option<&str>,
    notice_id: Option<&str>,
    check: Option<&str>,
) -> Result<WorkloadTarget<'s>, WorkloadTargetError> {
    let (entity, hook) = WorkloadHook::split(name).ok_or(WorkloadTargetError::NotAWorkloadEvent)?;
    let found = match container {
        Some(explicit) => state.containers.iter().find(|c| c.name == explicit),
        None => state
            .containers
            .iter()
            .find(|c| endpoint_matches(&c.name, entity)),
    }
    .ok_or_else(|| WorkloadTargetError::NoSuchContainer(container.unwrap_or(entity).to_owned()))?;
    let notice = match hook {
        WorkloadHook::CustomNotice => Some(match notice_id {
            Some(id) => found
                .notices
                .iter()
                .find(|n| n.id.as_deref() == Some(id))
                .ok_or_else(|| WorkloadTargetError::NoSuchNotice(id.to_owned()))?,
            // An event built from a notice without an id: the container's only custom notice.
            None => {
                let mut custom = found.notices.iter().filter(|n| n.notice_type == "custom");
                match (custom.next(), custom.next()) {
                    (Some(only), None) => only,
                    _ => return Err(WorkloadTargetError::NoNoticeId),
                }
            }
        }),
        _ => None,
    };
    let check = if hook.is_check() {
        let name = check.ok_or(WorkloadTargetError::NoCheckName)?;
        Some(
            found
                .check_infos
                .iter()
                .find(|c| c.name == name)
                .ok_or_else(|| WorkloadTargetError::NoSuchCheck(name.to_owned()))?,
        )
    } else {
        None
    };
    Ok(WorkloadTarget {
        container: found,
        notice,
        check,
    })
}

/// Complete the snapshot of a deferred custom-notice event that names its notice only by id
/// (one built by `Event::deferred`): ops also records the notice's type and key.
pub(crate) fn complete_workload_snapshot(
    deferred: &DeferredEvent,
    state: &State,
) -> Option<StoredDict> {
    let (_, WorkloadHook::CustomNotice) = WorkloadHook::split(deferred.name())? else {
        return None;
    };
    let snapshot = &deferred.snapshot_data;
    if snapshot.contains_key("notice_key") {
        return None;
    }
    let text = |key: &str| match snapshot.get(key) {
        Some(StoredValue::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    let target = resolve(
        state,
        deferred.name(),
        text("container_name"),
        text("notice_id"),
        None,
    )
    .ok()?;
    let notice = target.notice?;
    let mut completed = snapshot.clone();
    completed.insert(
        "container_name".into(),
        target.container.name.as_str().into(),
    );
    if let Some(id) = &notice.id {
        completed.insert("notice_id".into(), id.as_str().into());
    }
    completed.insert("notice_type".into(), notice.notice_type.as_str().into());
    completed.insert("notice_key".into(), notice.key.as_str().into());
    Some(completed)
}
