//! Writes a deterministic CAS log bundle for load tests and prints what a scan with the default
//! rule pack must find in it:
//!
//! ```text
//! cargo run --release --example generate_bundle -- OUT_DIR [--size 1GiB] [--files 110] [--seed N]
//!     [--gz-fraction 0.2] [--fault-every 2000] [--near-miss-every 400] [--hosts N]
//! ```
//!
//! The generator is `benches/support/generate.rs`, shared with the benchmarks.

// The benchmarks use the parts of the generator this example does not.
#[allow(dead_code)]
#[path = "../benches/support/generate.rs"]
mod generate;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use cas_triage::cli::parse_size;
use generate::{BundleSpec, generate_bundle};

const USAGE: &str = "usage: generate_bundle OUT_DIR [--size 1GiB] [--files 110] [--seed N] [--gz-fraction F] \
                     [--fault-every N] [--near-miss-every N] [--hosts N]";

fn main() -> ExitCode {
    if std::env::args().skip(1).any(|arg| arg == "-h" || arg == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (out, spec) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("generate_bundle: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let bundle = match generate_bundle(&out, &spec) {
        Ok(bundle) => bundle,
        Err(err) => {
            eprintln!("generate_bundle: cannot write {}: {err}", out.display());
            return ExitCode::FAILURE;
        }
    };
    println!("bundle        {}", out.display());
    println!("seed          {}", spec.seed);
    println!("files         {} ({} gzipped)", bundle.files, bundle.gz_files);
    println!("bytes         {} uncompressed, {} on disk", bundle.bytes, bundle.bytes_on_disk);
    println!("events        {}", bundle.events);
    println!("lines         {}", bundle.lines);
    println!("near misses   {}", bundle.near_misses);
    println!("expected findings (matches per fault id):");
    for (id, count) in &bundle.expected {
        println!("  {id:<32} {count}");
    }
    eprintln!("written in {:.1} s", started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(PathBuf, BundleSpec), String> {
    let defaults = BundleSpec::default();
    let mut spec = BundleSpec { total_bytes: 1 << 30, files: 110, ..defaults };
    let mut out = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--size" => spec.total_bytes = parse_size(&value("--size")?)?,
            "--files" => spec.files = number(&value("--files")?)?,
            "--seed" => spec.seed = number(&value("--seed")?)?,
            "--gz-fraction" => spec.gz_fraction = number(&value("--gz-fraction")?)?,
            "--fault-every" => spec.fault_every = number(&value("--fault-every")?)?,
            "--near-miss-every" => spec.near_miss_every = number(&value("--near-miss-every")?)?,
            "--hosts" => spec.hosts = number(&value("--hosts")?)?,
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            path if out.is_none() => out = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument {extra}")),
        }
    }
    let out = out.ok_or("OUT_DIR is required")?;
    Ok((out, spec))
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("{text:?} is not a valid number"))
}
