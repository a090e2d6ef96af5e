//! Statistics: what each collection cost, and what the heap holds.

use std::time::Duration;

use hdrhistogram::Histogram;

use crate::generations::CollectionKind;

/// What one collection did and how long it paused the program.
#[derive(Copy, Clone, Debug)]
pub struct CollectionStats {
    pub kind: CollectionKind,
    pub mark: Duration,
    /// Sweeping inside the pause: what the last collection left pending, and large
    /// objects (and, without lazy sweeping, every page).
    pub sweep: Duration,
    /// Bytes of the slots the marker reached: in a minor collection, the young objects
    /// found live, which are now old (promoted).
    pub marked_bytes: usize,
    pub marked_objects: usize,
    /// Runs of objects the markers marked one after another on one page (see
    /// [`CollectionStats::objects_per_page_run`]).
    pub page_runs: usize,
    /// Markers that took part (1 when the collecting thread marked alone).
    pub mark_threads: usize,
    /// Whether every page had an owner marker (otherwise, with several markers, any of
    /// them marked any object).
    pub pages_owned: bool,
    /// Stack chunks busy markers gave to idle ones.
    pub chunks_shared: usize,
    /// Batches of objects sent to their pages' owner marker.
    pub batches_sent: usize,
    /// Objects each marker marked, by marker number.
    pub marked_objects_by_marker: [usize; crate::heap::MAX_MARK_THREADS],
    /// Weak pairs whose car was broken.
    pub weak_broken: usize,
    /// Pages (small or large) this collection gave back to the pool or the system.
    pub pages_freed: usize,
    /// Objects in the remembered set (in a full collection, dropped unread).
    pub remembered: usize,
}

impl Default for CollectionStats {
    fn default() -> CollectionStats {
        CollectionStats {
            kind: CollectionKind::Major,
            mark: Duration::ZERO,
            sweep: Duration::ZERO,
            marked_bytes: 0,
            marked_objects: 0,
            page_runs: 0,
            mark_threads: 0,
            pages_owned: false,
            chunks_shared: 0,
            batches_sent: 0,
            marked_objects_by_marker: [0; crate::heap::MAX_MARK_THREADS],
            weak_broken: 0,
            pages_freed: 0,
            remembered: 0,
        }
    }
}

impl CollectionStats {
    pub fn pause(&self) -> Duration {
        self.mark + self.sweep
    }

    /// Objects marked per run on one page: how often marking found the next object on
    /// the page of the one before. In the hundreds or thousands for trees and lists
    /// allocated as they are traced; near one where pointers lead to pages at random.
    pub fn objects_per_page_run(&self) -> f64 {
        self.marked_objects as f64 / self.page_runs.max(1) as f64
    }

    /// Marking speed in MB (10^6 bytes) per second.
    pub fn mark_mb_per_s(&self) -> f64 {
        self.marked_bytes as f64 / 1e6 / self.mark.as_secs_f64().max(1e-9)
    }
}

/// Pages by kind and state.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct PageCounts {
    pub pair: usize,
    pub weak_pair: usize,
    pub object: usize,
    /// Pages that large objects occupy (a large object may span several).
    pub large: usize,
    pub large_objects: usize,
    /// Small-object pages with at least one free slot after the last sweep.
    pub with_free_slots: usize,
    /// Empty pages kept for reuse rather than given back to the system.
    pub pooled: usize,
}

/// Pause percentiles of one kind of collection.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Pauses {
    pub count: u64,
    pub p50: Duration,
    pub p95: Duration,
    pub max: Duration,
    pub total: Duration,
}

/// A snapshot of the collector's statistics.
#[derive(Clone, Debug, Default)]
pub struct GcStats {
    pub collections: u64,
    /// Minor collections (generational heaps only), and their pauses.
    pub minor: Pauses,
    /// Full collections, and their pauses.
    pub major: Pauses,
    /// Objects remembered by the write barrier, summed over the minor collections.
    pub remembered_total: u64,
    /// Bytes that minor collections found live among the young objects, which became
    /// old, summed.
    pub promoted_bytes: u64,
    /// Bytes allocated since the heap was made (slot sizes, so including slot rounding).
    pub allocated_bytes: u64,
    /// Everything the heap holds from the system: pages and the collector's own tables.
    pub heap_bytes: usize,
    /// Bytes of the objects found live by the last collection.
    pub live_bytes: usize,
    pub pages: PageCounts,
    pub mark_total: Duration,
    pub sweep_total: Duration,
    pub pause_p50: Duration,
    pub pause_p95: Duration,
    pub pause_p99: Duration,
    pub pause_max: Duration,
    /// Steps of lazy sweeping (by allocation, safepoints and `sweep_pending`), the pages
    /// they swept, their total time and the longest one.
    pub lazy_sweep_steps: u64,
    pub pages_swept_lazily: u64,
    pub lazy_sweep_total: Duration,
    pub sweep_step_max: Duration,
    pub sweep_step_p99: Duration,
    /// Small-object pages that wait to be swept now.
    pub pending_sweep_pages: usize,
    /// The deepest any mark stack has been, in entries.
    pub peak_mark_stack: usize,
    /// Marker threads the heap runs when the live heap is large enough.
    pub mark_threads: usize,
    pub last: Option<CollectionStats>,
}

/// The longest pause the histogram tells apart (ten minutes); longer ones count as this.
const MAX_PAUSE_NS: u64 = 600_000_000_000;

/// What the heap accumulates between snapshots.
pub(crate) struct StatsRecorder {
    pub collections: u64,
    pub mark_total: Duration,
    pub sweep_total: Duration,
    pub last: Option<CollectionStats>,
    lazy_sweep_steps: u64,
    pages_swept_lazily: u64,
    lazy_sweep_total: Duration,
    remembered_total: u64,
    promoted_bytes: u64,
    /// Pauses (all, minor, major), and steps of lazy sweeping, in nanoseconds.
    pauses: Histogram<u64>,
    minor_pauses: Histogram<u64>,
    major_pauses: Histogram<u64>,
    minor_total: Duration,
    major_total: Duration,
    sweep_steps: Histogram<u64>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_PAUSE_NS, 3).expect("valid bounds and precision")
}

impl StatsRecorder {
    pub fn new() -> StatsRecorder {
        StatsRecorder {
            collections: 0,
            mark_total: Duration::ZERO,
            sweep_total: Duration::ZERO,
            last: None,
            lazy_sweep_steps: 0,
            pages_swept_lazily: 0,
            lazy_sweep_total: Duration::ZERO,
            remembered_total: 0,
            promoted_bytes: 0,
            pauses: histogram(),
            minor_pauses: histogram(),
            major_pauses: histogram(),
            minor_total: Duration::ZERO,
            major_total: Duration::ZERO,
            sweep_steps: histogram(),
        }
    }

    pub fn record(&mut self, c: CollectionStats) {
        self.collections += 1;
        self.mark_total += c.mark;
        self.sweep_total += c.sweep;
        let ns = c.pause().as_nanos().max(1) as u64;
        self.pauses.saturating_record(ns);
        match c.kind {
            CollectionKind::Minor => {
                self.minor_pauses.saturating_record(ns);
                self.minor_total += c.pause();
                self.remembered_total += c.remembered as u64;
                self.promoted_bytes += c.marked_bytes as u64;
            }
            CollectionKind::Major => {
                self.major_pauses.saturating_record(ns);
                self.major_total += c.pause();
            }
        }
        self.last = Some(c);
    }

    pub fn record_sweep_step(&mut self, took: Duration, pages: usize) {
        self.lazy_sweep_steps += 1;
        self.pages_swept_lazily += pages as u64;
        self.lazy_sweep_total += took;
        self.sweep_steps
            .saturating_record(took.as_nanos().max(1) as u64);
    }

    pub fn fill(&self, out: &mut GcStats) {
        out.lazy_sweep_steps = self.lazy_sweep_steps;
        out.pages_swept_lazily = self.pages_swept_lazily;
        out.lazy_sweep_total = self.lazy_sweep_total;
        out.sweep_step_max = Duration::from_nanos(self.sweep_steps.max());
        out.sweep_step_p99 = Duration::from_nanos(self.sweep_steps.value_at_quantile(0.99));
        let q = |q: f64| Duration::from_nanos(self.pauses.value_at_quantile(q));
        out.collections = self.collections;
        out.mark_total = self.mark_total;
        out.sweep_total = self.sweep_total;
        out.last = self.last;
        out.pause_p50 = q(0.50);
        out.pause_p95 = q(0.95);
        out.pause_p99 = q(0.99);
        out.pause_max = Duration::from_nanos(self.pauses.max());
        out.minor = pauses(&self.minor_pauses, self.minor_total);
        out.major = pauses(&self.major_pauses, self.major_total);
        out.remembered_total = self.remembered_total;
        out.promoted_bytes = self.promoted_bytes;
    }
}

fn pauses(h: &Histogram<u64>, total: Duration) -> Pauses {
    let q = |q: f64| Duration::from_nanos(h.value_at_quantile(q));
    Pauses {
        count: h.len(),
        p50: q(0.50),
        p95: q(0.95),
        max: Duration::from_nanos(h.max()),
        total,
    }
}
