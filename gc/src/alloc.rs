//! Allocation spaces: the pages of one kind and size class, and the bump run in use.
//!
//! A space allocates by bumping `cursor` toward `limit` through a run of free slots of
//! its current page. A run is claimed whole (its alloc bits set at once), so the fast
//! path is a compare and an add. When the run is spent, the next run of free slots is
//! found in the page's alloc bitmap; when the page is spent, the space takes a page with
//! free slots from its `available` list, or asks the heap for a fresh one.
//!
//! A page the space claims a run on is fresh until it is swept: the list of fresh pages
//! is what a minor collection sweeps (see `generations.rs`).

use crate::page::{PageKind, PagePtr};

pub(crate) struct Space {
    pub kind: PageKind,
    pub class: u8,
    pub slot_bytes: usize,
    /// The pages of this space that are swept (or new since the last collection).
    pub pages: Vec<PagePtr>,
    /// The pages of this space that wait to be swept: the other pages. Objects on them
    /// are as the last collection left them: marked if live, and not yet freed if dead.
    pub pending: Vec<PagePtr>,
    /// Pages with free slots that allocation has not visited since the last sweep.
    pub available: Vec<PagePtr>,
    /// The pages allocation has claimed runs on since the last collection: the young
    /// objects are on them. Every one is also in `pages`.
    pub fresh: Vec<PagePtr>,
    /// The fresh pages of the last collection, when it was a minor one, that wait to be
    /// swept. They stay in `pages` meanwhile, and stay in the space when found empty.
    pub pending_minor: Vec<PagePtr>,
    /// The page the current run is in, and the slot after the run.
    current: Option<(PagePtr, usize)>,
    /// The bump run: `cursor` is the next free slot, `limit` the end of the run.
    pub cursor: *mut u8,
    pub limit: *mut u8,
}

/// A run of slots claimed for bump allocation.
pub(crate) struct Run {
    pub bytes: usize,
}

impl Space {
    pub fn new(kind: PageKind, class: u8, slot_bytes: usize) -> Space {
        Space {
            kind,
            class,
            slot_bytes,
            pages: Vec::new(),
            pending: Vec::new(),
            available: Vec::new(),
            fresh: Vec::new(),
            pending_minor: Vec::new(),
            current: None,
            cursor: std::ptr::null_mut(),
            limit: std::ptr::null_mut(),
        }
    }

    /// Takes one slot from the current run, if the run has one left.
    #[inline(always)]
    pub fn bump(&mut self) -> Option<*mut u8> {
        if (self.limit as usize) - (self.cursor as usize) >= self.slot_bytes {
            let p = self.cursor;
            // SAFETY: the run ends at `limit`, inside the page, and `p + slot_bytes <= limit`.
            self.cursor = unsafe { p.add(self.slot_bytes) };
            Some(p)
        } else {
            None
        }
    }

    /// Claims the next run of free slots in a page this space already has. `None` when
    /// every such page is full; the caller then adds a page with [`Space::adopt`].
    pub fn next_run(&mut self) -> Option<Run> {
        loop {
            if let Some((page, from)) = self.current {
                if let Some((start, end)) = page.free_run(from) {
                    return Some(self.claim(page, start, end));
                }
                self.current = None;
            }
            let page = self.available.pop()?;
            self.current = Some((page, 0));
        }
    }

    /// Makes an empty page (fresh, or swept and found all dead) this space's current page
    /// and claims all of it.
    pub fn adopt(&mut self, page: PagePtr) -> Run {
        self.pages.push(page);
        let slots = page.header().slot_count as usize;
        self.claim(page, 0, slots)
    }

    fn claim(&mut self, page: PagePtr, start: usize, end: usize) -> Run {
        page.set_allocated(start, end, true);
        if page.make_fresh() {
            self.fresh.push(page);
        }
        self.current = Some((page, end));
        self.cursor = page.slot_ptr(start);
        self.limit = page.slot_ptr(end);
        Run {
            bytes: (end - start) * self.slot_bytes,
        }
    }

    /// Gives back the unused end of the current run, so that the collector sees those slots
    /// free. Returns the bytes given back.
    pub fn retire(&mut self) -> usize {
        let unused = self.limit as usize - self.cursor as usize;
        if let Some((page, end)) = self.current.take() {
            if unused > 0 {
                let start = end - unused / self.slot_bytes;
                page.set_allocated(start, end, false);
            }
        }
        self.cursor = std::ptr::null_mut();
        self.limit = std::ptr::null_mut();
        unused
    }
}
