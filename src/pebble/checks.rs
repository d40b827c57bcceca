//! Pebble's health checks: the check infos of a container kept consistent with its plan, as
//! Pebble's check manager (and ops.testing's mock of it) keeps them; starting, stopping and
//! listing checks; and the consistency checker's rules on the State's check infos.
//!
//! Checks never run here: a check's status changes only when the charm (or the plan) starts
//! or stops it, or when the State says so.
//!
//! Change ids: a check started here gets a new Pebble change id, the number one above every
//! numeric change id of the container's check infos (from `"1"` up). Pebble numbers changes
//! from 1 in each container; this rule is deterministic and never reuses an id a check info
//! holds. (It does not see the service and exec changes the run makes.)

use serde_json::{json, Value};

use super::PebbleError;
use crate::state::{
    next_change_id, CheckInfo, CheckLevel, CheckStartup, CheckStatus, Container, LayerItem,
};

/// The threshold Pebble gives a check whose plan gives none.
const DEFAULT_THRESHOLD: u32 = 3;

/// The level a plan check gives (`Unset` when none, or one Pebble would refuse).
fn plan_level(check: &LayerItem) -> CheckLevel {
    match check.get("level").and_then(Value::as_str) {
        Some("alive") => CheckLevel::Alive,
        Some("ready") => CheckLevel::Ready,
        _ => CheckLevel::Unset,
    }
}

/// The startup a plan check gives (`Unset` when none).
fn plan_startup(check: &LayerItem) -> CheckStartup {
    match check.get("startup").and_then(Value::as_str) {
        Some("enabled") => CheckStartup::Enabled,
        Some("disabled") => CheckStartup::Disabled,
        _ => CheckStartup::Unset,
    }
}

/// The threshold a plan check gives, Pebble's default 3 when none (or 0).
fn plan_threshold(check: &LayerItem) -> u32 {
    match check.get("threshold").and_then(Value::as_u64) {
        Some(0) | None => DEFAULT_THRESHOLD,
        Some(n) => u32::try_from(n).unwrap_or(u32::MAX),
    }
}

/// Whether a startup means "disabled" (an unset startup is enabled, as in Pebble).
fn is_disabled(startup: CheckStartup) -> bool {
    startup == CheckStartup::Disabled
}

/// Start the check info at `index`: a new perform-check change, status up, failures reset
/// (ops.testing's `_new_perform_check`; Pebble also resets the successes).
fn perform_check(container: &mut Container, index: usize) {
    let change_id = next_change_id(container);
    let info = &mut container.check_infos[index];
    info.change_id = Some(change_id);
    info.status = CheckStatus::Up;
    info.failures = 0;
}

/// Whether a check info runs (has a change): a stopped check has no change id.
fn is_running(info: &CheckInfo) -> bool {
    info.change_id.as_deref().is_some_and(|id| !id.is_empty())
}

/// Give every plan check a check info and copy the plan's level, startup and threshold into
/// each, as Pebble's check manager keeps one per plan check (and ops.testing updates them
/// from the plan after `add_layer`). A new info for a `startup: disabled` check is inactive
/// with no change; any other new info is up, with a new change id. Called by
/// `services::add_layer` and `services::replan`; infos whose check is not in the plan are
/// left alone (the consistency checker reports them).
pub(crate) fn sync_check_infos(container: &mut Container) {
    let plan = container.plan();
    for (name, check) in &plan.checks {
        let (level, startup, threshold) = (
            plan_level(check),
            plan_startup(check),
            plan_threshold(check),
        );
        match container.check_infos.iter_mut().find(|i| &i.name == name) {
            Some(info) => {
                info.level = level;
                info.startup = startup;
                info.threshold = threshold;
            }
            None => {
                container.check_infos.push(CheckInfo {
                    name: name.clone(),
                    level,
                    startup,
                    status: CheckStatus::Inactive,
                    successes: 0,
                    failures: 0,
                    threshold,
                    change_id: None,
                });
                if !is_disabled(startup) {
                    perform_check(container, container.check_infos.len() - 1);
                }
            }
        }
    }
}

/// Start the named checks that are not disabled and not running: what Pebble does with
/// the checks of a layer just added (ops.testing: "checks are started when the layer is
/// added"). Names without an info are skipped (call [`sync_check_infos`] first).
pub(crate) fn start_enabled_checks<'a>(
    container: &mut Container,
    names: impl IntoIterator<Item = &'a String>,
) {
    for name in names {
        let Some(index) = container.check_infos.iter().position(|i| &i.name == name) else {
            continue;
        };
        let info = &container.check_infos[index];
        if !is_disabled(info.startup) && !is_running(info) {
            perform_check(container, index);
        }
    }
}

/// Pebble's replan of checks: every check of the plan that is not `startup: disabled` and
/// not running is started (disabled checks that run keep running).
pub(crate) fn replan_checks(container: &mut Container) {
    sync_check_infos(container);
    let names: Vec<String> = container.plan().checks.keys().cloned().collect();
    start_enabled_checks(container, &names);
}

/// The check infos `get_checks` returns, by name as Pebble sorts them: those named (all if
/// `names` is `None` or empty, as Pebble treats no names) at `level` (any level if `None` or
/// `Unset`). Unknown names are skipped.
pub(crate) fn get_checks(
    container: &Container,
    names: Option<&[String]>,
    level: Option<CheckLevel>,
) -> Vec<CheckInfo> {
    let names = names.filter(|n| !n.is_empty());
    let level = level.filter(|l| *l != CheckLevel::Unset);
    let mut infos: Vec<CheckInfo> = container
        .check_infos
        .iter()
        .filter(|info| names.is_none_or(|n| n.contains(&info.name)))
        .filter(|info| level.is_none_or(|l| info.level == l))
        .cloned()
        .collect();
    infos.sort_by(|a, b| a.name.cmp(&b.name));
    infos
}

/// Pebble's refusal of `start`/`stop` checks: no names, or names not in the plan (all of
/// them, sorted, in one message: `cannot start checks: cannot find checks in plan: a, b`).
fn validate_check_names(
    container: &Container,
    action: &str,
    names: &[String],
) -> Result<(), PebbleError> {
    if names.is_empty() {
        return Err(PebbleError::bad_request(format!(
            "must specify checks for {action} action"
        )));
    }
    let plan = container.plan();
    let mut missing: Vec<&str> = names
        .iter()
        .filter(|n| !plan.checks.contains_key(*n))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    missing.sort_unstable();
    Err(PebbleError::bad_request(format!(
        "cannot {action} checks: cannot find checks in plan: {}",
        missing.join(", ")
    )))
}

/// Deduplicated names, sorted, as Pebble returns the checks it changed.
fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

/// `start_checks`: start the named checks that are not running (a new change each: status
/// up, failures 0) and return those, sorted. Every name must be a plan check; a plan check
/// without an info gets one first.
pub(crate) fn start_checks(
    container: &mut Container,
    names: &[String],
) -> Result<Vec<String>, PebbleError> {
    validate_check_names(container, "start", names)?;
    sync_check_infos(container);
    let mut started = Vec::new();
    for name in names {
        let Some(index) = container.check_infos.iter().position(|i| &i.name == name) else {
            continue;
        };
        if !is_running(&container.check_infos[index]) {
            perform_check(container, index);
            started.push(name.clone());
        }
    }
    Ok(sorted(started))
}

/// `stop_checks`: stop the named checks that are running (status inactive, no change id;
/// successes and failures kept, as Pebble keeps them) and return those, sorted. Every name
/// must be a plan check.
pub(crate) fn stop_checks(
    container: &mut Container,
    names: &[String],
) -> Result<Vec<String>, PebbleError> {
    validate_check_names(container, "stop", names)?;
    sync_check_infos(container);
    let mut stopped = Vec::new();
    for name in names {
        let Some(info) = container.check_infos.iter_mut().find(|i| &i.name == name) else {
            continue;
        };
        if is_running(info) {
            info.status = CheckStatus::Inactive;
            info.change_id = None;
            stopped.push(name.clone());
        }
    }
    Ok(sorted(stopped))
}

/// A check info as Pebble's `GET /v1/checks` gives it, for `ops.pebble.CheckInfo.from_dict`:
/// `level` and `failures` left out when unset, `change-id` when there is none (ops then
/// reads the check as inactive).
pub(crate) fn check_to_api(info: &CheckInfo) -> Value {
    let mut dict = json!({
        "name": info.name,
        "startup": startup_str(info.startup),
        "status": status_str(info.status),
        "successes": info.successes,
        "threshold": info.threshold,
    });
    let map = dict.as_object_mut().expect("an object");
    if info.level != CheckLevel::Unset {
        map.insert("level".into(), level_str(info.level).into());
    }
    if info.failures != 0 {
        map.insert("failures".into(), info.failures.into());
    }
    if let Some(id) = info.change_id.as_deref().filter(|id| !id.is_empty()) {
        map.insert("change-id".into(), id.into());
    }
    dict
}

/// Pebble's name for a level (`""` when unset).
fn level_str(level: CheckLevel) -> &'static str {
    match level {
        CheckLevel::Unset => "",
        CheckLevel::Alive => "alive",
        CheckLevel::Ready => "ready",
    }
}

/// Pebble's name for a startup (`""` when unset, which ops reads as `CheckStartup.UNSET`).
fn startup_str(startup: CheckStartup) -> &'static str {
    match startup {
        CheckStartup::Unset => "",
        CheckStartup::Enabled => "enabled",
        CheckStartup::Disabled => "disabled",
    }
}

/// Pebble's name for a status.
fn status_str(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Up => "up",
        CheckStatus::Down => "down",
        CheckStatus::Inactive => "inactive",
    }
}

/// The consistency checker's rules on a container's check infos (ops.testing 8.9's rules
/// 47-50): an info whose check is not in the plan, or whose level, startup (unset counts as
/// enabled) or threshold (the plan's unset counts as 3) differs from the plan's.
pub(crate) fn check_info_problems(container: &Container) -> Vec<String> {
    let plan = container.plan();
    let c = &container.name;
    let mut problems = Vec::new();
    for info in &container.check_infos {
        let n = &info.name;
        let Some(check) = plan.checks.get(n) else {
            let plan_has = if plan.checks.is_empty() {
                "plan has no checks".to_owned()
            } else {
                let names: Vec<&str> = plan.checks.keys().map(String::as_str).collect();
                format!("plan has only checks: {}", names.join(", "))
            };
            problems.push(format!(
                "container '{c}' has a check '{n}' but the {plan_has}."
            ));
            continue;
        };
        let level = plan_level(check);
        if info.level != level {
            problems.push(format!(
                "container '{c}' has a check '{n}' with a different 'level' ({:?}) than the plan ({:?}).",
                level_str(info.level),
                level_str(level)
            ));
        }
        let enabled = |s: CheckStartup| {
            if is_disabled(s) {
                "disabled"
            } else {
                "enabled"
            }
        };
        let startup = plan_startup(check);
        if enabled(info.startup) != enabled(startup) {
            problems.push(format!(
                "container '{c}' has a check '{n}' with a different 'startup' ({:?}) than the plan ({:?}).",
                startup_str(info.startup),
                startup_str(startup)
            ));
        }
        let threshold = plan_threshold(check);
        if info.threshold != threshold {
            problems.push(format!(
                "container '{c}' has a check '{n}' with a different 'threshold' ({}) than the plan ({threshold}).",
                info.threshold
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Layer;

    fn container(yaml: &str) -> Container {
        Container::new("web")
            .can_connect(true)
            .layers([("base", Layer::from_yaml(yaml).unwrap())])
    }

    const CHECKS: &str = "
checks:
  alive:
    override: replace
    level: alive
    threshold: 5
    http: {url: 'http://localhost/'}
  ready:
    override: replace
    level: ready
    tcp: {port: 80}
  off:
    override: replace
    startup: disabled
    exec: {command: 'true'}
";

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn sync_creates_infos_from_the_plan() {
        let mut c = container(CHECKS);
        sync_check_infos(&mut c);
        let alive = c.check_infos.iter().find(|i| i.name == "alive").unwrap();
        assert_eq!(
            (alive.level, alive.startup, alive.threshold, alive.status),
            (CheckLevel::Alive, CheckStartup::Unset, 5, CheckStatus::Up)
        );
        assert_eq!(alive.change_id.as_deref(), Some("1"));
        let ready = c.check_infos.iter().find(|i| i.name == "ready").unwrap();
        assert_eq!(ready.threshold, 3);
        assert_eq!(ready.change_id.as_deref(), Some("2"));
        let off = c.check_infos.iter().find(|i| i.name == "off").unwrap();
        assert_eq!(
            (off.startup, off.status, off.change_id.clone()),
            (CheckStartup::Disabled, CheckStatus::Inactive, None)
        );
    }

    #[test]
    fn sync_updates_existing_infos_and_keeps_their_status() {
        let mut c = container(CHECKS).check_infos([CheckInfo::new("alive")
            .status(CheckStatus::Down)
            .failures(7)
            .threshold(1)]);
        c.check_infos[0].change_id = Some("9".into());
        sync_check_infos(&mut c);
        let alive = &c.check_infos[0];
        assert_eq!(
            (alive.level, alive.threshold, alive.status, alive.failures),
            (CheckLevel::Alive, 5, CheckStatus::Down, 7)
        );
        // New ones take ids above the highest one held.
        let ready = c.check_infos.iter().find(|i| i.name == "ready").unwrap();
        assert_eq!(ready.change_id.as_deref(), Some("10"));
    }

    #[test]
    fn start_enabled_checks_skips_disabled_and_running() {
        let mut c = container(CHECKS);
        sync_check_infos(&mut c);
        c.check_infos[0].change_id = None;
        c.check_infos[0].status = CheckStatus::Inactive;
        start_enabled_checks(&mut c, &names(&["alive", "off", "ready", "nope"]));
        let by = |n: &str| c.check_infos.iter().find(|i| i.name == n).unwrap().clone();
        assert_eq!(by("alive").status, CheckStatus::Up);
        assert_eq!(by("alive").change_id.as_deref(), Some("3"));
        assert_eq!(by("ready").change_id.as_deref(), Some("2"));
        assert_eq!(by("off").status, CheckStatus::Inactive);
    }

    #[test]
    fn replan_starts_enabled_checks_only() {
        let mut c = container(CHECKS);
        replan_checks(&mut c);
        let running: Vec<_> = get_checks(&c, None, None)
            .into_iter()
            .filter(is_running)
            .map(|i| i.name)
            .collect();
        assert_eq!(running, names(&["alive", "ready"]));
    }

    #[test]
    fn get_checks_filters_by_name_and_level() {
        let mut c = container(CHECKS);
        sync_check_infos(&mut c);
        let all: Vec<_> = get_checks(&c, None, None)
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(all, names(&["alive", "off", "ready"]));
        let some = get_checks(&c, Some(&names(&["ready", "nope"])), None);
        assert_eq!(some.len(), 1);
        let none_given = get_checks(&c, Some(&[]), Some(CheckLevel::Unset));
        assert_eq!(none_given.len(), 3);
        let alive = get_checks(&c, None, Some(CheckLevel::Alive));
        assert_eq!(alive.len(), 1);
        assert_eq!(alive[0].name, "alive");
    }

    #[test]
    fn start_and_stop_return_what_changed() {
        let mut c = container(CHECKS);
        sync_check_infos(&mut c);
        assert_eq!(
            start_checks(&mut c, &names(&["off", "alive"])).unwrap(),
            names(&["off"])
        );
        assert_eq!(
            stop_checks(&mut c, &names(&["ready", "alive", "ready"])).unwrap(),
            names(&["alive", "ready"])
        );
        let ready = c.check_infos.iter().find(|i| i.name == "ready").unwrap();
        assert_eq!(
            (ready.status, ready.change_id.clone()),
            (CheckStatus::Inactive, None)
        );
        assert!(stop_checks(&mut c, &names(&["ready"])).unwrap().is_empty());
        assert_eq!(
            start_checks(&mut c, &names(&["ready"])).unwrap(),
            names(&["ready"])
        );
    }

    #[test]
    fn start_stop_errors_in_pebble_words() {
        let mut c = container(CHECKS);
        assert_eq!(
            start_checks(&mut c, &names(&["zz", "alive", "aa"])),
            Err(PebbleError::bad_request(
                "cannot start checks: cannot find checks in plan: aa, zz"
            ))
        );
        assert_eq!(
            stop_checks(&mut c, &[]),
            Err(PebbleError::bad_request(
                "must specify checks for stop action"
            ))
        );
        assert!(c.check_infos.is_empty(), "nothing changed on error");
    }

    #[test]
    fn start_gives_an_info_to_a_plan_check_without_one() {
        let mut c = container(CHECKS);
        assert_eq!(
            start_checks(&mut c, &names(&["alive"])).unwrap(),
            Vec::<String>::new(),
            "a new enabled info is already running"
        );
        assert_eq!(c.check_infos.len(), 3);
    }

    #[test]
    fn api_form() {
        let mut info = CheckInfo::new("up").level(CheckLevel::Alive);
        info.change_id = Some("3".into());
        assert_eq!(
            check_to_api(&info),
            json!({"name": "up", "level": "alive", "startup": "enabled", "status": "up",
                   "successes": 0, "threshold": 3, "change-id": "3"})
        );
        let stopped = CheckInfo::new("x")
            .status(CheckStatus::Inactive)
            .failures(2);
        assert_eq!(
            check_to_api(&stopped),
            json!({"name": "x", "startup": "enabled", "status": "inactive",
                   "successes": 0, "failures": 2, "threshold": 3})
        );
    }

    #[test]
    fn problems_against_the_plan() {
        let mut good = container(CHECKS);
        sync_check_infos(&mut good);
        assert!(check_info_problems(&good).is_empty());

        let c = container(CHECKS).check_infos([
            CheckInfo::new("nope"),
            CheckInfo::new("alive").threshold(5),
            CheckInfo::new("ready").level(CheckLevel::Alive),
            CheckInfo::new("off").level(CheckLevel::Unset),
        ]);
        assert_eq!(
            check_info_problems(&c),
            vec![
                "container 'web' has a check 'nope' but the plan has only checks: alive, off, ready.",
                "container 'web' has a check 'alive' with a different 'level' (\"\") than the plan (\"alive\").",
                "container 'web' has a check 'ready' with a different 'level' (\"alive\") than the plan (\"ready\").",
                "container 'web' has a check 'off' with a different 'startup' (\"enabled\") than the plan (\"disabled\").",
            ]
        );
        let empty = Container::new("w").check_infos([CheckInfo::new("a").threshold(4)]);
        assert_eq!(
            check_info_problems(&empty),
            vec!["container 'w' has a check 'a' but the plan has no checks."]
        );
        let threshold = container(CHECKS).check_infos([CheckInfo::new("ready")
            .level(CheckLevel::Ready)
            .threshold(4)]);
        assert_eq!(
            check_info_problems(&threshold),
            vec!["container 'web' has a check 'ready' with a different 'threshold' (4) than the plan (3)."]
        );
    }
}
