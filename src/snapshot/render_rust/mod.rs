//! A snapshot as a Rust integration test: the State built with the crate's builders
//! (`Relation::new("db").id(3).remote_app_name("pg").remote_app_data([...])`), the unit's
//! Context, and a run of a chosen event.
//!
//! The text is laid out one builder call per line; `scenario snapshot` passes it through
//! `rustfmt` when that is installed.

mod builders;
mod containers;
mod source;

use std::fmt::Write as _;

use source::{chain, ident, lit, Code};

use super::Snapshot;
use crate::error::Result;
use crate::event::Event;
use crate::options::ContextOptions;

/// How to write the test: which charm, which event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustTest {
    /// The charm directory as the test names it (`Charm::from_dir("...")`), relative to where
    /// the test runs (the package root, under `cargo test`).
    pub charm_dir: String,
    /// The CharmBase subclass, when `src/charm.py` has several. Defaults to none.
    pub class_name: Option<String>,
    /// The event to run (its Python name). See [`Snapshot::event`].
    pub event: String,
    /// The command line that made the snapshot, quoted in the file's header so that it can be
    /// made again. Defaults to none.
    pub command: Option<String>,
}

impl RustTest {
    /// A test running `event` on the charm in `charm_dir`.
    pub fn new(charm_dir: impl Into<String>, event: impl Into<String>) -> Self {
        RustTest {
            charm_dir: charm_dir.into(),
            class_name: None,
            event: event.into(),
            command: None,
        }
    }

    /// Name the charm class.
    pub fn class_name(mut self, class_name: impl Into<String>) -> Self {
        self.class_name = Some(class_name.into());
        self
    }

    /// Quote the command line that made the snapshot in the header.
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.command = Some(command.into());
        self
    }
}

impl Snapshot {
    /// A Rust integration test that builds this State with the crate's builders and runs
    /// `test.event` on the charm.
    ///
    /// # Errors
    /// As [`Snapshot::event`].
    pub fn to_rust_test(&self, test: &RustTest) -> Result<String> {
        let event = self.event(&test.event)?;
        let mut code = Code::default();
        let state = &self.state;

        // The Context.
        let mut charm = format!("{}::from_dir({})?", code.ty("Charm"), lit(&test.charm_dir));
        if let Some(class) = &test.class_name {
            let _ = write!(charm, ".class_name({})", lit(class));
        }
        let ctx_opts = &self.context;
        let mut ctx_calls = Vec::new();
        if let Some(app) = ctx_opts
            .app_name
            .as_ref()
            .filter(|a| **a != self.charm_name)
        {
            ctx_calls.push(format!("app_name({})", lit(app)));
        }
        if ctx_opts.unit_id != 0 {
            ctx_calls.push(format!("unit_id({})", ctx_opts.unit_id));
        }
        if ctx_opts.juju_version != ContextOptions::DEFAULT_JUJU_VERSION {
            ctx_calls.push(format!("juju_version({})", lit(&ctx_opts.juju_version)));
        }
        if ctx_opts.app_trusted {
            ctx_calls.push("app_trusted(true)".into());
        }
        if let Some(machine) = &ctx_opts.machine_id {
            ctx_calls.push(format!("machine_id({})", lit(machine)));
        }
        if let Some(zone) = &ctx_opts.availability_zone {
            ctx_calls.push(format!("availability_zone({})", lit(zone)));
        }
        if let Some(principal) = &ctx_opts.principal_unit {
            ctx_calls.push(format!("principal_unit({})", lit(principal)));
        }
        let ctx = chain(
            format!("{}::new({charm})?", code.ty("Context")),
            &ctx_calls,
            4,
        );

        // The State.
        let state_expr = builders::state(&mut code, state)?;

        // The event.
        let mut event_expr = if Event::LIFECYCLE_EVENTS.contains(&event.name.as_str()) {
            format!("{}::{}()", code.ty("Event"), event.name)
        } else {
            format!("{}::new({})", code.ty("Event"), lit(&event.name))
        };
        if let Some(id) = event.relation_id {
            let _ = write!(event_expr, ".relation_id({id})");
        }
        if let Some(unit) = event.remote_unit {
            let _ = write!(event_expr, ".remote_unit({unit})");
        }

        // The file.
        let mut out = String::new();
        let _ = writeln!(
            out,
            "//! The State of unit {} in model {}, as `scenario snapshot` found it, with `{}` run on it.",
            self.unit, state.model.name, test.event
        );
        if let Some(command) = &test.command {
            let _ = writeln!(out, "//!\n//! Made by: `{command}`");
        }
        let _ = writeln!(
            out,
            "//! Regenerate it rather than edit it; write your own assertions in another file."
        );
        if !self.warnings.is_empty() {
            let _ = writeln!(
                out,
                "//!\n//! What the snapshot could not take over as it was:"
            );
            for warning in &self.warnings {
                let lines: Vec<&str> = warning.lines().collect();
                let _ = writeln!(out, "//! - {}", lines.join("\n//!   "));
            }
        }
        let uses: Vec<&str> = code.uses.iter().copied().collect();
        let _ = writeln!(out, "\nuse ops_scenario::{{{}}};\n", uses.join(", "));
        let name = ident(&format!("snapshot_of_{}_runs_{}", self.unit, test.event));
        let _ = writeln!(out, "#[test]");
        let _ = writeln!(out, "fn {name}() -> Result<(), ops_scenario::Error> {{");
        let _ = writeln!(out, "    let ctx = {ctx};");
        let _ = writeln!(out, "    let state = {state_expr};");
        let _ = writeln!(out, "    let out = ctx.run({event_expr}, &state)?;");
        let _ = writeln!(
            out,
            "    // The charm handled the event on the live unit's State; assert on `out` here."
        );
        let _ = writeln!(out, "    assert_eq!(out.state.model, state.model);");
        let _ = writeln!(out, "    Ok(())");
        let _ = writeln!(out, "}}");
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::builders::*;
    use super::source::*;
    use super::*;
    use crate::options::ContextOptions;
    use crate::state::{stored_dict, ConfigValue, Relation, Secret, State, StoredValue};

    #[test]
    fn a_long_string_is_a_concat_of_its_lines_and_pieces() {
        assert_eq!(lit("short \"one\""), r#""short \"one\"""#);
        let pem = "-----BEGIN CERTIFICATE-----\nMIICdzCCAeCgAwIBAgIJ\n-----END CERTIFICATE-----\n";
        assert_eq!(
            lit(pem),
            r#"concat!("-----BEGIN CERTIFICATE-----\n", "MIICdzCCAeCgAwIBAgIJ\n", "-----END CERTIFICATE-----\n")"#
        );
        let long = "é".repeat(50); // 100 bytes: cut at a character boundary
        let written = lit(&long);
        assert_eq!(
            written,
            format!("concat!({:?}, {:?})", "é".repeat(30), "é".repeat(20))
        );
    }

    fn snapshot(state: State) -> Snapshot {
        Snapshot {
            unit: "web/1".into(),
            charm_name: "web-k8s".into(),
            state,
            context: ContextOptions {
                app_name: Some("web".into()),
                unit_id: 1,
                ..ContextOptions::default()
            },
            warnings: vec!["something was guessed".into()],
        }
    }

    #[test]
    fn values_render_as_the_expressions_that_build_them() {
        let mut code = Code::default();
        let value = StoredValue::Dict(stored_dict([
            ("n", StoredValue::None),
            ("f", StoredValue::Float(0.5)),
            ("k", StoredValue::KeyedDict(vec![(1.into(), "x".into())])),
        ]));
        assert_eq!(
            stored_value(&mut code, &value),
            "StoredValue::Dict(stored_dict([(\"f\", StoredValue::Float(0.5)), \
             (\"k\", StoredValue::KeyedDict(vec![(StoredValue::Int(1), StoredValue::Str(\"x\".into()))])), \
             (\"n\", StoredValue::None)]))"
        );
        assert_eq!(raw("a \"# b"), "r##\"a \"# b\"##");
        assert_eq!(
            config_value(&mut code, &ConfigValue::Int(-3)),
            "ConfigValue::Int(-3)"
        );
        assert_eq!(
            config_value(&mut code, &ConfigValue::Float(2.0)),
            "2.0.into()"
        );
        assert_eq!(
            ident("snapshot_of_web/1_runs_db-relation"),
            "snapshot_of_web_1_runs_db_relation"
        );
    }

    #[test]
    fn secret_revisions_say_only_what_the_builders_do_not() {
        let mut code = Code::default();
        let s = Secret::new([("a", "1")])
            .id("secret:d1ehcifmp25c76e01vhg")
            .latest_content([("a", "3")])
            .tracked_revision(1)
            .latest_revision(3);
        assert_eq!(
            secret(&mut code, &s),
            "Secret::new([(\"a\", \"1\")])\n                \
             .id(\"secret:d1ehcifmp25c76e01vhg\")\n                \
             .latest_content([(\"a\", \"3\")])\n                \
             .latest_revision(3)"
        );
    }

    #[test]
    fn the_test_imports_what_it_uses_and_names_the_warnings() {
        let state = State::default()
            .leader(true)
            .relations([Relation::new("db").id(3).remote_app_name("pg")]);
        let text = snapshot(state)
            .to_rust_test(&RustTest::new("charm", "db_relation_changed"))
            .unwrap();
        assert!(
            text.contains("use ops_scenario::{Charm, Context, Event, Relation, State};"),
            "{text}"
        );
        assert!(text.contains("//! - something was guessed"), "{text}");
        assert!(
            text.contains("ctx.run(Event::new(\"db_relation_changed\").relation_id(3).remote_unit(0), &state)?"),
            "{text}"
        );
        assert!(text.contains(".app_name(\"web\")"), "{text}");
        assert!(text.contains(".unit_id(1)"), "{text}");
    }
}
