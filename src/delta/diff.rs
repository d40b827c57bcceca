//! The walk that cuts the difference of two JSON values into patch operations and readable
//! diff entries at once.

use serde_json::{Map, Value};

use super::{DiffEntry, PatchOp};

/// Item keys that name the elements of a list, tried in order: the first that every element
/// of both lists has, and that no two elements of one list share, is used.
const ITEM_KEYS: &[&[&str]] = &[
    &["id"],
    &["handle_path"],
    &["owner_path", "name"],
    &["binding_name"],
    &["name", "index"],
    &["name"],
    &["key"],
    &["endpoint"],
    &["interface_name"],
    &["command_prefix"],
    &["value"],
];

/// Objects whose member order means something, by their member name.
const ORDERED_OBJECTS: &[&str] = &["layers"];

/// Above this many element pairs, the middles of two lists (past their common ends) are not
/// aligned: their elements are then paired by position, or for keyed items removed and added.
const MAX_ALIGNMENT_CELLS: usize = 4_000_000;

#[derive(Default)]
pub(super) struct Diff {
    pub(super) ops: Vec<PatchOp>,
    pub(super) entries: Vec<DiffEntry>,
}

impl Diff {
    /// Record what turns `a` into `b`. `pointer` is where `a` sits in the document as the
    /// patch has changed it so far; `display` is the readable path; `ordered` says whether
    /// `a` and `b` are objects whose member order counts.
    pub(super) fn value(
        &mut self,
        a: &Value,
        b: &Value,
        pointer: &str,
        display: &str,
        ordered: bool,
    ) {
        if same(a, b, ordered) {
            return;
        }
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => self.object(x, y, pointer, display, ordered),
            (Value::Array(x), Value::Array(y)) => self.array(x, y, pointer, display),
            _ => self.replace(pointer, display, a, b),
        }
    }

    fn object(
        &mut self,
        x: &Map<String, Value>,
        y: &Map<String, Value>,
        pointer: &str,
        display: &str,
        ordered: bool,
    ) {
        let mark = (self.ops.len(), self.entries.len());
        for (k, old) in x {
            if !y.contains_key(k) {
                self.remove(
                    &member_pointer(pointer, k),
                    &member_display(display, k),
                    old,
                );
            }
        }
        for (k, old) in x {
            if let Some(new) = y.get(k) {
                self.value(
                    old,
                    new,
                    &member_pointer(pointer, k),
                    &member_display(display, k),
                    ORDERED_OBJECTS.contains(&k.as_str()),
                );
            }
        }
        for (k, new) in y {
            if !x.contains_key(k) {
                self.add(
                    &member_pointer(pointer, k),
                    &member_display(display, k),
                    new,
                );
            }
        }
        if ordered {
            // Removing keeps the others in order and adding appends: if that does not give
            // `y`'s order, replace the object whole.
            let kept = x.keys().filter(|k| y.contains_key(*k));
            let added = y.keys().filter(|k| !x.contains_key(*k));
            if !kept.chain(added).eq(y.keys()) {
                self.ops.truncate(mark.0);
                self.entries.truncate(mark.1);
                self.replace(
                    pointer,
                    display,
                    &Value::Object(x.clone()),
                    &Value::Object(y.clone()),
                );
            }
        }
    }

    fn array(&mut self, x: &[Value], y: &[Value], pointer: &str, display: &str) {
        let key = item_key(x, y);
        let pairs = match key {
            Some(fields) => {
                let kx: Vec<_> = x.iter().map(|v| key_of(v, fields)).collect();
                let ky: Vec<_> = y.iter().map(|v| key_of(v, fields)).collect();
                align(&kx, &ky, |a, b| a == b)
            }
            None => {
                let equal = align(x, y, |a, b| same(a, b, false));
                let scalars = x.iter().chain(y).all(|v| !v.is_object() && !v.is_array());
                if equal.is_empty() && scalars && !x.is_empty() && !y.is_empty() {
                    // No value in common: one replacement reads better than replacing,
                    // removing and adding values one by one.
                    self.replace(
                        pointer,
                        display,
                        &Value::Array(x.to_vec()),
                        &Value::Array(y.to_vec()),
                    );
                    return;
                }
                fill_gaps(equal, x.len(), y.len())
            }
        };
        let label = |v: &Value, i: usize| item_display(display, v, i, key);
        let mut paired_x = vec![false; x.len()];
        let mut paired_y = vec![false; y.len()];
        for &(i, j) in &pairs {
            paired_x[i] = true;
            paired_y[j] = true;
        }
        // Remove from the end, so that the indices of those before stay valid; what remains
        // is the paired elements, in order.
        for i in (0..x.len()).rev().filter(|i| !paired_x[*i]) {
            self.remove(&format!("{pointer}/{i}"), &label(&x[i], i), &x[i]);
        }
        for (t, &(i, j)) in pairs.iter().enumerate() {
            self.value(
                &x[i],
                &y[j],
                &format!("{pointer}/{t}"),
                &label(&y[j], j),
                false,
            );
        }
        // Insert in order: everything before index j is then in place.
        for j in (0..y.len()).filter(|j| !paired_y[*j]) {
            self.add(&format!("{pointer}/{j}"), &label(&y[j], j), &y[j]);
        }
    }

    fn add(&mut self, pointer: &str, display: &str, new: &Value) {
        self.ops.push(PatchOp::Add {
            path: pointer.to_owned(),
            value: new.clone(),
        });
        self.entries.push(DiffEntry {
            path: display.to_owned(),
            left: None,
            right: Some(new.clone()),
        });
    }

    fn remove(&mut self, pointer: &str, display: &str, old: &Value) {
        self.ops.push(PatchOp::Remove {
            path: pointer.to_owned(),
        });
        self.entries.push(DiffEntry {
            path: display.to_owned(),
            left: Some(old.clone()),
            right: None,
        });
    }

    fn replace(&mut self, pointer: &str, display: &str, old: &Value, new: &Value) {
        self.ops.push(PatchOp::Replace {
            path: pointer.to_owned(),
            value: new.clone(),
        });
        self.entries.push(DiffEntry {
            path: display.to_owned(),
            left: Some(old.clone()),
            right: Some(new.clone()),
        });
    }
}

/// Equality of JSON values where the member order of the objects in [`ORDERED_OBJECTS`]
/// counts (`serde_json`'s own equality ignores member order).
fn same(a: &Value, b: &Value, ordered: bool) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && (!ordered || x.keys().eq(y.keys()))
                && x.iter().all(|(k, v)| {
                    y.get(k)
                        .is_some_and(|w| same(v, w, ORDERED_OBJECTS.contains(&k.as_str())))
                })
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w, false))
        }
        _ => a == b,
    }
}

/// The item key of two lists (see [`ITEM_KEYS`]), if their elements have one.
fn item_key(x: &[Value], y: &[Value]) -> Option<&'static [&'static str]> {
    if x.is_empty() && y.is_empty() {
        return None;
    }
    ITEM_KEYS.iter().copied().find(|fields| {
        let has_all = |v: &Value| {
            v.as_object()
                .is_some_and(|o| fields.iter().all(|f| o.contains_key(*f)))
        };
        let unique = |list: &[Value]| {
            let keys: Vec<_> = list.iter().map(|v| key_of(v, fields)).collect();
            keys.iter().enumerate().all(|(i, k)| !keys[..i].contains(k))
        };
        x.iter().chain(y).all(has_all) && unique(x) && unique(y)
    })
}

fn key_of<'v>(v: &'v Value, fields: &[&str]) -> Vec<&'v Value> {
    fields.iter().map(|f| &v[*f]).collect()
}

/// The longest common subsequence of `x` and `y` under `eq`, as index pairs in order. Common
/// ends are matched first; a middle too large to align is left unmatched.
fn align<T>(x: &[T], y: &[T], eq: impl Fn(&T, &T) -> bool) -> Vec<(usize, usize)> {
    let prefix = x.iter().zip(y).take_while(|(a, b)| eq(a, b)).count();
    let suffix = x[prefix..]
        .iter()
        .rev()
        .zip(y[prefix..].iter().rev())
        .take_while(|(a, b)| eq(a, b))
        .count();
    let (xm, ym) = (&x[prefix..x.len() - suffix], &y[prefix..y.len() - suffix]);
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|i| (i, i)).collect();
    let (n, m) = (xm.len(), ym.len());
    if n > 0 && m > 0 && n.saturating_mul(m) <= MAX_ALIGNMENT_CELLS {
        // lengths[i][j]: the LCS length of xm[i..] and ym[j..].
        let mut lengths = vec![0u32; (n + 1) * (m + 1)];
        let at = |i: usize, j: usize| i * (m + 1) + j;
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lengths[at(i, j)] = if eq(&xm[i], &ym[j]) {
                    lengths[at(i + 1, j + 1)] + 1
                } else {
                    lengths[at(i + 1, j)].max(lengths[at(i, j + 1)])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if eq(&xm[i], &ym[j]) {
                pairs.push((prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if lengths[at(i + 1, j)] >= lengths[at(i, j + 1)] {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    pairs.extend((0..suffix).map(|k| (x.len() - suffix + k, y.len() - suffix + k)));
    pairs
}

/// Pair up, in order, the unmatched elements between two matched ones (so that an element
/// that changed is diffed in place rather than removed and added again).
fn fill_gaps(matched: Vec<(usize, usize)>, n: usize, m: usize) -> Vec<(usize, usize)> {
    let mut pairs = Vec::with_capacity(matched.len());
    let (mut i0, mut j0) = (0, 0);
    for (i, j) in matched.into_iter().chain(std::iter::once((n, m))) {
        let gap = (i - i0).min(j - j0);
        pairs.extend((0..gap).map(|k| (i0 + k, j0 + k)));
        if i < n && j < m {
            pairs.push((i, j));
        }
        (i0, j0) = (i + 1, j + 1);
    }
    pairs
}

fn member_pointer(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn member_display(display: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (display.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{display}.{key}"),
        (_, false) => format!("{display}[{}]", Value::from(key)),
    }
}

fn item_display(display: &str, item: &Value, index: usize, key: Option<&[&str]>) -> String {
    match key {
        Some(fields) => {
            let named: Vec<String> = fields
                .iter()
                .map(|f| match &item[*f] {
                    Value::String(s) => format!("{f}={s}"),
                    other => format!("{f}={other}"),
                })
                .collect();
            format!("{display}[{}]", named.join(","))
        }
        None => format!("{display}[{index}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delta::{JsonPatch, StateDiff};
    use serde_json::json;

    fn round_trip(a: Value, b: Value) -> JsonPatch {
        let patch = JsonPatch::between(&a, &b);
        let mut doc = a.clone();
        patch
            .apply(&mut doc)
            .unwrap_or_else(|e| panic!("{e}\n{patch}"));
        assert!(same(&doc, &b, false), "{doc} != {b}\n{patch}");
        patch
    }

    #[test]
    fn equal_documents_give_an_empty_patch() {
        assert!(round_trip(json!({"a": [1, {"b": 2}]}), json!({"a": [1, {"b": 2}]})).is_empty());
    }
    #[test]
    fn members_are_added_removed_and_replaced() {
        let p = round_trip(json!({"a": 1, "b": 2}), json!({"b": 3, "c": 4}));
        assert_eq!(p.to_string(), "remove /a\nreplace /b 3\nadd /c 4", "{p}");
    }
    #[test]
    fn keyed_lists_match_items_by_key() {
        let a = json!([{"id": 1, "v": "x"}, {"id": 2, "v": "y"}, {"id": 3, "v": "z"}]);
        let b = json!([{"id": 2, "v": "y2"}, {"id": 3, "v": "z"}, {"id": 4, "v": "w"}]);
        let p = round_trip(a.clone(), b.clone());
        assert_eq!(
            p.to_string(),
            "remove /0\nreplace /0/v \"y2\"\nadd /2 {\"id\":4,\"v\":\"w\"}"
        );
        let d = StateDiff::new(&a, &b);
        assert_eq!(d.paths(), ["[id=1]", "[id=2].v", "[id=4]"]);
    }
    #[test]
    fn unkeyed_lists_keep_the_longest_common_run_and_diff_changed_elements_in_place() {
        let p = round_trip(json!([1, 2, 3, 4, 5]), json!([0, 1, 3, 9, 5, 6]));
        assert_eq!(
            p.to_string(),
            "remove /1\nreplace /2 9\nadd /0 0\nadd /5 6",
            "{p}"
        );
        round_trip(
            json!([{"a": 1}, {"a": 2}]),
            json!([{"a": 1}, {"a": 3}, {"a": 2}]),
        );
        round_trip(json!([[1, 2], [3]]), json!([[3], [1, 2], []]));
    }
    #[test]
    fn reordered_keyed_items_are_moved_by_removing_and_adding() {
        round_trip(
            json!([{"name": "a"}, {"name": "b"}, {"name": "c"}]),
            json!([{"name": "c"}, {"name": "a"}, {"name": "b", "x": 1}]),
        );
    }
    #[test]
    fn lists_of_values_with_nothing_in_common_are_replaced_whole() {
        let p = round_trip(json!({"l": [1, 2]}), json!({"l": [3]}));
        assert_eq!(p.to_string(), "replace /l [3]");
        // Objects without a key are diffed in place.
        let p = round_trip(json!([{"x": 1, "y": 2}]), json!([{"x": 1, "y": 3}]));
        assert_eq!(p.to_string(), "replace /0/y 3");
    }
    #[test]
    fn ordered_objects_keep_their_member_order() {
        let a = json!({"layers": {"a": {}, "b": {}}});
        let b = json!({"layers": {"b": {}, "a": {}}});
        assert!(!same(&a, &b, false));
        let p = round_trip(a.clone(), b.clone());
        assert_eq!(p.to_string(), "replace /layers {\"b\":{},\"a\":{}}");
        let mut doc = a;
        p.apply(&mut doc).unwrap();
        assert!(doc["layers"].as_object().unwrap().keys().eq(["b", "a"]));
        // Adding at the end keeps the order, so stays a plain add.
        let p = round_trip(
            json!({"layers": {"a": {}}}),
            json!({"layers": {"a": {}, "c": {}}}),
        );
        assert_eq!(p.to_string(), "add /layers/c {}");
    }
    #[test]
    fn member_names_are_escaped_in_pointers_and_quoted_in_paths() {
        let a = json!({"files": {"/etc/a~b": "x"}});
        let b = json!({"files": {"/etc/a~b": "y"}});
        let p = round_trip(a.clone(), b.clone());
        assert_eq!(p.to_string(), "replace /files/~1etc~1a~0b \"y\"");
        assert_eq!(StateDiff::new(&a, &b).paths(), ["files[\"/etc/a~b\"]"]);
    }
    #[test]
    fn scalars_and_type_changes_are_replaced_and_the_root_too() {
        let p = round_trip(json!(1), json!("x"));
        assert_eq!(
            p.ops(),
            [PatchOp::Replace {
                path: "".into(),
                value: json!("x")
            }]
        );
        round_trip(json!({"a": {"b": 1}}), json!({"a": [1]}));
    }
    #[test]
    fn fill_gaps_pairs_the_unmatched_in_order() {
        assert_eq!(fill_gaps(vec![(1, 2)], 4, 3), [(0, 0), (1, 2)]);
        assert_eq!(fill_gaps(vec![], 2, 3), [(0, 0), (1, 1)]);
        assert_eq!(fill_gaps(vec![(0, 0)], 3, 3), [(0, 0), (1, 1), (2, 2)]);
    }
}
