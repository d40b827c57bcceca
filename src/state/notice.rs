//! Pebble notices in a container's State. A notice without an id takes the lowest free number
//! from 1 up, in State order (ops.testing draws ids from a process-wide counter); its times
//! default to `2026-01-01T00:00:00+00:00`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Container;

/// The time a notice's `first_occurred`, `last_occurred` and `last_repeated` default to.
pub const DEFAULT_NOTICE_TIME: &str = "2026-01-01T00:00:00+00:00";

/// A Pebble notice. Every Pebble field; times are ISO 8601 with a zone, durations seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// The notice id. Defaults to the lowest free number from 1 up, in State order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user the notice is for; `None` for a public notice.
    #[serde(default)]
    pub user_id: Option<u32>,
    /// `custom`, `change-update`, `warning`, ... Defaults to `custom`.
    #[serde(rename = "type", default = "custom_notice_type")]
    pub notice_type: String,
    /// The key: for a custom notice, `example.com/name`.
    pub key: String,
    /// Defaults to `2026-01-01T00:00:00+00:00`.
    #[serde(default = "default_notice_time")]
    pub first_occurred: String,
    /// Defaults to `2026-01-01T00:00:00+00:00`.
    #[serde(default = "default_notice_time")]
    pub last_occurred: String,
    /// Defaults to `2026-01-01T00:00:00+00:00`.
    #[serde(default = "default_notice_time")]
    pub last_repeated: String,
    /// How many times it occurred. Defaults to 1.
    #[serde(default = "one")]
    pub occurrences: u32,
    /// The data of its last occurrence. Defaults to empty.
    #[serde(default)]
    pub last_data: BTreeMap<String, String>,
    /// Seconds before a repeat counts as a new occurrence. Defaults to none.
    #[serde(default)]
    pub repeat_after: Option<f64>,
    /// Seconds before it expires. Defaults to none.
    #[serde(default)]
    pub expire_after: Option<f64>,
}

fn custom_notice_type() -> String {
    "custom".to_owned()
}

fn default_notice_time() -> String {
    DEFAULT_NOTICE_TIME.to_owned()
}

fn one() -> u32 {
    1
}

impl Notice {
    /// A custom notice with this key, occurred once at `2026-01-01T00:00:00+00:00`.
    pub fn new(key: impl Into<String>) -> Self {
        Notice {
            id: None,
            user_id: None,
            notice_type: custom_notice_type(),
            key: key.into(),
            first_occurred: default_notice_time(),
            last_occurred: default_notice_time(),
            last_repeated: default_notice_time(),
            occurrences: 1,
            last_data: BTreeMap::new(),
            repeat_after: None,
            expire_after: None,
        }
    }

    /// Set the id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Set the type (`custom`, `change-update`, `warning`, ...).
    pub fn notice_type(mut self, notice_type: impl Into<String>) -> Self {
        self.notice_type = notice_type.into();
        self
    }

    /// Set the user the notice is for (`None`, the default, is a public notice).
    pub fn user_id(mut self, user_id: u32) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// Set when it first occurred (RFC 3339).
    pub fn first_occurred(mut self, time: impl Into<String>) -> Self {
        self.first_occurred = time.into();
        self
    }

    /// Set when it last occurred (RFC 3339).
    pub fn last_occurred(mut self, time: impl Into<String>) -> Self {
        self.last_occurred = time.into();
        self
    }

    /// Set when it was last repeated (RFC 3339).
    pub fn last_repeated(mut self, time: impl Into<String>) -> Self {
        self.last_repeated = time.into();
        self
    }

    /// Set how many times it occurred.
    pub fn occurrences(mut self, occurrences: u32) -> Self {
        self.occurrences = occurrences;
        self
    }

    /// Set the seconds before a repeat counts as a new occurrence.
    pub fn repeat_after(mut self, seconds: f64) -> Self {
        self.repeat_after = Some(seconds);
        self
    }

    /// Set the seconds before it expires.
    pub fn expire_after(mut self, seconds: f64) -> Self {
        self.expire_after = Some(seconds);
        self
    }

    /// Set the data of its last occurrence.
    pub fn last_data<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.last_data = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }
}

/// Give every notice its id by the State's rule: in State order (containers, then their
/// notices), each notice without an id takes the lowest number from 1 up that no notice
/// gives explicitly and no earlier notice took.
pub(crate) fn assign_notice_ids(containers: &mut [Container]) {
    let explicit: std::collections::BTreeSet<String> = containers
        .iter()
        .flat_map(|c| c.notices.iter().filter_map(|n| n.id.clone()))
        .collect();
    let mut next = 1u64;
    for notice in containers.iter_mut().flat_map(|c| c.notices.iter_mut()) {
        if notice.id.is_none() {
            while explicit.contains(&next.to_string()) {
                next += 1;
            }
            notice.id = Some(next.to_string());
            next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_ids_are_numbered_around_explicit_ones() {
        let mut containers = vec![
            Container::new("a").notices([Notice::new("x/a"), Notice::new("x/b").id("2")]),
            Container::new("b").notices([Notice::new("x/c"), Notice::new("x/d")]),
        ];
        assign_notice_ids(&mut containers);
        let ids: Vec<_> = containers
            .iter()
            .flat_map(|c| c.notices.iter().map(|n| n.id.clone().unwrap()))
            .collect();
        assert_eq!(ids, ["1", "2", "3", "4"]);
    }
}
