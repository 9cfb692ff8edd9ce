//! The crate's layers (`docs/architecture.md`): which top-level module may import which, that
//! no layer below `api/` speaks HTTP, and that the domain never sees JSON. Read from the
//! source itself, so a change that breaks the layering fails here.

use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may import (besides itself).
const LAYERS: [(&str, &[&str]); 10] = [
    ("model", &[]),
    ("query", &["model"]),
    ("store", &["model", "query"]),
    ("auth", &["model", "store"]),
    ("config", &[]),
    ("logging", &[]),
    ("api", &["model", "query", "store", "auth", "config"]),
    ("entry", &["api", "config", "logging", "model"]),
    ("tally_entry", &["config", "logging", "store"]),
    ("local_stream", &["config", "store"]),
];

/// Words of HTTP that only `api/` (and the Lambda entry) may use.
const HTTP_WORDS: [&str; 8] = [
    "ApiError",
    "StatusCode",
    "lambda_http",
    "If-Match",
    "Retry-After",
    "ETag",
    "status code",
    "header",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file of a top-level module (`src/name.rs` or `src/name/**.rs`), with its text.
fn files(module: &str) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let single = src().join(format!("{module}.rs"));
    if single.exists() {
        found.push(single);
    }
    let mut dirs = vec![src().join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(path);
            }
        }
    }
    assert!(!found.is_empty(), "no source for module {module}");
    found
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a source file");
            (path, text)
        })
        .collect()
}

/// The top-level modules a source text names as `crate::name`.
fn imports(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .filter(|(at, _)| !text[..*at].ends_with('$'))
        .map(|(at, prefix)| {
            text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let names: Vec<&str> = LAYERS.iter().map(|(name, _)| *name).collect();
    for (module, allowed) in LAYERS {
        for (path, text) in files(module) {
            for imported in imports(&text) {
                let known = names.contains(&imported.as_str());
                let fine = imported == module || allowed.contains(&imported.as_str());
                assert!(
                    !known || fine,
                    "{} imports crate::{imported}, which {module} may not",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn no_two_top_level_modules_import_each_other() {
    for (a, below_a) in LAYERS {
        for (b, below_b) in LAYERS {
            assert!(
                !(below_a.contains(&b) && below_b.contains(&a)),
                "{a} and {b} may import each other"
            );
        }
    }
}

#[test]
fn no_layer_below_the_api_speaks_http() {
    for module in ["model", "query", "store", "auth"] {
        for (path, text) in files(module) {
            for word in HTTP_WORDS {
                assert!(
                    !text.contains(word),
                    "{} says {word:?}: HTTP belongs in api/",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn the_domain_never_sees_json() {
    for module in ["model", "query"] {
        for (path, text) in files(module) {
            assert!(
                !text.contains("serde_json"),
                "{} uses serde_json: JSON is read in api/json/",
                path.display()
            );
        }
    }
}

#[test]
fn the_check_sees_imports() {
    assert_eq!(
        imports("use crate::model::Item; $crate::store::x; crate::query"),
        vec!["model", "query"]
    );
}

/// The shortest files a newcomer reads: none holds more than this many lines of code (its
/// `#[cfg(test)]` part, and the test modules under `api/tests/`, aside).
const MAX_CODE_LINES: usize = 400;

#[test]
fn no_source_file_holds_more_than_400_lines_of_code() {
    let mut too_long = Vec::new();
    for (module, _) in LAYERS {
        for (path, text) in files(module) {
            let inside = path.strip_prefix(src()).expect("a file under src/");
            if inside.components().any(|part| part.as_os_str() == "tests") {
                continue;
            }
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let lines = code.lines().count();
            if lines > MAX_CODE_LINES {
                too_long.push(format!("{} ({lines} lines)", path.display()));
            }
        }
    }
    assert!(
        too_long.is_empty(),
        "over {MAX_CODE_LINES} lines: {too_long:?}"
    );
}
