//! Behaviour of the heap through its public API: allocation, marking, sweeping, weak
//! pairs, large objects, the trigger, statistics and the verifier.

mod common;

use common::*;
use rudo_gc::CollectionKind::Major;
use rudo_gc::{Header, Heap, HeapConfig, Word, PAGE_SIZE};

#[test]
fn pairs_hold_what_was_stored() {
    let mut heap = Heap::default();
    let p = heap.alloc_pair(fx(1), fx(2));
    assert!(p.is_pair() && p.is_pointer());
    assert_eq!((car(p), cdr(p)), (fx(1), fx(2)));
    let q = heap.alloc_pair(p, Word::immediate(3, 7));
    assert_eq!(car(q), p);
}

#[test]
fn objects_are_filled_and_keep_raw_words() {
    let mut heap = Heap::default();
    for size in [0, 1, 5, 100, 1021, 5000] {
        let h = Header::new(BYTES, size + 2, size);
        let o = heap.alloc_object(h, fx(9));
        // SAFETY: `o` was just allocated by `heap`.
        assert_eq!(unsafe { o.header() }, h);
        assert!((0..size).all(|i| field(o, i) == fx(9)));
        assert_eq!(
            (field(o, size), field(o, size + 1)),
            (Word::from_bits(0), Word::from_bits(0))
        );
    }
}

/// A structure is checked against a model of it kept outside the heap.
#[derive(Clone, Debug, PartialEq)]
enum Model {
    Int(i64),
    Pair(Box<Model>, Box<Model>),
    Vector(Vec<Model>),
    Bytes(Vec<u64>),
}

/// A deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn build(heap: &mut Heap, rng: &mut Rng, depth: u32) -> (Word, Model) {
    let choice = if depth == 0 { 0 } else { rng.below(4) };
    match choice {
        0 => {
            let n = rng.below(1000) as i64;
            (fx(n), Model::Int(n))
        }
        1 => {
            let (a, ma) = build(heap, rng, depth - 1);
            let (b, mb) = build(heap, rng, depth - 1);
            (
                heap.alloc_pair(a, b),
                Model::Pair(Box::new(ma), Box::new(mb)),
            )
        }
        2 => {
            let n = rng.below(6) as usize;
            let parts: Vec<_> = (0..n).map(|_| build(heap, rng, depth - 1)).collect();
            let words: Vec<Word> = parts.iter().map(|p| p.0).collect();
            (
                vector(heap, &words),
                Model::Vector(parts.into_iter().map(|p| p.1).collect()),
            )
        }
        _ => {
            let raw: Vec<u64> = (0..rng.below(40)).map(|_| rng.next()).collect();
            let o = heap.alloc_object(Header::new(BYTES, raw.len(), 0), fx(0));
            for (i, &r) in raw.iter().enumerate() {
                set_field(o, i, Word::from_bits(r));
            }
            (o, Model::Bytes(raw))
        }
    }
}

fn read_back(w: Word) -> Model {
    if w.is_fixnum() {
        return Model::Int(w.fixnum_value());
    }
    if w.is_pair() {
        return Model::Pair(Box::new(read_back(car(w))), Box::new(read_back(cdr(w))));
    }
    // SAFETY: `w` is a live object reached from a root.
    let h = unsafe { w.header() };
    match h.kind() {
        VECTOR => Model::Vector((0..h.size()).map(|i| read_back(field(w, i))).collect()),
        _ => Model::Bytes((0..h.size()).map(|i| field(w, i).bits()).collect()),
    }
}

#[test]
fn live_structures_survive_collections_intact() {
    let mut heap = Heap::default();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut roots = Vec::new();
    let mut models = Vec::new();
    for round in 0..scaled(12, 3) {
        for _ in 0..scaled(40, 4) {
            let (w, m) = build(&mut heap, &mut rng, 6);
            // Garbage between the live structures, in the same pages.
            build(&mut heap, &mut rng, 6);
            roots.push(w);
            models.push(m);
        }
        // Drop a third of the roots each round.
        let mut i = 0;
        roots.retain(|_| {
            i += 1;
            i % 3 != round % 3
        });
        let mut i = 0;
        models.retain(|_| {
            i += 1;
            i % 3 != round % 3
        });
        collect_and_verify(&mut heap, &roots);
        for (w, m) in roots.iter().zip(&models) {
            assert_eq!(&read_back(*w), m);
        }
    }
}

#[test]
fn a_long_list_marks_without_recursion_and_is_freed() {
    let n = scaled(10_000_000, 2_000);
    let mut heap = Heap::new(HeapConfig {
        pool_retain_bytes: 0,
        ..HeapConfig::default()
    });
    let l = list(&mut heap, n);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    let c = unsafe { heap.collect_as(&[l], Major) };
    assert_eq!(c.marked_objects, n);
    assert_eq!(list_sum(l), (n, (n as i64 - 1) * n as i64 / 2));
    assert!(
        heap.stats().peak_mark_stack < 10,
        "a list needs no deep mark stack"
    );
    let full = heap.heap_bytes();
    assert!(full >= n * 16);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[] as &[Word], Major) };
    assert_eq!(heap.stats().live_bytes, 0);
    heap.sweep_pending(usize::MAX);
    heap.release_free_pages();
    assert!(
        heap.heap_bytes() < full / 100,
        "freed pages go back to the system"
    );
}

#[test]
fn vectors_nested_a_million_deep_mark_without_recursion() {
    let depth = scaled(1_000_000, 1_000);
    let mut heap = Heap::default();
    let mut v = vector(&mut heap, &[fx(0)]);
    for i in 1..depth {
        v = vector(&mut heap, &[fx(i as i64), v]);
    }
    collect_and_verify(&mut heap, &[v]);
    let mut seen = 0;
    let mut w = v;
    // SAFETY: every `w` here is a live vector reached from the root.
    while unsafe { w.header() }.size() == 2 {
        w = field(w, 1);
        seen += 1;
    }
    assert_eq!(seen, depth - 1);
}

#[test]
fn a_wide_vector_is_scanned_in_chunks() {
    // With ownership, markers send each other the pairs on each other's pages; those they
    // receive faster than they mark wait as words, not on the stack.
    for page_ownership in [false, true] {
        let n = scaled(200_000, 3_000);
        let mut heap = Heap::new(HeapConfig {
            page_ownership,
            ..HeapConfig::default()
        });
        let items: Vec<Word> = (0..n)
            .map(|i| heap.alloc_pair(fx(i as i64), fx(0)))
            .collect();
        let v = vector(&mut heap, &items);
        drop(items);
        collect_and_verify(&mut heap, &[v]);
        assert!((0..n).all(|i| car(field(v, i)) == fx(i as i64)));
        let peak = heap.stats().peak_mark_stack;
        assert!(peak < 1000, "ownership {page_ownership}: {peak}");
    }
}

#[test]
fn dead_slots_are_reused() {
    let mut heap = Heap::default();
    let keep: Vec<Word> = (0..1000).map(|i| heap.alloc_pair(fx(i), fx(0))).collect();
    let every_other: Vec<Word> = keep.iter().step_by(2).copied().collect();
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&every_other, Major) };
    let pages = heap.stats().pages.pair;
    // 500 pairs fit in the freed holes: no new page.
    let fresh: Vec<Word> = (0..500).map(|i| heap.alloc_pair(fx(-i), fx(0))).collect();
    assert_eq!(heap.stats().pages.pair, pages);
    let mut roots = every_other.clone();
    roots.extend(&fresh);
    collect_and_verify(&mut heap, &roots);
    assert!(every_other
        .iter()
        .enumerate()
        .all(|(i, &p)| car(p) == fx(2 * i as i64)));
    assert!(fresh
        .iter()
        .enumerate()
        .all(|(i, &p)| car(p) == fx(-(i as i64))));
}

#[test]
fn weak_cars_break_exactly_when_their_target_dies() {
    let mut heap = Heap::default();
    let target = vector(&mut heap, &[fx(1)]);
    let other = heap.alloc_pair(fx(2), fx(3));
    let weak = heap.alloc_weak_pair(target, other);
    let weak_imm = heap.alloc_weak_pair(fx(5), fx(0));
    // Target alive: the car survives.
    collect_and_verify(&mut heap, &[weak, weak_imm, target]);
    assert_eq!(car(weak), target);
    // Only the weak pair holds it: broken. The cdr is strong and survives.
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    let c = unsafe { heap.collect_as(&[weak, weak_imm], Major) };
    assert_eq!(c.weak_broken, 1);
    assert_eq!(car(weak), Word::BROKEN);
    assert_eq!(car(cdr(weak)), fx(2));
    assert_eq!(car(weak_imm), fx(5), "immediates are never broken");
    heap.verify(&[weak, weak_imm]).unwrap();
}

#[test]
fn a_weak_car_reachable_another_way_survives() {
    let mut heap = Heap::default();
    let target = heap.alloc_pair(fx(1), fx(2));
    let weak = heap.alloc_weak_pair(target, fx(0));
    let holder = vector(&mut heap, &[weak, target]);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[holder], Major) };
    assert_eq!(car(weak), target);
    set_field(holder, 1, fx(0));
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[holder], Major) };
    assert_eq!(car(weak), Word::BROKEN);
}

#[test]
fn weak_pairs_can_be_rewritten() {
    let mut heap = Heap::default();
    let weak = heap.alloc_weak_pair(fx(0), fx(0));
    let a = heap.alloc_pair(fx(1), fx(1));
    set_car(weak, a);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[weak, a], Major) };
    assert_eq!(car(weak), a);
}

#[test]
fn large_objects_are_freed_with_their_pages() {
    let mut heap = Heap::new(HeapConfig {
        pool_retain_bytes: 0,
        ..HeapConfig::default()
    });
    let words = scaled(1 << 20, 20_000);
    let big = heap.alloc_object(Header::new(VECTOR, words, words), fx(7));
    let small = heap.alloc_pair(big, fx(0));
    set_field(big, words - 1, small);
    let before = heap.heap_bytes();
    assert!(before >= words * 8);
    collect_and_verify(&mut heap, &[small]);
    assert_eq!(heap.stats().pages.large_objects, 1);
    assert_eq!(field(big, 0), fx(7));
    assert_eq!(field(big, words - 1), small);
    // Freed by the collection itself, lazy sweeping or not.
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    let c = unsafe { heap.collect_as(&[] as &[Word], Major) };
    assert_eq!(heap.stats().pages.large_objects, 0);
    assert_eq!(heap.stats().pages.large, 0);
    assert!(c.pages_freed >= 1);
    assert!(heap.heap_bytes() + words * 8 <= before);
}

#[test]
fn dead_large_runs_are_reused_zeroed() {
    let mut heap = Heap::default();
    let words = scaled(1 << 16, 20_000);
    let raw = Header::new(BYTES, words, 0);
    let first = heap.alloc_object(raw, fx(0));
    for i in 0..words {
        // SAFETY: raw fields of a live object take any bits.
        unsafe { first.field_ptr(i).write(Word::from_bits(u64::MAX)) };
    }
    let before = heap.heap_bytes();
    // SAFETY: no roots: the object is dead.
    unsafe { heap.collect_as(&[] as &[Word], Major) };
    assert_eq!(heap.stats().pages.large_objects, 0);
    // A run a little smaller takes the kept one, cleared as a new mapping is.
    let second = heap.alloc_object(Header::new(BYTES, words - 8, 0), fx(0));
    assert_eq!(
        heap.heap_bytes(),
        before,
        "the kept run is reused, not mapped anew"
    );
    assert!((0..words - 8).all(|i| field(second, i) == Word::from_bits(0)));
}

#[test]
fn allocation_requests_collection_but_never_collects() {
    let budget = scaled(1 << 20, 128 << 10);
    let mut heap = Heap::new(HeapConfig {
        min_budget_bytes: budget,
        ..HeapConfig::default()
    });
    let n = 2 * budget / 16;
    let mut l = fx(0);
    let mut requested_at = None;
    for i in 0..n {
        l = heap.alloc_pair(fx(i as i64), l);
        if requested_at.is_none() && heap.collection_requested() {
            requested_at = Some(i);
        }
    }
    let at = requested_at.expect("the budget was passed") * 16;
    assert!(
        at + PAGE_SIZE >= budget && at <= budget,
        "requested after {at} bytes"
    );
    assert_eq!(heap.stats().collections, 0);
    assert_eq!(list_sum(l).0, n);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[l], Major) };
    assert!(!heap.collection_requested());
}

#[test]
fn the_budget_grows_with_the_live_heap() {
    let mut heap = Heap::new(HeapConfig {
        min_budget_bytes: 64 << 10,
        growth_factor: 3.0,
        generational: false,
        ..HeapConfig::default()
    });
    let live = list(&mut heap, scaled(100_000, 8_000));
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[live], Major) };
    let live_bytes = heap.stats().live_bytes;
    let mut allocated = 0;
    while !heap.collection_requested() {
        heap.alloc_pair(fx(0), fx(0));
        allocated += 16;
    }
    // Twice the live heap may be allocated (factor 3), to within one page run.
    assert!(
        allocated + PAGE_SIZE >= 2 * live_bytes,
        "{allocated} vs {live_bytes}"
    );
    assert!(allocated <= 2 * live_bytes + PAGE_SIZE);
}

#[test]
fn statistics_count_collections_pauses_and_pages() {
    let mut heap = Heap::default();
    let n = scaled(10_000, 1_000);
    let l = list(&mut heap, n);
    let v = vector(&mut heap, &[l]);
    for _ in 0..5 {
        // SAFETY: the roots are words this heap handed out, each kept reachable since.
        unsafe { heap.collect_as(&[v], Major) };
    }
    let s = heap.stats();
    assert_eq!(s.collections, 5);
    assert_eq!(s.live_bytes, n * 16 + 16);
    assert_eq!(s.allocated_bytes, (n * 16 + 16) as u64);
    assert!(s.pages.pair >= n * 16 / PAGE_SIZE && s.pages.object == 1);
    assert!(s.pause_max >= s.pause_p99 && s.pause_p99 >= s.pause_p50);
    let last = s.last.unwrap().pause();
    assert!(
        s.pause_max.as_nanos() * 1000 >= last.as_nanos() * 999,
        "{:?} < {last:?}",
        s.pause_max
    );
    assert_eq!(s.last.unwrap().marked_objects, n + 1);
    assert!(s.heap_bytes >= (s.pages.pair + s.pages.object) * PAGE_SIZE);
}

#[test]
fn the_verifier_accepts_a_sound_heap() {
    let mut heap = Heap::default();
    let l = list(&mut heap, 100);
    let v = vector(&mut heap, &[l, l, fx(3)]);
    let r = heap.verify(&[v]).unwrap();
    assert_eq!((r.pairs, r.objects), (100, 1));
}

/// Plants an unsound word and expects the verifier to name the problem.
fn expect_unsound(heap: &Heap, roots: &[Word], problem: &str) {
    match heap.verify(roots) {
        Ok(r) => panic!("verifier missed a planted bad pointer ({problem}); walked {r:?}"),
        Err(e) => assert!(e.problem.contains(problem), "{e}; expected {problem}"),
    }
}

#[test]
fn the_verifier_catches_planted_dangling_pointers() {
    let mut heap = Heap::new(HeapConfig {
        pool_retain_bytes: 0,
        ..HeapConfig::default()
    });
    let keep = heap.alloc_pair(fx(1), fx(1));
    let dead = heap.alloc_pair(fx(2), fx(2));
    let holder = vector(&mut heap, &[keep, fx(0)]);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[holder], Major) };
    heap.sweep_pending(usize::MAX);
    // A pointer to a slot swept free, in a page that is still live.
    set_field(holder, 1, dead);
    expect_unsound(&heap, &[holder], "free slot");

    // The same address with the wrong tag.
    let as_object = Word::from_bits(keep.bits() + 2);
    set_field(holder, 1, as_object);
    expect_unsound(&heap, &[holder], "another kind");

    // Into the middle of a pair.
    set_field(holder, 1, Word::from_bits(keep.bits() + 8));
    expect_unsound(&heap, &[holder], "start of a slot");

    // A page that has gone back to the system.
    set_field(holder, 1, fx(0));
    let lone = vector(&mut heap, &[fx(0); 600]);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[holder], Major) };
    heap.sweep_pending(usize::MAX);
    set_field(holder, 1, lone);
    expect_unsound(&heap, &[holder], "outside the heap");

    set_field(holder, 1, fx(0));
    heap.verify(&[holder]).unwrap();
}

#[test]
fn freed_slots_are_poisoned_in_debug_builds() {
    if !cfg!(debug_assertions) {
        return;
    }
    let mut heap = Heap::default();
    let keep = heap.alloc_pair(fx(1), fx(1));
    let dead = heap.alloc_pair(fx(2), fx(2));
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[keep], Major) };
    heap.sweep_pending(usize::MAX);
    assert_eq!(car(dead).bits(), 0xdead_beef_dead_beef);
    assert_eq!(car(keep), fx(1));
}

#[test]
fn pages_beyond_the_pool_go_back_to_the_system() {
    // The pool keeps `pool_retain_bytes` and the next budget (here one page).
    let retain_pages = scaled(4, 1) + 1;
    let retain = retain_pages * PAGE_SIZE;
    let mut heap = Heap::new(HeapConfig {
        pool_retain_bytes: retain - PAGE_SIZE,
        min_budget_bytes: PAGE_SIZE,
        generational: false,
        ..HeapConfig::default()
    });
    let l = list(&mut heap, scaled(400_000, 12_100));
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[l], Major) };
    let pages = heap.stats().pages.pair;
    assert!(pages > retain_pages);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[] as &[Word], Major) };
    // A lazy sweep keeps every empty page (giving memory back is too slow for a step);
    // the next collection gives back the surplus.
    heap.sweep_pending(usize::MAX);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[] as &[Word], Major) };
    let s = heap.stats();
    assert_eq!(s.pages.pooled, retain_pages);
    assert!(s.heap_bytes <= retain + PAGE_SIZE);
    // Pooled pages are reused before new ones are mapped.
    let _ = list(&mut heap, 1000);
    assert_eq!(heap.stats().pages.pooled, retain_pages - 1);
    assert_eq!(heap.stats().heap_bytes, s.heap_bytes);
    heap.release_free_pages();
    assert_eq!(heap.stats().pages.pooled, 0);
}

#[test]
fn guarded_objects_come_back_once_unreachable_with_what_they_hold() {
    let mut heap = Heap::default();
    let inner = heap.alloc_pair(fx(10), fx(11));
    let guarded = vector(&mut heap, &[inner, fx(3)]);
    let kept = heap.alloc_pair(fx(1), fx(2));
    // SAFETY: both are live objects of `heap`.
    unsafe {
        heap.guard(guarded, 7);
        heap.guard(kept, 8);
    }
    let weak = heap.alloc_weak_pair(guarded, fx(0));
    // Reachable: nothing is ready.
    collect_and_verify(&mut heap, &[guarded, kept, weak]);
    assert!(heap.take_ready().is_empty());
    assert_eq!(heap.guarded_count(), 2);
    // Unreachable: it comes back, with its contents intact, and the weak car holds.
    collect_and_verify(&mut heap, &[kept, weak]);
    assert_eq!(car(weak), guarded, "a resurrected object is not broken");
    let ready = heap.take_ready();
    assert_eq!(ready, vec![(guarded, 7)]);
    assert_eq!(heap.guarded_count(), 1);
    assert_eq!(car(field(guarded, 0)), fx(10));
    // Garbage in between, then the object is dropped for good: the weak car breaks.
    for i in 0..scaled(10_000, 200) {
        heap.alloc_pair(fx(i as i64), fx(0));
    }
    collect_and_verify(&mut heap, &[kept, weak]);
    assert_eq!(car(weak), Word::BROKEN);
    assert!(heap.take_ready().is_empty());
}

#[test]
fn ready_objects_stay_live_until_taken() {
    let mut heap = Heap::default();
    let guarded = heap.alloc_pair(fx(5), fx(6));
    // SAFETY: a live object of `heap`.
    unsafe { heap.guard(guarded, 1) };
    let weak = heap.alloc_weak_pair(guarded, fx(0));
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    unsafe { heap.collect_as(&[weak], Major) };
    // Not taken yet: the next collection keeps it.
    collect_and_verify(&mut heap, &[weak]);
    assert_eq!(car(weak), guarded);
    assert_eq!(heap.take_ready(), vec![(guarded, 1)]);
    assert_eq!(car(guarded), fx(5));
}
