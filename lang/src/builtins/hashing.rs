//! Hash functions for the hash tables of the prelude (SRFI 69), one per equivalence.
//!
//! The collector never moves an object, so an object's address is a hash that stays
//! valid across collections: `eq?` tables need no rehashing.

use std::hash::{Hash, Hasher};

use super::{builtin, Builtin};
use crate::number::from_value;
use crate::object::{bytevector_bytes, flonum_value, string_chars, vector_len};
use crate::value::{Kind, Value};

/// Nodes `equal-hash` visits at most: a bound that makes cyclic and very large
/// structures hash in finite time (equal structures still hash alike, since both are
/// cut at the same node).
const EQUAL_HASH_NODES: usize = 64;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("%eq-hash", 1, Some(1), |_, a| {
            Ok(finish(mix(a[0].word().bits())))
        }),
        builtin("%eqv-hash", 1, Some(1), |_, a| Ok(finish(eqv_hash(a[0])))),
        builtin("%equal-hash", 1, Some(1), |_, a| {
            Ok(finish(equal_hash(a[0])))
        }),
        builtin("%string-hash", 1, Some(1), |_, a| {
            if !a[0].is(Kind::String) {
                return Err(crate::error::Error::wrong_type(
                    "string-hash",
                    "a string",
                    a[0],
                ));
            }
            Ok(finish(equal_hash(a[0])))
        }),
    ]
}

/// A non-negative fixnum.
fn finish(h: u64) -> Value {
    Value::fixnum((h >> 4) as i64)
}

fn mix(x: u64) -> u64 {
    // The finalizer of SplitMix64: every input bit moves every output bit.
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Numbers that are `eqv?` hash alike whatever object holds them; the rest by address.
fn eqv_hash(v: Value) -> u64 {
    match v.kind() {
        Some(Kind::Flonum) => mix(flonum_value(v).to_bits()),
        Some(Kind::Bignum | Kind::Ratnum | Kind::Compnum) => {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            if let Some(n) = from_value(v) {
                n.to_string().hash(&mut h);
            }
            h.finish()
        }
        _ => mix(v.word().bits()),
    }
}

/// Structures that are `equal?` hash alike: pairs, vectors, strings and bytevectors by
/// content, up to `EQUAL_HASH_NODES` nodes, breadth first; the rest as `eqv?` does.
fn equal_hash(root: Value) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut queue = std::collections::VecDeque::from([root]);
    let mut visited = 0;
    while let Some(v) = queue.pop_front() {
        visited += 1;
        if visited > EQUAL_HASH_NODES {
            break;
        }
        if v.is_pair() {
            1u8.hash(&mut h);
            queue.push_back(v.car());
            queue.push_back(v.cdr());
            continue;
        }
        match v.kind() {
            Some(Kind::String) => string_chars(v).for_each(|c| c.hash(&mut h)),
            Some(Kind::Bytevector) => bytevector_bytes(v).hash(&mut h),
            Some(Kind::Vector) => {
                2u8.hash(&mut h);
                vector_len(v).hash(&mut h);
                queue.extend(
                    (0..vector_len(v))
                        .take(EQUAL_HASH_NODES)
                        .map(|i| v.field(i)),
                );
            }
            _ => eqv_hash(v).hash(&mut h),
        }
    }
    h.finish()
}
