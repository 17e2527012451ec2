//! Which component (app) and host a file belongs to, inferred from its path inside the bundle:
//! `bundle/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log` is acopswareexecutor on
//! 10.12.3.4. Output feeds finding groups; `--component` and `--host` override it for a single
//! file, and `--host` names the files of directories and archives whose path names no host
//! (`load.rs` applies both).

/// The apps the operations manual names, with the other spellings found in paths and file names.
const COMPONENTS: &[(&str, &[&str])] = &[
    ("apopswareapiserver", &["apopswareapiserver", "opswareapiserver", "apiserver"]),
    ("acopswareorchestration", &["acopswareorchestration", "opswareorchestration", "orchestration"]),
    ("acopswareexecutor", &["acopswareexecutor", "opswareexecutor", "executor"]),
    ("acstarserver2", &["acstarserver2", "acstarserver", "starserver2", "starserver"]),
    ("staragent", &["staragent"]),
    ("apconsole", &["apconsole"]),
    ("acprovisioncore", &["acprovisioncore", "provisioncore"]),
    ("acmetaservice", &["acmetaservice", "metaservice"]),
    ("aciaasconnectore", &["aciaasconnectore", "aciaasconnector", "iaasconnectore", "iaasconnector"]),
    ("acappcore", &["acappcore", "appcore"]),
    ("aciamweb", &["aciamweb", "iamweb"]),
    ("aciamcore", &["aciamcore", "iamcore"]),
    ("acprodapigw", &["acprodapigw", "prodapigw"]),
];

/// The canonical names of the known components.
pub fn known_components() -> impl Iterator<Item = &'static str> {
    COMPONENTS.iter().map(|(name, _)| *name)
}

pub const UNKNOWN: &str = "unknown";

/// Component and host of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub component: String,
    pub host: String,
}

/// Infers both from a `/`-separated path.
pub fn infer(path: &str) -> Identity {
    let segments: Vec<&str> = path.split(['/', '\\']).filter(|s| !s.is_empty() && *s != ".").collect();
    let (dirs, file) = match segments.split_last() {
        Some((file, dirs)) => (dirs, *file),
        None => (&[][..], ""),
    };
    Identity {
        component: component_of(dirs, file).unwrap_or(UNKNOWN).to_string(),
        host: host_of(dirs).unwrap_or(UNKNOWN).to_string(),
    }
}

/// The innermost directory named after a component, else the first word of the file name
/// (`executor-common-error.log`, `aciaasconnectore-default.log`, `staragent_core.log`).
fn component_of(dirs: &[&str], file: &str) -> Option<&'static str> {
    dirs.iter().rev().find_map(|dir| canonical_component(dir)).or_else(|| {
        let first_word = file.split(['-', '_', '.']).next().unwrap_or("");
        canonical_component(first_word)
    })
}

fn canonical_component(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    COMPONENTS.iter().find(|(_, aliases)| aliases.contains(&lower.as_str())).map(|(name, _)| *name)
}

/// The folder above `home/`, else an IPv4 segment, else a segment shaped like a host name
/// (letters, digits, `-` and `.`, with at least one digit and one separator, not a component).
fn host_of<'a>(dirs: &[&'a str]) -> Option<&'a str> {
    if let Some(i) = dirs.iter().position(|d| *d == "home") {
        if i > 0 && !is_generic(dirs[i - 1]) {
            return Some(dirs[i - 1]);
        }
    }
    if let Some(ip) = dirs.iter().rev().find(|d| d.parse::<std::net::Ipv4Addr>().is_ok()) {
        return Some(ip);
    }
    dirs.iter().rev().copied().find(|d| looks_like_host(d))
}

fn is_generic(segment: &str) -> bool {
    matches!(segment, "" | "." | ".." | "tmp" | "var" | "data" | "logs" | "log")
}

fn looks_like_host(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.')
        && bytes.iter().any(u8::is_ascii_digit)
        && bytes.iter().any(|b| *b == b'-' || *b == b'.')
        && bytes.iter().any(u8::is_ascii_alphabetic)
        && !is_date_like(segment)
        && canonical_component(segment).is_none()
}

/// `2022-09-28`, `20220928-1` and similar folder names are collection dates, not hosts.
fn is_date_like(segment: &str) -> bool {
    let digits = segment.bytes().filter(u8::is_ascii_digit).count();
    digits * 2 > segment.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str, &str)] = &[
        ("bundle/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log", "acopswareexecutor", "10.12.3.4"),
        (
            "bundle/10.12.3.4/home/admin/logs/acopswareexecutor/common-error.log.2022-09-28.gz",
            "acopswareexecutor",
            "10.12.3.4",
        ),
        ("bundle/app-host-7/home/staragent/log/staragent_core.log.1", "staragent", "app-host-7"),
        (
            "bundle/10.12.3.9/home/admin/logs/aciaasconnectore/aciaasconnectore-default.log",
            "aciaasconnectore",
            "10.12.3.9",
        ),
        ("bundle/app-host-7/home/admin/app/conf/application.properties", "unknown", "app-host-7"),
        ("bundle/10.1.1.1/home/admin/logs/apconsole/rpc/common-error.log", "apconsole", "10.1.1.1"),
        ("acopswareexecutor/common-error.log", "acopswareexecutor", "unknown"),
        ("executor-common-error.log", "acopswareexecutor", "unknown"),
        ("collected/2022-09-29/node-3.prod/iaasconnector/common-error.log", "aciaasconnectore", "node-3.prod"),
        ("/home/admin/logs/acstarserver2/common-error.log", "acstarserver2", "unknown"),
        ("logs/10.0.0.8/starserver2-common-error.log", "acstarserver2", "10.0.0.8"),
        ("random.log", "unknown", "unknown"),
        ("", "unknown", "unknown"),
    ];

    #[test]
    fn infers_component_and_host() {
        for (path, component, host) in CASES {
            let got = infer(path);
            assert_eq!((got.component.as_str(), got.host.as_str()), (*component, *host), "path {path}");
        }
    }
}
