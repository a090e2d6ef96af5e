//! Marking with several marker threads: every shape of heap marks the same objects with
//! 1, 2 and 8 markers, with and without page ownership, and the heap verifies afterwards.

mod common;

use common::*;
use rudo_gc::{CollectionStats, Heap, HeapConfig, Word, SCATTERED_OBJECTS_PER_RUN};

/// The marker set-ups every shape is marked with: (threads, page ownership).
const SETUPS: [(usize, bool); 5] = [(1, false), (2, false), (2, true), (8, false), (8, true)];

fn heap(threads: usize, page_ownership: bool) -> Heap {
    Heap::new(HeapConfig {
        mark_threads: threads,
        page_ownership,
        // The set-up holds whatever the heap's shape.
        shared_when_scattered: false,
        // Every collection marks in parallel, however small the heap.
        parallel_mark_min_bytes: 0,
        ..HeapConfig::default()
    })
}

/// A complete binary tree of pairs, `depth` levels deep.
fn tree(heap: &mut Heap, depth: u32) -> Word {
    if depth == 0 {
        return fx(1);
    }
    let l = tree(heap, depth - 1);
    let r = tree(heap, depth - 1);
    heap.alloc_pair(l, r)
}

/// Many small trees hung off one vector: wide, shallow work.
fn forest(heap: &mut Heap, trees: usize, depth: u32) -> Word {
    let items: Vec<Word> = (0..trees).map(|_| tree(heap, depth)).collect();
    vector(heap, &items)
}

/// Builds a shape in a fresh heap of each set-up, collects it twice (garbage is made in
/// between), and checks that every set-up marks `expected` objects and leaves a sound
/// heap. Returns the last collection's statistics of each set-up.
fn marks_alike(build: fn(&mut Heap) -> Word, expected: usize) -> Vec<CollectionStats> {
    SETUPS
        .iter()
        .map(|&(threads, owned)| {
            let mut heap = heap(threads, owned);
            let root = build(&mut heap);
            let _garbage = list(&mut heap, scaled(50_000, 500));
            collect_and_verify(&mut heap, &[root]);
            let _garbage = forest(&mut heap, 4, 8);
            collect_and_verify(&mut heap, &[root]);
            let c = heap.stats().last.expect("a collection ran");
            assert_eq!(
                c.marked_objects, expected,
                "{threads} markers, ownership {owned}"
            );
            // Without ownership the helpers join only when the lead has work to share.
            if owned || c.mark_threads > 1 {
                assert_eq!(
                    c.mark_threads, threads,
                    "{threads} markers, ownership {owned}"
                );
            }
            let by_marker: usize = c.marked_objects_by_marker.iter().sum();
            assert_eq!(by_marker, expected, "the markers' counts add up");
            c
        })
        .collect()
}

#[test]
fn a_wide_forest_marks_alike_and_the_work_is_spread() {
    const TREES: usize = scaled(64, 4);
    const DEPTH: u32 = scaled(12, 4) as u32;
    let stats = marks_alike(|h| forest(h, TREES, DEPTH), 1 + TREES * ((1 << DEPTH) - 1));
    if cfg!(miri) {
        return;
    }
    // Two markers without ownership: marker 0 takes the one root, so marker 1 has work
    // only if marker 0 shared some.
    let two = &stats[1];
    assert!(two.chunks_shared > 0, "{two:?}");
    assert!(two.marked_objects_by_marker[1] > 0, "{two:?}");
}

#[test]
fn a_long_chain_marks_alike() {
    let stats = marks_alike(|h| list(h, scaled(300_000, 2_000)), scaled(300_000, 2_000));
    // A chain never gives the marker that holds it surplus work. Without ownership the
    // helpers sleep through the collection, and the lead marks it alone; with it the
    // helpers take part in the round, but the lead, the only one at work, marks every
    // pair itself and sends none away.
    for (c, &(threads, owned)) in stats.iter().zip(&SETUPS) {
        assert_eq!(c.chunks_shared, 0, "{threads} markers: {c:?}");
        assert_eq!(c.batches_sent, 0, "{threads} markers: {c:?}");
        if owned {
            assert_eq!(c.marked_objects_by_marker[0], c.marked_objects, "{c:?}");
        } else {
            assert_eq!(c.mark_threads, 1, "{threads} markers: {c:?}");
        }
    }
}

#[test]
fn one_deep_tree_marks_alike() {
    const DEPTH: u32 = scaled(17, 5) as u32;
    marks_alike(|h| tree(h, DEPTH), (1 << DEPTH) - 1);
}

#[test]
fn a_wide_vector_of_lists_marks_alike() {
    let (lists, len) = (scaled(3_000, 20), scaled(50, 5));
    marks_alike(
        |h| {
            let items: Vec<Word> = (0..scaled(3_000, 20))
                .map(|_| list(h, scaled(50, 5)))
                .collect();
            vector(h, &items)
        },
        1 + lists * len,
    );
}

#[test]
fn lists_that_share_their_tails_mark_alike() {
    // Every tenth tail of one list is an entry of the vector, so the markers meet on the
    // same pairs from many starts, and claim runs of them that overlap.
    const LEN: usize = scaled(30_000, 300);
    marks_alike(
        |h| {
            let mut tails = Vec::new();
            let mut l = list(h, LEN);
            while l.is_pair() {
                tails.push(l);
                for _ in 0..10 {
                    if l.is_pair() {
                        l = cdr(l);
                    }
                }
            }
            vector(h, &tails)
        },
        1 + LEN,
    );
}

#[test]
fn weak_cars_break_the_same_with_many_markers() {
    for (threads, owned) in SETUPS {
        let mut heap = heap(threads, owned);
        let kept = list(&mut heap, 100);
        let dropped = list(&mut heap, 100);
        let weak_kept = heap.alloc_weak_pair(kept, fx(0));
        let weak_dropped = heap.alloc_weak_pair(dropped, fx(0));
        let roots = [kept, weak_kept, weak_dropped];
        collect_and_verify(&mut heap, &roots);
        assert_eq!(car(weak_kept), kept);
        assert_eq!(car(weak_dropped), Word::BROKEN);
    }
}

#[test]
fn marker_threads_outlive_collections_and_stop_with_the_heap() {
    let mut heap = heap(4, true);
    let root = forest(&mut heap, 8, 6);
    for _ in 0..scaled(50, 3) {
        collect_and_verify(&mut heap, &[root]);
    }
    assert_eq!(heap.stats().collections, scaled(50, 3) as u64);
    drop(heap);
}

#[test]
fn a_round_with_fewer_markers_than_threads_shares_only_among_its_markers() {
    // The markers sitting a round out must never be handed work: the round would wait
    // for them forever. A watchdog turns a hang into a failure; under Miri, which
    // runs the test far slower than any fixed limit allows, a hang is Miri's own deadlock
    // error.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut heap = heap(8, false);
        let root = forest(&mut heap, scaled(64, 4), scaled(10, 4) as u32);
        collect_and_verify(&mut heap, &[root]);
        for (threads, owned) in [(2, false), (3, true), (1, false), (5, false), (8, true)] {
            heap.set_marking(threads, owned);
            for _ in 0..scaled(5, 1) {
                collect_and_verify(&mut heap, &[root]);
            }
            let used = heap.stats().last.expect("a collection").mark_threads;
            // Miri's forest is too small to give the lead surplus to share, and then
            // without ownership it marks alone.
            if owned || !cfg!(miri) {
                assert_eq!(used, threads, "ownership {owned}");
            } else {
                assert_eq!(used, 1);
            }
        }
        done.send(()).expect("the test waits");
    });
    if cfg!(miri) {
        finished.recv().expect("marking finishes");
    } else {
        finished
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("marking finishes");
    }
}

/// A heap with the default marking, two markers, marking in parallel however small.
fn default_heap_of_two_markers() -> Heap {
    Heap::new(HeapConfig {
        mark_threads: 2,
        parallel_mark_min_bytes: 0,
        ..HeapConfig::default()
    })
}

/// `n` pairs (a power of two) allocated in order, in a vector in an order that jumps a
/// page or so between neighbours: tracing it goes from page to page at every object.
fn scattered_pairs(heap: &mut Heap, n: usize) -> Word {
    let pairs: Vec<Word> = (0..n)
        .map(|i| heap.alloc_pair(fx(i as i64), fx(0)))
        .collect();
    // An odd stride is a permutation of the indices modulo a power of two.
    let scattered: Vec<Word> = (0..n).map(|i| pairs[i * 4099 % n]).collect();
    vector(heap, &scattered)
}

/// Collects `root` in `heap` and verifies it; returns the collection's statistics.
fn collect_stats(heap: &mut Heap, root: Word) -> CollectionStats {
    collect_and_verify(heap, &[root]);
    heap.stats().last.expect("a collection ran")
}

#[test]
fn a_scattered_heap_is_marked_shared_after_a_collection_finds_it_so() {
    let n = scaled(1 << 14, 1 << 13);
    let mut heap = default_heap_of_two_markers();
    let root = scattered_pairs(&mut heap, n);
    let first = collect_stats(&mut heap, root);
    assert!(first.pages_owned, "nothing is known of the heap yet");
    assert!(
        first.objects_per_page_run() < SCATTERED_OBJECTS_PER_RUN,
        "{} objects per page run",
        first.objects_per_page_run()
    );
    let second = collect_stats(&mut heap, root);
    assert!(!second.pages_owned, "the heap was found scattered");
    assert_eq!(second.marked_objects, n + 1);
    // Asked for by name, ownership holds.
    heap.set_marking(2, true);
    let third = collect_stats(&mut heap, root);
    assert!(third.pages_owned);
    assert_eq!(third.marked_objects, n + 1);
}

#[test]
fn a_tree_built_as_it_is_traced_stays_owned() {
    let depth = scaled(14, 13) as u32;
    let mut heap = default_heap_of_two_markers();
    let root = tree(&mut heap, depth);
    for _ in 0..2 {
        let c = collect_stats(&mut heap, root);
        assert!(c.pages_owned);
        assert!(
            c.objects_per_page_run() >= SCATTERED_OBJECTS_PER_RUN,
            "{} objects per page run",
            c.objects_per_page_run()
        );
        assert_eq!(c.marked_objects, (1 << depth) - 1);
    }
}
