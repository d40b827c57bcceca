//! Case files: a charm, a Context, an Event and a State in one JSON document (and, when
//! the event is the end of a sequence, the steps before it), as `scenario run CASE.json`
//! reads it (docs/STATE_JSON.md), and JSON parsing that says where it failed.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::charm::Charm;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::options::ContextOptions;
use crate::output::Output;
use crate::sequence::Step;
use crate::state::State;

/// One run described in JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[serde(from = "CaseJson")]
pub struct Case {
    /// The charm directory; relative paths are relative to the case file's folder.
    pub charm: PathBuf,
    /// The CharmBase subclass to run, when `src/charm.py` has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charm_class: Option<String>,
    /// How Juju runs the charm. Defaults to [`ContextOptions::default()`].
    #[serde(default)]
    pub context: ContextOptions,
    /// Steps run first, in order, each on the State the one before it left (the first on
    /// `state`), as [`Context::run_sequence`] runs them; the event then runs on the State
    /// the last one left. Defaults to none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// The event.
    pub event: Event,
    /// The input State. Defaults to [`State::default()`].
    #[serde(default)]
    pub state: State,
}

/// A case file as read: the fields of [`Case`], and `"$schema"`, which the run ignores.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct CaseJson {
    /// The JSON Schema an editor validates the file against (`scenario schema case` prints
    /// it): a path relative to the file, or a URL. The run ignores it.
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    /// The charm directory; relative paths are relative to the case file's folder.
    charm: PathBuf,
    /// The CharmBase subclass to run, when `src/charm.py` has several. Defaults to the only
    /// one, or the one `ops.main()` is given.
    #[serde(default)]
    charm_class: Option<String>,
    /// How Juju runs the charm. Every field may be omitted.
    #[serde(default)]
    context: ContextOptions,
    /// Steps (an event, and what Juju changes in the model before and after it) run first,
    /// each on the State the one before it left; the event then runs on the last one's.
    #[serde(default)]
    steps: Vec<Step>,
    /// The event.
    event: Event,
    /// The input State. Defaults to a fresh unit (`{}`).
    #[serde(default)]
    state: State,
}

impl From<CaseJson> for Case {
    fn from(json: CaseJson) -> Case {
        let CaseJson {
            _schema,
            charm,
            charm_class,
            context,
            steps,
            event,
            state,
        } = json;
        Case {
            charm,
            charm_class,
            context,
            steps,
            event,
            state,
        }
    }
}

impl Case {
    /// Read a case file.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read, [`Error::InvalidInput`] naming the path of the
    /// offending field (or the line and column of a syntax error).
    pub fn load(path: &Path) -> Result<Case> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        from_json(&text)
    }

    /// Run the case: load the charm (relative to `base_dir`), build the Context, run the
    /// event. A charm exception is reported in the Output's `error` rather than returned
    /// ([`Context::run_reporting_errors`]).
    ///
    /// # Errors
    /// Every [`Context::run`] error except [`Error::CharmRaised`].
    pub fn run(&self, base_dir: &Path) -> Result<Output> {
        self.prepare(base_dir)?.run()
    }

    /// Load the charm and build the Context once, so that the case can be run many times
    /// (`scenario bench`).
    ///
    /// # Errors
    /// [`Error::CharmLoad`] or [`Error::Metadata`] if the charm cannot be read.
    pub fn prepare(&self, base_dir: &Path) -> Result<PreparedCase<'_>> {
        let mut charm = Charm::from_dir(base_dir.join(&self.charm))?;
        if let Some(class) = &self.charm_class {
            charm = charm.class_name(class);
        }
        let ctx = Context::with_options(charm, self.context.clone())?;
        // Relative mount sources and resource paths are relative to the case file's folder;
        // the output repeats them as they were written.
        let mut state = self.state.clone();
        for container in &mut state.containers {
            for mount in container.mounts.values_mut() {
                if mount.source.is_relative() {
                    mount.source = base_dir.join(&mount.source);
                }
            }
        }
        // The charm gets an absolute resource path, as from Juju.
        for resource in &mut state.resources {
            if resource.path.is_relative() {
                let joined = base_dir.join(&resource.path);
                resource.path = std::path::absolute(&joined).unwrap_or(joined);
            }
        }
        Ok(PreparedCase {
            case: self,
            ctx,
            state,
        })
    }
}

/// A [`Case`] with its charm loaded and its Context built: run it as often as wanted.
#[derive(Debug)]
pub struct PreparedCase<'c> {
    case: &'c Case,
    ctx: Context,
    /// The case's State with its relative paths resolved.
    state: State,
}

impl PreparedCase<'_> {
    /// Start the embedded interpreter with the Python environment the case's Context chooses
    /// ([`Context::start_python`]).
    ///
    /// # Errors
    /// As [`Context::start_python`].
    pub fn start_python(&self) -> Result<()> {
        self.ctx.start_python()
    }

    /// Run the case once, as [`Case::run`] does.
    ///
    /// # Errors
    /// As [`Case::run`]; a step before the event that fails is [`Error::SequenceFailed`].
    pub fn run(&self) -> Result<Output> {
        let mut output = match self.case.steps.last() {
            None => self
                .ctx
                .run_reporting_errors(&self.case.event, &self.state)?,
            Some(last) => {
                let outputs = self.ctx.run_sequence(&self.case.steps, &self.state)?;
                let mut state = outputs.into_iter().last().expect("one per step").state;
                for change in &last.after {
                    change.apply(&mut state);
                }
                self.ctx.run_reporting_errors(&self.case.event, &state)?
            }
        };
        for container in &mut output.state.containers {
            let given = self
                .case
                .state
                .containers
                .iter()
                .find(|c| c.name == container.name);
            for (name, mount) in &mut container.mounts {
                if let Some(original) = given.and_then(|c| c.mounts.get(name)) {
                    mount.source = original.source.clone();
                }
            }
        }
        for (resource, given) in output
            .state
            .resources
            .iter_mut()
            .zip(&self.case.state.resources)
        {
            resource.path = given.path.clone();
        }
        Ok(output)
    }
}

/// Parse a JSON document into any of the crate's types (a [`State`], an [`Event`], a
/// [`Case`]...).
///
/// # Errors
/// [`Error::InvalidInput`] with the path of the offending field, like
/// `state.relations[2].remote_units_dta`, or the line and column of a syntax error.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: std::result::Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = parsed.map_err(|e| {
        let inner = e.inner();
        let mut path = e.path().to_string();
        // A map key not yet read shows as `?`: leave it out.
        while let Some(stripped) = path.strip_suffix(".?") {
            path = stripped.to_owned();
        }
        let message = inner.to_string();
        let location = format!("line {} column {}", inner.line(), inner.column());
        Error::InvalidInput {
            path: if path == "." || path.is_empty() {
                location
            } else {
                format!("{path} ({location})")
            },
            message: strip_location(&message),
        }
    })?;
    // Trailing characters are a syntax error too.
    de.end().map_err(|e| Error::InvalidInput {
        path: format!("line {} column {}", e.line(), e.column()),
        message: strip_location(&e.to_string()),
    })?;
    Ok(value)
}

fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_named_with_their_path() {
        let err = from_json::<Case>(r#"{"charm": "x", "event": {"name": "start"}, "state": {"stored_states": [{"nmae": "_stored"}]}}"#)
            .unwrap_err();
        match err {
            Error::InvalidInput { path, message } => {
                assert!(path.starts_with("state.stored_states[0].nmae"), "{path}");
                assert!(message.contains("unknown field `nmae`"), "{message}");
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_case_may_name_its_json_schema() {
        let case = from_json::<Case>(
            r#"{"$schema": "../case.schema.json", "charm": "x", "event": {"name": "start"}}"#,
        )
        .unwrap();
        assert_eq!(case.event.name, "start");
        let written = serde_json::to_value(&case).unwrap();
        assert!(written.get("$schema").is_none(), "{written}");
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = from_json::<State>("{\n  \"leader\": true,\n  \"config\": {]\n}").unwrap_err();
        let Error::InvalidInput { path, .. } = err else {
            panic!()
        };
        assert!(path.contains("line 3 column"), "{path}");
    }

    #[test]
    fn wrong_types_name_the_field() {
        let err = from_json::<State>(r#"{"planned_units": "three"}"#).unwrap_err();
        let Error::InvalidInput { path, .. } = err else {
            panic!()
        };
        assert!(path.starts_with("planned_units"), "{path}");
    }
}
