#![no_main]
//! Reads arbitrary bytes as two JSON reports (split at the first NUL byte), as `merge` and
//! `--baseline` read a report anyone may have edited. When both read, merges them, compares the
//! result with the first as a baseline, and writes it in every format: nothing may panic, and the
//! JSON written must read back. Seed the corpus with real reports (`scan --format json`) so the
//! mutations start from documents that read.

use std::path::Path;
use std::sync::OnceLock;

use cas_triage::report::{
    Baseline, HtmlOptions, MergeLimits, NamedReport, Report, TextStyle, Thresholds, write_html, write_json,
    write_jsonl, write_junit, write_markdown, write_sarif, write_text, write_tickets, write_timeline,
};
use cas_triage::rules::{Lang, RulePack, Severity};
use libfuzzer_sys::fuzz_target;

fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(|| RulePack::embedded().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let (first, second) = match data.iter().position(|b| *b == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        None => (data, data),
    };
    let (a, b) = (Path::new("a.json"), Path::new("b.json"));
    let baseline = Baseline::parse(a, first).ok();
    let (Ok(one), Ok(two)) = (Report::parse(a, first), Report::parse(b, second)) else { return };
    let reports =
        vec![NamedReport { name: "a.json".into(), report: one }, NamedReport { name: "b.json".into(), report: two }];
    for samples in [0, 3] {
        let Ok(merged) = Report::merge(reports.clone(), MergeLimits { samples, exeurls_per_host: 2 }) else { continue };
        let mut report = merged.report;
        if let Some(baseline) = &baseline {
            report.compare_with(baseline);
        }
        let thresholds = Thresholds { fail_on: Some(Severity::High), fail_on_new: Some(Severity::Low) };
        let mut sink = Vec::new();
        write_text(&report, TextStyle { color: true, unclassified: 3 }, &mut sink).unwrap();
        write_timeline(&report, &mut sink).unwrap();
        write_markdown(&report, &mut sink).unwrap();
        write_jsonl(&report, &mut sink).unwrap();
        write_junit(&report, thresholds, &mut sink).unwrap();
        write_sarif(&report, pack(), Lang::Zh, &mut sink).unwrap();
        write_tickets(&report, &mut sink).unwrap();
        let options = HtmlOptions {
            scanned_at: chrono::DateTime::from_timestamp(0, 0).unwrap().fixed_offset(),
            redacted: None,
            runbooks: None,
        };
        write_html(&report, &options, &mut sink).unwrap();
        let mut json = Vec::new();
        write_json(&report, &mut json).unwrap();
        Report::parse(Path::new("merged.json"), &json).expect("a merged report reads back");
        let _ = report.reaches(thresholds);
    }
});
