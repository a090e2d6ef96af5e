//! The page pool: every page the heap maps from the system comes through here.
//!
//! Empty pages come back to the pool after a sweep and are reused before new ones are
//! mapped; past `retain_pages` the pool gives them back to the system. Runs of dead
//! large objects are kept whole, up to as many pages again, for the next large object of
//! about their size, and a large object of one page takes a free page: a program that
//! makes and drops big strings or vectors over and over would otherwise map, fault in
//! and unmap every one. The pool also counts every page the heap holds, so the heap's
//! size is known without a walk.

use std::alloc::{handle_alloc_error, Layout};

use crate::barrier::RememberedSet;
use crate::os;
use crate::page::{PageKind, PagePtr, PAGE_SIZE};
use crate::size_class::{geometry, Geometry};

pub(crate) struct PagePool {
    free: Vec<PagePtr>,
    /// Large runs kept for reuse, and how many pages they hold.
    free_runs: Vec<PagePtr>,
    free_run_pages: usize,
    retain_pages: usize,
    /// Pages mapped and not yet unmapped, including the free ones.
    pub mapped_pages: usize,
    /// The heap's remembered set, which every page it hands out points to.
    remembered_set: *const RememberedSet,
}

impl PagePool {
    /// A pool whose pages point to `remembered_set`, which must outlive them.
    pub fn new(retain_bytes: usize, remembered_set: *const RememberedSet) -> PagePool {
        PagePool {
            free: Vec::new(),
            free_runs: Vec::new(),
            free_run_pages: 0,
            retain_pages: retain_bytes / PAGE_SIZE,
            mapped_pages: 0,
            remembered_set,
        }
    }

    /// Changes how many empty pages the pool keeps; it drops no page it holds now, but
    /// gives back the next ones released past the new bound.
    pub fn set_retain_bytes(&mut self, bytes: usize) {
        self.retain_pages = bytes / PAGE_SIZE;
    }

    pub fn free_pages(&self) -> usize {
        self.free.len()
    }

    pub fn table_bytes(&self) -> usize {
        self.free.capacity() * std::mem::size_of::<PagePtr>()
    }

    /// A fresh page for size class `class`, with empty bitmaps.
    pub fn small_page(&mut self, kind: PageKind, class: usize) -> PagePtr {
        let base = match self.free.pop() {
            Some(page) => page.base(),
            None => self.map(1),
        };
        let Geometry {
            slot_bytes,
            slot_count,
            first_slot,
        } = geometry(class);
        // SAFETY: `base` is one whole page that no space uses (it was free or is new), the
        // class geometry fits a page, and the heap's remembered set outlives its pages.
        unsafe {
            PagePtr::init(
                base,
                kind,
                class as u8,
                1,
                slot_bytes,
                slot_count,
                first_slot,
                self.remembered_set,
            )
        }
    }

    /// A run of pages for a large object of `bytes` bytes (a multiple of 8), header
    /// included, and its dirty-field bitmap (see [`PagePtr::mark_field_dirty`]).
    pub fn large_run(&mut self, bytes: usize) -> PagePtr {
        debug_assert!(bytes.is_multiple_of(8));
        let first_slot = crate::page::header_bytes_for(1);
        let needed = crate::page::large_run_bytes(bytes).div_ceil(PAGE_SIZE);
        let (base, pages) = match self.take_run(needed) {
            Some(run) => run,
            None => (self.map(needed), needed),
        };
        // SAFETY: `base` is `pages` pages, fresh or zeroed by `take_run`, which hold the
        // header, the one slot and the field bitmap, and the heap's remembered set
        // outlives its pages.
        unsafe {
            PagePtr::init(
                base,
                PageKind::Large,
                u8::MAX,
                pages,
                bytes,
                1,
                first_slot,
                self.remembered_set,
            )
        }
    }

    /// A kept large run of `needed` pages or a quarter more (a free page for one), zeroed
    /// as a fresh mapping is, with its page count.
    fn take_run(&mut self, needed: usize) -> Option<(std::ptr::NonNull<u8>, usize)> {
        let (base, pages) = if needed == 1 {
            (self.free.pop()?.base(), 1)
        } else {
            let fits = |run: &PagePtr| {
                (needed..=needed + needed / 4).contains(&(run.header().pages as usize))
            };
            let i = self.free_runs.iter().position(fits)?;
            let run = self.free_runs.swap_remove(i);
            let pages = run.header().pages as usize;
            self.free_run_pages -= pages;
            (run.base(), pages)
        };
        // SAFETY: the run is `pages` whole pages that nothing refers to (see `release`).
        unsafe { base.as_ptr().write_bytes(0, pages * PAGE_SIZE) };
        Some((base, pages))
    }

    /// Takes back a page (or a large run) that holds no live object.
    ///
    /// # Safety
    /// 1. `page` came from this pool,
    /// 2. and no space, list or live object refers to it any more.
    pub unsafe fn release(&mut self, page: PagePtr) {
        let pages = page.header().pages as usize;
        if pages == 1 && self.free.len() < self.retain_pages {
            self.free.push(page);
        } else if pages > 1 && self.free_run_pages + pages <= self.retain_pages {
            self.free_runs.push(page);
            self.free_run_pages += pages;
        } else {
            // SAFETY: rules 1 and 2; the run was mapped with this many pages.
            unsafe { os::unmap_pages(page.base(), pages) };
            self.mapped_pages -= pages;
        }
    }

    /// Makes room to keep `pages` more pages without growing the free list, so that
    /// [`PagePool::keep`] in a lazy-sweep step never copies it.
    pub fn reserve_kept(&mut self, pages: usize) {
        self.free.reserve(pages);
    }

    /// Takes back a one-page page that holds no live object and keeps it, whatever the
    /// bound: giving memory back to the system can take a hundred microseconds on a
    /// virtual machine (the TLB shootdown), too long for a step of lazy sweeping.
    /// [`PagePool::trim_to_retain`] gives back the surplus later.
    ///
    /// # Safety
    /// The rules of [`PagePool::release`], and the page is a single page.
    pub unsafe fn keep(&mut self, page: PagePtr) {
        debug_assert_eq!(page.header().pages, 1);
        self.free.push(page);
    }

    /// Gives back to the system the pages kept past the bound. Returns how many.
    pub fn trim_to_retain(&mut self) -> usize {
        let surplus = self.free.len().saturating_sub(self.retain_pages);
        for page in self.free.drain(self.free.len() - surplus..) {
            // SAFETY: pooled pages came from `map(1)` and nothing refers to them.
            unsafe { os::unmap_pages(page.base(), 1) };
        }
        self.mapped_pages -= surplus;
        surplus
    }

    fn map(&mut self, pages: usize) -> std::ptr::NonNull<u8> {
        match os::map_pages(pages) {
            Some(base) => {
                self.mapped_pages += pages;
                base
            }
            None => handle_alloc_error(
                Layout::from_size_align(pages.saturating_mul(PAGE_SIZE), PAGE_SIZE)
                    .unwrap_or(Layout::new::<u8>()),
            ),
        }
    }

    /// Gives every pooled page and run back to the system.
    pub fn trim(&mut self) {
        for page in std::mem::take(&mut self.free) {
            // SAFETY: pooled pages came from `map(1)` and nothing refers to them.
            unsafe { os::unmap_pages(page.base(), 1) };
            self.mapped_pages -= 1;
        }
        for run in std::mem::take(&mut self.free_runs) {
            let pages = run.header().pages as usize;
            // SAFETY: kept runs came from `map(pages)` and nothing refers to them.
            unsafe { os::unmap_pages(run.base(), pages) };
            self.mapped_pages -= pages;
        }
        self.free_run_pages = 0;
    }
}

// SAFETY: the remembered set's pointer is only followed by the thread that owns the heap,
// and it goes where the heap goes.
unsafe impl Send for PagePool {}

impl Drop for PagePool {
    fn drop(&mut self) {
        self.trim();
    }
}
