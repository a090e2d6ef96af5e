//! Roots an embedder holds: how Rust keeps a value alive across collections.
//!
//! A [`Root`] shares a cell with the runtime's [`Handles`], which holds it weakly and is
//! a root of every collection: while any clone of the `Root` lives, the collector keeps
//! its value; once the last is dropped, the next collection may free it. Nothing has to
//! be released by hand, and a `Root` cannot outlive what it points into in a way that
//! matters: it is only read through the engine that made it, which checks that it did.

use std::cell::Cell;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};

use rudo_gc::{RootSet, RootVisitor};

use crate::value::Value;

struct Slot {
    value: Cell<Value>,
    /// The [`Handles`] table (and so the heap) the value belongs to.
    owner: u64,
}

/// A value kept alive for as long as this `Root`, or a clone of it, lives.
#[derive(Clone)]
pub struct Root(Rc<Slot>);

impl std::fmt::Debug for Root {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Root({:?})", self.0.value.get())
    }
}

/// The runtime's table of [`Root`]s.
pub struct Handles {
    cells: Vec<Weak<Slot>>,
    /// How many cells were alive when dead ones were last dropped from the table.
    alive_after_prune: usize,
    id: u64,
}

impl Default for Handles {
    fn default() -> Handles {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Handles {
            cells: Vec::new(),
            alive_after_prune: 0,
            id: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Handles {
    /// A new root for `v`, a value of this runtime's heap.
    pub(crate) fn root(&mut self, v: Value) -> Root {
        if self.cells.len() >= 2 * self.alive_after_prune + 16 {
            self.cells.retain(|c| c.strong_count() > 0);
            self.alive_after_prune = self.cells.len();
        }
        let cell = Rc::new(Slot {
            value: Cell::new(v),
            owner: self.id,
        });
        self.cells.push(Rc::downgrade(&cell));
        Root(cell)
    }

    /// The value of `root`.
    ///
    /// # Panics
    /// If `root` was made by another runtime: its value is not in this heap.
    pub(crate) fn get(&self, root: &Root) -> Value {
        assert_eq!(
            root.0.owner, self.id,
            "a Root is used with the engine that made it"
        );
        root.0.value.get()
    }

    /// Roots alive now.
    pub fn len(&self) -> usize {
        self.cells.iter().filter(|c| c.strong_count() > 0).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl RootSet for Handles {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        for cell in self.cells.iter().filter_map(Weak::upgrade) {
            roots.word(cell.value.get().word());
        }
    }
}
