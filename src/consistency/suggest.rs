//! What to say about an unknown name: the declared name nearest to it, or else the declared
//! names. Every "not declared" rule of the checker ends with this hint, and so does the
//! report of an event the charm does not define.

/// The declared name nearest to `word`, if it is near enough to be a typo: within a
/// Damerau-Levenshtein distance of a quarter of its length (at least 2), with `-` and `_` taken
/// as the same (event names write `my_db` for the endpoint `my-db`). Ties go to the first
/// declared.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.replace('_', "-");
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word, &c.replace('_', "-")), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < word.len().max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The hint for an unknown name among the declared `what` (`"endpoints"`, `"config
/// options"`): `did you mean "db"?`, or when nothing is near, the declared names, or that
/// there are none.
pub(crate) fn suggest<'a>(
    word: &str,
    declared: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    if let Some(close) = closest(word, declared.clone()) {
        return format!("did you mean {close:?}?");
    }
    let listed: Vec<String> = declared.into_iter().map(|d| format!("{d:?}")).collect();
    if listed.is_empty() {
        format!("the charm declares no {what}")
    } else {
        format!("the charm declares the {what} {}", listed.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_the_nearest_name() {
        assert_eq!(closest("dbb", ["db", "cache"]), Some("db"));
        assert_eq!(closest("prot", ["port", "ratio"]), Some("port"));
        assert_eq!(closest("my_db", ["my-db", "other"]), Some("my-db"));
        assert_eq!(closest("strat", ["start", "stop"]), Some("start"));
        assert_eq!(closest("x", ["y"]), None);
        assert_eq!(closest("database", ["web", "cache"]), None);
    }

    #[test]
    fn without_a_near_name_the_hint_lists_the_declared_ones() {
        assert_eq!(
            suggest("dbb", ["db", "cache"], "endpoints"),
            "did you mean \"db\"?"
        );
        assert_eq!(
            suggest("database", ["web", "cache"], "endpoints"),
            "the charm declares the endpoints \"web\", \"cache\""
        );
        assert_eq!(
            suggest("database", std::iter::empty::<&str>(), "endpoints"),
            "the charm declares no endpoints"
        );
    }
}
