//! The ids that sections of `index.html` link to across the page: each scenario's section,
//! reached from the table of contents and from the answer table's shapes.

/// The id of a scenario's section: `scenario-` and the name with anything but letters,
/// digits, `-` and `_` replaced.
pub(super) fn scenario_id(name: &str) -> String {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("scenario-{safe}")
}
