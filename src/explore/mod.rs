//! Exploration: States and event sequences drawn from the charm's metadata, run until the
//! charm breaks, each break shrunk to a minimal reproducer.
//!
//! Each walk draws a State ([`generate`]), runs Juju's start-up sequence for it
//! ([`Sequence::startup`]), then a few events Juju could send next (update-status,
//! config-changed with new config, upgrade-charm, relation-changed with new remote data,
//! pebble-ready, leader-elected), each on the State the last run left. A run whose charm
//! raises, or runs past the Context's time limit ([`Context::timeout`]: set a short one to
//! explore), is a **finding**: the State the failing run started from and its event, shrunk
//! ([`shrink`]) to the simplest State that still fails with the same exception in the same
//! charm frame, de-duplicated by that pair. A finding is written out as a case file
//! (`scenario run` reproduces it) and as a Rust test that fails until the charm is fixed.
//!
//! Everything follows from the seed: the same charm, seed and budget give the same report.
//!
//! ```no_run
//! # use ops_scenario::{Charm, Context};
//! use ops_scenario::explore::Explorer;
//! let ctx = Context::new(Charm::from_dir("my-charm")?)?;
//! let report = Explorer::new(&ctx).seed(42).walks(200).run();
//! assert!(report.findings.is_empty(), "{}", report.summary());
//! # Ok::<(), ops_scenario::Error>(())
//! ```

mod generate;
mod rng;
mod shrink;

use std::collections::BTreeMap;
use std::path::Path;

use crate::case::Case;
use crate::context::Context;
use crate::error::Error;
use crate::event::Event;
use crate::sequence::Sequence;
use crate::state::State;
use rng::Rng;

/// Explores one charm: how many walks, how long each, from which seed.
pub struct Explorer<'c> {
    ctx: &'c Context,
    seed: u64,
    walks: usize,
    steps: usize,
    shrink_runs: usize,
}

impl<'c> Explorer<'c> {
    /// An explorer of `ctx`'s charm: seed 0, 100 walks of up to 5 events after start-up,
    /// up to 200 runs to shrink each finding.
    pub fn new(ctx: &'c Context) -> Self {
        Explorer {
            ctx,
            seed: 0,
            walks: 100,
            steps: 5,
            shrink_runs: 200,
        }
    }

    /// The seed every draw follows from.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many walks (each a fresh State, its start-up and further events).
    pub fn walks(mut self, walks: usize) -> Self {
        self.walks = walks;
        self
    }

    /// How many events, at most, each walk sends after start-up.
    pub fn steps(mut self, steps: usize) -> Self {
        self.steps = steps;
        self
    }

    /// How many runs, at most, shrinking one finding may take.
    pub fn shrink_runs(mut self, runs: usize) -> Self {
        self.shrink_runs = runs;
        self
    }

    /// Walk, and report what broke the charm.
    pub fn run(&self) -> Report {
        let meta = &self.ctx.charm().meta;
        let mut rng = Rng::new(self.seed);
        let mut report = Report {
            seed: self.seed,
            ..Report::default()
        };
        for walk in 0..self.walks {
            let initial = generate::state(meta, &mut rng);
            if self.ctx.check(&Event::install(), &initial).is_err() {
                report.rejected += 1;
                continue;
            }
            let mut current = initial.clone();
            // Juju sends pebble-ready only once the container's Pebble is up.
            let startup: Vec<Event> =
                Sequence::startup_on(&initial, &self.ctx.options().juju_version)
                    .events()
                    .filter(|e| !unreachable_workload(e, &initial))
                    .cloned()
                    .collect();
            let total = startup.len() + rng.below(self.steps + 1);
            for step in 0..total {
                let event = match startup.get(step) {
                    Some(event) => event.clone(),
                    None => generate::next_event(meta, &mut current, &mut rng),
                };
                let mut redraws = 0;
                let ran = loop {
                    report.runs += 1;
                    *report.events.entry(event.name.clone()).or_default() += 1;
                    let error = match self.ctx.run(&event, &current) {
                        Ok(output) => break Ok(output.state),
                        Err(error) => error,
                    };
                    match finding_of(&error, self.ctx.charm().dir()) {
                        Some((key, message)) => {
                            if !report.findings.iter().any(|f| f.key == key) {
                                let finding =
                                    self.shrink(key, message, current.clone(), event.clone(), walk);
                                report.runs += finding.shrink_runs;
                                report.findings.push(finding);
                            }
                            // Known now: draw Juju's change again to get past it, a few times.
                            if redraws < 3 && generate::redraw(meta, &mut current, &event, &mut rng)
                            {
                                redraws += 1;
                                continue;
                            }
                            break Err(());
                        }
                        None => {
                            // Refused mid-walk (by the checker, or another engine error): not a
                            // situation Juju makes, or one the explorer cannot judge.
                            report.rejected += 1;
                            let why = error.to_string();
                            let why = why.lines().take(2).collect::<Vec<_>>().join(" ");
                            *report.refusals.entry(why).or_default() += 1;
                            break Err(());
                        }
                    }
                };
                match ran {
                    Ok(state) => current = state,
                    Err(()) => break,
                }
            }
            report.walks += 1;
        }
        report
    }

    /// The simplest State on which `event` still fails the same way.
    fn shrink(
        &self,
        key: FindingKey,
        message: String,
        mut state: State,
        event: Event,
        walk: usize,
    ) -> Finding {
        let mut runs = 0;
        'simpler: while runs < self.shrink_runs {
            for candidate in shrink::simpler(&state, &event) {
                if runs >= self.shrink_runs {
                    break 'simpler;
                }
                if self.ctx.check(&event, &candidate).is_err() {
                    continue;
                }
                runs += 1;
                if let Err(error) = self.ctx.run(&event, &candidate) {
                    if finding_of(&error, self.ctx.charm().dir()).is_some_and(|(k, _)| k == key) {
                        state = candidate;
                        continue 'simpler;
                    }
                }
            }
            break;
        }
        Finding {
            key,
            message,
            state,
            event,
            walk,
            shrink_runs: runs,
        }
    }
}

/// What broke: the exception type and the charm's innermost frame (`file:line in function`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingKey {
    /// The exception's type, qualified as in [`Error::CharmRaised`]; `Timeout` for a run
    /// past the time limit.
    pub exc_type: String,
    /// The innermost frame outside ops and the libraries (`src/charm.py:42 in _on_start`),
    /// or empty if the traceback has none.
    pub frame: String,
}

/// One way the charm breaks, with its smallest reproducer.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The exception and the frame it came from (findings are distinct by this).
    pub key: FindingKey,
    /// The exception's message, as first seen.
    pub message: String,
    /// The shrunk State the failing run starts from.
    pub state: State,
    /// The event that fails on it.
    pub event: Event,
    /// Which walk found it (0-based).
    pub walk: usize,
    /// How many runs shrinking it took.
    pub shrink_runs: usize,
}

impl Finding {
    /// A case file reproducing it (`scenario run`), for the charm in `charm_dir`.
    pub fn case(&self, charm_dir: &Path, ctx: &Context) -> Case {
        Case {
            charm: charm_dir.to_path_buf(),
            charm_class: None,
            context: ctx.options().clone(),
            event: self.event.clone(),
            state: self.state.clone(),
        }
    }

    /// A Rust test that runs the case file at `case_path` and fails while the charm raises.
    pub fn rust_test(&self, name: &str, case_path: &Path) -> String {
        format!(
            "/// Found by `scenario explore`: {exc} at {frame}.\n\
             #[test]\n\
             fn {name}() {{\n    \
                 let path = std::path::Path::new({path:?});\n    \
                 let case = ops_scenario::case::Case::load(path).unwrap();\n    \
                 let out = case.run(path.parent().unwrap()).unwrap();\n    \
                 assert!(out.error.is_none(), \"{{:?}}\", out.error);\n\
             }}\n",
            exc = self.key.exc_type,
            frame = if self.key.frame.is_empty() {
                "an unknown frame"
            } else {
                &self.key.frame
            },
            path = case_path.display().to_string(),
        )
    }
}

/// What an exploration did and found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The seed it followed.
    pub seed: u64,
    /// Walks completed.
    pub walks: usize,
    /// Charm runs, shrinking included.
    pub runs: usize,
    /// Drawn States (or States mid-walk) the checker refused, which were dropped.
    pub rejected: usize,
    /// Why runs were refused mid-walk (the error's first lines), and how often.
    pub refusals: BTreeMap<String, usize>,
    /// Events fired, by name.
    pub events: BTreeMap<String, usize>,
    /// The distinct ways the charm broke, in the order found.
    pub findings: Vec<Finding>,
}

impl Report {
    /// A few lines for a person: the seed, what ran, what broke.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "seed {}: {} walks, {} runs, {} States refused by the checker, {} findings\n",
            self.seed,
            self.walks,
            self.runs,
            self.rejected,
            self.findings.len()
        );
        text.push_str("events fired:");
        for (name, count) in &self.events {
            text.push_str(&format!(" {name}={count}"));
        }
        text.push('\n');
        for (i, f) in self.findings.iter().enumerate() {
            text.push_str(&format!(
                "finding {}: {} at {} on {} (walk {}): {}\n",
                i + 1,
                f.key.exc_type,
                if f.key.frame.is_empty() {
                    "?"
                } else {
                    &f.key.frame
                },
                f.event.name,
                f.walk,
                f.message.lines().next().unwrap_or_default()
            ));
        }
        text
    }
}

/// The finding an error is, if it is one: the charm raised, or ran past the time limit
/// (type `Timeout`); with the message to show. Other errors are refusals.
fn finding_of(error: &Error, charm_dir: &Path) -> Option<(FindingKey, String)> {
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
                frame: charm_frame(traceback, charm_dir),
            },
            format!("still running after {limit:?}, in {handler}"),
        )),
        _ => None,
    }
}

/// Whether `event` is a workload event for a container whose Pebble `state` says cannot be
/// reached, which Juju never sends.
fn unreachable_workload(event: &Event, state: &State) -> bool {
    state.containers.iter().any(|c| {
        !c.can_connect
            && event
                .name
                .starts_with(&format!("{}_pebble_", c.name.replace('-', "_")))
    })
}

/// The innermost traceback frame in the charm's own files (under `charm_dir`):
/// `File "<charm_dir>/src/charm.py", line 42, in _on_start` becomes
/// `src/charm.py:42 in _on_start`. Empty when no frame is the charm's.
fn charm_frame(traceback: &str, charm_dir: &Path) -> String {
    let dir = format!("{}/", charm_dir.display());
    traceback
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("File \"")?;
            let (file, rest) = rest.split_once("\", line ")?;
            let (line_no, function) = rest.split_once(", in ")?;
            let short = file.strip_prefix(&dir)?;
            if short.starts_with("venv/") || short.starts_with(".venv/") {
                return None;
            }
            Some(format!("{short}:{line_no} in {}", function.trim()))
        })
        .next_back()
        .unwrap_or_default()
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
        assert_eq!(charm_frame("no frames", dir), "");
    }
}
