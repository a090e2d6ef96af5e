//! Vectors and bytevectors.

use super::strings::{range, string};
use super::{builtin, checked_index, index_arg, list_arg, Builtin};
use crate::error::{Error, Result};
use crate::object::{bytevector_bytes, bytevector_set, string_to_rust, vector_len, Alloc};
use crate::value::{Kind, Value};

/// The longest vector or bytevector `make-vector` and friends will make: a vector of
/// this many elements is the largest object the heap holds.
const MAX_LENGTH: usize = rudo_gc::MAX_OBJECT_WORDS;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("vector?", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0].is(Kind::Vector)))
        }),
        builtin("make-vector", 1, Some(2), |store, a| {
            let n = length(a[0])?;
            store.reserve(n.saturating_mul(8))?;
            Ok(store
                .heap
                .make_vector(n, a.get(1).copied().unwrap_or(Value::FALSE)))
        }),
        builtin("vector", 0, None, |store, a| Ok(store.heap.vector(a))),
        builtin("vector-length", 1, Some(1), |_, a| {
            Ok(Value::fixnum(vector_len(vector(a[0])?) as i64))
        }),
        builtin("vector-ref", 2, Some(2), |_, a| {
            let v = vector(a[0])?;
            Ok(v.field(checked_index(a[1], vector_len(v))?))
        }),
        builtin("vector-set!", 3, Some(3), |_, a| {
            let v = vector(a[0])?;
            v.set_field(checked_index(a[1], vector_len(v))?, a[2]);
            Ok(Value::UNSPECIFIED)
        }),
        builtin("vector->list", 1, Some(3), |store, a| {
            let v = vector(a[0])?;
            let (from, to) = range(a, vector_len(v))?;
            store.reserve((to - from).saturating_mul(24))?;
            let items: Vec<Value> = (from..to).map(|i| v.field(i)).collect();
            Ok(store.heap.list(&items))
        }),
        builtin("list->vector", 1, Some(1), |store, a| {
            Ok(store.heap.vector(&list_arg(a[0])?))
        }),
        builtin("vector->string", 1, Some(3), |store, a| {
            let v = vector(a[0])?;
            let (from, to) = range(a, vector_len(v))?;
            let text = (from..to)
                .map(|i| {
                    v.field(i)
                        .as_char()
                        .ok_or_else(|| Error::expected("a vector of characters", v))
                })
                .collect::<Result<String>>()?;
            Ok(store.heap.string(&text))
        }),
        builtin("vector-fill!", 2, Some(4), |_, a| {
            let v = vector(a[0])?;
            let (from, to) = range(&a[1..], vector_len(v))?;
            (from..to).for_each(|i| v.set_field(i, a[1]));
            Ok(Value::UNSPECIFIED)
        }),
        builtin("vector-copy", 1, Some(3), |store, a| {
            let v = vector(a[0])?;
            let (from, to) = range(a, vector_len(v))?;
            let items: Vec<Value> = (from..to).map(|i| v.field(i)).collect();
            Ok(store.heap.vector(&items))
        }),
        builtin("vector-copy!", 3, Some(5), |_, a| {
            let to = vector(a[0])?;
            let at = index_arg(a[1])?;
            let from = vector(a[2])?;
            let (start, end) = range(&a[2..], vector_len(from))?;
            if at + (end - start) > vector_len(to) {
                return Err(Error::runtime("destination too short", vec![a[1]]).unnamed());
            }
            let items: Vec<Value> = (start..end).map(|i| from.field(i)).collect();
            items
                .iter()
                .enumerate()
                .for_each(|(k, &x)| to.set_field(at + k, x));
            Ok(Value::UNSPECIFIED)
        }),
        builtin("vector-append", 0, None, |store, a| {
            let mut n: usize = 0;
            for &v in a {
                n = n.saturating_add(vector_len(vector(v)?));
            }
            if n > MAX_LENGTH {
                return Err(Error::runtime(
                    "the vector would be too long",
                    vec![Value::fixnum(n as i64)],
                )
                .unnamed());
            }
            store.reserve(n.saturating_mul(16))?;
            let mut items = Vec::with_capacity(n);
            for &v in a {
                items.extend((0..vector_len(v)).map(|i| v.field(i)));
            }
            Ok(store.heap.vector(&items))
        }),
        builtin("bytevector?", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0].is(Kind::Bytevector)))
        }),
        builtin("make-bytevector", 1, Some(2), |store, a| {
            let n = length(a[0])?;
            let fill = a.get(1).map(|&b| byte(b)).transpose()?.unwrap_or(0);
            store.reserve(n.saturating_mul(2))?;
            Ok(store.heap.bytevector(&vec![fill; n]))
        }),
        builtin("bytevector", 0, None, |store, a| {
            let bytes = a.iter().map(|&b| byte(b)).collect::<Result<Vec<u8>>>()?;
            Ok(store.heap.bytevector(&bytes))
        }),
        builtin("bytevector-length", 1, Some(1), |_, a| {
            Ok(Value::fixnum(
                bytevector_bytes(bytevector(a[0])?).len() as i64
            ))
        }),
        builtin("bytevector-u8-ref", 2, Some(2), |_, a| {
            let b = bytevector_bytes(bytevector(a[0])?);
            Ok(Value::fixnum(b[checked_index(a[1], b.len())?] as i64))
        }),
        builtin("bytevector-u8-set!", 3, Some(3), |_, a| {
            let b = bytevector(a[0])?;
            let i = checked_index(a[1], bytevector_bytes(b).len())?;
            bytevector_set(b, i, byte(a[2])?);
            Ok(Value::UNSPECIFIED)
        }),
        builtin("bytevector-copy", 1, Some(3), |store, a| {
            let b = bytevector_bytes(bytevector(a[0])?);
            let (from, to) = range(a, b.len())?;
            let copy = b[from..to].to_vec();
            Ok(store.heap.bytevector(&copy))
        }),
        builtin("bytevector-append", 0, None, |store, a| {
            let mut n: usize = 0;
            for &b in a {
                n = n.saturating_add(bytevector_bytes(bytevector(b)?).len());
            }
            store.reserve(n.saturating_mul(2))?;
            let mut bytes = Vec::with_capacity(n);
            for &b in a {
                bytes.extend_from_slice(bytevector_bytes(bytevector(b)?));
            }
            Ok(store.heap.bytevector(&bytes))
        }),
        builtin("utf8->string", 1, Some(3), |store, a| {
            let b = bytevector_bytes(bytevector(a[0])?);
            let (from, to) = range(a, b.len())?;
            let text = String::from_utf8_lossy(&b[from..to]).into_owned();
            Ok(store.heap.string(&text))
        }),
        builtin("string->utf8", 1, Some(3), |store, a| {
            let s = string_to_rust(string(a[0])?);
            let chars: Vec<char> = s.chars().collect();
            let (from, to) = range(a, chars.len())?;
            let text: String = chars[from..to].iter().collect();
            Ok(store.heap.bytevector(text.as_bytes()))
        }),
    ]
}

fn vector(v: Value) -> Result<Value> {
    if v.is(Kind::Vector) {
        Ok(v)
    } else {
        Err(Error::expected("a vector", v))
    }
}

fn bytevector(v: Value) -> Result<Value> {
    if v.is(Kind::Bytevector) {
        Ok(v)
    } else {
        Err(Error::expected("a bytevector", v))
    }
}

fn byte(v: Value) -> Result<u8> {
    v.as_fixnum()
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| Error::expected("a byte (0 to 255)", v))
}

fn length(v: Value) -> Result<usize> {
    let n = index_arg(v)?;
    if n > MAX_LENGTH {
        return Err(Error::runtime(
            format!("length too large (the limit is {MAX_LENGTH})"),
            vec![v],
        )
        .unnamed());
    }
    Ok(n)
}
