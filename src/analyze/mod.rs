//! Analyses beyond single events. For now: the checks on whole `application.properties` files
//! (CRLF line endings, encoding). Input is a file's bytes from `input`; output is typed facts that
//! `scan` turns into findings.

mod properties;

pub use properties::{CrlfFacts, EncodingFacts, crlf_facts, encoding_facts};
