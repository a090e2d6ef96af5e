//! The layers of rudo-lang: each top-level module may import only the modules below it,
//! so the crate's modules form no circle. `ARCHITECTURE.md` draws the same table.
//!
//! The check reads every source file's `crate::` paths (outside comments) and fails on
//! any that names a module of a higher layer, or a module the table does not place.

use std::path::{Path, PathBuf};

/// The modules from the bottom up. A module may use those before it.
const LAYERS: &[&str] = &[
    "value",
    "object",
    "number",
    "symbol",
    "printer",
    "source",
    "datum",
    "reader",
    "error",
    "memory",
    "interrupt",
    "port",
    "handles",
    "bytecode",
    "store",
    "compiler",
    "builtins",
    "vm",
    "reference",
    "engine",
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|&m| m == module)
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("the source directory reads")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            source_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "rs" || e == "lalrpop")
        {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `vm` for `vm/exec.rs`, `printer` for
/// `printer.rs`; `None` for `lib.rs`, which only lists and re-exports.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.split('.').next()?;
    (name != "lib").then(|| name.to_string())
}

/// The modules a line of code names as `crate::module`, including those in a
/// `crate::{a, b::c}` group.
fn imported_modules(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name = item.trim().split("::").next().unwrap_or("");
                out.push(name.to_string());
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            out.push(rest[..end].to_string());
        }
    }
    out.retain(|m| !m.is_empty() && m.chars().next().is_some_and(char::is_lowercase));
    out
}

/// Every import that points up or at an unplaced module, as `file:line: a -> b`.
fn violations() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    assert!(files.len() > 20, "found the crate's sources in {src:?}");
    let mut out = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src").to_path_buf();
        let Some(module) = module_of(&relative) else {
            continue;
        };
        let Some(own) = rank(&module) else {
            out.push(format!(
                "{}: module `{module}` has no layer",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("a source file reads");
        for (n, line) in text.lines().enumerate() {
            for used in imported_modules(line) {
                match rank(&used) {
                    Some(r) if r <= own => {}
                    Some(_) => out.push(format!(
                        "{}:{}: `{module}` imports `{used}`, a layer above it",
                        relative.display(),
                        n + 1
                    )),
                    None => out.push(format!(
                        "{}:{}: `{module}` imports `{used}`, which has no layer",
                        relative.display(),
                        n + 1
                    )),
                }
            }
        }
    }
    out
}

#[test]
fn no_module_imports_one_above_it() {
    let found = violations();
    assert!(
        found.is_empty(),
        "imports that climb:\n{}",
        found.join("\n")
    );
}

#[test]
fn imports_are_read_from_paths_and_groups() {
    let cases: &[(&str, &[&str])] = &[
        ("use crate::store::Store;", &["store"]),
        (
            "use crate::{interrupt, memory::limit};",
            &["interrupt", "memory"],
        ),
        (
            "let x = crate::object::CELL_VALUE; // crate::vm",
            &["object"],
        ),
        ("/// See [`crate::engine`].", &[]),
        ("impl From<crate::error::Error> for X", &["error"]),
        ("use super::Frame;", &[]),
    ];
    for (line, expected) in cases {
        assert_eq!(&imported_modules(line), expected, "{line}");
    }
}
