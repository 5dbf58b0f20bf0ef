//! The JSON Schema of `run.json`, generated from the result types themselves, so the shipped
//! copy (`schema/run.schema.json`) is checked against the types by a test and cannot drift.

use super::RunRecord;

/// Where the generated schema is shipped, relative to the repository root.
pub const SCHEMA_PATH: &str = "schema/run.schema.json";

/// The JSON Schema of [`RunRecord`], pretty-printed, with a final newline.
pub fn run_schema() -> String {
    let schema = schemars::schema_for!(RunRecord);
    let mut text = serde_json::to_string_pretty(&schema).expect("invariant: a schema serialises");
    text.push('\n');
    text
}
