//! `scan --stats`: what a scan read and what it cost, on standard error, so a user can see the
//! throughput and memory the benchmarks report: files, bytes, events, lines, the wall time of each
//! phase, throughput, and peak memory.

use std::time::Duration;

/// The time each phase of a scan took.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Phases {
    /// Finding the files and compiling the rule pack.
    pub prepare: Duration,
    /// Reading, decompressing and scanning every file.
    pub scan: Duration,
    /// Pairing tasks, linking chains, building findings.
    pub report: Duration,
    /// Writing the report.
    pub write: Duration,
}

impl Phases {
    pub fn total(&self) -> Duration {
        self.prepare + self.scan + self.report + self.write
    }
}

/// What was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Volume {
    pub files: u64,
    pub bytes: u64,
    pub events: u64,
    pub lines: u64,
    pub skipped: usize,
}

/// The lines `--stats` prints. `peak_memory` is in bytes, when the system tells it.
pub fn render(volume: Volume, phases: Phases, threads: usize, peak_memory: Option<u64>) -> String {
    let wall = phases.total().as_secs_f64();
    let mib = volume.bytes as f64 / (1024.0 * 1024.0);
    let throughput = if wall > 0.0 { format!("{:.0} MiB/s", mib / wall) } else { "-".to_string() };
    let memory = match peak_memory {
        Some(bytes) => format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0)),
        None => "unknown on this system".to_string(),
    };
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    format!(
        "stats: {} files ({} skipped), {} bytes ({mib:.1} MiB), {} events, {} lines\n\
         stats: wall {:.3} s ({} prepare, {} scan, {} report, {} write), {throughput} on {threads} thread{}\n\
         stats: peak memory {memory}\n",
        volume.files,
        volume.skipped,
        volume.bytes,
        volume.events,
        volume.lines,
        wall,
        ms(phases.prepare),
        ms(phases.scan),
        ms(phases.report),
        ms(phases.write),
        if threads == 1 { "" } else { "s" },
    )
}

/// The process's peak resident memory (`VmHWM` of `/proc/self/status`), on Linux.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut words = line["VmHWM:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => Some(value * 1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_peak_memory_from_proc_status() {
        assert_eq!(parse_vm_hwm("Name:\tx\nVmPeak:\t  900 kB\nVmHWM:\t  4096 kB\n"), Some(4 << 20));
        assert_eq!(parse_vm_hwm("VmHWM:\t12\n"), None, "no unit");
        assert_eq!(parse_vm_hwm("Name:\tx\n"), None);
        if cfg!(target_os = "linux") {
            assert!(peak_memory().is_some_and(|bytes| bytes > 0));
        }
    }

    #[test]
    fn renders_volume_time_throughput_and_memory() {
        let volume = Volume { files: 3, bytes: 100 << 20, events: 10, lines: 20, skipped: 1 };
        let second = Duration::from_millis(250);
        let phases = Phases { prepare: second, scan: second, report: second, write: second };
        let text = render(volume, phases, 2, Some(64 << 20));
        assert_eq!(
            text,
            "stats: 3 files (1 skipped), 104857600 bytes (100.0 MiB), 10 events, 20 lines\n\
             stats: wall 1.000 s (250 ms prepare, 250 ms scan, 250 ms report, 250 ms write), 100 MiB/s on 2 threads\n\
             stats: peak memory 64 MiB\n"
        );
        assert!(render(volume, phases, 1, None).contains("on 1 thread\nstats: peak memory unknown"));
    }
}
