//! The heap shapes the marking benchmarks build, a binary tree of pairs and a chain, how
//! they name marker set-ups, and how they report times.

use std::time::Duration;

use rudo_gc::{Heap, Word};

/// A complete binary tree of pairs, `depth` levels deep.
pub fn tree(heap: &mut Heap, depth: u32) -> Word {
    if depth == 0 {
        return Word::fixnum(0);
    }
    let l = tree(heap, depth - 1);
    let r = tree(heap, depth - 1);
    heap.alloc_pair(l, r)
}

/// A complete binary tree of `n` pairs whose nodes lie at random places in the heap:
/// every pointer leads to a page picked at random, as in a heap whose objects were
/// allocated in one order and linked in another.
pub fn scattered_tree(heap: &mut Heap, n: usize) -> Word {
    let mut nodes: Vec<Word> = (0..n)
        .map(|_| heap.alloc_pair(Word::fixnum(0), Word::fixnum(0)))
        .collect();
    // A Fisher-Yates shuffle driven by xorshift: reproducible, and no dependency.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for i in (1..n).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        nodes.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let child = |k: usize| nodes.get(k).copied().unwrap_or(Word::fixnum(0));
    for (k, &node) in nodes.iter().enumerate() {
        // SAFETY: `node` is a pair of `heap`, and no collection runs while it is written.
        unsafe {
            let fields = node.pair_ptr();
            fields.write(child(2 * k + 1));
            fields.add(1).write(child(2 * k + 2));
        }
    }
    nodes.first().copied().unwrap_or(Word::fixnum(0))
}

/// One list of `n` pairs.
pub fn chain(heap: &mut Heap, n: usize) -> Word {
    (0..n).fold(Word::fixnum(0), |l, i| {
        heap.alloc_pair(Word::fixnum(i as i64), l)
    })
}

/// Marker set-ups from a list such as `1,2,2o,8`: `(threads, page ownership)`, where a
/// trailing `o` asks for page ownership.
pub fn parse_setups(spec: &str) -> Vec<(usize, bool)> {
    spec.split(',')
        .map(|s| {
            let owned = s.ends_with('o');
            let n = s.trim_end_matches('o').parse().expect("a thread count");
            (n, owned)
        })
        .collect()
}

/// Milliseconds, as the marking examples print times.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The median of `v`, which is left sorted.
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
