//! The demo: a real charm (tests/charms/deferring) driven through a unit's first events, each
//! run fed the previous run's output State, as Juju would. Prints every output.
//!
//! `scripts/demo.sh` sets up Python and runs this (`cargo run --example demo`).

use std::path::PathBuf;

use ops_scenario::{Charm, Context, Event, State};

fn main() -> Result<(), ops_scenario::Error> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/charms/deferring");
    let ctx = Context::new(Charm::from_dir(dir)?)?.capture_deferred_events(true);

    let mut state = State::default().leader(true);
    for event in [
        Event::install(),
        Event::start(),
        Event::config_changed(),
        Event::update_status(),
    ] {
        let out = ctx.run(&event, &state)?;
        println!("=== {} ===", event.name);
        println!("unit status: {}", out.state.unit_status);
        let events: Vec<String> = out
            .emitted_events
            .iter()
            .map(|e| {
                if e.deferred {
                    format!("{} (re-emitted)", e.name)
                } else {
                    e.name.clone()
                }
            })
            .collect();
        println!("events:      {}", events.join(", "));
        let queue: Vec<&str> = out
            .state
            .deferred
            .iter()
            .map(|d| d.handle_path.as_str())
            .collect();
        println!("deferred:    {queue:?}");
        for line in &out.juju_log {
            println!("juju-log:    {} {}", line.level, line.message);
        }
        println!(
            "output state:\n{}\n",
            serde_json::to_string_pretty(&out.state).expect("State serialises")
        );
        state = out.state;
    }
    Ok(())
}
