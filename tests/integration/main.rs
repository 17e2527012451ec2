//! Command-line tests of cas-triage: one binary, one module per concern, helpers in `util`.

mod analyses;
mod damage;
mod encoding;
mod formats;
mod hostile;
mod html;
mod inputs;
mod junit;
mod markdown;
mod output;
mod reference;
mod rules_cmd;
mod sarif;
mod schema;
mod sigma;
mod tickets;
mod util;
