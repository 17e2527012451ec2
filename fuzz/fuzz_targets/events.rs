#![no_main]
//! Splits arbitrary bytes into events and parses every line as a header.

use cas_triage::event::{HeaderParser, Records, parse_header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut records = Records::new(data);
    let mut sink = 0usize;
    for record in records.by_ref() {
        // The record borrows the buffer at its own offset.
        assert!(record.offset + record.bytes.len() <= data.len());
        assert_eq!(record.bytes, &data[record.offset..record.offset + record.bytes.len()]);
        if let Some(ts) = record.timestamp {
            sink = sink.wrapping_add(ts.local_millis() as usize);
            sink = sink.wrapping_add(ts.to_string().len());
        }
        sink = sink.wrapping_add(record.level.as_str().len());
        sink = sink.wrapping_add(record.bytes.len());
        sink = sink.wrapping_add(record.header_line().len());
        let (line, text) = record.line_at(record.offset + record.bytes.len() / 2);
        sink = sink.wrapping_add(line as usize ^ text.len());
    }
    sink = sink.wrapping_add(records.lines() as usize);
    // A parser that remembers the last minute reads every line as a fresh one would.
    let mut parser = HeaderParser::default();
    for line in data.split(|&b| b == b'\n') {
        assert_eq!(parser.parse(line), parse_header(line));
        if let Some(header) = parse_header(line) {
            sink = sink.wrapping_add(header.timestamp.local_millis() as usize);
            sink = sink.wrapping_add(header.level.as_str().len());
        }
    }
    std::hint::black_box(sink);
});
