//! The `gilbench` command: parse, run, print the error chain, exit with the documented code.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
