//! The collector on a list of ten million pairs: allocation, marking it live, and
//! collecting it dead. Also prints the heap bytes each live pair costs.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rudo_gc::{Heap, HeapConfig, Word};

const PAIRS: usize = 10_000_000;

fn build_list(heap: &mut Heap, n: usize) -> Word {
    let mut l = Word::fixnum(0);
    for i in 0..n {
        l = heap.alloc_pair(Word::fixnum(i as i64), l);
    }
    l
}

/// A heap that keeps every page it empties for reuse.
fn pooling_heap() -> Heap {
    Heap::new(HeapConfig {
        pool_retain_bytes: 1 << 30,
        ..HeapConfig::default()
    })
}

/// The time to build the list `iters` times, each after `prepare` (untimed) readies the
/// heap.
fn time_building(iters: u64, heap: &mut Heap, prepare: impl Fn(&mut Heap)) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        prepare(heap);
        let start = Instant::now();
        std::hint::black_box(build_list(heap, PAIRS));
        total += start.elapsed();
    }
    total
}

fn report_footprint() {
    let mut heap = Heap::default();
    let l = build_list(&mut heap, PAIRS);
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    let c = unsafe { heap.collect(&[l]) };
    let s = heap.stats();
    println!(
        "footprint: {} live pairs, heap {} bytes = {:.3} bytes per live pair; mark {:.1} ms = {:.2} ms per live MB ({:.0} MB/s)",
        c.marked_objects,
        s.heap_bytes,
        s.heap_bytes as f64 / PAIRS as f64,
        c.mark.as_secs_f64() * 1e3,
        c.mark.as_secs_f64() * 1e3 / (c.marked_bytes as f64 / 1e6),
        c.mark_mb_per_s(),
    );
}

fn pairs(c: &mut Criterion) {
    report_footprint();
    let mut g = c.benchmark_group("pairs-10M");
    g.sample_size(10).measurement_time(Duration::from_secs(8));

    g.throughput(Throughput::Elements(PAIRS as u64));
    g.bench_function("allocate", |b| {
        let mut heap = Heap::default();
        b.iter_custom(|iters| time_building(iters, &mut heap, |h| *h = Heap::default()))
    });

    // Into pages a collection has emptied and pooled: no page faults, no system calls,
    // and (swept beforehand) no page pending, so that the lazy and the eager builds run
    // the same fast path.
    g.bench_function("allocate-reused", |b| {
        let mut heap = pooling_heap();
        b.iter_custom(|iters| {
            time_building(iters, &mut heap, |h| {
                // SAFETY: the roots are words this heap handed out, each kept reachable since.
                unsafe { h.collect(&[] as &[Word]) };
                h.sweep_pending(usize::MAX);
            })
        })
    });

    // Into pages the last collection left pending: allocation sweeps them as it goes
    // (the same as `allocate-reused` in the eager build, which swept them in the pause).
    g.bench_function("allocate-sweeping", |b| {
        let mut heap = pooling_heap();
        b.iter_custom(|iters| {
            time_building(iters, &mut heap, |h| {
                // SAFETY: the roots are words this heap handed out, each kept reachable since.
                unsafe { h.collect(&[] as &[Word]) };
            })
        })
    });

    g.throughput(Throughput::Bytes((PAIRS * 16) as u64));
    g.bench_function("mark-live", |b| {
        let mut heap = Heap::default();
        let l = build_list(&mut heap, PAIRS);
        // SAFETY: the roots are words this heap handed out, each kept reachable since.
        unsafe { heap.collect(&[l]) };
        // SAFETY: the roots are words this heap handed out, each kept reachable since.
        b.iter_custom(|iters| (0..iters).map(|_| unsafe { heap.collect(&[l]) }.mark).sum())
    });

    g.bench_function("collect-dead", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut heap = Heap::default();
                let l = build_list(&mut heap, PAIRS);
                // SAFETY: the roots are words this heap handed out, each kept reachable since.
                unsafe { heap.collect(&[l]) };
                // SAFETY: the roots are words this heap handed out, each kept reachable since.
                total += unsafe { heap.collect(&[] as &[Word]) }.pause();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, pairs);
criterion_main!(benches);
