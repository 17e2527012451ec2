//! `cas-triage events`: shows how the logs of a bundle are assembled into events (header line,
//! continuation lines, timestamp, level), one record per event or one count per file. It is how
//! a rule author sees what a rule will be matched against.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::cli::{EventsArgs, ListFormatArg};
use crate::event::Records;
use crate::input::{FileKind, InputOptions, Loaded, discover, load_unit};
use crate::report::{DecodedText, escape_for_terminal, transcoded_note};

#[derive(Serialize)]
struct EventRow<'a> {
    path: &'a str,
    line: u64,
    lines: u64,
    timestamp: Option<String>,
    level: &'static str,
    header: String,
}

#[derive(Serialize)]
struct FileRow<'a> {
    path: &'a str,
    bytes: usize,
    lines: u64,
    events: u64,
    /// Events whose header carries a timestamp (the rest: lines before the first header).
    timestamped: u64,
    /// Continuation lines that start with a tab and `at ` (Java stack frames).
    stack_frames: u64,
}

pub(super) fn run(args: &EventsArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let discovery = discover(&args.paths)?;
    for skipped in &discovery.skipped {
        eprintln!("cas-triage: skipped {}: {}", escape_for_terminal(&skipped.path), skipped.reason);
    }
    // Each file whole: a large decompressed log is one file here, not windows.
    let options =
        InputOptions { window: None, encoding: crate::config::log_encoding(args.encoding), ..InputOptions::default() };
    let mut result = Ok(());
    for unit in &discovery.units {
        load_unit(unit, &options, &mut |loaded| match loaded {
            Loaded::Skipped(s) => eprintln!("cas-triage: skipped {}: {}", escape_for_terminal(&s.path), s.reason),
            Loaded::Source(source) if source.kind == FileKind::Log && result.is_ok() => {
                let path = match &source.archive {
                    Some(archive) => format!("{archive}!/{}", source.path),
                    None => source.path.clone(),
                };
                result = write_source(&path, &source.bytes, args, out);
            }
            Loaded::Transcoded(t) => eprintln!("cas-triage: {}", transcoded_note(&t)),
            Loaded::Source(_) | Loaded::Ignored => {}
        });
        if let Err(err) = std::mem::replace(&mut result, Ok(())) {
            // Keep the io::Error as the source, so that a closed pipe is recognised as one.
            return Err(anyhow::Error::new(err).context("cannot write the events"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_source(path: &str, bytes: &[u8], args: &EventsArgs, out: &mut dyn Write) -> std::io::Result<()> {
    let mut records = Records::new(bytes);
    let (mut events, mut timestamped, mut stack_frames) = (0, 0, 0);
    for record in records.by_ref() {
        events += 1;
        timestamped += u64::from(record.timestamp.is_some());
        stack_frames += memchr::memmem::find_iter(record.bytes, b"\n\tat ").count() as u64;
        if args.count {
            continue;
        }
        let row = EventRow {
            path,
            line: record.line,
            lines: record.line_count,
            timestamp: record.timestamp.map(|t| t.to_string()),
            level: record.level.as_str(),
            header: DecodedText::decode(record.header_line()).text,
        };
        let text = || {
            let time = row.timestamp.as_deref().unwrap_or("-");
            format!(
                "{}:{} +{} {time} {} {}",
                escape_for_terminal(path),
                row.line,
                row.lines,
                row.level,
                escape_for_terminal(&row.header)
            )
        };
        write_row(out, args.format, &row, text)?;
    }
    if args.count {
        let row = FileRow { path, bytes: bytes.len(), lines: records.lines(), events, timestamped, stack_frames };
        let text = || {
            format!(
                "{}: {} lines, {} events ({} with a timestamp), {} stack frames",
                escape_for_terminal(path),
                row.lines,
                row.events,
                row.timestamped,
                row.stack_frames
            )
        };
        write_row(out, args.format, &row, text)?;
    }
    Ok(())
}

/// One row as a JSON line, or as the text `text` makes.
fn write_row(
    out: &mut dyn Write,
    format: ListFormatArg,
    row: &impl Serialize,
    text: impl FnOnce() -> String,
) -> std::io::Result<()> {
    match format {
        ListFormatArg::Json => serde_json::to_writer(&mut *out, row)?,
        ListFormatArg::Text => out.write_all(text().as_bytes())?,
    }
    writeln!(out)
}
