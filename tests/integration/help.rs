//! `--help` of every command ends with examples, and every example is a command line that
//! parses: a new command without examples, or an example that names a removed option, fails.

use cas_triage::cli::Cli;
use clap::CommandFactory;

use crate::util::*;

/// Every command path (`["scan"]`, `["rules", "list"]`, ...), depth first, `help` left out.
fn command_paths(command: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_string());
        out.push(path.clone());
        command_paths(sub, &path, out);
    }
}

fn all_paths() -> Vec<Vec<String>> {
    let mut paths = vec![Vec::new()];
    command_paths(&Cli::command(), &[], &mut paths);
    paths
}

#[test]
fn every_command_help_has_examples() {
    let paths = all_paths();
    assert!(paths.len() >= 13, "the program, its commands and the rules commands: {paths:?}");
    for path in paths {
        for flag in ["--help", "-h"] {
            let output = cas_triage().args(&path).arg(flag).output().unwrap();
            assert!(output.status.success(), "{path:?} {flag}");
            let help = String::from_utf8(output.stdout).unwrap();
            let examples = help.split_once("\nExamples:\n").map(|(_, rest)| rest);
            let commands = examples.map_or(0, |rest| rest.lines().filter(|l| l.starts_with("  cas-triage ")).count());
            assert!((2..=4).contains(&commands), "{path:?} {flag}: {commands} examples in\n{help}");
        }
    }
}

/// The words of a command line as a shell splits them (quotes, no expansion), up to a pipe or
/// a redirection.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, '|' | '>' | '<') => break,
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    words
}

#[test]
fn every_example_parses() {
    assert_eq!(
        shell_words("cas-triage scan --since '2022-09-29 10:00' x | head"),
        ["cas-triage", "scan", "--since", "2022-09-29 10:00", "x"]
    );
    let mut checked = 0;
    let mut cli = Cli::command();
    cli.build();
    for path in all_paths() {
        let command = path.iter().fold(&cli, |command, name| command.find_subcommand(name).unwrap());
        let help = command.get_after_help().map(|h| h.to_string()).unwrap_or_default();
        for line in help.lines().filter_map(|l| l.strip_prefix("  ")).filter(|l| l.starts_with("cas-triage ")) {
            let words = shell_words(line);
            assert!(words[1..].starts_with(&path), "{path:?}: an example of another command: {line}");
            if let Err(err) = Cli::try_parse_args_from(&words) {
                panic!("{path:?}: {line}: {err}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} examples");
}

/// The examples that read the bundle of `fixtures/` run, from the source tree, and succeed.
#[test]
fn the_examples_on_the_fixture_bundle_run() {
    let cli = Cli::command();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let mut ran = 0;
    for sub in cli.get_subcommands() {
        let help = sub.get_after_help().map(|h| h.to_string()).unwrap_or_default();
        for line in help.lines().filter_map(|l| l.strip_prefix("  ")).filter(|l| l.contains(" fixtures/")) {
            let words: Vec<String> = shell_words(line)
                .into_iter()
                .map(|w| match w.strip_prefix("fixtures/") {
                    Some(_) => root.join(&w).to_str().unwrap().to_string(),
                    None => w,
                })
                .collect();
            // Output files land in a scratch directory.
            let output = cas_triage().current_dir(tmp.path()).args(&words[1..]).output().unwrap();
            let status = output.status.code();
            let fails_on_purpose = words.iter().any(|w| w == "--fail-on");
            assert_eq!(
                status,
                Some(if fails_on_purpose { 1 } else { 0 }),
                "{line}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 8, "{ran} examples ran");
}
