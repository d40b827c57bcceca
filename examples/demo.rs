//! The demo: real charms driven through several events, each run fed the previous run's
//! output State, as Juju would. Every step prints a short summary (the event, the unit's
//! status, what the charm logged or ran) and what the run changed in the State, path by path.
//!
//! 1. A database requirer (tests/charms/db-requirer) through a relation's life: created, a
//!    database unit joins, the database publishes its address, update-status, broken.
//! 2. A sidecar charm with two containers (tests/charms/pebble-webapp): Pebble becomes ready
//!    in each (an exec; a config file, a layer and a replan), the config changes,
//!    update-status reads the checks.
//! 3. A secret's life between two charms (tests/charms/secret-owner and secret-observer).
//! 4. An action (tests/charms/action-backup), with its results and logs.
//! 5. The requirer's whole start-up in Juju's order as one sequence.
//! 6. A typo in a State: the consistency checker's report, with the name it meant.
//! 7. Exploration of a charm with planted bugs (tests/charms/fragile): drawn States and
//!    event walks, each bug found, shrunk to the smallest State, and one of them on Juju 4.
//!
//! `scripts/demo.sh` sets up Python and runs this (`cargo run --release --example demo`).

use std::path::Path;

use ops_scenario::sequence::Sequence;
use ops_scenario::{
    Address, AnyRelation, BindAddress, Charm, Container, Context, Event, Exec, LogLevel, Network,
    Output, Relation, Secret, State,
};

fn charm(name: &str) -> Result<Charm, ops_scenario::Error> {
    Charm::from_dir(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/charms")
            .join(name),
    )
}

fn main() -> Result<(), ops_scenario::Error> {
    relation_life()?;
    sidecar()?;
    secrets()?;
    action()?;
    startup()?;
    typo()?;
    explore()?;
    Ok(())
}

/// A relation's life, seen from a database requirer.
fn relation_life() -> Result<(), ops_scenario::Error> {
    heading("a relation's life (db-requirer, leader)");
    let ctx = Context::new(charm("db-requirer")?)?.app_name("webshop");
    let db = Relation::new("db").remote_app_name("postgresql");
    let mut state = State::default()
        .leader(true)
        .relations([db.clone()])
        .networks([Network::new("db")
            .bind_addresses([BindAddress::new([
                Address::new("10.1.0.7").cidr("10.1.0.0/24")
            ])])
            .ingress_addresses(["10.1.0.7"])]);
    for step in [
        "created",
        "joined",
        "changed",
        "answers",
        "update-status",
        "broken",
    ] {
        let event = match step {
            "created" => db.created_event(),
            "joined" => db.joined_event().remote_unit(0),
            "changed" => db.changed_event().remote_unit(0),
            "answers" => {
                // What Juju would deliver next: the database's leader published its address.
                if let Some(AnyRelation::Regular(r)) = state.relations.first_mut() {
                    r.remote_app_data.insert("host".into(), "10.1.0.20".into());
                }
                db.changed_event().remote_unit(0)
            }
            "update-status" => Event::update_status(),
            _ => db.broken_event(),
        };
        let out = ctx.run(&event, &state)?;
        show(&event, &state, &out);
        state = out.state;
    }
    Ok(())
}

/// Pebble in two containers of a sidecar charm.
fn sidecar() -> Result<(), ops_scenario::Error> {
    heading("Pebble in two containers (pebble-webapp)");
    let ctx = Context::new(charm("pebble-webapp")?)?;
    let web = Container::new("web").can_connect(true);
    let metrics = Container::new("metrics")
        .can_connect(true)
        .files([("/var/log/metrics.log", "started\n")])
        .execs([
            Exec::new(["metrics-exporter", "--version"]).stdout("metrics-exporter 2.4.1\n"),
            Exec::new(["metrics-exporter"]),
        ]);
    let mut state = State::default().containers([web.clone(), metrics.clone()]);
    for event in [
        metrics.pebble_ready_event(),
        web.pebble_ready_event(),
        Event::config_changed(),
        Event::update_status(),
    ] {
        if event.name == "config_changed" {
            state = state.config([("port", 9090.into())]);
        }
        let out = ctx.run(&event, &state)?;
        show(&event, &state, &out);
        state = out.state;
    }
    Ok(())
}

/// A secret shared from its owner to an observer, each side run as Juju would run it.
fn secrets() -> Result<(), ops_scenario::Error> {
    heading("a secret, from its owner to an observer (secret-owner, secret-observer)");
    let owner = Context::new(charm("secret-owner")?)?;
    let consumer = Relation::new("db").remote_app_name("webshop");

    let state = State::default().leader(true);
    let event = Event::config_changed();
    let out = owner.run(&event, &state)?;
    show(&event, &state, &out);
    let id = out.state.secrets[0].id.clone();

    let state = out.state.relations([consumer.clone()]);
    let event = consumer.joined_event().remote_unit(0);
    let out = owner.run(&event, &state)?;
    show(&event, &state, &out);

    let state = out.state;
    let event = state.secret(&id)?.rotate_event();
    let out = owner.run(&event, &state)?;
    show(&event, &state, &out);
    let rotated = out.state.secret(&id)?;

    // The observer's side: the secret was granted, so it is in its State without an owner,
    // still tracking the revision it first read.
    let observer = Context::new(charm("secret-observer")?)?;
    let db = Relation::new("db")
        .remote_app_name("secret-owner")
        .remote_app_data([("secret-id", id.as_str())]);
    let state = State::default()
        .relations([db.clone()])
        .secrets([Secret::new(rotated.tracked_content.clone())
            .id(id.clone())
            .latest_content(rotated.latest_content.clone())]);
    let event = db.changed_event().remote_unit(0);
    let out = observer.run(&event, &state)?;
    show(&event, &state, &out);
    let state = out.state;
    let event = state.secret(&id)?.changed_event();
    let out = observer.run(&event, &state)?;
    show(&event, &state, &out);
    Ok(())
}

/// An action with parameters, its results and its logs.
fn action() -> Result<(), ops_scenario::Error> {
    heading("an action (action-backup)");
    let ctx = Context::new(charm("action-backup")?)?;
    let event = Event::action("backup").params([("target", "s3://backups/webshop")]);
    let state = State::default();
    let out = ctx.run(&event, &state)?;
    show(&event, &state, &out);
    Ok(())
}

/// The requirer's start-up as Juju runs it, one run feeding the next, and what it changed.
fn startup() -> Result<(), ops_scenario::Error> {
    heading("a unit's start-up, in Juju's order (db-requirer)");
    let ctx = Context::new(charm("db-requirer")?)?;
    let state = State::default()
        .leader(true)
        .relations([Relation::new("db").remote_app_name("postgresql")]);
    let sequence = Sequence::startup(&state);
    println!("  hooks: {}", sequence.event_names().join(", "));
    let outputs = ctx.run_sequence(sequence, &state)?;
    for out in &outputs {
        println!(
            "  {:<22} unit status: {}",
            out.emitted_names().last().copied().unwrap_or("-"),
            out.state.unit_status
        );
    }
    if let Some(last) = outputs.last() {
        println!("  the start-up changed:");
        indent(
            &without_event_counter(&state)
                .diff(&without_event_counter(&last.state))
                .to_string(),
        );
    }
    println!();
    Ok(())
}

/// A typo in a State never reaches the charm: the checker names the rule and the name meant.
fn typo() -> Result<(), ops_scenario::Error> {
    heading("a typo in the State (db-requirer)");
    let ctx = Context::new(charm("db-requirer")?)?;
    let dbb = Relation::new("dbb");
    let state = State::default()
        .config([("prot", 5432.into())])
        .relations([dbb.clone()]);
    match ctx.run(dbb.changed_event(), &state) {
        Err(err) => indent(&err.to_string()),
        Ok(_) => println!("  (the checker let it through)"),
    }
    println!();
    Ok(())
}

/// What breaks a charm nobody wrote a test for: walks through drawn States and event
/// sequences, each finding shrunk to the fewest steps on the simplest State that still break.
fn explore() -> Result<(), ops_scenario::Error> {
    heading("exploring a charm with planted bugs (fragile): 100 walks from seed 7, on Juju 4");
    let ctx = Context::new(charm("fragile")?)?
        .juju_version("4.0.16")
        .timeout(std::time::Duration::from_millis(300));
    let report = ops_scenario::explore::Explorer::new(&ctx).seed(7).run();
    indent(&report.summary());
    for finding in &report.findings {
        let steps: Vec<&str> = finding
            .steps
            .iter()
            .map(|s| s.event.name.as_str())
            .collect();
        println!(
            "  {} after {}: its shrunk State, as it differs from a fresh unit's:",
            finding.key.exc_type,
            steps.join(" > ")
        );
        indent(&State::default().diff(&finding.state).to_string());
    }
    println!();
    Ok(())
}

fn heading(title: &str) {
    println!("━━━ {title}");
}

/// One run: the event, the unit's status, what the charm logged, ran and answered, and what
/// changed in the State (one path per line, `-` before and `+` after).
fn show(event: &Event, before: &State, out: &Output) {
    println!("• {}", describe(event));
    println!("  unit status: {}", out.state.unit_status);
    for line in out.juju_log.iter().filter(|l| l.level > LogLevel::Debug) {
        println!("  logged {}: {}", line.level, line.message);
    }
    for (container, commands) in &out.exec_history {
        for command in commands {
            println!("  ran in {container}: {}", command.command.join(" "));
        }
    }
    if let Some(results) = &out.action_results {
        println!(
            "  action results: {}",
            serde_json::Value::Object(results.clone())
        );
    }
    for message in &out.action_logs {
        println!("  action log: {message}");
    }
    // ops' own event counter (the framework's stored state) moves on every run: left out.
    let diff = without_event_counter(before).diff(&without_event_counter(&out.state));
    if diff.is_empty() {
        println!("  the State did not change");
    } else {
        println!("  changed:");
        indent(&diff.to_string());
    }
    println!();
}

fn without_event_counter(state: &State) -> State {
    let mut state = state.clone();
    state.stored_states.retain(|s| s.owner_path.is_some());
    state
}

/// The event and what it is about, as a person reads it.
fn describe(event: &Event) -> String {
    let mut about = Vec::new();
    if let Some(id) = event.relation_id {
        about.push(format!("relation {id}"));
    }
    if let Some(unit) = event.remote_unit {
        about.push(format!("remote unit {unit}"));
    }
    if let Some(container) = &event.container {
        about.push(format!("container {container}"));
    }
    if let Some(action) = &event.action {
        let params: Vec<String> = action
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        about.push(format!("{} {}", action.name, params.join(" ")));
    }
    if event.secret_id.is_some() {
        about.push("its secret".to_owned());
    }
    if about.is_empty() {
        event.name.clone()
    } else {
        format!("{} ({})", event.name, about.join(", "))
    }
}

fn indent(text: &str) {
    for line in text.lines() {
        println!("    {line}");
    }
}
