//! What counts as a finding (the charm raised, ran past the time limit, or broke an
//! invariant), how findings are told apart, and how one is written out as a reproducer.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::context::Context;
use crate::error::Error;
use crate::event::Event;
use crate::sequence::Step;
use crate::state::State;

/// What broke: the exception type and the charm's innermost frame (`file:line in function`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FindingKey {
    /// The exception's type, qualified as in [`Error::CharmRaised`]; `Timeout` for a run
    /// past the time limit; `CommitRefused` for changes Juju refused at commit (the frame is
    /// then what was refused); `invariant: <name>` for a broken invariant
    /// ([`Invariants`](super::Invariants)).
    pub exc_type: String,
    /// The innermost frame outside ops and the libraries (`src/charm.py:42 in _on_start`);
    /// for a hang, the handler it was in (`src/charm.py in _on_update_status`: where it is
    /// interrupted varies); empty if the traceback has none (and for invariants).
    pub frame: String,
}

/// One way the charm breaks, with its smallest reproducer: a State and the steps run on it,
/// the last of which breaks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The exception and the frame it came from (findings are distinct by this).
    pub key: FindingKey,
    /// The exception's message (or what the invariant says), as first seen.
    pub message: String,
    /// The shrunk State the reproducer starts from.
    pub state: State,
    /// The shrunk steps: each runs on the State the one before it left (the first on
    /// [`state`](Self::state)); every step but the last succeeds, the last breaks. Juju's
    /// changes are in each step's `before` (none in `after`).
    pub steps: Vec<Step>,
    /// Which walk found it (its number, from 0).
    pub walk: u64,
    /// How many runs shrinking it took.
    pub shrink_runs: usize,
}

impl Finding {
    /// The event that breaks the charm (the last step's).
    pub fn event(&self) -> &Event {
        &self.steps.last().expect("a finding has a step").event
    }

    /// A case file reproducing it (`scenario run`), for the charm in `charm_dir`: the State,
    /// the steps before the last, and the last step's event (its changes folded into the
    /// step before it, or into the State).
    pub fn case(&self, charm_dir: &Path, ctx: &Context) -> Case {
        let mut state = self.state.clone();
        let mut steps = self.steps.clone();
        let last = steps.pop().expect("a finding has a step");
        match steps.last_mut() {
            Some(previous) => previous.after.extend(last.before),
            None => last.before.iter().for_each(|c| c.apply(&mut state)),
        }
        Case {
            charm: charm_dir.to_path_buf(),
            charm_class: ctx.charm().class().map(str::to_owned),
            context: ctx.options().clone(),
            steps,
            event: last.event,
            state,
        }
    }

    /// A Rust test that runs the case file at `case_path` and fails while the charm breaks
    /// the same way.
    pub fn rust_test(&self, name: &str, case_path: &Path) -> String {
        let frame = if self.key.frame.is_empty() {
            "an unknown frame"
        } else {
            &self.key.frame
        };
        let check = if self.key.exc_type.starts_with(INVARIANT) {
            format!(
                "    // Broke the invariant {:?}: {}\n    \
                 assert!(out.error.is_none(), \"{{:?}}\", out.error);\n",
                &self.key.exc_type[INVARIANT.len()..],
                self.message.lines().next().unwrap_or_default(),
            )
        } else {
            "    assert!(out.error.is_none(), \"{:?}\", out.error);\n".to_owned()
        };
        format!(
            "/// Found by `scenario explore`: {exc} at {frame}, on the last of {n} step(s).\n\
             #[test]\n\
             fn {name}() {{\n    \
                 let path = std::path::Path::new({path:?});\n    \
                 let case = ops_scenario::case::Case::load(path).unwrap();\n    \
                 let out = case.run(path.parent().unwrap()).unwrap();\n\
             {check}\
             }}\n",
            exc = self.key.exc_type,
            n = self.steps.len(),
            path = case_path.display().to_string(),
        )
    }
}

/// The prefix of an invariant finding's type.
pub(super) const INVARIANT: &str = "invariant: ";

/// The finding an error is, if it is one: the charm raised, ran past the time limit (type
/// `Timeout`), or made changes Juju refused at commit (type `CommitRefused`); with the message
/// to show. Other errors are refusals.
pub(super) fn finding_of(error: &Error, charm_dir: &Path) -> Option<(FindingKey, String)> {
    match error {
        Error::CharmRaised {
            exc_type,
            message,
            traceback,
        } => Some((
            FindingKey {
                exc_type: exc_type.clone(),
                frame: charm_frame(traceback, charm_dir),
            },
            message.clone(),
        )),
        Error::Timeout {
            limit,
            handler,
            traceback,
        } => Some((
            FindingKey {
                exc_type: "Timeout".to_owned(),
                // Where a hang is interrupted varies from run to run: the handler (the
                // outermost charm frame, without its line) names it.
                frame: handler_frame(traceback, charm_dir),
            },
            format!(
                "still running after {limit:?}, in {}",
                handler_place(handler, charm_dir)
            ),
        )),
        // Juju refused the hook's changes when it committed them: the hook fails in Juju, as
        // a raise does. Told apart by what was refused.
        Error::CommitRefused { refusals } => Some((
            FindingKey {
                exc_type: "CommitRefused".to_owned(),
                frame: refusals
                    .first()
                    .and_then(|r| r.lines().next())
                    .unwrap_or_default()
                    .to_owned(),
            },
            refusals.join("\n"),
        )),
        _ => None,
    }
}

/// Where a timed-out run was, as the same hang says it every time (a seed's report is the
/// same on every machine): the handler with its file relative to the charm's directory, as
/// frames are named, without the line it was at, and without the innermost frame, which
/// vary with where the interruption landed.
/// `Charm._on_x (/charm/src/charm.py:74), at sleep (...)` becomes `Charm._on_x (src/charm.py)`.
fn handler_place(handler: &str, charm_dir: &Path) -> String {
    let outer = handler.split(", at ").next().unwrap_or_default();
    let outer = outer.replace(&format!("{}/", charm_dir.display()), "");
    match outer.strip_suffix(')').and_then(|o| o.rsplit_once(':')) {
        Some((place, line)) if line.bytes().all(|b| b.is_ascii_digit()) && !line.is_empty() => {
            format!("{place})")
        }
        _ => outer,
    }
}

/// The innermost traceback frame in the charm's own files (under `charm_dir`):
/// `File "<charm_dir>/src/charm.py", line 42, in _on_start` becomes
/// `src/charm.py:42 in _on_start`. Empty when no frame is the charm's.
fn charm_frame(traceback: &str, charm_dir: &Path) -> String {
    charm_frames(traceback, charm_dir)
        .next_back()
        .map(|(file, line, function)| format!("{file}:{line} in {function}"))
        .unwrap_or_default()
}

/// The outermost traceback frame in the charm's own files, without its line:
/// `src/charm.py in _on_update_status`. Empty when no frame is the charm's.
fn handler_frame(traceback: &str, charm_dir: &Path) -> String {
    charm_frames(traceback, charm_dir)
        .next()
        .map(|(file, _, function)| format!("{file} in {function}"))
        .unwrap_or_default()
}

/// The traceback's frames in the charm's own files: file (relative), line, function.
fn charm_frames<'t>(
    traceback: &'t str,
    charm_dir: &Path,
) -> impl DoubleEndedIterator<Item = (&'t str, &'t str, &'t str)> {
    let dir = format!("{}/", charm_dir.display());
    traceback.lines().filter_map(move |line| {
        let rest = line.trim_start().strip_prefix("File \"")?;
        let (file, rest) = rest.split_once("\", line ")?;
        let (line_no, function) = rest.split_once(", in ")?;
        let short = file.strip_prefix(dir.as_str())?;
        if short.starts_with("venv/") || short.starts_with(".venv/") {
            return None;
        }
        Some((short, line_no, function.trim()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_charm_s_innermost_frame_names_a_finding() {
        let tb = "Traceback (most recent call last):\n  \
            File \"/x/.venv/lib/python3.11/site-packages/ops/framework.py\", line 9, in _emit\n  \
            File \"/charms/web/src/charm.py\", line 42, in _on_start\n    self.go()\n  \
            File \"/charms/web/src/charm.py\", line 50, in go\n    raise KeyError('x')\n  \
            File \"/x/.venv/lib/python3.11/site-packages/yaml/__init__.py\", line 3, in load\n\
            KeyError: 'x'\n";
        let dir = Path::new("/charms/web");
        assert_eq!(charm_frame(tb, dir), "src/charm.py:50 in go");
        assert_eq!(handler_frame(tb, dir), "src/charm.py in _on_start");
        assert_eq!(charm_frame("no frames", dir), "");
        assert_eq!(handler_frame("no frames", dir), "");
    }

    #[test]
    fn changes_juju_refuses_at_commit_are_findings_told_apart_by_what_was_refused() {
        let refused = |what: &str| Error::CommitRefused {
            refusals: vec![format!("{what}\nmore"), "other".to_owned()],
        };
        let dir = Path::new("/charms/web");
        let (key, message) =
            finding_of(&refused("secret-set secret:x: permission denied"), dir).expect("a finding");
        assert_eq!(key.exc_type, "CommitRefused");
        assert_eq!(key.frame, "secret-set secret:x: permission denied");
        assert!(message.ends_with("other"));
        let (other, _) = finding_of(&refused("secret-remove: not found"), dir).unwrap();
        assert_ne!(key, other);
        assert!(finding_of(&Error::runtime("engine trouble"), dir).is_none());
    }

    #[test]
    fn a_hang_is_told_the_same_wherever_it_was_interrupted() {
        let dir = Path::new("/charms/web");
        let place = |handler: &str| handler_place(handler, dir);
        let want = "Web._on_tick (src/charm.py)";
        assert_eq!(place("Web._on_tick (/charms/web/src/charm.py:74)"), want);
        assert_eq!(
            place("Web._on_tick (/charms/web/src/charm.py:70), at Web._agree (/charms/web/src/charm.py:80)"),
            want
        );
        assert_eq!(place("the engine"), "the engine");
        assert_eq!(
            place("<module> (/charms/web/src/charm.py:x)"),
            "<module> (src/charm.py:x)"
        );
    }
}
