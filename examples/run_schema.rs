//! Prints the JSON Schema of `run.json`, generated from the result types; the shipped copy is
//! regenerated with it (a test fails while the two differ):
//!
//! ```sh
//! cargo run --example run_schema > schema/run.schema.json
//! ```

fn main() {
    print!("{}", gilbench::results::run_schema());
}
