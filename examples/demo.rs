//! The demo: real charms driven through several events, each run fed the previous run's
//! output State, as Juju would. First a database requirer (tests/charms/db-requirer) through a
//! relation's life: the relation is created, a database unit joins, the database publishes its
//! address, the charm reports it on update-status, and the relation is broken. Then a sidecar
//! charm with two containers (tests/charms/pebble-webapp): Pebble becomes ready in the metrics
//! container (an exec) and in the web container (a config file, a layer, a replan), the
//! config changes, and update-status reads the checks. Then a secret's life between two
//! charms (tests/charms/secret-owner and secret-observer): the owner's leader adds an
//! application secret, grants it to the application that joins `db` and publishes its id, and
//! rotates it; the observer reads it by that id and follows the new revision on
//! secret-changed. Then an action (tests/charms/action-backup) with its results and logs. Last,
//! the requirer's whole start-up in Juju's order as one sequence, and what it changed as a
//! readable diff of the first and last State. Prints every output.
//!
//! `scripts/demo.sh` sets up Python and runs this (`cargo run --example demo`).

use std::path::PathBuf;

use ops_scenario::sequence::Sequence;
use ops_scenario::{
    Address, AnyRelation, BindAddress, Charm, Container, Context, Event, Exec, Network, Output,
    Relation, Secret, State,
};

fn main() -> Result<(), ops_scenario::Error> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/charms/db-requirer");
    let ctx = Context::new(Charm::from_dir(dir)?)?.app_name("webshop");

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
        "database answers",
        "update-status",
        "broken",
    ] {
        let event = match step {
            "created" => db.created_event(),
            "joined" => db.joined_event().remote_unit(0),
            "changed" => db.changed_event().remote_unit(0),
            "database answers" => {
                // What Juju would deliver next: the database's leader has published its address.
                if let Some(AnyRelation::Regular(r)) = state.relations.first_mut() {
                    r.remote_app_data.insert("host".into(), "10.1.0.20".into());
                }
                db.changed_event().remote_unit(0)
            }
            "update-status" => Event::update_status(),
            _ => db.broken_event(),
        };
        let out = ctx.run(&event, &state)?;
        print_output(step, &event, &out);
        state = out.state;
    }

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/charms/pebble-webapp");
    let ctx = Context::new(Charm::from_dir(dir)?)?;
    let web = Container::new("web").can_connect(true);
    let metrics = Container::new("metrics")
        .can_connect(true)
        .files([("/var/log/metrics.log", "started\n")])
        .execs([
            Exec::new(["metrics-exporter", "--version"]).stdout("metrics-exporter 2.4.1\n"),
            Exec::new(["metrics-exporter"]),
        ]);
    let mut state = State::default().containers([web.clone(), metrics.clone()]);
    for (step, event) in [
        ("metrics ready", metrics.pebble_ready_event()),
        ("web ready", web.pebble_ready_event()),
        ("config changed", Event::config_changed()),
        ("update-status", Event::update_status()),
    ] {
        if step == "config changed" {
            state = state.config([("port", 9090.into())]);
        }
        let out = ctx.run(&event, &state)?;
        print_output(step, &event, &out);
        for (container, commands) in &out.exec_history {
            for command in commands {
                println!("exec in {container}: {:?}", command.command);
            }
        }
        state = out.state;
    }

    secrets()?;

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/charms/action-backup");
    let ctx = Context::new(Charm::from_dir(dir)?)?;
    let event = Event::action("backup").params([("target", "s3://backups/webshop")]);
    let out = ctx.run(&event, &State::default())?;
    print_output("backup action", &event, &out);
    println!("action results: {:?}", out.action_results);
    println!("action logs:    {:?}\n", out.action_logs);

    startup()?;
    Ok(())
}

/// The requirer's start-up as Juju runs it, one run feeding the next, and what it changed.
fn startup() -> Result<(), ops_scenario::Error> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/charms/db-requirer");
    let ctx = Context::new(Charm::from_dir(dir)?)?;
    let state = State::default()
        .leader(true)
        .relations([Relation::new("db").remote_app_name("postgresql")]);
    let sequence = Sequence::startup(&state);
    println!("=== start-up sequence: {:?} ===", sequence.event_names());
    let outputs = ctx.run_sequence(sequence, &state)?;
    for out in &outputs {
        println!(
            "{:<22} unit status: {}",
            out.emitted_names().last().copied().unwrap_or("-"),
            out.state.unit_status
        );
    }
    if let Some(last) = outputs.last() {
        println!("what the start-up changed:\n{}", state.diff(&last.state));
    }
    Ok(())
}

/// A secret shared from its owner to an observer, each side run as Juju would run it.
fn secrets() -> Result<(), ops_scenario::Error> {
    let charms = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/charms");
    let owner = Context::new(Charm::from_dir(charms.join("secret-owner"))?)?;
    let consumer = Relation::new("db").remote_app_name("webshop");

    let event = Event::config_changed();
    let out = owner.run(&event, &State::default().leader(true))?;
    print_output("owner: config changed", &event, &out);
    let id = out.state.secrets[0].id.clone();

    let event = consumer.joined_event().remote_unit(0);
    let out = owner.run(&event, &out.state.relations([consumer.clone()]))?;
    print_output("owner: webshop joins", &event, &out);

    let event = out.state.secret(&id)?.rotate_event();
    let out = owner.run(&event, &out.state)?;
    print_output("owner: rotate", &event, &out);
    let rotated = out.state.secret(&id)?;

    // The observer's side: the secret was granted, so it is in its State without an owner,
    // still tracking the revision it first read.
    let observer = Context::new(Charm::from_dir(charms.join("secret-observer"))?)?;
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
    print_output("observer: reads the secret", &event, &out);
    let event = out.state.secret(&id)?.changed_event();
    let out = observer.run(&event, &out.state)?;
    print_output("observer: secret changed", &event, &out);
    Ok(())
}

fn print_output(step: &str, event: &Event, out: &Output) {
    println!("=== {step}: {} ===", event.name);
    println!("unit status: {}", out.state.unit_status);
    for line in out
        .juju_log
        .iter()
        .filter(|l| l.level != ops_scenario::LogLevel::Debug)
    {
        println!("juju-log:    {} {}", line.level, line.message);
    }
    for container in &out.state.containers {
        println!(
            "container {}: services {:?}, files {:?}",
            container.name,
            container.service_statuses,
            container.files.keys().collect::<Vec<_>>()
        );
    }
    for secret in &out.state.secrets {
        println!(
            "secret {} ({:?}): tracked revision {}, latest {}, grants {:?}",
            secret.id,
            secret.label,
            secret.tracked_revision,
            secret.latest_revision,
            secret.remote_grants
        );
    }
    if !out.removed_secret_revisions.is_empty() {
        println!(
            "removed secret revisions: {:?}",
            out.removed_secret_revisions
        );
    }
    for relation in &out.state.relations {
        println!(
            "relation {} ({}): app databag {:?}, unit databag {:?}",
            relation.id().unwrap_or_default(),
            relation.endpoint(),
            relation.local_app_data(),
            relation.local_unit_data()
        );
    }
    println!(
        "output state:\n{}\n",
        serde_json::to_string_pretty(&out.state).expect("State serialises")
    );
}
