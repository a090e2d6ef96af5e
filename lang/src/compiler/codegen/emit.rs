//! Emitting instructions: operands, spans, constants, the stack depth the verifier
//! checks, and finishing a function.

use std::rc::Rc;

use super::{Codegen, Ctx, Function, MAX_U16};
use crate::bytecode::{Op, Proto};
use crate::error::{Error, Result};
use crate::reader::Span;
use crate::value::Value;

impl Codegen<'_> {
    /// The code of `f`, once the verifier has found its frame use sound: code it refuses
    /// would make the VM read the wrong slots, so it is an error here instead.
    pub(super) fn verified(&self, f: Function, span: &Span) -> Result<Rc<Proto>> {
        let proto = Proto {
            anchor: self.store.code.anchor(),
            ..f.proto
        };
        match crate::bytecode::verify(&proto, self.store.code.len(), &f.depths) {
            Ok(()) => Ok(Rc::new(proto)),
            Err(e) => Err(Error::syntax(
                format!(
                    "internal compiler error: the code of `{}` is unsound: {e}",
                    proto.name.as_deref().unwrap_or("lambda")
                ),
                span,
            )),
        }
    }

    /// The function being compiled: the innermost lambda.
    pub(super) fn current(&mut self) -> &mut Function {
        self.functions
            .last_mut()
            .expect("a function is being compiled")
    }

    pub(super) fn emit(&mut self, op: Op) {
        self.current().proto.code.push(op as u8);
    }

    pub(super) fn emit_u16(&mut self, n: usize, span: Option<&Span>) -> Result<()> {
        if n > MAX_U16 {
            let span = span.cloned().unwrap_or_else(|| {
                self.current()
                    .proto
                    .spans
                    .last()
                    .map(|s| s.1.clone())
                    .expect("a span")
            });
            return Err(Error::syntax(
                "procedure too large: more than 65535 slots, constants or arguments",
                &span,
            ));
        }
        self.current()
            .proto
            .code
            .extend_from_slice(&(n as u16).to_le_bytes());
        Ok(())
    }

    pub(super) fn emit_u32(&mut self, n: u32) {
        self.current()
            .proto
            .code
            .extend_from_slice(&n.to_le_bytes());
    }

    pub(super) fn pc(&mut self) -> usize {
        self.current().proto.code.len()
    }

    /// Records that code from here on comes from `span`.
    pub(super) fn mark(&mut self, span: &Span) {
        let pc = self.pc() as u32;
        let spans = &mut self.current().proto.spans;
        if spans.last().is_some_and(|(at, _)| *at == pc) {
            spans.pop();
        }
        spans.push((pc, span.clone()));
    }

    pub(super) fn constant(&mut self, v: Value) -> usize {
        let f = self.current();
        *f.constant_index.entry(v).or_insert_with(|| {
            f.proto.constants.push(v);
            f.proto.constants.len() - 1
        })
    }

    pub(super) fn push_depth(&mut self, n: isize) {
        let f = self.current();
        f.depth = (f.depth as isize + n) as usize;
        f.proto.max_stack = f.proto.max_stack.max(f.depth);
    }

    /// Finishes an expression in context `ctx` whose value is on the stack.
    pub(super) fn finish(&mut self, ctx: Ctx) {
        match ctx.plain() {
            Ctx::Value | Ctx::LoopValue => {}
            Ctx::Tail => self.emit(Op::Return),
            Ctx::Effect | Ctx::LoopEffect => {
                self.emit(Op::Pop);
                self.push_depth(-1);
            }
        }
    }

    /// Points the jump operand at `at` to the current position.
    pub(super) fn patch(&mut self, at: usize) {
        let here = self.pc() as u32;
        self.current().last_label = here as usize;
        self.current().proto.code[at..at + 4].copy_from_slice(&here.to_le_bytes());
    }
}
