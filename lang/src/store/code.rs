//! The code table: every compiled procedure a `closure` instruction may name, held
//! while closures may still run it.
//!
//! Closures name their code by address and `closure` instructions name it by index into
//! the [`CodeTable`]. Code that a program's own forms compile to lives as long as the
//! runtime. Code that `eval` and `load` make at run time is a *unit*: the protos of one
//! form, anchored by one heap object that every closure of the unit holds in its last
//! field. A unit stays in the table until a collection finds its anchor dead: then no
//! closure of it is left and no frame runs it (a running frame's closure sits just
//! below its arguments), and its slots are given to later code.

use std::rc::Rc;

use rudo_gc::RootVisitor;

use crate::bytecode::Proto;
use crate::value::Value;

/// Every code object a `closure` instruction may name, by index.
#[derive(Default)]
pub struct CodeTable {
    protos: Vec<Rc<Proto>>,
    /// Indices whose unit died, for new code to take.
    free: Vec<usize>,
    /// The units alive at the last look: a weak pair whose car is the anchor, and the
    /// indices of the unit's code.
    units: Vec<(Value, Vec<usize>)>,
    /// The unit being compiled: its anchor and the indices added to it so far.
    open: Option<(Value, Vec<usize>)>,
    /// Collections counted when the units were last looked at.
    scanned_after: u64,
}

impl CodeTable {
    /// Adds `proto`; its index.
    pub fn add(&mut self, proto: Rc<Proto>) -> usize {
        let index = match self.free.pop() {
            Some(i) => {
                self.protos[i] = proto;
                i
            }
            None => {
                self.protos.push(proto);
                self.protos.len() - 1
            }
        };
        if let Some((_, indices)) = &mut self.open {
            indices.push(index);
        }
        index
    }

    /// One more than the largest index in use.
    pub fn len(&self) -> usize {
        self.protos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.protos.is_empty()
    }

    /// Starts a unit anchored by `anchor`: code compiled until [`CodeTable::close_unit`]
    /// belongs to it.
    pub fn open_unit(&mut self, anchor: Value) {
        debug_assert!(self.open.is_none(), "units do not nest");
        self.open = Some((anchor, Vec::new()));
    }

    /// The anchor of the unit being compiled, if any.
    pub fn anchor(&self) -> Option<Value> {
        self.open.as_ref().map(|(anchor, _)| *anchor)
    }

    /// Ends the unit being compiled; the indices of its code.
    pub fn close_unit(&mut self) -> Vec<usize> {
        self.open
            .take()
            .map(|(_, indices)| indices)
            .unwrap_or_default()
    }

    /// Keeps the code at `indices` while the car of the weak pair `weak` is alive.
    pub fn keep_while(&mut self, weak: Value, indices: Vec<usize>) {
        self.units.push((weak, indices));
    }

    /// Frees the code at `indices`, which nothing can run any more.
    pub fn release(&mut self, indices: Vec<usize>) {
        for &i in &indices {
            self.protos[i] = Rc::default();
        }
        self.free.extend(indices);
    }

    /// Frees the units whose anchors the collections since the last call found dead.
    pub fn reclaim(&mut self, collections: u64) {
        if collections == self.scanned_after {
            return;
        }
        self.scanned_after = collections;
        let (dead, live): (Vec<_>, Vec<_>) = std::mem::take(&mut self.units)
            .into_iter()
            .partition(|(weak, _)| weak.car() == Value::BROKEN);
        self.units = live;
        for (_, indices) in dead {
            self.release(indices);
        }
    }

    /// Visits the roots the table holds: every constant of its code, and the weak pairs
    /// that watch the units' anchors.
    pub fn visit(&self, roots: &mut RootVisitor<'_>) {
        for proto in &self.protos {
            for c in &proto.constants {
                roots.word(c.word());
            }
        }
        for (weak, _) in &self.units {
            roots.word(weak.word());
        }
    }
}

impl std::ops::Index<usize> for CodeTable {
    type Output = Rc<Proto>;

    fn index(&self, i: usize) -> &Rc<Proto> {
        &self.protos[i]
    }
}
