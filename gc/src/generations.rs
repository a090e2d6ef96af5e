//! Generations by sticky mark bits: which collection comes next, and what a minor one
//! does that a full one does not.
//!
//! When collection is generational, sweeping leaves the marks set, and a marked object
//! is old. A minor collection marks from the roots and from the remembered set (the old
//! objects the write barrier saw receive a pointer, `barrier.rs`); marking stops at
//! objects already marked, so it reaches only the young objects that are live, which
//! become old. It sweeps only the pages allocated into since the last collection and the
//! large objects allocated since; every other page holds old objects only. A full
//! collection clears every mark first and marks the whole heap, as a collection that is
//! not generational does.
//!
//! Minor collections come when allocation has spent the young generation's budget
//! ([`HeapConfig::nursery_bytes`]); a full one when the old generation has grown to about
//! the size a heap that is not generational would collect at ([`HeapConfig::growth_factor`]
//! times what the last full collection found, or that and
//! [`HeapConfig::min_budget_bytes`]), or when the embedder asks for one.

use crate::heap::Heap;
#[cfg(doc)]
use crate::heap::HeapConfig;
use crate::mark::is_marked;
use crate::page::{PageKind, PagePtr};
use crate::roots::{gather, RootSet};
use crate::verify::VerifyError;
use crate::word::Word;

#[cfg(doc)]
use crate::barrier::write_barrier;

/// Which collection to run.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CollectionKind {
    /// Marks only from the roots and the remembered set, and sweeps only what was
    /// allocated since the last collection.
    Minor,
    /// Marks and sweeps the whole heap.
    Major,
}

impl Heap {
    /// Whether collections are generational: built with the `generational` feature and
    /// not turned off ([`HeapConfig::generational`], [`Heap::set_generational`]).
    pub fn generational(&self) -> bool {
        cfg!(feature = "generational") && self.config.generational
    }

    /// Turns generational collection on or off; the next collection is a full one.
    pub fn set_generational(&mut self, on: bool) {
        self.config.generational = on;
        self.full_due = true;
    }

    /// Asks for a full collection at the embedder's next safepoint.
    pub fn request_full_collection(&mut self) {
        self.full_due = true;
        self.request_collection();
    }

    /// The kind of the last collection, if there was one.
    pub fn last_collection_kind(&self) -> Option<CollectionKind> {
        self.stats.last.map(|c| c.kind)
    }

    /// The collection [`Heap::collect`] runs next.
    pub fn next_collection_kind(&self) -> CollectionKind {
        if self.generational() && !self.full_due && self.live_bytes < self.full_threshold() {
            CollectionKind::Minor
        } else {
            CollectionKind::Major
        }
    }

    /// The size a heap that is not generational would peak at after the last full
    /// collection: what it found live, and the budget after it. A generational heap
    /// aims at it too (see [`HeapConfig::nursery_bytes`]).
    pub(crate) fn heap_target(&self) -> usize {
        self.live_at_full + self.growth_budget(self.live_at_full)
    }

    /// The old generation's size from which the next collection is a full one: the
    /// target, less the smallest young generation.
    fn full_threshold(&self) -> usize {
        self.heap_target()
            .saturating_sub(self.config.nursery_bytes / 4)
    }

    /// Takes the remembered set, clearing the objects' remembered bits. For a minor
    /// collection, the traced fields of every remembered object go on the root list
    /// (they may point to young objects), and the remembered weak pairs into `weak`.
    /// Returns how many objects were remembered.
    pub(crate) fn take_remembered(&mut self, minor: bool, weak: &mut Vec<Word>) -> usize {
        let remembered = self.remembered_set().take();
        for &w in &remembered {
            // SAFETY: a remembered object is old, so it survived the last collection, and
            // minor collections free no old object; full ones empty the set.
            let page = unsafe { PagePtr::containing(w.addr()) };
            page.forget(page.slot_index_exact(w.addr()));
            if page.header().kind == PageKind::Large {
                // SAFETY: as above; the dirty fields are fields of the object.
                let fields = unsafe { w.field_ptr(0) };
                let roots = &mut self.roots;
                page.take_dirty_fields(|i| {
                    if minor {
                        // SAFETY: as above.
                        roots.push(unsafe { fields.add(i).read() });
                    }
                });
                continue;
            }
            if !minor {
                continue;
            }
            // SAFETY: the object is live, as above, and its traced fields follow its
            // header, or are a pair's two words.
            unsafe {
                match page.header().kind {
                    PageKind::Pair => {
                        let p = w.pair_ptr();
                        self.roots.extend([p.read(), p.add(1).read()]);
                    }
                    PageKind::WeakPair => {
                        weak.push(w);
                        self.roots.push(w.pair_ptr().add(1).read());
                    }
                    PageKind::Object | PageKind::Large => {
                        let fields = w.field_ptr(0);
                        let traced = w.header().traced();
                        self.roots.extend((0..traced).map(|i| fields.add(i).read()));
                    }
                }
            }
        }
        let n = remembered.len();
        self.remembered_set().restore(remembered);
        n
    }

    /// Clears the marks that earlier collections left, before a full collection marks
    /// the whole heap. Every page is swept by then.
    pub(crate) fn clear_sticky_marks(&mut self) {
        for space in &self.spaces {
            debug_assert!(space.pending.is_empty() && space.pending_minor.is_empty());
            for &page in &space.pages {
                page.clear_marks();
            }
        }
        for &page in &self.large {
            page.clear_marks();
        }
    }

    /// Checks the generational invariant over everything reachable from `roots`: no
    /// old object points to a young one unless it is remembered, so that the next minor
    /// collection finds every young object that is live. A store that bypassed
    /// [`write_barrier`] shows up here. Meaningful between collections of a generational
    /// heap; the stress mode runs it before every minor collection.
    pub fn verify_remembered<R: RootSet + ?Sized>(&self, roots: &R) -> Result<(), VerifyError> {
        if !self.sticky_marks {
            return Ok(());
        }
        let mut stack = Vec::new();
        gather(roots, &mut stack);
        let mut seen = std::collections::HashSet::new();
        while let Some(w) = stack.pop() {
            if !seen.insert(w.bits()) {
                continue;
            }
            // SAFETY: a word reachable from the roots points to a live object.
            let page = unsafe { PagePtr::containing(w.addr()) };
            let slot = page.slot_index_exact(w.addr());
            let old = page.is_marked(slot);
            let large = page.header().kind == PageKind::Large;
            let remembered = page.is_remembered(slot);
            // SAFETY: as above; the traced fields of a live object.
            let children: Vec<Word> = unsafe {
                match page.header().kind {
                    PageKind::Pair | PageKind::WeakPair => {
                        vec![w.pair_ptr().read(), w.pair_ptr().add(1).read()]
                    }
                    PageKind::Object | PageKind::Large => (0..w.header().traced())
                        .map(|i| w.field_ptr(i).read())
                        .collect(),
                }
            };
            for (i, child) in children.into_iter().enumerate() {
                if !child.is_pointer() {
                    continue;
                }
                let checked = old && !(remembered && (!large || page.is_field_dirty(i)));
                // SAFETY: a field of a live object points to a live object.
                if checked && !unsafe { is_marked(child) } {
                    return Err(VerifyError {
                        word: child,
                        holder: Some(w),
                        problem: "is young, and its old holder is not remembered",
                    });
                }
                stack.push(child);
            }
        }
        Ok(())
    }
}
