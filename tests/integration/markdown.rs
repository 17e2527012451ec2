//! `--format markdown`, read back with a CommonMark parser (pulldown-cmark, GitHub's tables): the
//! summary table has one row per finding, each finding a section with its evidence in code blocks
//! and its runbook, and hostile log text stays inside its block or cell.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::util::*;

/// What a markdown document holds, as a renderer sees it.
#[derive(Debug, Default)]
struct Page {
    /// Each table row's cells, as plain text (header row first).
    rows: Vec<Vec<String>>,
    /// The contents of each fenced code block, with its info string.
    code_blocks: Vec<(String, String)>,
    /// Third-level headings (one per finding), as plain text.
    findings: Vec<String>,
    /// Items of ordered lists (runbook steps), as plain text.
    steps: Vec<String>,
    /// Raw HTML the renderer would pass through: must stay empty.
    html: Vec<String>,
    /// All text outside code blocks.
    text: String,
}

fn parse(markdown: &str) -> Page {
    let mut page = Page::default();
    let (mut cell, mut block, mut heading, mut step) = (None::<String>, None::<(String, String)>, None, None);
    let mut in_ordered_list = false;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::TableHead | Tag::TableRow) => page.rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => page.rows.last_mut().unwrap().push(cell.take().unwrap()),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                block = Some((info.to_string(), String::new()))
            }
            Event::End(TagEnd::CodeBlock) => page.code_blocks.push(block.take().unwrap()),
            Event::Start(Tag::Heading { level: HeadingLevel::H3, .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(HeadingLevel::H3)) => page.findings.push(heading.take().unwrap()),
            Event::Start(Tag::List(first)) => in_ordered_list = first.is_some(),
            Event::Start(Tag::Item) if in_ordered_list => step = Some(String::new()),
            Event::End(TagEnd::Item) => page.steps.extend(step.take()),
            Event::Html(html) | Event::InlineHtml(html) => page.html.push(html.to_string()),
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, content)) = block.as_mut() {
                    content.push_str(&text);
                    continue;
                }
                for open in [&mut cell, &mut heading, &mut step] {
                    if let Some(open) = open.as_mut() {
                        open.push_str(&text);
                    }
                }
                page.text.push_str(&text);
                page.text.push('\n');
            }
            _ => {}
        }
    }
    page
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

#[test]
fn the_example_bundle_reads_as_a_table_then_a_section_per_finding() {
    let report = scan_json(&[&bundle_dir()], 0);
    let page = parse(&scan_format("markdown", &[&bundle_dir()], 0));
    assert!(page.html.is_empty(), "{:?}", page.html);

    let (header, rows) = page.rows.split_first().unwrap();
    assert_eq!(header, &["fault", "severity", "component", "host", "count", "first seen", "last seen"]);
    assert_eq!(rows.len(), findings(&report).len());
    for (row, f) in rows.iter().zip(findings(&report)) {
        let seen = |key: &str| f[key].as_str().unwrap_or("-").to_string();
        let expected = [
            f["fault"].as_str().unwrap().to_string(),
            f["severity"].as_str().unwrap().to_string(),
            f["component"].as_str().unwrap().to_string(),
            f["host"].as_str().unwrap().to_string(),
            f["count"].to_string(),
            seen("first_seen"),
            seen("last_seen"),
        ];
        assert_eq!(row, &expected);
    }

    let headings: Vec<String> = findings(&report)
        .iter()
        .map(|f| {
            let upper = f["severity"].as_str().unwrap().to_uppercase();
            format!(
                "{upper} {} on {}, host {}",
                f["fault"].as_str().unwrap(),
                f["component"].as_str().unwrap(),
                f["host"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(page.findings, headings);

    // One code block per evidence item, holding its line (and the matched line, when another).
    let evidence: Vec<&Value> = findings(&report).iter().flat_map(|f| f["evidence"].as_array().unwrap()).collect();
    assert_eq!(page.code_blocks.len(), evidence.len());
    for ((info, content), e) in page.code_blocks.iter().zip(&evidence) {
        assert_eq!(info, "text");
        let mut lines = content.lines();
        assert_eq!(lines.next(), e["text"].as_str(), "{content}");
        if let Some(matched) = e["match"]["text"].as_str() {
            assert_eq!(lines.next(), Some(format!("line {}: {matched}", e["match"]["line"]).as_str()));
        }
        assert_eq!(lines.next(), None);
    }

    // Every runbook step, its `commands` as code spans (a renderer drops the backticks).
    let steps: Vec<String> = findings(&report)
        .iter()
        .flat_map(|f| f["remediation"].as_array().unwrap())
        .map(|s| s.as_str().unwrap().replace('`', ""))
        .collect();
    assert_eq!(page.steps, steps);

    // Echoes name the root finding they probably follow from.
    let echoes: Vec<&Value> = findings(&report).iter().filter(|f| !f["caused_by"].is_null()).collect();
    assert!(!echoes.is_empty(), "the example bundle has release chains");
    assert_eq!(page.text.matches("probably follows from").count(), echoes.len());
    for echo in echoes {
        assert!(page.text.contains(echo["caused_by"].as_str().unwrap()));
    }
}

#[test]
fn hostile_log_text_cannot_leave_its_block_or_cell() {
    let markdown = scan_hostile("markdown", &[]);
    let page = parse(&markdown);
    assert!(page.html.is_empty(), "HTML reached the page: {:?}\n{markdown}", page.html);

    // The table still has its header, its delimiter and one row of seven cells.
    assert_eq!(page.rows.len(), 2, "{markdown}");
    let host_shown = "evil|host```<b>&amp;\\x1b[31m";
    assert_eq!(page.rows[1][2..4], ["acopswareexecutor".to_string(), host_shown.to_string()]);
    assert!(page.rows.iter().all(|row| row.len() == 7), "{:?}", page.rows);

    // The log line is one code block, whole, its controls shown escaped.
    assert_eq!(page.code_blocks.len(), 1, "{markdown}");
    let shown = "2022-09-29 10:15:32,118 ERROR [e-1] - dispatch task 10390847 to 10.1.2.3 failed: send msg failed ```` | --- | </td> <script>alert(1)</script> &lt; ]]> \\x1b[31mred\\x1b[0m \\x00\\x01\\x0b\\x0c\\x7f ~~~";
    assert_eq!(page.code_blocks[0].1, format!("{shown}\n"));
    assert_eq!(page.findings, [format!("HIGH dispatch.send-msg-failed on acopswareexecutor, host {host_shown}")]);
    assert!(!markdown.contains('\x1b') && !markdown.contains('\0'), "no raw control character");
}
