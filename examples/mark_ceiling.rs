//! How fast two markers could mark on this machine. Each round marks the 537 MB tree of
//! `mark_side_by_side` with one marker and with two; then the tree's two halves, built in
//! two heaps of their own on two threads, each marked by one marker: first one half after
//! the other, then both at once. The halves share no page, mark word or message, so both
//! at once over one after the other (the slower half's time over the sum) is the best any
//! division of the tree between two markers can reach here: the ceiling that the memory
//! system and the host leave. Two markers over one is what the collector reaches.
//!
//! Each round also times arithmetic that touches no memory, two units on one thread
//! against one unit on each of two threads at once: on a host whose cores slow each
//! other down (shared physical cores, a lower clock with both busy), even that work gains
//! less than 2x, and no marker can gain more than it does.
//!
//!   cargo run --release --example mark_ceiling -- [ROUNDS]
//!
//! Prints each round, then the medians of the times and of the three ratios.

#[path = "../benches/shapes/mod.rs"]
#[allow(dead_code)] // the other examples and benches use the rest of it
mod shapes;

use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

use rudo_gc::{Heap, HeapConfig};
use shapes::{median, ms, tree};

/// Levels of the whole tree; each half has one level less.
const DEPTH: u32 = 25;

/// Steps of [`arithmetic`] in one unit: about as long as marking half the tree.
const ARITHMETIC_STEPS: u64 = 40_000_000;

/// A unit of integer arithmetic in four independent chains, so that it keeps a core's
/// execution units busy rather than waiting on one multiply at a time.
fn arithmetic() -> u64 {
    let (mut a, mut b, mut c, mut d) = (1u64, 2u64, 3u64, 4u64);
    for i in 0..std::hint::black_box(ARITHMETIC_STEPS) {
        a = a.wrapping_mul(6364136223846793005).wrapping_add(i);
        b = b.wrapping_mul(1442695040888963407).wrapping_add(a);
        c = c.wrapping_mul(3).wrapping_add(i ^ b);
        d = d.rotate_left(7) ^ c;
    }
    a ^ b ^ c ^ d
}

/// Two units of [`arithmetic`] on this thread, then one on each of two threads at once:
/// the times in ms.
fn arithmetic_apart_and_together() -> (f64, f64) {
    let start = Instant::now();
    std::hint::black_box((arithmetic(), arithmetic()));
    let apart = ms(start.elapsed());
    let start = Instant::now();
    std::thread::scope(|s| {
        let other = s.spawn(arithmetic);
        std::hint::black_box(arithmetic());
        std::hint::black_box(other.join().expect("the arithmetic thread finishes"));
    });
    (apart, ms(start.elapsed()))
}

/// One half of the tree in a heap of its own, on a thread of its own: the thread marks the
/// half whenever it is told to, and answers with the mark time.
struct Half {
    go: Sender<()>,
    done: Receiver<Duration>,
}

impl Half {
    /// Starts the thread and waits until it has built its half.
    fn start() -> Half {
        let (go, go_rx) = channel::<()>();
        let (done_tx, done) = channel();
        std::thread::spawn(move || {
            let mut heap = Heap::new(HeapConfig::default());
            heap.set_marking(1, false);
            let root = tree(&mut heap, DEPTH - 1);
            // The first collection sizes the marker's stack, as in `mark_side_by_side`.
            // SAFETY: the roots are words this heap handed out, each kept reachable since.
            let mut mark = unsafe { heap.collect(&[root]) }.mark;
            while done_tx.send(mark).is_ok() && go_rx.recv().is_ok() {
                // SAFETY: the roots are words this heap handed out, each kept reachable since.
                mark = unsafe { heap.collect(&[root]) }.mark;
            }
        });
        let half = Half { go, done };
        half.wait();
        half
    }

    fn mark(&self) {
        self.go.send(()).expect("the half's thread waits for work");
    }

    fn wait(&self) -> f64 {
        ms(self.done.recv().expect("the half's thread answers"))
    }
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(12, |s| s.parse().expect("a round count"));
    let mut heap = Heap::new(HeapConfig::default());
    let root = tree(&mut heap, DEPTH);
    let halves = [Half::start(), Half::start()];
    // The whole tree is divided as the collector divides it by default.
    let owned = HeapConfig::default().page_ownership;
    let mut mark_whole = |threads| {
        heap.set_marking(threads, owned);
        // SAFETY: the roots are words this heap handed out, each kept reachable since.
        ms(unsafe { heap.collect(&[root]) }.mark)
    };
    mark_whole(1);
    mark_whole(2);
    let [mut one, mut two, mut apart, mut together, mut collector, mut ceiling, mut cores] =
        std::array::from_fn(|_| Vec::with_capacity(rounds));
    for _ in 0..rounds {
        let t1 = mark_whole(1);
        let t2 = mark_whole(2);
        let each_apart: f64 = halves
            .iter()
            .map(|h| {
                h.mark();
                h.wait()
            })
            .sum();
        halves.iter().for_each(Half::mark);
        let each_together: Vec<f64> = halves.iter().map(Half::wait).collect();
        let slower = each_together.iter().copied().fold(0.0, f64::max);
        let (arithmetic_apart, arithmetic_together) = arithmetic_apart_and_together();
        println!(
            "1 marker {t1:.1} ms, 2 markers {t2:.1} ms ({:.3}); halves one after the other \
             {each_apart:.1} ms, at once {:.1} and {:.1} ms ({:.3}); arithmetic \
             {arithmetic_apart:.1} ms, at once {arithmetic_together:.1} ms ({:.3})",
            t2 / t1,
            each_together[0],
            each_together[1],
            slower / each_apart,
            arithmetic_together / arithmetic_apart
        );
        one.push(t1);
        two.push(t2);
        apart.push(each_apart);
        together.push(slower);
        collector.push(t2 / t1);
        ceiling.push(slower / each_apart);
        cores.push(arithmetic_together / arithmetic_apart);
    }
    println!(
        "medians of {rounds} rounds: 1 marker {:.1} ms, 2 markers {:.1} ms; halves one after \
         the other {:.1} ms, at once {:.1} ms",
        median(&mut one),
        median(&mut two),
        median(&mut apart),
        median(&mut together)
    );
    println!(
        "2 markers / 1 marker: {:.3}; halves at once / one after the other (the ceiling): \
         {:.3}; arithmetic at once / one after the other: {:.3}",
        median(&mut collector),
        median(&mut ceiling),
        median(&mut cores)
    );
}
