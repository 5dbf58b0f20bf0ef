//! Run reports: fingerprint, charts and HTML from a results record.
