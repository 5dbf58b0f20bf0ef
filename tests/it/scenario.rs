//! Scenario files through the CLI: the broken-scenario corpus exits 2 naming file, line and key.
