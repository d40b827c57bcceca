//! [`Databag`]: a relation databag, cheap to clone.
//!
//! A run copies the caller's State, and most databags (every remote one) are only read, so a
//! databag shares its map until it is written (copy on write). Runs of a State with hundreds
//! of databags then copy pointers, not strings, and the runtime can recognise a databag it has
//! already turned into a Python dict.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A relation databag: string keys to string values. Reads and writes go through the map it
/// dereferences to (`bag["host"]`, `bag.get("host")`, `bag.insert(..)`).
///
/// JSON form: an object of strings, `{"host": "10.0.0.1"}`.
///
/// ```
/// use ops_scenario::Databag;
/// let mut bag: Databag = [("host", "10.0.0.1")].into_iter().collect();
/// bag.insert("port".into(), "5432".into());
/// assert_eq!(bag["host"], "10.0.0.1");
/// assert_eq!(bag.len(), 2);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Databag(Arc<BTreeMap<String, String>>);

impl Databag {
    /// An empty databag.
    pub fn new() -> Self {
        Databag::default()
    }

    /// An identity for the map this databag holds, the same for every clone until one of
    /// them is written.
    pub(crate) fn identity(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }
}

impl Deref for Databag {
    type Target = BTreeMap<String, String>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Databag {
    /// Writing gives this databag its own map if it was shared.
    fn deref_mut(&mut self) -> &mut Self::Target {
        Arc::make_mut(&mut self.0)
    }
}

impl fmt::Debug for Databag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<BTreeMap<String, String>> for Databag {
    fn from(map: BTreeMap<String, String>) -> Self {
        Databag(Arc::new(map))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Databag {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        Databag::from(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect::<BTreeMap<_, _>>(),
        )
    }
}

impl IntoIterator for Databag {
    type Item = (String, String);
    type IntoIter = std::collections::btree_map::IntoIter<String, String>;
    fn into_iter(self) -> Self::IntoIter {
        Arc::unwrap_or_clone(self.0).into_iter()
    }
}

impl<'a> IntoIterator for &'a Databag {
    type Item = (&'a String, &'a String);
    type IntoIter = std::collections::btree_map::Iter<'a, String, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl PartialEq<BTreeMap<String, String>> for Databag {
    fn eq(&self, other: &BTreeMap<String, String>) -> bool {
        *self.0 == *other
    }
}

impl Serialize for Databag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Databag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(d).map(Databag::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_until_written() {
        let a: Databag = [("k", "v")].into_iter().collect();
        let mut b = a.clone();
        assert_eq!(a.identity(), b.identity());
        b.insert("x".into(), "y".into());
        assert_ne!(a.identity(), b.identity());
        assert_eq!(a.len(), 1);
        assert_eq!(b.len(), 2);
        assert_eq!(serde_json::to_string(&b).unwrap(), r#"{"k":"v","x":"y"}"#);
    }
}
