//! Mark time by number of marker threads and page ownership, on two heap shapes: a wide
//! one (a binary tree of pairs, about 500 MB live) and a chain (one list of ten million
//! pairs). Each sample is the mark phase of a collection of the same live heap.
//!
//! `RUDO_MARK_SETUPS=1,2,2o,8` picks the set-ups (a trailing `o`: page ownership).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
#[allow(dead_code)] // the marking examples use the rest of it
mod shapes;

use rudo_gc::{Heap, HeapConfig, Word};
use shapes::{chain, parse_setups, tree};

/// Levels of the tree: 2^25 - 1 pairs, 537 MB.
const TREE_DEPTH: u32 = 25;
const CHAIN_PAIRS: usize = 10_000_000;

/// `(threads, page ownership)` from `RUDO_MARK_SETUPS`.
fn setups() -> Vec<(usize, bool)> {
    parse_setups(&std::env::var("RUDO_MARK_SETUPS").unwrap_or_else(|_| "1,2,2o,8,8o".into()))
}

fn shape(c: &mut Criterion, name: &str, build: fn(&mut Heap) -> Word) {
    let mut g = c.benchmark_group(format!("mark-{name}"));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    // One heap for every set-up, so that they mark the same pages.
    let mut heap = Heap::new(HeapConfig::default());
    let root = build(&mut heap);
    for (threads, page_ownership) in setups() {
        heap.set_marking(threads, page_ownership);
        // The first collection sizes every buffer and starts the marker threads.
        // SAFETY: the roots are words this heap handed out, each kept reachable since.
        unsafe { heap.collect(&[root]) };
        let id = format!("{threads}{}", if page_ownership { "-owned" } else { "" });
        g.bench_function(BenchmarkId::from_parameter(id), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    // SAFETY: the root is a word this heap handed out, kept reachable since.
                    .map(|_| unsafe { heap.collect(&[root]) }.mark)
                    .sum()
            })
        });
        let last = heap.stats().last.expect("collections ran");
        println!(
            "  {threads} threads (ownership {page_ownership}): {} objects, by marker {:?}, chunks shared {}, batches sent {}",
            last.marked_objects,
            &last.marked_objects_by_marker[..last.mark_threads],
            last.chunks_shared,
            last.batches_sent,
        );
    }
    g.finish();
}

fn marking(c: &mut Criterion) {
    shape(c, "tree-537MB", |h| tree(h, TREE_DEPTH));
    shape(c, "chain-10M", |h| chain(h, CHAIN_PAIRS));
}

criterion_group!(benches, marking);
criterion_main!(benches);
