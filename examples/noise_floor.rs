//! The longest a short, fixed piece of work takes on this machine, for comparison with the
//! longest lazy-sweep step: times WINDOWS windows of the same arithmetic, each about as
//! long as a typical sweep step, back to back, and prints the longest window, the 99th
//! percentile, and how many took over 30 and over 100 microseconds. Nothing in a window
//! allocates, faults or calls the system, so what makes a window long is the machine: an
//! interrupt, or the host taking the virtual CPU away.
//!
//!   cargo run --release --example noise_floor -- [WINDOWS] [WINDOW_US]
//!
//! Defaults: 20,000 windows of about 2 microseconds.

use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let windows: usize = args
        .next()
        .map_or(20_000, |s| s.parse().expect("a window count"));
    let window_us: f64 = args
        .next()
        .map_or(2.0, |s| s.parse().expect("a window length in microseconds"));

    let rounds = calibrate(Duration::from_secs_f64(window_us * 1e-6));
    let times = sorted_windows(rounds, windows);
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let over = |limit_us: f64| times.iter().filter(|&&t| us(t) > limit_us).count();
    println!("windows: {windows}");
    println!("window-p50-us: {:.1}", us(times[windows / 2]));
    println!("window-p99-us: {:.1}", us(times[windows * 99 / 100]));
    println!("window-max-us: {:.0}", us(times[windows - 1]));
    println!("windows-over-30us: {}", over(30.0));
    println!("windows-over-100us: {}", over(100.0));
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
