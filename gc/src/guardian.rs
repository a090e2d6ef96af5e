//! Guardians: objects the embedder asks to get back, rather than have freed, once
//! nothing else reaches them (Chez Scheme's guardians).
//!
//! The embedder registers an object with a token of its choosing ([`Heap::guard`]).
//! Registration is not a root: after marking, each collection looks at the registered
//! objects that marking did not reach, marks from them, so that they and everything
//! they refer to survive this collection, and moves them to the ready list, where the
//! embedder finds them with their tokens ([`Heap::take_ready`]). The pass runs before
//! weak cars are broken, so a weak pair to a resurrected object keeps it. Ready objects
//! are roots of every collection until the embedder takes them.

use crate::heap::Heap;
use crate::mark::{is_marked, Mode};
use crate::word::Word;

impl Heap {
    /// Registers the object `w` points to with `token`. An object registered twice comes
    /// back twice. Words that are not pointers are ignored.
    ///
    /// # Safety
    /// `w` points to a live object of this heap.
    pub unsafe fn guard(&mut self, w: Word, token: u64) {
        if w.is_pointer() {
            self.guarded.push((w, token));
        }
    }

    /// The registered objects that the collections so far found unreachable, with their
    /// tokens, oldest first. They are live until the next collection, whose roots must
    /// reach whichever of them the embedder keeps.
    pub fn take_ready(&mut self) -> Vec<(Word, u64)> {
        std::mem::take(&mut self.ready)
    }

    /// How many objects are registered and not yet found unreachable.
    pub fn guarded_count(&self) -> usize {
        self.guarded.len()
    }

    /// After marking: moves the registered objects that marking did not reach to the
    /// ready list, and marks from them. Returns how many it moved. A minor collection
    /// looks only at the objects registered since the last collection: the others were
    /// found live by it, so they are old and stay marked until a full collection.
    pub(crate) fn resurrect_guarded(&mut self, minor: bool) -> usize {
        let from = if minor {
            self.guarded_old.min(self.guarded.len())
        } else {
            0
        };
        let (dead, live): (Vec<_>, Vec<_>) = self
            .guarded
            .split_off(from)
            .into_iter()
            // SAFETY: a registered object was live when registered, and every object
            // stays allocated until a collection finds it unmarked here, which is the
            // only way out of the registry; nothing has been swept since marking.
            .partition(|&(w, _)| !unsafe { is_marked(w) });
        self.guarded.extend(live);
        self.guarded_old = self.guarded.len();
        if dead.is_empty() {
            return 0;
        }
        self.roots.clear();
        self.roots.extend(dead.iter().map(|&(w, _)| w));
        self.marker.begin(Mode::Alone);
        // SAFETY: the objects are live (as above) and the mutator is stopped.
        unsafe { self.marker.mark_from(&self.roots) };
        if let Some(report) = self.reports.iter_mut().find(|r| r.id == self.marker.id) {
            report.counts.marked_bytes += self.marker.counts.marked_bytes;
            report.counts.marked_objects += self.marker.counts.marked_objects;
        }
        let n = dead.len();
        self.ready.extend(dead);
        n
    }
}
