//! Sweeping, and the weak-pair pass that comes before it.
//!
//! A small-object page is swept by copying its mark bitmap over its alloc bitmap: the
//! marked slots stay allocated, the rest become free. A page with no marked slot goes
//! back to the pool. A large object that is not marked is freed at once.

use crate::heap::{Heap, WEAK_PAIRS};
use crate::mark::is_marked;
use crate::word::Word;

impl Heap {
    /// Replaces the car of every live weak pair whose target was not marked by
    /// [`Word::BROKEN`]. Runs after marking and before sweeping, so a dead target is
    /// reported dead even before its page is swept. Returns how many cars it broke.
    pub(crate) fn break_dead_weak_cars(&mut self) -> usize {
        let mut broken = 0;
        for &page in &self.spaces[WEAK_PAIRS].pages {
            let count = page.header().slot_count as usize;
            for i in (0..count).filter(|&i| page.is_marked(i)) {
                let car = page.first_word(i);
                // SAFETY: the weak pair is live, so its car was a live object when the
                // pair was last traced or written; its page is still mapped because
                // nothing has been swept yet in this collection.
                if car.is_pointer() && !unsafe { is_marked(car) } {
                    // SAFETY: slot `i` is a live weak pair of this page; its car is the
                    // first word, and only the mutator (here, the collector) writes it.
                    unsafe { page.slot_ptr(i).cast::<Word>().write(Word::BROKEN) };
                    broken += 1;
                }
            }
        }
        broken
    }

    /// Sweeps every page. Returns how many pages (or large objects) it freed.
    pub(crate) fn sweep(&mut self) -> usize {
        let mut freed = 0;
        let mut live_bytes = 0;
        let pool = &mut self.pool;
        for space in &mut self.spaces {
            space.available.clear();
            let (available, slot_bytes) = (&mut space.available, space.slot_bytes);
            space.pages.retain(|&page| {
                let live = page.sweep_bitmaps();
                if live == 0 {
                    // SAFETY: no slot of the page is live, and `retain` drops it from the
                    // space.
                    unsafe { pool.release(page) };
                    freed += 1;
                    return false;
                }
                if live < page.header().slot_count as usize {
                    available.push(page);
                }
                live_bytes += live * slot_bytes;
                true
            });
        }
        self.large.retain(|&page| {
            if page.is_marked(0) {
                page.sweep_bitmaps();
                live_bytes += page.header().slot_bytes as usize;
                return true;
            }
            // SAFETY: the large object is dead and `retain` drops its run from the list.
            unsafe { pool.release(page) };
            freed += 1;
            false
        });
        self.live_bytes = live_bytes;
        freed
    }
}
