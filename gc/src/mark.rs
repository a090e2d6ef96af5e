//! The marker: traces from roots by setting bits in page mark bitmaps.
//!
//! A marker owns an explicit mark stack of word ranges still to scan, so marking a list
//! ten million long or a vector nested a million deep uses no Rust recursion. A large
//! range (a big vector) is scanned a chunk at a time, its remainder pushed back, so the
//! stack stays small and work can later be split between markers.
//!
//! The marker reads nothing but words, page headers and object headers: tracing never
//! calls back into the embedder.

use crate::page::{PageKind, PagePtr};
use crate::word::Word;

/// Words of one range scanned before the rest of the range goes back on the stack.
const SCAN_CHUNK: usize = 256;

/// Words still to scan: `len` words starting at `start`.
#[derive(Copy, Clone)]
struct Range {
    start: *const Word,
    len: usize,
}

#[derive(Default)]
pub(crate) struct Marker {
    stack: Vec<Range>,
    /// The deepest the stack has been, in ranges, over the marker's life.
    pub peak_stack: usize,
    /// Bytes of the slots marked since the last `reset_counts`.
    pub marked_bytes: usize,
    pub marked_objects: usize,
}

impl Marker {
    pub fn reset_counts(&mut self) {
        self.marked_bytes = 0;
        self.marked_objects = 0;
    }

    /// Bytes the mark stack holds from the system.
    pub fn capacity_bytes(&self) -> usize {
        self.stack.capacity() * std::mem::size_of::<Range>()
    }

    /// Marks everything reachable from `roots`.
    ///
    /// # Safety
    /// 1. Every pointer word in `roots` points to a live object of the heap that owns the
    ///    pages this marker will visit,
    /// 2. every pointer word stored in a reachable object does too,
    /// 3. and no other thread writes those objects' words while marking runs.
    pub unsafe fn mark_from(&mut self, roots: &[Word]) {
        for &w in roots {
            // SAFETY: rule 1.
            unsafe { self.mark_word(w) };
            // SAFETY: rules 1 to 3.
            unsafe { self.drain() };
        }
    }

    /// Scans ranges until the stack is empty.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`].
    unsafe fn drain(&mut self) {
        while let Some(range) = self.stack.pop() {
            let n = range.len.min(SCAN_CHUNK);
            if range.len > n {
                // SAFETY: `n < len`, so the remainder is within the same object.
                let rest = unsafe { range.start.add(n) };
                self.push(rest, range.len - n);
            }
            for k in 0..n {
                // SAFETY: the range lies within a live object (rules 1 and 2), and rule 3
                // forbids concurrent writes.
                let w = unsafe { range.start.add(k).read() };
                // SAFETY: rule 2.
                unsafe { self.mark_word(w) };
            }
        }
    }

    /// Marks the object `w` points to, if it is a pointer, and queues its fields.
    ///
    /// # Safety
    /// A pointer `w` points to a live object of the heap (rules of `mark_from`).
    #[inline(always)]
    unsafe fn mark_word(&mut self, w: Word) {
        if !w.is_pointer() {
            return;
        }
        let addr = w.addr();
        // SAFETY: `w` points into a live page run's first page.
        let page = unsafe { PagePtr::containing(addr) };
        if !page.mark(page.slot_index_exact(addr)) {
            return;
        }
        page.count_live();
        let header = page.header();
        self.marked_bytes += header.slot_bytes as usize;
        self.marked_objects += 1;
        let fields = std::ptr::with_exposed_provenance::<Word>(addr);
        match header.kind {
            PageKind::Pair => self.push(fields, 2),
            // SAFETY: a weak pair has two words; the cdr is the second.
            PageKind::WeakPair => self.push(unsafe { fields.add(1) }, 1),
            PageKind::Object | PageKind::Large => {
                // SAFETY: an object slot starts with its header.
                let traced = unsafe { w.header() }.traced();
                if traced > 0 {
                    // SAFETY: the traced fields follow the header within the object.
                    self.push(unsafe { fields.add(1) }, traced);
                }
            }
        }
    }

    #[inline(always)]
    fn push(&mut self, start: *const Word, len: usize) {
        self.stack.push(Range { start, len });
        if self.stack.len() > self.peak_stack {
            self.peak_stack = self.stack.len();
        }
    }
}

/// Whether the object `w` points to is marked.
///
/// # Safety
/// `w` is a pointer to a live object of the heap.
pub(crate) unsafe fn is_marked(w: Word) -> bool {
    // SAFETY: forwarded from the caller.
    let page = unsafe { PagePtr::containing(w.addr()) };
    page.is_marked(page.slot_index_exact(w.addr()))
}
