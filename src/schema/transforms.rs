//! The transforms every derived schema goes through: integers bounded as their Rust type,
//! `u32` map keys as serde_json reads them, and descriptions as plain text from rustdoc. Apart
//! from the entry points (mod.rs) and the hand-written schemas because they apply to every
//! schema whatever its type.

use schemars::Schema;
use serde_json::Value;

/// Give integers the bounds of their Rust type, which schemars leaves to `format` (a format a
/// validator need not check): a `u32` field takes no number above 4294967295.
pub(super) fn bound_integers(schema: &mut Schema) {
    let (min, max): (Value, Value) = match schema.get("format").and_then(Value::as_str) {
        Some("uint32") => (0.into(), u32::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("uint64") => (0.into(), u64::MAX.into()),
        Some("int64") => (i64::MIN.into(), i64::MAX.into()),
        _ => return,
    };
    let object = schema.ensure_object();
    object.entry("minimum").or_insert(min);
    object.entry("maximum").or_insert(max);
}

/// A `u32` as a JSON object key, exactly as serde_json reads one: decimal digits without a
/// sign or leading zeros, at most 4294967295.
pub(crate) const U32_KEY_PATTERN: &str = "^(0|[1-9][0-9]{0,8}|[1-3][0-9]{9}|4[01][0-9]{8}\
     |42[0-8][0-9]{7}|429[0-3][0-9]{6}|4294[0-8][0-9]{5}|42949[0-5][0-9]{4}|429496[0-6][0-9]{3}\
     |4294967[01][0-9]{2}|42949672[0-8][0-9]|429496729[0-5])$";

/// schemars keys a map with unsigned integer keys by `^\d+$`; every such map here is keyed by
/// `u32` (unit numbers, relation ids), so say exactly which keys the reader takes.
pub(super) fn exact_u32_keys(schema: &mut Schema) {
    if let Some(Value::Object(patterns)) = schema.get_mut("patternProperties") {
        if let Some(value) = patterns.remove(r"^\d+$") {
            patterns.insert(U32_KEY_PATTERN.to_owned(), value);
        }
    }
}

/// Descriptions come from rustdoc: keep the prose, drop code examples and link targets.
pub(super) fn plain_descriptions(schema: &mut Schema) {
    if let Some(Value::String(text)) = schema.get_mut("description") {
        *text = plain_text(text);
    }
}

/// Rustdoc as plain text: fenced code blocks dropped, lines wrapped in the source joined
/// (paragraphs and list items kept), `` [`Name`] `` and `[text](target)` links as their text.
pub(crate) fn plain_text(doc: &str) -> String {
    let mut prose = String::new();
    let mut in_code = false;
    for line in doc.lines() {
        let line = line.trim_end();
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if line.is_empty() {
            prose.push_str("\n\n");
        } else {
            let starts_item = line.starts_with("- ");
            if !(prose.is_empty() || prose.ends_with('\n')) {
                prose.push(if starts_item { '\n' } else { ' ' });
            }
            prose.push_str(line.trim_start());
        }
    }
    while prose.contains("\n\n\n") {
        prose = prose.replace("\n\n\n", "\n\n");
    }
    let mut out = String::with_capacity(prose.len());
    let mut rest = prose.trim_end();
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let text = &after[..close];
        let tail = &after[close + 1..];
        let target_len = tail
            .strip_prefix('(')
            .and_then(|t| t.find(')'))
            .map(|end| end + 2);
        let is_code = text.len() >= 2 && text.starts_with('`') && text.ends_with('`');
        match target_len {
            Some(len) if !text.is_empty() => {
                out.push_str(text);
                rest = &tail[len..];
            }
            _ if is_code => {
                out.push_str(text);
                rest = tail;
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_keep_the_prose_of_rustdoc() {
        let doc = "A [`Relation`] or [text](crate::X).\n\n```\nlet x = 1;\n```\nSee [`a::B`](B), `[\"ls\"]` and [1].";
        assert_eq!(
            plain_text(doc),
            "A `Relation` or text.\n\nSee `a::B`, `[\"ls\"]` and [1]."
        );
        let wrapped = "One sentence\nwrapped.\n\nA list:\n- one\n  item\n- two";
        assert_eq!(
            plain_text(wrapped),
            "One sentence wrapped.\n\nA list:\n- one item\n- two"
        );
    }
}
