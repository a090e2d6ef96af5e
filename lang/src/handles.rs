//! The handle table: how an embedder keeps a value alive across collections.
//!
//! Rust code that holds a value while Scheme runs (and so while the collector may run)
//! registers it here and gets a [`Handle`]; the table is a root of every collection. A
//! released slot is reused by the next handle.

use rudo_gc::{RootSet, RootVisitor};

use crate::value::Value;

/// A value kept alive until [`Handles::release`]. Not `Clone`: one handle, one release.
#[derive(Debug, PartialEq, Eq)]
pub struct Handle(usize);

#[derive(Default)]
pub struct Handles {
    slots: Vec<Option<Value>>,
    free: Vec<usize>,
}

impl Handles {
    pub fn hold(&mut self, v: Value) -> Handle {
        match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(v);
                Handle(i)
            }
            None => {
                self.slots.push(Some(v));
                Handle(self.slots.len() - 1)
            }
        }
    }

    pub fn get(&self, h: &Handle) -> Value {
        self.slots[h.0].expect("a handle is live until released")
    }

    pub fn set(&mut self, h: &Handle, v: Value) {
        self.slots[h.0] = Some(v);
    }

    pub fn release(&mut self, h: Handle) -> Value {
        self.free.push(h.0);
        self.slots[h.0].take().expect("a handle is released once")
    }

    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl RootSet for Handles {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        for v in self.slots.iter().flatten() {
            roots.word(v.word());
        }
    }
}
