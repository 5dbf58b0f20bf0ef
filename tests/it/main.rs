//! The one integration-test binary: each module tests one area through the public API or the
//! `gilbench` executable.

mod processes;
mod report;
mod scenario;
