//! JSON and JSON Lines output. JSON: the whole [`Report`] as one document. JSON Lines: one
//! `{"type":"finding",...}` record per finding, one `{"type":"unclassified",...}` record per
//! unclassified group, one `{"type":"exeurl",...}` record per command an agent ran, one
//! `{"type":"task",...}` per task listed, one `{"type":"clock_offset",...}` per clock off, one
//! `{"type":"config_file",...}` per `application.properties`, one `{"type":"chain",...}` per
//! release chain listed, one `{"type":"coverage",...}`, one `{"type":"error_rate",...}` (errors
//! per minute), then one `{"type":"summary",...}` record with the rest of the report (with the
//! `baseline` and `merged_from` sections when the report has them), so a consumer can stream
//! findings and still get the totals.

use std::io::{self, Write};

use serde::Serialize;

use super::analyses::{ClockOffsetReport, ConfigFileReport, Exeurl, TaskReport};
use super::baseline::BaselineReport;
use super::build::{Finding, InputSummary, Report, Summary, Tool, Unclassified};
use super::provenance::MergedReport;

pub fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    finding: &'a Finding,
}

#[derive(Serialize)]
struct UnclassifiedLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    group: &'a Unclassified,
}

#[derive(Serialize)]
struct ExeurlLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    exeurl: &'a Exeurl,
}

#[derive(Serialize)]
struct TaskLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    task: &'a TaskReport,
}

#[derive(Serialize)]
struct ClockOffsetLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    offset: &'a ClockOffsetReport,
}

#[derive(Serialize)]
struct ConfigFileLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    file: &'a ConfigFileReport,
}

#[derive(Serialize)]
struct ChainLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    chain: &'a super::chains::ChainReport,
}

#[derive(Serialize)]
struct CoverageLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    coverage: &'a super::analyses::Coverage,
}

#[derive(Serialize)]
struct ErrorRateLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    error_rate: &'a super::analyses::ErrorRate,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    schema_version: u32,
    tool: &'a Tool,
    input: &'a InputSummary,
    summary: &'a Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a BaselineReport>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    merged_from: &'a [MergedReport],
}

pub fn write_jsonl(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        serde_json::to_writer(&mut *out, &FindingLine { kind: "finding", finding })?;
        out.write_all(b"\n")?;
    }
    for group in &report.unclassified {
        serde_json::to_writer(&mut *out, &UnclassifiedLine { kind: "unclassified", group })?;
        out.write_all(b"\n")?;
    }
    for exeurl in &report.exeurls {
        serde_json::to_writer(&mut *out, &ExeurlLine { kind: "exeurl", exeurl })?;
        out.write_all(b"\n")?;
    }
    for task in &report.tasks {
        serde_json::to_writer(&mut *out, &TaskLine { kind: "task", task })?;
        out.write_all(b"\n")?;
    }
    for offset in &report.clock_offsets {
        serde_json::to_writer(&mut *out, &ClockOffsetLine { kind: "clock_offset", offset })?;
        out.write_all(b"\n")?;
    }
    for file in &report.config_files {
        serde_json::to_writer(&mut *out, &ConfigFileLine { kind: "config_file", file })?;
        out.write_all(b"\n")?;
    }
    for chain in &report.chains {
        serde_json::to_writer(&mut *out, &ChainLine { kind: "chain", chain })?;
        out.write_all(b"\n")?;
    }
    serde_json::to_writer(&mut *out, &CoverageLine { kind: "coverage", coverage: &report.coverage })?;
    out.write_all(b"\n")?;
    serde_json::to_writer(&mut *out, &ErrorRateLine { kind: "error_rate", error_rate: &report.error_rate })?;
    out.write_all(b"\n")?;
    let summary = SummaryLine {
        kind: "summary",
        schema_version: report.schema_version,
        tool: &report.tool,
        input: &report.input,
        summary: &report.summary,
        baseline: report.baseline.as_ref(),
        merged_from: &report.merged_from,
    };
    serde_json::to_writer(&mut *out, &summary)?;
    out.write_all(b"\n")
}
