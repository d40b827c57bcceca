//! The crate's layers hold: every `crate::` path in `src/` names a module of a lower layer (or
//! of the same layer without closing a cycle), as DESIGN.md and ARCHITECTURE.md draw them.
//!
//! The test reads the source text: every `crate::a::b` path outside comments (doc links are
//! not imports) is an import of the file that defines module `a::b`. A path into a higher
//! layer, or a cycle among files, fails with the file and line of each offending import.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{rust_files, src_dir};

/// The layers, lowest first. A module may import from its own row only if no cycle results.
const LAYERS: &[&[&str]] = &[
    &["error", "options", "text"],
    &["state"],
    &["charm"],
    &["event"],
    &["output"],
    &["pebble"],
    &["hook_tools"],
    &["consistency"],
    &["runtime"],
    &["context"],
    &["sequence", "case", "delta", "explore", "schema"],
    &["snapshot"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&module))
}

/// One `crate::` path in a source file.
#[derive(Debug)]
struct Import {
    file: PathBuf,
    line: usize,
    /// The path's module segments (`["state", "relation"]`), before any item name.
    segments: Vec<String>,
}

/// The module path a file under `src/` defines: `src/state/relation.rs` is `state::relation`,
/// `src/state/mod.rs` is `state`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every `crate::` path in the file outside whole-line comments, with `use crate::{a, b::c}`
/// groups expanded.
fn imports_in(file: &Path) -> Vec<Import> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut code = String::with_capacity(text.len());
    let mut line_starts = Vec::new();
    for line in text.lines() {
        line_starts.push(code.len());
        if !line.trim_start().starts_with("//") {
            code.push_str(line);
        }
        code.push('\n');
    }
    let line_at = |offset: usize| line_starts.partition_point(|s| *s <= offset);
    let mut imports = Vec::new();
    for (offset, _) in code.match_indices("crate::") {
        let before = code[..offset].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue; // `$crate::`, `ops_scenario::crate::` never; `foo_crate::` is not ours
        }
        for segments in paths_after(&code[offset + "crate::".len()..]) {
            imports.push(Import {
                file: file.to_owned(),
                line: line_at(offset),
                segments,
            });
        }
    }
    imports
}

/// The paths written after `crate::`: one, or each of a `{...}` group's.
fn paths_after(rest: &str) -> Vec<Vec<String>> {
    let mut segments = Vec::new();
    let mut chars = rest.char_indices().peekable();
    loop {
        match chars.peek() {
            Some((i, '{')) => {
                let start = i + 1;
                let mut depth = 0;
                let mut end = start;
                for (j, c) in rest[start..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            end = start + j;
                            break;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                let mut paths = Vec::new();
                let mut depth = 0;
                let mut item_start = start;
                let group = &rest[start..end];
                for (j, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            push_group_item(&segments, &group[item_start - start..j], &mut paths);
                            item_start = start + j + 1;
                        }
                        _ => {}
                    }
                }
                push_group_item(&segments, &group[item_start - start..], &mut paths);
                return paths;
            }
            Some((i, c)) if is_ident(*c) => {
                let i = *i;
                let len = rest[i..]
                    .find(|c: char| !is_ident(c))
                    .unwrap_or(rest.len() - i);
                segments.push(rest[i..i + len].to_owned());
                for _ in 0..rest[i..i + len].chars().count() {
                    chars.next();
                }
                if rest[i + len..].starts_with("::") {
                    chars.next();
                    chars.next();
                } else {
                    return vec![segments];
                }
            }
            _ => return vec![segments],
        }
    }
}

fn push_group_item(prefix: &[String], item: &str, out: &mut Vec<Vec<String>>) {
    let item = item.trim();
    if item.is_empty() || item == "self" {
        out.push(prefix.to_vec());
        return;
    }
    for mut path in paths_after(item) {
        let mut full = prefix.to_vec();
        full.append(&mut path);
        out.push(full);
    }
}

/// The file defining the longest module prefix of `segments`.
fn target_file(src: &Path, segments: &[String]) -> Option<PathBuf> {
    let mut found = None;
    let mut dir = src.to_owned();
    for segment in segments {
        let as_file = dir.join(format!("{segment}.rs"));
        let as_dir = dir.join(segment).join("mod.rs");
        if as_file.is_file() {
            found = Some(as_file);
            dir = dir.join(segment);
        } else if as_dir.is_file() {
            found = Some(as_dir);
            dir = dir.join(segment);
        } else {
            break;
        }
    }
    found
}

fn all_imports() -> (PathBuf, Vec<Import>) {
    let src = src_dir();
    let mut files = rust_files(&src);
    files.sort();
    let imports = files
        .iter()
        // The crate root re-exports every layer, and the binary is above them all.
        .filter(|f| **f != src.join("lib.rs") && !f.starts_with(src.join("bin")))
        .flat_map(|f| imports_in(f))
        .collect();
    (src, imports)
}

fn shown(src: &Path, import: &Import) -> String {
    format!(
        "{}:{} imports crate::{}",
        import
            .file
            .strip_prefix(src.parent().unwrap())
            .unwrap()
            .display(),
        import.line,
        import.segments.join("::")
    )
}

#[test]
fn every_module_is_in_a_layer() {
    let src = src_dir();
    let mut unplaced = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "bin" {
            continue;
        }
        if layer_of(&name).is_none() {
            unplaced.push(name);
        }
    }
    assert!(
        unplaced.is_empty(),
        "modules in no layer (add them to LAYERS here, and to ARCHITECTURE.md): {unplaced:?}"
    );
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let (src, imports) = all_imports();
    let mut upward = Vec::new();
    for import in &imports {
        let from = &module_of(&src, &import.file)[0];
        let Some(to) = import.segments.first() else {
            continue;
        };
        let (Some(from_layer), Some(to_layer)) = (layer_of(from), layer_of(to)) else {
            continue; // a crate-root item (a macro, a re-export): checked by the cycle test
        };
        if to_layer > from_layer {
            upward.push(format!(
                "{} ({from} is in layer {from_layer}, {to} in layer {to_layer})",
                shown(&src, import)
            ));
        }
    }
    assert!(
        upward.is_empty(),
        "imports that go up a layer:\n  {}",
        upward.join("\n  ")
    );
}

#[test]
fn no_imports_close_a_cycle() {
    let (src, imports) = all_imports();
    // Module-level edges between different top-level modules, and file-level edges.
    let mut module_edges: BTreeMap<String, BTreeMap<String, &Import>> = BTreeMap::new();
    let mut file_edges: BTreeMap<PathBuf, BTreeMap<PathBuf, &Import>> = BTreeMap::new();
    for import in &imports {
        let from = module_of(&src, &import.file)[0].clone();
        if let Some(to) = import.segments.first().filter(|to| layer_of(to).is_some()) {
            if *to != from {
                module_edges
                    .entry(from)
                    .or_default()
                    .entry(to.clone())
                    .or_insert(import);
            }
        }
        if let Some(target) = target_file(&src, &import.segments) {
            if target != import.file {
                file_edges
                    .entry(import.file.clone())
                    .or_default()
                    .entry(target)
                    .or_insert(import);
            }
        }
    }
    let mut cycles = Vec::new();
    for cycle in find_cycles(&module_edges) {
        cycles.push(describe_cycle(&src, &module_edges, &cycle));
    }
    for cycle in find_cycles(&file_edges) {
        cycles.push(describe_cycle(&src, &file_edges, &cycle));
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n\n"));
}

/// One cycle through each strongly connected component with more than one node.
fn find_cycles<N: Ord + Clone>(edges: &BTreeMap<N, BTreeMap<N, &Import>>) -> Vec<Vec<N>> {
    let mut cycles = Vec::new();
    let mut done: Vec<N> = Vec::new();
    for start in edges.keys() {
        if done.contains(start) {
            continue;
        }
        // Depth-first search for a path back to `start`.
        let mut stack: Vec<(N, Vec<N>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen: Vec<N> = Vec::new();
        while let Some((node, path)) = stack.pop() {
            for next in edges.get(&node).into_iter().flat_map(|m| m.keys()) {
                if next == start {
                    done.extend(path.iter().cloned());
                    cycles.push(path.clone());
                    stack.clear();
                    break;
                }
                if !seen.contains(next) {
                    seen.push(next.clone());
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    cycles
}

fn describe_cycle<N: Ord + Clone>(
    src: &Path,
    edges: &BTreeMap<N, BTreeMap<N, &Import>>,
    cycle: &[N],
) -> String {
    let mut lines = Vec::new();
    for (i, node) in cycle.iter().enumerate() {
        let next = &cycle[(i + 1) % cycle.len()];
        lines.push(format!("  {}", shown(src, edges[node][next])));
    }
    lines.join("\n")
}

#[test]
fn the_checker_sees_upward_imports_and_cycles() {
    // The scanner itself: a group import, a nested path, and a doc link that is not an import.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.rs");
    std::fs::write(
        &file,
        "/// See [`Context`](crate::context::Context).\nuse crate::{state::{relation::Relation, State}, error};\nfn f() { crate::event::Event::start(); }\n",
    )
    .unwrap();
    let imports = imports_in(&file);
    let found: Vec<(usize, String)> = imports
        .iter()
        .map(|i| (i.line, i.segments.join("::")))
        .collect();
    assert_eq!(
        found,
        [
            (2, "state::relation::Relation".to_owned()),
            (2, "state::State".to_owned()),
            (2, "error".to_owned()),
            (3, "event::Event::start".to_owned()),
        ]
    );
    let edges: BTreeMap<&str, BTreeMap<&str, &Import>> = BTreeMap::from([
        ("a", BTreeMap::from([("b", &imports[0])])),
        ("b", BTreeMap::from([("a", &imports[1])])),
    ]);
    assert_eq!(find_cycles(&edges), [vec!["a", "b"]]);
}
