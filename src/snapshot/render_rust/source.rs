//! Rust source text: literals that rustfmt can lay out, builder chains and lists, and the
//! `ops_scenario` names the generated code uses.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Rust source being written: the expressions, and the `ops_scenario` names they use.
#[derive(Default)]
pub(super) struct Code {
    pub(super) uses: BTreeSet<&'static str>,
}

impl Code {
    /// A name from `ops_scenario`, imported.
    pub(super) fn ty(&mut self, name: &'static str) -> &'static str {
        self.uses.insert(name);
        name
    }
}

/// A Rust string literal.
///
/// A long one is written as `concat!` of its lines (long lines cut in pieces): rustfmt cannot
/// break a string literal, and gives up laying out the whole statement around one that does
/// not fit, so a certificate in a databag would leave the State unformatted.
pub(super) fn lit(text: &str) -> String {
    const LONGEST: usize = 70;
    const PIECE: usize = 60;
    let whole = format!("{text:?}");
    if whole.len() <= LONGEST {
        return whole;
    }
    let mut pieces = Vec::new();
    for line in text.split_inclusive('\n') {
        let mut rest = line;
        while rest.len() > PIECE {
            let mut at = PIECE;
            while !rest.is_char_boundary(at) {
                at -= 1;
            }
            pieces.push(&rest[..at]);
            rest = &rest[at..];
        }
        pieces.push(rest);
    }
    let pieces: Vec<String> = pieces.iter().map(|p| format!("{p:?}")).collect();
    format!("concat!({})", pieces.join(", "))
}

/// A raw string literal, with enough `#`s.
pub(super) fn raw(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

/// A builder chain: `head` then `.call`s, one per line below `indent`.
pub(super) fn chain(head: String, calls: &[String], indent: usize) -> String {
    let mut out = head;
    for call in calls {
        let _ = write!(out, "\n{:indent$}.{call}", "", indent = indent + 4);
    }
    out
}

/// `[("k", "v"), ...]`, or an empty vector the compiler can type.
pub(super) fn pairs<'a>(bag: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let items: Vec<String> = bag
        .into_iter()
        .map(|(k, v)| format!("({}, {})", lit(k), lit(v)))
        .collect();
    if items.is_empty() {
        "Vec::<(&str, &str)>::new()".into()
    } else {
        format!("[{}]", items.join(", "))
    }
}

/// `["a", "b"]`, or an empty vector the compiler can type.
pub(super) fn strings<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| lit(s)).collect();
    if items.is_empty() {
        "Vec::<String>::new()".into()
    } else {
        format!("[{}]", items.join(", "))
    }
}

pub(super) fn float(f: f64) -> String {
    if f.is_nan() {
        "f64::NAN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "f64::INFINITY"
        } else {
            "f64::NEG_INFINITY"
        }
        .into()
    } else {
        format!("{f:?}")
    }
}

/// `.method([a, b])` with each item on its own line.
pub(super) fn list_call(method: &str, items: &[String]) -> String {
    format!(
        "{method}([\n{}\n        ])",
        items
            .iter()
            .map(|i| format!("            {i},"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// A name fit for a Rust function: lower case, `_` for anything else.
pub(super) fn ident(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    out.trim_matches('_').to_owned()
}
