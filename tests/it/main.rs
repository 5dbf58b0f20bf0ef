//! The one integration-test binary: each module tests one area through the public API or the
//! `gilbench` executable.

mod cli;
mod ipc;
mod models;
mod probes;
mod processes;
mod report;
mod scenario;
mod support;
