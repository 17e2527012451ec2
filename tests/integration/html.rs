//! `--format html` and `--html FILE`: one self-contained page. Read back as XML (the page is
//! written well-formed) it holds the findings with their evidence and runbooks, a chart whose
//! series are the error counts of the example bundle, the thresholds and the findings' markers,
//! and nothing that loads from elsewhere; hostile log text stays text. Then, when Chromium is
//! installed (`.ci/run` installs it and sets `CI_REQUIRE_CHROMIUM=1`), the page is rendered
//! headless: its DOM holds the findings and the chart, its console shows no Content Security
//! Policy violation (a page that breaks the policy shows them), and a screenshot is kept in
//! `target/test-artifacts/html-report.png`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::*;

/// A fixed scan time, so that two runs write the same page.
const EPOCH: &str = "1700000000";

fn scan_html(args: &[&str]) -> String {
    let output = cas_triage().env("SOURCE_DATE_EPOCH", EPOCH).args(["scan", "--format", "html"]).args(args).output();
    let output = output.unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The page parsed as XML, after its doctype.
fn page(html: &str) -> Element {
    assert!(html.starts_with("<!DOCTYPE html>\n"), "{}", &html[..html.len().min(200)]);
    let root = parse_xml(html);
    assert_eq!(root.name, "html");
    root
}

/// Every attribute that makes a browser fetch, navigate or submit.
const FETCHING: &[&str] = &["src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset", "ping"];

/// Nothing in the page loads from elsewhere: no script at all, no fetching attribute but to a
/// fragment of the page or a `data:` URL, no `url(` or `@import` in its styles, and the policy
/// that would make the browser refuse anything else.
fn assert_self_contained(root: &Element) {
    let all = root.descendants();
    assert!(all.iter().all(|e| e.name != "script"), "no script");
    for element in ["iframe", "object", "embed", "img", "image", "use", "base", "form"] {
        assert!(all.iter().all(|e| e.name != element), "no <{element}>");
    }
    for e in &all {
        for (name, value) in &e.attributes {
            if FETCHING.contains(&name.as_str()) {
                assert!(value.starts_with('#') || value.starts_with("data:"), "<{} {name}={value:?}>", e.name);
            }
            assert!(!name.starts_with("on"), "<{} {name}>: an event handler", e.name);
        }
        let style = if e.name == "style" { e.all_text.as_str() } else { e.attributes.get("style").map_or("", |s| s) };
        assert!(!style.contains("url(") && !style.contains("@import"), "<{}> style loads: {style}", e.name);
    }
    let head = root.one("head");
    let csp: Vec<&Element> = head
        .all("meta")
        .into_iter()
        .filter(|m| m.attributes.get("http-equiv").is_some_and(|h| h == "Content-Security-Policy"))
        .collect();
    assert_eq!(csp.len(), 1, "one policy");
    let policy = csp[0].attr("content");
    for directive in ["default-src 'none'", "style-src 'unsafe-inline'", "img-src data:"] {
        assert!(policy.split(';').any(|d| d.trim() == directive), "{policy}");
    }
    assert!(!policy.contains("script-src"), "{policy}");
}

/// `{start minute: errors}` of a chart's series for `component`, read from its points.
fn chart_points(chart: &Element, component: &str) -> BTreeMap<String, u64> {
    let series: Vec<&Element> =
        chart.find("g", "series").into_iter().filter(|g| g.attr("data-component") == component).collect();
    assert_eq!(series.len(), 1, "one series for {component}");
    series[0]
        .find("circle", "point")
        .iter()
        .map(|c| (c.attr("data-minute").to_string(), c.attr("data-count").parse().unwrap()))
        .collect()
}

#[test]
fn the_example_bundle_page_holds_every_section() {
    let report = scan_json(&[&bundle_dir()], 0);
    let html = scan_html(&[&bundle_dir()]);
    let root = page(&html);
    assert_self_contained(&root);
    let body = root.one("body");
    let findings = report["findings"].as_array().unwrap();

    // The header: what was scanned, when, by what, the span of the logs.
    let header = body.find("header", "top")[0];
    assert!(header.all_text.contains(&format!("{} findings", findings.len())), "{}", header.all_text);
    assert!(header.all_text.contains(&bundle_dir()));
    assert!(header.all_text.contains(&format!("cas-triage {}", report["tool"]["version"].as_str().unwrap())));
    assert!(header.all_text.contains("2023-11-15 06:13:20 (UTC+08:00)"), "SOURCE_DATE_EPOCH in the logs' zone");
    assert!(header.all_text.contains("2022-09-28 22:01:10.004 → 2022-09-29 14:26:12.446 (16 h 25 min)"));

    // The findings table: one row per finding, as the JSON has them.
    let table = body.find("table", "findings")[0];
    let rows = table.one("tbody").all("tr");
    assert_eq!(rows.len(), findings.len());
    for (row, f) in rows.iter().zip(findings) {
        let cells: Vec<&str> = row.all("td").iter().map(|td| td.all_text.trim()).collect();
        let short = |key: &str| f[key].as_str().map_or("-".to_string(), |t| t[..23].replace('T', " "));
        let expected = [
            f["severity"].as_str().unwrap().to_string(),
            f["fault"].as_str().unwrap().to_string(),
            f["title"].as_str().unwrap().to_string(),
            f["component"].as_str().unwrap().to_string(),
            f["host"].as_str().unwrap().to_string(),
            f["count"].to_string(),
            short("first_seen"),
            short("last_seen"),
        ];
        assert_eq!(cells[1..], expected, "{f}");
    }

    // One card per finding: its evidence (file:line, time, the line) and its runbook.
    for (i, f) in findings.iter().enumerate() {
        let card = body.by_id(&format!("finding-{}", i + 1));
        assert!(card.all_text.contains(f["fault"].as_str().unwrap()));
        let blocks = card.find("div", "evidence");
        let evidence = f["evidence"].as_array().unwrap();
        assert_eq!(blocks.len(), evidence.len());
        for (block, e) in blocks.iter().zip(evidence) {
            assert!(block.all_text.contains(&format!("{}:{}", e["path"].as_str().unwrap(), e["line"])));
            assert_eq!(block.one("pre").text.lines().next(), e["text"].as_str());
        }
        let steps = card.find("ol", "runbook");
        let remediation = f["remediation"].as_array().unwrap();
        assert_eq!(steps.first().map_or(0, |ol| ol.all("li").len()), remediation.len());
        for (li, step) in steps.iter().flat_map(|ol| ol.all("li")).zip(remediation) {
            assert_eq!(li.all_text, step.as_str().unwrap().replace('`', ""));
        }
    }

    // The chart: a series per component and host, each minute's errors as the logs have them.
    let overview = body.by_id("chart-overview").one("svg");
    assert_eq!(overview.attr("data-bucket-minutes"), "1", "16 hours fit in minutes");
    let series: Vec<&str> = overview.find("g", "series").iter().map(|g| g.attr("data-component")).collect();
    assert_eq!(
        series,
        [
            "aciaasconnectore",
            "acopswareexecutor",
            "acopswareorchestration",
            "acstarserver2",
            "apconsole",
            "apopswareapiserver"
        ]
    );
    let minutes = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
        pairs.iter().map(|(m, n)| (format!("2022-09-{m}"), *n)).collect()
    };
    assert_eq!(
        chart_points(overview, "acopswareorchestration"),
        minutes(&[
            ("29T11:29", 1),
            ("29T11:30", 1),
            ("29T11:40", 4),
            ("29T11:41", 4),
            ("29T11:42", 3),
            ("29T11:43", 1),
            ("29T11:45", 1)
        ])
    );
    assert_eq!(
        chart_points(overview, "acopswareexecutor"),
        minutes(&[
            ("28T22:01", 1),
            ("28T22:05", 1),
            ("29T10:14", 1),
            ("29T10:15", 2),
            ("29T10:16", 2),
            ("29T10:18", 1),
            ("29T10:21", 1),
            ("29T10:40", 1)
        ])
    );
    // Every series, against the report's own error_rate section.
    for s in report["error_rate"]["series"].as_array().unwrap() {
        let expected: BTreeMap<String, u64> = s["minutes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["start"].as_str().unwrap()[..16].to_string(), m["count"].as_u64().unwrap()))
            .collect();
        assert_eq!(chart_points(overview, s["component"].as_str().unwrap()), expected);
        let g = overview.find("g", "series").into_iter().find(|g| g.attr("data-component") == s["component"]).unwrap();
        assert_eq!(g.attr("data-errors"), s["errors"].to_string());
    }

    // The thresholds of the rule pack, in its window, and the most errors a window held.
    assert_eq!(report["error_rate"]["window_minutes"], 5);
    let thresholds: Vec<(&str, &str)> =
        overview.find("g", "threshold").iter().map(|g| (g.attr("data-threshold"), g.attr("data-window"))).collect();
    assert_eq!(thresholds, [("10", "5"), ("100", "5")]);
    let peaks: BTreeMap<&str, &str> =
        overview.find("g", "series-window").iter().map(|g| (g.attr("data-component"), g.attr("data-peak"))).collect();
    assert_eq!(peaks["acopswareorchestration"], "12");
    assert_eq!(peaks["acopswareexecutor"], "6");
    let alerts = overview.find("rect", "alert");
    assert_eq!(alerts.len(), 2, "one alerting period, shaded in both panels");
    assert!(
        alerts[0]
            .one("title")
            .text
            .contains("acopswareorchestration on 10.12.3.2: alerting from 2022-09-29 11:38 to 11:45")
    );

    // A marker for each finding with a time, at its first time, in the overview.
    let markers = overview.find("g", "marker");
    let dated: Vec<&Value> = findings.iter().filter(|f| f["first_seen"].is_string()).collect();
    assert_eq!(markers.len(), dated.len());
    for f in &dated {
        let fault = f["fault"].as_str().unwrap();
        let first = f["first_seen"].as_str().unwrap();
        let marker = markers.iter().find(|m| m.attr("data-fault") == fault && m.attr("data-first-seen") == first);
        let marker = marker.unwrap_or_else(|| panic!("no marker for {fault} at {first}"));
        assert!(marker.one("title").text.contains(&format!("{fault} (")), "{}", marker.one("title").text);
    }
    // The closer chart holds the two hours with most findings, every marker labelled.
    let detail = body.by_id("chart-detail").one("svg");
    let labelled = detail.find("g", "marker").iter().filter(|m| !m.find("text", "label").is_empty()).count();
    assert_eq!(labelled, detail.find("g", "marker").len());
    assert!(labelled >= 10, "{labelled}");

    // Tasks (the clock-skew suspect marked), heartbeat gaps, commands, configuration files.
    let tasks = body.find("table", "tasks")[0].one("tbody").all("tr");
    assert_eq!(tasks.len(), report["tasks"].as_array().unwrap().len());
    let skewed: Vec<&str> =
        tasks.iter().filter(|tr| tr.has_class("skew")).map(|tr| tr.all("td")[0].all_text.as_str()).collect();
    assert_eq!(skewed, ["10390850"]);
    let gaps = body.by_id("heartbeats").find("tr", "");
    assert_eq!(gaps.len(), 2, "a header and one gap");
    assert!(gaps[1].all_text.contains("2 min 30 s"), "{}", gaps[1].all_text);
    assert_eq!(body.find("table", "exeurls")[0].one("tbody").all("tr").len(), 3);
    let config = body.find("table", "config")[0].one("tbody").all("tr");
    assert_eq!(config.iter().filter(|tr| tr.has_class("problem")).count(), 2);
    assert!(config[0].all_text.contains("CRLF on 4 lines"));
    assert!(config[1].all_text.contains("db.password"));
    let unclassified = body.find("table", "unclassified")[0].one("tbody").all("tr");
    assert_eq!(unclassified.len(), report["unclassified"].as_array().unwrap().len());
}

/// Past a day, a point is the sum of the minutes of its bucket; the JSON keeps every minute.
#[test]
fn a_long_span_is_drawn_in_buckets_that_sum_their_minutes() {
    let log = "2022-09-27 10:00:10,000 ERROR [a] - one\n2022-09-27 10:01:00,000 ERROR [a] - two\n\
               2022-09-27 10:04:59,000 ERROR [a] - three\n2022-09-27 10:05:00,000 ERROR [a] - four\n\
               2022-09-29 12:00:30,000 ERROR [a] - five\n";
    let (_tmp, root) = bundle(&[("10.0.0.1/home/admin/logs/acopswareexecutor/common-error.log", log.as_bytes())]);
    let report = scan_json(&[&root], 0);
    let minutes: Vec<(String, u64)> = report["error_rate"]["series"][0]["minutes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["start"].as_str().unwrap().to_string(), m["count"].as_u64().unwrap()))
        .collect();
    let at = |minute: &str| format!("2022-09-{minute}:00.000+08:00");
    let expected = [("27T10:00", 1), ("27T10:01", 1), ("27T10:04", 1), ("27T10:05", 1), ("29T12:00", 1)];
    assert_eq!(minutes, expected.map(|(m, n)| (at(m), n)));
    let page = page(&scan_html(&[&root]));
    let overview = page.one("body").by_id("chart-overview").one("svg");
    assert_eq!(overview.attr("data-bucket-minutes"), "5");
    let points = chart_points(overview, "acopswareexecutor");
    let expected = [("2022-09-27T10:00", 3), ("2022-09-27T10:05", 1), ("2022-09-29T12:00", 1)];
    assert_eq!(points, expected.map(|(m, n)| (m.to_string(), n)).into_iter().collect());
    assert!(overview.find("g", "panel")[0].all_text.contains("Errors per 5 minutes"));
}

#[test]
fn log_text_never_becomes_markup() {
    let line = "2022-09-29 10:15:32,118 ERROR [e-1] - dispatch task 10390847 to 10.1.2.3 failed: send msg failed \
                </pre></td><script>alert(1)</script><img src=\"http://evil.invalid/x.png\" onerror=\"alert(2)\"> \
                <a href='//evil.invalid'>x</a> &amp; \u{202e} \x1b[31m \u{ffff}\n";
    let output = cas_triage()
        .args(["scan", "--format", "html", "--component", "acopswareexecutor", "--host", HOSTILE_HOST, "-"])
        .write_stdin(line)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let html = String::from_utf8(output.stdout).unwrap();
    let root = page(&html);
    assert_self_contained(&root);
    assert!(!html.contains('\x1b') && !html.contains('\u{202e}'), "controls shown escaped");
    assert!(!html.contains('\u{ffff}'), "a character no XML may hold, shown escaped");
    let card = root.one("body").by_id("finding-1");
    let shown = "2022-09-29 10:15:32,118 ERROR [e-1] - dispatch task 10390847 to 10.1.2.3 failed: send msg failed \
                 </pre></td><script>alert(1)</script><img src=\"http://evil.invalid/x.png\" onerror=\"alert(2)\"> \
                 <a href='//evil.invalid'>x</a> &amp; \\u{202e} \\x1b[31m \\u{ffff}";
    let pre = card.find("pre", "");
    assert_eq!(pre.len(), 1);
    assert_eq!(pre[0].text, shown, "the line is the text of its block, whole");
    assert!(pre[0].children.is_empty(), "and nothing else");
    assert!(card.one("p").all_text.starts_with("acopswareexecutor on host evil|host```<b>&amp;\\x1b[31m"));
    // The host reaches the chart's tooltips as text too.
    let chart = root.one("body").by_id("chart-overview").one("svg");
    let marker = chart.find("g", "marker");
    assert!(marker[0].one("title").text.contains("acopswareexecutor on evil|host```<b>&amp;\\x1b[31m, first at"));
}

#[test]
fn credentials_stay_masked_and_no_redact_says_so() {
    let (_tmp, root) = bundle(&[(
        "10.0.0.3/home/admin/logs/aciaasconnectore/common-error.log",
        b"2022-09-29 10:16:01,223 ERROR [iaas-call-4] - call openapi failed, product=Ecs action=CreateInstance \
          db=mysql://app:s3cr3t@10.1.2.3:3306/x password=hunter2\n",
    )]);
    let html = scan_html(&[&root]);
    assert!(!html.contains("s3cr3t") && !html.contains("hunter2"));
    assert!(html.contains("mysql://app:***@10.1.2.3"));
    assert!(html.contains("are shown as <code>***</code>"));
    let html = scan_html(&[&root, "--no-redact"]);
    assert!(html.contains("hunter2") && html.contains("Credentials are not masked"));
}

#[test]
fn html_option_writes_the_page_beside_the_main_output() {
    let tmp = tempfile::tempdir().unwrap();
    let page_file = tmp.path().join("report.html");
    let output = cas_triage()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["scan", "--format", "json", "--html"])
        .arg(&page_file)
        .arg(bundle_dir())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!report["findings"].as_array().unwrap().is_empty());
    assert_eq!(std::fs::read_to_string(&page_file).unwrap(), scan_html(&[&bundle_dir()]));
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["report.html"], "no temporary file left");

    // With --output too, each gets its own; the same file for both is refused.
    let json_file = tmp.path().join("report.json");
    let status = |args: &[&std::ffi::OsStr]| cas_triage().arg("scan").args(args).arg(bundle_dir()).output().unwrap();
    let both = status(&["-o".as_ref(), json_file.as_os_str(), "--html".as_ref(), page_file.as_os_str()]);
    assert_eq!(both.status.code(), Some(0));
    assert!(serde_json::from_slice::<Value>(&std::fs::read(&json_file).unwrap()).is_ok());
    let same = status(&["-o".as_ref(), page_file.as_os_str(), "--html".as_ref(), page_file.as_os_str()]);
    assert_eq!(same.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&same.stderr).contains("--html and --output both name"));

    // A page that cannot be written fails before the scan, and leaves nothing.
    let missing = tmp.path().join("missing/report.html");
    let failed = status(&["--html".as_ref(), missing.as_os_str()]);
    assert_eq!(failed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("cannot write the report to"));
    assert!(failed.stdout.is_empty(), "no report on standard output either");
}

#[test]
fn a_scan_without_timestamps_or_findings_is_still_a_page() {
    let (_tmp, root) = bundle(&[("x/app.log", b"no timestamp here\n")]);
    let root = page(&scan_html(&[&root]));
    assert_self_contained(&root);
    let body = root.one("body");
    assert!(body.by_id("chart").all_text.contains("No timestamp was read"));
    assert!(body.by_id("findings").all_text.contains("No documented fault found"));
}

#[test]
fn release_chains_follow_their_events_to_the_first_failure() {
    let bundle = bundle_dir();
    let report = scan_json(&[&bundle], 0);
    let root = page(&scan_html(&[&bundle]));
    let section = root.one("body").by_id("chains");
    let tables: Vec<&Element> = section
        .descendants()
        .into_iter()
        .filter(|e| e.name == "table" && e.attributes.get("class").is_some_and(|c| c == "chain"))
        .collect();
    let chains = report["chains"].as_array().unwrap();
    assert_eq!(tables.len(), chains.len());
    assert!(!chains.is_empty());
    let ids: Vec<String> = root.descendants().iter().filter_map(|e| e.attributes.get("id").cloned()).collect();
    for (table, chain) in tables.iter().zip(chains) {
        let rows = table.one("tbody").all("tr");
        let hops = chain["hops"].as_array().unwrap();
        assert_eq!(rows.len(), hops.len(), "{}", chain["id"]);
        let marked: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.attributes.get("class").is_some_and(|c| c == "problem"))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(marked, [chain["first_failure"].as_u64().unwrap() as usize], "{}", chain["id"]);
        for (row, hop) in rows.iter().zip(hops) {
            assert!(row.all_text.contains(hop["component"].as_str().unwrap()));
            for fault in hop["faults"].as_array().unwrap() {
                assert!(row.all_text.contains(fault["fault"].as_str().unwrap()), "{}", row.all_text);
            }
        }
        // Every fault links to a finding's card of the page.
        for link in table.descendants().into_iter().filter(|e| e.name == "a") {
            let target = link.attr("href").strip_prefix('#').unwrap();
            assert!(ids.iter().any(|id| id == target), "#{target} is on the page");
        }
    }
}

#[test]
fn a_page_lists_the_most_frequent_unclassified_templates_only() {
    // 150 templates (words without digits, so nothing is masked), the first the most frequent.
    let word = |mut i: usize| {
        let mut w = String::new();
        for _ in 0..3 {
            w.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
        }
        w
    };
    let mut log = String::new();
    for i in 0..150 {
        for _ in 0..if i == 0 { 5 } else { 1 } {
            log.push_str(&format!("2022-09-29 10:15:{:02},000 ERROR [w-1] - {} step broke\n", i % 60, word(i)));
        }
    }
    let (_tmp, root) = bundle(&[("10.0.0.1/home/admin/logs/acappcore/common-error.log", log.as_bytes())]);
    let report = scan_json(&[&root], 0);
    assert_eq!(report["unclassified"].as_array().unwrap().len(), 150);
    let page = page(&scan_html(&[&root]));
    let section = page.one("body").by_id("unclassified");
    let rows = section.one("table").one("tbody").all("tr");
    assert_eq!(rows.len(), 100);
    assert!(rows[0].all_text.contains("aaa step broke") && rows[0].all_text.starts_with('5'), "{}", rows[0].all_text);
    assert!(section.all_text.contains("The 100 most frequent of 150 templates"), "{}", section.all_text);
}

#[test]
fn runbook_steps_in_chinese_say_so() {
    let bundle = bundle_dir();
    let steps = |lang: &str| -> Vec<(String, String)> {
        let root = page(&scan_html(&["--lang", lang, &bundle]));
        let mut steps = Vec::new();
        for list in root
            .descendants()
            .into_iter()
            .filter(|e| e.name == "ol" && e.attributes.get("class").is_some_and(|c| c == "runbook"))
        {
            for item in list.all("li") {
                steps.push((item.attributes.get("lang").cloned().unwrap_or_default(), item.all_text.clone()));
            }
        }
        steps
    };
    let zh = steps("zh");
    assert!(!zh.is_empty());
    assert!(zh.iter().all(|(lang, _)| lang == "zh"), "every built-in runbook has Chinese steps: {zh:?}");
    let en = steps("en");
    assert_eq!(en.len(), zh.len());
    assert!(en.iter().all(|(lang, _)| lang.is_empty()), "English steps take the page's language: {en:?}");
}

// Headless Chromium.

/// The Chromium to render with, or `None` (with a note) when there is none, unless
/// `CI_REQUIRE_CHROMIUM=1` makes that a failure.
fn chromium() -> Option<&'static str> {
    for candidate in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new(candidate).arg("--version").output();
        if found.is_ok_and(|o| o.status.success()) {
            return Some(candidate);
        }
    }
    assert!(
        std::env::var("CI_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
        "Chromium is required (CI_REQUIRE_CHROMIUM=1) but none runs"
    );
    eprintln!("note: chromium not found: the HTML report's browser test is skipped; apt-get install chromium");
    None
}

/// What Chromium wrote, and its console (standard error, with `--enable-logging=stderr`).
struct Rendered {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium on `page` with `args`, its own profile, no name resolving (any host
/// would be unreachable), and a minute at most.
fn render(chromium: &str, page: &Path, args: &[&str]) -> Rendered {
    let tmp = tempfile::tempdir().unwrap();
    let (out, err) = (tmp.path().join("stdout"), tmp.path().join("stderr"));
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        // CI containers often have a /dev/shm of 64 MB, too small for Chromium's shared memory.
        .arg("--disable-dev-shm-usage")
        .arg(format!("--user-data-dir={}", tmp.path().join("profile").display()))
        .arg("--host-resolver-rules=MAP * ~NOTFOUND")
        .args(["--enable-logging=stderr", "--v=0"])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("chromium took more than a minute: {}", std::fs::read_to_string(&err).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let rendered =
        Rendered { stdout: std::fs::read_to_string(&out).unwrap(), stderr: std::fs::read_to_string(&err).unwrap() };
    assert!(status.success(), "chromium failed: {}", rendered.stderr);
    rendered
}

/// The console lines that report a Content Security Policy violation.
fn violations(console: &str) -> Vec<&str> {
    console.lines().filter(|l| l.contains("Content Security Policy") || l.contains("Refused to")).collect()
}

/// Text as the browser serialises it in the DOM.
fn dom_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn chromium_renders_the_page_and_fetches_nothing() {
    let Some(chromium) = chromium() else { return };
    let report = scan_json(&[&bundle_dir()], 0);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("report.html");
    std::fs::write(&file, scan_html(&[&bundle_dir()])).unwrap();

    let rendered = render(chromium, &file, &["--dump-dom"]);
    let dom = rendered.stdout;
    for f in report["findings"].as_array().unwrap() {
        assert!(dom.contains(f["fault"].as_str().unwrap()), "{f}");
        assert!(dom.contains(&dom_text(f["title"].as_str().unwrap())), "{}", f["title"]);
    }
    assert_eq!(dom.matches("<svg class=\"chart\"").count(), 2, "the overview and the closer chart");
    assert_eq!(dom.matches("<g class=\"series\"").count(), 12, "six series in each");
    assert_eq!(dom.matches("<g class=\"threshold\"").count(), 4, "two thresholds in each");
    assert!(dom.contains("data-component=\"acopswareorchestration\""));
    assert!(violations(&rendered.stderr).is_empty(), "{}", rendered.stderr);

    let screenshot = artifacts().join("html-report.png");
    let _ = std::fs::remove_file(&screenshot);
    let shot = format!("--screenshot={}", screenshot.display());
    let rendered = render(chromium, &file, &[&shot, "--window-size=1280,2000"]);
    assert!(violations(&rendered.stderr).is_empty(), "{}", rendered.stderr);
    let png = std::fs::read(&screenshot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((&png[12..16], size(16), size(20)), (&b"IHDR"[..], 1280, 2000));
    assert!(png.len() > 50_000, "a page with a chart, not a blank one: {} bytes", png.len());
}

/// The check above would see a request: a page with the report's own policy that tries to load
/// an image, a stylesheet and scripts gets each refused, in the console.
#[test]
fn chromium_reports_what_the_policy_blocks() {
    let Some(chromium) = chromium() else { return };
    let (_tmp, root) = bundle(&[("x/app.log", b"2022-09-29 10:15:32,118 INFO ok\n")]);
    let report = scan_html(&[&root]);
    let policy = report.lines().find(|l| l.contains("Content-Security-Policy")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.html");
    std::fs::write(
        &bad,
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\" />{policy}\
             <link rel=\"stylesheet\" href=\"https://example.com/x.css\" /></head><body><p id=\"p\">untouched</p>\
             <img src=\"http://example.com/a.png\" /><script>document.getElementById('p').textContent = 'ran';</script>\
             <script src=\"https://example.com/x.js\"></script></body></html>\n"
        ),
    )
    .unwrap();
    let rendered = render(chromium, &bad, &["--dump-dom"]);
    let refused = violations(&rendered.stderr);
    for what in ["the image 'http://example.com/a.png'", "the stylesheet", "the script", "inline script"] {
        assert!(refused.iter().any(|l| l.contains(what)), "{what} not refused:\n{}", rendered.stderr);
    }
    assert!(rendered.stdout.contains("<p id=\"p\">untouched</p>"), "the inline script did not run");
}
