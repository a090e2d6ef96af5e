//! Characters: comparison, classes and case by the Unicode character database.

use unicode_general_category::{get_general_category, GeneralCategory};

use super::{builtin, Builtin};
use crate::error::{Error, Result};
use crate::value::Value;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("char?", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0].as_char().is_some()))
        }),
        builtin("char->integer", 1, Some(1), |_, a| {
            Ok(Value::fixnum(ch(a[0])? as i64))
        }),
        builtin("integer->char", 1, Some(1), |_, a| {
            let c = a[0]
                .as_fixnum()
                .and_then(|n| u32::try_from(n).ok())
                .and_then(char::from_u32);
            c.map(Value::char)
                .ok_or_else(|| Error::expected("a Unicode scalar value", a[0]))
        }),
        builtin("char=?", 1, None, |_, a| compare(a, |x, y| x == y)),
        builtin("char<?", 1, None, |_, a| compare(a, |x, y| x < y)),
        builtin("char>?", 1, None, |_, a| compare(a, |x, y| x > y)),
        builtin("char<=?", 1, None, |_, a| compare(a, |x, y| x <= y)),
        builtin("char>=?", 1, None, |_, a| compare(a, |x, y| x >= y)),
        builtin("char-ci=?", 1, None, |_, a| {
            compare(a, |x, y| fold(x) == fold(y))
        }),
        builtin("char-ci<?", 1, None, |_, a| {
            compare(a, |x, y| fold(x) < fold(y))
        }),
        builtin("char-ci>?", 1, None, |_, a| {
            compare(a, |x, y| fold(x) > fold(y))
        }),
        builtin("char-ci<=?", 1, None, |_, a| {
            compare(a, |x, y| fold(x) <= fold(y))
        }),
        builtin("char-ci>=?", 1, None, |_, a| {
            compare(a, |x, y| fold(x) >= fold(y))
        }),
        builtin("char-alphabetic?", 1, Some(1), |_, a| {
            Ok(Value::bool(ch(a[0])?.is_alphabetic()))
        }),
        builtin("char-numeric?", 1, Some(1), |_, a| {
            Ok(Value::bool(is_decimal_digit(ch(a[0])?)))
        }),
        builtin("char-whitespace?", 1, Some(1), |_, a| {
            Ok(Value::bool(ch(a[0])?.is_whitespace()))
        }),
        builtin("char-upper-case?", 1, Some(1), |_, a| {
            Ok(Value::bool(ch(a[0])?.is_uppercase()))
        }),
        builtin("char-lower-case?", 1, Some(1), |_, a| {
            Ok(Value::bool(ch(a[0])?.is_lowercase()))
        }),
        builtin("char-upcase", 1, Some(1), |_, a| {
            Ok(Value::char(upcase(ch(a[0])?)))
        }),
        builtin("char-downcase", 1, Some(1), |_, a| {
            Ok(Value::char(downcase(ch(a[0])?)))
        }),
        builtin("char-foldcase", 1, Some(1), |_, a| {
            Ok(Value::char(fold(ch(a[0])?)))
        }),
        builtin("digit-value", 1, Some(1), |_, a| {
            Ok(digit_value(ch(a[0])?).map_or(Value::FALSE, |d| Value::fixnum(i64::from(d))))
        }),
    ]
}

pub(crate) fn ch(v: Value) -> Result<char> {
    v.as_char().ok_or_else(|| Error::expected("a character", v))
}

/// Single-character case mappings; a character whose mapping is several characters
/// (like `ß`) maps to itself.
pub(crate) fn upcase(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

pub(crate) fn downcase(c: char) -> char {
    let mut down = c.to_lowercase();
    match (down.next(), down.next()) {
        (Some(d), None) => d,
        _ => c,
    }
}

/// Simple case folding: `ſ` folds to `s`, but `ß`, whose folding is two characters,
/// folds to itself (`string-foldcase` folds it to `ss`).
pub(crate) fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut folded = caseless::Caseless::default_case_fold(std::iter::once(c));
    match (folded.next(), folded.next()) {
        (Some(f), None) => f,
        _ => c,
    }
}

/// Whether `c` is a decimal digit (general category Nd), of any script.
fn is_decimal_digit(c: char) -> bool {
    get_general_category(c) == GeneralCategory::DecimalNumber
}

/// The value of a decimal digit: Unicode lays every script's digits out as runs of ten,
/// zero to nine, so the value is the distance from where its run of digits starts.
fn digit_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return c.to_digit(10);
    }
    let digit = |u: u32| char::from_u32(u).is_some_and(is_decimal_digit);
    if !digit(c as u32) {
        return None;
    }
    let start = (0..c as u32)
        .rev()
        .take_while(|&u| digit(u))
        .last()
        .unwrap_or(c as u32);
    Some((c as u32 - start) % 10)
}

/// Whether `ok` holds of each character and the next; every argument is checked, and
/// nothing is allocated (these run in the inner loops of text processing).
fn compare(args: &[Value], ok: fn(char, char) -> bool) -> Result<Value> {
    let mut prev = ch(args[0])?;
    let mut holds = true;
    for &a in &args[1..] {
        let c = ch(a)?;
        holds &= ok(prev, c);
        prev = c;
    }
    Ok(Value::bool(holds))
}
