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

/// What to say about an event the charm does not define: the attribute path it lacks, or the
/// events its emitter defines, with the nearest one first when the name looks like a typo.
pub(crate) fn unknown_event_hint(
    name: &str,
    missing: Option<&str>,
    emitter: &str,
    defined: &[String],
) -> String {
    if let Some(path) = missing {
        return format!(
            "the charm has no attribute path {}",
            crate::text::py_repr(path)
        );
    }
    let listed = if defined.is_empty() {
        "no events".to_owned()
    } else {
        defined.join(", ")
    };
    let event = name.rsplit_once(".on.").map_or(name, |(_, e)| e);
    match closest(event, defined.iter().map(String::as_str)) {
        Some(close) => format!("did you mean {close:?}? ({emitter} defines: {listed})"),
        None => format!("{emitter} defines: {listed}"),
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

    #[test]
    fn an_unknown_event_gets_the_nearest_defined_one_and_the_list() {
        let defined = ["config_changed".to_owned(), "start".to_owned()];
        assert_eq!(
            unknown_event_hint("strat", None, "Demo.on", &defined),
            "did you mean \"start\"? (Demo.on defines: config_changed, start)"
        );
        assert_eq!(
            unknown_event_hint("greeter.on.grated", None, "Greeter.on", &["greeted".into()]),
            "did you mean \"greeted\"? (Greeter.on defines: greeted)"
        );
        assert_eq!(
            unknown_event_hint("reconfigured", None, "Demo.on", &defined),
            "Demo.on defines: config_changed, start"
        );
        assert_eq!(
            unknown_event_hint("x.on.y", Some("x"), "", &[]),
            "the charm has no attribute path 'x'"
        );
    }
}
