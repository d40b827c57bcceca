//! Path arithmetic on absolute container paths, and Pebble's `fnmatch` patterns.

/// An absolute path with `//`, `.` and `..` resolved and no trailing `/`.
pub(super) fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The parent of a normalised path (`/` for `/`).
pub(super) fn parent(norm: &str) -> String {
    match norm.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => norm[..i].to_owned(),
    }
}

/// A normalised directory path with a trailing `/`.
pub(super) fn dir_prefix(dir: &str) -> String {
    if dir == "/" {
        "/".to_owned()
    } else {
        format!("{dir}/")
    }
}

pub(super) fn join(dir: &str, name: &str) -> String {
    format!("{}{name}", dir_prefix(dir))
}

/// The rest of `path` below `dir` when `path` is `dir` or inside it.
pub(super) fn strip_within<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if path == dir {
        Some("")
    } else {
        path.strip_prefix(dir_prefix(dir).as_str())
    }
}

/// Whether `path` is `dir` or inside it.
pub(super) fn is_within(path: &str, dir: &str) -> bool {
    strip_within(path, dir).is_some()
}

/// Whether `path` is strictly inside `dir`.
pub(super) fn is_below(path: &str, dir: &str) -> bool {
    path != dir && is_within(path, dir)
}

/// Python's `os.path.dirname` (Harness passes it to `make_dir`, and errors quote it).
pub(super) fn py_dirname(path: &str) -> String {
    let head = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    if !head.is_empty() && head.bytes().any(|b| b != b'/') {
        head.trim_end_matches('/').to_owned()
    } else {
        head.to_owned()
    }
}

/// Python's `fnmatch.fnmatch` on POSIX: `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[` is
/// literal.
pub(super) fn fnmatch(name: &str, pattern: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    match_from(&name, &pattern)
}

pub(super) fn match_from(name: &[char], pattern: &[char]) -> bool {
    let Some((&p, rest)) = pattern.split_first() else {
        return name.is_empty();
    };
    match p {
        '*' => (0..=name.len()).any(|i| match_from(&name[i..], rest)),
        '?' => !name.is_empty() && match_from(&name[1..], rest),
        '[' => match parse_class(rest) {
            Some((class, after)) => {
                !name.is_empty() && class.matches(name[0]) && match_from(&name[1..], after)
            }
            None => name.first() == Some(&'[') && match_from(&name[1..], rest),
        },
        c => name.first() == Some(&c) && match_from(&name[1..], rest),
    }
}

pub(super) struct CharClass {
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl CharClass {
    fn matches(&self, c: char) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != self.negated
    }
}

/// A `[...]` class after its `[`, and what follows it; `None` when it is not closed.
pub(super) fn parse_class(pattern: &[char]) -> Option<(CharClass, &[char])> {
    let mut i = 0;
    let negated = pattern.first() == Some(&'!');
    if negated {
        i += 1;
    }
    let start = i;
    let mut ranges = Vec::new();
    loop {
        let &c = pattern.get(i)?;
        if c == ']' && i > start {
            return Some((CharClass { negated, ranges }, &pattern[i + 1..]));
        }
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|&e| e != ']') {
            ranges.push((c, pattern[i + 2]));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
}
