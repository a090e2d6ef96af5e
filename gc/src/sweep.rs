//! Sweeping, and the weak-pair pass that comes before it.
//!
//! A small-object page is swept by copying its mark bitmap over its alloc bitmap: the
//! marked slots stay allocated, the rest become free. A page with no marked slot (the
//! marker counts each page's marks) is freed whole without reading its bitmaps. A large
//! object that is not marked is freed in the collection that finds it dead.
//!
//! With the `lazy-sweep` feature the pause ends when marking does: small-object pages
//! are left pending, and swept a page at a time by the allocation that needs room in
//! their size class, by the embedder's safepoints ([`Heap::sweep_pending`]), or at the
//! start of the next collection, whichever comes first. A pending page keeps its mark
//! bits until it is swept, and the next collection marks only after every page is swept,
//! so a page is always swept with its own marks. Without the feature every page is swept
//! in the pause.

use std::time::Instant;

use crate::alloc::Run;
use crate::heap::{Heap, WEAK_PAIRS};
use crate::mark::is_marked;
use crate::page::PagePtr;
#[cfg(doc)]
use crate::pool::PagePool;
use crate::word::Word;

impl Heap {
    /// Replaces the car of every live weak pair whose target was not marked by
    /// [`Word::BROKEN`]. Runs after marking and before sweeping, so a dead target is
    /// reported dead even before its page is swept. Returns how many cars it broke.
    ///
    /// A minor collection looks only at the weak pairs that may hold a young car: those
    /// on pages allocated into since the last collection, and the old ones in
    /// `remembered` (whose cars were stored since); every other weak pair's car was
    /// marked by an earlier collection, and is old.
    pub(crate) fn break_dead_weak_cars(&mut self, minor: Option<&[Word]>) -> usize {
        let space = &self.spaces[WEAK_PAIRS];
        let pages = match minor {
            Some(_) => &space.fresh,
            None => &space.pages,
        };
        let mut broken = 0;
        for &page in pages {
            let count = page.header().slot_count as usize;
            for i in (0..count).filter(|&i| page.is_marked(i)) {
                // SAFETY: slot `i` is a live weak pair: it is marked.
                broken += unsafe { break_if_dead(page.slot_ptr(i).cast()) } as usize;
            }
        }
        for &w in minor.unwrap_or_default() {
            // SAFETY: a remembered object is live (old, and not swept in a minor
            // collection); the caller passes the remembered weak pairs.
            broken += unsafe { break_if_dead(w.pair_ptr()) } as usize;
        }
        broken
    }

    /// Ends a full collection's marking: every small-object page becomes pending, in time
    /// proportional to the number of spaces, not pages; large objects are swept now, and
    /// the dead ones freed. Returns how many large objects it freed.
    pub(crate) fn begin_sweep(&mut self) -> usize {
        for space in &mut self.spaces {
            debug_assert!(space.pending.is_empty(), "a sweep was left unfinished");
            debug_assert!(
                space.pending_minor.is_empty(),
                "a sweep was left unfinished"
            );
            space.available.clear();
            space.fresh.clear();
            std::mem::swap(&mut space.pages, &mut space.pending);
            let n = space.pending.len();
            // Swept pages go back to these lists a step at a time; room for all of them
            // now keeps a step from growing (and copying) a list of thousands of pages.
            // Both lists are empty here, so a new one costs an allocation, not a copy.
            if space.pages.capacity() < n {
                space.pages = Vec::with_capacity(n);
            }
            if space.available.capacity() < n {
                space.available = Vec::with_capacity(n);
            }
            self.pending_pages += n;
        }
        self.pool.reserve_kept(self.pending_pages);
        self.sweep_cursor = 0;
        self.update_safepoint_due();
        self.young_large.clear();
        self.sweep_large()
    }

    /// Ends a minor collection's marking: the pages allocated into since the last
    /// collection become pending, and the large objects allocated since are swept now.
    /// Returns how many large objects it freed.
    pub(crate) fn begin_minor_sweep(&mut self) -> usize {
        for space in &mut self.spaces {
            debug_assert!(
                space.pending_minor.is_empty(),
                "a sweep was left unfinished"
            );
            std::mem::swap(&mut space.fresh, &mut space.pending_minor);
            self.pending_pages += space.pending_minor.len();
            space.available.reserve(space.pending_minor.len());
        }
        self.sweep_cursor = 0;
        self.update_safepoint_due();
        let dead: Vec<PagePtr> = self
            .young_large
            .drain(..)
            .filter(|&page| {
                page.take_live();
                page.sweep_bitmaps(true) == 0
            })
            .collect();
        if !dead.is_empty() {
            // Sweeping cleared the dead objects' alloc bits.
            self.large.retain(|page| page.is_allocated(0));
        }
        for &page in &dead {
            // SAFETY: the large object is dead and no list holds its run any more.
            unsafe { self.pool.release(page) };
        }
        dead.len()
    }

    fn sweep_large(&mut self) -> usize {
        let pool = &mut self.pool;
        let sticky = self.sticky_marks;
        let before = self.large.len();
        self.large.retain(|&page| {
            page.take_live();
            if page.is_marked(0) {
                page.sweep_bitmaps(sticky);
                return true;
            }
            // SAFETY: the large object is dead and `retain` drops its run from the list.
            unsafe { pool.release(page) };
            false
        });
        before - self.large.len()
    }

    /// Sweeps the next pending page of `space`; `None` when the space has none. A page
    /// with live objects goes back to the space; an empty one is the caller's, unless a
    /// minor collection left it pending: it stays in the space, with room.
    fn sweep_page(&mut self, space: usize) -> Option<Swept> {
        let Some(page) = self.spaces[space].pending.pop() else {
            return self.sweep_minor_page(space);
        };
        self.pending_pages -= 1;
        let live = page.take_live();
        if live == 0 {
            page.free_all();
            return Some(Swept::Empty(page));
        }
        let marked = page.sweep_bitmaps(self.sticky_marks);
        debug_assert_eq!(marked, live, "the marker's count disagrees with the bitmap");
        let s = &mut self.spaces[space];
        s.pages.push(page);
        Some(if live < page.header().slot_count as usize {
            s.available.push(page);
            Swept::HasRoom
        } else {
            Swept::Full
        })
    }

    /// Sweeps the next page a minor collection left pending in `space`. Its marks count
    /// old objects as well as the ones this collection marked, so the bitmap, not the
    /// marker's count, says what lives.
    fn sweep_minor_page(&mut self, space: usize) -> Option<Swept> {
        let page = self.spaces[space].pending_minor.pop()?;
        self.pending_pages -= 1;
        page.take_live();
        let live = page.sweep_bitmaps(true);
        Some(if live < page.header().slot_count as usize {
            self.spaces[space].available.push(page);
            Swept::HasRoom
        } else {
            Swept::Full
        })
    }

    /// Sweeps every pending page, in the pause. Returns how many empty pages it gave
    /// back to the pool.
    pub(crate) fn finish_sweep(&mut self) -> usize {
        let mut freed = 0;
        for space in 0..self.spaces.len() {
            while let Some(swept) = self.sweep_page(space) {
                if let Swept::Empty(page) = swept {
                    // SAFETY: no slot of the page is live, and no space holds it any more.
                    unsafe { self.pool.release(page) };
                    freed += 1;
                }
            }
        }
        self.update_safepoint_due();
        freed
    }

    /// Sweeps up to `n_pages` pending pages, of any size class, as one step of lazy
    /// sweeping; empty pages go to the pool, which keeps them until the next collection
    /// (see `PagePool::keep`). Returns how many it swept.
    pub fn sweep_pending(&mut self, n_pages: usize) -> usize {
        if self.pending_pages == 0 {
            return 0;
        }
        let start = Instant::now();
        let mut swept = 0;
        while swept < n_pages && self.sweep_cursor < self.spaces.len() {
            match self.sweep_page(self.sweep_cursor) {
                Some(Swept::Empty(page)) => {
                    // SAFETY: as in `finish_sweep`; a small-object page is one page.
                    unsafe { self.pool.keep(page) };
                    swept += 1;
                }
                Some(_) => swept += 1,
                None => self.sweep_cursor += 1,
            }
        }
        self.update_safepoint_due();
        self.stats.record_sweep_step(start.elapsed(), swept);
        swept
    }

    /// A run of free slots for `space` from its pending pages, swept a batch at a time
    /// until one has room; `None` when none has. An empty page is reused whole.
    pub(crate) fn sweep_for_run(&mut self, space: usize) -> Option<Run> {
        while !self.spaces[space].pending.is_empty() {
            let start = Instant::now();
            let mut swept = 0;
            let mut run = None;
            while swept < ALLOCATION_SWEEP_BATCH && run.is_none() {
                let Some(outcome) = self.sweep_page(space) else {
                    break;
                };
                swept += 1;
                run = match outcome {
                    Swept::Empty(page) => Some(self.spaces[space].adopt(page)),
                    Swept::HasRoom => self.spaces[space].next_run(),
                    Swept::Full => None,
                };
            }
            self.update_safepoint_due();
            self.stats.record_sweep_step(start.elapsed(), swept);
            if run.is_some() {
                return run;
            }
        }
        None
    }
}

/// Breaks the car of the live weak pair at `pair` if its target was not marked; true if
/// it did.
///
/// # Safety
/// `pair` points to a live weak pair, and no page has been swept since marking.
unsafe fn break_if_dead(pair: *mut Word) -> bool {
    // SAFETY: the caller's word that the weak pair is live.
    let car = unsafe { pair.read() };
    // SAFETY: the car was a live object when the pair was last traced or written; its
    // page is still mapped because nothing has been swept yet in this collection.
    if car.is_pointer() && !unsafe { is_marked(car) } {
        // SAFETY: the car is the pair's first word, and only the mutator (here, the
        // collector) writes it.
        unsafe { pair.write(Word::BROKEN) };
        return true;
    }
    false
}

/// Pending pages an allocation sweeps at most in one step while it looks for room.
const ALLOCATION_SWEEP_BATCH: usize = 16;

/// What sweeping a page found.
enum Swept {
    /// No live object: the page is free for any use.
    Empty(PagePtr),
    /// Some free slots; the page is in its space's `available` list.
    HasRoom,
    /// Every slot live.
    Full,
}
