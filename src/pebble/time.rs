//! Time as Pebble's API writes it: RFC 3339 timestamps read as nanoseconds since the epoch,
//! and durations written as Go's `time.Duration.String` does (`"168h0m0s"`). Apart from the
//! notices that use it because it is Go's encoding, not a Pebble rule.

/// Seconds as whole nanoseconds (saturating).
pub(super) fn seconds_to_nanos(seconds: f64) -> i128 {
    (seconds * 1e9).round() as i128
}

/// A duration as Go's `time.Duration.String` writes it (`"1h0m0s"`, `"1.5s"`, `"500ms"`,
/// `"0s"`), which ops' `timeconv.parse_duration` reads.
pub(super) fn go_duration(nanos: i128) -> String {
    /// `value / unit` with its fraction, trailing zeros trimmed (`1500, 1000` -> `1.5`).
    fn with_fraction(value: u128, unit: u128) -> String {
        let (whole, rest) = (value / unit, value % unit);
        if rest == 0 {
            return whole.to_string();
        }
        let digits = unit.ilog10() as usize;
        let fraction = format!("{rest:0digits$}");
        format!("{whole}.{}", fraction.trim_end_matches('0'))
    }
    if nanos == 0 {
        return "0s".to_owned();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let body = if n < 1_000 {
        format!("{n}ns")
    } else if n < 1_000_000 {
        format!("{}µs", with_fraction(n, 1_000))
    } else if n < 1_000_000_000 {
        format!("{}ms", with_fraction(n, 1_000_000))
    } else {
        let total_seconds = n / 1_000_000_000;
        let seconds = with_fraction(n % 60_000_000_000, 1_000_000_000);
        let (hours, minutes) = (total_seconds / 3600, (total_seconds / 60) % 60);
        if hours > 0 {
            format!("{hours}h{minutes}m{seconds}s")
        } else if minutes > 0 {
            format!("{minutes}m{seconds}s")
        } else {
            format!("{seconds}s")
        }
    };
    format!("{sign}{body}")
}

/// An RFC 3339 time (`2026-01-01T00:00:00+00:00`, `...Z`, a fraction, or a space for the
/// `T`) as nanoseconds since the Unix epoch; `None` if it is not one.
pub(super) fn parse_time(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| num_of(text.get(range)?);
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &text[19..];
    let mut nanos = 0i128;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<9}", &fraction[..digits.min(9)]);
        nanos = padded.parse().ok()?;
        rest = &fraction[digits..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (h, m) = (num_of(rest.get(1..3)?)?, num_of(rest.get(4..6)?)?);
            sign * (h * 3600 + m * 60)
        }
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds * 1_000_000_000 + nanos)
}

/// ASCII digits as a number.
fn num_of(s: &str) -> Option<i128> {
    s.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::DEFAULT_NOTICE_TIME;

    #[test]
    fn go_durations() {
        let d = |s: f64| go_duration(seconds_to_nanos(s));
        assert_eq!(d(0.0), "0s");
        assert_eq!(d(3600.0), "1h0m0s");
        assert_eq!(d(1.5), "1.5s");
        assert_eq!(d(0.5), "500ms");
        assert_eq!(d(0.0015), "1.5ms");
        assert_eq!(d(0.000_002), "2µs");
        assert_eq!(d(0.000_000_003), "3ns");
        assert_eq!(d(259_380.5), "72h3m0.5s");
        assert_eq!(d(-61.0), "-1m1s");
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_time("1970-01-01 00:00:01.5Z"), Some(1_500_000_000));
        assert_eq!(
            parse_time(DEFAULT_NOTICE_TIME),
            Some(1_767_225_600 * 1_000_000_000)
        );
        assert_eq!(
            parse_time("2024-02-29T00:00:00Z"),
            Some(1_709_164_800 * 1_000_000_000)
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2024-02-29T00:00:00"), None);
    }
}
