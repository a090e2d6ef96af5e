//! Pages: the unit the heap gets from the system, and the metadata at the start of each.
//!
//! A page is [`PAGE_SIZE`] bytes aligned to its size, so the page of any address in it is
//! found by masking. Its header says what the page holds (one kind, one size class) and
//! carries three bitmaps with one bit per slot:
//!
//! - the **mark** bitmap, set by markers with an atomic OR;
//! - the **alloc** bitmap, owned by the mutator: a set bit is a slot that is allocated (or
//!   claimed by the allocator's current run). Sweeping a page makes its alloc bitmap a
//!   copy of its mark bitmap, so no object carries a mark bit and none is ever moved.
//!   When collection is generational, sweeping leaves the marks set: a marked object is
//!   an old one (see `generations.rs`);
//! - the **remembered** bitmap, owned by the mutator: an old object that the write
//!   barrier has put in the remembered set since the last collection.
//!
//! A large object has a run of pages to itself; its header sits at the start of the first
//! page with a single slot, so every object pointer masks to a page header.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use crate::barrier::RememberedSet;
use crate::word::Word;

/// The size of a page, and its alignment.
pub const PAGE_SIZE: usize = 64 * 1024;
const PAGE_MASK: usize = !(PAGE_SIZE - 1);

/// The address of the page that `addr` lies in.
#[inline(always)]
pub(crate) const fn page_start(addr: usize) -> usize {
    addr & PAGE_MASK
}

/// A word written over every slot that sweeping frees, in debug builds.
pub(crate) const POISON: u64 = 0xdead_beef_dead_beef;

/// What a page holds; it decides how the marker traces the slots.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum PageKind {
    /// Pairs: two traced words, no header.
    Pair,
    /// Weak pairs: the cdr is traced, the car is held weakly.
    WeakPair,
    /// Objects that start with a `Header`.
    Object,
    /// One object that starts with a `Header`, on a run of pages of its own.
    Large,
}

/// The fixed part of a page header; the three bitmaps follow it.
/// Aligned to 8 so that the bitmaps after it are aligned too.
#[repr(C, align(8))]
pub(crate) struct PageHeader {
    pub kind: PageKind,
    /// The size class, or `u8::MAX` for a large object.
    pub class: u8,
    /// Pages in this run: 1 but for a large object.
    pub pages: u32,
    pub slot_bytes: u32,
    pub slot_count: u32,
    /// `ceil(2^32 / slot_bytes)`: slot index by multiplication, not division.
    recip: u32,
    pub first_slot: u32,
    bitmap_words: u32,
    /// Slots marked by the current collection, counted as markers set their bits, so
    /// that sweeping knows a page is all dead without reading its bitmap.
    live: AtomicU32,
    /// With page ownership, the marker that owns the page in a collection: the
    /// collection's epoch shifted left by [`OWNER_BITS`], or'd with the marker's id. A
    /// page whose epoch is older has no owner yet in this collection.
    owner: AtomicU64,
    /// Whether allocation has claimed slots of the page since the last collection, so
    /// that a minor collection sweeps it. Only the mutator touches it.
    fresh: AtomicBool,
    /// The remembered set of the heap that owns the page, for the write barrier.
    remembered_set: *const RememberedSet,
}

/// Bits of [`PageHeader::owner`] that hold a marker's id.
const OWNER_BITS: u32 = 8;

/// Bytes taken by a header whose page has `slot_count` slots, rounded up to 16.
pub(crate) const fn header_bytes_for(slot_count: usize) -> usize {
    let raw = std::mem::size_of::<PageHeader>() + BITMAPS * 8 * bitmap_words_for(slot_count);
    raw.next_multiple_of(16)
}

/// Mark, alloc and remembered.
const BITMAPS: usize = 3;

/// The bytes a large run needs for an object of `bytes` bytes: the page header, the
/// object, and after it a bitmap of one bit per word of the object, its dirty fields
/// (see [`PagePtr::mark_field_dirty`]). The bitmap goes after the object so that the
/// object starts in the run's first page, where its header can be found by masking.
pub(crate) const fn large_run_bytes(bytes: usize) -> usize {
    header_bytes_for(1) + bytes + 8 * bytes.div_ceil(8).div_ceil(64)
}

pub(crate) const fn bitmap_words_for(slot_count: usize) -> usize {
    slot_count.div_ceil(64)
}

/// A pointer to the header of a page (or of a large object's run) of the heap.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub(crate) struct PagePtr(NonNull<PageHeader>);

impl PagePtr {
    /// Writes a fresh header (empty bitmaps) at the start of `base`.
    ///
    /// # Safety
    /// 1. `base` is `pages * PAGE_SIZE` bytes from `os::map_pages`, aligned to `PAGE_SIZE`,
    /// 2. nothing else uses that memory while the page lives,
    /// 3. the slots fit: `first_slot + slot_count * slot_bytes <= pages * PAGE_SIZE`, and
    ///    for a large object its dirty-field bitmap too (`large_run_bytes`),
    /// 4. and `remembered_set` outlives the page.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn init(
        base: NonNull<u8>,
        kind: PageKind,
        class: u8,
        pages: usize,
        slot_bytes: usize,
        slot_count: usize,
        first_slot: usize,
        remembered_set: *const RememberedSet,
    ) -> PagePtr {
        debug_assert_eq!(base.as_ptr() as usize % PAGE_SIZE, 0);
        debug_assert!(first_slot >= header_bytes_for(slot_count));
        debug_assert!(first_slot + slot_count * slot_bytes <= pages * PAGE_SIZE);
        let header = base.cast::<PageHeader>();
        let bitmap_words = bitmap_words_for(slot_count);
        // SAFETY: rule 1 makes the header and its bitmaps in bounds and aligned; rule 2
        // means nothing else reads them while we write.
        unsafe {
            header.write(PageHeader {
                kind,
                class,
                pages: pages as u32,
                slot_bytes: slot_bytes as u32,
                slot_count: slot_count as u32,
                recip: (1u64 << 32).div_ceil(slot_bytes as u64) as u32,
                first_slot: first_slot as u32,
                bitmap_words: bitmap_words as u32,
                live: AtomicU32::new(0),
                owner: AtomicU64::new(0),
                fresh: AtomicBool::new(false),
                remembered_set,
            });
            let bitmaps = base
                .as_ptr()
                .add(std::mem::size_of::<PageHeader>())
                .cast::<u64>();
            bitmaps.write_bytes(0, BITMAPS * bitmap_words);
            if kind == PageKind::Large {
                // The dirty-field bitmap, after the object (rule 3 covers it too).
                let after = base.as_ptr().add(first_slot + slot_bytes);
                after.write_bytes(0, 8 * slot_bytes.div_ceil(8).div_ceil(64));
            }
        }
        // Words that point into the page are decoded with exposed provenance.
        let _ = base.expose_provenance();
        PagePtr(header)
    }

    /// The page that holds `addr`.
    ///
    /// # Safety
    /// `addr` lies in the first page of a live page run of the heap.
    #[inline(always)]
    pub unsafe fn containing(addr: usize) -> PagePtr {
        let p = std::ptr::with_exposed_provenance_mut::<PageHeader>(page_start(addr));
        // SAFETY: a page address is never null.
        PagePtr(unsafe { NonNull::new_unchecked(p) })
    }

    #[inline(always)]
    pub fn header(&self) -> &PageHeader {
        // SAFETY: a `PagePtr` is made only by `init` over memory that stays mapped until
        // `release`, after which the heap keeps no copy of it.
        unsafe { self.0.as_ref() }
    }

    pub fn base(self) -> NonNull<u8> {
        self.0.cast()
    }

    pub fn addr(self) -> usize {
        self.0.as_ptr() as usize
    }

    /// The address of slot `i`, with the page's provenance.
    #[inline(always)]
    pub fn slot_ptr(self, i: usize) -> *mut u8 {
        let h = self.header();
        debug_assert!(i <= h.slot_count as usize);
        // SAFETY: slot `i` (or one past the last slot) lies within the page run (rule 3 of
        // `init`).
        unsafe {
            self.0
                .as_ptr()
                .cast::<u8>()
                .add(h.first_slot as usize + i * h.slot_bytes as usize)
        }
    }

    /// The mark bitmap.
    #[inline(always)]
    pub fn marks(&self) -> &[AtomicU64] {
        let n = self.header().bitmap_words as usize;
        // SAFETY: `init` placed `bitmap_words` zeroed words right after the header;
        // `AtomicU64` has the layout of `u64`, and the mark bitmap is only ever accessed
        // atomically.
        unsafe {
            let p = self.0.as_ptr().add(1).cast::<AtomicU64>();
            std::slice::from_raw_parts(p, n)
        }
    }

    /// The alloc bitmap. Only the mutator touches it, never while markers run.
    #[inline(always)]
    fn alloc_bits(self) -> *mut u64 {
        let n = self.header().bitmap_words as usize;
        // SAFETY: the alloc bitmap follows the mark bitmap, inside the header (`init`).
        unsafe { self.0.as_ptr().add(1).cast::<u64>().add(n) }
    }

    /// The remembered bitmap, after the alloc bitmap. Only the mutator touches it.
    #[inline(always)]
    fn remembered_bits(self) -> *mut u64 {
        let n = self.header().bitmap_words as usize;
        // SAFETY: the third bitmap, inside the header (`init`).
        unsafe { self.0.as_ptr().add(1).cast::<u64>().add(2 * n) }
    }

    /// Sets the remembered bit of slot `i`; true if it was clear.
    pub fn remember(self, i: usize) -> bool {
        // SAFETY: `i / 64` is below `bitmap_words`; the mutator is the only user.
        unsafe {
            let w = self.remembered_bits().add(i / 64);
            let bit = 1u64 << (i % 64);
            let was_clear = *w & bit == 0;
            *w |= bit;
            was_clear
        }
    }

    /// Clears the remembered bit of slot `i`.
    pub fn forget(self, i: usize) {
        // SAFETY: as in `remember`.
        unsafe { *self.remembered_bits().add(i / 64) &= !(1u64 << (i % 64)) }
    }

    pub fn is_remembered(self, i: usize) -> bool {
        // SAFETY: as in `remember`.
        unsafe { *self.remembered_bits().add(i / 64) & (1u64 << (i % 64)) != 0 }
    }

    /// A large object's dirty-field bitmap, as its first word and its length: one bit
    /// per word of the object (the first for its header), after the object. Only the
    /// mutator touches it.
    fn dirty_fields(self) -> (*mut u64, usize) {
        let h = self.header();
        debug_assert_eq!(h.kind, PageKind::Large);
        let at = (h.first_slot + h.slot_bytes) as usize;
        let words = (h.slot_bytes as usize).div_ceil(8).div_ceil(64);
        // SAFETY: `init` zeroed these words of a large run for the bitmap (rule 3).
        (
            unsafe { self.0.as_ptr().cast::<u8>().add(at).cast() },
            words,
        )
    }

    /// Marks field `i` of the page's large object as holding a pointer stored since the
    /// last collection: a minor collection scans only those fields of an old large
    /// object, not all of them (a vector of a million slots with a few written).
    pub fn mark_field_dirty(self, i: usize) {
        let (bits, words) = self.dirty_fields();
        assert!((i + 1) / 64 < words, "a field of the object");
        // SAFETY: the word is within the bitmap; the mutator is the only user.
        unsafe { *bits.add((i + 1) / 64) |= 1 << ((i + 1) % 64) }
    }

    /// Whether field `i` of the page's large object is dirty.
    pub fn is_field_dirty(self, i: usize) -> bool {
        let (bits, words) = self.dirty_fields();
        assert!((i + 1) / 64 < words, "a field of the object");
        // SAFETY: as in `mark_field_dirty`.
        unsafe { *bits.add((i + 1) / 64) & (1 << ((i + 1) % 64)) != 0 }
    }

    /// Calls `f` with the index of every dirty field of the page's large object, and
    /// clears them.
    pub fn take_dirty_fields(self, mut f: impl FnMut(usize)) {
        let (bits, words) = self.dirty_fields();
        for w in 0..words {
            // SAFETY: `w` is within the bitmap; the mutator is the only user.
            let mut word = unsafe { bits.add(w).replace(0) };
            while word != 0 {
                f(w * 64 + word.trailing_zeros() as usize - 1);
                word &= word - 1;
            }
        }
    }

    /// The remembered set of the heap that owns the page.
    #[inline(always)]
    pub fn remembered_set(self) -> *const RememberedSet {
        self.header().remembered_set
    }

    /// Marks the page as allocated into since the last collection; true if it was not.
    #[inline(always)]
    pub fn make_fresh(self) -> bool {
        !self.header().fresh.swap(true, Ordering::Relaxed)
    }

    /// The index of the slot that starts at `addr`, or `None` if no slot starts there.
    #[inline(always)]
    pub fn slot_index(self, addr: usize) -> Option<usize> {
        let h = self.header();
        let offset = addr.wrapping_sub(self.addr() + h.first_slot as usize);
        if offset >= (h.slot_count * h.slot_bytes) as usize {
            return None;
        }
        let i = ((offset as u64 * h.recip as u64) >> 32) as usize;
        (i * h.slot_bytes as usize == offset).then_some(i)
    }

    /// The index of the slot at `addr`, which must start a slot of this page.
    #[inline(always)]
    pub fn slot_index_exact(self, addr: usize) -> usize {
        let h = self.header();
        let offset = addr - (self.addr() + h.first_slot as usize);
        let i = ((offset as u64 * h.recip as u64) >> 32) as usize;
        debug_assert_eq!(i * h.slot_bytes as usize, offset);
        i
    }

    /// Sets the mark bit of slot `i`; true if it was clear. Any number of markers may
    /// mark the page at once.
    #[inline(always)]
    pub fn mark(self, i: usize) -> bool {
        let word = &self.marks()[i / 64];
        let bit = 1u64 << (i % 64);
        // A plain load first: most edges of a heap lead to objects already marked, and a
        // load costs less than a locked read-modify-write.
        if word.load(Ordering::Relaxed) & bit != 0 {
            return false;
        }
        word.fetch_or(bit, Ordering::Relaxed) & bit == 0
    }

    /// Sets the mark bit of slot `i`, for the one marker that marks this page; true if it
    /// was clear. A plain store, not a locked read-modify-write: nobody else writes the
    /// bitmap while this marker may.
    #[inline(always)]
    pub fn mark_exclusive(self, i: usize) -> bool {
        let word = &self.marks()[i / 64];
        let bit = 1u64 << (i % 64);
        let old = word.load(Ordering::Relaxed);
        if old & bit != 0 {
            return false;
        }
        word.store(old | bit, Ordering::Relaxed);
        true
    }

    /// The owner of the page in the collection of `epoch`: the marker that asked first.
    /// Every marker that asks in one collection gets the same answer, so only one of them
    /// ever marks the page in it.
    #[inline(always)]
    pub fn owner(self, epoch: u64, me: usize) -> usize {
        let owner = &self.header().owner;
        let now = owner.load(Ordering::Relaxed);
        if now >> OWNER_BITS == epoch {
            return (now & ((1 << OWNER_BITS) - 1)) as usize;
        }
        let mine = epoch << OWNER_BITS | me as u64;
        match owner.compare_exchange(now, mine, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => me,
            Err(theirs) => {
                debug_assert_eq!(
                    theirs >> OWNER_BITS,
                    epoch,
                    "only this epoch's markers write"
                );
                (theirs & ((1 << OWNER_BITS) - 1)) as usize
            }
        }
    }

    /// Counts `n` slots this collection has just marked.
    #[inline(always)]
    pub fn add_live(self, n: u32) {
        self.header().live.fetch_add(n, Ordering::Relaxed);
    }

    /// The slots marked since the last call, and a fresh count for the next collection.
    pub fn take_live(self) -> usize {
        self.header().live.swap(0, Ordering::Relaxed) as usize
    }

    #[inline(always)]
    pub fn is_marked(self, i: usize) -> bool {
        self.marks()[i / 64].load(Ordering::Relaxed) & (1 << (i % 64)) != 0
    }

    /// Whether slot `i` is allocated.
    pub fn is_allocated(self, i: usize) -> bool {
        // SAFETY: `i / 64` is below `bitmap_words`; the mutator is the only user.
        unsafe { *self.alloc_bits().add(i / 64) & (1 << (i % 64)) != 0 }
    }

    /// Sets (`on`) or clears the alloc bits of slots `from..to`.
    pub fn set_allocated(self, from: usize, to: usize, on: bool) {
        let bits = self.alloc_bits();
        for i in from..to {
            // SAFETY: `i` is a slot index of this page; the mutator is the only user.
            unsafe {
                let w = bits.add(i / 64);
                if on {
                    *w |= 1 << (i % 64);
                } else {
                    *w &= !(1 << (i % 64));
                }
            }
        }
    }

    /// The first run of free slots at or after slot `from`, as `start..end`.
    pub fn free_run(self, from: usize) -> Option<(usize, usize)> {
        let count = self.header().slot_count as usize;
        let start = self.next_with(from, count, false)?;
        let end = self.next_with(start, count, true).unwrap_or(count);
        Some((start, end))
    }

    /// The first slot at or after `from` whose alloc bit equals `set`.
    fn next_with(self, from: usize, count: usize, set: bool) -> Option<usize> {
        let bits = self.alloc_bits();
        let mut i = from;
        while i < count {
            // SAFETY: `i < count`, so the word is within the bitmap.
            let mut w = unsafe { *bits.add(i / 64) };
            if !set {
                w = !w;
            }
            w &= u64::MAX << (i % 64);
            if w != 0 {
                let found = (i / 64) * 64 + w.trailing_zeros() as usize;
                return (found < count).then_some(found);
            }
            i = (i / 64 + 1) * 64;
        }
        None
    }

    /// Sweeps the page's bitmaps: the marked slots become the allocated ones, and the
    /// marks are cleared for the next collection unless they are `sticky` (then they say
    /// which objects are old). The page is no longer fresh. Returns the number of live
    /// slots.
    ///
    /// In debug builds every slot that dies here is overwritten with [`POISON`].
    pub fn sweep_bitmaps(self, sticky: bool) -> usize {
        self.header().fresh.store(false, Ordering::Relaxed);
        let alloc = self.alloc_bits();
        let mut live = 0;
        for (w, mark) in self.marks().iter().enumerate() {
            // A load and a store rather than a swap: no marker runs while pages are swept,
            // and a locked swap per word made sweeping a full page of pairs about 20%
            // slower (best of 15: 390-520 ns against 290-410 ns).
            let marked = mark.load(Ordering::Relaxed);
            if !sticky {
                mark.store(0, Ordering::Relaxed);
            }
            // SAFETY: `w` is below `bitmap_words`; the mutator is the only user.
            let was_allocated = unsafe { alloc.add(w).replace(marked) };
            if cfg!(debug_assertions) {
                let mut dying = was_allocated & !marked;
                while dying != 0 {
                    self.poison_slot(w * 64 + dying.trailing_zeros() as usize);
                    dying &= dying - 1;
                }
            }
            live += marked.count_ones() as usize;
        }
        live
    }

    /// Frees every slot of a page none of whose slots is marked, without visiting them
    /// (but to poison them, in debug builds).
    pub fn free_all(self) {
        self.header().fresh.store(false, Ordering::Relaxed);
        let alloc = self.alloc_bits();
        let words = self.header().bitmap_words as usize;
        for w in 0..words {
            // SAFETY: `w` is below `bitmap_words`; the mutator is the only user.
            let was_allocated = unsafe { alloc.add(w).replace(0) };
            if cfg!(debug_assertions) {
                debug_assert_eq!(self.marks()[w].load(Ordering::Relaxed), 0);
                let mut dying = was_allocated;
                while dying != 0 {
                    self.poison_slot(w * 64 + dying.trailing_zeros() as usize);
                    dying &= dying - 1;
                }
            }
        }
    }

    /// Clears every mark, for a full collection of a heap whose marks were sticky.
    pub fn clear_marks(self) {
        for mark in self.marks() {
            mark.store(0, Ordering::Relaxed);
        }
    }

    pub fn poison_slot(self, i: usize) {
        let words = self.header().slot_bytes as usize / 8;
        let p = self.slot_ptr(i).cast::<u64>();
        for k in 0..words {
            // SAFETY: the slot is within the page and no live object uses it.
            unsafe { p.add(k).write(POISON) };
        }
    }

    /// The word at the start of slot `i`: a pair's car or an object's header.
    pub fn first_word(self, i: usize) -> Word {
        // SAFETY: the slot lies within the page, whose memory is initialized (zeroed when
        // mapped, then written by allocation or poisoning).
        unsafe { self.slot_ptr(i).cast::<Word>().read() }
    }
}

// SAFETY: markers on other threads read a page's immutable fields and its mark bitmap,
// which is atomic; the alloc and remembered bitmaps, `fresh`, `live` and the remembered
// set's pointer are touched only by the mutator while no marker runs.
unsafe impl Send for PagePtr {}
// SAFETY: as for `Send`.
unsafe impl Sync for PagePtr {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os;
    use crate::size_class::geometry;

    /// A fresh page of pairs, and what to unmap it with.
    fn pair_page() -> (PagePtr, NonNull<u8>) {
        let base = os::map_pages(1).expect("a page from the system");
        let g = geometry(0);
        // SAFETY: one page from `map_pages`, used by nothing else, with the geometry of a
        // size class, which fits a page.
        let page = unsafe {
            PagePtr::init(
                base,
                PageKind::Pair,
                0,
                1,
                g.slot_bytes,
                g.slot_count,
                g.first_slot,
                std::ptr::null(),
            )
        };
        (page, base)
    }

    #[test]
    fn a_page_has_one_owner_per_epoch_the_first_to_ask() {
        let (page, base) = pair_page();
        assert_eq!(page.owner(1, 3), 3);
        assert_eq!(
            page.owner(1, 0),
            3,
            "the owner does not change within an epoch"
        );
        assert_eq!(page.owner(1, 5), 3);
        assert_eq!(page.owner(2, 0), 0, "a new epoch starts with no owner");
        assert_eq!(page.owner(2, 3), 0);
        assert_eq!(page.owner(7, 2), 2, "epochs may skip");
        // SAFETY: the page came from `map_pages(1)` and nothing uses it any more.
        unsafe { os::unmap_pages(base, 1) };
    }

    #[test]
    fn a_mark_bit_is_set_once() {
        let (page, base) = pair_page();
        assert!(page.mark(70) && !page.mark(70) && !page.mark_exclusive(70));
        assert!(page.mark_exclusive(71) && !page.mark(71));
        assert!(page.is_marked(70) && page.is_marked(71) && !page.is_marked(69));
        // SAFETY: as above.
        unsafe { os::unmap_pages(base, 1) };
    }
}
