#![no_main]
//! Loads arbitrary text as a rule file and compiles it; errors are fine, panics are not.

use cas_triage::rules::{CompiledRules, RulePack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let files = [("fuzz.toml".to_string(), text.to_string())];
    if let Ok(pack) = RulePack::from_files(&files) {
        let _ = std::hint::black_box(CompiledRules::compile(pack));
    }
});
