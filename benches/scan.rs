//! Benchmarks of the scan pipeline, stage by stage and whole: compiling the embedded rule pack,
//! splitting a log into events, parsing header lines, the literal pass, scanning one log in
//! memory, the literal pass by level on a default log, and scanning a generated bundle from disk (`input::discover` + `scan::Scanner`) on a
//! rayon pool of one and of two threads.
//!
//! Input comes from the deterministic generator in `support/generate.rs`, written once outside
//! the timed loops. Every bench asserts what it counted against what the generator wrote (events,
//! header lines, literal hits, matches per fault id), so a faster but wrong engine fails here.
//! Figures and the conditions they were taken in are in `benches/RESULTS.md`.

// The example uses the parts of the generator the benchmarks do not.
#[allow(dead_code)]
#[path = "support/generate.rs"]
mod generate;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use cas_triage::event::{Level, Record, Records, parse_header};
use cas_triage::input::{Bytes, FileKind, Source, discover, infer};
use cas_triage::rules::{CompiledRules, EventHits, LiteralHit, RulePack, Scope};
use cas_triage::scan::{ScanOptions, ScanOutcome, Scanner};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

use generate::{BundleSpec, GeneratedLog, LogKind, LogSpec, generate_bundle, generate_log};

/// Size of the in-memory log the stage benches read.
const LOG_BYTES: usize = 32 << 20;
/// Path the in-memory log pretends to have: the executor is the component with every fault.
const LOG_PATH: &str = "bench/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log";
/// Path of the in-memory default log (INFO, WARN and DEBUG events, task lines).
const DEFAULT_LOG_PATH: &str = "bench/10.12.3.4/home/admin/logs/acopswareexecutor/acopswareexecutor-default.log";

fn embedded_rules() -> CompiledRules {
    CompiledRules::compile(RulePack::embedded().expect("the embedded pack loads")).expect("the embedded pack compiles")
}

fn executor_log() -> GeneratedLog {
    let log = generate_log(&LogSpec::new("acopswareexecutor", LogKind::CommonError, LOG_BYTES, 42));
    assert!(!log.expected.is_empty(), "the log holds faults");
    log
}

/// Matches per fault id, as the finding groups count them.
fn counts_by_fault(rules: &CompiledRules, outcome: &ScanOutcome) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for (key, group) in outcome.findings.groups() {
        *counts.entry(rules.rule(key.rule).id.to_string()).or_insert(0) += group.count;
    }
    counts
}

fn expected_counts(expected: &BTreeMap<&'static str, u64>) -> BTreeMap<String, u64> {
    expected.iter().map(|(id, count)| (id.to_string(), *count)).collect()
}

/// Occurrences of the pack's literals in `text`, ASCII case folded, counted the slow way: what
/// the automaton's overlapping search must report.
fn naive_literal_hits(rules: &CompiledRules, text: &[u8]) -> usize {
    let mut literals: Vec<Vec<u8>> = Vec::new();
    for rule in rules.pack().rules() {
        for signature in rule.kind.signatures() {
            assert!(!signature.literals.is_empty(), "rule {}: a regex-only signature; count its prefixes too", rule.id);
            literals.extend(signature.literals.iter().map(|l| l.as_bytes().to_ascii_lowercase()));
        }
    }
    literals.sort();
    literals.dedup();
    assert_eq!(literals.len(), rules.literal_count(), "every literal of the pack is counted");
    let folded = text.to_ascii_lowercase();
    literals.iter().map(|literal| memchr::memmem::find_iter(&folded, literal).count()).sum()
}

/// A log held in memory, as the input stage would hand it to the scan.
fn in_memory(path: &str, text: &[u8]) -> Source {
    Source {
        path: path.into(),
        archive: None,
        kind: FileKind::Log,
        identity: infer(path),
        bytes: Bytes::Owned(text.to_vec()),
        member: 0,
        first_line: 0,
        continued: false,
    }
}

/// `Scanner::scan_source` on `log` held in memory as one chunk, its matches per fault id, events
/// and lines checked against the generator's.
fn bench_scan_one_source(
    group: &mut BenchmarkGroup<'_, WallTime>,
    rules: &CompiledRules,
    path: &str,
    log: &GeneratedLog,
) {
    let source = in_memory(path, &log.text);
    let scanner = Scanner::new(rules, ScanOptions { chunk_size: usize::MAX / 4, ..ScanOptions::default() });
    let want = expected_counts(&log.expected);
    group.bench_function("scan one source, one chunk", |b| {
        b.iter(|| {
            let outcome = scanner.scan_source(0, black_box(&source));
            assert_eq!(counts_by_fault(rules, &outcome), want);
            assert_eq!((outcome.events, outcome.lines), (log.events, log.lines));
        })
    });
}

fn compile_pack(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.bench_function("embedded pack", |b| b.iter(|| black_box(embedded_rules())));
    group.finish();
}

fn stages(c: &mut Criterion) {
    let rules = embedded_rules();
    let log = executor_log();
    let text = &log.text[..];
    let mut group = c.benchmark_group("stages");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Bytes(text.len() as u64));

    group.bench_function("split events", |b| {
        b.iter(|| {
            let mut records = Records::new(black_box(text));
            let events = records.by_ref().count() as u64;
            assert_eq!((events, records.lines()), (log.events, log.lines));
        })
    });

    let line_starts: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    group.bench_function("parse header, every line", |b| {
        b.iter(|| {
            let headers = line_starts.iter().filter(|line| parse_header(black_box(line)).is_some()).count() as u64;
            assert_eq!(headers, log.events);
        })
    });

    let headers: Vec<&[u8]> = line_starts.iter().copied().filter(|line| parse_header(line).is_some()).collect();
    group.throughput(Throughput::Elements(headers.len() as u64));
    group.bench_function("parse header, header lines", |b| {
        b.iter(|| {
            let parsed = headers.iter().filter(|line| parse_header(black_box(line)).is_some()).count();
            assert_eq!(parsed, headers.len());
        })
    });
    group.throughput(Throughput::Bytes(text.len() as u64));

    let mut hits: Vec<LiteralHit> = Vec::new();
    let want_hits = naive_literal_hits(&rules, text);
    group.bench_function("literal hits", |b| {
        b.iter(|| {
            rules.literal_hits(black_box(text), &mut hits);
            assert_eq!(hits.len(), want_hits);
        })
    });

    bench_scan_one_source(&mut group, &rules, LOG_PATH, &log);
    group.finish();
}

/// A default log, where most events are INFO: every literal searched in every event, against
/// each event searched for the literals of the rules its level allows, and the whole scan.
fn default_log(c: &mut Criterion) {
    let rules = embedded_rules();
    let log = generate_log(&LogSpec::new("acopswareexecutor", LogKind::Default, LOG_BYTES, 7));
    assert!(!log.expected.is_empty(), "the log holds faults");
    let text = &log.text[..];
    let scope = Scope::for_component(&rules, "acopswareexecutor");
    let records: Vec<Record<'_>> = Records::new(text).collect();
    let mut group = c.benchmark_group("default log");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Bytes(text.len() as u64));

    let every: Vec<LiteralHit> = rules.literal_iter_in(&scope, text).collect();
    group.bench_function("literal hits, every event searched for every literal", |b| {
        b.iter(|| assert_eq!(rules.literal_iter_in(&scope, black_box(text)).count(), every.len()))
    });

    // The events whose level every rule reads get exactly their hits of the search above; the
    // others (INFO, DEBUG) a part of them.
    let mut event_hits = EventHits::default();
    let by_level = event_hits.search(&rules, &scope, text, &records, |_| true).to_vec();
    let mut lost = 0;
    for record in &records {
        let inside = |hits: &[LiteralHit]| -> Vec<LiteralHit> {
            let end = record.offset + record.bytes.len();
            hits.iter().copied().filter(|h| h.start >= record.offset && h.start < end).collect()
        };
        let (all, kept) = (inside(&every), inside(&by_level));
        assert!(kept.iter().all(|hit| all.contains(hit)), "a hit the full search does not find");
        if matches!(record.level, Level::Warn | Level::Error | Level::Fatal | Level::Unknown) {
            assert_eq!(kept, all, "an event every rule reads keeps every hit");
        }
        lost += all.len() - kept.len();
    }
    assert!(lost > 0, "INFO events hold literals only rules of other levels read");
    group.bench_function("event hits, each event searched for the literals its level needs", |b| {
        b.iter(|| {
            let found = event_hits.search(&rules, &scope, black_box(text), &records, |_| true).len();
            assert_eq!(found, by_level.len());
        })
    });

    bench_scan_one_source(&mut group, &rules, DEFAULT_LOG_PATH, &log);
    group.finish();
}

fn whole_scan(c: &mut Criterion) {
    let rules = embedded_rules();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root: PathBuf = dir.path().join("bundle");
    let spec = BundleSpec { total_bytes: 64 << 20, files: 40, gz_fraction: 0.25, ..BundleSpec::default() };
    let bundle = generate_bundle(&root, &spec).expect("the bundle is written");
    let want = expected_counts(&bundle.expected);

    let mut group = c.benchmark_group("scan bundle 64MiB");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Bytes(bundle.bytes));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        let scanner = Scanner::new(&rules, ScanOptions::default());
        let label = if threads == 1 { "1 thread".to_string() } else { format!("{threads} threads") };
        group.bench_function(label, |b| {
            b.iter(|| {
                let discovery = discover(std::slice::from_ref(&root)).expect("the bundle is there");
                let outcome = pool.install(|| scanner.scan(discovery, &|_| {}));
                assert_eq!(counts_by_fault(&rules, &outcome), want, "matches per fault id");
                assert_eq!(
                    (outcome.files, outcome.bytes, outcome.events, outcome.lines),
                    (bundle.files as u64, bundle.bytes, bundle.events, bundle.lines)
                );
                assert!(outcome.skipped.is_empty(), "nothing skipped: {:?}", outcome.skipped);
                outcome
            })
        });
    }
    group.finish();
}

criterion_group!(benches, compile_pack, stages, default_log, whole_scan);
criterion_main!(benches);
