//! Process executors: spawn and fork workers, supervision, cleanup.
