//! Every "§n" the code and docs cite is a section of `docs/SPEC.md`, the contract the
//! repository carries: someone with only the repository can follow every reference.

use std::path::Path;
use std::process::Command;

const SPEC: &str = include_str!("../../../docs/SPEC.md");

/// The numbers of the contract's sections (`## 3. List and count…` → 3).
fn sections() -> Vec<u32> {
    SPEC.lines()
        .filter_map(|line| line.strip_prefix("## ")?.split('.').next()?.parse().ok())
        .collect()
}

/// Each "§n" of `text` whose section the contract lacks, and how many it cites.
fn unknown_sections(text: &str, sections: &[u32]) -> (Vec<String>, usize) {
    let mut unknown = Vec::new();
    let mut cited = 0;
    for (at, _) in text.match_indices('§') {
        let after = text[at + '§'.len_utf8()..].trim_start();
        if after.starts_with('n') {
            continue; // "SPEC §n": the convention described, not a citation
        }
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        cited += 1;
        if !digits.parse().is_ok_and(|n| sections.contains(&n)) {
            unknown.push(format!("§{digits}"));
        }
    }
    (unknown, cited)
}

#[test]
fn every_section_cited_is_in_the_spec() {
    let sections = sections();
    assert_eq!(sections, (1..=10).collect::<Vec<_>>(), "SPEC.md's sections");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let listed = Command::new("git")
        .args(["ls-files", "--", "*.rs", "*.md", "*.yaml", "*.sh", "*.py"])
        .current_dir(&root)
        .output()
        .expect("git lists the repository's files");
    assert!(listed.status.success(), "git ls-files");
    let mut missing = Vec::new();
    let mut cited = 0;
    for file in String::from_utf8(listed.stdout).unwrap().lines() {
        if Path::new(file).ends_with("template/spec_refs.rs") {
            continue; // this check's own examples, unknown sections among them
        }
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue; // not text, or gone from the work tree
        };
        let (unknown, count) = unknown_sections(&text, &sections);
        cited += count;
        missing.extend(
            unknown
                .into_iter()
                .map(|section| format!("{file}: {section}")),
        );
    }
    assert!(
        cited > 50,
        "only {cited} citations found: the walk is broken"
    );
    assert!(
        missing.is_empty(),
        "not in docs/SPEC.md:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_section_the_spec_lacks_is_named() {
    let text = "cited as SPEC §n: as SPEC §3 and § 11 say, and §x";
    let (unknown, cited) = unknown_sections(text, &sections());
    assert_eq!(
        (unknown, cited),
        (vec!["§11".to_string(), "§".to_string()], 3)
    );
}
