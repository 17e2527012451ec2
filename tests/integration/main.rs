//! Command-line tests of cas-triage: one binary, one module per concern, helpers in `util`.

mod analyses;
mod damage;
mod encoding;
mod hostile;
mod inputs;
mod output;
mod rules_cmd;
mod schema;
mod sigma;
mod util;
