//! The id of a rule pack: FNV-1a (64 bits) over each file's name, a NUL and its bytes, the files
//! in name order. `build.rs` includes this file to name the embedded pack (`--version`, the
//! report's `tool.rule_pack`); the library names a pack loaded from a directory with it, so a
//! copy of the built-in pack has the built-in pack's id. It tells versions apart; it is not a
//! cryptographic digest and authenticates nothing.

/// The id of the files `(name, bytes)`, given in name order: 16 hex digits.
pub fn pack_id<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut id: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, bytes) in files {
        for byte in name.as_bytes().iter().chain([0u8].iter()).chain(bytes.iter()) {
            id = (id ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{id:016x}")
}
