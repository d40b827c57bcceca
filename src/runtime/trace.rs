//! A run's tracing spans (opentelemetry `ReadableSpan`s, which the shim captures when
//! ops[tracing] is installed) as the Output's [`Span`]s: parents by index, no ids or times.

use std::collections::{BTreeMap, HashMap};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};

use crate::output::{AttributeValue, Span, SpanEvent, SpanKind, SpanStatus, SpanStatusCode};

/// The spans of `spans`, a sequence of `ReadableSpan`s, in its order.
pub(crate) fn spans(spans: &Bound<'_, PyAny>) -> PyResult<Vec<Span>> {
    let py = spans.py();
    let spans: Vec<Bound<'_, PyAny>> = spans.try_iter()?.collect::<PyResult<_>>()?;
    let span_id = |context: &Bound<'_, PyAny>| -> PyResult<u64> {
        context.getattr(intern!(py, "span_id"))?.extract()
    };
    let mut index = HashMap::with_capacity(spans.len());
    for (i, span) in spans.iter().enumerate() {
        index.insert(span_id(&span.getattr(intern!(py, "context"))?)?, i);
    }
    spans
        .iter()
        .map(|span| {
            let parent = span.getattr(intern!(py, "parent"))?;
            let scope = span.getattr(intern!(py, "instrumentation_scope"))?;
            let status = span.getattr(intern!(py, "status"))?;
            let events = span
                .getattr(intern!(py, "events"))?
                .try_iter()?
                .map(|event| {
                    let event = event?;
                    Ok(SpanEvent {
                        name: event.getattr(intern!(py, "name"))?.extract()?,
                        attributes: attributes(&event.getattr(intern!(py, "attributes"))?)?,
                    })
                })
                .collect::<PyResult<_>>()?;
            Ok(Span {
                name: span.getattr(intern!(py, "name"))?.extract()?,
                parent: if parent.is_none() {
                    None
                } else {
                    index.get(&span_id(&parent)?).copied()
                },
                scope: if scope.is_none() {
                    String::new()
                } else {
                    scope.getattr(intern!(py, "name"))?.extract()?
                },
                kind: kind(&span.getattr(intern!(py, "kind"))?)?,
                attributes: attributes(&span.getattr(intern!(py, "attributes"))?)?,
                status: SpanStatus {
                    code: status_code(&status.getattr(intern!(py, "status_code"))?)?,
                    description: status.getattr(intern!(py, "description"))?.extract()?,
                },
                events,
            })
        })
        .collect()
}

/// An enum member's name (`SpanKind.INTERNAL` is `"INTERNAL"`).
fn member_name(member: &Bound<'_, PyAny>) -> PyResult<String> {
    member.getattr(intern!(member.py(), "name"))?.extract()
}

fn kind(member: &Bound<'_, PyAny>) -> PyResult<SpanKind> {
    Ok(match member_name(member)?.as_str() {
        "SERVER" => SpanKind::Server,
        "CLIENT" => SpanKind::Client,
        "PRODUCER" => SpanKind::Producer,
        "CONSUMER" => SpanKind::Consumer,
        _ => SpanKind::Internal,
    })
}

fn status_code(member: &Bound<'_, PyAny>) -> PyResult<SpanStatusCode> {
    Ok(match member_name(member)?.as_str() {
        "OK" => SpanStatusCode::Ok,
        "ERROR" => SpanStatusCode::Error,
        _ => SpanStatusCode::Unset,
    })
}

/// A span's or event's attributes (a mapping, or None when it has none).
fn attributes(mapping: &Bound<'_, PyAny>) -> PyResult<BTreeMap<String, AttributeValue>> {
    let mut out = BTreeMap::new();
    if mapping.is_none() {
        return Ok(out);
    }
    for item in mapping
        .call_method0(intern!(mapping.py(), "items"))?
        .try_iter()?
    {
        let (key, value): (String, Bound<'_, PyAny>) = item?.extract()?;
        out.insert(key, attribute_value(&value)?);
    }
    Ok(out)
}

/// One attribute value. OpenTelemetry keeps only strings, booleans, integers, floats and
/// sequences of them; anything else is kept as its `str()`.
fn attribute_value(value: &Bound<'_, PyAny>) -> PyResult<AttributeValue> {
    // bool before int: Python's bool is an int.
    Ok(if value.is_instance_of::<PyBool>() {
        AttributeValue::Bool(value.extract()?)
    } else if value.is_instance_of::<PyInt>() {
        match value.extract::<i64>() {
            Ok(n) => AttributeValue::Int(n),
            Err(_) => AttributeValue::String(value.str()?.to_string()),
        }
    } else if value.is_instance_of::<PyFloat>() {
        AttributeValue::Float(value.extract()?)
    } else if value.is_instance_of::<PyString>() {
        AttributeValue::String(without_addresses(value.extract()?))
    } else if let Ok(items) = value.try_iter() {
        AttributeValue::Array(
            items
                .map(|item| attribute_value(&item?))
                .collect::<PyResult<_>>()?,
        )
    } else {
        AttributeValue::String(without_addresses(value.str()?.to_string()))
    })
}

/// `text` without the addresses of Python objects in it (` at 0x7f…` in a default repr, as in
/// the `event` attribute ops gives a pebble-ready span), which differ from run to run.
fn without_addresses(text: String) -> String {
    const MARK: &str = " at 0x";
    if !text.contains(MARK) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(MARK) {
        let digits = rest[at + MARK.len()..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - at - MARK.len());
        out.push_str(&rest[..at]);
        if digits == 0 {
            out.push_str(MARK);
        }
        rest = &rest[at + MARK.len() + digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::without_addresses;

    #[test]
    fn object_addresses_are_left_out() {
        assert_eq!(
            without_addresses(
                "<PebbleReadyEvent on <ops.model.Container object at 0x7f73a16f80d0> via C>".into()
            ),
            "<PebbleReadyEvent on <ops.model.Container object> via C>"
        );
        assert_eq!(without_addresses("a at 0x1f, b at 0xab".into()), "a, b");
        assert_eq!(without_addresses("seen at 0xzz".into()), "seen at 0xzz");
        assert_eq!(without_addresses("seen at 0x".into()), "seen at 0x");
        assert_eq!(without_addresses("plain".into()), "plain");
    }
}
