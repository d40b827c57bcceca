//! State deltas: the difference between two States as a JSON Patch (RFC 6902) over their JSON
//! form (`docs/STATE_JSON.md`) that applies back, and as a readable diff for assertion failures
//! ([`assert_state_eq!`](crate::assert_state_eq)).
//!
//! The patch is computed over the JSON form: objects member by member; lists of items that
//! carry a key (relations by `id`, containers, check infos and storages by `name` (and
//! `index`), secrets and notices by `id`, stored states by `owner_path` and `name`, deferred
//! events by `handle_path`, networks by `binding_name`, ...) item by item, matching the items
//! of both lists by that key in order (so a changed databag is one `add` at
//! `/relations/0/local_app_data/user`, not a new relation); other lists element by element,
//! keeping the longest run of equal elements. Objects whose member order means something (a
//! container's `layers`, applied in order) keep it. Applying the patch to the first State's
//! JSON form gives exactly the second's: `a.patched(&a.delta(&b))` is `b`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::state::State;

mod apply;
mod diff;

use diff::Diff;

/// One JSON Patch operation (RFC 6902, section 4). Paths are JSON Pointers (RFC 6901):
/// `/relations/0/local_app_data/user`, with `~1` for `/` and `~0` for `~` in a member name.
///
/// JSON form: `{"op": "add", "path": "/leader", "value": true}`; members an operation does
/// not use are ignored, as RFC 6902 says.
///
/// ```
/// use ops_scenario::delta::PatchOp;
/// use serde_json::json;
///
/// let op: PatchOp = serde_json::from_value(json!({"op": "move", "from": "/a", "path": "/b"}))?;
/// assert_eq!(op, PatchOp::Move { from: "/a".into(), path: "/b".into() });
/// assert_eq!(op.to_string(), "move /a to /b");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum PatchOp {
    /// Add a member to an object (replacing one of that name), insert an element into an
    /// array (at its index, or at the end for `-`), or replace the whole document (`""`).
    Add {
        /// Where.
        path: String,
        /// What.
        value: Value,
    },
    /// Remove the member or element at `path`, which must exist.
    Remove {
        /// Where.
        path: String,
    },
    /// Replace the value at `path`, which must exist.
    Replace {
        /// Where.
        path: String,
        /// The new value.
        value: Value,
    },
    /// Remove the value at `from` and add it at `path`.
    Move {
        /// Where from.
        from: String,
        /// Where to.
        path: String,
    },
    /// Add a copy of the value at `from` at `path`.
    Copy {
        /// Where from.
        from: String,
        /// Where to.
        path: String,
    },
    /// Check that the value at `path` equals `value`; the patch fails if not.
    Test {
        /// Where.
        path: String,
        /// The value expected.
        value: Value,
    },
}

impl fmt::Display for PatchOp {
    /// `add /relations/0/local_app_data/user "client"`, `remove /deferred/0`,
    /// `move /a to /b`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |p: &str| {
            if p.is_empty() {
                "(the whole document)".to_owned()
            } else {
                p.to_owned()
            }
        };
        match self {
            PatchOp::Add { path, value } => write!(f, "add {} {}", at(path), compact(value)),
            PatchOp::Remove { path } => write!(f, "remove {}", at(path)),
            PatchOp::Replace { path, value } => {
                write!(f, "replace {} {}", at(path), compact(value))
            }
            PatchOp::Move { from, path } => write!(f, "move {} to {}", at(from), at(path)),
            PatchOp::Copy { from, path } => write!(f, "copy {} to {}", at(from), at(path)),
            PatchOp::Test { path, value } => write!(f, "test {} {}", at(path), compact(value)),
        }
    }
}

/// A JSON Patch (RFC 6902): operations applied in order, all or nothing.
///
/// JSON form: the array of operations, as RFC 6902 writes it.
///
/// ```
/// use ops_scenario::delta::{JsonPatch, PatchOp};
/// use serde_json::json;
///
/// let patch = JsonPatch::between(&json!({"a": 1, "b": [1, 2]}), &json!({"a": 2, "b": [1, 2, 3]}));
/// assert_eq!(
///     patch.ops(),
///     [
///         PatchOp::Replace { path: "/a".into(), value: json!(2) },
///         PatchOp::Add { path: "/b/2".into(), value: json!(3) },
///     ]
/// );
/// let mut doc = json!({"a": 1, "b": [1, 2]});
/// patch.apply(&mut doc)?;
/// assert_eq!(doc, json!({"a": 2, "b": [1, 2, 3]}));
/// assert_eq!(
///     serde_json::to_value(&patch)?,
///     json!([{"op": "replace", "path": "/a", "value": 2}, {"op": "add", "path": "/b/2", "value": 3}])
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonPatch(pub Vec<PatchOp>);

impl JsonPatch {
    /// The patch that turns `from` into `to` (see the [module docs](crate::delta) for how
    /// it is cut). Empty when they are equal.
    pub fn between(from: &Value, to: &Value) -> JsonPatch {
        let mut diff = Diff::default();
        diff.value(from, to, "", "", false);
        JsonPatch(diff.ops)
    }

    /// The operations, in order.
    pub fn ops(&self) -> &[PatchOp] {
        &self.0
    }

    /// How many operations there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no operations (the documents were equal).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Apply the operations to `doc` in order. The patch applies as a whole or not at all:
    /// on an error `doc` is left as it was.
    ///
    /// ```
    /// use ops_scenario::delta::{JsonPatch, PatchOp};
    /// use ops_scenario::Error;
    /// use serde_json::json;
    ///
    /// let patch = JsonPatch(vec![PatchOp::Remove { path: "/missing".into() }]);
    /// let mut doc = json!({"a": 1});
    /// let err = patch.apply(&mut doc).unwrap_err();
    /// assert!(matches!(err, Error::InvalidInput { ref path, .. } if path == "patch[0]"), "{err}");
    /// assert_eq!(doc, json!({"a": 1}));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] at `patch[i]` for the first operation that cannot apply: a
    /// malformed path, a target or parent that does not exist, an array index out of range, a
    /// `test` that fails, a `move` into its own child.
    pub fn apply(&self, doc: &mut Value) -> Result<()> {
        let mut work = doc.clone();
        for (i, op) in self.0.iter().enumerate() {
            apply::apply_op(&mut work, op).map_err(|message| Error::InvalidInput {
                path: format!("patch[{i}]"),
                message: format!("{op}: {message}"),
            })?;
        }
        *doc = work;
        Ok(())
    }
}

impl fmt::Display for JsonPatch {
    /// One operation per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, op) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{op}")?;
        }
        Ok(())
    }
}

impl State {
    /// The JSON Patch that turns this State into `other`, over their JSON form: applied with
    /// [`State::patched`] it gives `other` back.
    ///
    /// ```
    /// use ops_scenario::{Relation, State, Status};
    ///
    /// let before = State::default().relations([Relation::new("db").id(1)]);
    /// let after = State::default()
    ///     .unit_status(Status::active("ready"))
    ///     .relations([Relation::new("db").id(1).local_app_data([("user", "client")])]);
    ///
    /// let delta = before.delta(&after);
    /// assert_eq!(
    ///     delta.to_string(),
    ///     "replace /unit_status/name \"active\"\n\
    ///      replace /unit_status/message \"ready\"\n\
    ///      add /relations/0/local_app_data/user \"client\""
    /// );
    /// assert_eq!(before.patched(&delta)?, after);
    /// # Ok::<(), ops_scenario::Error>(())
    /// ```
    pub fn delta(&self, other: &State) -> JsonPatch {
        JsonPatch::between(&to_json(self), &to_json(other))
    }

    /// This State with `patch` applied to its JSON form.
    ///
    /// ```
    /// use ops_scenario::delta::{JsonPatch, PatchOp};
    /// use ops_scenario::State;
    /// use serde_json::json;
    ///
    /// let patch = JsonPatch(vec![PatchOp::Add { path: "/config/port".into(), value: json!(80) }]);
    /// let state = State::default().patched(&patch)?;
    /// assert_eq!(state, State::default().config([("port", 80.into())]));
    ///
    /// let bad = JsonPatch(vec![PatchOp::Replace { path: "/leader".into(), value: json!("yes") }]);
    /// assert!(State::default().patched(&bad).is_err());
    /// # Ok::<(), ops_scenario::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the patch does not apply (at `patch[i]`), or if what it
    /// gives is not a State (at the path of the offending field).
    pub fn patched(&self, patch: &JsonPatch) -> Result<State> {
        let mut json = to_json(self);
        patch.apply(&mut json)?;
        serde_path_to_error::deserialize(json).map_err(|e| Error::InvalidInput {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }

    /// What differs between this State and `other`, one entry per changed path (see
    /// [`StateDiff`]).
    ///
    /// ```
    /// use ops_scenario::State;
    ///
    /// let diff = State::default().diff(&State::default().leader(true));
    /// assert_eq!(diff.to_string(), "- leader: false\n+ leader: true");
    /// ```
    pub fn diff(&self, other: &State) -> StateDiff {
        StateDiff::new(self, other)
    }
}

/// What differs between two values of a State type (a [`State`], an
/// [`Output`](crate::Output), a relation...) in their JSON form: one [`DiffEntry`] per
/// changed path, cut as [`State::delta`] cuts its patch.
///
/// `Display` writes each entry as `- path: old` and `+ path: new` lines (only `+` for what
/// was added, only `-` for what was removed), with values in JSON and paths like
/// `relations[id=1].local_app_data.user`: list items named by their key where they have one.
/// [`assert_state_eq!`](crate::assert_state_eq) prints it when two States differ.
///
/// ```
/// use ops_scenario::delta::StateDiff;
/// use ops_scenario::{Container, State};
///
/// let before = State::default().containers([Container::new("web")]);
/// let after = State::default().containers([Container::new("web").can_connect(true)]);
/// let diff = StateDiff::new(&before, &after);
/// assert_eq!(
///     diff.to_string(),
///     "- containers[name=web].can_connect: false\n+ containers[name=web].can_connect: true"
/// );
/// assert_eq!(diff.paths(), ["containers[name=web].can_connect"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateDiff {
    entries: Vec<DiffEntry>,
}

/// One changed path of a [`StateDiff`].
#[derive(Clone, Debug, PartialEq)]
pub struct DiffEntry {
    /// Where: `unit_status.name`, `relations[id=1].local_app_data.user`; empty for the
    /// whole value.
    pub path: String,
    /// The value on the left; `None` if the path is only on the right (it was added).
    pub left: Option<Value>,
    /// The value on the right; `None` if the path is only on the left (it was removed).
    pub right: Option<Value>,
}

impl StateDiff {
    /// What differs from `left` to `right`, in their JSON form. A value that cannot be
    /// written as JSON shows as a string saying so.
    pub fn new<L: Serialize + ?Sized, R: Serialize + ?Sized>(left: &L, right: &R) -> StateDiff {
        let mut diff = Diff::default();
        diff.value(&to_json(left), &to_json(right), "", "", false);
        StateDiff {
            entries: diff.entries,
        }
    }

    /// The changed paths, in the order the patch changes them.
    pub fn entries(&self) -> &[DiffEntry] {
        &self.entries
    }

    /// The changed paths' names.
    pub fn paths(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.path.as_str()).collect()
    }

    /// How many paths changed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Display for DiffEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(the whole value)"
        } else {
            &self.path
        };
        if let Some(left) = &self.left {
            write!(f, "- {path}: {}", compact(left))?;
            if self.right.is_some() {
                writeln!(f)?;
            }
        }
        if let Some(right) = &self.right {
            write!(f, "+ {path}: {}", compact(right))?;
        }
        Ok(())
    }
}

impl fmt::Display for StateDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.entries.is_empty() {
            return write!(f, "no differences");
        }
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{entry}")?;
        }
        Ok(())
    }
}

/// Assert that two States (or any two values of the crate's serde types: Outputs,
/// relations, containers...) are equal; if not, panic with what differs, one changed path per
/// line ([`StateDiff`]), rather than with both values' `Debug`.
///
/// ```should_panic
/// use ops_scenario::{assert_state_eq, State, Status};
///
/// let expected = State::default().unit_status(Status::active("ready"));
/// let actual = State::default().unit_status(Status::blocked("no database"));
/// assert_state_eq!(actual, expected, "after {}", "start");
/// // panics with:
/// // assertion `left == right` failed: after start (- left, + right):
/// // - unit_status.name: "blocked"
/// // + unit_status.name: "active"
/// // - unit_status.message: "no database"
/// // + unit_status.message: "ready"
/// ```
#[macro_export]
macro_rules! assert_state_eq {
    ($left:expr, $right:expr $(,)?) => {
        match (&$left, &$right) {
            (left, right) => {
                if !(*left == *right) {
                    $crate::__assert_state_eq_failed(left, right, ::core::option::Option::None);
                }
            }
        }
    };
    ($left:expr, $right:expr, $($arg:tt)+) => {
        match (&$left, &$right) {
            (left, right) => {
                if !(*left == *right) {
                    $crate::__assert_state_eq_failed(
                        left,
                        right,
                        ::core::option::Option::Some(::core::format_args!($($arg)+)),
                    );
                }
            }
        }
    };
}

/// The panic of [`assert_state_eq!`](crate::assert_state_eq).
#[doc(hidden)]
#[track_caller]
pub fn assert_state_eq_failed<L, R>(left: &L, right: &R, message: Option<fmt::Arguments<'_>>) -> !
where
    L: Serialize + fmt::Debug + ?Sized,
    R: Serialize + fmt::Debug + ?Sized,
{
    let head = match message {
        Some(message) => format!("assertion `left == right` failed: {message}"),
        None => "assertion `left == right` failed".to_owned(),
    };
    let diff = StateDiff::new(left, right);
    if diff.is_empty() {
        panic!("{head}: their JSON forms are equal\n  left: {left:?}\n right: {right:?}")
    }
    panic!("{head} (- left, + right):\n{diff}")
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value)
        .unwrap_or_else(|e| Value::String(format!("<cannot be written as JSON: {e}>")))
}

fn compact(value: &Value) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_diff_prints_one_line_per_side() {
        let d = StateDiff::new(&json!({"a": 1, "b": "x"}), &json!({"a": 2, "c": true}));
        assert_eq!(d.to_string(), "- b: \"x\"\n- a: 1\n+ a: 2\n+ c: true");
        assert_eq!(
            StateDiff::new(&json!(1), &json!(1)).to_string(),
            "no differences"
        );
        assert_eq!(
            StateDiff::new(&json!(1), &json!(2)).to_string(),
            "- (the whole value): 1\n+ (the whole value): 2"
        );
    }
}
