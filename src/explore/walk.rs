//! One walk: a drawn State, Juju's start-up for it, further drawn steps and sometimes the
//! teardown, each step judged (ran, broke, or refused) and each new way of breaking shrunk.

use std::collections::VecDeque;

use super::finding::{finding_of, INVARIANT};
use super::knowledge::Knowledge;
use super::rng::Rng;
use super::{generate, Explorer, FindingKey, Report};
use crate::event::Event;
use crate::output::Reads;
use crate::sequence::{ModelChange, Sequence, Step};
use crate::state::{State, Status};

/// The key of the `status-after-start` invariant's findings.
pub(super) fn status_after_start_key() -> FindingKey {
    FindingKey {
        exc_type: format!("{INVARIANT}status-after-start"),
        frame: String::new(),
    }
}

/// How one step went.
pub(super) enum Verdict {
    /// It ran; the State it left (its `after` changes made), and whether it left the unit
    /// status `unknown`.
    Ran {
        state: Box<State>,
        unknown_status: bool,
        reads: Option<Reads>,
    },
    /// The charm broke: raised, hung, or broke an invariant; with what it read until then.
    Broke(FindingKey, String, Option<Box<Reads>>),
    /// The engine refused it (the checker, or another error that is not the charm's).
    Refused(String),
}

impl Explorer<'_> {
    /// Walk number `index`: its draws follow from the seed and `index` alone.
    /// A learning walk gets `learn`, and teaches it what the charm leaves in its States;
    /// later walks start from what was learned (`known`).
    pub(super) fn walk(
        &self,
        index: u64,
        report: &mut Report,
        mut learn: Option<&mut Knowledge>,
        known: &Knowledge,
    ) {
        let meta = &self.ctx.charm().meta;
        let mut rng = Rng::for_walk(self.seed, index);
        let cx = generate::Cx { meta, known };
        let mut initial = generate::state(&cx, &mut rng);
        if !initial.deferred.is_empty() && self.ctx.check(&Event::install(), &initial).is_err() {
            // A deferred event from another walk's State may name what this one lacks.
            initial.deferred.clear();
        }
        if self.ctx.check(&Event::install(), &initial).is_err() {
            report.rejected += 1;
            return;
        }
        if !initial.stored_states.is_empty() || !initial.deferred.is_empty() {
            report.resumed += 1;
        }
        for relation in &initial.relations {
            *report
                .endpoints
                .entry(relation.endpoint().to_owned())
                .or_default() += 1;
        }
        for key in initial.config.keys() {
            *report.config_keys.entry(key.clone()).or_default() += 1;
        }
        // Juju sends pebble-ready only once the container's Pebble is up.
        let mut pending: VecDeque<Step> =
            Sequence::startup_on(&initial, &self.ctx.options().juju_version)
                .steps()
                .iter()
                .filter(|s| !generate::unreachable_workload(&s.event, &initial))
                .cloned()
                .collect();
        let extra = rng.below(self.steps + 1);
        let teardown = rng.chance(20);
        let (mut drawn, mut torn_down) = (0, false);
        let mut done: Vec<Step> = Vec::new();
        let mut current = initial.clone();
        // The steps up to a `start` that left the unit status unknown, until the charm is
        // seen setting one.
        let mut unknown_after_start: Option<Vec<Step>> = None;
        // Whether a step broke (and the walk went on without it).
        let mut broke = false;
        // The model changes of steps that broke, for the next step's record.
        let mut carried: Vec<ModelChange> = Vec::new();
        loop {
            let carried_here = std::mem::take(&mut carried);
            let mut step = match pending.pop_front() {
                Some(mut step) => {
                    step.before.splice(0..0, carried_here.iter().cloned());
                    step
                }
                None if drawn < extra => {
                    carried = carried_here;
                    drawn += 1;
                    pending.extend(generate::next_steps(&cx, &current, &mut rng));
                    continue;
                }
                None if teardown && !torn_down => {
                    carried = carried_here;
                    torn_down = true;
                    pending.extend(Sequence::teardown(&current));
                    continue;
                }
                None => break,
            };
            let mut redraws = 0;
            let ran = loop {
                report.runs += 1;
                *report.events.entry(step.event.name.clone()).or_default() += 1;
                match self.judge(&current, &step) {
                    Verdict::Ran {
                        state,
                        unknown_status,
                        reads,
                    } => {
                        learn_from(reads.as_ref(), report, learn.as_deref_mut());
                        break Some(Some((*state, unknown_status)));
                    }
                    Verdict::Broke(key, message, reads) => {
                        learn_from(reads.as_deref(), report, learn.as_deref_mut());
                        let mut steps = done.clone();
                        steps.push(step.clone());
                        self.found(key, message, &initial, steps, index, report);
                        // Known now: draw Juju's change again to get past it, a few times.
                        if redraws < 3 {
                            if let Some(mut again) =
                                generate::redraw(&cx, &current, &step, &mut rng)
                            {
                                again.before.splice(0..0, carried_here.iter().cloned());
                                step = again;
                                redraws += 1;
                                continue;
                            }
                        }
                        broke = true;
                        // As `juju resolved --no-retry` does: the hook's changes are not
                        // committed, and the unit goes on to the next hook. Juju's changes
                        // around it stand (made again before the next step, for its record:
                        // they are made so that making them twice changes nothing).
                        for change in step.before.iter().chain(&step.after) {
                            change.apply(&mut current);
                            carried.push(change.clone());
                        }
                        break Some(None);
                    }
                    Verdict::Refused(why) => {
                        // Not a situation Juju makes, or one the explorer cannot judge.
                        report.rejected += 1;
                        let why = why.lines().take(2).collect::<Vec<_>>().join(" ");
                        *report.refusals.entry(why).or_default() += 1;
                        break None;
                    }
                }
            };
            let (state, unknown_status) = match ran {
                Some(Some(ran)) => ran,
                // Broke: the walk goes on from the State before the step.
                Some(None) => continue,
                // Refused: the walk ends.
                None => break,
            };
            if let Some(knowledge) = learn.as_deref_mut() {
                knowledge.learn(&state);
            }
            current = state;
            let is_start = step.event.name == "start";
            done.push(step);
            // Only on Juju's happy path: a start-up whose hooks all ran.
            if self.invariants.status_after_start && !broke {
                if is_start && unknown_status {
                    unknown_after_start = Some(done.clone());
                } else if !unknown_status {
                    if let Some(steps) = unknown_after_start.take() {
                        let message = "start left the unit status unknown; the charm sets \
                                       one on a later event"
                            .to_owned();
                        let key = status_after_start_key();
                        self.found(key, message, &initial, steps, index, report);
                    }
                }
            }
        }
        report.walks += 1;
    }

    /// A finding on walk `walk`: shrunk and added, unless already known.
    fn found(
        &self,
        key: FindingKey,
        message: String,
        initial: &State,
        steps: Vec<Step>,
        walk: u64,
        report: &mut Report,
    ) {
        if report.findings.iter().any(|f| f.key == key) {
            return;
        }
        let finding = self.shrink(key, message, initial.clone(), steps, walk);
        report.runs += finding.shrink_runs;
        report.findings.push(finding);
    }

    /// Run `step` on `from` (its `before` changes made first) and judge it.
    pub(super) fn judge(&self, from: &State, step: &Step) -> Verdict {
        let changed;
        let input = if step.before.is_empty() {
            from
        } else {
            let mut state = from.clone();
            for change in &step.before {
                change.apply(&mut state);
            }
            changed = state;
            &changed
        };
        let output = match self.ctx.run_with_options(&step.event, input, &self.options) {
            Ok(output) => output,
            Err((error, reads)) => {
                return match finding_of(&error, self.ctx.charm().dir()) {
                    Some((key, message)) => Verdict::Broke(key, message, reads),
                    None => Verdict::Refused(error.to_string()),
                }
            }
        };
        if let Some(max) = self.invariants.max_deferred {
            let queued = output.state.deferred.len();
            if queued > max {
                let key = FindingKey {
                    exc_type: format!("{INVARIANT}deferred-queue"),
                    frame: String::new(),
                };
                let message = format!("{queued} events deferred, more than {max}");
                return Verdict::Broke(key, message, output.reads.map(Box::new));
            }
        }
        for (name, check) in &self.custom_invariants {
            if let Err(why) = check(input, &step.event, &output) {
                let key = FindingKey {
                    exc_type: format!("{INVARIANT}{name}"),
                    frame: String::new(),
                };
                return Verdict::Broke(key, why, output.reads.map(Box::new));
            }
        }
        let unknown_status = output.state.unit_status == Status::Unknown;
        let mut state = output.state;
        for change in &step.after {
            change.apply(&mut state);
        }
        Verdict::Ran {
            state: Box::new(state),
            unknown_status,
            reads: output.reads,
        }
    }

    /// Whether `steps` run on `state` break the way `key` says at their last step (or
    /// sooner: then the steps that broke, cut there), every step before it running.
    pub(super) fn breaks(
        &self,
        key: &FindingKey,
        state: &State,
        steps: &[Step],
        runs: &mut usize,
    ) -> Option<usize> {
        let mut current = std::borrow::Cow::Borrowed(state);
        for (i, step) in steps.iter().enumerate() {
            *runs += 1;
            match self.judge(&current, step) {
                Verdict::Ran {
                    state,
                    unknown_status,
                    ..
                } => {
                    if *key == status_after_start_key()
                        && i + 1 == steps.len()
                        && step.event.name == "start"
                        && unknown_status
                    {
                        return Some(i);
                    }
                    current = std::borrow::Cow::Owned(*state);
                }
                Verdict::Broke(k, ..) if k == *key => return Some(i),
                Verdict::Broke(..) | Verdict::Refused(_) => return None,
            }
        }
        None
    }
}

/// What a step read: counted in the report, and learned in a learning walk.
fn learn_from(reads: Option<&Reads>, report: &mut Report, learn: Option<&mut Knowledge>) {
    if let Some(reads) = reads {
        report.learn(reads);
        if let Some(knowledge) = learn {
            knowledge.learn_reads(reads);
        }
    }
}

impl Report {
    /// Count what a step read.
    fn learn(&mut self, reads: &Reads) {
        for (tool, n) in &reads.hook_tools {
            *self.hook_tools.entry(tool.clone()).or_default() += *n as usize;
        }
        for (endpoint, keys) in &reads.relation_keys {
            self.keys_read
                .entry(endpoint.clone())
                .or_default()
                .extend(keys.iter().cloned());
        }
        for (container, paths) in &reads.pulled_files {
            self.files_pulled
                .entry(container.clone())
                .or_default()
                .extend(paths.iter().cloned());
        }
    }
}
