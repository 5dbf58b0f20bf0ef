//! The one integration-test binary: each module tests one area through the public API or the
//! `gilbench` executable.

mod api;
mod browser;
mod cli;
mod command;
mod compare;
mod conventions;
mod cpython;
mod exports;
mod faults;
mod gate;
mod golden;
mod ipc;
mod layout;
mod leftovers;
mod locks;
mod models;
mod plan;
mod probes;
mod processes;
mod report;
mod report_page;
mod scenario;
mod skip;
mod support;
mod switch;
