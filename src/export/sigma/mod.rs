//! The rule pack as Sigma rules (sigmahq.io, specification 2): `rule.rs` writes each line rule
//! as one Sigma rule per component it is limited to (or one for every component), and lists the
//! rules Sigma cannot express; `regex.rs` rewrites the pack's regexes in the regular expressions
//! Sigma allows.

mod regex;
mod rule;

pub(super) use rule::{export, is_generated};
