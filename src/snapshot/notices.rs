//! A workload container's Pebble notices: `pebble notices` lists them (a table `ID  Type  Key
//! First  Repeated  Occurences` whose first column is the id, canonical/pebble
//! cmd_notices.go; "No matching notices." on stderr when there are none; notices someone
//! acknowledged with `pebble okay` in the container are not listed, and listing records, in the
//! container's Pebble CLI state, what a later `pebble okay` there would acknowledge) and
//! `pebble notice <id>` prints each as YAML (cmd_notice.go, `yamlNotice`): `id`, `user-id`
//! (null for a public notice), `type`, `key`, `first-occurred`, `last-occurred`,
//! `last-repeated` (RFC 3339), `occurrences`, `last-data`, and `repeat-after` / `expire-after`
//! as Go durations (`1h0m0s`), the last three left out when empty. Run as root through
//! `juju ssh --container`, they are the notices the charm's Pebble client sees.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::runner::Juju;
use crate::state::Notice;

#[derive(Deserialize)]
struct NoticeInfo {
    id: String,
    #[serde(rename = "user-id")]
    user_id: Option<u32>,
    #[serde(rename = "type")]
    notice_type: String,
    key: String,
    #[serde(rename = "first-occurred")]
    first_occurred: String,
    #[serde(rename = "last-occurred")]
    last_occurred: String,
    #[serde(rename = "last-repeated")]
    last_repeated: String,
    occurrences: u32,
    #[serde(rename = "last-data", default)]
    last_data: BTreeMap<String, String>,
    #[serde(rename = "repeat-after")]
    repeat_after: Option<String>,
    #[serde(rename = "expire-after")]
    expire_after: Option<String>,
}

/// The notices of one container, in the order Pebble lists them. What cannot be read is left
/// out with a warning: notices are seldom what a test is about.
pub(crate) fn gather(
    juju: &Juju,
    unit: &str,
    container: &str,
    pebble: &str,
    warnings: &mut Vec<String>,
) -> Vec<Notice> {
    let list = match juju.text("ssh", &["--container", container, unit, pebble, "notices"]) {
        Ok(list) => list,
        Err(e) => {
            warnings.push(format!(
                "container {container:?}: the notices could not be listed, so none is taken ({e})"
            ));
            return Vec::new();
        }
    };
    let ids: Vec<&str> = list
        .lines()
        .skip_while(|l| !l.starts_with("ID"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let mut out = Vec::new();
    for id in ids {
        let args = ["--container", container, unit, pebble, "notice", id];
        let read = juju
            .text("ssh", &args)
            .map_err(|e| e.to_string())
            .and_then(|yaml| {
                serde_yaml_ng::from_str::<NoticeInfo>(&yaml)
                    .map_err(|e| {
                        format!(
                            "`{}` printed YAML that is not a notice: {e}",
                            juju.line("ssh", &args)
                        )
                    })
                    .and_then(notice)
            });
        match read {
            Ok(n) => out.push(n),
            Err(e) => warnings.push(format!(
                "container {container:?}: notice {id} is left out ({e})"
            )),
        }
    }
    out
}

fn notice(info: NoticeInfo) -> Result<Notice, String> {
    let duration = |d: Option<String>| {
        d.map(|d| go_duration_seconds(&d).ok_or(format!("{d:?} is not a Go duration")))
            .transpose()
    };
    let mut n = Notice::new(info.key)
        .id(info.id)
        .notice_type(info.notice_type)
        .first_occurred(info.first_occurred)
        .last_occurred(info.last_occurred)
        .last_repeated(info.last_repeated)
        .occurrences(info.occurrences)
        .last_data(info.last_data);
    n.user_id = info.user_id;
    n.repeat_after = duration(info.repeat_after)?;
    n.expire_after = duration(info.expire_after)?;
    Ok(n)
}

/// Seconds in a Go duration as `time.Duration.String` writes it: `1h0m0s`, `1m30.5s`,
/// `500ms`, `0s`, with an optional sign.
fn go_duration_seconds(text: &str) -> Option<f64> {
    let (sign, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .filter(|at| *at > 0)?;
        let value: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    Some(sign * total)
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    #[test]
    fn go_durations_read_as_seconds() {
        for (text, seconds) in [
            ("1h0m0s", 3600.0),
            ("168h0m0s", 604_800.0),
            ("1m30.5s", 90.5),
            ("500ms", 0.5),
            ("0s", 0.0),
            ("-2s", -2.0),
        ] {
            assert_eq!(go_duration_seconds(text), Some(seconds), "{text}");
        }
        for bad in ["", "1", "h", "1x", "1h-", "--1s"] {
            assert_eq!(go_duration_seconds(bad), None, "{bad}");
        }
    }

    const PEBBLE: &str = "/charm/bin/pebble";

    #[test]
    fn notices_are_listed_then_read_one_by_one() {
        let list =
            "ID   Type    Key                 First               Repeated            Occurences\n\
                    1    custom  example.com/reload  today at 09:00 UTC  today at 09:30 UTC  2\n\
                    4    custom  example.com/bad     today at 09:40 UTC  today at 09:40 UTC  1\n";
        let one = "id: \"1\"\nuser-id: null\ntype: custom\nkey: example.com/reload\n\
                   first-occurred: 2026-12-05T09:00:00.123456789Z\n\
                   last-occurred: 2026-12-05T09:30:00Z\nlast-repeated: 2026-12-05T09:30:00Z\n\
                   occurrences: 2\nlast-data:\n    reason: config\nrepeat-after: 1m0s\n\
                   expire-after: 168h0m0s\n";
        let four = "id: \"4\"\nuser-id: 0\ntype: custom\nkey: example.com/bad\n\
                    first-occurred: 2026-12-05T09:40:00Z\nlast-occurred: 2026-12-05T09:40:00Z\n\
                    last-repeated: 2026-12-05T09:40:00Z\noccurrences: 1\nexpire-after: soon\n";
        let fake = FakeJuju::new()
            .ok("ssh --container web web/0 /charm/bin/pebble notices", list)
            .ok("ssh --container web web/0 /charm/bin/pebble notice 1", one)
            .ok("ssh --container web web/0 /charm/bin/pebble notice 4", four);
        let mut warnings = Vec::new();
        let got = gather(
            &Juju::new(&fake, None),
            "web/0",
            "web",
            PEBBLE,
            &mut warnings,
        );
        assert_eq!(
            got,
            [Notice::new("example.com/reload")
                .id("1")
                .first_occurred("2026-12-05T09:00:00.123456789Z")
                .last_occurred("2026-12-05T09:30:00Z")
                .last_repeated("2026-12-05T09:30:00Z")
                .occurrences(2)
                .last_data([("reason", "config")])
                .repeat_after(60.0)
                .expire_after(604_800.0)]
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("notice 4 is left out") && warnings[0].contains("\"soon\""),
            "{warnings:?}"
        );
    }

    #[test]
    fn no_notices_and_a_pebble_that_cannot_list_them() {
        let fake = FakeJuju::new().ok("ssh --container web web/0 /charm/bin/pebble notices", "");
        let mut warnings = Vec::new();
        assert_eq!(
            gather(
                &Juju::new(&fake, None),
                "web/0",
                "web",
                PEBBLE,
                &mut warnings
            ),
            []
        );
        assert!(warnings.is_empty());
        let fake = FakeJuju::new();
        gather(
            &Juju::new(&fake, None),
            "web/0",
            "web",
            PEBBLE,
            &mut warnings,
        );
        assert!(warnings[0].contains("could not be listed"), "{warnings:?}");
    }
}
