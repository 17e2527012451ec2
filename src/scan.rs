//! The glue of the pipeline: reads every unit of a bundle (`input`), splits each log into events
//! (`event`), asks the compiled rules which faults each event shows (`rules`), runs the file
//! checks (`analyze`) and groups the results (`classify`) into one [`ScanOutcome`].
//!
//! Parallel without shared mutable state: units run in parallel, archive members are scanned
//! while the next one is read, and a large file is cut into chunks at event boundaries that are
//! scanned in parallel. Every piece produces its own partial outcome; partial outcomes merge in
//! any order to the same result.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use rayon::prelude::*;

use crate::analyze::{
    ChainHop, ConfigFileFact, CrlfFacts, EncodingFacts, ErrorCounter, ExeurlFact, Facts, LogCoverage, NewTaskLine,
    Outcome, TaskBatch, TaskId, TaskSource, Tracker, crlf_facts, drop_task_lines_before, empty_keys, encoding_facts,
    header_task_id, is_command, order_id, parse_exeurl,
};
use crate::classify::{Evidence, FindingSet, GroupKey, SourceUnclassified, Template, UnclassifiedSet, message_start};
use crate::event::{Level, Record, Records, Timestamp, chunk_ranges};
use crate::input::{
    CUT_SHORT, Discovery, FileKind, InputOptions, Loaded, Skipped, Source, Transcoded, Unit, load_unit,
};
use crate::rules::{Check, CompiledRules, EventHits, LiteralHit, Role, RuleKind, RuleMatch, Scope, Scratch};

/// The text kept of each task line: tasks are many, and their lines are shown only for the
/// tasks a report lists.
const TASK_TEXT: usize = 240;

/// How many exeurls per host a scan keeps by default: the manual's `tail -100 | grep exeurl`.
pub const DEFAULT_EXEURLS_PER_HOST: usize = 100;

/// Default size of the chunks a large file is cut into.
pub const DEFAULT_CHUNK_SIZE: usize = 4 << 20;

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Evidence samples kept per finding.
    pub samples: usize,
    /// The newest exeurls kept per host (`None`: all of them).
    pub exeurls_per_host: Option<usize>,
    /// Files larger than one and a half times this are cut into chunks of about this size.
    pub chunk_size: usize,
    /// Only events from this time on (the logs' local time).
    pub since: Option<Timestamp>,
    /// Only events up to this time.
    pub until: Option<Timestamp>,
    /// The most task lines kept for the task analysis (the newest).
    pub task_lines: usize,
    pub input: InputOptions,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            samples: 3,
            exeurls_per_host: Some(DEFAULT_EXEURLS_PER_HOST),
            chunk_size: DEFAULT_CHUNK_SIZE,
            since: None,
            until: None,
            task_lines: Facts::TASK_LINES,
            input: InputOptions::default(),
        }
    }
}

/// Everything a scan found and read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOutcome {
    /// Sources scanned (files, archive members, standard input).
    pub files: u64,
    pub bytes: u64,
    pub events: u64,
    pub lines: u64,
    pub ignored: u64,
    pub skipped: Vec<Skipped>,
    /// Logs decoded to UTF-8 before they were scanned.
    pub transcoded: Vec<Transcoded>,
    pub findings: FindingSet,
    /// ERROR events no rule matched, by message template.
    pub unclassified: UnclassifiedSet,
    /// What the analyses across events need: agents' commands, errors per minute.
    pub facts: Facts,
}

impl ScanOutcome {
    fn empty(options: &ScanOptions) -> Self {
        ScanOutcome {
            files: 0,
            bytes: 0,
            events: 0,
            lines: 0,
            ignored: 0,
            skipped: Vec::new(),
            transcoded: Vec::new(),
            findings: FindingSet::new(options.samples),
            unclassified: UnclassifiedSet::default(),
            facts: Facts::new(options.exeurls_per_host).with_task_line_limit(options.task_lines),
        }
    }

    fn merge(&mut self, other: ScanOutcome) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.events += other.events;
        self.lines += other.lines;
        self.ignored += other.ignored;
        self.skipped.extend(other.skipped);
        self.transcoded.extend(other.transcoded);
        self.findings.merge(other.findings);
        self.unclassified.merge(other.unclassified);
        self.facts.merge(other.facts);
    }
}

/// Scans bundles with one compiled rule pack.
pub struct Scanner<'a> {
    rules: &'a CompiledRules,
    options: ScanOptions,
    /// Task lines older than this (milliseconds of local time) cannot be among the newest a scan
    /// keeps (see `count_task_minutes`): every thread drops them as it reads them.
    task_cutoff: AtomicI64,
    /// Task lines kept so far, per minute of local time: where the cutoff comes from.
    task_minutes: Mutex<TaskMinutes>,
    /// Sources read but not yet scanned (windows of decompressed logs, archive members), over
    /// every unit: each holds its bytes.
    in_flight: AtomicUsize,
    /// The most sources that were in flight at once.
    most_in_flight: AtomicUsize,
}

/// Task lines counted per minute, and the newest minute from which on at least a given number
/// were counted: the cutoff older lines are dropped at. The cutoff only moves forward, so each
/// count costs a map update, not a walk over every minute (the walk was 4% of a scan of 10,000
/// small logs).
#[derive(Debug, Default)]
struct TaskMinutes {
    counts: BTreeMap<i64, u64>,
    /// The oldest minute counted from: until `limit` lines are counted, the oldest of all.
    from: Option<i64>,
    /// Lines counted from `from` on.
    newer: u64,
}

impl TaskMinutes {
    /// Counts `count` lines of `minute`; returns the cutoff minute once `limit` lines are counted
    /// from it on.
    fn add(&mut self, minute: i64, count: u64, limit: u64) -> Option<i64> {
        *self.counts.entry(minute).or_default() += count;
        match self.from {
            Some(from) if minute >= from => self.newer += count,
            // Older than a cutoff already found: it changes nothing.
            Some(_) if self.newer >= limit => return None,
            _ => {
                self.from = Some(minute);
                self.newer += count;
            }
        }
        let mut from = self.from?;
        while let Some(next) = self.counts.range(from + 1..).next().map(|(minute, _)| *minute) {
            let oldest = self.counts[&from];
            if self.newer - oldest < limit {
                break;
            }
            self.newer -= oldest;
            from = next;
        }
        self.from = Some(from);
        (self.newer >= limit).then_some(from)
    }
}

/// What every chunk of one source shares.
struct SourceContext<'a> {
    unit: u32,
    source: &'a Source,
    path: Arc<str>,
    archive: Option<Arc<str>>,
    component: Arc<str>,
    host: Arc<str>,
    scope: Scope,
    /// The agent's log (or a log of unknown component): its `exeurl` fields are read.
    reads_exeurls: bool,
    /// A `common-error.log`: its error events count towards error-rate alerts.
    counts_errors: bool,
    /// The task rule applies to the source: it may hold task lines.
    records_tasks: bool,
}

impl<'a> Scanner<'a> {
    pub fn new(rules: &'a CompiledRules, options: ScanOptions) -> Self {
        Scanner {
            rules,
            options,
            task_cutoff: AtomicI64::new(i64::MIN),
            task_minutes: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
        }
    }

    /// Scans every unit of `discovery` on the current rayon pool. `progress` is told the size of
    /// each unit when it is done.
    pub fn scan(&self, discovery: Discovery, progress: &(dyn Fn(u64) + Sync)) -> ScanOutcome {
        // Largest first, so that no thread is left with a big file while the others are idle;
        // results do not depend on the order, and units keep their index for evidence order.
        let mut order: Vec<(u32, &Unit)> = discovery.units.iter().enumerate().map(|(i, u)| (i as u32, u)).collect();
        order.sort_by_key(|(index, unit)| (std::cmp::Reverse(unit.size), *index));
        // One outcome that each unit's joins when done (merging is order-independent): partial
        // outcomes waiting in a reduction tree would each hold their task lines.
        let total = Mutex::new(ScanOutcome::empty(&self.options));
        order.into_par_iter().with_max_len(1).for_each(|(index, unit)| {
            let part = self.scan_unit(index, unit);
            progress(unit.size);
            self.merge_shared(&total, part);
        });
        let mut outcome = total.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        outcome.facts.chain_hops.finish();
        outcome.facts.trim_tasks_in_parallel();
        outcome.facts.trim_exeurls();
        outcome.ignored += discovery.ignored;
        outcome.skipped.extend(discovery.skipped);
        outcome.skipped.sort();
        outcome.skipped.dedup();
        outcome.transcoded.sort();
        outcome.transcoded.dedup();
        outcome
    }

    /// Reads one unit and scans its sources; archive members are scanned while the next member
    /// is read.
    pub fn scan_unit(&self, index: u32, unit: &Unit) -> ScanOutcome {
        let (sender, receiver) = mpsc::channel();
        // Sources read but not yet scanned hold their bytes (a window of a decompressed log is
        // 16 MiB): at most one per thread at once over the whole scan, so that memory does not
        // grow when reading outruns scanning, whether in one archive or in the units each
        // thread reads. With a budget per unit, a 4 GiB bundle of large rotated `.gz` logs
        // peaked at 1.3 times the memory of a 1 GiB one on 2 threads (1.06 times since).
        let max_in_flight = rayon::current_num_threads();
        let in_flight = &self.in_flight;
        let take_slot =
            || in_flight.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < max_in_flight).then_some(n + 1));
        let mut outcome = ScanOutcome::empty(&self.options);
        // Only this thread receives; the lock makes the receiver shareable with the scope.
        let receiver = Mutex::new(receiver);
        rayon::scope(|scope| {
            load_unit(unit, &self.options.input, &mut |loaded| {
                // Merge what is done as reading goes: a large log comes in many windows, and
                // their outcomes (task lines above all) should not wait for the last one.
                while let Ok(part) = receiver.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).try_recv() {
                    self.merge(&mut outcome, part);
                }
                match loaded {
                    Loaded::Source(source) if take_slot().is_err() => {
                        let part = self.scan_source(index, &source);
                        self.merge(&mut outcome, part);
                    }
                    Loaded::Source(source) => {
                        let sender = sender.clone();
                        self.most_in_flight.fetch_max(in_flight.load(Ordering::Acquire), Ordering::Relaxed);
                        scope.spawn(move |_| {
                            let _ = sender.send(self.scan_source(index, &source));
                            drop(source);
                            in_flight.fetch_sub(1, Ordering::AcqRel);
                        });
                    }
                    Loaded::Skipped(skipped) => {
                        let mut part = ScanOutcome::empty(&self.options);
                        part.skipped.push(skipped);
                        let _ = sender.send(part);
                    }
                    Loaded::Ignored => {
                        let mut part = ScanOutcome::empty(&self.options);
                        part.ignored = 1;
                        let _ = sender.send(part);
                    }
                    Loaded::Transcoded(transcoded) => {
                        let mut part = ScanOutcome::empty(&self.options);
                        part.transcoded.push(transcoded);
                        let _ = sender.send(part);
                    }
                }
            });
        });
        drop(sender);
        for part in receiver.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            self.merge(&mut outcome, part);
        }
        outcome
    }

    /// Scans one source: a log event by event, a properties file with the file checks.
    pub fn scan_source(&self, unit: u32, source: &Source) -> ScanOutcome {
        let scope = Scope::for_component(self.rules, &source.identity.component);
        let records_tasks = self
            .rules
            .pack()
            .rules()
            .iter()
            .enumerate()
            .any(|(index, rule)| rule.tasks.is_some() && scope.is_active(index));
        let ctx = SourceContext {
            unit,
            source,
            path: source.path.as_str().into(),
            archive: source.archive.as_deref().map(Arc::from),
            component: source.identity.component.as_str().into(),
            host: source.identity.host.as_str().into(),
            scope,
            reads_exeurls: matches!(source.identity.component.as_str(), "staragent" | crate::input::UNKNOWN),
            counts_errors: source.path.rsplit(['/', '\\']).next().is_some_and(|name| name.contains("common-error.log")),
            records_tasks,
        };
        let mut outcome = match source.kind {
            FileKind::Log => self.scan_log(&ctx),
            FileKind::Properties => self.check_properties(&ctx),
        };
        // A window of a large decompressed log: its lines follow the windows before it.
        if source.first_line > 0 {
            outcome.findings.shift_lines(source.first_line);
            outcome.unclassified.shift_lines(source.first_line);
            outcome.facts.shift_lines(source.first_line);
        }
        outcome.files = u64::from(!source.continued);
        outcome.bytes = source.bytes.len() as u64;
        if source.bytes.cut_short() {
            outcome.skipped.push(Skipped { path: source.path.clone(), reason: CUT_SHORT.to_string(), report: None });
        }
        outcome
    }

    fn scan_log(&self, ctx: &SourceContext<'_>) -> ScanOutcome {
        let buf: &[u8] = &ctx.source.bytes;
        let ranges: Vec<Range<usize>> =
            if buf.len() > self.options.chunk_size.saturating_add(self.options.chunk_size / 2) {
                chunk_ranges(buf, self.options.chunk_size)
            } else {
                std::iter::once(0..buf.len()).collect()
            };
        // One chunk per job: rayon otherwise folds a run of chunks in one job that no idle
        // thread can take a part of, and the scan ended with one thread reading the last few
        // chunks of a large log while the other waited (10 to 45 ms of a 0.7 s scan).
        let parts: Vec<ScanOutcome> = ranges
            .into_par_iter()
            .with_max_len(1)
            .map(|range| {
                let part = self.scan_chunk(ctx, &buf[range.clone()]);
                ctx.source.bytes.release(range);
                part
            })
            .collect();
        let mut outcome = ScanOutcome::empty(&self.options);
        let mut line_base = 0;
        for mut part in parts {
            part.findings.shift_lines(line_base);
            part.unclassified.shift_lines(line_base);
            part.facts.shift_lines(line_base);
            line_base += part.lines;
            self.merge(&mut outcome, part);
        }
        outcome
    }

    /// One walk over the chunk's events, a batch at a time: each batch is searched for the
    /// literals of the rules its events' levels allow, then rules are evaluated only on events
    /// that hold a literal (or when the pack has unfiltered signatures).
    fn scan_chunk(&self, ctx: &SourceContext<'_>, chunk: &[u8]) -> ScanOutcome {
        let mut scan = ChunkScan::new(self, ctx, chunk);
        let mut event_hits = EventHits::default();
        let mut batch: Vec<Record<'_>> = Vec::new();
        let mut records = Records::new(chunk);
        let windowed = self.options.since.is_some() || self.options.until.is_some();
        let in_window = |record: &Record<'_>| !windowed || self.in_window(record.timestamp);
        while fill_batch(&mut records, &mut batch) {
            let mut hits =
                event_hits.search(self.rules, &ctx.scope, chunk, &batch, in_window).iter().copied().peekable();
            for record in &batch {
                let end = record.offset + record.bytes.len();
                let inside = std::iter::from_fn(|| hits.next_if(|hit| hit.start < end));
                if in_window(record) {
                    scan.event(record, inside);
                } else {
                    inside.for_each(drop);
                    scan.skip(record);
                }
            }
        }
        scan.finish(records.lines())
    }

    /// Adds a chunk's task lines to the count per minute, and raises the cutoff to the start of
    /// the newest minute from which on the scan has kept as many lines as it keeps in all: a
    /// line of an older minute has that many newer lines and cannot be among the newest.
    fn count_task_minutes(&self, batch: &TaskBatch) {
        let mut counts: Vec<(i64, u64)> = Vec::new();
        for timestamp in batch.keys().filter_map(|(timestamp, _)| timestamp) {
            let minute = timestamp.local_millis().div_euclid(60_000);
            match counts.last_mut() {
                Some((last, count)) if *last == minute => *count += 1,
                _ => counts.push((minute, 1)),
            }
        }
        if counts.is_empty() {
            return;
        }
        let mut minutes = self.task_minutes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let limit = self.options.task_lines as u64;
        if let Some(cutoff) = counts.into_iter().filter_map(|(minute, count)| minutes.add(minute, count, limit)).max() {
            self.task_cutoff.fetch_max(cutoff.saturating_mul(60_000), Ordering::Relaxed);
        }
    }

    /// Merges `part` into `outcome`, and drops the task lines the scan has since found too old
    /// to keep.
    fn merge(&self, outcome: &mut ScanOutcome, part: ScanOutcome) {
        outcome.merge(part);
        if let Some(cutoff) = self.drop_due(outcome) {
            outcome.facts.drop_tasks_before(cutoff);
        }
    }

    /// Merges a unit's outcome into the scan's, which every thread shares. Old task lines are
    /// dropped outside the lock: the drop copies the lines kept (tens of milliseconds), and the
    /// other threads would wait for it to merge. Nothing parallel runs under the lock: a thread
    /// waiting for parallel work runs other jobs meanwhile, and another unit's merge would then
    /// wait for the lock that same thread holds, for ever.
    fn merge_shared(&self, total: &Mutex<ScanOutcome>, part: ScanOutcome) {
        let lock = || total.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (mut batches, cutoff) = {
            let mut total = lock();
            total.merge(part);
            match self.drop_due(&total) {
                Some(cutoff) => (std::mem::take(&mut total.facts.tasks), cutoff),
                None => return,
            }
        };
        let dropped = drop_task_lines_before(&mut batches, cutoff);
        let mut total = lock();
        total.facts.tasks.append(&mut batches);
        total.facts.task_lines_dropped += dropped;
    }

    /// The cutoff to drop task lines at, when `outcome` holds enough to make it worth it.
    /// Dropping reads every line held: done at every merge, it read the same lines again and
    /// again (81 ms of a 1 GiB scan on 2 threads). It waits until an eighth more lines than are
    /// kept are held; a quarter more, and the merge trims them by itself.
    fn drop_due(&self, outcome: &ScanOutcome) -> Option<Timestamp> {
        let cutoff = self.task_cutoff.load(Ordering::Relaxed);
        let limit = outcome.facts.task_limit();
        (cutoff != i64::MIN && outcome.facts.task_lines_held() > limit + limit / 8)
            .then(|| Timestamp::from_local_millis(cutoff))
    }

    /// Whether a task line is older than every line the scan will keep.
    fn is_past_task_cutoff(&self, timestamp: Option<Timestamp>) -> bool {
        let cutoff = self.task_cutoff.load(Ordering::Relaxed);
        cutoff != i64::MIN && timestamp.is_none_or(|t| t.local_millis() < cutoff)
    }

    /// Whether an event belongs to the `--since`/`--until` window; an event without a timestamp
    /// cannot be placed in it and does not.
    fn in_window(&self, timestamp: Option<Timestamp>) -> bool {
        let Some(ts) = timestamp else { return false };
        self.options.since.is_none_or(|since| ts >= since) && self.options.until.is_none_or(|until| ts <= until)
    }

    /// The header of an event as evidence, without fields.
    fn plain_evidence(&self, ctx: &SourceContext<'_>, record: &Record<'_>) -> Evidence {
        let (text, text_truncated) = Evidence::cap(record.header_line());
        Evidence { text, text_truncated, ..self.bare_evidence(ctx, record) }
    }

    /// Where an event is, as evidence without text or fields.
    fn bare_evidence(&self, ctx: &SourceContext<'_>, record: &Record<'_>) -> Evidence {
        Evidence {
            position: (ctx.unit, ctx.source.member, record.line),
            path: ctx.path.clone(),
            archive: ctx.archive.clone(),
            line: record.line,
            timestamp: record.timestamp,
            text: Vec::new(),
            text_truncated: false,
            matched: None,
            fields: Vec::new(),
        }
    }

    /// A line that starts or ends a task, with the fields the rule captures (`task_id` above all).
    /// Tasks are many: only a timed-out end (which may become a finding) gets every field the
    /// rule captures; other events keep their task id, script and logged cost, and a short text.
    fn record_task(&self, record: &Record<'_>, m: &RuleMatch, role: Role, batch: &mut TaskBatch) {
        let outcome = (role == Role::TaskEnd).then(|| Outcome::of(record.bytes));
        let header = record.header_line();
        let (task_id, fields) = if outcome == Some(Outcome::Timeout) {
            let fields = self.rules.fields(m, record);
            let id = fields.iter().find(|(name, _)| name == "task_id").and_then(|(_, id)| TaskId::parse(id.as_bytes()));
            let Some(id) = id else { return };
            (id, fields)
        } else {
            let Some(id) = header_task_id(header) else { return };
            (id, Vec::new())
        };
        batch.push(NewTaskLine {
            task_id,
            role,
            outcome,
            timestamp: record.timestamp,
            line: record.line,
            header,
            max_text: TASK_TEXT,
            fields,
        });
    }

    /// Parses the newest commands of a chunk (as many as a host keeps) and counts them all.
    fn record_exeurls(
        &self,
        ctx: &SourceContext<'_>,
        chunk: &[u8],
        mut spots: Vec<(Option<Timestamp>, u64, usize)>,
        facts: &mut Facts,
    ) {
        facts.exeurls_seen += spots.len() as u64;
        if let Some(limit) = facts.exeurl_limit() {
            spots.sort_unstable_by_key(|spot| std::cmp::Reverse((spot.0, spot.1)));
            spots.truncate(limit);
        }
        for (timestamp, line, offset) in spots {
            let start = memchr::memrchr(b'\n', &chunk[..offset]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &chunk[offset..]).map_or(chunk.len(), |i| offset + i);
            let text = crate::event::trim_cr(&chunk[start..end]);
            let Some(command) = parse_exeurl(text, offset - start) else { continue };
            facts.add_exeurl(ExeurlFact {
                host: ctx.host.clone(),
                path: ctx.path.clone(),
                archive: ctx.archive.clone(),
                position: (ctx.unit, ctx.source.member, line),
                line,
                timestamp,
                command,
                task_id: header_task_id(text).map(|id| id.to_string()),
            });
        }
    }

    fn record_unclassified(
        &self,
        ctx: &SourceContext<'_>,
        record: &Record<'_>,
        template: &mut Template,
        part: &mut SourceUnclassified,
    ) {
        let header = record.header_line();
        let text = template.build(&header[message_start(header)..]);
        let position = (ctx.unit, ctx.source.member, record.line);
        part.record(text, record.timestamp, position, || self.plain_evidence(ctx, record));
    }

    fn record_match(&self, ctx: &SourceContext<'_>, record: &Record<'_>, m: &RuleMatch, findings: &mut FindingSet) {
        let key = GroupKey { rule: m.rule, component: ctx.component.clone(), host: ctx.host.clone() };
        let position = (ctx.unit, ctx.source.member, record.line);
        findings.record(key, record.timestamp, position, || {
            let (match_line, match_text) = record.line_at(self.rules.match_offset(m, record));
            let matched = (match_line != record.line).then(|| {
                let (text, cut) = Evidence::cap(match_text);
                (match_line, text, cut)
            });
            Evidence { matched, fields: self.rules.fields(m, record), ..self.plain_evidence(ctx, record) }
        });
    }

    /// A matched event that names a release order or a task is a hop of that release's chain.
    fn record_chain_hop(&self, ctx: &SourceContext<'_>, record: &Record<'_>, rule: usize, facts: &mut Facts) {
        // An event without a timestamp cannot be placed in a chain.
        if record.timestamp.is_none() {
            return;
        }
        let header = record.header_line();
        let order = order_id(header).map(|id| String::from_utf8_lossy(id).into());
        let task = header_task_id(header);
        if order.is_none() && task.is_none() {
            return;
        }
        facts.add_chain_hop(ChainHop {
            order_id: order,
            task_id: task,
            rule,
            component: ctx.component.clone(),
            host: ctx.host.clone(),
            evidence: self.plain_evidence(ctx, record),
        });
    }

    fn check_properties(&self, ctx: &SourceContext<'_>) -> ScanOutcome {
        let mut outcome = ScanOutcome::empty(&self.options);
        let bytes: &[u8] = &ctx.source.bytes;
        outcome.lines = bytecount_lines(bytes);
        let (crlf, encoding) = (crlf_facts(bytes), encoding_facts(bytes));
        outcome.facts.config_files.push(config_file_fact(ctx, bytes, outcome.lines, crlf.as_ref(), encoding.as_ref()));
        for (index, rule) in self.rules.pack().rules().iter().enumerate() {
            let RuleKind::File(check) = rule.kind else { continue };
            let fact = match check {
                Check::PropertiesCrlf => crlf.as_ref().map(|f| {
                    let fields = vec![
                        ("crlf_lines".to_string(), f.crlf_lines.to_string()),
                        ("total_lines".to_string(), f.total_lines.to_string()),
                        ("first_crlf_line".to_string(), f.first_line.to_string()),
                    ];
                    (f.first_line, f.first_text.clone(), fields)
                }),
                Check::PropertiesEncoding => encoding.as_ref().map(|f| {
                    let text = line_text(bytes, f.offset);
                    let mut fields =
                        vec![("problem".to_string(), f.problem.clone()), ("offset".to_string(), f.offset.to_string())];
                    if let Some(gbk) = &f.gbk {
                        fields.push(("decodes_as_gbk".to_string(), gbk.decodes.to_string()));
                        fields.extend(gbk.line_text.clone().map(|line| ("gbk_line".to_string(), line)));
                    }
                    (f.line, text, fields)
                }),
            };
            let Some((line, text, mut fields)) = fact else { continue };
            fields.push(("path".to_string(), ctx.source.path.clone()));
            let key = GroupKey { rule: index, component: ctx.component.clone(), host: ctx.host.clone() };
            let position = (ctx.unit, ctx.source.member, line);
            outcome.findings.record(key, None, position, || {
                let (text, text_truncated) = Evidence::cap(&text);
                Evidence {
                    position,
                    path: ctx.path.clone(),
                    archive: ctx.archive.clone(),
                    line,
                    text,
                    text_truncated,
                    fields,
                    ..Evidence::empty()
                }
            });
        }
        outcome
    }
}

/// Everything the configuration checks read of one file, for the report's list of them.
fn config_file_fact(
    ctx: &SourceContext<'_>,
    bytes: &[u8],
    lines: u64,
    crlf: Option<&CrlfFacts>,
    encoding: Option<&EncodingFacts>,
) -> ConfigFileFact {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    ConfigFileFact {
        path: ctx.path.clone(),
        archive: ctx.archive.clone(),
        component: ctx.component.clone(),
        host: ctx.host.clone(),
        position: (ctx.unit, ctx.source.member, 0),
        lines,
        crlf_lines: crlf.map_or(0, |c| c.crlf_lines),
        first_crlf_line: crlf.map(|c| c.first_line),
        bom,
        not_utf8_at: encoding.filter(|e| e.gbk.is_some()).map(|e| e.offset),
        decodes_as_gbk: encoding.and_then(|e| e.gbk.as_ref()).map(|g| g.decodes),
        empty_keys: empty_keys(bytes),
    }
}

/// What the scan of one chunk has found so far, event by event.
struct ChunkScan<'s, 'c> {
    scanner: &'s Scanner<'s>,
    ctx: &'s SourceContext<'s>,
    chunk: &'c [u8],
    outcome: ScanOutcome,
    scratch: Scratch,
    found: Vec<RuleMatch>,
    template: Template,
    unclassified: SourceUnclassified,
    errors: ErrorCounter,
    /// Where `exeurl` occurs in the chunk (agent logs only), and the next one to read.
    exeurls: Vec<usize>,
    exeurl_cursor: usize,
    /// Where the commands are; only the newest few are parsed, at the end of the chunk.
    exeurl_spots: Vec<(Option<Timestamp>, u64, usize)>,
    tasks: TaskBatch,
    heartbeats: Option<Tracker>,
    /// The first and last timestamps read, window or not: coverage says whether the log covers
    /// the window.
    first: Option<Timestamp>,
    last: Option<Timestamp>,
}

impl<'s, 'c> ChunkScan<'s, 'c> {
    fn new(scanner: &'s Scanner<'s>, ctx: &'s SourceContext<'s>, chunk: &'c [u8]) -> Self {
        let mut tasks = TaskBatch::new(TaskSource {
            component: ctx.component.clone(),
            host: ctx.host.clone(),
            path: ctx.path.clone(),
            archive: ctx.archive.clone(),
            unit: ctx.unit,
            member: ctx.source.member,
        });
        if ctx.records_tasks {
            tasks.reserve_for(chunk.len());
        }
        ChunkScan {
            scanner,
            ctx,
            chunk,
            outcome: ScanOutcome::empty(&scanner.options),
            scratch: Scratch::default(),
            found: Vec::new(),
            template: Template::default(),
            unclassified: SourceUnclassified::default(),
            errors: ErrorCounter::default(),
            exeurls: if ctx.reads_exeurls { memchr::memmem::find_iter(chunk, b"exeurl").collect() } else { Vec::new() },
            exeurl_cursor: 0,
            exeurl_spots: Vec::new(),
            tasks,
            heartbeats: scanner
                .rules
                .pack()
                .rules()
                .iter()
                .find_map(|r| r.heartbeat)
                .map(|h| Tracker::new(h.max_gap_seconds)),
            first: None,
            last: None,
        }
    }

    /// An event of the window, with the literal hits inside it.
    fn event(&mut self, record: &Record<'_>, hits: impl Iterator<Item = LiteralHit>) {
        self.see_time(record);
        self.outcome.events += 1;
        self.read_exeurls(record);
        if self.ctx.counts_errors && matches!(record.level, Level::Error | Level::Fatal | Level::Unknown) {
            if let Some(timestamp) = record.timestamp {
                self.errors.add(timestamp, || self.scanner.plain_evidence(self.ctx, record));
            }
        }
        let mut hits = hits.peekable();
        if hits.peek().is_some() || self.scanner.rules.has_unfiltered() {
            let found = &mut self.found;
            self.scanner.rules.evaluate(record, hits, &self.ctx.scope, &mut self.scratch, |m| found.push(m));
        }
        if self.found.is_empty() {
            if record.level >= Level::Error {
                self.scanner.record_unclassified(self.ctx, record, &mut self.template, &mut self.unclassified);
            }
            return;
        }
        for i in 0..self.found.len() {
            let m = self.found[i];
            self.record_found(record, &m);
        }
        self.found.clear();
    }

    /// An event outside the `--since`/`--until` window: only its time counts, for coverage.
    fn skip(&mut self, record: &Record<'_>) {
        self.see_time(record);
        self.pass_exeurls(record);
    }

    fn see_time(&mut self, record: &Record<'_>) {
        if let Some(ts) = record.timestamp {
            self.first = Some(self.first.map_or(ts, |f| f.min(ts)));
            self.last = Some(self.last.map_or(ts, |l| l.max(ts)));
        }
    }

    /// Notes where the event's `exeurl` commands are.
    fn read_exeurls(&mut self, record: &Record<'_>) {
        for i in self.pass_exeurls(record) {
            let offset = self.exeurls[i];
            let (line, start, text) = record.line_and_start_at(offset);
            if is_command(text, offset - start) {
                self.exeurl_spots.push((record.timestamp, line, offset));
            }
        }
    }

    /// Moves past the `exeurl`s inside the event; returns their indexes in `exeurls`.
    fn pass_exeurls(&mut self, record: &Record<'_>) -> Range<usize> {
        let end = record.offset + record.bytes.len();
        let from = self.exeurl_cursor;
        self.exeurl_cursor += self.exeurls[from..].iter().take_while(|offset| **offset < end).count();
        from..self.exeurl_cursor
    }

    /// One rule that holds for the event: a finding, or what an analysis reads (a heartbeat, a
    /// task line).
    fn record_found(&mut self, record: &Record<'_>, m: &RuleMatch) {
        let (scanner, ctx) = (self.scanner, self.ctx);
        let rule = scanner.rules.rule(m.rule);
        match (&rule.kind, &mut self.heartbeats) {
            (RuleKind::Analysis(_), Some(tracker)) if rule.heartbeat.is_some() => {
                if let Some(timestamp) = record.timestamp {
                    let position = (ctx.unit, ctx.source.member, record.line);
                    tracker.beat(timestamp, |slot| {
                        slot.fill(position, &ctx.path, &ctx.archive, record.timestamp, record.header_line())
                    });
                }
            }
            (RuleKind::Analysis(signatures), _) if rule.tasks.is_some() => {
                if let Some(role) = signatures.get(m.signature).and_then(|s| s.role) {
                    if scanner.is_past_task_cutoff(record.timestamp) {
                        self.outcome.facts.task_lines_dropped += 1;
                    } else {
                        scanner.record_task(record, m, role, &mut self.tasks);
                    }
                }
            }
            (RuleKind::Analysis(_), _) => {}
            _ => {
                scanner.record_match(ctx, record, m, &mut self.outcome.findings);
                scanner.record_chain_hop(ctx, record, m.rule, &mut self.outcome.facts);
            }
        }
    }

    /// The chunk's outcome, once every event is read.
    fn finish(self, lines: u64) -> ScanOutcome {
        let ChunkScan {
            scanner,
            ctx,
            chunk,
            mut outcome,
            unclassified,
            errors,
            exeurl_spots,
            mut tasks,
            heartbeats,
            ..
        } = self;
        outcome.lines = lines;
        let key = (ctx.component.clone(), ctx.host.clone());
        outcome.facts.coverage.insert(key.clone(), LogCoverage::of(&ctx.path, self.first, self.last, outcome.events));
        scanner.record_exeurls(ctx, chunk, exeurl_spots, &mut outcome.facts);
        scanner.count_task_minutes(&tasks);
        tasks.sort();
        tasks.shrink();
        outcome.facts.add_tasks(tasks);
        if let Some(segment) = heartbeats.and_then(Tracker::finish) {
            outcome.facts.heartbeats.insert(key.clone(), vec![segment]);
        }
        outcome.unclassified.absorb(unclassified, &ctx.component, &ctx.host);
        let errors = errors.finish();
        if errors.total() > 0 {
            outcome.facts.error_minutes.insert(key, errors);
        }
        outcome
    }
}

/// Events searched for literals together: about a block of bytes, which stays in cache between
/// the search and the walk over the events.
const BATCH_BYTES: usize = 64 * 1024;

/// Refills `batch` with the next events, about [`BATCH_BYTES`] of them; false at the end.
fn fill_batch<'a>(records: &mut Records<'a>, batch: &mut Vec<Record<'a>>) -> bool {
    batch.clear();
    let mut bytes = 0;
    for record in records.by_ref() {
        bytes += record.bytes.len();
        batch.push(record);
        if bytes >= BATCH_BYTES {
            break;
        }
    }
    !batch.is_empty()
}

fn bytecount_lines(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    newlines + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}

/// The line that holds byte `offset`, without its terminator.
fn line_text(bytes: &[u8], offset: usize) -> Vec<u8> {
    let start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |i| offset + i);
    crate::event::trim_cr(&bytes[start..end]).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Bytes;
    use crate::rules::RulePack;

    fn rules() -> CompiledRules {
        CompiledRules::compile(RulePack::embedded().unwrap()).unwrap()
    }

    fn source(path: &str, kind: FileKind, text: &[u8]) -> Source {
        Source {
            path: path.into(),
            archive: None,
            kind,
            identity: crate::input::infer(path),
            bytes: Bytes::Owned(text.to_vec()),
            member: 0,
            first_line: 0,
            continued: false,
        }
    }

    fn log_text() -> String {
        let mut text = String::from("header without time\n");
        for i in 0..300 {
            text.push_str(&format!("2022-09-29 10:{:02}:{:02},118 INFO [t] - ok {i}\n", i / 60, i % 60));
            if i % 37 == 0 {
                text.push_str(&format!(
                    "2022-09-29 10:{:02}:{:02},500 ERROR [e] - dispatch task 1039{i:04} to 10.1.2.3 failed\n",
                    i / 60,
                    i % 60
                ));
                text.push_str(
                    "com.alipay.CommandSendException: send msg failed, target=10.1.2.3\n\tat a.b(C.java:1)\n",
                );
            }
        }
        text
    }

    /// Twenty agent logs of thirty task lines, one line a minute, scanned on two threads while
    /// older lines are dropped outside the shared outcome's lock: the fifty newest are kept and
    /// every other line is counted as dropped once.
    #[test]
    fn a_scan_of_many_logs_on_two_threads_keeps_the_newest_task_lines() {
        let rules = rules();
        let dir = tempfile::tempdir().unwrap();
        for file in 0..20 {
            let log_dir = dir.path().join(format!("app-{file}/home/staragent/log"));
            std::fs::create_dir_all(&log_dir).unwrap();
            let mut text = String::new();
            for line in 0..30 {
                let minute = file * 30 + line;
                text.push_str(&format!(
                    "[2022-09-29 {:02}:{:02}:00.000] [INFO] [worker-1] recv task jobId={}\n",
                    minute / 60,
                    minute % 60,
                    10_400_000 + minute
                ));
            }
            std::fs::write(log_dir.join("staragent_core.log"), text).unwrap();
        }
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let scanner = Scanner::new(&rules, ScanOptions { task_lines: 50, ..ScanOptions::default() });
        let discovery = crate::input::discover(&[dir.path().to_path_buf()]).unwrap();
        let outcome = pool.install(|| scanner.scan(discovery, &|_| {}));
        let mut kept: Vec<u64> = outcome.facts.task_lines().map(|l| l.task_id().to_string().parse().unwrap()).collect();
        kept.sort_unstable();
        let newest: Vec<u64> = (10_400_550..10_400_600).collect();
        assert_eq!((kept, outcome.facts.task_lines_dropped), (newest, 550));
    }

    /// Many small logs whose task lines all share one minute, so that no cutoff drops them and
    /// the shared outcome trims them at merges, on many threads: a trim that ran parallel work
    /// under the shared outcome's lock let its thread take up another unit, whose merge then
    /// waited for that lock for ever. Each scan must end.
    #[test]
    fn merges_under_the_shared_lock_never_wait_for_themselves() {
        let dir = tempfile::tempdir().unwrap();
        for file in 0..200 {
            let log_dir = dir.path().join(format!("app-{file}/home/staragent/log"));
            std::fs::create_dir_all(&log_dir).unwrap();
            let text: String = (0..40)
                .map(|line| {
                    format!(
                        "[2022-09-29 10:00:{:02}.000] [INFO] [worker-1] recv task jobId={}\n",
                        line,
                        10_400_000 + file * 40 + line
                    )
                })
                .collect();
            std::fs::write(log_dir.join("staragent_core.log"), text).unwrap();
        }
        let root = dir.path().to_path_buf();
        for round in 0..20 {
            let (done, finished) = mpsc::channel();
            let root = root.clone();
            std::thread::spawn(move || {
                let rules = rules();
                let pool = rayon::ThreadPoolBuilder::new().num_threads(16).build().unwrap();
                let scanner = Scanner::new(&rules, ScanOptions { task_lines: 100, ..ScanOptions::default() });
                let discovery = crate::input::discover(&[root]).unwrap();
                let outcome = pool.install(|| scanner.scan(discovery, &|_| {}));
                let _ = done.send((outcome.facts.task_lines().count(), outcome.facts.task_lines_dropped));
            });
            let result = finished.recv_timeout(std::time::Duration::from_secs(60));
            assert_eq!(result, Ok((100, 7_900)), "round {round}: the scan must end and keep the newest 100 lines");
        }
    }

    /// One line a minute: once ten lines of later minutes were counted, a thread drops the
    /// older lines as it reads them; what is kept is the same however the log is cut.
    #[test]
    fn the_newest_task_lines_are_kept_however_the_log_is_cut() {
        let rules = rules();
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!(
                "[2022-09-29 10:{:02}:00.000] [INFO] [worker-1] recv task jobId={} exeurl=cmd:///home/admin/bin/deploy_v2.py\n",
                i,
                10_400_000 + i
            ));
        }
        let src = source("b/app-1/home/staragent/log/staragent_core.log", FileKind::Log, text.as_bytes());
        for chunk_size in [usize::MAX / 4, 64, 500, 2000] {
            let options = ScanOptions { chunk_size, task_lines: 10, ..ScanOptions::default() };
            let mut outcome = Scanner::new(&rules, options).scan_source(0, &src);
            outcome.facts.trim_tasks();
            let mut kept: Vec<String> = outcome.facts.task_lines().map(|l| l.task_id().to_string()).collect();
            kept.sort();
            let newest: Vec<String> = (30..40).map(|i| (10_400_000 + i).to_string()).collect();
            assert_eq!((kept, outcome.facts.task_lines_dropped), (newest, 30), "chunk size {chunk_size}");
        }
        // After one scan, the ten newest lines are of 10:30 and later: every thread now drops
        // task lines older than 10:30 as it reads them.
        let scanner = Scanner::new(&rules, ScanOptions { task_lines: 10, ..ScanOptions::default() });
        scanner.scan_source(0, &src);
        let half_past = Timestamp::from_parts(2022, 9, 29, 10, 30, 0, 0).unwrap();
        assert_eq!(scanner.task_cutoff.load(Ordering::Relaxed), half_past.local_millis());
        assert!(scanner.is_past_task_cutoff(Timestamp::from_parts(2022, 9, 29, 10, 29, 59, 999)));
        assert!(!scanner.is_past_task_cutoff(Some(half_past)));
        assert!(scanner.is_past_task_cutoff(None));
    }

    proptest::proptest! {
        /// The cutoff kept as counts come in is the one a walk over every minute finds: the
        /// newest minute from which on at least `limit` lines were counted.
        #[test]
        fn the_task_cutoff_is_the_newest_minute_with_enough_lines_after_it(
            adds in proptest::collection::vec((0i64..40, 1u64..20), 1..60),
            limit in 0u64..200,
        ) {
            let mut minutes = TaskMinutes::default();
            let mut all: BTreeMap<i64, u64> = BTreeMap::new();
            let mut cutoff = None;
            for (minute, count) in adds {
                *all.entry(minute).or_default() += count;
                cutoff = minutes.add(minute, count, limit).or(cutoff);
                let mut newer = 0;
                let walked = all.iter().rev().find_map(|(minute, count)| {
                    newer += count;
                    (newer >= limit).then_some(*minute)
                });
                proptest::prop_assert_eq!(cutoff, walked);
            }
        }
    }

    /// Six `.gz` logs of many windows each, read by the threads at once: windows waiting to be
    /// scanned hold their bytes, and there are never more than one per thread in the whole scan.
    #[test]
    fn windows_waiting_to_be_scanned_are_at_most_one_per_thread() {
        use std::io::Write;
        let rules = rules();
        let dir = tempfile::tempdir().unwrap();
        for host in 0..6 {
            let path =
                dir.path().join(format!("10.0.0.{host}/home/admin/logs/acopswareexecutor/common-error.log.1.gz"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(log_text().repeat(20).as_bytes()).unwrap();
            std::fs::write(&path, gz.finish().unwrap()).unwrap();
        }
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut options = ScanOptions::default();
            options.input.window = Some(256);
            let scanner = Scanner::new(&rules, options);
            let discovery = crate::input::discover(&[dir.path().to_path_buf()]).unwrap();
            let outcome = pool.install(|| scanner.scan(discovery, &|_| {}));
            assert_eq!(outcome.files, 6);
            let most = scanner.most_in_flight.load(Ordering::Relaxed);
            assert!((1..=threads).contains(&most), "{most} windows in flight on {threads} thread(s)");
            assert_eq!(scanner.in_flight.load(Ordering::Relaxed), 0, "every window scanned gives its place back");
        }
    }

    #[test]
    fn a_gzip_log_read_in_windows_scans_like_a_whole_one() {
        use std::io::Write;
        let rules = rules();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("10.0.0.1/home/admin/logs/acopswareexecutor/common-error.log.1.gz");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(log_text().as_bytes()).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let scan = |window: Option<usize>| {
            let mut options = ScanOptions::default();
            options.input.window = window;
            let discovery = crate::input::discover(&[dir.path().to_path_buf()]).unwrap();
            Scanner::new(&rules, options).scan(discovery, &|_| {})
        };
        let (whole, windowed) = (scan(None), scan(Some(300)));
        assert_eq!((windowed.files, windowed.lines, windowed.events), (whole.files, whole.lines, whole.events));
        assert_eq!(whole.files, 1);
        type Samples = Vec<(u64, Vec<u8>)>;
        let groups = |o: &ScanOutcome| -> Vec<(u64, Samples)> {
            o.findings
                .groups()
                .map(|(_, g)| (g.count, g.samples.iter().map(|e| (e.line, e.text.clone())).collect()))
                .collect()
        };
        assert_eq!(groups(&windowed), groups(&whole));
        assert_eq!(groups(&whole)[0].0, 9);
    }

    #[test]
    fn chunked_and_whole_scans_agree() {
        let rules = rules();
        let text = log_text();
        let src =
            source("b/10.0.0.1/home/admin/logs/acopswareexecutor/common-error.log", FileKind::Log, text.as_bytes());
        let whole = Scanner::new(&rules, ScanOptions { chunk_size: usize::MAX / 4, ..ScanOptions::default() })
            .scan_source(0, &src);
        assert_eq!(whole.findings.groups().next().map(|(_, g)| g.count), Some(9));
        for chunk_size in [1, 7, 64, 500, 4096] {
            let chunked =
                Scanner::new(&rules, ScanOptions { chunk_size, ..ScanOptions::default() }).scan_source(0, &src);
            assert_eq!(chunked, whole, "chunk size {chunk_size}");
        }
    }

    #[test]
    fn evidence_names_the_header_and_the_matching_line() {
        let rules = rules();
        let text = log_text();
        let src =
            source("b/10.0.0.1/home/admin/logs/acopswareexecutor/common-error.log", FileKind::Log, text.as_bytes());
        let outcome = Scanner::new(&rules, ScanOptions::default()).scan_source(0, &src);
        let (key, group) = outcome.findings.groups().next().unwrap();
        assert_eq!(rules.rule(key.rule).id.as_str(), "dispatch.send-msg-failed");
        assert_eq!((&*key.component, &*key.host), ("acopswareexecutor", "10.0.0.1"));
        let first = &group.samples[0];
        assert_eq!(first.line, 3);
        assert!(first.text.ends_with(b"to 10.1.2.3 failed"));
        assert_eq!(first.matched.as_ref().map(|(line, _, _)| *line), Some(4));
        assert!(first.fields.contains(&("task_id".into(), "10390000".into())));
        assert_eq!(outcome.events, 1 + 300 + 9);
    }

    #[test]
    fn properties_checks() {
        let rules = rules();
        let src =
            source("b/h-1/home/admin/app/conf/application.properties", FileKind::Properties, b"a=1\r\nb=\xb2\xe2\r\n");
        let outcome = Scanner::new(&rules, ScanOptions::default()).scan_source(0, &src);
        let ids: Vec<&str> = outcome.findings.groups().map(|(k, _)| rules.rule(k.rule).id.as_str()).collect();
        assert_eq!(ids, ["config.properties-crlf", "config.properties-encoding"]);
        let (_, crlf) = outcome.findings.groups().next().unwrap();
        assert!(crlf.samples[0].fields.contains(&("crlf_lines".into(), "2".into())));
    }

    /// A mapped log that another process truncates during the scan: what it still holds is
    /// scanned, the rest reads as zeros that match nothing, and the file is listed as partly read.
    #[cfg(unix)]
    #[test]
    fn a_log_truncated_while_mapped_is_scanned_up_to_its_new_end() {
        let rules = rules();
        let failure = |minute: usize| {
            format!(
                "2022-09-29 10:{minute:02}:00,500 ERROR [e] - dispatch task 10390847 to 10.1.2.3 failed: send msg failed\n"
            )
        };
        let mut text = failure(0);
        let filler = "2022-09-29 10:01:00,000 INFO [t] - heartbeat ok, nothing to report on this line at all\n";
        while text.len() < 2 * crate::input::MMAP_THRESHOLD as usize {
            text.push_str(filler);
        }
        text.push_str(&failure(2));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b/10.0.0.1/home/admin/logs/acopswareexecutor/common-error.log");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        let mut src = source("b/10.0.0.1/home/admin/logs/acopswareexecutor/common-error.log", FileKind::Log, b"");
        src.bytes = crate::input::open_file(&path).unwrap();
        assert!(matches!(src.bytes, Bytes::Mapped(_)));
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(1 << 20).unwrap();
        for chunk_size in [usize::MAX / 4, 1 << 20] {
            let options = ScanOptions { chunk_size, ..ScanOptions::default() };
            let outcome = Scanner::new(&rules, options).scan_source(0, &src);
            let counts: Vec<u64> = outcome.findings.groups().map(|(_, group)| group.count).collect();
            assert_eq!(counts, [1], "only the failure before the cut");
            assert_eq!(
                outcome.skipped,
                [Skipped { path: src.path.clone(), reason: CUT_SHORT.to_string(), report: None }]
            );
        }
    }

    #[test]
    fn component_scope_limits_rules() {
        let rules = rules();
        // traffic rules are scoped to the IaaS adapter and the executor: an apconsole log does not fire them.
        let line = b"2022-09-29 10:16:01,223 ERROR [x] - RemoveBackendServers failed: Throttling\n";
        let console = source("b/h-1/home/admin/logs/apconsole/common-error.log", FileKind::Log, line);
        assert!(Scanner::new(&rules, ScanOptions::default()).scan_source(0, &console).findings.is_empty());
        let iaas = source("b/h-1/home/admin/logs/aciaasconnectore/common-error.log", FileKind::Log, line);
        assert!(!Scanner::new(&rules, ScanOptions::default()).scan_source(0, &iaas).findings.is_empty());
    }
}
