//! Embeds the default rule pack: every `rules/*.toml` becomes a `(file name, contents)` entry of
//! `EMBEDDED_RULES`, generated into `$OUT_DIR/embedded_rules.rs` and included by
//! `src/rules/embedded.rs`. Only `*.toml` files are rule files (`rules/README.md` is the authoring
//! guide). Files are listed in name order so builds are reproducible. Also sets
//! `CAS_TRIAGE_PACK_ID`, a digest of the files (`src/rules/digest.rs`), which `--version` and the
//! JSON report show.

use std::{env, fs, path::Path};

// The pack id's function, shared with the library (which names a user's pack with it).
#[path = "src/rules/digest.rs"]
mod digest;

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
    let mut contents = Vec::new();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        code.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
        contents.push((name, fs::read(path).expect("a rule file is readable")));
    }
    code.push_str("];\n");
    // The pack's id, so that `--version` and reports tell which rules a binary carries.
    let id = digest::pack_id(contents.iter().map(|(name, bytes)| (name.as_str(), bytes.as_slice())));
    println!("cargo:rerun-if-changed={}", Path::new(&manifest).join("src/rules/digest.rs").display());
    println!("cargo:rustc-env=CAS_TRIAGE_PACK_ID={id}");
    println!("cargo:rustc-env=CAS_TRIAGE_PACK_FILES={}", files.len());

    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_rules.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
