//! Mark times of several marker set-ups on one heap, collection by collection in turn
//! (1, 2, 8, 1, 2, 8, ...), so that a slow spell of a noisy machine falls on every
//! set-up alike; prints each set-up's median and fastest mark time, and the median over
//! the rounds of its time over the first set-up's in the same round (a slow spell of a
//! second or more then cancels out).
//!
//!   cargo run --release --example mark_side_by_side -- chain|tree|scattered [1,2,2o,8] [ROUNDS]
//!
//! A set-up is a thread count, with a trailing `o` for page ownership.
//!
//! `chain`: one list of ten million pairs; `tree`: a binary tree of 2^25 - 1 pairs
//! (537 MB); `scattered`: a binary tree of 2^24 pairs (268 MB) whose nodes lie at random
//! places, so that every pointer leads to a page picked at random.

#[path = "../benches/shapes/mod.rs"]
mod shapes;

use rudo_gc::{Heap, HeapConfig};
use shapes::{chain, median, ms, parse_setups, scattered_tree, tree};

fn main() {
    let mut args = std::env::args().skip(1);
    let shape = args.next().unwrap_or_else(|| "chain".into());
    let setups = parse_setups(&args.next().unwrap_or_else(|| "1,2,8".into()));
    let rounds: usize = args
        .next()
        .map_or(20, |s| s.parse().expect("a round count"));

    let mut heap = Heap::new(HeapConfig::default());
    let root = match shape.as_str() {
        "chain" => chain(&mut heap, 10_000_000),
        "tree" => tree(&mut heap, 25),
        "scattered" => scattered_tree(&mut heap, 1 << 24),
        other => panic!("unknown shape {other}: chain, tree or scattered"),
    };
    // A first collection of each set-up sizes its buffers and starts its threads.
    for &(threads, owned) in &setups {
        heap.set_marking(threads, owned);
        // SAFETY: the roots are words this heap handed out, each kept reachable since.
        unsafe { heap.collect(&[root]) };
    }
    let mut times = vec![Vec::new(); setups.len()];
    let mut last = vec![None; setups.len()];
    for _ in 0..rounds {
        for (i, &(threads, owned)) in setups.iter().enumerate() {
            heap.set_marking(threads, owned);
            // SAFETY: the roots are words this heap handed out, each kept reachable since.
            let c = unsafe { heap.collect(&[root]) };
            times[i].push(ms(c.mark));
            last[i] = Some(c);
        }
    }
    for ((&(threads, owned), t), c) in setups.iter().zip(&times).zip(&last) {
        let name = format!("{threads}{}", if owned { " owned" } else { "" });
        let mut ratios: Vec<f64> = t.iter().zip(&times[0]).map(|(t, base)| t / base).collect();
        let mut sorted = t.clone();
        let m = median(&mut sorted);
        println!(
            "{shape} {name}: median {m:.1} ms, fastest {:.1} ms, median of round ratios to the first {:.3}",
            sorted[0],
            median(&mut ratios)
        );
        let c = c.as_ref().expect("every set-up ran");
        println!(
            "  last round: objects by marker {:?} ({:.1} per page run), chunks shared {}, \
             batches sent {}",
            &c.marked_objects_by_marker[..c.mark_threads],
            c.objects_per_page_run(),
            c.chunks_shared,
            c.batches_sent
        );
    }
}
