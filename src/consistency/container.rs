//! Container and Pebble-event rules.

use super::{suggest, Checked};
use crate::charm::CharmMeta;
use crate::error::{Rule, Violation};
use crate::event::{endpoint_matches, Event, Prepared, WorkloadHook, WorkloadTargetError};
use crate::state::State;

/// A Pebble event must be for a container of the charm that is in the State, with the notice
/// or check it names.
pub(super) fn check_workload_event(
    meta: &CharmMeta,
    event: &Event,
    prepared: &Prepared,
    out: &mut Checked,
) {
    let Some((entity, hook)) = WorkloadHook::split(&event.name) else {
        return;
    };
    let name = event.container.as_deref().unwrap_or(entity);
    let declared: Vec<&str> = meta.containers.keys().map(String::as_str).collect();
    if !declared
        .iter()
        .any(|c| *c == name || endpoint_matches(c, name))
    {
        out.errors.push(
            Violation::new(
                Rule::EventUnknown,
                format!(
                    "{:?} names container {name:?}, which the charm's metadata does not declare",
                    event.name
                ),
            )
            .hint(suggest(name, declared.iter().copied(), "containers")),
        );
        return;
    }
    if event.notice_id.is_some() && hook != WorkloadHook::CustomNotice {
        out.errors.push(Violation::new(
            Rule::EventArgs,
            format!(
                "{:?}: only pebble_custom_notice events have a notice",
                event.name
            ),
        ));
    }
    if event.check.is_some() && !hook.is_check() {
        out.errors.push(Violation::new(
            Rule::EventArgs,
            format!("{:?}: only check events have a check", event.name),
        ));
    }
    match &prepared.scope.workload {
        Ok(target) => {
            if hook == WorkloadHook::Ready && !target.can_connect {
                out.warnings.push(Violation::new(
                    Rule::ContainerCannotConnect,
                    format!(
                        "{:?}: container {:?} cannot connect, so Pebble cannot be ready",
                        event.name, target.container
                    ),
                ));
            }
        }
        Err(err) => out.errors.push(match err {
            WorkloadTargetError::NoSuchContainer(c) => Violation::new(
                Rule::ContainerMissing,
                format!("{:?} is for container {c:?}, which is not in the State", event.name),
            )
            .hint("add Container::new(..) to State.containers and build the event from it"),
            WorkloadTargetError::NoNoticeId => Violation::new(
                Rule::ContainerNoticeMissing,
                format!("{:?} gives no notice id, and the container does not have exactly one custom notice", event.name),
            )
            .hint("give the notice an id and build the event with container.custom_notice_event(&notice)"),
            WorkloadTargetError::NoSuchNotice(id) => Violation::new(
                Rule::ContainerNoticeNotFound,
                format!("{:?} is for notice {id:?}, which the container does not have", event.name),
            ),
            WorkloadTargetError::NoCheckName => Violation::new(
                Rule::ContainerCheckMissing,
                format!("{:?} needs a check", event.name),
            )
            .hint("build it with container.check_failed_event(&check_info)"),
            WorkloadTargetError::NoSuchCheck(check) => Violation::new(
                Rule::ContainerCheckNotFound,
                format!("{:?} is for check {check:?}, which is not in the container's check_infos", event.name),
            ),
            WorkloadTargetError::NotAWorkloadEvent => return,
        }),
    }
}

/// Every container in the State must be one the charm declares, once, with consistent
/// execs, notices, mounts and check infos.
pub(super) fn check_containers(meta: &CharmMeta, state: &State, out: &mut Checked) {
    let mut notice_ids: Vec<&str> = Vec::new();
    for (i, container) in state.containers.iter().enumerate() {
        let at = format!("containers[{i}]");
        let name = container.name.as_str();
        if !meta.containers.contains_key(name) {
            let v = Violation::new(
                Rule::ContainerUndeclared,
                format!("{at}: {name:?} is not a container in the charm's metadata"),
            );
            out.errors.push(v.hint(suggest(
                name,
                meta.containers.keys().map(String::as_str),
                "containers",
            )));
        }
        if state.containers[..i].iter().any(|c| c.name == name) {
            out.errors.push(Violation::new(
                Rule::ContainerDuplicate,
                format!("{at}: container {name:?} appears more than once"),
            ));
        }
        for (j, exec) in container.execs.iter().enumerate() {
            if container.execs[..j]
                .iter()
                .any(|e| e.command_prefix == exec.command_prefix)
            {
                out.errors.push(Violation::new(
                    Rule::ContainerDuplicateExec,
                    format!(
                        "{at}.execs[{j}]: command prefix {:?} is given more than once",
                        exec.command_prefix
                    ),
                ));
            }
        }
        for (mount_name, mount) in &container.mounts {
            if !mount.location.starts_with('/') {
                out.errors.push(Violation::new(
                    Rule::ContainerMount,
                    format!(
                        "{at}.mounts.{mount_name}: location {:?} is not an absolute path",
                        mount.location
                    ),
                ));
            }
        }
        for path in container.files.keys() {
            if !path.starts_with('/') {
                out.errors.push(Violation::new(
                    Rule::ContainerFile,
                    format!("{at}.files: {path:?} is not an absolute path"),
                ));
            }
        }
        for problem in crate::pebble::check_info_problems(container) {
            out.errors.push(Violation::new(
                Rule::ContainerCheckInfo,
                format!("{at}: {problem}"),
            ));
        }
        for notice in &container.notices {
            if let Some(id) = notice.id.as_deref() {
                if notice_ids.contains(&id) {
                    out.errors.push(Violation::new(
                        Rule::ContainerDuplicateNotice,
                        format!("{at}: notice id {id:?} is used more than once"),
                    ));
                }
                notice_ids.push(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check_state;
    use crate::charm::CharmMeta;
    use crate::options::ContextOptions;
    use crate::state::{Container, Notice, State};

    #[test]
    fn an_event_may_name_a_notice_by_the_id_the_state_s_rule_gives_it() {
        let meta = CharmMeta::from_values(
            serde_json::json!({"name": "demo", "containers": {"web": {"resource": "img"}}}),
            None,
            None,
        )
        .unwrap();
        let web = Container::new("web")
            .can_connect(true)
            .notices([Notice::new("example.com/a"), Notice::new("example.com/b")]);
        let event = web.custom_notice_event(&Notice::new("example.com/b").id("2"));
        let state = State::default().containers([web]);
        let checked = check_state(&meta, &ContextOptions::default(), &event, &state);
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        let missing = Container::new("web").custom_notice_event(&Notice::new("x/y").id("3"));
        let checked = check_state(&meta, &ContextOptions::default(), &missing, &state);
        assert_eq!(checked.errors[0].rule.id(), "container.notice_not_found");
    }
}
