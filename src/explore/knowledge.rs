//! What the first walks of an exploration (the learning walks) saw the charm leave behind,
//! for later walks to start from: stored state and deferred events from real outputs, so
//! that a walk can begin as a unit that has lived, not only as a fresh one; and the keys the
//! charm looked up in remote databags and the files it pulled from its containers (found or
//! not), so that later walks give it those keys and files, with awkward values.
//!
//! Every worker and shard runs the learning walks (counting them only where they belong),
//! so what is learned, and so every later walk, is the same however the walks are split.

use std::collections::BTreeMap;

use crate::output::Reads;
use crate::state::{DeferredEvent, State, StoredState};

/// How many walks, from walk 0, are learning walks.
pub(super) const LEARNING_WALKS: u64 = 8;

/// How many samples of each kind are kept.
const SAMPLES: usize = 32;

/// Samples of what the charm left in its States during the learning walks.
#[derive(Debug, Default)]
pub(super) struct Knowledge {
    /// Stored state the charm kept (its own and the framework's), distinct.
    pub(super) stored: Vec<Vec<StoredState>>,
    /// Deferred queues the charm left, distinct.
    pub(super) deferred: Vec<Vec<DeferredEvent>>,
    /// Keys the charm looked up in remote databags, found or not, by endpoint.
    pub(super) relation_keys: BTreeMap<String, Vec<String>>,
    /// Paths the charm pulled from a container's Pebble, there or not, by container.
    pub(super) files: BTreeMap<String, Vec<String>>,
}

impl Knowledge {
    /// Learn from what a step read.
    pub(super) fn learn_reads(&mut self, reads: &Reads) {
        let learn = |into: &mut BTreeMap<String, Vec<String>>, from: &BTreeMap<String, _>| {
            for (name, items) in from {
                let known = into.entry(String::clone(name)).or_default();
                for item in items {
                    if !known.contains(item) {
                        known.push(String::clone(item));
                    }
                }
            }
        };
        learn(&mut self.relation_keys, &reads.relation_keys);
        learn(&mut self.files, &reads.pulled_files);
    }

    /// Learn from a State a step left.
    pub(super) fn learn(&mut self, state: &State) {
        if state.stored_states.iter().any(|s| s.owner_path.is_some())
            && self.stored.len() < SAMPLES
            && !self.stored.contains(&state.stored_states)
        {
            self.stored.push(state.stored_states.clone());
        }
        if !state.deferred.is_empty()
            && self.deferred.len() < SAMPLES
            && !self.deferred.contains(&state.deferred)
        {
            self.deferred.push(state.deferred.clone());
        }
    }
}
