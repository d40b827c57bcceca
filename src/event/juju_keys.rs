//! The unit-databag keys Juju writes itself, as each Juju version writes them.
//!
//! A State's unit databags start with ops.testing's default keys: `egress-subnets`,
//! `ingress-address` and `private-address`, each `192.0.2.0` (see `state::relation`). Juju 3
//! writes all three as a unit enters a relation's scope (apiserver/facades/agent/uniter,
//! `UniterAPI.EnterScope`: "We'll deprecate private-address"); Juju 4 writes
//! `ingress-address` and `egress-subnets` but no `private-address` (ops #2185; measured on
//! 3.6.27 and 4.0.12 by ops' maintainers, canonical/operator#2637). So on Juju 4 a run withholds
//! a default-valued `private-address` from every unit databag while the charm runs, and puts it
//! back in the output State where the charm has not written the key, so that the output keeps
//! the input's shape and a State's delta shows only what the charm did. A `private-address`
//! with any other value was written by someone (the test says so) and stays.

use crate::state::{AnyRelation, Databag, State, DEFAULT_ADDRESS};

/// The key Juju 4 no longer writes.
const PRIVATE_ADDRESS: &str = "private-address";

/// A unit databag: the relation's position in `State::relations`, and `None` for this unit's
/// own databag or `Some(unit)` for a remote (or peer) unit's.
type UnitBag = (usize, Option<u32>);

/// The default `private-address` keys withheld from a run's State, to restore afterwards.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct WithheldKeys(Vec<UnitBag>);

impl WithheldKeys {
    /// Take every default-valued `private-address` out of `state`'s unit databags.
    pub(crate) fn withhold(state: &mut State) -> Self {
        let mut withheld = Vec::new();
        for (index, relation) in state.relations.iter_mut().enumerate() {
            for_each_unit_bag(relation, |unit, bag| {
                if bag.get(PRIVATE_ADDRESS).map(String::as_str) == Some(DEFAULT_ADDRESS) {
                    bag.remove(PRIVATE_ADDRESS);
                    withheld.push((index, unit));
                }
            });
        }
        WithheldKeys(withheld)
    }

    /// Put the withheld keys back where the charm has not written one of its own.
    pub(crate) fn restore(&self, state: &mut State) {
        for &(index, unit) in &self.0 {
            let Some(relation) = state.relations.get_mut(index) else {
                continue;
            };
            for_each_unit_bag(relation, |this, bag| {
                if this == unit && !bag.contains_key(PRIVATE_ADDRESS) {
                    bag.insert(PRIVATE_ADDRESS.to_owned(), DEFAULT_ADDRESS.to_owned());
                }
            });
        }
    }
}

/// Call `f` with each unit databag of `relation` (`None`: this unit's own).
fn for_each_unit_bag(relation: &mut AnyRelation, mut f: impl FnMut(Option<u32>, &mut Databag)) {
    match relation {
        AnyRelation::Regular(r) => {
            f(None, &mut r.local_unit_data);
            for (unit, bag) in r.remote_units_data.iter_mut() {
                f(Some(*unit), bag);
            }
        }
        AnyRelation::Peer(r) => {
            f(None, &mut r.local_unit_data);
            for (unit, bag) in r.peers_data.iter_mut() {
                f(Some(*unit), bag);
            }
        }
        AnyRelation::Subordinate(r) => {
            f(None, &mut r.local_unit_data);
            f(Some(r.remote_unit_id), &mut r.remote_unit_data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{PeerRelation, Relation};

    #[test]
    fn default_private_addresses_are_withheld_and_restored_unless_written() {
        let state = State::default().relations([
            AnyRelation::from(
                Relation::new("db")
                    .remote_units([0, 1])
                    .remote_unit_data(1, [("private-address", "10.0.0.9")]),
            ),
            AnyRelation::from(PeerRelation::new("peers").peers([3])),
        ]);
        let mut running = state.clone();
        let withheld = WithheldKeys::withhold(&mut running);
        // This unit's and remote/0's in db, this unit's and peer 3's in peers; remote/1's
        // address was written by someone and stays.
        assert_eq!(
            withheld.0,
            [(0, None), (0, Some(0)), (1, None), (1, Some(3))]
        );
        let AnyRelation::Regular(db) = &running.relations[0] else {
            panic!()
        };
        assert!(!db.local_unit_data.contains_key("private-address"));
        assert!(db.local_unit_data.contains_key("ingress-address"));
        assert_eq!(db.remote_units_data[&1]["private-address"], "10.0.0.9");

        // The charm writes its own address into the peer databag.
        let AnyRelation::Peer(peers) = &mut running.relations[1] else {
            panic!()
        };
        peers
            .local_unit_data
            .insert("private-address".into(), "10.1.1.1".into());
        withheld.restore(&mut running);
        let AnyRelation::Peer(peers) = &running.relations[1] else {
            panic!()
        };
        assert_eq!(peers.local_unit_data["private-address"], "10.1.1.1");
        assert_eq!(running.relations[0], state.relations[0]);
    }
}
