//! Workload containers: a sidecar charm's pebble-ready and config-changed (config file, layer,
//! replan, service statuses, checks), an unreachable Pebble, custom notices and check events
//! and what the handler sees of them, notices and checks queried with filters, deferral of
//! Pebble events, chained runs, the consistency rules about containers, and runs from many
//! threads.

use crate::common::{
    assert_logged, ctx, deferred_paths, event_names, inconsistency_report, ops_version, rule_ids,
    rules,
};
use ops_scenario::{
    CheckInfo, CheckLevel, CheckStatus, Container, ContainerFile, Context, Error, Event, Exec,
    FileKind, Layer, Notice, Output, ServiceStatus, State, Status,
};
use serde_json::json;

const CONFIG_PATH: &str = "/etc/web/web.conf";

/// The layer the charm adds for this port and log level.
fn web_layer(port: u16, log_level: &str) -> Layer {
    Layer::from_yaml(&format!(
        "summary: web server
services:
  web:
    override: replace
    summary: the web server
    command: /usr/bin/web --config {CONFIG_PATH}
    startup: enabled
    environment: {{LOG_LEVEL: {log_level}, PORT: '{port}'}}
checks:
  ready:
    override: replace
    level: ready
    http: {{url: 'http://localhost:{port}/ready'}}
  alive:
    override: replace
    level: alive
    threshold: 5
    exec: {{command: pgrep web}}
"
    ))
    .unwrap()
}

fn ready_check() -> CheckInfo {
    CheckInfo::new("ready").level(CheckLevel::Ready)
}

fn alive_check() -> CheckInfo {
    CheckInfo::new("alive")
        .level(CheckLevel::Alive)
        .threshold(5)
}

fn web() -> Container {
    Container::new("web").can_connect(true)
}

/// The web container as the charm leaves it after pebble-ready with the default config.
fn configured_web() -> Container {
    web()
        .layers([("web", web_layer(8080, "info"))])
        .service_statuses([("web", ServiceStatus::Active)])
        .check_infos([ready_check(), alive_check()])
        .files([(CONFIG_PATH, "port = 8080\nlog-level = info\n")])
}

fn metrics() -> Container {
    Container::new("metrics").can_connect(true)
}

fn webapp() -> Context {
    ctx("pebble-webapp")
}

fn out_web(out: &Output) -> &Container {
    out.state.container("web").unwrap()
}

fn web_mut(state: &mut State) -> &mut Container {
    state
        .containers
        .iter_mut()
        .find(|c| c.name == "web")
        .unwrap()
}

// --- pebble-ready and config-changed --------------------------------------------------------

#[test]
fn pebble_ready_writes_the_config_file_plans_the_service_and_starts_it() {
    let state = State::default().containers([web(), metrics()]);
    let out = webapp().run(web().pebble_ready_event(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("web=active"));

    let web = out_web(&out);
    let conf = web.file(CONFIG_PATH).expect("the config file was pushed");
    assert_eq!(conf.text(), Some("port = 8080\nlog-level = info\n"));
    assert_eq!(conf.kind, FileKind::File);
    assert_eq!(conf.permissions, Some(0o600));
    assert_eq!(conf.user.as_deref(), Some("web"));
    assert_eq!(conf.group.as_deref(), Some("web"));
    assert_eq!(
        web.file("/etc/web").map(|f| f.kind),
        Some(FileKind::Directory)
    );
    assert_logged(
        &out,
        r"INFO config file reads back 'port = 8080\nlog-level = info\n'",
    );

    assert_eq!(web.layers.len(), 1);
    assert_eq!(web.layers.get("web"), Some(&web_layer(8080, "info")));
    let plan = web.plan();
    assert_eq!(
        plan.services["web"]["environment"],
        json!({"LOG_LEVEL": "info", "PORT": "8080"})
    );
    assert_eq!(plan.checks.keys().collect::<Vec<_>>(), ["alive", "ready"]);
    assert_eq!(
        web.service_statuses.get("web"),
        Some(&ServiceStatus::Active)
    );
    assert_logged(&out, "INFO plan services: ['web']");

    // The other container is left alone.
    assert_eq!(out.state.container("metrics").unwrap(), &metrics());
}

#[test]
fn the_checks_of_the_layer_start_with_the_plan() {
    let state = State::default().containers([web(), metrics()]);
    let out = webapp().run(web().pebble_ready_event(), &state).unwrap();
    let mut infos = out_web(&out).check_infos.clone();
    infos.sort_by(|a, b| a.name.cmp(&b.name));
    let summary: Vec<(&str, CheckLevel, CheckStatus, u32, u32)> = infos
        .iter()
        .map(|i| (i.name.as_str(), i.level, i.status, i.threshold, i.failures))
        .collect();
    assert_eq!(
        summary,
        [
            ("alive", CheckLevel::Alive, CheckStatus::Up, 5, 0),
            ("ready", CheckLevel::Ready, CheckStatus::Up, 3, 0),
        ]
    );
}

#[test]
fn config_changed_combines_the_new_layer_into_the_old_one_and_rewrites_the_file() {
    let state = State::default()
        .config([("port", 9090.into()), ("log-level", "debug".into())])
        .containers([configured_web(), metrics()]);
    let out = webapp().run(Event::config_changed(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("web=active"));
    let web = out_web(&out);
    assert_eq!(web.layers.len(), 1, "combined into the `web` label");
    assert_eq!(web.layers.get("web"), Some(&web_layer(9090, "debug")));
    assert_eq!(
        web.plan().checks["ready"]["http"]["url"],
        "http://localhost:9090/ready"
    );
    assert_eq!(
        web.file(CONFIG_PATH).unwrap().text(),
        Some("port = 9090\nlog-level = debug\n")
    );
    assert_eq!(
        web.service_statuses.get("web"),
        Some(&ServiceStatus::Active)
    );
}

#[test]
fn config_changed_waits_while_the_web_container_cannot_connect() {
    let state = State::default().containers([Container::new("web"), metrics()]);
    let out = webapp().run(Event::config_changed(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::waiting("waiting for the web container")
    );
    assert_eq!(out_web(&out), &Container::new("web"), "nothing was written");
}

#[test]
fn pebble_ready_on_a_container_that_cannot_connect_is_flagged_by_the_checker() {
    let unreachable = Container::new("web");
    let state = State::default().containers([unreachable.clone(), metrics()]);
    // A warning, not an error: the charm runs, and finds it cannot connect.
    let out = webapp()
        .run(unreachable.pebble_ready_event(), &state)
        .unwrap();
    assert_eq!(rule_ids(&out.warnings), ["container.cannot_connect"]);
    insta::assert_snapshot!("pebble_ready_without_a_connection", out.warnings[0]);
    assert_eq!(
        out.state.unit_status,
        Status::waiting("waiting for the web container")
    );
}

#[test]
fn adding_the_same_layer_again_without_combine_fails_as_pebble_does() {
    // A second pebble-ready (Pebble restarted, say) finds the layer already there.
    let state = State::default().containers([configured_web(), metrics()]);
    let err = webapp()
        .run(web().pebble_ready_event(), &state)
        .unwrap_err();
    let Error::CharmRaised { exc_type, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(exc_type, "ops.pebble.APIError", "{err}");
}

// --- custom notices ---------------------------------------------------------------------------

#[test]
fn a_reload_notice_restarts_the_web_service_and_the_handler_sees_the_notice() {
    let reload = Notice::new("example.com/reload")
        .id("1")
        .last_data([("reason", "cert rotated")]);
    let container = configured_web()
        .service_statuses([("web", ServiceStatus::Inactive)])
        .notices([reload.clone()]);
    let state = State::default().containers([container.clone(), metrics()]);
    let out = webapp()
        .run(container.custom_notice_event(&reload), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("restarted web: cert rotated")
    );
    assert_logged(
        &out,
        "INFO notice id=1 type=custom key=example.com/reload data={'reason': 'cert rotated'}",
    );
    let web = out_web(&out);
    assert_eq!(
        web.service_statuses.get("web"),
        Some(&ServiceStatus::Active)
    );
    assert_eq!(web.notices, [reload], "notices are the State's, unchanged");
}

#[test]
fn other_notices_are_logged_and_ignored() {
    let other = Notice::new("example.com/other").id("4");
    let container = configured_web().notices([other.clone()]);
    let state = State::default().containers([container.clone(), metrics()]);
    let out = webapp()
        .run(container.custom_notice_event(&other), &state)
        .unwrap();
    assert_eq!(out.state.unit_status, Status::Unknown);
    assert_logged(&out, "INFO ignored notice example.com/other");
    let mut left = out_web(&out).clone();
    left.check_infos = without_change_ids(&left.check_infos);
    assert_eq!(left, container, "nothing changed but defaulted change ids");
}

#[test]
fn a_maintenance_notice_stops_the_checks_and_a_later_one_starts_them() {
    let maintenance = Notice::new("example.com/maintenance")
        .id("2")
        .last_data([("checks", "stop")]);
    let container = configured_web().notices([maintenance.clone()]);
    let ctx = webapp();
    let state = State::default().containers([container.clone(), metrics()]);
    if ops_version() < (2, 19) {
        // Containers start and stop checks from ops 2.19.
        let err = ctx
            .run(container.custom_notice_event(&maintenance), &state)
            .unwrap_err();
        assert!(
            matches!(&err, Error::CharmRaised { exc_type, message, .. }
                if exc_type == "AttributeError" && message.contains("stop_checks")),
            "{err}"
        );
        return;
    }
    let out = ctx
        .run(container.custom_notice_event(&maintenance), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::maintenance("stopped checks ['alive', 'ready']")
    );
    let statuses: Vec<(String, CheckStatus)> = sorted_checks(out_web(&out));
    assert_eq!(
        statuses,
        [
            ("alive".into(), CheckStatus::Inactive),
            ("ready".into(), CheckStatus::Inactive)
        ]
    );

    let mut next = out.state.clone();
    web_mut(&mut next).notices[0].last_data = [("checks".to_owned(), "start".to_owned())].into();
    let out = ctx
        .run(container.custom_notice_event(&maintenance), &next)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("started checks ['alive', 'ready']")
    );
    assert_eq!(
        sorted_checks(out_web(&out)),
        [
            ("alive".to_owned(), CheckStatus::Up),
            ("ready".to_owned(), CheckStatus::Up)
        ]
    );
}

/// Check infos with the change ids the run defaults left out, to compare with the input's.
fn without_change_ids(infos: &[CheckInfo]) -> Vec<CheckInfo> {
    infos
        .iter()
        .map(|i| CheckInfo {
            change_id: None,
            ..i.clone()
        })
        .collect()
}

fn sorted_checks(container: &Container) -> Vec<(String, CheckStatus)> {
    let mut v: Vec<(String, CheckStatus)> = container
        .check_infos
        .iter()
        .map(|i| (i.name.clone(), i.status))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

// --- check events -----------------------------------------------------------------------------

#[test]
fn check_failed_gives_the_handler_the_check_s_status_and_failures() {
    let failing = alive_check().status(CheckStatus::Down).failures(5);
    let mut container = configured_web();
    container.check_infos = vec![ready_check(), failing.clone()];
    let state = State::default().containers([container.clone(), metrics()]);
    let out = webapp()
        .run(container.check_failed_event(&failing), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::maintenance("check alive down after 5 failures")
    );
    assert_logged(
        &out,
        "INFO check failed name=alive status=down failures=5 threshold=5",
    );
    assert_eq!(
        without_change_ids(&out_web(&out).check_infos),
        container.check_infos,
        "an event changes no check"
    );
}

#[test]
fn check_recovered_gives_the_handler_the_check_up_again() {
    let container = configured_web();
    let state = State::default().containers([container.clone(), metrics()]);
    let out = webapp()
        .run(container.check_recovered_event(&ready_check()), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("check ready up again")
    );
    assert_logged(&out, "INFO check recovered name=ready status=up");
}

// --- update-status: checks and notices by filter ----------------------------------------------

fn notice_at(key: &str, time: &str) -> Notice {
    Notice {
        first_occurred: time.into(),
        last_occurred: time.into(),
        last_repeated: time.into(),
        ..Notice::new(key)
    }
}

#[test]
fn update_status_lists_checks_and_notices_with_pebble_s_filters() {
    let mut container = configured_web().notices([
        Notice {
            occurrences: 3,
            ..notice_at("example.com/reload", "2026-01-01T00:00:03+00:00")
        },
        notice_at("example.com/other", "2026-01-01T00:00:01+00:00"),
        notice_at("42", "2026-01-01T00:00:02+00:00").notice_type("change-update"),
        Notice {
            user_id: Some(1000),
            ..notice_at("example.com/private", "2026-01-01T00:00:00+00:00")
        },
    ]);
    container.check_infos = vec![
        ready_check(),
        alive_check().status(CheckStatus::Down).failures(5),
    ];
    let state = State::default().containers([container, metrics()]);
    let out = webapp().run(Event::update_status(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("checks down: alive"));
    assert_logged(&out, "INFO checks: {'alive': 'down', 'ready': 'up'}");
    assert_logged(&out, "INFO ready checks: ['ready']");
    assert_logged(&out, "INFO checks named alive: ['alive']");
    // Ids are given in State order; Pebble lists by last repeat; another user's notice is
    // not listed by default.
    assert_logged(
        &out,
        "INFO notices: [('2', 'custom', 'example.com/other'), ('3', 'change-update', '42'), ('1', 'custom', 'example.com/reload')]",
    );
    assert_logged(
        &out,
        "INFO custom notices: ['example.com/other', 'example.com/reload']",
    );
    assert_logged(&out, "INFO reload notices: [('1', 3)]");
}

#[test]
fn update_status_with_every_check_up() {
    let state = State::default().containers([configured_web(), metrics()]);
    let out = webapp().run(Event::update_status(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("2 checks up"));
    assert_logged(&out, "INFO notices: []");
}

// --- deferral ---------------------------------------------------------------------------------

fn exporter() -> Container {
    metrics().files([("/var/log/exporter.log", "")]).execs([
        Exec::new(["metrics-exporter"]),
        Exec::new(["metrics-exporter", "--version"]).stdout("1.2.3\n"),
    ])
}

#[test]
fn pebble_ready_is_deferred_until_the_metrics_container_answers() {
    let ctx = webapp().capture_deferred_events(true);
    let state = State::default().containers([web(), Container::new("metrics")]);
    let out = ctx.run(web().pebble_ready_event(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::waiting("waiting for the metrics container")
    );
    assert_eq!(deferred_paths(&out), ["WebappCharm/on/web_pebble_ready[1]"]);
    assert!(out_web(&out).layers.is_empty());

    // The exporter's Pebble answers: its pebble-ready comes, after the deferred web one.
    let mut next = out.state.clone();
    next.containers.retain(|c| c.name != "metrics");
    next.containers.push(exporter());
    let out = ctx.run(exporter().pebble_ready_event(), &next).unwrap();
    assert_eq!(
        event_names(&out),
        ["web_pebble_ready (deferred)", "metrics_pebble_ready"]
    );
    assert!(out.state.deferred.is_empty(), "{:?}", out.state.deferred);
    assert_eq!(
        out_web(&out).layers.get("web"),
        Some(&web_layer(8080, "info"))
    );
    assert_eq!(
        out.state.unit_status,
        Status::active("metrics-exporter 1.2.3")
    );
    assert!(out
        .unit_status_history
        .contains(&Status::active("web=active")));
}

#[test]
fn a_deferred_pebble_ready_in_the_state_is_reemitted_before_the_event() {
    let ctx = webapp().capture_deferred_events(true);
    let state = State::default()
        .containers([web(), metrics()])
        .deferred([web()
            .pebble_ready_event()
            .deferred("WebappCharm", "_on_web_pebble_ready")]);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    assert_eq!(
        event_names(&out),
        ["web_pebble_ready (deferred)", "update_status"]
    );
    assert!(out.state.deferred.is_empty());
    assert_eq!(
        out_web(&out).layers.get("web"),
        Some(&web_layer(8080, "info"))
    );
    assert_eq!(out.state.unit_status, Status::active("2 checks up"));
}

#[test]
fn a_reload_before_the_service_exists_is_deferred_and_done_once_it_does() {
    let reload = Notice::new("example.com/reload")
        .id("5")
        .last_data([("reason", "new cert")]);
    let container = web().notices([reload.clone()]);
    let ctx = webapp().capture_deferred_events(true);
    let state = State::default().containers([container.clone(), metrics()]);
    let out = ctx
        .run(container.custom_notice_event(&reload), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::waiting("reload before the web service exists")
    );
    assert_eq!(
        deferred_paths(&out),
        ["WebappCharm/on/web_pebble_custom_notice[1]"]
    );

    // The service gets planned; at the next event (one the charm does not observe) the
    // deferred notice is handled.
    let mut next = out.state.clone();
    *web_mut(&mut next) = configured_web()
        .service_statuses([("web", ServiceStatus::Inactive)])
        .notices([reload]);
    let out = ctx.run(Event::start(), &next).unwrap();
    assert_eq!(
        event_names(&out),
        ["web_pebble_custom_notice (deferred)", "start"]
    );
    assert_eq!(
        out.state.unit_status,
        Status::active("restarted web: new cert")
    );
    assert_eq!(
        out_web(&out).service_statuses.get("web"),
        Some(&ServiceStatus::Active)
    );
    assert!(out.state.deferred.is_empty());
}

#[test]
fn a_deferred_custom_notice_built_from_the_event_is_reemitted_with_its_notice() {
    let reload = Notice::new("example.com/reload")
        .id("3")
        .last_data([("reason", "from the queue")]);
    let container = configured_web()
        .service_statuses([("web", ServiceStatus::Inactive)])
        .notices([reload.clone()]);
    let state = State::default()
        .containers([container.clone(), metrics()])
        .deferred([container
            .custom_notice_event(&reload)
            .deferred("WebappCharm", "_on_web_custom_notice")]);
    let out = webapp().run(Event::start(), &state).unwrap();
    assert_logged(
        &out,
        "INFO notice id=3 type=custom key=example.com/reload data={'reason': 'from the queue'}",
    );
    assert_eq!(
        out.state.unit_status,
        Status::active("restarted web: from the queue")
    );
    assert!(out.state.deferred.is_empty());
}

// --- chained runs -----------------------------------------------------------------------------

#[test]
fn chained_runs_carry_the_plan_files_and_checks_forward() {
    let ctx = webapp();
    let state = State::default().containers([web(), metrics()]);
    let out = ctx.run(web().pebble_ready_event(), &state).unwrap();

    let mut next = out.state.clone();
    next.config.insert("port".into(), 9090.into());
    let out = ctx.run(Event::config_changed(), &next).unwrap();
    let container = out_web(&out);
    assert_eq!(container.layers.get("web"), Some(&web_layer(9090, "info")));
    assert_eq!(
        container.file(CONFIG_PATH).unwrap().text(),
        Some("port = 9090\nlog-level = info\n")
    );
    assert_eq!(
        container.file(CONFIG_PATH).unwrap().permissions,
        Some(0o600)
    );

    let out = ctx.run(Event::update_status(), &out.state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("2 checks up"));
    assert_logged(&out, "INFO checks: {'alive': 'up', 'ready': 'up'}");
    assert_eq!(
        out_web(&out).file(CONFIG_PATH).map(ContainerFile::text),
        Some(Some("port = 9090\nlog-level = info\n")),
        "a run that does not touch the file keeps it"
    );
}

// --- consistency rules ------------------------------------------------------------------------

#[test]
fn a_container_not_in_the_metadata_is_inconsistent() {
    let state = State::default().containers([web(), metrics(), Container::new("db")]);
    let result = webapp().run(Event::update_status(), &state);
    insta::assert_snapshot!(
        "container_not_in_the_metadata",
        inconsistency_report(result)
    );
}

#[test]
fn an_event_for_a_container_not_in_the_metadata_is_inconsistent() {
    let db = Container::new("db").can_connect(true);
    let state = State::default().containers([web(), metrics(), db.clone()]);
    let result = webapp().run(db.pebble_ready_event(), &state);
    insta::assert_snapshot!(
        "event_for_a_container_not_in_the_metadata",
        inconsistency_report(result)
    );
}

#[test]
fn an_event_for_a_container_not_in_the_state_is_inconsistent() {
    let state = State::default().containers([metrics()]);
    let result = webapp().run(web().pebble_ready_event(), &state);
    insta::assert_snapshot!(
        "event_for_a_container_not_in_the_state",
        inconsistency_report(result)
    );
}

#[test]
fn a_notice_event_for_a_notice_not_in_the_container_is_inconsistent() {
    let stray = Notice::new("example.com/reload").id("9");
    let state = State::default().containers([configured_web(), metrics()]);
    let result = webapp().run(web().custom_notice_event(&stray), &state);
    insta::assert_snapshot!("notice_not_in_the_container", inconsistency_report(result));
}

#[test]
fn a_notice_in_another_container_does_not_satisfy_the_event() {
    let notice = Notice::new("example.com/reload").id("9");
    let state =
        State::default().containers([configured_web(), metrics().notices([notice.clone()])]);
    // Juju would only send web's notice event for a notice in web's Pebble.
    let result = webapp().run(web().custom_notice_event(&notice), &state);
    insta::assert_snapshot!("notice_in_another_container", inconsistency_report(result));
}

#[test]
fn a_check_event_for_a_check_not_in_the_container_is_inconsistent() {
    let state = State::default().containers([configured_web(), metrics()]);
    let ghost = CheckInfo::new("ghost");
    let result = webapp().run(web().check_failed_event(&ghost), &state);
    insta::assert_snapshot!("check_not_in_the_container", inconsistency_report(result));
}

#[test]
fn check_infos_must_agree_with_the_plan() {
    let cases: [(&str, CheckInfo); 3] = [
        ("a check not in the plan", CheckInfo::new("ghost")),
        (
            "a level the plan does not give",
            CheckInfo::new("ready").level(CheckLevel::Alive),
        ),
        (
            "a threshold the plan does not give",
            alive_check().threshold(7),
        ),
    ];
    let reports: Vec<String> = cases
        .into_iter()
        .map(|(what, info)| {
            let mut container = configured_web();
            container.check_infos = vec![info];
            let state = State::default().containers([container, metrics()]);
            let result = webapp().run(Event::update_status(), &state);
            format!("{what}:\n{}", inconsistency_report(result))
        })
        .collect();
    insta::assert_snapshot!("check_infos_against_the_plan", reports.join("\n"));
}

#[test]
fn duplicate_container_names_are_inconsistent() {
    let state = State::default().containers([web(), web(), metrics()]);
    let result = webapp().run(Event::update_status(), &state);
    insta::assert_snapshot!("duplicate_container_names", inconsistency_report(result));
}

#[test]
fn every_container_violation_is_reported_at_once() {
    let state = State::default().containers([web(), web(), Container::new("db")]);
    let result = webapp().run(Event::update_status(), &state);
    assert_eq!(
        rules(result),
        ["container.duplicate", "container.undeclared"]
    );
    let result = webapp().run(Event::update_status(), &state);
    insta::assert_snapshot!("every_container_violation", inconsistency_report(result));
}

#[test]
fn containers_may_be_left_out_of_the_state() {
    // Before the pod is up (install, say) the State need not list the metadata's containers.
    let out = webapp()
        .run(Event::config_changed(), &State::default())
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::waiting("waiting for the web container")
    );
    assert!(out.state.containers.is_empty());
}

// --- threads ----------------------------------------------------------------------------------

#[test]
fn pebble_ready_from_many_threads_gives_identical_outputs() {
    let ctx = webapp();
    let state = State::default().containers([web(), metrics()]);
    let event = web().pebble_ready_event();
    let outputs: Vec<Output> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| ctx.run(&event, &state).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for out in &outputs[1..] {
        assert_eq!(out, &outputs[0]);
    }
    assert_eq!(outputs[0].state.unit_status, Status::active("web=active"));
}
