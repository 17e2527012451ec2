#![no_main]
//! Writes the bytes to a file whose extension is chosen by the first byte, then discovers and
//! loads it, collecting everything the loader yields. Decompressed logs come in windows of a few
//! hundred bytes, so that cutting a stream into windows is fuzzed too.

use std::path::PathBuf;
use std::sync::OnceLock;

use cas_triage::input::{InputOptions, Loaded, discover, load_unit};
use libfuzzer_sys::fuzz_target;

const EXTENSIONS: &[&str] = &[".tar", ".tar.gz", ".zip", ".gz", ".log"];

fn scratch_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cas-triage-fuzz-archive-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let ext = EXTENSIONS[usize::from(selector) % EXTENSIONS.len()];
    let dir = scratch_dir();
    // Remove files of other extensions from the previous run so only one exists.
    for other in EXTENSIONS {
        let _ = std::fs::remove_file(dir.join(format!("input{other}")));
    }
    let path = dir.join(format!("input{ext}"));
    std::fs::write(&path, body).expect("write scratch file");

    let window = [64, 300, 4096][usize::from(selector) / EXTENSIONS.len() % 3];
    let options = InputOptions { max_decompressed: 1 << 24, window: Some(window), ..Default::default() };
    let discovery = match discover(&[path.clone()]) {
        Ok(d) => d,
        Err(_) => return,
    };
    let mut items = Vec::new();
    for unit in &discovery.units {
        load_unit(unit, &options, &mut |loaded| items.push(loaded));
    }
    let mut total = 0usize;
    for item in &items {
        match item {
            Loaded::Source(source) => {
                total = total.wrapping_add(source.bytes.len());
                total = total.wrapping_add(source.path.len());
            }
            Loaded::Skipped(skipped) => total = total.wrapping_add(skipped.reason.len()),
            Loaded::Ignored => total = total.wrapping_add(1),
            Loaded::Transcoded(transcoded) => total = total.wrapping_add(transcoded.path.len()),
        }
    }
    std::hint::black_box(total);
});
