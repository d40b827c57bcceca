//! Conversions between the Rust State's values and Python objects.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple,
};

use crate::state::{ConfigValue, Network, StoredDict, StoredValue};

/// A Python object for a stored value. Every call builds new objects, so Python code never
/// shares (and mutates) what the Rust side holds.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &StoredValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        StoredValue::None => py.None().into_bound(py),
        StoredValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        StoredValue::Int(i) => i.into_pyobject(py)?.into_any(),
        StoredValue::BigInt(digits) => py.get_type::<PyInt>().call1((digits.as_str(),))?,
        StoredValue::Float(f) => PyFloat::new(py, *f).into_any(),
        StoredValue::Str(s) => PyString::new(py, s).into_any(),
        StoredValue::Bytes(b) => PyBytes::new(py, b).into_any(),
        StoredValue::List(items) => PyList::new(py, items_to_py(py, items)?)?.into_any(),
        StoredValue::Tuple(items) => PyTuple::new(py, items_to_py(py, items)?)?.into_any(),
        StoredValue::Set(items) => PySet::new(py, items_to_py(py, items)?)?.into_any(),
        StoredValue::FrozenSet(items) => PyFrozenSet::new(py, items_to_py(py, items)?)?.into_any(),
        StoredValue::Dict(map) => dict_to_py(py, map)?.into_any(),
        StoredValue::KeyedDict(pairs) => {
            let dict = PyDict::new(py);
            for (k, v) in pairs {
                dict.set_item(to_py(py, k)?, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

fn items_to_py<'py>(py: Python<'py>, items: &[StoredValue]) -> PyResult<Vec<Bound<'py, PyAny>>> {
    items.iter().map(|v| to_py(py, v)).collect()
}

/// A Python dict for a string-keyed stored dict.
pub(crate) fn dict_to_py<'py>(py: Python<'py>, map: &StoredDict) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, to_py(py, v)?)?;
    }
    Ok(dict)
}

/// A stored value for a Python object (a deep copy). Raises `TypeError` for what ops could not
/// store either, naming the type.
pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<StoredValue> {
    if obj.is_none() {
        return Ok(StoredValue::None);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(StoredValue::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(match obj.extract::<i64>() {
            Ok(i) => StoredValue::Int(i),
            Err(_) => StoredValue::BigInt(obj.str()?.to_string()),
        });
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(StoredValue::Float(f.value()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(StoredValue::Str(s.to_str()?.to_owned()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(StoredValue::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return Ok(StoredValue::List(
            list.iter().map(|v| from_py(&v)).collect::<PyResult<_>>()?,
        ));
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return Ok(StoredValue::Tuple(
            tuple.iter().map(|v| from_py(&v)).collect::<PyResult<_>>()?,
        ));
    }
    if let Ok(set) = obj.cast::<PySet>() {
        return Ok(StoredValue::Set(sorted(
            set.iter().map(|v| from_py(&v)).collect::<PyResult<_>>()?,
        )));
    }
    if let Ok(set) = obj.cast::<PyFrozenSet>() {
        return Ok(StoredValue::FrozenSet(sorted(
            set.iter().map(|v| from_py(&v)).collect::<PyResult<_>>()?,
        )));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let pairs = dict
            .iter()
            .map(|(k, v)| Ok((from_py(&k)?, from_py(&v)?)))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(crate::state::dict_from_pairs(pairs));
    }
    Err(PyTypeError::new_err(format!(
        "ops-scenario cannot store a value of type {}: stored state and event snapshots hold \
         None, bool, int, float, str, bytes, list, tuple, set, frozenset and dict",
        obj.get_type().name()?
    )))
}

/// A string-keyed dict from a Python mapping (a snapshot).
pub(crate) fn dict_from_py(obj: &Bound<'_, PyAny>) -> PyResult<StoredDict> {
    match from_py(obj)? {
        StoredValue::Dict(d) => Ok(d),
        other => Err(PyTypeError::new_err(format!(
            "expected a dict with str keys, got {}",
            other.type_name()
        ))),
    }
}

/// Sets come out of Python in hash order, which varies between processes; sort them so the
/// output State is the same every time.
fn sorted(mut items: Vec<StoredValue>) -> Vec<StoredValue> {
    items.sort_by_cached_key(|v| serde_json::to_string(v).unwrap_or_default());
    items
}

/// The Python value `config-get` gives for a config value.
pub(crate) fn config_to_py<'py>(
    py: Python<'py>,
    value: &ConfigValue,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        ConfigValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        ConfigValue::Int(i) => i.into_pyobject(py)?.into_any(),
        ConfigValue::Float(f) => PyFloat::new(py, *f).into_any(),
        ConfigValue::String(s) => PyString::new(py, s).into_any(),
    })
}

/// `network-get`'s answer in the shape ops parses (`ops.model.Network`).
pub(crate) fn network_to_py<'py>(
    py: Python<'py>,
    network: &Network,
) -> PyResult<Bound<'py, PyDict>> {
    let binds = PyList::empty(py);
    for bind in &network.bind_addresses {
        let entry = PyDict::new(py);
        entry.set_item("interface-name", &bind.interface_name)?;
        if let Some(mac) = &bind.mac_address {
            entry.set_item("mac-address", mac)?;
        }
        let addresses = PyList::empty(py);
        for address in &bind.addresses {
            let a = PyDict::new(py);
            a.set_item("value", &address.value)?;
            a.set_item("hostname", &address.hostname)?;
            a.set_item("cidr", &address.cidr)?;
            addresses.append(a)?;
        }
        entry.set_item("addresses", addresses)?;
        binds.append(entry)?;
    }
    let dict = PyDict::new(py);
    dict.set_item("bind-addresses", binds)?;
    dict.set_item(
        "ingress-addresses",
        PyList::new(py, &network.ingress_addresses)?,
    )?;
    dict.set_item("egress-subnets", PyList::new(py, &network.egress_subnets)?)?;
    Ok(dict)
}

/// A Python value for a JSON value (metadata, Pebble API dicts).
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    value: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => pyo3::types::PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_pyobject(py)?.into_any(),
            None => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// A JSON value for a Python value made of dicts, lists, strings, numbers, booleans and None
/// (a Pebble layer's dict). Other values are a `TypeError`.
pub(crate) fn py_to_json(obj: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    use serde_json::Value;
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(Value::from(obj.extract::<i64>()?));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(serde_json::Number::from_f64(f.value()).map_or(Value::Null, Value::Number));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in dict.iter() {
            map.insert(k.str()?.to_str()?.to_owned(), py_to_json(&v)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return list
            .iter()
            .map(|v| py_to_json(&v))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return tuple
            .iter()
            .map(|v| py_to_json(&v))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    Err(PyTypeError::new_err(format!(
        "expected JSON-like data, got {}",
        obj.get_type().name()?
    )))
}

/// `credential-get`'s answer in the shape `ops.CloudSpec.from_dict` reads.
pub(crate) fn cloud_spec_to_api(spec: &crate::state::CloudSpec) -> serde_json::Value {
    serde_json::json!({
        "type": spec.cloud_type,
        "name": spec.name,
        "region": spec.region,
        "endpoint": spec.endpoint,
        "identity-endpoint": spec.identity_endpoint,
        "storage-endpoint": spec.storage_endpoint,
        "credential": spec.credential.as_ref().map(|c| serde_json::json!({
            "auth-type": c.auth_type,
            "attrs": c.attributes,
            "redacted": c.redacted,
        })),
        "cacertificates": spec.ca_certificates,
        "skip-tls-verify": spec.skip_tls_verify,
        "is-controller-cloud": spec.is_controller_cloud,
    })
}
