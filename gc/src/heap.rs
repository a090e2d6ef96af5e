//! The heap: allocation, the collection trigger, and the stop-the-world collection.

use std::ptr::NonNull;
use std::time::Instant;

use crate::alloc::Space;
use crate::barrier::RememberedSet;
use crate::generations::CollectionKind;
use crate::mark::pool::{MarkerPool, Report};
use crate::mark::{Marker, Mode};
use crate::page::{PageKind, PagePtr, PAGE_SIZE};
use crate::pool::PagePool;
use crate::roots::{gather, RootSet};
use crate::size_class::{class_for_bytes, geometry, CLASS_COUNT, PAIR_CLASS};
use crate::stats::{CollectionStats, GcStats, PageCounts, StatsRecorder};
use crate::word::{Header, Word};

/// Index of the pair space in `Heap::spaces`; objects of class `c` are at `OBJECTS + c`.
pub(crate) const PAIRS: usize = 0;
pub(crate) const WEAK_PAIRS: usize = 1;
pub(crate) const OBJECTS: usize = 2;

/// How the heap grows and shrinks.
#[derive(Clone, Debug)]
pub struct HeapConfig {
    /// A collection is requested when the heap's live bytes plus what has been allocated
    /// since the last collection reach `growth_factor` times the live bytes it found.
    pub growth_factor: f64,
    /// ... but never before this many bytes have been allocated since it.
    pub min_budget_bytes: usize,
    /// Empty pages kept for reuse beyond the next collection's budget; the rest go back
    /// to the system at once. The budget's worth is kept because the program will
    /// allocate that much before the next collection, and unmapping pages only to map
    /// them again costs time, in the sweep (which, when lazy, runs between the program's
    /// steps) and in allocation.
    pub pool_retain_bytes: usize,
    /// Marker threads, the collecting thread included (at most [`MAX_MARK_THREADS`]).
    pub mark_threads: usize,
    /// A collection marks on the collecting thread alone while the live heap may be
    /// smaller than this (the last collection's live bytes plus what was allocated since):
    /// below it, waking the other markers costs more than they save. Measured on binary
    /// trees of pairs on 2 cores (median of 41 collections, one thread against two): 0.64x
    /// at 64 KB live, 0.87x at 512 KB, 1.03x at 1 MB, 1.40x at 2 MB, 1.65x at 4 MB.
    pub parallel_mark_min_bytes: usize,
    /// Whether every page has an owner marker that alone marks its objects (the others
    /// send them to it) with plain stores, rather than any marker marking any object
    /// with atomic ORs. A page's owner is the first marker to meet an object on it in a
    /// collection. On by default: a locked instruction per object costs little on some
    /// processors and a great deal on others. On a 537 MB tree (alternating
    /// collections), two owning markers took 0.48 to 0.58 of one marker's time on an
    /// Intel Xeon and two sharing markers 0.88 to 1.31; on an AMD EPYC, 0.65 to 0.77
    /// owning and 0.56 to 0.71 sharing.
    pub page_ownership: bool,
    /// With `page_ownership`, a collection marks shared all the same when the last one
    /// found the heap scattered: fewer than [`SCATTERED_OBJECTS_PER_RUN`] objects marked
    /// one after another on one page. Then most pointers lead to another marker's page,
    /// and owners spend more sending objects to each other than sharers spend on atomic
    /// ORs: on a 268 MB binary tree whose nodes lie at random places, two owning markers
    /// took 0.85 of one marker's time and two sharing ones 0.55. [`Heap::set_marking`]
    /// turns this off.
    pub shared_when_scattered: bool,
    /// Whether collections are generational (see `generations.rs`): most are minor ones,
    /// which mark and sweep only what was allocated since the last collection. Without
    /// the `generational` feature every collection is a full one whatever this says.
    pub generational: bool,
    /// A generational heap's young generation: the most bytes allocated between two
    /// collections. A generational heap aims at the size a heap that is not would peak
    /// at (the live bytes the last full collection found and their budget, from
    /// `growth_factor` and `min_budget_bytes`): as the old generation nears it, the young
    /// one shrinks, down to a quarter of this, and then a full collection comes.
    pub nursery_bytes: usize,
}

/// Below this many objects per page run (see [`CollectionStats::objects_per_page_run`]),
/// a heap counts as scattered. Trees and lists built as they are traced give hundreds or
/// thousands; a cache of small objects replaced at random, one or two.
pub const SCATTERED_OBJECTS_PER_RUN: f64 = 16.0;

/// The most marker threads a heap runs.
pub const MAX_MARK_THREADS: usize = 16;

/// The default number of marker threads: one per core, at most 8.
pub fn default_mark_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

impl Default for HeapConfig {
    fn default() -> HeapConfig {
        HeapConfig {
            growth_factor: 2.0,
            min_budget_bytes: 8 << 20,
            pool_retain_bytes: 4 << 20,
            mark_threads: default_mark_threads(),
            parallel_mark_min_bytes: 1 << 20,
            page_ownership: true,
            shared_when_scattered: true,
            generational: true,
            nursery_bytes: 2 << 20,
        }
    }
}

/// A garbage-collected heap. One mutator thread allocates in it and collects it.
pub struct Heap {
    pub(crate) spaces: Vec<Space>,
    pub(crate) large: Vec<PagePtr>,
    pub(crate) pool: PagePool,
    /// Marker 0, which runs on the collecting thread.
    pub(crate) marker: Marker,
    /// The other markers, started by the first collection that marks in parallel.
    markers: Option<MarkerPool>,
    /// What each marker did in the last collection, and its buffers.
    pub(crate) reports: Vec<Report>,
    pub(crate) roots: Vec<Word>,
    /// Objects registered with guardians, with their tokens (`guardian.rs`).
    pub(crate) guarded: Vec<(Word, u64)>,
    /// How many of `guarded` (the first ones) were registered before the last
    /// collection, and found live by it: a minor collection does not look at them.
    pub(crate) guarded_old: usize,
    /// Registered objects found unreachable, waiting for the embedder.
    pub(crate) ready: Vec<(Word, u64)>,
    pub(crate) config: HeapConfig,
    /// Bytes of runs and large objects handed out since the last collection.
    allocated_since: usize,
    /// `allocated_since` at which a collection is requested.
    budget: usize,
    requested: bool,
    /// Small-object pages that wait to be swept, in all spaces.
    pub(crate) pending_pages: usize,
    /// The space lazy sweeping takes pending pages from next.
    pub(crate) sweep_cursor: usize,
    /// `requested`, or pages pending: the one flag a safepoint reads.
    safepoint_due: bool,
    /// Bytes allocated before the last collection (slot sizes).
    allocated_before: u64,
    pub(crate) live_bytes: usize,
    pub(crate) stats: StatsRecorder,
    /// The old objects that received a pointer since the last collection. Every page
    /// points to it; the heap frees it when it drops.
    remembered: NonNull<RememberedSet>,
    /// Large objects allocated since the last collection (also in `large`).
    pub(crate) young_large: Vec<PagePtr>,
    /// Whether the last collection's sweep leaves the marks set (the heap was
    /// generational): then a full collection clears them first.
    pub(crate) sticky_marks: bool,
    /// The next collection is a full one, whatever the old generation's size.
    pub(crate) full_due: bool,
    /// The bytes the last full collection found live.
    pub(crate) live_at_full: usize,
    /// The bytes the last minor collection marked, which became old.
    last_promoted: usize,
}

impl Default for Heap {
    fn default() -> Heap {
        Heap::new(HeapConfig::default())
    }
}

impl Heap {
    pub fn new(config: HeapConfig) -> Heap {
        let mut spaces = vec![
            Space::new(PageKind::Pair, PAIR_CLASS as u8, 16),
            Space::new(PageKind::WeakPair, PAIR_CLASS as u8, 16),
        ];
        for class in 0..CLASS_COUNT {
            spaces.push(Space::new(
                PageKind::Object,
                class as u8,
                geometry(class).slot_bytes,
            ));
        }
        let remembered = NonNull::from(Box::leak(Box::new(RememberedSet::new())));
        Heap {
            spaces,
            large: Vec::new(),
            pool: PagePool::new(config.pool_retain_bytes, remembered.as_ptr()),
            marker: Marker::new(0),
            markers: None,
            reports: Vec::new(),
            roots: Vec::new(),
            guarded: Vec::new(),
            guarded_old: 0,
            ready: Vec::new(),
            budget: config.min_budget_bytes,
            config,
            allocated_since: 0,
            requested: false,
            pending_pages: 0,
            sweep_cursor: 0,
            safepoint_due: false,
            allocated_before: 0,
            live_bytes: 0,
            stats: StatsRecorder::new(),
            remembered,
            young_large: Vec::new(),
            sticky_marks: false,
            full_due: false,
            live_at_full: 0,
            last_promoted: 0,
        }
    }

    pub(crate) fn remembered_set(&self) -> &RememberedSet {
        // SAFETY: the set lives from `new` until the heap drops; only shared references
        // to it are made, and it mutates through its `UnsafeCell`.
        unsafe { self.remembered.as_ref() }
    }

    /// Whether allocation has passed its budget: the embedder should collect at its next
    /// safepoint. Allocation itself never collects.
    #[inline(always)]
    pub fn collection_requested(&self) -> bool {
        self.requested
    }

    /// Whether the embedder's safepoint has work to do: a collection
    /// ([`Heap::collection_requested`]) or pages to sweep ([`Heap::sweep_pending`]).
    #[inline(always)]
    pub fn safepoint_due(&self) -> bool {
        self.safepoint_due
    }

    /// Small-object pages that wait to be swept.
    pub fn pending_sweep_pages(&self) -> usize {
        self.pending_pages
    }

    /// Collections so far.
    pub fn collections(&self) -> u64 {
        self.stats.collections
    }

    /// Bounds what may be allocated before the next collection is requested: an embedder
    /// that limits its memory passes the room left under the limit, so that the heap is
    /// collected before it grows past it. A bound smaller than what has been allocated
    /// since the last collection requests one at once.
    pub fn limit_budget(&mut self, bytes: usize) {
        self.budget = self.budget.min(bytes);
        if self.allocated_since >= self.budget {
            self.requested = true;
            self.safepoint_due = true;
        }
    }

    /// Asks for a collection at the embedder's next safepoint, whatever the budget says
    /// (a stress mode asks after every collection).
    pub fn request_collection(&mut self) {
        self.requested = true;
        self.update_safepoint_due();
    }

    pub(crate) fn update_safepoint_due(&mut self) {
        self.safepoint_due = self.requested || self.pending_pages > 0;
    }

    /// Allocates a pair.
    #[inline(always)]
    pub fn alloc_pair(&mut self, car: Word, cdr: Word) -> Word {
        let p = self.slot(PAIRS).cast::<Word>();
        // SAFETY: `slot` returns a fresh 16-byte slot, aligned to 8, that nothing else uses.
        unsafe {
            p.write(car);
            p.add(1).write(cdr);
        }
        Word::from_pair_ptr(p)
    }

    /// Allocates a weak pair: the car does not keep its target alive, and becomes
    /// [`Word::BROKEN`] when its target dies. It is a pair word like any other.
    pub fn alloc_weak_pair(&mut self, car: Word, cdr: Word) -> Word {
        let p = self.slot(WEAK_PAIRS).cast::<Word>();
        // SAFETY: as in `alloc_pair`.
        unsafe {
            p.write(car);
            p.add(1).write(cdr);
        }
        Word::from_pair_ptr(p)
    }

    /// Whether `w` is a weak pair.
    ///
    /// # Safety
    /// `w` is a pair word of a live pair of this heap.
    pub unsafe fn is_weak_pair(&self, w: Word) -> bool {
        // SAFETY: pairs live in pair pages (never in large-object runs), so the page that
        // holds the pair's address is its own, live page.
        let page = unsafe { PagePtr::containing(w.addr()) };
        page.header().kind == PageKind::WeakPair
    }

    /// Allocates an object with `header`; its traced fields are `fill`, its raw ones zero.
    pub fn alloc_object(&mut self, header: Header, fill: Word) -> Word {
        let words = 1 + header.size();
        let p = match class_for_bytes(words * 8) {
            Some(class) => self.slot(OBJECTS + class).cast::<Word>(),
            None => self.large_slot(words * 8),
        };
        // SAFETY: `p` is a fresh slot of at least `words` words that nothing else uses.
        unsafe {
            p.write(header.as_word());
            for i in 1..words {
                let w = if i <= header.traced() {
                    fill
                } else {
                    Word::from_bits(0)
                };
                p.add(i).write(w);
            }
        }
        Word::from_object_ptr(p)
    }

    #[inline(always)]
    fn slot(&mut self, space: usize) -> *mut u8 {
        match self.spaces[space].bump() {
            Some(p) => p,
            None => self.refill(space),
        }
    }

    #[cold]
    fn refill(&mut self, space: usize) -> *mut u8 {
        let run = match self.spaces[space].next_run() {
            Some(run) => run,
            None => match self.sweep_for_run(space) {
                Some(run) => run,
                None => {
                    let s = &self.spaces[space];
                    let page = self.pool.small_page(s.kind, s.class as usize);
                    self.spaces[space].adopt(page)
                }
            },
        };
        self.count_allocation(run.bytes);
        self.spaces[space]
            .bump()
            .expect("a claimed run holds at least one slot")
    }

    fn large_slot(&mut self, bytes: usize) -> *mut Word {
        let page = self.pool.large_run(bytes);
        page.set_allocated(0, 1, true);
        self.large.push(page);
        self.young_large.push(page);
        self.count_allocation(page.header().slot_bytes as usize);
        page.slot_ptr(0).cast()
    }

    fn count_allocation(&mut self, bytes: usize) {
        self.allocated_since += bytes;
        if self.allocated_since >= self.budget {
            self.requested = true;
            self.safepoint_due = true;
        }
    }

    /// Collects: a minor collection or a full one, as [`Heap::next_collection_kind`]
    /// says (see [`Heap::collect_as`]).
    ///
    /// # Safety
    /// The rules of [`Heap::collect_as`].
    pub unsafe fn collect<R: RootSet + ?Sized>(&mut self, roots: &R) -> CollectionStats {
        let kind = self.next_collection_kind();
        // SAFETY: forwarded from the caller.
        unsafe { self.collect_as(roots, kind) }
    }

    /// Collects: finishes the last collection's sweep, marks from `roots`, breaks dead
    /// weak cars, frees dead large objects, and sweeps the small-object pages, or (with the
    /// `lazy-sweep` feature) leaves them to be swept while the program runs. Every word
    /// the program still uses must be reachable from `roots`; the rest is freed. A minor
    /// collection (when the heap is generational; otherwise every collection is full)
    /// frees only objects allocated since the last collection.
    ///
    /// # Safety
    /// Marking follows every pointer word `roots` names, so each must point to an object
    /// this heap is still keeping:
    /// 1. every pair or object word `roots` visits was handed out by this heap (by an
    ///    allocation, or read from a field of an object that was live),
    /// 2. the object it points to was reachable from the roots of every collection
    ///    since it was allocated, so that none of them freed it,
    /// 3. and every store of a pointer into an object since the last collection went
    ///    through [`crate::write_barrier`].
    pub unsafe fn collect_as<R: RootSet + ?Sized>(
        &mut self,
        roots: &R,
        kind: CollectionKind,
    ) -> CollectionStats {
        let minor = kind == CollectionKind::Minor && self.generational();
        let mode = self.mark_mode(minor);
        if mode != Mode::Alone {
            if let Some(pool) = &self.markers {
                pool.wake_early();
            }
        }
        self.retire_runs();
        let leftover_start = Instant::now();
        let mut pages_freed = self.finish_sweep();
        self.pool.trim_to_retain();
        let leftover = leftover_start.elapsed();
        let start = Instant::now();
        gather(roots, &mut self.roots);
        self.roots.extend(self.ready.iter().map(|&(w, _)| w));
        let mut remembered_weak = Vec::new();
        let remembered = self.take_remembered(minor, &mut remembered_weak);
        if !minor && self.sticky_marks {
            self.clear_sticky_marks();
        }
        self.mark(mode);
        self.resurrect_guarded(minor);
        let weak_broken = self.break_dead_weak_cars(minor.then_some(&remembered_weak[..]));
        let work = self.reports.iter().fold(MarkWork::default(), |mut w, r| {
            w.marked_bytes += r.counts.marked_bytes;
            w.marked_objects += r.counts.marked_objects;
            w.page_runs += r.counts.page_runs;
            w.chunks_shared += r.counts.chunks_shared;
            w.batches_sent += r.counts.batches_sent;
            w.per_marker[r.id] = r.counts.marked_objects;
            w
        });
        if minor {
            self.live_bytes += work.marked_bytes;
            self.last_promoted = work.marked_bytes;
        } else {
            self.live_bytes = work.marked_bytes;
            self.live_at_full = work.marked_bytes;
            self.full_due = false;
        }
        let mark = start.elapsed();
        // The budget, known now, bounds the pool before the sweep fills it. A
        // generational heap's budget is its young generation's size.
        self.budget = if self.generational() {
            self.heap_target()
                .saturating_sub(self.live_bytes)
                .clamp(self.config.nursery_bytes / 4, self.config.nursery_bytes)
        } else {
            self.growth_budget(self.live_bytes)
        };
        self.pool
            .set_retain_bytes(self.config.pool_retain_bytes + self.budget);

        let sweep_start = Instant::now();
        self.sticky_marks = self.generational();
        pages_freed += if minor {
            self.begin_minor_sweep()
        } else {
            self.begin_sweep()
        };
        if !cfg!(feature = "lazy-sweep") {
            pages_freed += self.finish_sweep();
        }
        let sweep = leftover + sweep_start.elapsed();

        let c = CollectionStats {
            kind: if minor {
                CollectionKind::Minor
            } else {
                CollectionKind::Major
            },
            mark,
            sweep,
            marked_bytes: work.marked_bytes,
            marked_objects: work.marked_objects,
            page_runs: work.page_runs,
            mark_threads: self.reports.len(),
            pages_owned: matches!(mode, Mode::Owned { .. }),
            chunks_shared: work.chunks_shared,
            batches_sent: work.batches_sent,
            marked_objects_by_marker: work.per_marker,
            weak_broken,
            pages_freed,
            remembered,
        };
        self.stats.record(c);
        self.allocated_before += self.allocated_since as u64;
        self.allocated_since = 0;
        self.requested = false;
        self.update_safepoint_due();
        c
    }

    /// What may be allocated after a collection that found `live` bytes live before a
    /// heap that is not generational collects again.
    pub(crate) fn growth_budget(&self, live: usize) -> usize {
        let target = (live as f64 * self.config.growth_factor) as usize;
        target
            .saturating_sub(live)
            .max(self.config.min_budget_bytes)
    }

    /// How the next collection marks. A minor collection is expected to mark about what
    /// the last one did.
    fn mark_mode(&self, minor: bool) -> Mode {
        let threads = self.config.mark_threads.clamp(1, MAX_MARK_THREADS);
        let may_be_live = if minor {
            self.last_promoted
        } else {
            self.live_bytes + self.allocated_since
        };
        if threads == 1 || may_be_live < self.config.parallel_mark_min_bytes {
            Mode::Alone
        } else if self.config.page_ownership
            && !(self.config.shared_when_scattered && self.last_found_scattered())
        {
            Mode::Owned {
                markers: threads,
                epoch: self.stats.collections + 1,
            }
        } else {
            Mode::Shared { markers: threads }
        }
    }

    /// Whether the last collection found the heap scattered over its pages.
    fn last_found_scattered(&self) -> bool {
        self.stats.last.is_some_and(|c| {
            c.marked_objects > 0 && c.objects_per_page_run() < SCATTERED_OBJECTS_PER_RUN
        })
    }

    /// Marks from `self.roots` in `mode`, on this thread alone or with the marker threads.
    fn mark(&mut self, mode: Mode) {
        self.reports.clear();
        if mode == Mode::Alone {
            self.marker.begin(mode);
            // SAFETY: the roots and everything reachable from them are live objects of
            // this heap (the contract of `RootSet`), and `&mut self` keeps the mutator out.
            unsafe { self.marker.mark_from(&self.roots) };
            self.reports.push(Report::of(&self.marker));
        } else {
            let threads = mode.markers();
            if self.markers.as_ref().is_some_and(|p| p.threads() < threads) {
                self.markers = None;
            }
            let pool = self.markers.get_or_insert_with(|| MarkerPool::new(threads));
            // SAFETY: as above; and the pages stay mapped, and the mutator stopped, until
            // `mark` returns, which is when every marker has finished.
            self.reports = unsafe { pool.mark(&mut self.marker, &self.roots, mode) };
        }
    }

    /// Changes how the next collections mark: `threads` markers (the collecting thread
    /// included), with or without page ownership, whatever the heap's shape. More threads
    /// than the pool has start new ones; fewer leave the rest asleep.
    pub fn set_marking(&mut self, threads: usize, page_ownership: bool) {
        self.config.mark_threads = threads.clamp(1, MAX_MARK_THREADS);
        self.config.page_ownership = page_ownership;
        self.config.shared_when_scattered = false;
    }

    /// Gives back the unused ends of every space's bump run.
    fn retire_runs(&mut self) {
        for space in &mut self.spaces {
            self.allocated_since -= space.retire();
        }
    }

    /// A snapshot of the statistics.
    pub fn stats(&self) -> GcStats {
        let mut out = GcStats::default();
        self.stats.fill(&mut out);
        let unused_runs: usize = self
            .spaces
            .iter()
            .map(|s| s.limit as usize - s.cursor as usize)
            .sum();
        out.allocated_bytes = self.allocated_before + (self.allocated_since - unused_runs) as u64;
        out.heap_bytes = self.heap_bytes();
        out.live_bytes = self.live_bytes;
        out.pages = self.page_counts();
        out.pending_sweep_pages = self.pending_pages;
        out.peak_mark_stack = self.reports.iter().map(|r| r.peak_stack).max().unwrap_or(0);
        out.mark_threads = self.config.mark_threads.clamp(1, MAX_MARK_THREADS);
        out
    }

    /// The bytes the last collection found live.
    pub fn live_bytes(&self) -> usize {
        self.live_bytes
    }

    /// Everything the heap holds from the system: its pages and its own tables.
    pub fn heap_bytes(&self) -> usize {
        let page_lists: usize = self
            .spaces
            .iter()
            .map(|s| {
                (s.pages.capacity() + s.pending.capacity() + s.available.capacity())
                    * std::mem::size_of::<PagePtr>()
            })
            .sum();
        self.pool.mapped_pages * PAGE_SIZE
            + page_lists
            + self.large.capacity() * std::mem::size_of::<PagePtr>()
            + self.pool.table_bytes()
            // Every marker's buffers, as its report of the last collection gives them.
            + self.reports.iter().map(|r| r.capacity_bytes).sum::<usize>()
            + self.roots.capacity() * std::mem::size_of::<Word>()
            + self.remembered_set().capacity_bytes()
    }

    fn page_counts(&self) -> PageCounts {
        let mut c = PageCounts {
            pooled: self.pool.free_pages(),
            ..PageCounts::default()
        };
        for s in &self.spaces {
            let pages = s.pages.len() + s.pending.len();
            match s.kind {
                PageKind::Pair => c.pair += pages,
                PageKind::WeakPair => c.weak_pair += pages,
                _ => c.object += pages,
            }
            c.with_free_slots += s.available.len();
        }
        c.large_objects = self.large.len();
        c.large = self.large.iter().map(|p| p.header().pages as usize).sum();
        c
    }

    /// Gives every empty pooled page back to the system.
    pub fn release_free_pages(&mut self) {
        self.pool.trim();
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        let pages = self
            .spaces
            .iter_mut()
            .flat_map(|s| s.pages.drain(..).chain(s.pending.drain(..)))
            .collect::<Vec<_>>();
        for page in pages.into_iter().chain(self.large.drain(..)) {
            // SAFETY: the heap is going away; no space or object will use the page again.
            unsafe { self.pool.release(page) };
        }
        for s in &mut self.spaces {
            s.available.clear();
            s.fresh.clear();
            s.pending_minor.clear();
        }
        self.young_large.clear();
        // SAFETY: `remembered` came from `Box::leak` in `new`, and no page points to it
        // any more: every page has gone back to the pool, which the heap no longer uses.
        drop(unsafe { Box::from_raw(self.remembered.as_ptr()) });
    }
}

/// The markers' work in one collection, summed.
#[derive(Default)]
struct MarkWork {
    marked_bytes: usize,
    marked_objects: usize,
    page_runs: usize,
    chunks_shared: usize,
    batches_sent: usize,
    per_marker: [usize; MAX_MARK_THREADS],
}
