//! The documents stay true: the README's example output is what the binary prints for the
//! example bundle, its config file example is a valid config file, and the rule authoring guide's
//! example rule loads as a pack whose examples pass, with the output the guide shows.

use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::util::*;

/// The line that stands for lines left out of an example.
const ELISION: &str = "…";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// A fenced code block: the heading of its section, its info string and its text.
struct Block {
    section: String,
    info: String,
    text: String,
}

fn code_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let (mut section, mut heading, mut in_heading) = (String::new(), String::new(), false);
    let mut current: Option<Block> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { .. }) => (in_heading, heading) = (true, String::new()),
            Event::End(TagEnd::Heading(_)) => (in_heading, section) = (false, heading.clone()),
            Event::Text(text) | Event::Code(text) if in_heading => heading.push_str(&text),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some(Block { section: section.clone(), info: info.to_string(), text: String::new() })
            }
            Event::Text(text) if current.is_some() => current.as_mut().unwrap().text.push_str(&text),
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// The `n`th block of `info` in the section `section`.
fn block<'a>(blocks: &'a [Block], section: &str, info: &str, n: usize) -> &'a str {
    let found = blocks.iter().filter(|b| b.section == section && b.info == info).nth(n);
    &found.unwrap_or_else(|| panic!("no {info} block {n} under {section}")).text
}

/// Asserts that `shown` is `actual` trimmed: the runs of lines between `…` lines appear in
/// `actual` whole and in order, the first at its start unless `shown` starts with `…`, and the
/// last at its end unless `shown` ends with one.
fn assert_trimmed_from(shown: &str, actual: &str, regenerate: &str) {
    let actual: Vec<&str> = actual.lines().collect();
    let lines: Vec<&str> = shown.lines().collect();
    let runs: Vec<&[&str]> = lines.split(|line| *line == ELISION).collect();
    let mut next = 0;
    for (i, run) in runs.iter().enumerate() {
        if run.is_empty() {
            continue;
        }
        let (first, last) = (i == 0, i == runs.len() - 1);
        let fits =
            |at: usize| actual.get(at..at + run.len()) == Some(*run) && (!last || at + run.len() == actual.len());
        let at = if first { Some(0).filter(|&at| fits(at)) } else { (next..actual.len()).find(|&at| fits(at)) };
        let Some(at) = at else {
            let near = actual.iter().skip(next).position(|l| *l == run[0]).map(|p| p + next);
            let differs = near.and_then(|near| {
                run.iter()
                    .zip(&actual[near..])
                    .find(|(shown, real)| shown != real)
                    .map(|(s, r)| format!("{s}\n  now: {r}"))
            });
            panic!(
                "these shown lines are not the output{}:\n{}\n\n{}\nregenerate with: {regenerate}",
                if first {
                    " at its start"
                } else if last {
                    " at its end"
                } else {
                    ""
                },
                run.join("\n"),
                differs.map(|d| format!("first difference:\n  shown: {d}")).unwrap_or_default(),
            );
        };
        next = at + run.len();
    }
}

#[test]
fn the_readme_starts_with_build_and_test() {
    let readme = read("README.md");
    let lines: Vec<&str> = readme.lines().take(6).collect();
    assert_eq!(lines[..3], ["# cas-triage", "", "```sh"]);
    assert!(lines[3].starts_with("cargo run --release -- scan --format text fixtures/bundle.tar.gz"), "{}", lines[3]);
    assert!(lines[4].starts_with("cargo test "), "{}", lines[4]);
    assert_eq!(lines[5], "```");
}

#[test]
fn the_readme_example_text_output_is_what_a_scan_prints() {
    let readme = read("README.md");
    let blocks = code_blocks(&readme);
    let args = ["scan", "--format", "text", "--color", "never", "fixtures/bundle"];
    assert_eq!(block(&blocks, "Example output", "sh", 0).trim(), format!("cas-triage {}", args.join(" ")));
    let output = cas_triage().current_dir(root()).args(args).output().unwrap();
    assert!(output.status.success());
    let shown = block(&blocks, "Example output", "text", 0);
    assert!(shown.lines().filter(|l| *l != ELISION).count() >= 40, "the example shows something");
    assert_trimmed_from(shown, &String::from_utf8(output.stdout).unwrap(), &args.join(" "));
}

/// The JSON example, with the version of cas-triage and the id of its rule pack, which change
/// with any release or rule, read from the binary rather than the README.
#[test]
fn the_readme_example_json_output_is_what_a_scan_prints() {
    let readme = read("README.md");
    let blocks = code_blocks(&readme);
    let output =
        cas_triage().current_dir(root()).args(["scan", "--format", "json", "fixtures/bundle"]).output().unwrap();
    let actual = String::from_utf8(output.stdout).unwrap();
    let report: serde_json::Value = serde_json::from_str(&actual).unwrap();
    let pack_id = report["tool"]["rule_pack"]["id"].as_str().unwrap();
    let shown = block(&blocks, "Example output", "json", 0);
    let id_line = regex::Regex::new(r#"(?m)^      "id": "[0-9a-f]{16}",$"#).unwrap();
    assert_eq!(id_line.find_iter(shown).count(), 1, "the README shows the rule pack id");
    let shown = id_line.replace(shown, format!(r#"      "id": "{pack_id}","#));
    let shown = shown.replace(r#""version": "0.1.0","#, &format!(r#""version": "{}","#, env!("CARGO_PKG_VERSION")));
    assert_trimmed_from(&shown, &actual, "scan --format json fixtures/bundle");
}

/// The README's config file example, with the pack it names beside it.
#[test]
fn the_readme_config_example_is_a_config_file() {
    let readme = read("README.md");
    let blocks = code_blocks(&readme);
    let example = block(&blocks, "Config file", "toml", 0);
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("cas-triage.toml"), example).unwrap();
    write_guide_pack(&tmp.path().join("site-rules"), &guide_example());
    let output = cas_triage().current_dir(tmp.path()).args(["scan", "--print-config"]).output().unwrap();
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let keys: Vec<&str> = example
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = ").map(|(key, _)| key.trim()))
        .collect();
    assert!(keys.len() >= 15, "{keys:?}");
    for key in keys {
        let line = printed.lines().find(|l| l.starts_with(&format!("{key} = "))).unwrap_or_else(|| panic!("{key}"));
        assert!(line.ends_with("# file"), "{line}");
    }
    // The --print-config example is what it prints with this file.
    let shown = block(&blocks, "Config file", "console", 0);
    let (command, shown) = shown.split_once('\n').unwrap();
    let args: Vec<&str> = command.strip_prefix("$ cas-triage ").unwrap().split_whitespace().collect();
    assert!(args.contains(&"--print-config"), "{command}");
    let output = cas_triage().current_dir(tmp.path()).args(&args).output().unwrap();
    // Rule directories are printed absolute: the README's file is in /home/sre/ci. The comments
    // are aligned after the longest setting, which the directory's length changes.
    let mut printed = String::from_utf8(output.stdout).unwrap();
    for dir in [tmp.path().to_path_buf(), tmp.path().canonicalize().unwrap()] {
        printed = printed.replace(dir.to_str().unwrap(), "/home/sre/ci");
    }
    let aligned = regex::Regex::new(r"(?m)^(\S.*?) {2,}# ").unwrap();
    let realign = |text: &str| aligned.replace_all(text, "$1  # ").into_owned();
    assert_trimmed_from(&realign(shown), &realign(&printed), command);
}

fn guide_example() -> String {
    let guide = read("rules/README.md");
    block(&code_blocks(&guide), "An example rule", "toml", 0).to_string()
}

fn write_guide_pack(dir: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("site.toml");
    std::fs::write(&file, text).unwrap();
    file
}

/// Runs the `$ cas-triage ...` lines of a console block in `dir` and compares what they print
/// with the lines the block shows after each.
fn assert_console_block(block: &str, dir: &Path) {
    let mut commands: Vec<(Vec<String>, String)> = Vec::new();
    for line in block.lines() {
        match line.strip_prefix("$ cas-triage ") {
            Some(args) => commands.push((args.split_whitespace().map(String::from).collect(), String::new())),
            None => commands.last_mut().expect("a command first").1.push_str(&format!("{line}\n")),
        }
    }
    assert!(!commands.is_empty());
    for (args, expected) in commands {
        let output = cas_triage().current_dir(dir).args(&args).output().unwrap();
        assert_eq!(String::from_utf8(output.stdout).unwrap(), expected, "cas-triage {}", args.join(" "));
    }
}

#[test]
fn the_guide_example_rule_loads_and_its_examples_pass() {
    let guide = read("rules/README.md");
    let blocks = code_blocks(&guide);
    let example = guide_example();
    assert!(example.contains("[[rule]]") && example.contains("[rule.examples]"));
    let tmp = tempfile::tempdir().unwrap();
    write_guide_pack(&tmp.path().join("site-rules"), &example);
    assert_console_block(block(&blocks, "An example rule", "console", 0), tmp.path());

    // The scan the guide shows, on its first example line.
    let first_example = example.lines().find(|l| l.trim_start().starts_with("\"2022-")).unwrap();
    let line = first_example.trim().trim_start_matches('"').trim_end_matches(',').trim_end_matches('"');
    std::fs::write(tmp.path().join("disk.log"), format!("{line}\n")).unwrap();
    let args = ["scan", "--format", "text", "--rules-add", "site-rules/", "--component", "staragent"];
    let output =
        cas_triage().current_dir(tmp.path()).args(args).args(["--host", "app-host-9", "disk.log"]).output().unwrap();
    let shown = block(&blocks, "An example rule", "text", 0);
    assert_trimmed_from(shown, &String::from_utf8(output.stdout).unwrap(), "the guide's scan");
}

#[test]
fn the_guide_lint_warning_on_a_common_literal_is_true() {
    let guide = read("rules/README.md");
    let blocks = code_blocks(&guide);
    let example = guide_example();
    let weak = example.replacen(
        "literals = [\"No space left on device\"]",
        "literals = [\"No space left on device\", \"Exception\"]",
        1,
    );
    assert_ne!(weak, example);
    let tmp = tempfile::tempdir().unwrap();
    write_guide_pack(&tmp.path().join("site-rules"), &weak);
    assert_console_block(block(&blocks, "rules lint", "console", 0), tmp.path());
}

#[test]
fn the_guide_step_and_field_tables_load() {
    let guide = read("rules/README.md");
    let blocks = code_blocks(&guide);
    let tables = block(&blocks, "Release steps and field descriptions", "toml", 0);
    let tmp = tempfile::tempdir().unwrap();
    write_guide_pack(&tmp.path().join("pack"), tables);
    let output = cas_triage().current_dir(tmp.path()).args(["rules", "test", "pack"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "0 rules, 0 examples, 0 failed\n");
}

/// Only `*.toml` files are rule files: the guide beside the built-in pack is not one.
#[test]
fn the_guide_is_not_part_of_the_pack() {
    assert!(root().join("rules/README.md").is_file());
    let embedded = scan_json(&[&bundle_dir()], 0);
    let copy = scan_json(&["--rules", root().join("rules").to_str().unwrap(), &bundle_dir()], 0);
    let (embedded, copy) = (&embedded["tool"]["rule_pack"], &copy["tool"]["rule_pack"]);
    assert_eq!(embedded["source"], "embedded");
    assert_eq!(copy["id"], embedded["id"], "the source tree's rules/ is the embedded pack");
    assert_eq!(copy["files"], embedded["files"]);
}
