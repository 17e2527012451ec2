#![no_main]
//! Scans arbitrary bytes as one common-error.log with the embedded rule pack, builds the report,
//! writes it as JSON and checks the JSON parses. The first byte picks a chunk size (tiny ones
//! included), so that cutting a log into chunks is fuzzed too, and the task-line cap is small.

use std::sync::OnceLock;

use cas_triage::input::{Bytes, FileKind, Source, infer};
use cas_triage::report::{Report, ReportOptions, write_json};
use cas_triage::rules::{CompiledRules, Lang, RulePack};
use cas_triage::scan::{ScanOptions, Scanner};
use libfuzzer_sys::fuzz_target;

const PATH: &str = "b/10.0.0.1/home/admin/logs/acopswareexecutor/common-error.log";

fn rules() -> &'static CompiledRules {
    static RULES: OnceLock<CompiledRules> = OnceLock::new();
    RULES.get_or_init(|| CompiledRules::compile(RulePack::embedded().unwrap()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, data)) = data.split_first() else { return };
    let rules = rules();
    let source = Source {
        path: PATH.into(),
        archive: None,
        kind: FileKind::Log,
        identity: infer(PATH),
        bytes: Bytes::Owned(data.to_vec()),
        member: 0,
        first_line: 0,
        continued: false,
    };
    let chunk_size = [1, 7, 64, 500, 4096, usize::MAX / 4][usize::from(selector) % 6];
    let scan_options = ScanOptions { chunk_size, task_lines: 8, ..ScanOptions::default() };
    let outcome = Scanner::new(rules, scan_options.clone()).scan_source(0, &source);
    let options = ReportOptions {
        paths: vec!["b".into()],
        timezone: chrono::FixedOffset::east_opt(0).unwrap(),
        lang: Lang::En,
        samples: scan_options.samples,
        since: None,
        until: None,
        redact: selector % 2 == 0,
    };
    let report = Report::build(&outcome, rules, &options);
    let mut json = Vec::new();
    write_json(&report, &mut json).expect("writing JSON to a Vec cannot fail");
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&json) {
        panic!("write_json produced invalid JSON: {e}\n{}", String::from_utf8_lossy(&json));
    }
});
