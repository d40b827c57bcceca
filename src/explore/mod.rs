//! Exploration: States and event sequences drawn from the charm's metadata, run until the
//! charm breaks, each break shrunk to a minimal reproducer.
//!
//! Each walk draws a State from the charm's metadata, runs Juju's start-up sequence for it
//! ([`Sequence::startup_on`](crate::sequence::Sequence::startup_on)), then events Juju could
//! send next, each with the change Juju makes before it (new config before config-changed, a
//! new relation's created, joined and changed, a remote unit's departure, new remote data,
//! leadership, a container whose Pebble comes up, secrets changing), and sometimes the
//! teardown; each step runs on the State the last one left. A step whose charm raises, runs
//! past the Context's time limit ([`Context::timeout`]: set a short one to explore), or
//! breaks an [`Invariants`] check is a **finding**: the walk's State and its steps up to
//! that one, shrunk (fewer steps, then a simpler State and simpler changes) to
//! the smallest that still breaks the same way, de-duplicated by exception type and charm
//! frame. A finding is written out as a case file (`scenario run` reproduces it, steps
//! included) and as a Rust test that fails until the charm is fixed. The walk then draws
//! Juju's change again (a few times), and otherwise goes on without the step, as a unit
//! does after `juju resolved --no-retry` (a failed hook's changes are not committed), so that
//! one bug on a common path does not hide the others.
//!
//! Everything follows from the seed: each walk's draws from the seed and the walk's number
//! alone, so the same charm, seed and walks give the same report, in one process or split
//! over workers and CI shards ([`Explorer::shard`], [`Report::merge`]).
//!
//! ```no_run
//! # use ops_scenario::{Charm, Context};
//! use ops_scenario::explore::Explorer;
//! let ctx = Context::new(Charm::from_dir("my-charm")?)?;
//! let report = Explorer::new(&ctx).seed(42).walks(200).run();
//! assert!(report.findings.is_empty(), "{}", report.summary());
//! # Ok::<(), ops_scenario::Error>(())
//! ```

mod finding;
mod generate;
mod knowledge;
mod rng;
mod shrink;
mod walk;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::event::Event;
use crate::options::ContextOptions;
use crate::output::Output;
use crate::state::State;
use knowledge::{Knowledge, LEARNING_WALKS};

pub use finding::{Finding, FindingKey};

/// A check of one step's result: `Err` with what is wrong.
pub type InvariantCheck = dyn Fn(&State, &Event, &Output) -> Result<(), String> + Send + Sync;

/// What must hold after every step that ran, besides "the charm does not raise and does not
/// hang". A broken invariant is a finding whose type is `invariant: <name>`. More can be
/// added with [`Explorer::invariant`].
#[derive(Clone, Debug)]
pub struct Invariants {
    /// `status-after-start`: the unit status is not left `unknown` by `start` when the charm
    /// sets one on a later event of the walk (it knows how, and a fresh unit shows
    /// `unknown` until it does). Default on.
    pub status_after_start: bool,
    /// `deferred-queue`: the deferred queue holds at most this many events (a charm that
    /// defers without ever catching up grows it without bound). Default 8; `None` for no
    /// limit.
    pub max_deferred: Option<usize>,
}

impl Default for Invariants {
    fn default() -> Self {
        Invariants {
            status_after_start: true,
            max_deferred: Some(8),
        }
    }
}

impl Invariants {
    /// No invariant: only exceptions and hangs are findings.
    pub fn none() -> Self {
        Invariants {
            status_after_start: false,
            max_deferred: None,
        }
    }
}

/// Explores one charm: how many walks, how long each, from which seed.
pub struct Explorer<'c> {
    ctx: &'c Context,
    /// The Context's options, recording what the charm reads.
    options: ContextOptions,
    seed: u64,
    walks: Option<u64>,
    runs: Option<usize>,
    time: Option<Duration>,
    steps: usize,
    shrink_runs: usize,
    shard: (u64, u64),
    invariants: Invariants,
    custom_invariants: Vec<(String, Box<InvariantCheck>)>,
}

impl<'c> Explorer<'c> {
    /// An explorer of `ctx`'s charm: seed 0, 100 walks of up to 6 events after start-up,
    /// up to 400 runs to shrink each finding, the default [`Invariants`].
    pub fn new(ctx: &'c Context) -> Self {
        let mut options = ctx.options().clone();
        options.record_reads = true;
        Explorer {
            ctx,
            options,
            seed: 0,
            walks: Some(100),
            runs: None,
            time: None,
            steps: 6,
            shrink_runs: 400,
            shard: (0, 1),
            invariants: Invariants::default(),
            custom_invariants: Vec::new(),
        }
    }

    /// The seed every draw follows from.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Walks numbered `0..walks` (each a fresh State, its start-up and further events); of
    /// those, this explorer's shard's.
    pub fn walks(mut self, walks: u64) -> Self {
        self.walks = Some(walks);
        self
    }

    /// Stop starting walks once this many runs (shrinking included) were made; without
    /// [`walks`](Self::walks), no limit on walks.
    pub fn runs(mut self, runs: usize) -> Self {
        self.runs = Some(runs);
        if self.walks == Some(100) {
            self.walks = None;
        }
        self
    }

    /// Stop starting walks after this long; without [`walks`](Self::walks), no limit on
    /// walks. (The walks done then depend on the machine's speed; the report says how many.)
    pub fn time(mut self, time: Duration) -> Self {
        self.time = Some(time);
        if self.walks == Some(100) {
            self.walks = None;
        }
        self
    }

    /// How many events, at most, each walk sends after start-up (a teardown counts as one).
    pub fn steps(mut self, steps: usize) -> Self {
        self.steps = steps;
        self
    }

    /// How many runs, at most, shrinking one finding may take.
    pub fn shrink_runs(mut self, runs: usize) -> Self {
        self.shrink_runs = runs;
        self
    }

    /// Only the walks whose number is `index` modulo `count` (`index < count`): split an
    /// exploration over workers or CI shards, then [`Report::merge`] their reports.
    pub fn shard(mut self, index: u64, count: u64) -> Self {
        assert!(index < count, "shard {index} of {count}");
        self.shard = (index, count);
        self
    }

    /// The invariants checked after each step.
    pub fn invariants(mut self, invariants: Invariants) -> Self {
        self.invariants = invariants;
        self
    }

    /// Check `check` after each step too: `Err(why)` is a finding of type
    /// `invariant: <name>`. It is given the State the step started from, its event and its
    /// Output.
    pub fn invariant(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&State, &Event, &Output) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.custom_invariants.push((name.into(), Box::new(check)));
        self
    }

    /// Walk, and report what broke the charm.
    pub fn run(&self) -> Report {
        self.run_with_progress(|_| {})
    }

    /// [`run`](Self::run), calling `progress` with the report so far after each walk.
    pub fn run_with_progress(&self, mut progress: impl FnMut(&Report)) -> Report {
        let started = Instant::now();
        let mut report = Report {
            seed: self.seed,
            ..Report::default()
        };
        let (first, stride) = self.shard;
        // The learning walks: every shard runs them, each counted where it belongs.
        let mut knowledge = Knowledge::default();
        let learning = self.walks.map_or(LEARNING_WALKS, |n| n.min(LEARNING_WALKS));
        for walk in 0..learning {
            if walk % stride == first {
                self.walk(
                    walk,
                    &mut report,
                    Some(&mut knowledge),
                    &Knowledge::default(),
                );
                progress(&report);
            } else {
                let mut elsewhere = Report::default();
                let none = Knowledge::default();
                self.walk(walk, &mut elsewhere, Some(&mut knowledge), &none);
            }
        }
        let mut walk = first;
        while walk < learning {
            walk += stride;
        }
        loop {
            if self.walks.is_some_and(|n| walk >= n)
                || self.runs.is_some_and(|n| report.runs >= n)
                || self.time.is_some_and(|t| started.elapsed() >= t)
            {
                break;
            }
            self.walk(walk, &mut report, None, &knowledge);
            progress(&report);
            walk += stride;
        }
        report
    }
}

/// What an exploration did and found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    /// Walks that started as a unit that has lived: with stored state or deferred events
    /// the learning walks (the first eight) saw the charm leave.
    pub resumed: usize,
    /// Events fired, by name (shrinking's runs not counted).
    pub events: BTreeMap<String, usize>,
    /// Relations drawn, by endpoint.
    pub endpoints: BTreeMap<String, usize>,
    /// Config options drawn with a value other than their default, by name.
    pub config_keys: BTreeMap<String, usize>,
    /// Hook tools the charm called, by Juju's name, and how often (shrinking's runs not
    /// counted; Pebble's calls are not hook tools).
    pub hook_tools: BTreeMap<String, usize>,
    /// Keys the charm looked up in remote databags, found or not, by endpoint.
    pub keys_read: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// Paths the charm pulled from a container's Pebble, there or not, by container.
    pub files_pulled: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// The distinct ways the charm broke, by the walk that found them.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Add `other`'s walks (another shard of the same exploration) to this report: counts
    /// summed; a finding both found is kept as the lower-numbered walk found and shrank it,
    /// so the merged findings are those one process would report.
    pub fn merge(&mut self, other: Report) {
        self.walks += other.walks;
        self.runs += other.runs;
        self.rejected += other.rejected;
        self.resumed += other.resumed;
        let add = |into: &mut BTreeMap<String, usize>, from: BTreeMap<String, usize>| {
            for (k, n) in from {
                *into.entry(k).or_default() += n;
            }
        };
        add(&mut self.refusals, other.refusals);
        add(&mut self.events, other.events);
        add(&mut self.endpoints, other.endpoints);
        add(&mut self.config_keys, other.config_keys);
        add(&mut self.hook_tools, other.hook_tools);
        for (endpoint, keys) in other.keys_read {
            self.keys_read.entry(endpoint).or_default().extend(keys);
        }
        for (container, paths) in other.files_pulled {
            self.files_pulled
                .entry(container)
                .or_default()
                .extend(paths);
        }
        for finding in other.findings {
            match self.findings.iter().position(|f| f.key == finding.key) {
                Some(known) if self.findings[known].walk <= finding.walk => {}
                Some(known) => {
                    self.findings.remove(known);
                    self.findings.push(finding);
                }
                None => self.findings.push(finding),
            }
        }
        // A walk's findings all come from one report, in the order it found them: a stable
        // sort by walk keeps that order.
        self.findings.sort_by_key(|f| f.walk);
    }

    /// A few lines for a person: the seed, what ran, what was covered, what broke.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "seed {}: {} walks ({} resumed from a lived unit's State), {} runs, {} States \
             refused by the checker, {} findings\n",
            self.seed,
            self.walks,
            self.resumed,
            self.runs,
            self.rejected,
            self.findings.len()
        );
        for (what, counts) in [
            ("events fired", &self.events),
            ("relations drawn", &self.endpoints),
            ("config drawn", &self.config_keys),
            ("hook tools called", &self.hook_tools),
        ] {
            if counts.is_empty() {
                continue;
            }
            text.push_str(what);
            text.push(':');
            for (name, count) in counts {
                text.push_str(&format!(" {name}={count}"));
            }
            text.push('\n');
        }
        for (what, read) in [
            ("keys read", &self.keys_read),
            ("files pulled", &self.files_pulled),
        ] {
            if read.is_empty() {
                continue;
            }
            text.push_str(what);
            text.push(':');
            for (name, items) in read {
                let items: Vec<&str> = items.iter().map(String::as_str).collect();
                text.push_str(&format!(" {name}[{}]", items.join(",")));
            }
            text.push('\n');
        }
        let mut refusals: Vec<(&String, &usize)> = self.refusals.iter().collect();
        refusals.sort_by(|a, b| b.1.cmp(a.1));
        for (why, count) in refusals.iter().take(3) {
            text.push_str(&format!("refused {count}x: {why}\n"));
        }
        for (i, f) in self.findings.iter().enumerate() {
            let steps = f
                .steps
                .iter()
                .map(|s| s.event.name.as_str())
                .collect::<Vec<_>>()
                .join(" > ");
            text.push_str(&format!(
                "finding {}: {} at {} on {} (walk {}): {}\n",
                i + 1,
                f.key.exc_type,
                if f.key.frame.is_empty() {
                    "?"
                } else {
                    &f.key.frame
                },
                steps,
                f.walk,
                f.message.lines().next().unwrap_or_default()
            ));
        }
        text
    }
}
