//! The unit's workload containers (Kubernetes): for each container of the charm's metadata,
//! Pebble's plan, service statuses and checks, read in the container with `juju ssh --container
//! <c> <unit> /charm/bin/pebble plan`, `... pebble services` and `... pebble checks`, and the files asked for with
//! `--fetch`, copied with `juju scp --container <c> <unit>:<path> <local file>`.
//!
//! `pebble plan` prints the plan as a layer in YAML (`services:`, `checks:`, `log-targets:`,
//! each item with its `override:`; canonical/pebble cmd_plan.go); the State holds it as one
//! layer labelled `snapshot`, which merges into the same plan. `pebble services` prints a
//! table (`Service  Startup  Current  Since`, canonical/pebble cmd_services.go), and `pebble
//! checks` the checks' levels, statuses, failures and changes (cmd_checks.go); the notices
//! come from `pebble notices` and `pebble notice <id>` (see the notices module). A container
//! whose Pebble does not answer is kept with `can_connect: false`, with a warning.

use std::collections::BTreeMap;

use super::notices;
use super::runner::Juju;
use crate::error::{Error, Result};
use crate::state::{
    CheckInfo, CheckLevel, CheckStartup, CheckStatus, Container, ContainerFile, Layer,
    ServiceStatus,
};

/// The label of the one layer that holds the plan Pebble served.
pub const PLAN_LAYER: &str = "snapshot";

/// The Pebble binary Juju puts in every workload container.
const PEBBLE: &str = "/charm/bin/pebble";

/// The containers named, in order, with the files `fetch` asks for (container name, path).
///
/// # Errors
/// [`Error::Juju`] when a file to fetch cannot be copied, or a plan is not a Pebble layer.
pub(crate) fn gather(
    juju: &Juju,
    unit: &str,
    names: &[String],
    fetch: &[(String, String)],
    warnings: &mut Vec<String>,
) -> Result<Vec<Container>> {
    let mut out = Vec::new();
    for name in names {
        let plan_args = ["--container", name, unit, PEBBLE, "plan"];
        let plan = match juju.text("ssh", &plan_args) {
            Ok(plan) => plan.replace("\r\n", "\n"),
            Err(e) => {
                warnings.push(format!(
                    "container {name:?}: Pebble did not answer, so it is left with can_connect false ({e})"
                ));
                out.push(Container::new(name));
                continue;
            }
        };
        let layer = if plan.trim().is_empty() {
            Layer::default()
        } else {
            Layer::from_yaml(&plan).map_err(|e| Error::Juju {
                command: juju.line("ssh", &plan_args),
                message: format!("printed a plan that is not a Pebble layer: {e}"),
            })?
        };
        let mut container = Container::new(name).can_connect(true);
        if layer != Layer::default() {
            container = container.layers([(PLAN_LAYER, layer.clone())]);
        }
        match juju.text("ssh", &["--container", name, unit, PEBBLE, "services"]) {
            Ok(table) => {
                container = container.service_statuses(service_statuses(&table, name, warnings))
            }
            Err(e) => warnings.push(format!(
                "container {name:?}: the service statuses could not be read, so every service is inactive ({e})"
            )),
        }
        match juju.text("ssh", &["--container", name, unit, PEBBLE, "checks"]) {
            Ok(table) => {
                container = container.check_infos(check_infos(&table, name, &layer, warnings))
            }
            Err(e) => warnings.push(format!(
                "container {name:?}: the checks could not be read, so check_infos is left empty ({e})"
            )),
        }
        container = container.notices(notices::gather(juju, unit, name, PEBBLE, warnings));
        let mut files = BTreeMap::new();
        for (_, path) in fetch.iter().filter(|(c, _)| c == name) {
            files.insert(path.clone(), fetch_file(juju, unit, name, path)?);
        }
        out.push(container.files(files));
    }
    for (container, path) in fetch {
        if !names.contains(container) {
            return Err(Error::InvalidInput {
                path: "--fetch".into(),
                message: format!(
                    "{container}:{path}: the charm has no container {container:?} (it has {})",
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names.join(", ")
                    }
                ),
            });
        }
    }
    Ok(out)
}

/// The status of each service in `pebble services`' table.
fn service_statuses(
    table: &str,
    container: &str,
    warnings: &mut Vec<String>,
) -> Vec<(String, ServiceStatus)> {
    let mut out = Vec::new();
    for line in table
        .lines()
        .skip_while(|l| !l.starts_with("Service"))
        .skip(1)
    {
        let columns: Vec<&str> = line.split_whitespace().collect();
        let [service, _startup, current, ..] = columns[..] else {
            continue;
        };
        let status = match current {
            "active" => ServiceStatus::Active,
            "inactive" => ServiceStatus::Inactive,
            "error" => ServiceStatus::Error,
            "backoff" => ServiceStatus::Backoff,
            other => {
                warnings.push(format!(
                    "container {container:?}: service {service:?} is {other:?}, which the State cannot hold; it is left inactive"
                ));
                continue;
            }
        };
        out.push((service.to_owned(), status));
    }
    out
}

/// The checks `pebble checks` lists (cmd_checks.go): a table whose header is `Check  Level
/// Status  Failures` before Pebble 1.14 and `Check  Level  Startup  Status  Failures  Change`
/// since. Level `-` is no level; failures are `<failures>/<threshold>`, or `-` for an inactive
/// check (the threshold then comes from the plan, else Pebble's default 3); the change is its
/// id, followed, for a failing check, by its last log line. A plan without checks prints no
/// table.
fn check_infos(
    table: &str,
    container: &str,
    plan: &Layer,
    warnings: &mut Vec<String>,
) -> Vec<CheckInfo> {
    let mut lines = table.lines().skip_while(|l| !l.starts_with("Check"));
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let header: Vec<&str> = header.split_whitespace().collect();
    let column = |name: &str| header.iter().position(|h| *h == name);
    let (Some(level_at), Some(status_at), Some(failures_at)) =
        (column("Level"), column("Status"), column("Failures"))
    else {
        warnings.push(format!(
            "container {container:?}: `pebble checks` printed a table with the columns {header:?}, which this does not know; check_infos is left empty"
        ));
        return Vec::new();
    };
    let (startup_at, change_at) = (column("Startup"), column("Change"));
    let mut out = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split_whitespace().collect();
        if cells.len() < header.len() {
            continue;
        }
        let name = cells[0];
        let mut info = CheckInfo::new(name);
        info.level = match cells[level_at] {
            "alive" => CheckLevel::Alive,
            "ready" => CheckLevel::Ready,
            _ => CheckLevel::Unset,
        };
        if let Some(at) = startup_at {
            info.startup = match cells[at] {
                "disabled" => CheckStartup::Disabled,
                _ => CheckStartup::Enabled,
            };
        }
        info.status = match cells[status_at] {
            "up" => CheckStatus::Up,
            "down" => CheckStatus::Down,
            "inactive" => CheckStatus::Inactive,
            other => {
                warnings.push(format!(
                    "container {container:?}: check {name:?} is {other:?}, which the State cannot hold; it is left out"
                ));
                continue;
            }
        };
        let planned_threshold = plan
            .checks
            .get(name)
            .and_then(|c| c.get("threshold"))
            .and_then(serde_json::Value::as_u64)
            .and_then(|t| u32::try_from(t).ok())
            .filter(|t| *t > 0);
        match cells[failures_at].split_once('/') {
            Some((failures, threshold)) => {
                info.failures = failures.parse().unwrap_or_default();
                info.threshold = threshold.parse().unwrap_or(3);
            }
            None => info.threshold = planned_threshold.unwrap_or(3),
        }
        info.change_id = change_at
            .map(|at| cells[at])
            .filter(|c| *c != "-")
            .map(str::to_owned);
        out.push(info);
    }
    out
}

/// Copy one file out of the container with `juju scp`.
fn fetch_file(juju: &Juju, unit: &str, container: &str, path: &str) -> Result<ContainerFile> {
    let dir = tempfile::tempdir().map_err(|e| Error::io("creating a temporary directory", e))?;
    let local = dir.path().join("fetched");
    let local_text = local.to_string_lossy().into_owned();
    let source = format!("{unit}:{path}");
    juju.run("scp", &["--container", container, &source, &local_text])?;
    let bytes = std::fs::read(&local).map_err(|e| Error::Juju {
        command: juju.line("scp", &["--container", container, &source, &local_text]),
        message: format!("left no file to read: {e}"),
    })?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => ContainerFile::from(text),
        Err(e) => ContainerFile::from(e.into_bytes()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::super::runner::JujuOutput;
    use super::*;

    fn plan_with_checks() -> Layer {
        Layer::from_yaml(
            "checks:\n    up:\n        override: replace\n        level: alive\n        http:\n            url: http://localhost/\n    db:\n        override: replace\n        threshold: 7\n        tcp:\n            port: 5432\n",
        )
        .unwrap()
    }

    #[test]
    fn checks_are_read_from_the_table_of_pebble_1_14_and_later() {
        let table = "Check  Level  Startup   Status    Failures  Change\n\
                     up     alive  enabled   down      3/3       7 (Get \"http://localhost/\": dial tcp: connection refused)\n\
                     db     -      disabled  inactive  -         -\n";
        let mut warnings = Vec::new();
        let infos = check_infos(table, "web", &plan_with_checks(), &mut warnings);
        assert_eq!(
            infos,
            [
                CheckInfo::new("up")
                    .level(CheckLevel::Alive)
                    .status(CheckStatus::Down)
                    .failures(3)
                    .change_id("7"),
                CheckInfo::new("db")
                    .startup(CheckStartup::Disabled)
                    .status(CheckStatus::Inactive)
                    .threshold(7),
            ]
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn checks_are_read_from_the_older_table_and_unknowns_are_warned_about() {
        let table = "Check  Level  Status  Failures\nup     ready  up      1/5\ndb     -      odd     0/3\n";
        let mut warnings = Vec::new();
        let infos = check_infos(table, "web", &Layer::default(), &mut warnings);
        assert_eq!(
            infos,
            [CheckInfo::new("up")
                .level(CheckLevel::Ready)
                .failures(1)
                .threshold(5)]
        );
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("check \"db\" is \"odd\""),
            "{warnings:?}"
        );
        // No checks in the plan: Pebble prints its note on stderr and no table.
        assert_eq!(check_infos("", "web", &Layer::default(), &mut warnings), []);
        let mut warnings = Vec::new();
        assert_eq!(
            check_infos(
                "Check  Colour\nup  red\n",
                "web",
                &Layer::default(),
                &mut warnings
            ),
            []
        );
        assert!(
            warnings[0].contains("which this does not know"),
            "{warnings:?}"
        );
    }

    const PLAN: &str = "services:\n    web:\n        summary: web server\n        startup: enabled\n        override: replace\n        command: /bin/web --port 8080\n";
    const SERVICES: &str = "Service  Startup  Current  Since\nweb      enabled  active   today at 10:00 UTC\nworker   disabled inactive -\n";

    #[test]
    fn the_plan_services_and_fetched_files_make_the_container() {
        let fake = FakeJuju::new()
            .ok("ssh --container web web/0 /charm/bin/pebble plan", PLAN)
            .ok(
                "ssh --container web web/0 /charm/bin/pebble services",
                SERVICES,
            )
            // A plan without checks: Pebble says so on stderr and prints no table.
            .ok("ssh --container web web/0 /charm/bin/pebble checks", "")
            .ok("ssh --container web web/0 /charm/bin/pebble notices", "")
            .answer(
                "ssh --container sidecar web/0 /charm/bin/pebble plan",
                JujuOutput::failed("error: cannot communicate with server\n"),
            )
            .scp("scp --container web web/0:/etc/web.conf", b"port: 8080\n")
            .scp("scp --container web web/0:/bin/blob", &[0xff, 0x00]);
        let mut warnings = Vec::new();
        let got = gather(
            &Juju::new(&fake, None),
            "web/0",
            &["web".into(), "sidecar".into()],
            &[
                ("web".into(), "/etc/web.conf".into()),
                ("web".into(), "/bin/blob".into()),
            ],
            &mut warnings,
        )
        .unwrap();
        let web = &got[0];
        assert!(web.can_connect);
        assert_eq!(
            web.plan().services["web"]["command"],
            "/bin/web --port 8080"
        );
        assert_eq!(
            web.service_statuses,
            BTreeMap::from([
                ("web".to_owned(), ServiceStatus::Active),
                ("worker".to_owned(), ServiceStatus::Inactive)
            ])
        );
        assert_eq!(
            web.file("/etc/web.conf").unwrap().text(),
            Some("port: 8080\n")
        );
        assert_eq!(
            web.file("/bin/blob").unwrap().content.as_bytes(),
            [0xff, 0x00]
        );
        assert_eq!(got[1], Container::new("sidecar"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    #[test]
    fn fetching_from_a_container_the_charm_lacks_is_refused() {
        let fake = FakeJuju::new();
        let err = gather(
            &Juju::new(&fake, None),
            "web/0",
            &[],
            &[("db".into(), "/x".into())],
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input at --fetch: db:/x: the charm has no container \"db\" (it has none)"
        );
    }
}
