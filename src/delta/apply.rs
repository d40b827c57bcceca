//! Applying JSON Patch operations (RFC 6902) to a JSON value, with JSON Pointers (RFC 6901).

use serde_json::Value;

use super::PatchOp;

/// Apply one operation to `doc`; the error says why it cannot apply. `doc` may be half
/// changed on an error (the caller works on a copy).
pub(super) fn apply_op(doc: &mut Value, op: &PatchOp) -> std::result::Result<(), String> {
    match op {
        PatchOp::Add { path, value } => add(doc, &tokens(path)?, value.clone()),
        PatchOp::Remove { path } => remove(doc, &tokens(path)?).map(drop),
        PatchOp::Replace { path, value } => {
            let target = get_mut(doc, &tokens(path)?).ok_or("the target does not exist")?;
            *target = value.clone();
            Ok(())
        }
        PatchOp::Move { from, path } => {
            let (from, to) = (tokens(from)?, tokens(path)?);
            if to.len() > from.len() && to.starts_with(&from) {
                return Err("a value cannot be moved into one of its own children".into());
            }
            if from == to {
                return get_mut(doc, &from)
                    .map(drop)
                    .ok_or_else(|| "the source does not exist".into());
            }
            let value = remove(doc, &from)?;
            add(doc, &to, value)
        }
        PatchOp::Copy { from, path } => {
            let value = get_mut(doc, &tokens(from)?)
                .ok_or("the source does not exist")?
                .clone();
            add(doc, &tokens(path)?, value)
        }
        PatchOp::Test { path, value } => {
            let target = get_mut(doc, &tokens(path)?).ok_or("the target does not exist")?;
            if *target == *value {
                Ok(())
            } else {
                Err(format!("the value there is {target}"))
            }
        }
    }
}

/// The reference tokens of a JSON Pointer (RFC 6901).
fn tokens(pointer: &str) -> std::result::Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!(
            "{pointer:?} is not a JSON Pointer (it must start with /)"
        ));
    };
    rest.split('/')
        .map(|token| {
            let mut out = String::with_capacity(token.len());
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                if c != '~' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('0') => out.push('~'),
                    Some('1') => out.push('/'),
                    _ => return Err(format!("{pointer:?}: `~` must be followed by 0 or 1")),
                }
            }
            Ok(out)
        })
        .collect()
}

/// An array index token: digits, without leading zeros.
fn parse_index(token: &str) -> std::result::Result<usize, String> {
    let well_formed = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    match token.parse::<usize>() {
        Ok(i) if well_formed => Ok(i),
        _ => Err(format!("{token:?} is not an array index")),
    }
}

/// The index of an existing element.
fn index(token: &str, len: usize) -> std::result::Result<usize, String> {
    match parse_index(token)? {
        i if i < len => Ok(i),
        i => Err(format!("index {i} is out of range ({len} elements)")),
    }
}

fn get_mut<'v>(doc: &'v mut Value, tokens: &[String]) -> Option<&'v mut Value> {
    tokens.iter().try_fold(doc, |value, token| match value {
        Value::Object(map) => map.get_mut(token),
        Value::Array(list) => {
            let i = index(token, list.len()).ok()?;
            list.get_mut(i)
        }
        _ => None,
    })
}

fn add(doc: &mut Value, tokens: &[String], value: Value) -> std::result::Result<(), String> {
    let Some((last, parent)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    match get_mut(doc, parent).ok_or("the parent does not exist")? {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(list) if last == "-" => {
            list.push(value);
            Ok(())
        }
        Value::Array(list) => {
            // Inserting at the length appends.
            match parse_index(last)? {
                i if i <= list.len() => {
                    list.insert(i, value);
                    Ok(())
                }
                i => Err(format!(
                    "index {i} is out of range ({} elements)",
                    list.len()
                )),
            }
        }
        _ => Err("the parent is neither an object nor an array".into()),
    }
}

fn remove(doc: &mut Value, tokens: &[String]) -> std::result::Result<Value, String> {
    let Some((last, parent)) = tokens.split_last() else {
        return Err("the whole document cannot be removed".into());
    };
    match get_mut(doc, parent).ok_or("the parent does not exist")? {
        Value::Object(map) => map
            .shift_remove(last.as_str())
            .ok_or_else(|| "the target does not exist".into()),
        Value::Array(list) => {
            let i = index(last, list.len())?;
            Ok(list.remove(i))
        }
        _ => Err("the parent is neither an object nor an array".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delta::JsonPatch;
    use serde_json::json;

    #[test]
    fn rfc_6902_operations_apply_and_fail_as_the_rfc_says() {
        let patch: JsonPatch = serde_json::from_value(json!([
            {"op": "add", "path": "/a/-", "value": 3},
            {"op": "add", "path": "/a/0", "value": 0},
            {"op": "copy", "from": "/a", "path": "/b"},
            {"op": "move", "from": "/b/1", "path": "/c"},
            {"op": "test", "path": "/c", "value": 1},
            {"op": "replace", "path": "/a/1", "value": 9},
            {"op": "remove", "path": "/b"},
            {"op": "add", "path": "/x~1y", "value": null, "ignored": true}
        ]))
        .unwrap();
        let mut doc = json!({"a": [1, 2]});
        patch.apply(&mut doc).unwrap();
        assert_eq!(doc, json!({"a": [0, 9, 2, 3], "c": 1, "x/y": null}));

        for (bad, why) in [
            (
                json!({"op": "remove", "path": "/nope"}),
                "the target does not exist",
            ),
            (
                json!({"op": "add", "path": "/a/5", "value": 1}),
                "out of range",
            ),
            (
                json!({"op": "add", "path": "/a/01", "value": 1}),
                "not an array index",
            ),
            (
                json!({"op": "add", "path": "/q/r", "value": 1}),
                "the parent does not exist",
            ),
            (
                json!({"op": "replace", "path": "a", "value": 1}),
                "must start with /",
            ),
            (
                json!({"op": "test", "path": "/a/0", "value": 2}),
                "the value there is 1",
            ),
            (
                json!({"op": "move", "from": "/a", "path": "/a/0"}),
                "its own children",
            ),
            (json!({"op": "remove", "path": ""}), "cannot be removed"),
            (
                json!({"op": "add", "path": "/a~2", "value": 1}),
                "followed by 0 or 1",
            ),
        ] {
            let patch: JsonPatch = serde_json::from_value(json!([bad])).unwrap();
            let mut doc = json!({"a": [1]});
            let err = patch.apply(&mut doc).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(err.starts_with("invalid input at patch[0]"), "{err}");
            assert_eq!(doc, json!({"a": [1]}));
        }
    }
    #[test]
    fn a_failing_patch_leaves_the_document_alone() {
        let patch = JsonPatch(vec![
            PatchOp::Add {
                path: "/b".into(),
                value: json!(1),
            },
            PatchOp::Remove { path: "/c".into() },
        ]);
        let mut doc = json!({"a": 1});
        let err = patch.apply(&mut doc).unwrap_err();
        assert!(err.to_string().contains("patch[1]"), "{err}");
        assert_eq!(doc, json!({"a": 1}));
    }
}
