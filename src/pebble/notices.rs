//! Pebble notices: listing them with Pebble's filters and visibility rules, reading one,
//! recording a custom notice (`pebble notify`), numbering the State's notices, and the API
//! form `ops.pebble.Notice.from_dict` reads.
//!
//! The charm talks to Pebble as root (user id 0), an admin: it may use the `users` and
//! `user-id` filters and read every notice by id. Ids: Pebble numbers a container's notices
//! from 1, each new one the number after the highest so far; a new notice here takes the
//! number after the highest numeric id of the container's notices.
//!
//! Times and durations in Go's forms (reading `last-repeated`, writing `repeat-after`) are
//! `time.rs`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::time::{go_duration, parse_time, seconds_to_nanos};
use super::PebbleError;
use crate::state::{Container, Notice};

/// The notice types Pebble knows; a `types` filter ignores any other.
const NOTICE_TYPES: &[&str] = &["change-update", "custom", "warning"];

/// How long a new notice lives before Pebble expires it: 7 days, in seconds.
const DEFAULT_EXPIRE_AFTER: f64 = 7.0 * 24.0 * 3600.0;

/// The filters of `ops.pebble.Client.get_notices` (as its query parameters).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NoticeFilter {
    /// `users`: `"all"` for every user's notices (ops passes `NoticesUsers.ALL.value`).
    pub users: Option<String>,
    /// `user_id`: this user's notices and the public ones, instead of the requester's.
    pub user_id: Option<u32>,
    /// `types`: notices of any of these types; empty or `None` means any.
    pub types: Option<Vec<String>>,
    /// `keys`: notices with any of these keys; empty or `None` means any.
    pub keys: Option<Vec<String>>,
}

/// `get_notices`: the container's notices matching every filter, oldest `last_repeated`
/// first (ties in State order), as Pebble's `GET /v1/notices` filters them: without
/// `users`, only public notices and those of `user_id` (default: the charm's user, 0);
/// `users="all"` lifts that; unknown types in `types` are ignored, and if every type given
/// is unknown nothing matches. Pebble's 400s: `users` with `user_id`, or `users` other
/// than `"all"`.
pub(crate) fn get_notices<'a>(
    container: &'a Container,
    filter: &NoticeFilter,
) -> Result<Vec<&'a Notice>, PebbleError> {
    let mut visible_to = Some(filter.user_id.unwrap_or(0));
    if let Some(users) = &filter.users {
        if filter.user_id.is_some() {
            return Err(PebbleError::bad_request(
                "cannot use both \"users\" and \"user-id\" parameters",
            ));
        }
        if users != "all" {
            return Err(PebbleError::bad_request(
                "invalid \"users\" filter: must be \"all\"",
            ));
        }
        visible_to = None;
    }
    let types: Option<BTreeSet<&str>> = match filter.types.as_deref() {
        None | Some([]) => None,
        Some(types) => {
            let known: BTreeSet<&str> = types
                .iter()
                .map(String::as_str)
                .filter(|t| NOTICE_TYPES.contains(t))
                .collect();
            if known.is_empty() {
                return Ok(Vec::new());
            }
            Some(known)
        }
    };
    let keys = filter.keys.as_deref().filter(|k| !k.is_empty());
    let mut notices: Vec<&Notice> = container
        .notices
        .iter()
        .filter(|n| visible_to.is_none_or(|uid| n.user_id.is_none_or(|u| u == uid)))
        .filter(|n| {
            types
                .as_ref()
                .is_none_or(|t| t.contains(n.notice_type.as_str()))
        })
        .filter(|n| keys.is_none_or(|k| k.contains(&n.key)))
        .collect();
    notices.sort_by_key(|n| parse_time(&n.last_repeated).unwrap_or(i128::MIN));
    Ok(notices)
}

/// `get_notice(id)`: the container's notice with this id, or Pebble's 404 `cannot find
/// notice with ID "<id>"` (the charm, an admin, may read any user's notice).
pub(crate) fn get_notice<'a>(
    container: &'a Container,
    id: &str,
) -> Result<&'a Notice, PebbleError> {
    container
        .notices
        .iter()
        .find(|n| n.id.as_deref() == Some(id))
        .ok_or_else(|| PebbleError::not_found(format!("cannot find notice with ID {id:?}")))
}

/// Whether a custom notice key has Pebble's `example.com/path` form: a domain of at least two
/// dot-separated labels, then one or more `/`-separated segments, each label and segment
/// lowercase letters and digits in words joined by single `-`.
fn valid_custom_key(key: &str) -> bool {
    fn word_run(s: &str) -> bool {
        !s.is_empty()
            && s.split('-').all(|w| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    }
    let Some((domain, path)) = key.split_once('/') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2 && labels.iter().all(|l| word_run(l)) && path.split('/').all(word_run)
}

/// `notify(type, key, data=, repeat_after=)` at time `now` (RFC 3339), returning the
/// notice's id: a new occurrence of the container's notice of the same type and key
/// (occurrences + 1, `last_occurred` now, `last_data` and `repeat_after` replaced,
/// `last_repeated` now unless `repeat_after` has not yet passed since the last repeat), or a
/// new notice for the charm's user (0), expiring after 7 days, with the next id. Matching by
/// type and key (whatever the user) is ops.testing's rule; Pebble also matches the user.
/// Pebble's 400s: a type other than `custom`, a key not like `example.com/path` or over 256
/// bytes, data over 4096 bytes of JSON.
pub(crate) fn notify(
    container: &mut Container,
    notice_type: &str,
    key: &str,
    data: BTreeMap<String, String>,
    repeat_after: Option<f64>,
    now: &str,
) -> Result<String, PebbleError> {
    if notice_type != "custom" {
        return Err(PebbleError::bad_request(format!(
            "invalid type {notice_type:?} (can only add \"custom\" notices)"
        )));
    }
    if !valid_custom_key(key) {
        return Err(PebbleError::bad_request(format!(
            "invalid key {key:?} (must be in \"example.com/path\" format)"
        )));
    }
    if key.len() > 256 {
        return Err(PebbleError::bad_request("key must be 256 bytes or less"));
    }
    if !data.is_empty() && json!(data).to_string().len() > 4096 {
        return Err(PebbleError::bad_request(
            "total size of data must be 4096 bytes or less",
        ));
    }
    let repeat_after = repeat_after.filter(|r| *r != 0.0);
    if let Some(notice) = container
        .notices
        .iter_mut()
        .find(|n| n.notice_type == notice_type && n.key == key)
    {
        notice.occurrences += 1;
        let repeated = match (
            repeat_after,
            parse_time(&notice.last_repeated),
            parse_time(now),
        ) {
            (None, _, _) => true,
            (Some(after), Some(last), Some(now)) => now > last + seconds_to_nanos(after),
            // An unreadable time: count the repeat, as with no repeat-after.
            _ => true,
        };
        if repeated {
            notice.last_repeated = now.to_owned();
        }
        notice.last_occurred = now.to_owned();
        notice.last_data = data;
        notice.repeat_after = repeat_after;
        return Ok(notice.id.clone().unwrap_or_default());
    }
    let next = container
        .notices
        .iter()
        .filter_map(|n| n.id.as_deref()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let id = next.to_string();
    container.notices.push(Notice {
        id: Some(id.clone()),
        user_id: Some(0),
        notice_type: notice_type.to_owned(),
        key: key.to_owned(),
        first_occurred: now.to_owned(),
        last_occurred: now.to_owned(),
        last_repeated: now.to_owned(),
        occurrences: 1,
        last_data: data,
        repeat_after,
        expire_after: Some(DEFAULT_EXPIRE_AFTER),
    });
    Ok(id)
}

/// A notice as Pebble's API gives it, for `ops.pebble.Notice.from_dict`: `user-id` null for
/// a public notice, `last-data` left out when empty, `repeat-after` and `expire-after` as Go
/// duration strings (`"168h0m0s"`) and left out when unset or zero.
pub(crate) fn notice_to_api(notice: &Notice) -> Value {
    let mut dict = json!({
        "id": notice.id.clone().unwrap_or_default(),
        "user-id": notice.user_id,
        "type": notice.notice_type,
        "key": notice.key,
        "first-occurred": notice.first_occurred,
        "last-occurred": notice.last_occurred,
        "last-repeated": notice.last_repeated,
        "occurrences": notice.occurrences,
    });
    let map = dict.as_object_mut().expect("an object");
    if !notice.last_data.is_empty() {
        map.insert("last-data".into(), json!(notice.last_data));
    }
    for (field, value) in [
        ("repeat-after", notice.repeat_after),
        ("expire-after", notice.expire_after),
    ] {
        if let Some(seconds) = value.filter(|s| *s != 0.0) {
            map.insert(field.into(), go_duration(seconds_to_nanos(seconds)).into());
        }
    }
    dict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::DEFAULT_NOTICE_TIME;

    fn notice(key: &str, id: &str) -> Notice {
        Notice::new(key).id(id)
    }

    fn ids(notices: &[&Notice]) -> Vec<String> {
        notices.iter().map(|n| n.id.clone().unwrap()).collect()
    }

    fn container() -> Container {
        let mut private = notice("example.com/private", "2");
        private.user_id = Some(1000);
        let mut root = notice("example.com/root", "3");
        root.user_id = Some(0);
        root.last_repeated = "2025-01-01T00:00:00Z".into();
        let warning = notice("a warning", "4").notice_type("warning");
        Container::new("c").notices([notice("example.com/public", "1"), private, root, warning])
    }

    #[test]
    fn visibility() {
        let c = container();
        let get = |filter: NoticeFilter| ids(&get_notices(&c, &filter).unwrap());
        // Sorted by last_repeated: "3" repeated in 2025, the others at the default time.
        assert_eq!(get(NoticeFilter::default()), ["3", "1", "4"]);
        assert_eq!(
            get(NoticeFilter {
                user_id: Some(1000),
                ..NoticeFilter::default()
            }),
            ["1", "2", "4"]
        );
        assert_eq!(
            get(NoticeFilter {
                users: Some("all".into()),
                ..NoticeFilter::default()
            }),
            ["3", "1", "2", "4"]
        );
    }

    #[test]
    fn type_and_key_filters() {
        let c = container();
        let get = |filter: NoticeFilter| ids(&get_notices(&c, &filter).unwrap());
        let types = |t: &[&str]| NoticeFilter {
            types: Some(t.iter().map(|s| (*s).to_owned()).collect()),
            ..NoticeFilter::default()
        };
        assert_eq!(get(types(&["warning"])), ["4"]);
        assert_eq!(get(types(&["warning", "bogus"])), ["4"]);
        assert!(get(types(&["bogus"])).is_empty());
        assert_eq!(get(types(&[])), ["3", "1", "4"]);
        assert_eq!(
            get(NoticeFilter {
                keys: Some(vec![
                    "example.com/public".into(),
                    "example.com/private".into()
                ]),
                types: Some(vec!["custom".into()]),
                ..NoticeFilter::default()
            }),
            ["1"]
        );
    }

    #[test]
    fn filter_errors_in_pebble_words() {
        let c = container();
        assert_eq!(
            get_notices(
                &c,
                &NoticeFilter {
                    users: Some("all".into()),
                    user_id: Some(1),
                    ..NoticeFilter::default()
                }
            ),
            Err(PebbleError::bad_request(
                "cannot use both \"users\" and \"user-id\" parameters"
            ))
        );
        assert_eq!(
            get_notices(
                &c,
                &NoticeFilter {
                    users: Some("some".into()),
                    ..NoticeFilter::default()
                }
            ),
            Err(PebbleError::bad_request(
                "invalid \"users\" filter: must be \"all\""
            ))
        );
    }

    #[test]
    fn get_one() {
        let c = container();
        assert_eq!(get_notice(&c, "2").unwrap().key, "example.com/private");
        assert_eq!(
            get_notice(&c, "9"),
            Err(PebbleError::not_found("cannot find notice with ID \"9\""))
        );
    }

    #[test]
    fn notify_new_and_again() {
        let mut c = container();
        let data = BTreeMap::from([("a".to_owned(), "1".to_owned())]);
        let t1 = "2026-02-01T00:00:00Z";
        let id = notify(&mut c, "custom", "example.com/new", data.clone(), None, t1).unwrap();
        assert_eq!(id, "5");
        let n = get_notice(&c, "5").unwrap().clone();
        assert_eq!(
            (n.user_id, n.occurrences, n.first_occurred.as_str()),
            (Some(0), 1, t1)
        );
        assert_eq!(n.expire_after, Some(604_800.0));
        assert_eq!(n.last_data, data);

        let t2 = "2026-02-01T00:00:10Z";
        let again = notify(
            &mut c,
            "custom",
            "example.com/new",
            BTreeMap::new(),
            Some(60.0),
            t2,
        );
        assert_eq!(again.unwrap(), "5");
        let n = get_notice(&c, "5").unwrap();
        assert_eq!(n.occurrences, 2);
        assert_eq!(n.last_occurred, t2);
        assert_eq!(n.last_repeated, t1, "within repeat-after: not repeated");
        assert!(n.last_data.is_empty());
        assert_eq!(n.repeat_after, Some(60.0));

        let t3 = "2026-02-01T00:01:11Z";
        notify(
            &mut c,
            "custom",
            "example.com/new",
            BTreeMap::new(),
            Some(60.0),
            t3,
        )
        .unwrap();
        assert_eq!(get_notice(&c, "5").unwrap().last_repeated, t3);
        // The State's public notice of the same key is the one that occurs again.
        notify(
            &mut c,
            "custom",
            "example.com/public",
            BTreeMap::new(),
            None,
            t3,
        )
        .unwrap();
        assert_eq!(get_notice(&c, "1").unwrap().occurrences, 2);
        assert_eq!(c.notices.len(), 5);
    }

    #[test]
    fn notify_errors_in_pebble_words() {
        let mut c = Container::new("c");
        let now = DEFAULT_NOTICE_TIME;
        let err =
            |t: &str, k: &str| notify(&mut Container::new("c"), t, k, BTreeMap::new(), None, now);
        assert_eq!(
            err("warning", "example.com/x"),
            Err(PebbleError::bad_request(
                "invalid type \"warning\" (can only add \"custom\" notices)"
            ))
        );
        for bad in [
            "example/x",
            "example.com",
            "Example.com/x",
            "a.b/c--d",
            "a..b/c",
            "a.b/c/",
        ] {
            assert_eq!(
                err("custom", bad),
                Err(PebbleError::bad_request(format!(
                    "invalid key {bad:?} (must be in \"example.com/path\" format)"
                ))),
                "{bad}"
            );
        }
        for good in ["example.com/x", "a-b.c1.d/e-f/g", "0.0/0"] {
            assert!(err("custom", good).is_ok(), "{good}");
        }
        let long = format!("example.com/{}", "a".repeat(250));
        assert_eq!(
            err("custom", &long),
            Err(PebbleError::bad_request("key must be 256 bytes or less"))
        );
        let big = BTreeMap::from([("k".to_owned(), "v".repeat(4100))]);
        assert_eq!(
            notify(&mut c, "custom", "example.com/x", big, None, now),
            Err(PebbleError::bad_request(
                "total size of data must be 4096 bytes or less"
            ))
        );
    }

    #[test]
    fn api_form() {
        let mut n = notice("example.com/a", "1");
        assert_eq!(
            notice_to_api(&n),
            json!({"id": "1", "user-id": null, "type": "custom", "key": "example.com/a",
                   "first-occurred": DEFAULT_NOTICE_TIME, "last-occurred": DEFAULT_NOTICE_TIME,
                   "last-repeated": DEFAULT_NOTICE_TIME, "occurrences": 1})
        );
        n.user_id = Some(0);
        n.last_data = BTreeMap::from([("a".to_owned(), "b".to_owned())]);
        n.repeat_after = Some(90.0);
        n.expire_after = Some(604_800.0);
        let api = notice_to_api(&n);
        assert_eq!(api["user-id"], 0);
        assert_eq!(api["last-data"], json!({"a": "b"}));
        assert_eq!(api["repeat-after"], "1m30s");
        assert_eq!(api["expire-after"], "168h0m0s");
    }
}
