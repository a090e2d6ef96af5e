//! Lazy sweeping: what a collection leaves pending, who sweeps it, and that a page is
//! only ever swept with its own collection's marks. Every test also holds, with the
//! expectations the comments give, in the eager build (`--no-default-features`).

mod common;

use common::*;
use rudo_gc::CollectionKind::Major;
use rudo_gc::{Header, Heap, HeapConfig, Word};

const LAZY: bool = cfg!(feature = "lazy-sweep");

/// A list of `n` pairs holding `0..n`, each allocated next to `dead` pairs that nothing
/// keeps: its pages are part live, part dead.
fn striped_list(heap: &mut Heap, n: usize, dead: usize) -> Word {
    let mut tail = fx(-1);
    for i in (0..n).rev() {
        tail = heap.alloc_pair(fx(i as i64), tail);
        for _ in 0..dead {
            heap.alloc_pair(fx(0), fx(0));
        }
    }
    tail
}

#[test]
fn a_collection_leaves_small_pages_pending_and_sweep_pending_takes_them() {
    let mut heap = Heap::default();
    let l = striped_list(&mut heap, scaled(100_000, 5_000), 1);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[l], Major) };
    let pages = heap.stats().pages.pair;
    assert!(pages >= 2);
    if !LAZY {
        assert_eq!(heap.pending_sweep_pages(), 0);
        assert_eq!(heap.sweep_pending(1), 0);
        return;
    }
    assert_eq!(heap.pending_sweep_pages(), pages);
    assert_eq!(heap.stats().pending_sweep_pages, pages);
    assert_eq!(heap.sweep_pending(1), 1);
    assert_eq!(heap.pending_sweep_pages(), pages - 1);
    assert_eq!(heap.sweep_pending(usize::MAX), pages - 1);
    assert_eq!(heap.pending_sweep_pages(), 0);
    assert_eq!(heap.sweep_pending(5), 0);
    let s = heap.stats();
    assert_eq!(s.pages_swept_lazily, pages as u64);
    assert_eq!(s.lazy_sweep_steps, 2);
    assert!(s.sweep_step_max > std::time::Duration::ZERO);
    assert_eq!(list_sum(l).0, scaled(100_000, 5_000));
}

#[test]
fn a_weak_car_breaks_while_its_targets_page_waits_to_be_swept() {
    let mut heap = Heap::default();
    let target = heap.alloc_object(Header::new(VECTOR, 3, 3), fx(9));
    let weak = heap.alloc_weak_pair(target, fx(1));
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    let c = unsafe { heap.collect_as(&[weak], Major) };
    assert_eq!(c.weak_broken, 1);
    assert_eq!(car(weak), Word::BROKEN);
    assert_eq!(cdr(weak), fx(1));
    // The target's page has not been swept, yet its death is already reported.
    assert_eq!(heap.pending_sweep_pages() > 0, LAZY);
    heap.sweep_pending(usize::MAX);
    assert_eq!(car(weak), Word::BROKEN);
}

#[test]
fn allocation_sweeps_pending_pages_of_its_class_and_reuses_them() {
    let mut heap = Heap::new(HeapConfig {
        pool_retain_bytes: 0,
        ..HeapConfig::default()
    });
    let n = scaled(200_000, 4_000);
    // A long-lived vector among short-lived pairs: every pair page dies whole.
    let keep = vector(&mut heap, &[fx(1), fx(2)]);
    let _garbage = list(&mut heap, n);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[keep], Major) };
    let pair_pages = heap.stats().pages.pair;
    assert_eq!(
        pair_pages > 0,
        LAZY,
        "dead pages wait, or are freed at once"
    );
    let fresh = list(&mut heap, n);
    let s = heap.stats();
    if LAZY {
        // The new list took the dead pages back one by one, without new ones.
        assert_eq!(s.pages.pair, pair_pages);
        assert!(s.pages_swept_lazily as usize >= pair_pages - 1);
        // The vector's page is another class: allocating pairs left it pending.
        assert_eq!(heap.pending_sweep_pages(), 1);
    }
    collect_and_verify(&mut heap, &[keep, fresh]);
    assert_eq!(list_sum(fresh).0, n);
    assert_eq!(field(keep, 1), fx(2));
}

/// The bug this guards against: a lazy sweep that runs with marks cleared (or set by
/// another collection) frees live objects, which shows only once pages are still pending
/// when the heap is large. Here several hundred megabytes stay live across collections,
/// each collection leaves pages pending, and the program allocates and sweeps a little
/// between them.
#[test]
fn a_large_live_heap_survives_collections_with_sweeps_pending() {
    let mut heap = Heap::default();
    let pairs = scaled(15_000_000, 3_000);
    let vectors = scaled(1_000_000, 300);
    // 240 MB of live pairs, each next to a dead one: half-dead pages.
    let l = striped_list(&mut heap, pairs, 1);
    // Vectors of 12 words (112-byte slots), every other one dead: 56 MB live.
    let mut vs = fx(-1);
    for i in 0..vectors {
        let items: Vec<Word> = (0..12).map(|k| fx((i * 12 + k) as i64)).collect();
        let v = vector(&mut heap, &items);
        if i % 2 == 0 {
            vs = heap.alloc_pair(v, vs);
        }
    }
    let vector_sum = |mut vs: Word| {
        let mut sum = 0i64;
        while vs != fx(-1) {
            let v = car(vs);
            sum += (0..12).map(|k| field(v, k).fixnum_value()).sum::<i64>();
            vs = cdr(vs);
        }
        sum
    };
    let expected_vectors = vector_sum(vs);
    let mut young = fx(-1);
    for round in 0..3 {
        // SAFETY: the roots are words this heap handed out, each kept reachable since.
        unsafe { heap.collect_as(&[l, vs, young], Major) };
        assert_eq!(heap.pending_sweep_pages() > 0, LAZY);
        // Sweep a little, allocate in the pair class (which sweeps pair pages), and leave
        // the rest pending for the next collection to finish before it marks.
        heap.sweep_pending(round * 3);
        young = striped_list(&mut heap, scaled(500_000, 500), 1);
        assert_eq!(list_sum(l).0, pairs);
        assert_eq!(vector_sum(vs), expected_vectors);
    }
    collect_and_verify(&mut heap, &[l, vs, young]);
    heap.sweep_pending(usize::MAX);
    let (n, sum) = list_sum(l);
    assert_eq!((n, sum), (pairs, (pairs as i64 - 1) * pairs as i64 / 2));
    assert_eq!(vector_sum(vs), expected_vectors);
    assert_eq!(list_sum(young).0, scaled(500_000, 500));
    assert!(heap.stats().live_bytes >= scaled(280 << 20, 0));
}
