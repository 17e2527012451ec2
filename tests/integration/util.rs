//! Helpers: running the binary, the example bundle, and a compact, order-stable view of findings.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub fn cas_triage() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cas-triage"));
    cmd.env_remove("NO_COLOR");
    cmd
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Runs `scan --format json` with `args` and parses the report; asserts the exit status.
pub fn scan_json(args: &[&str], expected_status: i32) -> Value {
    let output = cas_triage().arg("scan").arg("--format").arg("json").args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(expected_status), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

/// `fault component host count first last` per finding, in report order.
pub fn finding_lines(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {} {}",
                f["fault"].as_str().unwrap(),
                f["component"].as_str().unwrap(),
                f["host"].as_str().unwrap(),
                f["count"],
                f["first_seen"].as_str().unwrap_or("-"),
                f["last_seen"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

/// Each finding's evidence as `path:line` (paths inside the bundle), in report order.
pub fn evidence_lines(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for finding in report["findings"].as_array().unwrap() {
        for e in finding["evidence"].as_array().unwrap() {
            out.push(format!("{} {}:{}", finding["fault"].as_str().unwrap(), e["path"].as_str().unwrap(), e["line"]));
        }
    }
    out
}

pub fn skipped(report: &Value) -> Vec<(String, String)> {
    report["input"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap().to_string(), s["reason"].as_str().unwrap().to_string()))
        .collect()
}

pub fn faults(report: &Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["fault"].as_str().unwrap().to_string()).collect()
}

pub const ERROR_LINE: &str = "2022-09-29 10:15:32,118 ERROR [opsware-executor-12] - dispatch task 10390847 to 10.1.2.3 failed: network error, send msg failed\n";

/// The finding of `fault` on `component`.
pub fn finding<'a>(report: &'a Value, fault: &str, component: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fault"] == fault && f["component"] == component)
        .unwrap_or_else(|| panic!("no {fault} finding on {component}"))
}

/// Runs `scan --format json --stats` with `args`, expecting status 0; returns the parsed report
/// and the peak memory `--stats` prints, in MiB (on Linux; `None` where the system does not say).
pub fn scan_json_with_peak_memory(args: &[&str]) -> (Value, Option<u64>) {
    let output = cas_triage().args(["scan", "--format", "json", "--stats"]).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    let peak = stderr
        .lines()
        .find_map(|line| line.strip_prefix("stats: peak memory "))
        .and_then(|rest| rest.strip_suffix(" MiB"))
        .map(|mib| mib.parse().unwrap());
    (report, peak)
}

/// Runs `scan --format FORMAT` with `args`, asserts the exit status, and returns standard output.
pub fn scan_format(format: &str, args: &[&str], expected_status: i32) -> String {
    let output = cas_triage().args(["scan", "--format", format]).args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(expected_status), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The example bundle's directory, as an argument.
pub fn bundle_dir() -> String {
    fixtures().join("bundle").to_str().unwrap().to_string()
}

/// A host name and a log line built to break out of markdown tables and code blocks, XML and
/// terminals: backtick fences, pipes, HTML, entities, ANSI escapes, a NUL and other controls.
pub const HOSTILE_HOST: &str = "evil|host```<b>&amp;\x1b[31m";
pub const HOSTILE_LINE: &str = "2022-09-29 10:15:32,118 ERROR [e-1] - dispatch task 10390847 to 10.1.2.3 failed: send msg failed ```` | --- | </td> <script>alert(1)</script> &lt; ]]> \x1b[31mred\x1b[0m \x00\x01\x0b\x0c\x7f ~~~\n";

/// Scans [`HOSTILE_LINE`] from standard input as an executor log of [`HOSTILE_HOST`], in `format`,
/// with extra `args`; returns standard output (the scan finds dispatch.send-msg-failed).
pub fn scan_hostile(format: &str, args: &[&str]) -> String {
    let output = cas_triage()
        .args(["scan", "--format", format, "--component", "acopswareexecutor", "--host", HOSTILE_HOST])
        .args(args)
        .arg("-")
        .write_stdin(HOSTILE_LINE)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// `data` gzip-compressed.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Writes `data` at `path`, making its directories.
pub fn write(path: &std::path::Path, data: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

/// A bundle holding `files` (relative path, bytes); returns the temp dir and the bundle's root.
pub fn bundle(files: &[(&str, &[u8])]) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("b");
    std::fs::create_dir_all(&root).unwrap();
    for (path, data) in files {
        write(&root.join(path), data);
    }
    let root = root.to_str().unwrap().to_string();
    (tmp, root)
}

/// Every file of the example bundle as (path inside it, bytes), in path order: the makings of a
/// bundle with a file left out or split across hosts.
pub fn bundle_files() -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_str().unwrap().replace('\\', "/");
                out.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    let root = fixtures().join("bundle");
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    files
}

/// A bundle of the example bundle's files that `keep` accepts (by path inside the bundle).
pub fn bundle_where(keep: impl Fn(&str) -> bool) -> (tempfile::TempDir, String) {
    let files = bundle_files();
    let kept: Vec<(&str, &[u8])> =
        files.iter().filter(|(path, _)| keep(path)).map(|(path, data)| (path.as_str(), data.as_slice())).collect();
    bundle(&kept)
}

/// Runs `scan --format json -o DIR/NAME` on `paths`, expecting status 0; returns the report's path.
pub fn json_report(dir: &Path, name: &str, paths: &[&str]) -> String {
    let file = dir.join(name);
    let output = cas_triage().args(["scan", "--format", "json", "-o"]).arg(&file).args(paths).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    file.to_str().unwrap().to_string()
}

/// The fingerprints of a report's findings, each with its fault, count, first and last seen.
pub fn fingerprints(report: &Value) -> std::collections::BTreeMap<String, String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let what = format!("{} {} {} {}", f["fault"], f["count"], f["first_seen"], f["last_seen"]);
            (f["fingerprint"].as_str().unwrap().to_string(), what)
        })
        .collect()
}

/// An XML element (or an element of an HTML page written as well-formed XML), its attributes
/// unescaped, `text` the concatenation of its own text nodes, `all_text` of every text inside it,
/// in document order.
#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attributes: std::collections::BTreeMap<String, String>,
    pub text: String,
    pub all_text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The children named `name`.
    pub fn all(&self, name: &str) -> Vec<&Element> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    /// The one child named `name`.
    pub fn one(&self, name: &str) -> &Element {
        let found = self.all(name);
        assert_eq!(found.len(), 1, "one <{name}> in <{}>", self.name);
        found[0]
    }

    pub fn attr(&self, name: &str) -> &str {
        self.attributes.get(name).unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
    }

    /// Every element inside this one, depth first.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut found = Vec::new();
        for child in &self.children {
            found.push(child);
            found.extend(child.descendants());
        }
        found
    }

    /// The elements inside this one named `name` whose `class` holds `class` (any with `""`).
    pub fn find(&self, name: &str, class: &str) -> Vec<&Element> {
        self.descendants().into_iter().filter(|e| e.name == name && (class.is_empty() || e.has_class(class))).collect()
    }

    /// The element inside this one with this `id`.
    pub fn by_id(&self, id: &str) -> &Element {
        let found: Vec<&Element> =
            self.descendants().into_iter().filter(|e| e.attributes.get("id").is_some_and(|i| i == id)).collect();
        assert_eq!(found.len(), 1, "one element with id {id}");
        found[0]
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attributes.get("class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }
}

/// Parses a well-formed XML document into its root element; panics with the document otherwise.
pub fn parse_xml(xml: &str) -> Element {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![Element::default()];
    let open = |e: &quick_xml::events::BytesStart| Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attributes: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.normalized_value(quick_xml::XmlVersion::Explicit1_0).unwrap().into_owned(),
                )
            })
            .collect(),
        ..Element::default()
    };
    let add_text = |stack: &mut Vec<Element>, text: &str| {
        stack.last_mut().unwrap().text.push_str(text);
        for open in stack.iter_mut() {
            open.all_text.push_str(text);
        }
    };
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xml}")) {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(open(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => add_text(&mut stack, &t.xml10_content().unwrap()),
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => match r.decode().unwrap().as_ref() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => panic!("unknown entity {other}"),
                    },
                };
                add_text(&mut stack, &text);
            }
            Event::CData(_) => panic!("no CDATA expected"),
            Event::Eof => break,
            _ => {}
        }
    }
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}
