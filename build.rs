//! Embeds the default rule pack: every `rules/*.toml` becomes a `(file name, contents)` entry of
//! `EMBEDDED_RULES`, generated into `$OUT_DIR/embedded_rules.rs` and included by
//! `src/rules/embedded.rs`. Files are listed in name order so builds are reproducible. Also sets
//! `CAS_TRIAGE_PACK_ID`, a digest of the files, which `--version` shows.

use std::{env, fs, path::Path};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let rules_dir = Path::new(&manifest).join("rules");
    println!("cargo:rerun-if-changed={}", rules_dir.display());

    let mut files: Vec<_> = fs::read_dir(&rules_dir)
        .expect("the rules/ directory holds the default rule pack")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();

    let mut code = String::from("pub(crate) static EMBEDDED_RULES: &[(&str, &str)] = &[\n");
    // The pack's id: FNV-1a over every file's name and bytes, so `--version` tells which rules
    // a binary carries.
    let mut id: u64 = 0xcbf2_9ce4_8422_2325;
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        code.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
        let bytes = fs::read(path).expect("a rule file is readable");
        for byte in name.as_bytes().iter().chain([0u8].iter()).chain(bytes.iter()) {
            id = (id ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    code.push_str("];\n");
    println!("cargo:rustc-env=CAS_TRIAGE_PACK_ID={id:016x}");
    println!("cargo:rustc-env=CAS_TRIAGE_PACK_FILES={}", files.len());

    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_rules.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
