//! "Did you mean …?": the closest of a few known words to a misspelled one.

/// The candidate closest to `word`, if it is close enough to be a likely misspelling: at most
/// one edit (insertion, deletion, substitution or swap of neighbours) per three characters,
/// or a Jaro-Winkler similarity above 0.85. Fewest edits win, then the higher similarity.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let most_edits = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), strsim::jaro_winkler(word, c), c))
        .filter(|(edits, similarity, _)| *edits <= most_edits || *similarity > 0.85)
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, c)| c)
}

/// `" (did you mean `x`?)"` when a candidate is close to `word`, else nothing.
pub(super) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    closest(word, candidates).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
}
