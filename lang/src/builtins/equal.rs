//! Equivalence: `eq?`, `eqv?`, `equal?`, and the predicates on booleans, symbols and
//! procedures.

use super::{builtin, Builtin};
use crate::number::{eqv_is_eq, from_value};
use crate::object::{bytevector_bytes, string_chars, string_len, symbol_name, vector_len};
use crate::value::{Kind, Value};

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("eq?", 2, Some(2), |_, a| Ok(Value::bool(a[0] == a[1]))),
        builtin("eqv?", 2, Some(2), |_, a| Ok(Value::bool(eqv(a[0], a[1])))),
        builtin("equal?", 2, Some(2), |_, a| {
            Ok(Value::bool(equal(a[0], a[1])))
        }),
        builtin("not", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0] == Value::FALSE))
        }),
        builtin("boolean?", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0].is_bool()))
        }),
        builtin("boolean=?", 2, None, |_, a| {
            Ok(Value::bool(
                a.iter().all(|v| v.is_bool()) && a.windows(2).all(|w| w[0] == w[1]),
            ))
        }),
        builtin("symbol?", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0].is(Kind::Symbol)))
        }),
        builtin("symbol=?", 2, None, |_, a| {
            Ok(Value::bool(
                a.iter().all(|v| v.is(Kind::Symbol)) && a.windows(2).all(|w| w[0] == w[1]),
            ))
        }),
        builtin("procedure?", 1, Some(1), |_, a| {
            Ok(Value::bool(
                a[0].is(Kind::Closure) || a[0].is(Kind::Primitive),
            ))
        }),
        builtin("eof-object", 0, Some(0), |_, _| Ok(Value::EOF)),
        builtin("eof-object?", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0] == Value::EOF))
        }),
    ]
}

/// `eqv?`: the same object, or numbers of the same exactness and value, or characters.
pub(crate) fn eqv(a: Value, b: Value) -> bool {
    if a == b {
        return true;
    }
    if eqv_is_eq(a) || eqv_is_eq(b) || a.kind() != b.kind() {
        return false;
    }
    if a.is(Kind::Flonum) {
        return crate::object::flonum_value(a).to_bits()
            == crate::object::flonum_value(b).to_bits();
    }
    from_value(a) == from_value(b)
}

/// Comparisons `equal?` makes before it starts remembering the pairs of containers it
/// has compared, so that cyclic structures compare in finite time.
const STEPS_BEFORE_MEMO: usize = 100_000;

/// `equal?`: structural, on pairs, vectors, strings and bytevectors; with its own stack,
/// so deep structures compare without Rust recursion. Past `STEPS_BEFORE_MEMO`, a pair
/// of containers already under comparison is taken as equal, which makes cycles end.
pub(crate) fn equal(a: Value, b: Value) -> bool {
    let mut pending = vec![(a, b)];
    let mut steps = 0;
    let mut seen = std::collections::HashSet::new();
    while let Some((a, b)) = pending.pop() {
        if eqv(a, b) {
            continue;
        }
        steps += 1;
        if steps > STEPS_BEFORE_MEMO && (a.is_pair() || a.is(Kind::Vector)) && !seen.insert((a, b))
        {
            continue;
        }
        if a.is_pair() && b.is_pair() {
            pending.push((a.cdr(), b.cdr()));
            pending.push((a.car(), b.car()));
            continue;
        }
        let same = match (a.kind(), b.kind()) {
            (Some(Kind::Vector), Some(Kind::Vector)) if vector_len(a) == vector_len(b) => {
                pending.extend((0..vector_len(a)).rev().map(|i| (a.field(i), b.field(i))));
                true
            }
            (Some(Kind::String), Some(Kind::String)) => {
                string_len(a) == string_len(b) && string_chars(a).eq(string_chars(b))
            }
            (Some(Kind::Bytevector), Some(Kind::Bytevector)) => {
                bytevector_bytes(a) == bytevector_bytes(b)
            }
            (Some(Kind::Symbol), Some(Kind::Symbol)) => symbol_name(a) == symbol_name(b) && a == b,
            _ => false,
        };
        if !same {
            return false;
        }
    }
    true
}
