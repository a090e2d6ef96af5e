//! Pairs and lists.

use super::{builtin, for_each_element, index_arg, list_arg, Builtin};
use crate::error::{Error, Result};
use crate::object::Alloc;
use crate::store::Store;
use crate::value::Value;

/// What a pair takes in the heap, for `Store::reserve`.
const PAIR_BYTES: usize = 16;

pub(super) fn builtins() -> Vec<Builtin> {
    let mut out = vec![
        builtin("cons", 2, Some(2), |store, a| {
            Ok(store.heap.cons(a[0], a[1]))
        }),
        builtin("car", 1, Some(1), |_, a| Ok(pair(a[0])?.car())),
        builtin("cdr", 1, Some(1), |_, a| Ok(pair(a[0])?.cdr())),
        builtin("set-car!", 2, Some(2), |_, a| {
            pair(a[0])?.set_car(a[1]);
            Ok(Value::UNSPECIFIED)
        }),
        builtin("set-cdr!", 2, Some(2), |_, a| {
            pair(a[0])?.set_cdr(a[1]);
            Ok(Value::UNSPECIFIED)
        }),
        builtin("pair?", 1, Some(1), |_, a| Ok(Value::bool(a[0].is_pair()))),
        builtin("null?", 1, Some(1), |_, a| Ok(Value::bool(a[0].is_null()))),
        builtin("list?", 1, Some(1), |_, a| Ok(Value::bool(is_list(a[0])))),
        builtin("list", 0, None, |store, a| Ok(store.heap.list(a))),
        builtin("cons*", 1, None, |store, a| {
            let (last, init) = a.split_last().expect("arity checked");
            Ok(store.heap.list_with_tail(init, *last))
        }),
        builtin("make-list", 1, Some(2), |store, a| {
            let n = index_arg(a[0])?;
            store.reserve(n.saturating_mul(PAIR_BYTES))?;
            let fill = a.get(1).copied().unwrap_or(Value::UNSPECIFIED);
            Ok((0..n).fold(Value::NIL, |acc, _| store.heap.cons(fill, acc)))
        }),
        builtin("length", 1, Some(1), |_, a| {
            Ok(Value::fixnum(for_each_element(a[0], |_| {})? as i64))
        }),
        builtin("append", 0, None, append),
        builtin("reverse", 1, Some(1), |store, a| {
            let items = list_arg(a[0])?;
            Ok(items
                .iter()
                .fold(Value::NIL, |acc, &x| store.heap.cons(x, acc)))
        }),
        builtin("reverse!", 1, Some(1), |_, a| {
            let (mut l, mut acc) = (a[0], Value::NIL);
            while l.is_pair() {
                let next = l.cdr();
                l.set_cdr(acc);
                acc = l;
                l = next;
            }
            Ok(acc)
        }),
        builtin("list-tail", 2, Some(2), |_, a| nth_tail(a[0], a[1])),
        builtin("list-ref", 2, Some(2), |_, a| {
            let tail = nth_tail(a[0], a[1])?;
            if !tail.is_pair() {
                return Err(Error::runtime("index out of range", vec![a[1]]).unnamed());
            }
            Ok(tail.car())
        }),
        builtin("list-copy", 1, Some(1), |store, a| {
            let (mut items, mut l, mut slow) = (Vec::new(), a[0], a[0]);
            while l.is_pair() {
                items.push(l.car());
                l = l.cdr();
                if items.len() % 2 == 0 {
                    slow = slow.cdr();
                    if slow == l {
                        return Err(cyclic(a[0]));
                    }
                }
            }
            store.reserve(items.len().saturating_mul(PAIR_BYTES))?;
            Ok(store.heap.list_with_tail(&items, l))
        }),
        builtin("last-pair", 1, Some(1), |_, a| {
            let (mut l, mut slow, mut odd) = (pair(a[0])?, a[0], false);
            while l.cdr().is_pair() {
                l = l.cdr();
                if odd {
                    slow = slow.cdr();
                    if slow == l {
                        return Err(cyclic(a[0]));
                    }
                }
                odd = !odd;
            }
            Ok(l)
        }),
        builtin("memq", 2, Some(2), |_, a| find_tail(a[1], |x| x == a[0])),
        builtin("memv", 2, Some(2), |_, a| {
            find_tail(a[1], |x| super::equal::eqv(x, a[0]))
        }),
        builtin("assq", 2, Some(2), |_, a| find_entry(a[1], |k| k == a[0])),
        builtin("assv", 2, Some(2), |_, a| {
            find_entry(a[1], |k| super::equal::eqv(k, a[0]))
        }),
    ];
    out.extend(CXRS.iter().map(|&(name, f)| builtin(name, 1, Some(1), f)));
    out
}

fn pair(v: Value) -> Result<Value> {
    if v.is_pair() {
        Ok(v)
    } else {
        Err(Error::expected("a pair", v))
    }
}

/// Whether `v` is a proper list (cycles are not: Floyd's tortoise and hare).
fn is_list(v: Value) -> bool {
    let (mut slow, mut fast) = (v, v);
    loop {
        for _ in 0..2 {
            if fast == Value::NIL {
                return true;
            }
            if !fast.is_pair() {
                return false;
            }
            fast = fast.cdr();
        }
        slow = slow.cdr();
        if slow == fast {
            return false;
        }
    }
}

fn append(store: &mut Store, args: &[Value]) -> Result<Value> {
    let Some((&last, init)) = args.split_last() else {
        return Ok(Value::NIL);
    };
    // The elements of every list but the last, in one vector.
    let mut items = Vec::new();
    for &l in init {
        for_each_element(l, |x| items.push(x))?;
    }
    if items.is_empty() {
        return Ok(last);
    }
    store.reserve(items.len().saturating_mul(PAIR_BYTES))?;
    Ok(store.heap.list_with_tail(&items, last))
}

/// The tail of `list` after `k` pairs. On a cyclic list the walk goes round the cycle
/// once at most: what is left of `k` is taken modulo its length.
fn nth_tail(list: Value, k: Value) -> Result<Value> {
    let n = index_arg(k)?;
    let (mut l, mut slow) = (list, list);
    let mut i = 0;
    while i < n {
        if !l.is_pair() {
            return Err(Error::runtime("index out of range", vec![k]).unnamed());
        }
        l = l.cdr();
        i += 1;
        if i % 2 == 0 {
            slow = slow.cdr();
            if slow == l {
                let mut period = 1;
                let mut p = l.cdr();
                while p != l {
                    p = p.cdr();
                    period += 1;
                }
                for _ in 0..(n - i) % period {
                    l = l.cdr();
                }
                return Ok(l);
            }
        }
    }
    Ok(l)
}

/// The first pair of `list` whose car `hit` accepts; `#f` at the end. A cyclic list is an
/// error, found by a second cursor at half speed, not a loop without end.
fn find_tail(list: Value, hit: impl Fn(Value) -> bool) -> Result<Value> {
    let (mut l, mut slow, mut odd) = (list, list, false);
    while l.is_pair() {
        if hit(l.car()) {
            return Ok(l);
        }
        l = l.cdr();
        if odd {
            slow = slow.cdr();
            if slow == l {
                return Err(cyclic(list));
            }
        }
        odd = !odd;
    }
    Ok(Value::FALSE)
}

fn find_entry(list: Value, hit: impl Fn(Value) -> bool) -> Result<Value> {
    let pair = find_tail(list, |entry| entry.is_pair() && hit(entry.car()))?;
    Ok(if pair.is_pair() { pair.car() } else { pair })
}

fn cyclic(list: Value) -> Error {
    Error::expected("a proper list, not a cyclic one", list)
}

/// `caar` ... `cddddr`: the path is read right to left, as the name is.
fn cxr(name: &'static str, mut v: Value) -> Result<Value> {
    let path = &name[1..name.len() - 1];
    let original = v;
    for step in path.chars().rev() {
        if !v.is_pair() {
            return Err(Error::expected("a list deep enough", original));
        }
        v = if step == 'a' { v.car() } else { v.cdr() };
    }
    Ok(v)
}

macro_rules! cxrs {
    ($($name:literal)*) => {
        const CXRS: &[(&str, super::BuiltinFn)] = &[$(($name, |_, a| cxr($name, a[0]))),*];
    };
}

cxrs! {
    "caar" "cadr" "cdar" "cddr"
    "caaar" "caadr" "cadar" "caddr" "cdaar" "cdadr" "cddar" "cdddr"
    "caaaar" "caaadr" "caadar" "caaddr" "cadaar" "cadadr" "caddar" "cadddr"
    "cdaaar" "cdaadr" "cdadar" "cdaddr" "cddaar" "cddadr" "cdddar" "cddddr"
}
