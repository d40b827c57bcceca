//! [`StoredValue`]: a Python value as ops stores it (StoredState content, event snapshots).
//!
//! ops accepts anything `marshal` can write, which JSON cannot say in full: sets, tuples, bytes,
//! integers past 64 bits and dicts with non-string keys. Those are tagged in JSON as
//! `{"$set": [...]}`, `{"$frozenset": [...]}`, `{"$tuple": [...]}`, `{"$bytes": "<base64>"}`,
//! `{"$int": "<digits>"}` and `{"$dict": [[key, value], ...]}`.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A dict with string keys, the common case (StoredState content, snapshot data).
pub type StoredDict = BTreeMap<String, StoredValue>;

/// A Python value that ops can store: what `marshal` accepts, minus `complex`.
///
/// Sets compare equal regardless of element order, as in Python.
#[derive(Clone, Debug)]
pub enum StoredValue {
    /// `None`.
    None,
    /// `bool`.
    Bool(bool),
    /// `int` that fits in 64 bits.
    Int(i64),
    /// `int` past 64 bits, as decimal digits with an optional leading `-`.
    BigInt(String),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `list`.
    List(Vec<StoredValue>),
    /// `tuple`.
    Tuple(Vec<StoredValue>),
    /// `set`.
    Set(Vec<StoredValue>),
    /// `frozenset`.
    FrozenSet(Vec<StoredValue>),
    /// `dict` whose keys are all `str`.
    Dict(StoredDict),
    /// `dict` with at least one key that is not a `str`, in insertion order.
    KeyedDict(Vec<(StoredValue, StoredValue)>),
}

impl StoredValue {
    /// Whether Python could use this value as a dict key or set member.
    pub fn is_hashable(&self) -> bool {
        match self {
            StoredValue::List(_)
            | StoredValue::Set(_)
            | StoredValue::Dict(_)
            | StoredValue::KeyedDict(_) => false,
            StoredValue::Tuple(items) | StoredValue::FrozenSet(items) => {
                items.iter().all(StoredValue::is_hashable)
            }
            _ => true,
        }
    }

    /// Describe the first part of this value that Python could not store (an unhashable dict
    /// key or set member), with its path below `at`.
    pub fn find_unstorable(&self, at: &str) -> Option<String> {
        match self {
            StoredValue::List(items) | StoredValue::Tuple(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| v.find_unstorable(&format!("{at}[{i}]"))),
            StoredValue::Set(items) | StoredValue::FrozenSet(items) => {
                items.iter().enumerate().find_map(|(i, v)| {
                    if v.is_hashable() {
                        v.find_unstorable(&format!("{at}[{i}]"))
                    } else {
                        Some(format!(
                            "{at}[{i}] is a {}, which cannot be a set member (unhashable)",
                            v.type_name()
                        ))
                    }
                })
            }
            StoredValue::Dict(map) => map
                .iter()
                .find_map(|(k, v)| v.find_unstorable(&format!("{at}.{k}"))),
            StoredValue::KeyedDict(pairs) => pairs.iter().enumerate().find_map(|(i, (k, v))| {
                if k.is_hashable() {
                    v.find_unstorable(&format!("{at}[{i}]"))
                } else {
                    Some(format!(
                        "{at} has a {} key, which cannot be a dict key (unhashable)",
                        k.type_name()
                    ))
                }
            }),
            _ => None,
        }
    }

    /// The Python type name of this value.
    pub fn type_name(&self) -> &'static str {
        match self {
            StoredValue::None => "NoneType",
            StoredValue::Bool(_) => "bool",
            StoredValue::Int(_) | StoredValue::BigInt(_) => "int",
            StoredValue::Float(_) => "float",
            StoredValue::Str(_) => "str",
            StoredValue::Bytes(_) => "bytes",
            StoredValue::List(_) => "list",
            StoredValue::Tuple(_) => "tuple",
            StoredValue::Set(_) => "set",
            StoredValue::FrozenSet(_) => "frozenset",
            StoredValue::Dict(_) | StoredValue::KeyedDict(_) => "dict",
        }
    }
}

impl PartialEq for StoredValue {
    fn eq(&self, other: &Self) -> bool {
        use StoredValue::*;
        match (self, other) {
            (None, None) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (BigInt(a), BigInt(b)) => a == b,
            (Float(a), Float(b)) => a == b,
            (Str(a), Str(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Set(a), Set(b)) | (FrozenSet(a), FrozenSet(b)) => same_members(a, b),
            (Dict(a), Dict(b)) => a == b,
            (KeyedDict(a), KeyedDict(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v == v2))
            }
            _ => false,
        }
    }
}

fn same_members(a: &[StoredValue], b: &[StoredValue]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for StoredValue {
            fn from(v: $t) -> Self { StoredValue::Int(v.into()) }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<bool> for StoredValue {
    fn from(v: bool) -> Self {
        StoredValue::Bool(v)
    }
}
impl From<f64> for StoredValue {
    fn from(v: f64) -> Self {
        StoredValue::Float(v)
    }
}
impl From<&str> for StoredValue {
    fn from(v: &str) -> Self {
        StoredValue::Str(v.to_owned())
    }
}
impl From<String> for StoredValue {
    fn from(v: String) -> Self {
        StoredValue::Str(v)
    }
}
impl<T: Into<StoredValue>> From<Vec<T>> for StoredValue {
    fn from(v: Vec<T>) -> Self {
        StoredValue::List(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<StoredValue>> From<Option<T>> for StoredValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(StoredValue::None, Into::into)
    }
}
impl From<StoredDict> for StoredValue {
    fn from(v: StoredDict) -> Self {
        StoredValue::Dict(v)
    }
}

/// Build a [`StoredDict`] from `(key, value)` pairs.
pub fn stored_dict<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> StoredDict
where
    K: Into<String>,
    V: Into<StoredValue>,
{
    pairs
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

// ---- JSON form ----------------------------------------------------------------------------

impl Serialize for StoredValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StoredValue::None => s.serialize_unit(),
            StoredValue::Bool(b) => s.serialize_bool(*b),
            StoredValue::Int(i) => s.serialize_i64(*i),
            StoredValue::BigInt(digits) => tagged(s, "$int", digits),
            StoredValue::Float(f) => s.serialize_f64(*f),
            StoredValue::Str(v) => s.serialize_str(v),
            StoredValue::Bytes(b) => tagged(
                s,
                "$bytes",
                &base64::engine::general_purpose::STANDARD.encode(b),
            ),
            StoredValue::List(items) => items.serialize(s),
            StoredValue::Tuple(items) => tagged(s, "$tuple", items),
            StoredValue::Set(items) => tagged(s, "$set", items),
            StoredValue::FrozenSet(items) => tagged(s, "$frozenset", items),
            StoredValue::Dict(map) => {
                // A dict whose first key starts with `$` could read back as a tag (a reader
                // looks at the first key only): write it in the `$dict` form instead, which is
                // unambiguous.
                if map.keys().next().is_some_and(|k| k.starts_with('$')) {
                    let pairs: Vec<(&str, &StoredValue)> =
                        map.iter().map(|(k, v)| (k.as_str(), v)).collect();
                    return tagged(s, "$dict", &pairs);
                }
                let mut m = s.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            StoredValue::KeyedDict(pairs) => {
                struct Pairs<'a>(&'a [(StoredValue, StoredValue)]);
                impl Serialize for Pairs<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut seq = s.serialize_seq(Some(self.0.len()))?;
                        for (k, v) in self.0 {
                            seq.serialize_element(&(k, v))?;
                        }
                        seq.end()
                    }
                }
                tagged(s, "$dict", &Pairs(pairs))
            }
        }
    }
}

fn tagged<S: Serializer, T: Serialize + ?Sized>(s: S, tag: &str, v: &T) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry(tag, v)?;
    m.end()
}

impl<'de> Deserialize<'de> for StoredValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StoredValueVisitor)
    }
}

struct StoredValueVisitor;

impl<'de> Visitor<'de> for StoredValueVisitor {
    type Value = StoredValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value, or a tagged value such as {\"$set\": [...]}")
    }

    fn visit_unit<E>(self) -> Result<StoredValue, E> {
        Ok(StoredValue::None)
    }
    fn visit_none<E>(self) -> Result<StoredValue, E> {
        Ok(StoredValue::None)
    }
    fn visit_bool<E>(self, v: bool) -> Result<StoredValue, E> {
        Ok(StoredValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<StoredValue, E> {
        Ok(StoredValue::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<StoredValue, E> {
        Ok(i64::try_from(v).map_or_else(|_| StoredValue::BigInt(v.to_string()), StoredValue::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<StoredValue, E> {
        Ok(StoredValue::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<StoredValue, E> {
        Ok(StoredValue::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<StoredValue, E> {
        Ok(StoredValue::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StoredValue, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(StoredValue::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredValue, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(StoredValue::Dict(StoredDict::new()));
        };
        let tag = match first.as_str() {
            "$set" | "$frozenset" | "$tuple" | "$bytes" | "$int" | "$dict" => Some(first.clone()),
            _ => None,
        };
        if let Some(tag) = tag {
            let value = match tag.as_str() {
                "$set" => StoredValue::Set(map.next_value()?),
                "$frozenset" => StoredValue::FrozenSet(map.next_value()?),
                "$tuple" => StoredValue::Tuple(map.next_value()?),
                "$bytes" => {
                    let text: String = map.next_value()?;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(text.as_bytes())
                        .map_err(|e| de::Error::custom(format!("$bytes is not base64: {e}")))?;
                    StoredValue::Bytes(bytes)
                }
                "$int" => {
                    let digits: String = map.next_value()?;
                    big_int(&digits).map_err(de::Error::custom)?
                }
                _ => {
                    let pairs: Vec<(StoredValue, StoredValue)> = map.next_value()?;
                    dict_from_pairs(pairs)
                }
            };
            if let Some(extra) = map.next_key::<String>()? {
                return Err(de::Error::custom(format!(
                    "a tagged value holds only its tag {tag:?}, found also {extra:?}"
                )));
            }
            return Ok(value);
        }
        let mut dict = StoredDict::new();
        dict.insert(first, map.next_value()?);
        while let Some((k, v)) = map.next_entry::<String, StoredValue>()? {
            dict.insert(k, v);
        }
        Ok(StoredValue::Dict(dict))
    }
}

/// Parse `{"$int": "digits"}`, keeping small values as [`StoredValue::Int`].
fn big_int(digits: &str) -> Result<StoredValue, String> {
    let body = digits.strip_prefix('-').unwrap_or(digits);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("$int must be decimal digits, got {digits:?}"));
    }
    Ok(digits.parse::<i64>().map_or_else(
        |_| StoredValue::BigInt(normalise_digits(digits)),
        StoredValue::Int,
    ))
}

fn normalise_digits(digits: &str) -> String {
    let (sign, body) = match digits.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", digits),
    };
    let body = body.trim_start_matches('0');
    format!("{sign}{}", if body.is_empty() { "0" } else { body })
}

/// A dict from pairs: a plain [`StoredValue::Dict`] when every key is a string.
pub(crate) fn dict_from_pairs(pairs: Vec<(StoredValue, StoredValue)>) -> StoredValue {
    if pairs.iter().all(|(k, _)| matches!(k, StoredValue::Str(_))) {
        StoredValue::Dict(
            pairs
                .into_iter()
                .map(|(k, v)| match k {
                    StoredValue::Str(k) => (k, v),
                    _ => unreachable!("checked above"),
                })
                .collect(),
        )
    } else {
        StoredValue::KeyedDict(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(v: &StoredValue) -> StoredValue {
        serde_json::from_str(&serde_json::to_string(v).unwrap()).unwrap()
    }

    #[test]
    fn every_kind_survives_a_json_round_trip() {
        let v = StoredValue::Dict(stored_dict([
            ("none", StoredValue::None),
            ("big", StoredValue::BigInt("1180591620717411303424".into())),
            ("neg", StoredValue::BigInt("-99999999999999999999".into())),
            ("bytes", StoredValue::Bytes(b"\x00\xffabc".to_vec())),
            ("set", StoredValue::Set(vec!["a".into(), 1.into()])),
            ("frozen", StoredValue::FrozenSet(vec![2.into()])),
            ("tuple", StoredValue::Tuple(vec![1.into(), "x".into()])),
            ("float", 1.5.into()),
            ("list", vec![1, 2].into()),
            (
                "keyed",
                StoredValue::KeyedDict(vec![(1.into(), "one".into()), ("two".into(), 2.into())]),
            ),
            ("dollar", StoredValue::Dict(stored_dict([("$set", 1)]))),
        ]));
        assert_eq!(round_trip(&v), v);
    }

    #[test]
    fn a_dict_with_more_keys_than_a_leading_tag_name_round_trips() {
        // Written as a plain JSON object, `{"$set": 1, "a": 2}` would read back as a malformed
        // `$set` tag: such a dict is written in the `$dict` form.
        let v: StoredValue = serde_json::from_str(r#"{"$dict": [["$set", 1], ["a", 2]]}"#).unwrap();
        assert_eq!(round_trip(&v), v);
    }

    #[test]
    fn tagged_forms_read_as_documented() {
        let v: StoredValue = serde_json::from_str(
            r#"{"s": {"$set": [1, 2]}, "i": {"$int": "18446744073709551616"}, "b": {"$bytes": "aGk="}, "u": 18446744073709551615}"#,
        )
        .unwrap();
        let StoredValue::Dict(d) = v else { panic!() };
        assert_eq!(d["s"], StoredValue::Set(vec![2.into(), 1.into()]));
        assert_eq!(d["i"], StoredValue::BigInt("18446744073709551616".into()));
        assert_eq!(d["b"], StoredValue::Bytes(b"hi".to_vec()));
        assert_eq!(d["u"], StoredValue::BigInt("18446744073709551615".into()));
    }

    #[test]
    fn small_dollar_int_reads_as_int() {
        let v: StoredValue = serde_json::from_str(r#"{"$int": "-0042"}"#).unwrap();
        assert_eq!(v, StoredValue::Int(-42));
    }

    #[test]
    fn malformed_tags_are_errors() {
        assert!(serde_json::from_str::<StoredValue>(r#"{"$int": "12a"}"#).is_err());
        assert!(serde_json::from_str::<StoredValue>(r#"{"$bytes": "!!"}"#).is_err());
        assert!(serde_json::from_str::<StoredValue>(r#"{"$set": [], "x": 1}"#).is_err());
    }

    #[test]
    fn unhashable_members_are_found() {
        let v = StoredValue::Set(vec![vec![1].into()]);
        assert!(v
            .find_unstorable("content.s")
            .unwrap()
            .contains("content.s[0] is a list"));
        let v = StoredValue::KeyedDict(vec![(StoredValue::Set(vec![]), 1.into())]);
        assert!(v.find_unstorable("x").is_some());
        let ok = StoredValue::Set(vec![StoredValue::Tuple(vec![1.into()])]);
        assert_eq!(ok.find_unstorable("x"), None);
    }
}
