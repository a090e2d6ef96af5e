//! The longest a short, fixed piece of work takes on this machine, for comparison with the
//! longest lazy-sweep step: times WINDOWS windows of the same arithmetic, each about as
//! long as a typical sweep step, back to back, and prints the longest window, the 99th
//! percentile, and how many took over 30 and over 100 microseconds. Nothing in a window
//! allocates, faults or calls the system, so what makes a window long is the machine: an
//! interrupt, or the host taking the virtual CPU away.
//!
//! Given a heap size, it then times as many windows of memory writes: each writes the
//! first kilobyte of four page-sized blocks of a buffer that large, the next four blocks
//! in each window, as a safepoint's sweep step writes the headers and bitmaps of four pages.
//! What makes those windows long is the machine's memory: a write to a page the host has
//! not touched lately can wait on it.
//!
//!   cargo run --release --example noise_floor -- [WINDOWS] [WINDOW_US] [HEAP_MB]
//!
//! Defaults: 20,000 windows of about 2 microseconds, no memory windows.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rudo_gc::PAGE_SIZE;

fn main() {
    let mut args = std::env::args().skip(1);
    let windows: usize = args
        .next()
        .map_or(20_000, |s| s.parse().expect("a window count"));
    let window_us: f64 = args
        .next()
        .map_or(2.0, |s| s.parse().expect("a window length in microseconds"));

    let rounds = calibrate(Duration::from_secs_f64(window_us * 1e-6));
    println!("windows: {windows}");
    summarize(("window", "windows"), &sorted_windows(rounds, windows));
    if let Some(mb) = args.next() {
        let mb: usize = mb.parse().expect("a heap size in megabytes");
        summarize(("touch", "touches"), &sorted_touches(mb, windows, rounds));
    }
}

/// Prints the median, 99th percentile and longest of `times` (sorted, shortest first),
/// and how many took over 30 and over 100 microseconds, under names that start with the
/// singular or the plural of `kind`.
fn summarize((kind, kinds): (&str, &str), times: &[Duration]) {
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let over = |limit_us: f64| times.iter().filter(|&&t| us(t) > limit_us).count();
    let n = times.len();
    println!("{kind}-p50-us: {:.1}", us(times[n / 2]));
    println!("{kind}-p99-us: {:.1}", us(times[n * 99 / 100]));
    println!("{kind}-max-us: {:.0}", us(times[n - 1]));
    println!("{kinds}-over-30us: {}", over(30.0));
    println!("{kinds}-over-100us: {}", over(100.0));
}

/// Words at the start of a block that a window writes, a word per cache line: about what a
/// page of pairs keeps in its header and its two bitmaps.
const METADATA_WORDS: usize = 1024 / 8;

/// Blocks one window writes: the pages a safepoint sweeps.
const BLOCKS_PER_WINDOW: usize = 4;

/// The times of `windows` windows of writes over a buffer of `mb` megabytes (see the
/// module's doc), shortest first; `rounds` rounds of [`work`] run between two windows, as
/// the program runs between two sweep steps.
fn sorted_touches(mb: usize, windows: usize, rounds: usize) -> Vec<Duration> {
    let words_per_block = PAGE_SIZE / 8;
    let blocks = (mb << 20) / PAGE_SIZE;
    assert!(blocks >= BLOCKS_PER_WINDOW, "a heap of at least four pages");
    // Written whole first, so that every page of it is mapped before the first window.
    let mut heap = vec![1u64; blocks * words_per_block];
    let mut next = 0;
    let mut times: Vec<Duration> = (0..windows)
        .map(|_| {
            if next + BLOCKS_PER_WINDOW > blocks {
                next = 0;
            }
            let start = Instant::now();
            for block in next..next + BLOCKS_PER_WINDOW {
                let first = block * words_per_block;
                for w in heap[first..first + METADATA_WORDS].iter_mut().step_by(8) {
                    *w = w.wrapping_add(1);
                }
            }
            let took = start.elapsed();
            next += BLOCKS_PER_WINDOW;
            work(rounds);
            took
        })
        .collect();
    black_box(&heap);
    times.sort();
    times
}

/// Arithmetic on a small array that stays in the L1 cache.
fn work(rounds: usize) {
    let mut v = [0u64; 256];
    for i in 0..rounds {
        let k = i & 255;
        v[k] = v[k].wrapping_mul(31).wrapping_add(i as u64);
    }
    black_box(&v);
}

/// The times of `windows` windows of `rounds` rounds of [`work`], shortest first.
fn sorted_windows(rounds: usize, windows: usize) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..windows)
        .map(|_| {
            let start = Instant::now();
            work(rounds);
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

/// The rounds of [`work`] that take `target` at the median: scaled by how far the
/// median of 101 windows falls short, until it does not.
fn calibrate(target: Duration) -> usize {
    let mut rounds = 16;
    loop {
        let median = sorted_windows(rounds, 101)[50];
        if median >= target {
            return rounds;
        }
        rounds = if median.is_zero() {
            rounds * 2
        } else {
            (rounds as f64 * (target.as_secs_f64() / median.as_secs_f64()) * 1.05) as usize + 1
        };
    }
}
