//! Strings and symbols.

use super::chars::ch;
use super::{builtin, index_arg, list_arg, Builtin};
use crate::error::{Error, Result};
use crate::object::{
    string_chars, string_concat, string_len, string_ref, string_set, string_to_rust, substring,
    symbol_name, Alloc, MAX_STRING_LENGTH,
};
use crate::store::Store;
use crate::value::{Kind, Value};

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("string?", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0].is(Kind::String)))
        }),
        builtin("make-string", 1, Some(2), |store, a| {
            let n = index_arg(a[0])?;
            string_length(n)?;
            let fill = a.get(1).map(|&c| ch(c)).transpose()?.unwrap_or(' ');
            store.reserve(n.saturating_mul(fill.len_utf8()))?;
            Ok(store.heap.make_string(n, fill))
        }),
        builtin("string", 0, None, |store, a| {
            let text = a.iter().map(|&c| ch(c)).collect::<Result<String>>()?;
            Ok(store.heap.string(&text))
        }),
        builtin("string-length", 1, Some(1), |_, a| {
            Ok(Value::fixnum(string_len(string(a[0])?) as i64))
        }),
        builtin("string-ref", 2, Some(2), |_, a| {
            let s = string(a[0])?;
            let i = index(a[1], string_len(s))?;
            Ok(Value::char(string_ref(s, i)))
        }),
        builtin("string-set!", 3, Some(3), |store, a| {
            let s = string(a[0])?;
            let i = index(a[1], string_len(s))?;
            string_set(&mut store.heap, s, i, ch(a[2])?);
            Ok(Value::UNSPECIFIED)
        }),
        builtin("substring", 2, Some(3), copy),
        builtin("string-copy", 1, Some(3), copy),
        builtin("string-append", 0, None, |store, a| {
            let mut n: usize = 0;
            for &s in a {
                n = n.saturating_add(string_len(string(s)?));
            }
            string_length(n)?;
            store.reserve(n.saturating_mul(4))?;
            Ok(string_concat(&mut store.heap, a))
        }),
        builtin("string->list", 1, Some(3), |store, a| {
            let chars: Vec<Value> = range_chars(a)?.into_iter().map(Value::char).collect();
            Ok(store.heap.list(&chars))
        }),
        builtin("list->string", 1, Some(1), |store, a| {
            let chars = list_arg(a[0])?;
            let text = chars.iter().map(|&c| ch(c)).collect::<Result<String>>()?;
            Ok(store.heap.string(&text))
        }),
        builtin("string->vector", 1, Some(3), |store, a| {
            let chars: Vec<Value> = range_chars(a)?.into_iter().map(Value::char).collect();
            Ok(store.heap.vector(&chars))
        }),
        builtin("string-fill!", 2, Some(4), |store, a| {
            let s = string(a[0])?;
            let c = ch(a[1])?;
            let (from, to) = range(&a[1..], string_len(s))?;
            for i in from..to {
                string_set(&mut store.heap, s, i, c);
            }
            Ok(Value::UNSPECIFIED)
        }),
        builtin("string-upcase", 1, Some(1), |store, a| {
            map_text(store, a[0], str::to_uppercase)
        }),
        builtin("string-downcase", 1, Some(1), |store, a| {
            map_text(store, a[0], str::to_lowercase)
        }),
        builtin("string-foldcase", 1, Some(1), |store, a| {
            map_text(store, a[0], caseless::default_case_fold_str)
        }),
        builtin("string=?", 1, None, |_, a| compare(a, false, |o| o.is_eq())),
        builtin("string<?", 1, None, |_, a| compare(a, false, |o| o.is_lt())),
        builtin("string>?", 1, None, |_, a| compare(a, false, |o| o.is_gt())),
        builtin("string<=?", 1, None, |_, a| {
            compare(a, false, |o| o.is_le())
        }),
        builtin("string>=?", 1, None, |_, a| {
            compare(a, false, |o| o.is_ge())
        }),
        builtin("string-ci=?", 1, None, |_, a| {
            compare(a, true, |o| o.is_eq())
        }),
        builtin("string-ci<?", 1, None, |_, a| {
            compare(a, true, |o| o.is_lt())
        }),
        builtin("string-ci>?", 1, None, |_, a| {
            compare(a, true, |o| o.is_gt())
        }),
        builtin("string-ci<=?", 1, None, |_, a| {
            compare(a, true, |o| o.is_le())
        }),
        builtin("string-ci>=?", 1, None, |_, a| {
            compare(a, true, |o| o.is_ge())
        }),
        builtin("symbol->string", 1, Some(1), |store, a| {
            if !a[0].is(Kind::Symbol) {
                return Err(Error::expected("a symbol", a[0]));
            }
            Ok(store.heap.string(symbol_name(a[0])))
        }),
        builtin("string->symbol", 1, Some(1), |store, a| {
            let name = string_to_rust(string(a[0])?);
            Ok(store.intern(&name))
        }),
    ]
}

/// Refuses a string longer than the heap can hold.
fn string_length(n: usize) -> Result<()> {
    if n > MAX_STRING_LENGTH {
        return Err(Error::runtime(
            format!("string too long (the limit is {MAX_STRING_LENGTH} characters)"),
            vec![Value::fixnum(n as i64)],
        )
        .unnamed());
    }
    Ok(())
}

pub(crate) fn string(v: Value) -> Result<Value> {
    if v.is(Kind::String) {
        Ok(v)
    } else {
        Err(Error::expected("a string", v))
    }
}

fn index(i: Value, len: usize) -> Result<usize> {
    let k = index_arg(i)?;
    if k >= len {
        return Err(Error::runtime("index out of range", vec![i]).unnamed());
    }
    Ok(k)
}

/// Optional `start` and `end` arguments (the first two of `args`) over `0..len`.
pub(crate) fn range(args: &[Value], len: usize) -> Result<(usize, usize)> {
    let start = args.get(1).map(|&v| index_arg(v)).transpose()?.unwrap_or(0);
    let end = args
        .get(2)
        .map(|&v| index_arg(v))
        .transpose()?
        .unwrap_or(len);
    if start > end || end > len {
        let bad = if end > len { args[2] } else { args[1] };
        return Err(Error::runtime("range out of bounds", vec![bad]).unnamed());
    }
    Ok((start, end))
}

fn range_chars(a: &[Value]) -> Result<Vec<char>> {
    let s = string(a[0])?;
    let (from, to) = range(a, string_len(s))?;
    Ok((from..to).map(|i| string_ref(s, i)).collect())
}

fn copy(store: &mut Store, a: &[Value]) -> Result<Value> {
    let s = string(a[0])?;
    let (from, to) = range(a, string_len(s))?;
    Ok(substring(&mut store.heap, s, from, to))
}

/// The string that `f` makes of the text of `s`: the full case mappings may change the
/// length (`(string-upcase "ß")` is `"SS"`) and depend on context (a final sigma).
fn map_text(store: &mut Store, s: Value, f: fn(&str) -> String) -> Result<Value> {
    let text = f(&string_to_rust(string(s)?));
    Ok(store.heap.string(&text))
}

/// Whether `ok` holds of the order of each string and the next, compared a character
/// at a time in place; every argument is checked.
fn compare(args: &[Value], fold_case: bool, ok: fn(std::cmp::Ordering) -> bool) -> Result<Value> {
    for &s in args {
        string(s)?;
    }
    if fold_case {
        let folded: Vec<String> = args
            .iter()
            .map(|&s| caseless::default_case_fold_str(&string_to_rust(s)))
            .collect();
        return Ok(Value::bool(folded.windows(2).all(|w| ok(w[0].cmp(&w[1])))));
    }
    Ok(Value::bool(
        args.windows(2)
            .all(|w| ok(string_chars(w[0]).cmp(string_chars(w[1])))),
    ))
}
