//! The JSON Schema of the JSON report (`schema/report.schema.json`), embedded in the binary at
//! build time so that `cas-triage schema` prints the schema of the very version that runs.

/// The JSON Schema (draft 2020-12) that `scan --format json` output validates against.
pub const REPORT_SCHEMA: &str = include_str!("../../schema/report.schema.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_describes_this_schema_version() {
        let schema: serde_json::Value = serde_json::from_str(REPORT_SCHEMA).unwrap();
        let version = &schema["properties"]["schema_version"]["const"];
        assert_eq!(version.as_u64(), Some(u64::from(super::super::SCHEMA_VERSION)));
    }
}
