//! The config file: `cas-triage.toml` in the working directory or `--config FILE` sets defaults,
//! options given on the command line win, a bad file is a usage error naming file and key, and
//! `scan --print-config` shows every value with where it came from.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::util::*;

/// Runs cas-triage in `dir` with `args`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    cas_triage().current_dir(dir).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn assert_status(output: &Output, status: i32) {
    assert_eq!(output.status.code(), Some(status), "stdout: {}\nstderr: {}", stdout(output), stderr(output));
}

/// A working directory holding `cas-triage.toml` with `text`.
fn dir_with_config(text: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("cas-triage.toml"), text).unwrap();
    tmp
}

#[test]
fn the_file_in_the_working_directory_sets_zone_and_format() {
    let tmp = dir_with_config("tz = \"UTC\"\nformat = \"text\"\ncolor = \"never\"\n");
    let output = run_in(tmp.path(), &["scan", &bundle_dir()]);
    assert_status(&output, 0);
    let text = stdout(&output);
    // In a pipe the format would be JSON, and the zone +08:00, without the file.
    assert!(text.starts_with("cas-triage: 21 findings"), "{text}");
    assert!(text.contains("(timestamps read as +00:00)"), "{text}");
    assert!(text.contains("2022-09-29T10:15:32.101+00:00"), "{text}");
}

#[test]
fn options_given_win_over_the_file() {
    let tmp = dir_with_config("tz = \"UTC\"\nformat = \"text\"\nsamples = 1\n");
    let output = run_in(tmp.path(), &["scan", "--format", "json", "--tz", "+08:00", &bundle_dir()]);
    assert_status(&output, 0);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["input"]["timezone"], "+08:00");
    let send = finding(&report, "dispatch.send-msg-failed", "acopswareexecutor");
    assert_eq!(send["evidence"].as_array().unwrap().len(), 1, "samples = 1 from the file still applies");
    assert_eq!(send["count"], 4);
}

#[test]
fn config_names_a_file_before_or_after_the_command() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("ci.toml");
    std::fs::write(&file, "fail_on = \"high\"\n").unwrap();
    let file = file.to_str().unwrap();
    for args in [&["--config", file, "scan"][..], &["scan", "--config", file]] {
        let output = cas_triage().args(args).args(["--format", "json", &bundle_dir()]).output().unwrap();
        assert_status(&output, 1);
    }
    // A file named with --config replaces the one in the working directory.
    let cwd = dir_with_config("fail_on = \"info\"\nformat = \"text\"\n");
    let output = run_in(cwd.path(), &["scan", "--config", file, "--format", "json", &bundle_dir()]);
    assert_status(&output, 1);
    assert!(output.stdout.starts_with(b"{"));
}

#[test]
fn a_missing_file_is_an_error_only_when_named() {
    let tmp = tempfile::tempdir().unwrap();
    let output = run_in(tmp.path(), &["--config", "nowhere.toml", "scan", &bundle_dir()]);
    assert_status(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("nowhere.toml") && err.contains("No such file"), "{err}");
    assert_eq!(err.matches("No such file").count(), 1, "the reason once: {err}");
    assert_status(&run_in(tmp.path(), &["scan", "--format", "json", &bundle_dir()]), 0);
}

#[test]
fn an_unknown_key_exits_2_naming_key_and_file() {
    let tmp = dir_with_config("tz = \"UTC\"\ncolour = \"never\"\n");
    let output = run_in(tmp.path(), &["scan", &bundle_dir()]);
    assert_status(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("cas-triage.toml, line 2") && err.contains("unknown key `colour`"), "{err}");
    assert!(err.contains("`color`"), "the known keys are listed: {err}");
    assert!(output.stdout.is_empty());
}

#[test]
fn bad_values_name_key_file_and_reason() {
    let cases: &[(&str, &[&str])] = &[
        ("tz = \"CEST\"", &["cas-triage.toml", "tz", "CEST", "+08:00"]),
        ("samples = -1", &["cas-triage.toml", "line 1", "samples"]),
        ("fail_on = \"urgent\"", &["cas-triage.toml", "fail_on", "urgent", "critical, high"]),
        ("max_decompressed = \"lots\"", &["cas-triage.toml", "max_decompressed", "lots"]),
        ("rules_add = \"site\"", &["cas-triage.toml", "line 1", "rules_add"]),
        (
            "max_decompressed = -5",
            &["cas-triage.toml", "line 1", "max_decompressed", "expected a size like 512MiB or a number of bytes"],
        ),
    ];
    for (text, words) in cases {
        let tmp = dir_with_config(text);
        let output = run_in(tmp.path(), &["scan", &bundle_dir()]);
        assert_status(&output, 2);
        let err = stderr(&output);
        for word in *words {
            assert!(err.contains(word), "{text}: {err} lacks {word}");
        }
    }
}

#[test]
fn no_config_ignores_the_file_and_other_commands_skip_a_broken_one() {
    let tmp = dir_with_config("this is not toml\n");
    assert_status(&run_in(tmp.path(), &["scan", "--format", "json", &bundle_dir()]), 2);
    assert_status(&run_in(tmp.path(), &["scan", "--no-config", "--format", "json", &bundle_dir()]), 0);
    assert_status(&run_in(tmp.path(), &["--no-config", "exeurl", &bundle_dir()]), 0);
    // Commands with nothing to configure do not read it.
    assert_status(&run_in(tmp.path(), &["schema"]), 0);
    assert_status(&run_in(tmp.path(), &["rules", "test"]), 0);
}

#[test]
fn print_config_shows_values_and_where_they_came_from() {
    let tmp = dir_with_config("samples = 5\nrules_add = [\"site\"]\nmax_decompressed = 1048576\n");
    std::fs::create_dir(tmp.path().join("site")).unwrap();
    std::fs::write(tmp.path().join("site/site.toml"), SITE_RULE).unwrap();
    let output = run_in(tmp.path(), &["scan", "--print-config", "--tz", "UTC"]);
    assert_status(&output, 0);
    let text = stdout(&output);
    let line = |key: &str| {
        text.lines()
            .find(|l| {
                l.starts_with(&format!("{key} = "))
                    || l.starts_with(&format!("# {key} (not set)"))
                    || l.starts_with(&format!("# {key} = "))
            })
            .unwrap_or_else(|| panic!("no {key} in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("samples"), "samples = 5 # file");
    assert_eq!(line("tz"), "tz = \"UTC\" # flag");
    assert_eq!(line("lang"), "lang = \"en\" # default");
    let site = tmp.path().canonicalize().unwrap().join("site");
    assert_eq!(line("rules_add"), format!("rules_add = [{:?}] # file", site.to_str().unwrap()));
    assert_eq!(line("max_decompressed"), "max_decompressed = \"1MiB\" # file");
    // The rule pack's timeout is shown as a comment: read back, it does not pin the pack's value.
    assert_eq!(line("task_timeout"), "# task_timeout = 90 # default: the rule pack's");
    assert!(line("format").starts_with("# format (not set) # default: text when"), "{text}");
    assert!(text.contains("# config file: cas-triage.toml"), "{text}");

    // What it prints is a config file: read back, every value it sets comes from the file.
    std::fs::write(tmp.path().join("printed.toml"), &text).unwrap();
    let again = run_in(tmp.path(), &["scan", "--config", "printed.toml", "--print-config"]);
    assert_status(&again, 0);
    let again = stdout(&again);
    assert!(again.contains("# config file: printed.toml"), "{again}");
    for (before, after) in text.lines().skip(3).zip(again.lines().skip(3)) {
        let setting = |l: &str| l.split("  #").next().unwrap().trim_end().to_string();
        assert_eq!(setting(before), setting(after));
        if !before.starts_with('#') {
            assert!(after.ends_with("# file"), "{after}");
        }
    }
}

#[test]
fn print_config_checks_the_rule_directories() {
    let tmp = dir_with_config("rules = \"no-such-pack\"\n");
    let output = run_in(tmp.path(), &["scan", "--print-config"]);
    assert_status(&output, 2);
    assert!(stderr(&output).contains("no-such-pack"), "{}", stderr(&output));
}

const SITE_RULE: &str = r#"
[[rule]]
id = "site.disk-full"
title = "Disk full on a release host"
severity = "critical"
section = "site runbook 4.2"
[[rule.signature]]
literals = ["No space left on device"]
[rule.remediation]
en = ["Free space on {host}."]
[rule.examples]
match = ["2022-09-29 10:15:32,118 ERROR write failed: No space left on device"]
"#;

#[test]
fn relative_rule_directories_are_taken_from_the_file_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let conf = tmp.path().join("conf");
    std::fs::create_dir_all(conf.join("site")).unwrap();
    std::fs::write(conf.join("site/site.toml"), SITE_RULE).unwrap();
    std::fs::write(conf.join("cas-triage.toml"), "rules_add = [\"site\"]\nformat = \"json\"\n").unwrap();
    let log = tmp.path().join("app.log");
    std::fs::write(&log, "2022-09-29 10:15:32,118 ERROR write failed: No space left on device\n").unwrap();
    // From the parent of conf/: `site` is conf/site, not ./site.
    let output = run_in(tmp.path(), &["--config", "conf/cas-triage.toml", "scan", log.to_str().unwrap()]);
    assert_status(&output, 0);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(faults(&report), ["site.disk-full"]);
    let added = &report["tool"]["rule_pack"]["added"];
    assert_eq!(added[0]["source"], Path::new("conf").join("site").to_str().unwrap());
    assert_eq!(added[0]["files"], 1);
    // The same file serves `rules list` and `explain`.
    let list = stdout(&run_in(tmp.path(), &["--config", "conf/cas-triage.toml", "rules", "list"]));
    assert!(list.contains("site.disk-full"), "{list}");
    let explain = run_in(tmp.path(), &["--config", "conf/cas-triage.toml", "explain", "site.disk-full"]);
    assert_status(&explain, 0);
}

#[test]
fn exeurl_events_and_explain_take_their_options_from_the_file() {
    let tmp = dir_with_config("lang = \"zh\"\ntz = \"UTC\"\nencoding = \"gbk\"\n");
    let explain = stdout(&run_in(tmp.path(), &["explain", "dispatch.send-msg-failed"]));
    assert!(explain.contains("登录业务服务器"), "{explain}");
    let explain = stdout(&run_in(tmp.path(), &["explain", "--lang", "en", "dispatch.send-msg-failed"]));
    assert!(!explain.contains("登录业务服务器"), "{explain}");
    let exeurls = stdout(&run_in(tmp.path(), &["exeurl", &bundle_dir()]));
    assert!(exeurls.contains("2022-09-29T10:18:10.400+00:00"), "{exeurls}");
    let log = fixtures().join("bundle/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log");
    let events = run_in(tmp.path(), &["events", "--count", log.to_str().unwrap()]);
    assert!(stderr(&events).contains("GBK"), "encoding = gbk decodes every log: {}", stderr(&events));
}

#[test]
fn merge_takes_the_keys_it_shares_with_scan_from_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let report = json_report(tmp.path(), "fleet.json", &[&bundle_dir()]);
    let file = tmp.path().join("ci.toml");
    std::fs::write(&file, "fail_on = \"high\"\nformat = \"text\"\ncolor = \"never\"\nsamples = 1\nexeurls = 1\n")
        .unwrap();
    let file = file.to_str().unwrap();
    let output = cas_triage().args(["--config", file, "merge", &report]).output().unwrap();
    assert_status(&output, 1);
    assert!(stdout(&output).starts_with("cas-triage: 21 findings"), "format = text: {}", stdout(&output));
    // Options given win; the others still come from the file.
    let output = cas_triage()
        .args(["merge", "--config", file, "--fail-on", "critical", "--format", "json", &report])
        .output()
        .unwrap();
    assert_status(&output, 0);
    let merged: Value = serde_json::from_slice(&output.stdout).unwrap();
    let send = finding(&merged, "dispatch.send-msg-failed", "acopswareexecutor");
    assert_eq!(send["evidence"].as_array().unwrap().len(), 1, "samples = 1 from the file");
    let hosts: Vec<&str> = merged["exeurls"].as_array().unwrap().iter().map(|e| e["host"].as_str().unwrap()).collect();
    let mut distinct = hosts.clone();
    distinct.dedup();
    assert!(!hosts.is_empty() && hosts == distinct, "exeurls = 1 from the file: one per host, {hosts:?}");
    // The rule pack keys too, from ./cas-triage.toml as well.
    let cwd = dir_with_config("rules = \"no-such-pack\"\n");
    let output = run_in(cwd.path(), &["merge", "--format", "json", &report]);
    assert_status(&output, 2);
    assert!(stderr(&output).contains("no-such-pack"), "{}", stderr(&output));
}

#[test]
fn a_file_found_in_the_working_directory_is_announced() {
    let bundle = bundle_dir();
    let scan = |dir: &Path, args: &[&str]| {
        let output = run_in(dir, &[&["scan", "--format", "json"], args, &[bundle.as_str()]].concat());
        assert_status(&output, 0);
        stderr(&output)
    };
    let tmp = dir_with_config("samples = 5\n");
    assert_eq!(scan(tmp.path(), &[]), "cas-triage: using ./cas-triage.toml (--no-config to ignore it)\n");
    assert_eq!(scan(tmp.path(), &["-q"]), "");
    assert_eq!(scan(tmp.path(), &["--no-config"]), "");
    assert_eq!(scan(tmp.path(), &["--config", "cas-triage.toml"]), "", "a file named is not announced");
    let explain = run_in(tmp.path(), &["explain", "release.stuck"]);
    assert!(stderr(&explain).starts_with("cas-triage: using ./cas-triage.toml"), "{}", stderr(&explain));

    // A file that changes what reports show or hide is named with those keys, even with -q or
    // its own quiet = true.
    let tmp = dir_with_config("quiet = true\nno_redact = true\nrules_add = [\"site\"]\n");
    std::fs::create_dir(tmp.path().join("site")).unwrap();
    std::fs::write(tmp.path().join("site/site.toml"), SITE_RULE).unwrap();
    let note = "cas-triage: using ./cas-triage.toml, which sets rules_add, no_redact (--no-config to ignore it)\n";
    assert_eq!(scan(tmp.path(), &["-q"]), note);
}

#[test]
fn redact_and_no_strict_turn_off_what_the_file_turns_on() {
    let executor = "10.0.0.1/home/admin/logs/acopswareexecutor";
    let line = ERROR_LINE.replace("send msg failed\n", "send msg failed, password=hunter2\n");
    // A log of NUL bytes only is skipped, which strict = true makes exit 2.
    let (_bundle, root) = bundle(&[
        (&format!("{executor}/common-error.log"), line.as_bytes()),
        (&format!("{executor}/common-default.log"), &[0u8; 4096]),
    ]);
    let tmp = dir_with_config("no_redact = true\nstrict = true\nquiet = true\n");
    let output = run_in(tmp.path(), &["scan", "--format", "json", &root]);
    assert_status(&output, 2);
    assert!(stdout(&output).contains("password=hunter2"), "no_redact = true applies");
    let output = run_in(tmp.path(), &["scan", "--format", "json", "--redact", "--no-strict", &root]);
    assert_status(&output, 0);
    assert!(!stdout(&output).contains("hunter2"), "{}", stdout(&output));
    assert!(stdout(&output).contains("password=***"), "{}", stdout(&output));

    let printed = stdout(&run_in(tmp.path(), &["scan", "--print-config", "--redact", "--no-strict"]));
    for setting in ["no_redact = false", "strict = false"] {
        let line = printed.lines().find(|l| l.starts_with(setting)).unwrap_or_else(|| panic!("{printed}"));
        assert!(line.ends_with("# flag"), "{line}");
    }
    let both = run_in(tmp.path(), &["scan", "--redact", "--no-redact", &root]);
    assert_status(&both, 2);
    assert!(stderr(&both).contains("cannot be used with"), "{}", stderr(&both));
}

#[test]
fn a_printed_config_reads_back_the_same_from_another_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let conf = tmp.path().join("conf");
    std::fs::create_dir_all(conf.join("site-rules")).unwrap();
    std::fs::write(conf.join("site-rules/site.toml"), SITE_RULE).unwrap();
    std::fs::write(conf.join("c2.toml"), "rules_add = [\"site-rules\"]\nsamples = 2\n").unwrap();
    let printed = run_in(tmp.path(), &["--config", "conf/c2.toml", "scan", "--print-config"]);
    assert_status(&printed, 0);
    let printed = stdout(&printed);
    std::fs::write(conf.join("printed.toml"), &printed).unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let settings = |text: &str| -> Vec<String> {
        text.lines().skip(3).map(|l| l.split("  #").next().unwrap().trim_end().to_string()).collect()
    };
    for (dir, file) in [(conf.as_path(), "printed.toml"), (elsewhere.as_path(), "../conf/printed.toml")] {
        let again = run_in(dir, &["--config", file, "scan", "--print-config"]);
        assert_status(&again, 0);
        assert_eq!(settings(&stdout(&again)), settings(&printed), "read from {}", dir.display());
    }
}

#[test]
fn a_config_file_that_is_not_regular_or_too_large_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("fifo.toml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let large = tmp.path().join("large.toml");
    std::fs::File::create(&large).unwrap().set_len((1 << 20) + 1).unwrap();
    let cases = [
        (fifo.as_path(), "not a regular file (a FIFO)"),
        (Path::new("/dev/zero"), "not a regular file (a character device)"),
        (tmp.path(), "not a regular file (a directory)"),
        (large.as_path(), "larger than 1 MiB"),
    ];
    for (path, reason) in cases {
        let output = cas_triage()
            .arg("--config")
            .arg(path)
            .args(["scan", &bundle_dir()])
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        assert_status(&output, 2);
        let want = format!("cas-triage: cannot read the config file {}: {reason}\n", path.display());
        assert_eq!(stderr(&output), want);
    }
}
