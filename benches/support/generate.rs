//! A deterministic generator of CAS log bundles, for benchmarks and load tests: a folder per
//! host with SOFABoot `common-error.log` and `*-default.log` files, rotated `.gz` logs, staragent
//! logs and `application.properties` files, in the shapes of `log-shapes.md`, with faults of the
//! default rule pack injected at a known rate.
//!
//! Included with `#[path]` by `benches/scan.rs` and `examples/generate_bundle.rs`; it needs std,
//! flate2, and the crate's own timestamps (to write dates). The same spec gives the same bytes: each file draws from its own splitmix64
//! stream, seeded from the spec's seed and the file's index, so files are written in parallel.
//!
//! The expected counts are exact. Every injected fault event is counted under its fault id and
//! matches that rule only; noise never holds a literal of the pack; near misses (events that hold
//! a literal but that the rule's own `no_match` examples, its `levels` or its `components` rule
//! out) are counted apart and must not match.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use flate2::{Compression, write::GzEncoder};

use self::shapes::{BUSINESS_APPS, CAUSES, EXCEPTIONS, FRAMES, SCRIPTS, Shape, faults_for, near_misses_for, noise_for};

#[path = "shapes.rs"]
mod shapes;

/// The fault ids the generator injects, as the default rule pack names them.
pub const DISPATCH: &str = "dispatch.send-msg-failed";
pub const TASK_TIMEOUT: &str = "task.python-runtimeout";
pub const HEALTHCHECK: &str = "healthcheck.runtimeout";
pub const OPENAPI: &str = "traffic.openapi-failure";
pub const ALB: &str = "traffic.alb-failure";
pub const PROPERTIES_CRLF: &str = "config.properties-crlf";

const DAY_MS: i64 = 86_400_000;
/// 2022-09-29, the day of the current logs; rotated logs are of the day before.
const CURRENT_DAY: i64 = 19_264;

/// What bundle to write.
#[derive(Debug, Clone)]
pub struct BundleSpec {
    /// Uncompressed bytes to write, about: each log ends with the event that reaches its share.
    pub total_bytes: u64,
    /// Files to write, logs and `application.properties` together.
    pub files: usize,
    /// Share of the log files that are rotated and gzipped (0 to 0.9).
    pub gz_fraction: f64,
    pub seed: u64,
    /// Mean number of events between two faults, in the logs of components that have faults.
    pub fault_every: u32,
    /// Mean number of events between two near misses; 0 for none.
    pub near_miss_every: u32,
    /// Hosts at most (0: as many as the files need). Once this many hosts have their logs, the
    /// other files are older rotations of those logs, a day further back each time (`.gz` in the
    /// share `gz_fraction`): the same files in bytes and number, with the report of a few hosts.
    pub hosts: usize,
}

impl Default for BundleSpec {
    fn default() -> Self {
        BundleSpec {
            total_bytes: 64 << 20,
            files: 40,
            gz_fraction: 0.2,
            seed: 0x05EE_DCA5,
            fault_every: 2_000,
            near_miss_every: 400,
            hosts: 0,
        }
    }
}

/// What was written, and what a scan with the default rule pack must find in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedBundle {
    /// Matches per fault id (ids with no match are absent).
    pub expected: BTreeMap<&'static str, u64>,
    /// Bytes written, uncompressed: what a scan reads.
    pub bytes: u64,
    /// Bytes on disk, gzip files compressed.
    pub bytes_on_disk: u64,
    pub files: usize,
    pub gz_files: usize,
    /// Events in the logs (each starts with a header line).
    pub events: u64,
    /// Lines in every file, properties included.
    pub lines: u64,
    pub near_misses: u64,
}

/// The three log layouts of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// SOFABoot `common-error.log`: ERROR events, many with stack traces.
    CommonError,
    /// `<app>-default.log`: INFO, WARN and DEBUG lines, now and then a long JSON digest.
    Default,
    /// `staragent_core.log`: bracketed headers, exeurl lines and heartbeats.
    Staragent,
}

/// One log to generate in memory.
#[derive(Debug, Clone)]
pub struct LogSpec {
    /// The component the log's path names (it decides which faults and near misses occur).
    pub component: &'static str,
    pub kind: LogKind,
    /// Bytes to write, about: the log ends with the first event that reaches it.
    pub bytes: usize,
    pub seed: u64,
    pub fault_every: u32,
    pub near_miss_every: u32,
    pub crlf: bool,
    /// Days since 1970-01-01 of the first event.
    pub day: i64,
}

impl LogSpec {
    /// A log of `bytes` with the bundle defaults for rates, on the current day.
    pub fn new(component: &'static str, kind: LogKind, bytes: usize, seed: u64) -> LogSpec {
        let rates = BundleSpec::default();
        LogSpec {
            component,
            kind,
            bytes,
            seed,
            fault_every: rates.fault_every,
            near_miss_every: rates.near_miss_every,
            crlf: false,
            day: CURRENT_DAY,
        }
    }
}

/// One generated log and what a scan must find in it.
#[derive(Debug, Clone, Default)]
pub struct GeneratedLog {
    pub text: Vec<u8>,
    pub events: u64,
    pub lines: u64,
    pub expected: BTreeMap<&'static str, u64>,
    pub near_misses: u64,
}

/// Writes the bundle under `root` (created if missing) and returns what was written.
pub fn generate_bundle(root: &Path, spec: &BundleSpec) -> io::Result<GeneratedBundle> {
    let plan = plan_bundle(spec);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<io::Result<FileOutcome>>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(plan.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = plan.get(index) else { break };
                    let outcome = write_file(root, file);
                    results.lock().expect("no worker panics while holding the lock").push(outcome);
                }
            });
        }
    });
    let mut bundle = GeneratedBundle::default();
    for outcome in results.into_inner().expect("workers are done") {
        let outcome = outcome?;
        bundle.files += 1;
        bundle.gz_files += usize::from(outcome.gzip);
        bundle.bytes += outcome.bytes;
        bundle.bytes_on_disk += outcome.bytes_on_disk;
        bundle.events += outcome.log.events;
        bundle.lines += outcome.log.lines;
        bundle.near_misses += outcome.log.near_misses;
        for (id, count) in outcome.log.expected {
            *bundle.expected.entry(id).or_insert(0) += count;
        }
    }
    Ok(bundle)
}

/// Generates one log in memory.
pub fn generate_log(spec: &LogSpec) -> GeneratedLog {
    let mut w = LogWriter::new(spec.seed, spec.day, spec.kind, spec.crlf);
    let faults = faults_for(spec.component);
    let near_misses = near_misses_for(spec.component);
    let noise = noise_for(spec.kind);
    let mut log = GeneratedLog::default();
    w.out.reserve(spec.bytes + 8192);
    while w.out.len() < spec.bytes {
        if !faults.is_empty() && w.rng.one_in(u64::from(spec.fault_every)) {
            let (id, shapes) = w.rng.pick(faults);
            let shape = w.rng.pick(shapes);
            w.event(shape);
            *log.expected.entry(id).or_insert(0) += 1;
        } else if !near_misses.is_empty() && w.rng.one_in(u64::from(spec.near_miss_every)) {
            let shape = w.rng.pick(near_misses);
            w.event(shape);
            log.near_misses += 1;
        } else if spec.kind == LogKind::Default && w.rng.one_in(150) {
            w.digest();
        } else {
            let shape = w.rng.pick(noise);
            w.event(shape);
        }
    }
    log.events = w.events;
    log.lines = w.lines;
    log.text = w.out;
    log
}

/// One file of the plan.
#[derive(Debug, Clone)]
struct PlannedFile {
    path: PathBuf,
    content: Content,
    gzip: bool,
}

#[derive(Debug, Clone)]
enum Content {
    Log(LogSpec),
    Properties { crlf: bool, seed: u64 },
}

/// What was written to one file; its text is dropped once written.
struct FileOutcome {
    log: GeneratedLog,
    gzip: bool,
    bytes: u64,
    bytes_on_disk: u64,
}

/// Platform apps, one per platform host, in turn. Names as the input stage knows them.
const APPS: &[&str] = &[
    "acopswareexecutor",
    "aciaasconnectore",
    "acstarserver2",
    "acopswareorchestration",
    "acopswareexecutor",
    "apconsole",
    "aciaasconnectore",
    "acmetaservice",
    "acappcore",
];

/// Decides every file: paths, kinds, sizes and seeds. Two platform hosts (one app each) for
/// every business host (staragent logs and an `application.properties`).
fn plan_bundle(spec: &BundleSpec) -> Vec<PlannedFile> {
    let mut rng = Rng::new(spec.seed);
    let gz_fraction = spec.gz_fraction.clamp(0.0, 0.9);
    let gz_per_plain = gz_fraction / (1.0 - gz_fraction);
    let mut gz_due = 0.0;
    let mut files: Vec<PlannedFile> = Vec::new();
    let mut weights: Vec<f64> = Vec::new();
    let (mut platform, mut business) = (0usize, 0usize);
    for host_index in 0.. {
        if files.len() >= spec.files || (spec.hosts > 0 && host_index >= spec.hosts) {
            break;
        }
        let stems: Vec<(PathBuf, &'static str, LogKind)> = if host_index % 3 == 2 {
            let host = PathBuf::from(format!("app-host-{}", business + 1));
            let conf = host.join("home/admin/app/conf/application.properties");
            let crlf = business == 0;
            files.push(PlannedFile {
                path: conf,
                content: Content::Properties { crlf, seed: rng.next() },
                gzip: false,
            });
            weights.push(0.0);
            business += 1;
            let log = host.join("home/staragent/log");
            vec![(log.join("staragent_core.log"), "staragent", LogKind::Staragent)]
        } else {
            let host = PathBuf::from(format!("10.12.{}.{}", 3 + platform / 250, 4 + platform % 250));
            let app = APPS[platform % APPS.len()];
            platform += 1;
            let dir = host.join("home/admin/logs").join(app);
            vec![
                (dir.join("common-error.log"), app, LogKind::CommonError),
                (dir.join(format!("{app}-default.log")), app, LogKind::Default),
            ]
        };
        for (path, component, kind) in stems {
            if files.len() >= spec.files {
                break;
            }
            // Some logs have CRLF line endings (log-shapes.md); as in the fixture bundle, give them
            // to some iaas connector error logs.
            let crlf = component == "aciaasconnectore" && kind == LogKind::CommonError && rng.one_in(2);
            let weight = match kind {
                LogKind::CommonError => 1.0,
                LogKind::Default => 2.0,
                LogKind::Staragent => 0.8,
            } * (0.3 + 1.4 * rng.unit());
            let log = LogSpec {
                component,
                kind,
                bytes: 0,
                seed: rng.next(),
                fault_every: spec.fault_every,
                near_miss_every: spec.near_miss_every,
                crlf,
                day: CURRENT_DAY,
            };
            files.push(PlannedFile { path: path.clone(), content: Content::Log(log.clone()), gzip: false });
            weights.push(weight);
            gz_due += gz_per_plain;
            if gz_due >= 1.0 && files.len() < spec.files {
                gz_due -= 1.0;
                let mut name = path.into_os_string();
                name.push(".2022-09-28.gz");
                let rotated = LogSpec { seed: rng.next(), day: CURRENT_DAY - 1, ..log };
                files.push(PlannedFile { path: name.into(), content: Content::Log(rotated), gzip: true });
                weights.push(weight);
            }
        }
    }
    plan_rotations(spec, &mut rng, &mut files, &mut weights);
    let total_weight: f64 = weights.iter().sum();
    let log_bytes = spec.total_bytes.saturating_sub(PROPERTIES_BYTES * business as u64) as f64;
    for (file, weight) in files.iter_mut().zip(&weights) {
        if let Content::Log(log) = &mut file.content {
            log.bytes = (log_bytes * weight / total_weight.max(f64::MIN_POSITIVE)) as usize;
        }
    }
    files
}

/// With `spec.hosts` set, fills the bundle up to `spec.files` with older rotations of the logs
/// of those hosts, in turn: each log's next rotation is a day before its last.
fn plan_rotations(spec: &BundleSpec, rng: &mut Rng, files: &mut Vec<PlannedFile>, weights: &mut Vec<f64>) {
    let logs: Vec<(PathBuf, LogSpec, f64)> = files
        .iter()
        .zip(weights.iter())
        .filter_map(|(file, weight)| match &file.content {
            Content::Log(log) if !file.gzip => Some((file.path.clone(), log.clone(), *weight)),
            _ => None,
        })
        .collect();
    if logs.is_empty() {
        return;
    }
    let gz_fraction = spec.gz_fraction.clamp(0.0, 0.9);
    let mut gz_due = 0.0;
    let mut back = vec![1i64; logs.len()];
    for turn in (0..logs.len()).cycle() {
        if files.len() >= spec.files {
            break;
        }
        let (path, log, weight) = &logs[turn];
        let day = log.day - back[turn];
        back[turn] += 1;
        let date = cas_triage::event::Timestamp::from_local_millis(day * DAY_MS).to_string();
        let mut name = path.clone().into_os_string();
        name.push(format!(".{}", &date[..10]));
        gz_due += gz_fraction;
        let gzip = gz_due >= 1.0;
        if gzip {
            gz_due -= 1.0;
            name.push(".gz");
        }
        let rotated = LogSpec { seed: rng.next(), day, ..log.clone() };
        files.push(PlannedFile { path: name.into(), content: Content::Log(rotated), gzip });
        weights.push(*weight);
    }
}

fn write_file(root: &Path, file: &PlannedFile) -> io::Result<FileOutcome> {
    let log = match &file.content {
        Content::Log(spec) => generate_log(spec),
        Content::Properties { crlf, seed } => properties(*crlf, *seed),
    };
    let path = root.join(&file.path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let bytes_on_disk = if file.gzip {
        let mut encoder = GzEncoder::new(io::BufWriter::new(fs::File::create(&path)?), Compression::fast());
        encoder.write_all(&log.text)?;
        encoder.finish()?.flush()?;
        fs::metadata(&path)?.len()
    } else {
        fs::write(&path, &log.text)?;
        log.text.len() as u64
    };
    let bytes = log.text.len() as u64;
    Ok(FileOutcome { log: GeneratedLog { text: Vec::new(), ..log }, gzip: file.gzip, bytes, bytes_on_disk })
}

/// About how large a generated `application.properties` is.
const PROPERTIES_BYTES: u64 = 400;

/// An `application.properties`; with `crlf`, in CRLF line endings (one finding). UTF-8 with a
/// Chinese comment, which is not an encoding problem.
fn properties(crlf: bool, seed: u64) -> GeneratedLog {
    let mut rng = Rng::new(seed);
    let app = rng.pick(BUSINESS_APPS);
    let text = format!(
        "# 应用配置 application name\nspring.application.name={app}\nlogging.path=/home/admin/logs\n\
         run.mode=NORMAL\nserver.port={}\nmanagement.server.port=8{:03}\n\
         com.alipay.sofa.rpc.bolt.port=12200\nhealth.check.timeout=90\n\
         spring.datasource.url=jdbc:mysql://10.12.9.{}:3306/{app}\n",
        8080 + rng.below(10),
        rng.below(1000),
        rng.range(1, 254)
    );
    let text = if crlf { text.replace('\n', "\r\n") } else { text };
    let mut log = GeneratedLog { lines: text.matches('\n').count() as u64, ..GeneratedLog::default() };
    if crlf {
        log.expected.insert(PROPERTIES_CRLF, 1);
    }
    log.text = text.into_bytes();
    log
}

/// splitmix64: small, fast and plenty to choose words with.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`; `n` must not be 0.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True once in `n` draws on average; never for 0.
    fn one_in(&mut self, n: u64) -> bool {
        n > 0 && self.below(n) == 0
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Builds one log, event by event, with the file's header layout and line ending.
struct LogWriter {
    out: Vec<u8>,
    rng: Rng,
    /// Local time of the last event, in milliseconds since the epoch.
    clock: i64,
    kind: LogKind,
    /// `,` or `.` before the milliseconds.
    fraction: u8,
    /// `T` or ` ` between date and time.
    date_time: u8,
    newline: &'static str,
    /// The formatted date of `date_day`, cached.
    date: [u8; 10],
    date_day: i64,
    events: u64,
    lines: u64,
    /// The next task id this log starts: each log numbers its tasks from its own base.
    next_task: u64,
    /// Tasks started and not yet ended, oldest first: an end line names the oldest.
    open_tasks: std::collections::VecDeque<u64>,
}

/// Tasks a log keeps open at most; past that the oldest is taken as ended.
const OPEN_TASKS: usize = 32;

impl LogWriter {
    fn new(seed: u64, day: i64, kind: LogKind, crlf: bool) -> LogWriter {
        let mut rng = Rng::new(seed);
        let fraction = if rng.one_in(6) { b'.' } else { b',' };
        let date_time = if rng.one_in(20) { b'T' } else { b' ' };
        let clock = day * DAY_MS + rng.below(3_600_000) as i64;
        let newline = if crlf { "\r\n" } else { "\n" };
        LogWriter {
            out: Vec::new(),
            rng,
            clock,
            kind,
            fraction,
            date_time,
            newline,
            date: [0; 10],
            date_day: i64::MIN,
            events: 0,
            lines: 0,
            next_task: 10_000_000 + (seed % 890) * 100_000,
            open_tasks: std::collections::VecDeque::new(),
        }
    }

    fn event(&mut self, shape: Shape) {
        self.header(shape.level, shape.thread);
        for (i, line) in shape.lines.iter().enumerate() {
            if i > 0 {
                self.end_line();
            }
            self.expand(line);
        }
        self.end_line();
        if shape.trace {
            self.stack_trace();
        }
    }

    /// `2022-09-29 10:15:32,118 ERROR [thread-12] - ` or, for staragent,
    /// `[2022-09-29 10:15:30.004] [INFO] [worker-3] `.
    fn header(&mut self, level: &str, thread: &str) {
        self.events += 1;
        self.clock += self.rng.below(400) as i64;
        let bracketed = self.kind == LogKind::Staragent;
        if bracketed {
            self.out.push(b'[');
            self.timestamp(true);
            self.text("] [");
            self.text(level);
            self.text("] ");
        } else {
            self.timestamp(false);
            self.out.push(b' ');
            self.text(level);
            self.out.extend(std::iter::repeat_n(b' ', 6 - level.len()));
        }
        if thread.is_empty() {
            self.text("main                             - ");
            return;
        }
        self.out.push(b'[');
        self.text(thread);
        self.out.push(b'-');
        let n = self.rng.range(1, 24);
        self.number(n);
        self.text(if bracketed { "] " } else { "] - " });
    }

    fn timestamp(&mut self, staragent: bool) {
        let day = self.clock.div_euclid(DAY_MS);
        if day != self.date_day {
            // `YYYY-MM-DD hh:mm:ss.mmm`, of which the date is kept.
            let text = cas_triage::event::Timestamp::from_local_millis(day * DAY_MS).to_string();
            self.date.copy_from_slice(&text.as_bytes()[..10]);
            self.date_day = day;
        }
        let ms = self.clock.rem_euclid(DAY_MS);
        self.out.extend_from_slice(&self.date);
        self.out.push(if staragent { b' ' } else { self.date_time });
        let (h, m, s, f) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        for (value, sep) in [(h, b':'), (m, b':'), (s, if staragent { b'.' } else { self.fraction })] {
            self.out.extend_from_slice(&[b'0' + (value / 10) as u8, b'0' + (value % 10) as u8, sep]);
        }
        self.out.extend_from_slice(&[b'0' + (f / 100) as u8, b'0' + (f / 10 % 10) as u8, b'0' + (f % 10) as u8]);
    }

    fn text(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
    }

    fn number(&mut self, n: u64) {
        write!(self.out, "{n}").expect("writing to a Vec cannot fail");
    }

    fn end_line(&mut self) {
        self.text(self.newline);
        self.lines += 1;
    }

    /// Writes `template`, replacing each `{name}` with a fresh value.
    fn expand(&mut self, template: &str) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').expect("placeholders are closed");
            self.text(&rest[..open]);
            self.placeholder(&rest[open + 1..close]);
            rest = &rest[close + 1..];
        }
        self.text(rest);
    }

    fn placeholder(&mut self, name: &str) {
        let rng = &mut self.rng;
        match name {
            // A task starts (or is dispatched, or named first): a new id of this log. The random
            // draw is kept so the rest of the log does not change with the ids.
            "task" => {
                let _ = rng.range(10_300_000, 10_499_999);
                let id = self.next_task;
                self.next_task += 1;
                self.open_tasks.push_back(id);
                if self.open_tasks.len() > OPEN_TASKS {
                    self.open_tasks.pop_front();
                }
                self.number(id);
            }
            // A task ends: the oldest open one.
            "open_task" => {
                let _ = rng.range(10_300_000, 10_499_999);
                let id = self.open_tasks.pop_front().unwrap_or_else(|| {
                    self.next_task += 1;
                    self.next_task - 1
                });
                self.number(id);
            }
            "ip" => {
                let (c, d) = (rng.range(0, 7), rng.range(1, 254));
                write!(self.out, "10.1.{c}.{d}").expect("writing to a Vec cannot fail");
            }
            "order" => {
                let (tail, cnhz) = (rng.below(100_000_000), rng.one_in(3));
                let prefix = if cnhz { "CNHZ_58201812212200" } else { "r1_2019050605" };
                write!(self.out, "{prefix}{tail:08}").expect("writing to a Vec cannot fail");
            }
            "node" => {
                let id = rng.range(10_000_000, 99_999_999);
                write!(self.out, "00000000{id}").expect("writing to a Vec cannot fail");
            }
            "ms" => {
                let ms = rng.range(3, 90_000);
                self.number(ms);
            }
            "n" => {
                let n = rng.range(1, 999);
                self.number(n);
            }
            "hex" => {
                let value = rng.next() >> 16;
                write!(self.out, "{value:012x}").expect("writing to a Vec cannot fail");
            }
            "rid" => {
                let (a, b) = (rng.next(), rng.next());
                write!(
                    self.out,
                    "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
                    a >> 32,
                    (a >> 16) & 0xFFFF,
                    a & 0xFFFF,
                    b >> 48,
                    b & 0xFFFF_FFFF_FFFF
                )
                .expect("writing to a Vec cannot fail");
            }
            "app" => {
                let app = rng.pick(BUSINESS_APPS);
                self.text(app);
            }
            "script" => {
                let script = rng.pick(SCRIPTS);
                self.text(script);
            }
            "exejson" => {
                let value = rng.next() >> 24;
                write!(
                    self.out,
                    r#"{{"exeurl":"cmd:///home/admin/bin/batch_download.py -u http://oss/{value:x}.tgz","timeout":90}}"#
                )
                .expect("writing to a Vec cannot fail");
            }
            other => panic!("unknown placeholder {{{other}}}"),
        }
    }

    /// An exception line, frames, sometimes a cause with its own frames and `... N more`.
    fn stack_trace(&mut self) {
        let exception = self.rng.pick(EXCEPTIONS);
        self.expand(exception);
        self.end_line();
        self.frames(3, 12);
        if self.rng.one_in(2) {
            self.text("Caused by: ");
            let cause = self.rng.pick(CAUSES);
            self.expand(cause);
            self.end_line();
            self.frames(2, 5);
            self.text("\t... ");
            let more = self.rng.range(4, 40);
            self.number(more);
            self.text(" more");
            self.end_line();
        }
    }

    fn frames(&mut self, min: u64, max: u64) {
        let count = self.rng.range(min, max);
        let start = self.rng.below(FRAMES.len() as u64) as usize;
        for i in 0..count as usize {
            self.text("\tat ");
            self.text(FRAMES[(start + i) % FRAMES.len()]);
            self.end_line();
        }
    }

    /// A digest line with a whole JSON request on it, 0.5 to 6 KB.
    fn digest(&mut self) {
        self.header("INFO", "digest");
        self.text("request digest ");
        write!(self.out, r#"{{"traceId":"{:016x}{:016x}","app":""#, self.rng.next(), self.rng.next())
            .expect("writing to a Vec cannot fail");
        let app = self.rng.pick(BUSINESS_APPS);
        self.text(app);
        self.text(r#"","order":""#);
        self.placeholder("order");
        self.text(r#"","hosts":["#);
        let hosts = self.rng.range(20, 300);
        for i in 0..hosts {
            if i > 0 {
                self.out.push(b',');
            }
            self.out.push(b'"');
            self.placeholder("ip");
            self.out.push(b'"');
        }
        self.text(r#"],"params":{"batch":"#);
        let batch = self.rng.range(1, 20);
        self.number(batch);
        self.text(r#","pauseAfterBatch":true,"checkScript":"checkapp_v2.py","备注":"分批发布"},"cost":"#);
        self.placeholder("ms");
        self.out.push(b'}');
        self.end_line();
    }
}
