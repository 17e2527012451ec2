//! The default rule pack, embedded at build time from `rules/*.toml` by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
