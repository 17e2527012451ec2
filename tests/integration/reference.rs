//! The commands that describe cas-triage: `schema` prints the schema file the README links,
//! `completions` knows every command and option, `man` is a roff page with every option.

use std::process::Command;

use crate::util::*;

fn run(args: &[&str]) -> String {
    let output = cas_triage().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

const COMMANDS: &[&str] = &["scan", "merge", "events", "exeurl", "explain", "rules", "schema", "completions", "man"];
const SCAN_OPTIONS: &[&str] =
    &["--fail-on", "--fail-on-new", "--baseline", "--format", "--output", "--strict", "--since", "--tz", "--encoding"];

#[test]
fn schema_prints_the_schema_file_the_readme_links() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::read_to_string(root.join("schema/report.schema.json")).unwrap();
    assert_eq!(run(&["schema"]), file);
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("cas-triage schema"), "the README mentions the command");
    assert!(readme.contains("](schema/report.schema.json)"), "the README links the schema file");
}

#[test]
fn completions_know_every_command_and_scan_option() {
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&["completions", shell]);
        for word in COMMANDS.iter().chain(SCAN_OPTIONS).chain(&["junit", "sarif", "markdown", "html", "tickets"]) {
            let word = if shell == "fish" { word.trim_start_matches('-') } else { word };
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
        // The shell itself, where it is installed, accepts the script.
        if let Ok(output) = Command::new(shell).arg("-n").arg("-c").arg(&script).output() {
            assert!(output.status.success(), "{shell} -n: {}", String::from_utf8_lossy(&output.stderr));
        }
    }
    let output = cas_triage().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// The roff requests a page may use: anything else at the start of a line would be text that
/// roff swallows as an unknown request.
const REQUESTS: &[&str] =
    &[".TH", ".SH", ".SS", ".TP", ".PP", ".IP", ".RS", ".RE", ".ie", ".el", ".br", ".sp", ".B", ".I"];

#[test]
fn man_is_a_roff_page_with_every_command_and_option() {
    let page = run(&["man"]);
    for line in page.lines().filter(|line| line.starts_with('.') || line.starts_with('\'')) {
        assert!(REQUESTS.iter().any(|r| line == *r || line.starts_with(&format!("{r} "))), "unknown request: {line}");
    }
    assert!(page.lines().any(|l| l.starts_with(".TH cas-triage 1 ")), "a title line");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH COMMANDS", ".SH \"EXIT STATUS\""]
    {
        assert_eq!(page.lines().filter(|l| *l == section).count(), 1, "{section}");
    }
    for command in COMMANDS {
        assert!(page.contains(&format!(".SS \"cas\\-triage {command}\"")), "{command}");
    }
    for option in SCAN_OPTIONS {
        assert!(page.contains(&format!("\\fB{}\\fR", option.replace('-', "\\-"))), "{option}");
    }
    render_when_groff_is_here(&page);
}

/// With groff installed, the page renders without a warning and reads as a manual.
fn render_when_groff_is_here(page: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cas-triage.1");
    std::fs::write(&file, page).unwrap();
    let Ok(output) = Command::new("groff").args(["-man", "-Tascii", "-ww", "-rLL=200n", "-P-cbou"]).arg(&file).output()
    else {
        eprintln!("note: groff not found: the manual page was checked as text only");
        return;
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && stderr.is_empty(), "groff: {stderr}");
    let text = String::from_utf8_lossy(&output.stdout);
    for heading in ["NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS"] {
        assert!(text.lines().any(|l| l == heading), "{heading} in\n{text}");
    }
    for option in SCAN_OPTIONS {
        assert!(text.contains(option), "{option} in\n{text}");
    }
}

/// `--version` names the rule pack built in: a digest of its files (which changes with any rule)
/// and how many files there are, so a report can be traced to the rules that made it.
#[test]
fn version_names_the_embedded_rule_pack() {
    let output = cas_triage().arg("--version").output().unwrap();
    assert!(output.status.success());
    let line = String::from_utf8(output.stdout).unwrap();
    let rest = line
        .trim_end()
        .strip_prefix(concat!("cas-triage ", env!("CARGO_PKG_VERSION"), " (embedded rule pack "))
        .unwrap();
    let (id, files) = rest.split_once(", ").unwrap();
    assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
    let toml = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "toml"))
        .count();
    assert_eq!(files, format!("{toml} files)"));
}

/// The JSON report names the rule pack it ran with: the built-in one by the id `--version`
/// shows, a user's by the same digest of its files, and each pack `--rules-add` added.
#[test]
fn the_report_names_its_rule_pack() {
    let version = String::from_utf8(cas_triage().arg("--version").output().unwrap().stdout).unwrap();
    let report = scan_json(&[&bundle_dir()], 0);
    let pack = &report["tool"]["rule_pack"];
    assert!(version.contains(&format!("embedded rule pack {}, {} files", pack["id"].as_str().unwrap(), pack["files"])));
    assert_eq!(pack["source"], "embedded");
    assert_eq!(pack["added"], serde_json::json!([]));

    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir(&site).unwrap();
    let rule = std::fs::read_to_string(fixtures().join("../rules/dispatch.toml")).unwrap();
    std::fs::write(site.join("dispatch.toml"), rule.replace("id = \"dispatch.", "id = \"site.")).unwrap();
    let site = site.to_str().unwrap();
    let report = scan_json(&["--rules-add", site, &bundle_dir()], 0);
    let added = &report["tool"]["rule_pack"]["added"];
    assert_eq!(added.as_array().unwrap().len(), 1);
    assert_eq!((added[0]["source"].as_str(), added[0]["files"].as_u64()), (Some(site), Some(1)));
    assert_ne!(added[0]["id"], pack["id"]);
    let replaced = scan_json(&["--rules", site, &bundle_dir()], 0);
    assert_eq!(replaced["tool"]["rule_pack"]["id"], added[0]["id"], "the id depends on the files only");
    assert_eq!(replaced["tool"]["rule_pack"]["source"], site);
}
