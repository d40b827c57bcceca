//! Filled in by the issue-7 work.

use super::Checked;
use crate::charm::CharmMeta;
use crate::event::Event;
use crate::options::ContextOptions;
use crate::state::State;

/// This area's rules.
pub(super) fn check(
    _meta: &CharmMeta,
    _options: &ContextOptions,
    _event: &Event,
    _state: &State,
    _out: &mut Checked,
) {
}
