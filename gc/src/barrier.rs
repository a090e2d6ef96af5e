//! The write barrier, and the remembered set it fills.
//!
//! Generational collection keeps the marks a collection leaves: a marked object is old,
//! and a minor collection traces only from the roots and from the old objects that may
//! point to young ones. Those are the remembered set: the barrier, called for every
//! store of a pointer into an object, puts an old object there the first time it receives
//! a pointer after a collection. The test is one mark bit of the holder (its page is found
//! by masking, its slot by a multiplication); an object already remembered has a second
//! bit, in its page's remembered bitmap, so it goes into the set once. A large object
//! also has a bit per field, so that a minor collection scans only the fields written.
//!
//! Every page points to its heap's remembered set, so the barrier needs only the object.
//! Built without the `generational` feature the barrier does nothing, and every
//! collection is a full one.

use std::cell::UnsafeCell;

use crate::mark::is_marked;
use crate::page::{PageKind, PagePtr};
use crate::word::Word;

/// The old objects that received a pointer since the last collection.
pub(crate) struct RememberedSet {
    objects: UnsafeCell<Vec<Word>>,
}

impl RememberedSet {
    pub fn new() -> RememberedSet {
        RememberedSet {
            objects: UnsafeCell::new(Vec::new()),
        }
    }

    /// Takes the objects out, leaving the set empty; their remembered bits stay set.
    pub fn take(&self) -> Vec<Word> {
        // SAFETY: only the mutator thread touches the set (the barrier and the collector,
        // which runs on the mutator's thread), and no reference into it outlives a call.
        unsafe { std::mem::take(&mut *self.objects.get()) }
    }

    /// Gives back the (emptied) vector `take` returned, to keep its capacity.
    pub fn restore(&self, mut emptied: Vec<Word>) {
        emptied.clear();
        // SAFETY: as in `take`.
        let objects = unsafe { &mut *self.objects.get() };
        if objects.is_empty() && objects.capacity() < emptied.capacity() {
            *objects = emptied;
        }
    }

    pub fn capacity_bytes(&self) -> usize {
        // SAFETY: as in `take`.
        unsafe { (*self.objects.get()).capacity() * std::mem::size_of::<Word>() }
    }

    fn push(&self, w: Word) {
        // SAFETY: as in `take`.
        unsafe { (*self.objects.get()).push(w) }
    }
}

/// Records that `value` is about to be (or has just been) stored into traced field
/// `field` of the object `holder` points to (for a pair, 0 is the car and 1 the cdr).
/// Call it for every such store.
///
/// # Safety
/// 1. `holder` is a pair or object word of a live object of a heap, and `field` one of
///    its traced fields,
/// 2. and the call is on the thread that allocates in that heap, between collections.
#[inline(always)]
pub unsafe fn write_barrier(holder: Word, field: usize, value: Word) {
    if !cfg!(feature = "generational") || !value.is_pointer() {
        return;
    }
    debug_assert!(holder.is_pointer());
    // SAFETY: rule 1: the holder lies in the first page of a live page run.
    let page = unsafe { PagePtr::containing(holder.addr()) };
    let slot = page.slot_index_exact(holder.addr());
    if page.is_marked(slot) {
        remember(page, slot, holder, field);
    }
}

/// Whether the object `holder` points to is old: marked by an earlier collection, so
/// that a store into it must go through [`write_barrier`]. For debug checks of stores
/// that skip the barrier because they fill an object just allocated.
///
/// # Safety
/// The rules of [`write_barrier`].
pub unsafe fn is_old(holder: Word) -> bool {
    // SAFETY: rule 1 of `write_barrier`.
    unsafe { is_marked(holder) }
}

/// The barrier's slow path: an old holder goes into the remembered set, once; for a
/// large object, the field is marked dirty too.
#[cold]
#[inline(never)]
fn remember(page: PagePtr, slot: usize, holder: Word, field: usize) {
    if page.header().kind == PageKind::Large {
        page.mark_field_dirty(field);
    }
    if page.remember(slot) {
        let set = page.remembered_set();
        // SAFETY: the heap that owns the page owns its remembered set and outlives the
        // page (rule 4 of `PagePtr::init`); the barrier's caller is its mutator.
        unsafe { (*set).push(holder) }
    }
}
