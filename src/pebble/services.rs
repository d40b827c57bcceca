//! Pebble's layers and services: `add_layer`, `get_services`, `start`/`stop`/`restart`,
//! `replan`, `autostart` and `send_signal` on a container's layers and service statuses.
//!
//! Statuses change as ops.testing changes them, with Pebble's errors:
//! - only the named services change (Pebble also starts the services a started one
//!   `requires`, and stops the ones that require a stopped one: not modelled);
//! - starting an active service or stopping an inactive one is no change and no error
//!   (Pebble's task logs "already running"/"not running" and succeeds);
//! - `replan` starts every `startup: enabled` service. Pebble also restarts a running
//!   service whose configuration changed; a restarted service ends `active`, as it was, so
//!   the statuses are the same (the change Pebble records is not modelled);
//! - no service runs a process, so none ever exits or fails: `error`/`backoff` come only
//!   from the State.
//!
//! Change ids are the caller's (Pebble numbers its changes per container).

use serde_json::{json, Value};

use super::{checks, PebbleError};
use crate::state::{Container, Layer, ServiceStatus};

/// A service as `get_services` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServiceInfo {
    pub name: String,
    pub startup: String,
    pub current: String,
}

/// An `APIError` 500, as Pebble's `ServerError` responses are.
fn server_error(message: impl Into<String>) -> PebbleError {
    PebbleError::Api {
        code: 500,
        status: "Internal Server Error",
        message: message.into(),
    }
}

/// `add_layer(label, layer, combine=...)`: a new label is appended; an existing one is
/// refused without `combine` (Pebble's 400 `layer "<label>" already exists`) and combined
/// with the new layer with it ([`Layer::combine`]). Every item of the new layer must give
/// `override: merge|replace` (Pebble's 400; ops.testing only checks when combining). The
/// checks are then kept in step with the plan: the plan's checks all get check infos, and
/// the new layer's checks that are not disabled start ([`checks`]).
pub(crate) fn add_layer(
    container: &mut Container,
    label: &str,
    layer: Layer,
    combine: bool,
) -> Result<(), PebbleError> {
    if label.is_empty() {
        return Err(PebbleError::bad_request("label must be set"));
    }
    if label.starts_with("pebble-") {
        return Err(PebbleError::bad_request(
            "cannot use reserved label prefix \"pebble-\"",
        ));
    }
    let exists = container.layers.get(label).is_some();
    if exists && !combine {
        return Err(PebbleError::bad_request(format!(
            "layer {label:?} already exists"
        )));
    }
    if let Some(problem) = layer.override_problem(label) {
        return Err(PebbleError::bad_request(problem));
    }
    let added_checks: Vec<String> = layer.checks.keys().cloned().collect();
    match container.layers.get_mut(label) {
        Some(existing) => existing.combine(&layer),
        None => container.layers.insert(label.to_owned(), layer),
    }
    checks::sync_check_infos(container);
    checks::start_enabled_checks(container, &added_checks);
    Ok(())
}

/// Pebble's startup of a plan service: `enabled` only when the plan says so.
fn startup_of(service: &crate::state::LayerItem) -> &'static str {
    match service.get("startup").and_then(Value::as_str) {
        Some("enabled") => "enabled",
        _ => "disabled",
    }
}

/// `get_services`: the plan's services (those named; all if `names` is `None` or empty, as
/// Pebble treats no names), sorted by name; unknown names are skipped. A service with no
/// status in the State is `inactive`.
pub(crate) fn get_services(container: &Container, names: Option<&[String]>) -> Vec<ServiceInfo> {
    let names = names.filter(|n| !n.is_empty());
    container
        .plan()
        .services
        .iter()
        .filter(|(name, _)| names.is_none_or(|n| n.contains(name)))
        .map(|(name, service)| ServiceInfo {
            name: name.clone(),
            startup: startup_of(service).to_owned(),
            current: container
                .service_statuses
                .get(name)
                .copied()
                .unwrap_or_default()
                .as_str()
                .to_owned(),
        })
        .collect()
}

/// Pebble's checks before a start/stop/restart changes anything: some names, each a plan
/// service (`cannot <action> services: service "<name>" does not exist`, the first unknown
/// one).
fn validate_names(
    container: &Container,
    action: &str,
    names: &[String],
) -> Result<(), PebbleError> {
    if names.is_empty() {
        return Err(PebbleError::bad_request(format!(
            "must specify services for {action} action"
        )));
    }
    let plan = container.plan();
    if let Some(unknown) = names.iter().find(|n| !plan.services.contains_key(*n)) {
        return Err(PebbleError::bad_request(format!(
            "cannot {action} services: service {unknown:?} does not exist"
        )));
    }
    Ok(())
}

/// Set every named service's status.
fn set_status(container: &mut Container, names: &[String], status: ServiceStatus) {
    for name in names {
        container.service_statuses.insert(name.clone(), status);
    }
}

/// `start_services`: the named services become `active`.
pub(crate) fn start(container: &mut Container, names: &[String]) -> Result<(), PebbleError> {
    validate_names(container, "start", names)?;
    set_status(container, names, ServiceStatus::Active);
    Ok(())
}

/// `stop_services`: the named services become `inactive`.
pub(crate) fn stop(container: &mut Container, names: &[String]) -> Result<(), PebbleError> {
    validate_names(container, "stop", names)?;
    set_status(container, names, ServiceStatus::Inactive);
    Ok(())
}

/// `restart_services`: the named services are stopped and started, so become `active`.
pub(crate) fn restart(container: &mut Container, names: &[String]) -> Result<(), PebbleError> {
    validate_names(container, "restart", names)?;
    set_status(container, names, ServiceStatus::Active);
    Ok(())
}

/// The plan's `startup: enabled` services, by name.
fn enabled_services(container: &Container) -> Vec<String> {
    container
        .plan()
        .services
        .iter()
        .filter(|(_, service)| startup_of(service) == "enabled")
        .map(|(name, _)| name.clone())
        .collect()
}

/// `replan_services`: every `startup: enabled` service becomes `active` (see the module
/// docs on restarts), and the checks are replanned: every check that is not disabled runs.
pub(crate) fn replan(container: &mut Container) {
    let enabled = enabled_services(container);
    set_status(container, &enabled, ServiceStatus::Active);
    checks::replan_checks(container);
}

/// `autostart_services`: every `startup: enabled` service becomes `active`; with none,
/// Pebble's 400 `no default services` (ops.testing does nothing).
pub(crate) fn autostart(container: &mut Container) -> Result<(), PebbleError> {
    let enabled = enabled_services(container);
    if enabled.is_empty() {
        return Err(PebbleError::bad_request("no default services"));
    }
    set_status(container, &enabled, ServiceStatus::Active);
    Ok(())
}

/// The signal names Pebble accepts (Linux's, as `unix.SignalNum` knows them).
const SIGNALS: &[&str] = &[
    "SIGABRT",
    "SIGALRM",
    "SIGBUS",
    "SIGCHLD",
    "SIGCLD",
    "SIGCONT",
    "SIGFPE",
    "SIGHUP",
    "SIGILL",
    "SIGINT",
    "SIGIO",
    "SIGIOT",
    "SIGKILL",
    "SIGPIPE",
    "SIGPOLL",
    "SIGPROF",
    "SIGPWR",
    "SIGQUIT",
    "SIGSEGV",
    "SIGSTKFLT",
    "SIGSTOP",
    "SIGSYS",
    "SIGTERM",
    "SIGTRAP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGUSR1",
    "SIGUSR2",
    "SIGVTALRM",
    "SIGWINCH",
    "SIGXCPU",
    "SIGXFSZ",
];

/// `send_signal(signal, names)`: nothing changes; Pebble's errors, one per service in the
/// order given and joined by `; ` in one 500: `cannot send signal to "<name>": service is
/// not running` for a service that is not `active` (or not in the plan), `... invalid
/// signal name "<sig>"` for a running one given an unknown name. No names is Pebble's 400
/// `must specify one or more services`. `signal` is a name (`SIGHUP`); ops turns a number
/// into its name before calling.
pub(crate) fn send_signal(
    container: &Container,
    signal: &str,
    names: &[String],
) -> Result<(), PebbleError> {
    if names.is_empty() {
        return Err(PebbleError::bad_request(
            "must specify one or more services",
        ));
    }
    let plan = container.plan();
    let errors: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let running = plan.services.contains_key(name)
                && container.service_statuses.get(name) == Some(&ServiceStatus::Active);
            if !running {
                Some(format!(
                    "cannot send signal to {name:?}: service is not running"
                ))
            } else if !SIGNALS.contains(&signal) {
                Some(format!(
                    "cannot send signal to {name:?}: invalid signal name {signal:?}"
                ))
            } else {
                None
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(server_error(errors.join("; ")))
    }
}

/// A service info as Pebble's `GET /v1/services` gives it, for
/// `ops.pebble.ServiceInfo.from_dict`.
pub(crate) fn service_to_api(info: &ServiceInfo) -> Value {
    json!({"name": info.name, "startup": info.startup, "current": info.current})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{CheckStatus, Layer};

    const BASE: &str = "
services:
  web:
    override: replace
    command: /bin/web
    startup: enabled
  db:
    override: replace
    command: /bin/db
  worker:
    override: replace
    command: /bin/worker
    startup: disabled
checks:
  up:
    override: replace
    http: {url: 'http://localhost/'}
";

    fn layer(yaml: &str) -> Layer {
        Layer::from_yaml(yaml).unwrap()
    }

    fn container() -> Container {
        Container::new("c")
            .can_connect(true)
            .layers([("base", layer(BASE))])
    }

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn status(c: &Container, name: &str) -> String {
        get_services(c, Some(&names(&[name])))[0].current.clone()
    }

    #[test]
    fn add_layer_appends_a_new_label() {
        let mut c = container();
        let new = layer("services:\n  extra:\n    override: replace\n    command: x\n");
        add_layer(&mut c, "extra", new.clone(), false).unwrap();
        assert_eq!(c.layers.len(), 2);
        assert_eq!(c.layers.get("extra"), Some(&new));
        assert_eq!(c.plan().services.len(), 4);
    }

    #[test]
    fn add_layer_refuses_an_existing_label_without_combine() {
        let mut c = container();
        assert_eq!(
            add_layer(&mut c, "base", layer(BASE), false),
            Err(PebbleError::bad_request("layer \"base\" already exists"))
        );
    }

    #[test]
    fn add_layer_combines_into_an_existing_label() {
        let mut c = container();
        let more = layer(
            "services:\n  web:\n    override: merge\n    environment: {A: '1'}\n  db:\n    override: replace\n    command: /bin/db2\n",
        );
        add_layer(&mut c, "base", more, true).unwrap();
        assert_eq!(c.layers.len(), 1);
        let base = c.layers.get("base").unwrap();
        assert_eq!(base.services["web"]["command"], "/bin/web");
        assert_eq!(base.services["web"]["environment"]["A"], "1");
        assert_eq!(base.services["db"]["command"], "/bin/db2");
        // combine of a new label appends it.
        add_layer(&mut c, "new", layer(BASE), true).unwrap();
        assert_eq!(c.layers.len(), 2);
    }

    #[test]
    fn add_layer_validates_override_and_label() {
        let mut c = container();
        let no_override = layer("services:\n  web:\n    command: x\n");
        assert_eq!(
            add_layer(&mut c, "l", no_override.clone(), false),
            Err(PebbleError::bad_request(
                "layer \"l\" must define \"override\" for service \"web\""
            ))
        );
        assert_eq!(
            add_layer(&mut c, "base", no_override.clone(), true),
            Err(PebbleError::bad_request(
                "layer \"base\" must define \"override\" for service \"web\""
            ))
        );
        assert_eq!(
            add_layer(&mut c, "", layer(BASE), false),
            Err(PebbleError::bad_request("label must be set"))
        );
        assert_eq!(
            add_layer(&mut c, "pebble-x", layer(BASE), false),
            Err(PebbleError::bad_request(
                "cannot use reserved label prefix \"pebble-\""
            ))
        );
        assert_eq!(c.layers.len(), 1, "nothing added on error");
    }

    #[test]
    fn add_layer_starts_the_layers_checks() {
        let mut c = Container::new("c").can_connect(true);
        add_layer(&mut c, "base", layer(BASE), false).unwrap();
        assert_eq!(c.check_infos.len(), 1);
        assert_eq!(c.check_infos[0].status, CheckStatus::Up);
        assert_eq!(c.check_infos[0].change_id.as_deref(), Some("1"));
        // A check of the plan that is not in the added layer keeps its (stopped) state.
        c.check_infos[0].status = CheckStatus::Inactive;
        c.check_infos[0].change_id = None;
        add_layer(&mut c, "other", layer("summary: x\n"), false).unwrap();
        assert_eq!(c.check_infos[0].status, CheckStatus::Inactive);
        // ... and starts when a layer names it again.
        add_layer(
            &mut c,
            "again",
            layer("checks:\n  up:\n    override: merge\n    threshold: 9\n"),
            false,
        )
        .unwrap();
        assert_eq!(c.check_infos[0].status, CheckStatus::Up);
        assert_eq!(c.check_infos[0].threshold, 9);
    }

    #[test]
    fn get_services_reports_the_plan() {
        let c = container().service_statuses([("db", ServiceStatus::Error)]);
        let all = get_services(&c, None);
        assert_eq!(
            all,
            vec![
                ServiceInfo {
                    name: "db".into(),
                    startup: "disabled".into(),
                    current: "error".into()
                },
                ServiceInfo {
                    name: "web".into(),
                    startup: "enabled".into(),
                    current: "inactive".into()
                },
                ServiceInfo {
                    name: "worker".into(),
                    startup: "disabled".into(),
                    current: "inactive".into()
                },
            ]
        );
        let some = get_services(&c, Some(&names(&["web", "nope"])));
        assert_eq!(some.len(), 1);
        assert_eq!(get_services(&c, Some(&[])).len(), 3);
    }

    #[test]
    fn start_stop_restart() {
        let mut c = container();
        start(&mut c, &names(&["db", "web"])).unwrap();
        assert_eq!(status(&c, "db"), "active");
        start(&mut c, &names(&["db"])).unwrap();
        assert_eq!(
            status(&c, "db"),
            "active",
            "starting an active service is no error"
        );
        stop(&mut c, &names(&["db"])).unwrap();
        stop(&mut c, &names(&["db"])).unwrap();
        assert_eq!(status(&c, "db"), "inactive");
        restart(&mut c, &names(&["db", "worker"])).unwrap();
        assert_eq!(status(&c, "db"), "active");
        assert_eq!(status(&c, "worker"), "active");
    }

    #[test]
    fn start_stop_restart_errors_in_pebble_words() {
        let mut c = container();
        for (action, result) in [
            ("start", start(&mut c, &names(&["web", "nope", "other"]))),
            ("stop", stop(&mut c, &names(&["nope"]))),
            ("restart", restart(&mut c, &names(&["nope"]))),
        ] {
            assert_eq!(
                result,
                Err(PebbleError::bad_request(format!(
                    "cannot {action} services: service \"nope\" does not exist"
                )))
            );
        }
        assert!(c.service_statuses.is_empty(), "nothing started on error");
        assert_eq!(
            start(&mut c, &[]),
            Err(PebbleError::bad_request(
                "must specify services for start action"
            ))
        );
        assert_eq!(
            restart(&mut c, &[]),
            Err(PebbleError::bad_request(
                "must specify services for restart action"
            ))
        );
    }

    #[test]
    fn replan_starts_enabled_services_and_checks() {
        let mut c = container().service_statuses([("worker", ServiceStatus::Active)]);
        replan(&mut c);
        assert_eq!(status(&c, "web"), "active");
        assert_eq!(status(&c, "db"), "inactive");
        assert_eq!(status(&c, "worker"), "active", "replan stops nothing");
        assert_eq!(c.check_infos.len(), 1);
        assert_eq!(c.check_infos[0].status, CheckStatus::Up);
    }

    #[test]
    fn autostart() {
        let mut c = container();
        super::autostart(&mut c).unwrap();
        assert_eq!(status(&c, "web"), "active");
        assert_eq!(status(&c, "db"), "inactive");
        assert!(c.check_infos.is_empty(), "autostart leaves checks alone");
        let mut none = Container::new("c");
        assert_eq!(
            super::autostart(&mut none),
            Err(PebbleError::bad_request("no default services"))
        );
    }

    #[test]
    fn send_signal_errors_in_pebble_words() {
        let c = container().service_statuses([
            ("web", ServiceStatus::Active),
            ("db", ServiceStatus::Backoff),
        ]);
        assert_eq!(send_signal(&c, "SIGHUP", &names(&["web"])), Ok(()));
        assert_eq!(
            send_signal(&c, "SIGHUP", &names(&["db", "web", "nope"])),
            Err(server_error(
                "cannot send signal to \"db\": service is not running; \
                 cannot send signal to \"nope\": service is not running"
            ))
        );
        assert_eq!(
            send_signal(&c, "SIGFOO", &names(&["web", "worker"])),
            Err(server_error(
                "cannot send signal to \"web\": invalid signal name \"SIGFOO\"; \
                 cannot send signal to \"worker\": service is not running"
            ))
        );
        assert_eq!(
            send_signal(&c, "SIGHUP", &[]),
            Err(PebbleError::bad_request(
                "must specify one or more services"
            ))
        );
    }

    #[test]
    fn api_form() {
        let info = ServiceInfo {
            name: "web".into(),
            startup: "enabled".into(),
            current: "active".into(),
        };
        assert_eq!(
            service_to_api(&info),
            json!({"name": "web", "startup": "enabled", "current": "active"})
        );
    }
}
