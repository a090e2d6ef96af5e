//! Prototypes: what a lambda (or a top-level form) compiles to.

use crate::source::Span;
use crate::value::Value;

#[derive(Debug, Default)]
pub struct Proto {
    pub name: Option<String>,
    /// Required parameters.
    pub params: usize,
    /// Whether extra arguments are collected in a list after the required ones.
    pub rest: bool,
    pub code: Vec<u8>,
    /// The most stack slots the code uses above its frame pointer (its arguments
    /// included): a call checks that much room before it enters.
    pub max_stack: usize,
    /// Constants the code refers to; roots of every collection.
    pub constants: Vec<Value>,
    /// The source span of instructions, by the offset of the first instruction of each.
    pub spans: Vec<(u32, Span)>,
    /// The anchor of the unit the code belongs to, which its closures hold; `None` for
    /// code that lives as long as the runtime. Not a root: the closures keep it alive.
    pub anchor: Option<Value>,
}

impl Proto {
    /// The source span of the instruction at `pc`.
    pub fn span_at(&self, pc: usize) -> Option<&Span> {
        let i = self.spans.partition_point(|(at, _)| *at as usize <= pc);
        i.checked_sub(1).map(|i| &self.spans[i].1)
    }

    /// The source line where the instruction at `pc` starts.
    pub fn line_at(&self, pc: usize) -> Option<usize> {
        self.span_at(pc).map(|s| s.file.line_col(s.start).0)
    }
}
