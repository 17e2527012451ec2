//! Command-line tests of cas-triage: one binary, one module per concern, helpers in `util`.

mod analyses;
mod baseline;
mod config;
mod damage;
mod docs;
mod encoding;
mod formats;
mod help;
mod hostile;
mod html;
mod inputs;
mod junit;
mod markdown;
mod merge;
mod output;
mod read_back;
mod reference;
mod rules_cmd;
mod sarif;
mod schema;
mod sigma;
mod tickets;
mod util;
