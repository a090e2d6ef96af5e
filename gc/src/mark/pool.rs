//! The marker threads: started by the heap's first parallel collection, alive until the
//! heap is dropped, asleep between collections. A parallel collection wakes them as it
//! begins, and they spin while it gets its roots ready. The collecting thread is marker
//! 0 and the helpers are markers 1 and up.

use std::thread::JoinHandle;

use super::exchange::Exchange;
use super::{MarkCounts, Marker, Mode, Work};
use crate::page::PagePtr;
use crate::sync::{
    Arc, AtomicBool, AtomicUsize, Condvar, Level, OrderedMutex, Ordering, SPINNING_PAYS,
};
use crate::word::Word;
use std::time::{Duration, Instant};

/// What one marker reports after a round.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Report {
    pub id: usize,
    pub counts: MarkCounts,
    pub peak_stack: usize,
    pub capacity_bytes: usize,
}

impl Report {
    pub fn of(marker: &Marker) -> Report {
        Report {
            id: marker.id,
            counts: marker.counts,
            peak_stack: marker.peak_stack,
            capacity_bytes: marker.capacity_bytes(),
        }
    }
}

pub(crate) struct MarkerPool {
    shared: Arc<Shared>,
    helpers: Vec<JoinHandle<()>>,
}

struct Shared {
    control: OrderedMutex<Control>,
    /// Signalled when a round starts, or the pool shuts down.
    start: Condvar,
    /// Signalled when a helper finishes its round.
    finished: Condvar,
    exchange: Exchange<Work>,
    /// The round last started, as in `Control`, for helpers that spin for the next one.
    round_started: AtomicUsize,
    /// Set by [`MarkerPool::wake_early`], cleared when marking starts its round or ends
    /// without one: helpers woken early spin while it is set.
    early: AtomicBool,
    /// Helpers that spin when woken early: no more than the cores left beside the
    /// collecting thread, so that spinning never takes a core from a marker at work.
    spinners: usize,
}

/// The cores beside the collecting thread's, for spinning helpers: none where spinning
/// does not pay.
fn spare_cores() -> usize {
    if SPINNING_PAYS {
        std::thread::available_parallelism().map_or(1, |n| n.get()) - 1
    } else {
        0
    }
}

/// The longest a helper woken early spins for its round before it sleeps again.
const EARLY_SPIN: Duration = Duration::from_millis(5);

struct Control {
    round: usize,
    /// Counts the calls to [`MarkerPool::wake_early`].
    early_calls: usize,
    mode: Mode,
    markers: usize,
    /// Helpers done with this round, and what they did.
    reports: Vec<Report>,
    shutdown: bool,
}

impl MarkerPool {
    /// A pool of `threads` markers: the caller's thread and `threads - 1` helpers.
    pub fn new(threads: usize) -> MarkerPool {
        let shared = Arc::new(Shared {
            control: OrderedMutex::new(
                Level::Control,
                "marker pool control",
                Control {
                    round: 0,
                    early_calls: 0,
                    mode: Mode::Alone,
                    markers: 0,
                    reports: Vec::new(),
                    shutdown: false,
                },
            ),
            start: Condvar::new(),
            finished: Condvar::new(),
            exchange: Exchange::new(threads),
            round_started: AtomicUsize::new(0),
            early: AtomicBool::new(false),
            spinners: spare_cores(),
        });
        let helpers = (1..threads)
            .map(|id| {
                let shared = shared.clone();
                std::thread::Builder::new()
                    .name(format!("rudo-gc marker {id}"))
                    .spawn(move || helper(id, &shared))
                    .expect("the system starts a marker thread")
            })
            .collect();
        MarkerPool { shared, helpers }
    }

    pub fn threads(&self) -> usize {
        self.helpers.len() + 1
    }

    /// Wakes the helpers ahead of a parallel collection's marking, so that they are at
    /// work when it starts: a helper asleep can take a millisecond or more to run again
    /// on a virtual machine (30 to 70 µs most often, 0.7 to 2.6 ms in 3 of 23 wake-ups of
    /// one run), longer than a small heap takes to mark.
    pub fn wake_early(&self) {
        self.shared.early.store(true, Ordering::Relaxed);
        self.shared.control.lock().early_calls += 1;
        self.shared.start.notify_all();
    }

    /// Marks everything reachable from `roots` with the markers `mode` names, the calling
    /// thread as marker 0 (`lead`). Returns every marker's report, the lead's first.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`]; and the objects stay unwritten and their pages
    /// mapped until this returns, which is when every helper has finished.
    pub unsafe fn mark(&self, lead: &mut Marker, roots: &[Word], mode: Mode) -> Vec<Report> {
        let markers = mode.markers();
        debug_assert!(markers <= self.threads());
        let ex = &self.shared.exchange;
        lead.begin(mode);
        if let Mode::Owned { epoch, .. } = mode {
            ex.start(markers, false);
            self.deal_roots(roots, markers, epoch);
        } else {
            // The lead marks alone until it has surplus to share; a heap shaped like a
            // chain never gives it any, and the helpers sleep through the collection.
            // SAFETY: forwarded from the caller; no helper runs before the round starts.
            if !unsafe { lead.mark_until_surplus(roots) } {
                self.shared.early.store(false, Ordering::Relaxed);
                return vec![Report::of(lead)];
            }
            ex.start(markers, true);
        }
        {
            let mut c = self.shared.control.lock();
            c.round += 1;
            self.shared.round_started.store(c.round, Ordering::Release);
            self.shared.early.store(false, Ordering::Relaxed);
            c.mode = mode;
            c.markers = markers;
            c.reports.clear();
            self.shared.start.notify_all();
        }
        // SAFETY: forwarded from the caller.
        unsafe { lead.run(ex) };
        let mut reports = vec![Report::of(lead)];
        let mut c = self.shared.control.lock();
        while c.reports.len() < markers - 1 {
            c = c.wait(&self.shared.finished);
        }
        reports.append(&mut c.reports);
        reports
    }

    /// Puts the roots in the mailboxes of the owners of their pages (owned marking). The
    /// pages roots point into are dealt to the markers in turn, before any marker runs.
    fn deal_roots(&self, roots: &[Word], markers: usize, epoch: u64) {
        let ex = &self.shared.exchange;
        let mut by_owner = vec![Vec::new(); markers];
        let mut next = 0;
        for &w in roots.iter().filter(|w| w.is_pointer()) {
            // SAFETY: a root pointer points into a live page run's first page (rule 1 of
            // `mark_from`).
            let page = unsafe { PagePtr::containing(w.addr()) };
            let owner = page.owner(epoch, next);
            if owner == next {
                next = (next + 1) % markers;
            }
            by_owner[owner].push(w);
        }
        for (owner, words) in by_owner.into_iter().enumerate() {
            if !words.is_empty() {
                ex.send(owner, Work::Words(words));
            }
        }
    }
}

/// A helper thread: waits for a round, marks, reports, until the pool shuts down.
fn helper(id: usize, shared: &Shared) {
    let mut marker = Marker::new(id);
    let mut seen = 0;
    let mut seen_early = 0;
    loop {
        let mode = {
            let mut c = shared.control.lock();
            while c.round == seen && c.early_calls == seen_early && !c.shutdown {
                c = c.wait(&shared.start);
            }
            if c.shutdown {
                return;
            }
            seen_early = c.early_calls;
            if c.round == seen {
                drop(c);
                if id <= shared.spinners {
                    spin_for_round(shared, seen);
                }
                continue;
            }
            seen = c.round;
            if id >= c.markers {
                continue;
            }
            c.mode
        };
        marker.begin(mode);
        // SAFETY: the collecting thread holds the mutator stopped and the pages mapped
        // until every helper of the round has reported (see `MarkerPool::mark`).
        unsafe { marker.run(&shared.exchange) };
        let mut c = shared.control.lock();
        c.reports.push(Report::of(&marker));
        shared.finished.notify_one();
    }
}

/// Spins until the round after `seen` starts, the early wake-up is called off, or
/// [`EARLY_SPIN`] has passed.
fn spin_for_round(shared: &Shared, seen: usize) {
    let start = Instant::now();
    for i in 0usize.. {
        if shared.round_started.load(Ordering::Acquire) != seen
            || !shared.early.load(Ordering::Relaxed)
        {
            return;
        }
        if i % 64 == 63 {
            if start.elapsed() > EARLY_SPIN {
                return;
            }
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

impl Drop for MarkerPool {
    fn drop(&mut self) {
        self.shared.control.lock().shutdown = true;
        self.shared.start.notify_all();
        for h in self.helpers.drain(..) {
            // A helper that panicked has nothing left to clean up.
            let _ = h.join();
        }
    }
}
