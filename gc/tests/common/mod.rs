//! Helpers the heap tests share: words, pairs, vectors and lists through the public API.
#![allow(dead_code)]

use rudo_gc::{CollectionKind, Header, Heap, Word};

/// Sizes shrink under Miri, which runs these tests a thousand times slower.
pub const fn scaled(native: usize, miri: usize) -> usize {
    if cfg!(miri) {
        miri
    } else {
        native
    }
}

pub const VECTOR: u8 = 1;
pub const BYTES: u8 = 2;

pub fn fx(n: i64) -> Word {
    Word::fixnum(n)
}

pub fn car(w: Word) -> Word {
    // SAFETY: tests only pass pair words of a live heap that are reachable from roots.
    unsafe { w.pair_ptr().read() }
}

pub fn cdr(w: Word) -> Word {
    // SAFETY: as in `car`.
    unsafe { w.pair_ptr().add(1).read() }
}

pub fn set_car(w: Word, v: Word) {
    // SAFETY: as in `car`; the barrier is called on the heap's own thread.
    unsafe {
        rudo_gc::write_barrier(w, 0, v);
        w.pair_ptr().write(v)
    }
}

pub fn set_cdr(w: Word, v: Word) {
    // SAFETY: as in `car`; the barrier is called on the heap's own thread.
    unsafe {
        rudo_gc::write_barrier(w, 1, v);
        w.pair_ptr().add(1).write(v)
    }
}

pub fn field(w: Word, i: usize) -> Word {
    // SAFETY: tests only pass live object words and indices below their size.
    unsafe { w.field_ptr(i).read() }
}

pub fn set_field(w: Word, i: usize, v: Word) {
    // SAFETY: as in `field`; the barrier is called on the heap's own thread.
    unsafe {
        rudo_gc::write_barrier(w, i, v);
        w.field_ptr(i).write(v)
    }
}

pub fn vector(heap: &mut Heap, items: &[Word]) -> Word {
    let v = heap.alloc_object(Header::new(VECTOR, items.len(), items.len()), fx(0));
    for (i, &x) in items.iter().enumerate() {
        set_field(v, i, x);
    }
    v
}

pub fn list(heap: &mut Heap, n: usize) -> Word {
    (0..n)
        .rev()
        .fold(fx(-1), |tail, i| heap.alloc_pair(fx(i as i64), tail))
}

pub fn list_sum(mut l: Word) -> (usize, i64) {
    let (mut len, mut sum) = (0, 0);
    while l.is_pair() {
        len += 1;
        sum += car(l).fixnum_value();
        l = cdr(l);
    }
    (len, sum)
}

/// A full collection, and a check of the heap after it.
pub fn collect_and_verify(heap: &mut Heap, roots: &[Word]) {
    collect_as_and_verify(heap, roots, CollectionKind::Major);
}

/// A collection of `kind`, with the checks of the generational invariant before it and
/// of the heap after it.
pub fn collect_as_and_verify(heap: &mut Heap, roots: &[Word], kind: CollectionKind) {
    if let Err(e) = heap.verify_remembered(roots) {
        panic!("an old object holds a young one unremembered: {e}");
    }
    // SAFETY: the tests pass as roots only words this heap handed out and that they
    // have kept as roots at every collection since, and store through the barrier.
    unsafe { heap.collect_as(roots, kind) };
    if let Err(e) = heap.verify(roots) {
        panic!("heap unsound after collection: {e}");
    }
}
