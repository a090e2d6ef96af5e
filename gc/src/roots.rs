//! The root set: what the embedder tells the collector is live.

use crate::word::Word;

/// Something that can name the words that are roots of a collection.
///
/// The embedder implements this for whatever holds its live values (a VM's stack, its
/// globals, a handle table). Every heap word reachable by the program must be reachable
/// from what `visit` names, or the collector frees it.
pub trait RootSet {
    fn visit(&self, roots: &mut RootVisitor<'_>);
}

/// Receives root words. Words that are not pointers are skipped.
pub struct RootVisitor<'a> {
    out: &'a mut Vec<Word>,
}

impl<'a> RootVisitor<'a> {
    pub(crate) fn new(out: &'a mut Vec<Word>) -> RootVisitor<'a> {
        RootVisitor { out }
    }

    #[inline]
    pub fn word(&mut self, w: Word) {
        if w.is_pointer() {
            self.out.push(w);
        }
    }

    pub fn words(&mut self, ws: &[Word]) {
        self.out
            .extend(ws.iter().copied().filter(|w| w.is_pointer()));
    }
}

impl RootSet for [Word] {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        roots.words(self);
    }
}

impl<const N: usize> RootSet for [Word; N] {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        roots.words(self);
    }
}

impl RootSet for Vec<Word> {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        roots.words(self);
    }
}

impl RootSet for Word {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        roots.word(*self);
    }
}

/// Collects the roots of a set into `out` (cleared first).
pub(crate) fn gather<R: RootSet + ?Sized>(set: &R, out: &mut Vec<Word>) {
    out.clear();
    set.visit(&mut RootVisitor::new(out));
}
