//! The heap verifier: checks that every word reachable from the roots is sound.
//!
//! It walks the object graph with its own stack and visited set (it does not touch mark
//! bitmaps, so it can run at any time between collections), and checks that each pointer
//! lands on the start of an allocated slot of a page of the heap, of the kind its tag
//! says, and that each object's header fits its slot. Tests and the stress mode use it.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::heap::Heap;
use crate::page::{page_start, PageKind, PagePtr, POISON};
use crate::roots::{gather, RootSet};
use crate::word::Word;

/// What a successful verification walked.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub pairs: usize,
    pub objects: usize,
}

/// The first unsound word the verifier found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    pub word: Word,
    /// The object that holds the word, or `None` for a root.
    pub holder: Option<Word>,
    pub problem: &'static str,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.holder {
            Some(h) => write!(f, "{:?} held by {:?}: {}", self.word, h, self.problem),
            None => write!(f, "root {:?}: {}", self.word, self.problem),
        }
    }
}

impl std::error::Error for VerifyError {}

impl Heap {
    /// Verifies everything reachable from `roots`.
    pub fn verify<R: RootSet + ?Sized>(&self, roots: &R) -> Result<VerifyReport, VerifyError> {
        let pages: HashMap<usize, PagePtr> = self
            .spaces
            .iter()
            .flat_map(|s| s.pages.iter().chain(s.pending.iter()))
            .chain(self.large.iter())
            .map(|&p| (p.addr(), p))
            .collect();
        let mut root_words = Vec::new();
        gather(roots, &mut root_words);
        let mut stack: Vec<(Word, Option<Word>)> =
            root_words.into_iter().map(|w| (w, None)).collect();
        let mut seen = HashSet::new();
        let mut report = VerifyReport::default();
        while let Some((word, holder)) = stack.pop() {
            if !seen.insert(word.bits()) {
                continue;
            }
            let fail = |problem| VerifyError {
                word,
                holder,
                problem,
            };
            let page = *pages
                .get(&page_start(word.addr()))
                .ok_or(fail("points outside the heap"))?;
            let kind = page.header().kind;
            let kind_ok = match kind {
                PageKind::Pair | PageKind::WeakPair => word.is_pair(),
                PageKind::Object | PageKind::Large => word.is_object(),
            };
            if !kind_ok {
                return Err(fail("points into a page of another kind"));
            }
            let slot = page
                .slot_index(word.addr())
                .ok_or(fail("does not point at the start of a slot"))?;
            if !page.is_allocated(slot) {
                return Err(fail("points at a free slot"));
            }
            if page.first_word(slot).bits() == POISON {
                return Err(fail("points at a poisoned (freed) slot"));
            }
            if word.is_pair() {
                report.pairs += 1;
                // SAFETY: the word points at an allocated pair slot of a live page.
                let (car, cdr) = unsafe { (word.pair_ptr().read(), word.pair_ptr().add(1).read()) };
                for child in [car, cdr] {
                    if child.is_pointer() {
                        stack.push((child, Some(word)));
                    }
                }
                continue;
            }
            report.objects += 1;
            // SAFETY: the word points at an allocated object slot, which starts with a header.
            let header = unsafe { word.header() };
            if (1 + header.size()) * 8 > page.header().slot_bytes as usize {
                return Err(fail("has a header larger than its slot"));
            }
            for i in 0..header.traced() {
                // SAFETY: `i` is below the header's size, which fits the slot.
                let child = unsafe { word.field_ptr(i).read() };
                if child.is_pointer() {
                    stack.push((child, Some(word)));
                }
            }
        }
        Ok(report)
    }
}
