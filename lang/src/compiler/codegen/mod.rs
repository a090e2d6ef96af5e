//! Code generation: the core language to bytecode. This module compiles expressions;
//! `emit` writes instructions, `closures` makes lambdas and finds what they capture,
//! `groups` makes the lambdas of internal definitions together, `loops` runs loops in
//! place, and `prims` holds the primitives' instruction tables.
//!
//! Each lambda gets a frame on the VM stack: its arguments in slots `0..n`, then the
//! variables of `let`s in the slots above, in the order they are bound. A variable that
//! an inner lambda captures is copied into the closure; one that is also assigned, or
//! set after a closure captured it, lives in a box that the frame and the closures
//! share. Calls in tail position reuse the frame.

mod captures;
mod closures;
mod emit;
mod groups;
mod loops;
mod prims;

use std::collections::HashMap;
use std::rc::Rc;

use super::ast::{Expr, Prim, VarId, VarInfo};
use crate::bytecode::{Op, Proto};
use crate::error::{Error, Result};
use crate::reader::Span;
use crate::store::Store;
use crate::value::Value;

pub(super) use self::captures::drop_loop_captures;
pub(super) use self::groups::mark_patched_groups;
use self::loops::loop_form;
use self::prims::*;

/// How the value of an expression is used.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Ctx {
    /// Pushed on the stack.
    Value,
    /// Returned from the function (a call here is a tail call).
    Tail,
    /// Discarded: nothing is pushed.
    Effect,
    /// As `Value` or `Effect`, at the end of the body of a loop run in place: a call to
    /// the loop here jumps back to its head.
    LoopValue,
    LoopEffect,
}

impl Ctx {
    /// The context without its loop position.
    fn plain(self) -> Ctx {
        match self {
            Ctx::LoopValue => Ctx::Value,
            Ctx::LoopEffect => Ctx::Effect,
            ctx => ctx,
        }
    }

    /// Whether a call to a loop here is the loop's next iteration.
    fn ends_loop_body(self) -> bool {
        matches!(self, Ctx::Tail | Ctx::LoopValue | Ctx::LoopEffect)
    }

    /// The context of the body of a loop run in a position of this context.
    fn loop_body(self) -> Ctx {
        match self.plain() {
            Ctx::Value => Ctx::LoopValue,
            Ctx::Effect => Ctx::LoopEffect,
            ctx => ctx,
        }
    }
}

/// A named `let` (or `do`, or a one-binding `letrec` whose body calls its lambda) that the
/// current function runs in place: its parameters are slots of the function's frame, and
/// a call to it, which is always at the end of its own body, is a jump to its head.
struct Loop {
    var: VarId,
    base: u16,
    params: usize,
    head: usize,
}

/// Where a variable of an enclosing lambda is, from inside the current one.
#[derive(Copy, Clone)]
enum Place {
    Slot(u16),
    Free(u16),
}

struct Function {
    proto: Proto,
    /// The variable whose value this function's closure is (see `Lambda::self_var`).
    self_var: Option<VarId>,
    places: HashMap<VarId, Place>,
    /// Stack slots in use above the frame pointer.
    depth: usize,
    /// The last plain `local` or `free` instruction and where it starts, to fuse the
    /// next of the same into it.
    last_read: Option<(Op, usize)>,
    /// The last position a jump lands on: nothing before it fuses with what follows.
    last_label: usize,
    /// The loops run in place whose bodies enclose the code being compiled.
    loops: Vec<Loop>,
    /// The depth the code generator counted where each expression's code starts, for
    /// the verifier to hold against the depth the instructions make.
    depths: Vec<(usize, usize)>,
    /// Where each constant is in `proto.constants`.
    constant_index: HashMap<Value, usize>,
}

pub struct Codegen<'a> {
    store: &'a mut Store,
    /// `Options::optimize`.
    optimize: bool,
    vars: &'a [VarInfo],
    functions: Vec<Function>,
}

const MAX_U16: usize = u16::MAX as usize;

impl<'a> Codegen<'a> {
    pub fn new(store: &'a mut Store, vars: &'a [VarInfo]) -> Codegen<'a> {
        Codegen {
            optimize: store.options.optimize,
            store,
            vars,
            functions: Vec::new(),
        }
    }

    /// Compiles a top-level expression as a procedure of no arguments.
    pub fn toplevel(mut self, body: &Expr, span: &Span) -> Result<Rc<Proto>> {
        self.functions.push(Function {
            proto: Proto {
                name: Some("top-level".into()),
                ..Proto::default()
            },
            self_var: None,
            places: HashMap::new(),
            depth: 0,
            last_read: None,
            last_label: 0,
            loops: Vec::new(),
            depths: Vec::new(),
            constant_index: HashMap::new(),
        });
        self.mark(span);
        // Not a tail call: the top-level frame stays, so an error in what the form calls
        // still points at the form.
        self.expr(body, Ctx::Value)?;
        self.emit(Op::Return);
        let f = self.functions.pop().expect("the top-level function");
        self.verified(f, span)
    }

    /// Compiles `e` for use in `outer`; the forms that pass their position on to a part
    /// (`if`, `begin`, `let`) pass `outer`, the rest look only at its plain context.
    fn expr(&mut self, e: &Expr, outer: Ctx) -> Result<()> {
        let ctx = outer.plain();
        let (pc, depth) = (self.pc(), self.current().depth);
        self.current().depths.push((pc, depth));
        match e {
            Expr::Call(f, args, span)
                if outer.ends_loop_body() && self.enclosing_loop(f, args.len()).is_some() =>
            {
                self.loop_jump(f, args, span, ctx)?
            }
            Expr::Const(v) => {
                if ctx == Ctx::Effect {
                    return Ok(());
                }
                self.constant_value(*v)?;
                self.finish(ctx);
            }
            Expr::Local(var) => {
                if ctx == Ctx::Effect {
                    return Ok(());
                }
                match self.plain_slot(*var) {
                    Some(s) if ctx == Ctx::Tail && self.optimize => {
                        self.emit(Op::ReturnLocal);
                        self.emit_u16(s as usize, None)?;
                    }
                    _ => {
                        self.load(*var)?;
                        self.finish(ctx);
                    }
                }
            }
            Expr::Global(sym, span) => {
                let cell = self.store.global_cell(*sym);
                let k = self.constant(cell);
                self.mark(span);
                self.emit(Op::Global);
                self.emit_u16(k, Some(span))?;
                self.push_depth(1);
                self.finish(ctx);
            }
            Expr::SetLocal(var, value) => {
                self.expr(value, Ctx::Value)?;
                self.store(*var)?;
                self.unspecified(ctx);
            }
            Expr::SetGlobal(sym, value, span) => {
                self.expr(value, Ctx::Value)?;
                let cell = self.store.global_cell(*sym);
                let k = self.constant(cell);
                self.mark(span);
                self.emit(Op::SetGlobal);
                self.emit_u16(k, Some(span))?;
                self.push_depth(-1);
                self.unspecified(ctx);
            }
            Expr::DefineGlobal(sym, value) => {
                self.expr(value, Ctx::Value)?;
                let cell = self.store.global_cell(*sym);
                let k = self.constant(cell);
                self.emit(Op::DefineGlobal);
                self.emit_u16(k, None)?;
                self.push_depth(-1);
                self.unspecified(ctx);
            }
            Expr::If(test, then, otherwise) => self.if_(test, then, otherwise, outer)?,
            Expr::Lambda(lambda) => {
                if ctx == Ctx::Effect {
                    return Ok(());
                }
                self.lambda(lambda)?;
                self.finish(ctx);
            }
            Expr::Seq(exprs) => self.sequence(exprs, outer)?,
            Expr::Call(f, args, span)
                if ctx == Ctx::Tail && self.optimize && self.is_self_call(f, args.len()) =>
            {
                // A loop: the arguments replace the parameters and the code starts over.
                for a in args {
                    self.expr(a, Ctx::Value)?;
                }
                self.mark(span);
                self.emit(Op::SelfTailCall);
                self.emit_u16(args.len(), Some(span))?;
                self.push_depth(-(args.len() as isize));
            }
            Expr::Call(f, args, span) => {
                self.expr(f, Ctx::Value)?;
                self.call(args, span, ctx)?;
            }
            Expr::CallForValues(thunk, span) => {
                // Never a tail call, even in tail position: the marker must follow it.
                self.expr(thunk, Ctx::Value)?;
                self.call(&[], span, Ctx::Value)?;
                self.emit(Op::AcceptValues);
                self.finish(ctx);
            }
            Expr::Prim(prim, args, span) if !self.optimize => {
                self.prim_as_call(*prim, args, span, ctx)?
            }
            Expr::Prim(prim @ (Prim::Add | Prim::Sub), args, span)
                if small_operand(*prim, args).is_some() =>
            {
                let (other, imm) = small_operand(*prim, args).expect("a small operand");
                let slot = match other {
                    Expr::Local(v) if !self.boxed(*v) && !self.is_self(*v) => {
                        match self.place(*v) {
                            Place::Slot(s) => Some(s),
                            Place::Free(_) => None,
                        }
                    }
                    _ => None,
                };
                match slot {
                    Some(s) => {
                        self.mark(span);
                        self.emit(Op::LocalAddImm);
                        self.emit_u16(s as usize, None)?;
                        self.push_depth(1);
                    }
                    None => {
                        self.expr(other, Ctx::Value)?;
                        self.mark(span);
                        self.emit(Op::AddImm);
                    }
                }
                self.current()
                    .proto
                    .code
                    .extend_from_slice(&imm.to_le_bytes());
                self.finish(ctx);
            }
            Expr::Prim(
                prim @ (Prim::VectorSet | Prim::SetCar | Prim::SetCdr | Prim::RecordSet),
                args,
                span,
            ) => {
                // Mutators push nothing; their unspecified value is made only if used.
                for a in args {
                    self.expr(a, Ctx::Value)?;
                }
                self.mark(span);
                self.emit(prim_op(*prim));
                self.push_depth(-(args.len() as isize));
                self.unspecified(ctx);
            }
            Expr::Prim(Prim::MakeRecord, args, span) => {
                for a in args {
                    self.expr(a, Ctx::Value)?;
                }
                self.mark(span);
                self.emit(Op::MakeRecord);
                self.emit_u16(args.len(), Some(span))?;
                self.push_depth(1 - args.len() as isize);
                self.finish(ctx);
            }
            Expr::Prim(prim, args, span)
                if on_locals_op(*prim).is_some()
                    && args.iter().all(|a| self.plain_local(a).is_some()) =>
            {
                let op = on_locals_op(*prim).expect("an operation on locals");
                self.emit_on_locals(op, args, span)?;
                self.push_depth(1);
                self.finish(ctx);
            }
            Expr::Prim(prim, args, span) => {
                for a in args {
                    self.expr(a, Ctx::Value)?;
                }
                self.mark(span);
                self.emit(prim_op(*prim));
                self.push_depth(1 - args.len() as isize);
                self.finish(ctx);
            }
            Expr::Let(bindings, body) => match loop_form(bindings, body) {
                Some(form) if self.optimize => self.loop_(form, outer)?,
                _ => self.let_(bindings, body, outer)?,
            },
        }
        Ok(())
    }

    /// A primitive called as the builtin it names, as unoptimised code does.
    fn prim_as_call(&mut self, prim: Prim, args: &[Expr], span: &Span, ctx: Ctx) -> Result<()> {
        let builtin = self.store.builtin(prim.name());
        self.constant_value(builtin)?;
        self.call(args, span, ctx)
    }

    /// The call of the procedure on the stack's top with `args`.
    fn call(&mut self, args: &[Expr], span: &Span, ctx: Ctx) -> Result<()> {
        for a in args {
            self.expr(a, Ctx::Value)?;
        }
        self.mark(span);
        self.emit(if ctx == Ctx::Tail {
            Op::TailCall
        } else {
            Op::Call
        });
        self.emit_u16(args.len(), Some(span))?;
        self.push_depth(-(args.len() as isize));
        if ctx == Ctx::Effect {
            self.finish(ctx);
        }
        Ok(())
    }

    fn constant_value(&mut self, v: Value) -> Result<()> {
        match v {
            Value::NIL => self.emit(Op::Nil),
            Value::TRUE => self.emit(Op::True),
            Value::FALSE => self.emit(Op::False),
            Value::UNSPECIFIED => self.emit(Op::Unspecified),
            _ => {
                let k = self.constant(v);
                self.emit(Op::Const);
                self.emit_u16(k, None)?;
            }
        }
        self.push_depth(1);
        Ok(())
    }

    /// The value of `set!` and `define`, which is unspecified.
    fn unspecified(&mut self, ctx: Ctx) {
        if ctx != Ctx::Effect {
            self.emit(Op::Unspecified);
            self.push_depth(1);
            self.finish(ctx);
        }
    }

    fn place(&self, var: VarId) -> Place {
        match self.functions.last().and_then(|f| f.places.get(&var)) {
            Some(&place) => place,
            None => unreachable!(
                "variable `{}` has no place in its frame",
                self.vars[var].name
            ),
        }
    }

    /// Where `var` is, or `None` when it is the current function's own closure.
    fn place_or_self(&self, var: VarId) -> Option<Place> {
        (!self.is_self(var)).then(|| self.place(var))
    }

    /// Whether calling `f` with `argc` arguments calls the current function itself, with
    /// exactly its parameters.
    fn is_self_call(&self, f: &Expr, argc: usize) -> bool {
        let Expr::Local(v) = f else { return false };
        let proto = &self.functions.last().expect("a function").proto;
        self.is_self(*v) && !proto.rest && proto.params == argc
    }

    /// The frame slot of `var` when it is a plain local: not boxed, not the closure itself.
    fn plain_slot(&self, var: VarId) -> Option<u16> {
        if self.boxed(var) || self.is_self(var) {
            return None;
        }
        match self.place(var) {
            Place::Slot(s) => Some(s),
            Place::Free(_) => None,
        }
    }

    /// Emits `op` with the frame slots of `args`, which are plain locals, as operands.
    fn emit_on_locals(&mut self, op: Op, args: &[Expr], span: &Span) -> Result<()> {
        self.mark(span);
        self.emit(op);
        for a in args {
            let slot = self.plain_local(a).expect("a plain local");
            self.emit_u16(slot as usize, None)?;
        }
        Ok(())
    }

    /// The frame slot of `e` when it is a plain local.
    fn plain_local(&self, e: &Expr) -> Option<u16> {
        match e {
            Expr::Local(v) => self.plain_slot(*v),
            _ => None,
        }
    }

    /// Whether `var` lives in a box. Unoptimised code also boxes a lambda's own
    /// variable, which the lambda then captures like any other, rather than finding
    /// its closure in its frame.
    fn boxed(&self, var: VarId) -> bool {
        let info = &self.vars[var];
        info.boxed() || (!self.optimize && info.late_init && info.self_referenced)
    }

    /// Whether `var` is the current function's own closure, found in its frame.
    fn is_self(&self, var: VarId) -> bool {
        self.optimize
            && self
                .functions
                .last()
                .is_some_and(|f| f.self_var == Some(var))
            && !self.boxed(var)
    }

    fn load(&mut self, var: VarId) -> Result<()> {
        if self.is_self(var) {
            self.emit(Op::SelfRef);
            self.push_depth(1);
            return Ok(());
        }
        match self.place(var) {
            Place::Slot(s) => self.emit_read(Op::Local, Op::Local2, s)?,
            Place::Free(i) if self.boxed(var) && self.optimize => {
                self.emit(Op::FreeUnbox);
                self.emit_u16(i as usize, None)?;
                self.push_depth(1);
                return Ok(());
            }
            Place::Free(i) => self.emit_read(Op::Free, Op::Free2, i)?,
        }
        if self.boxed(var) {
            self.emit(Op::Unbox);
        }
        self.push_depth(1);
        Ok(())
    }

    /// Emits `op n`, a read of a slot or a free variable; when the instruction just before
    /// is the same read, with no jump landing between them, the two become `pair m n`.
    fn emit_read(&mut self, op: Op, pair: Op, n: u16) -> Result<()> {
        let pc = self.pc();
        let fuse = self.optimize;
        let f = self.current();
        match f.last_read {
            Some((last, at)) if fuse && last == op && at + 3 == pc && f.last_label <= at => {
                f.proto.code[at] = pair as u8;
                f.last_read = None;
            }
            _ => {
                f.last_read = fuse.then_some((op, pc));
                self.emit(op);
            }
        }
        self.emit_u16(n as usize, None)
    }

    /// Pops the top of the stack into `var`.
    fn store(&mut self, var: VarId) -> Result<()> {
        if self.boxed(var) {
            if let (Place::Free(i), true) = (self.place(var), self.optimize) {
                self.emit(Op::FreeSetBox);
                self.emit_u16(i as usize, None)?;
                self.push_depth(-1);
                return Ok(());
            }
            self.load_box(var)?;
            self.emit(Op::SetBox);
            self.push_depth(-2);
            return Ok(());
        }
        match self.place(var) {
            Place::Slot(s) => {
                self.emit(Op::SetLocal);
                self.emit_u16(s as usize, None)?;
                self.push_depth(-1);
                Ok(())
            }
            Place::Free(_) => unreachable!("a captured variable that is assigned is boxed"),
        }
    }

    /// Pushes the box of a boxed variable itself.
    fn load_box(&mut self, var: VarId) -> Result<()> {
        let (op, n) = match self.place(var) {
            Place::Slot(s) => (Op::Local, s),
            Place::Free(i) => (Op::Free, i),
        };
        self.emit(op);
        self.emit_u16(n as usize, None)?;
        self.push_depth(1);
        Ok(())
    }

    fn if_(&mut self, test: &Expr, then: &Expr, otherwise: &Expr, ctx: Ctx) -> Result<()> {
        // `(if (not x) a b)` is `(if x b a)`, which branches on `x` directly.
        if let (Expr::Prim(Prim::Not, args, _), true) = (test, self.optimize) {
            return self.if_(&args[0], otherwise, then, ctx);
        }
        // A test that is an inline predicate jumps on its operands directly, reading them
        // from their slots when they are plain locals.
        let args = match test {
            Expr::Prim(_, args, _) => &args[..],
            _ => &[],
        };
        let first = args.first().and_then(|a| self.plain_local(a));
        let all_locals = args.iter().all(|a| self.plain_local(a).is_some());
        let test_shape = if self.optimize {
            test
        } else {
            &Expr::Seq(Vec::new())
        };
        match (test_shape, all_locals) {
            (Expr::Prim(prim, args, span), _)
                if first.is_some() && branch_imm_op(*prim, args).is_some() =>
            {
                let slot = first.expect("a plain local");
                let (op, imm) = branch_imm_op(*prim, args).expect("a comparison with a constant");
                self.mark(span);
                self.emit(with_local_operands(op));
                self.emit_u16(slot as usize, None)?;
                self.current()
                    .proto
                    .code
                    .extend_from_slice(&imm.to_le_bytes());
            }
            (Expr::Prim(prim, args, span), true)
                if branch_op(*prim).is_some_and(|op| with_local_operands(op) != op) =>
            {
                let op = branch_op(*prim).expect("a branching predicate");
                self.emit_on_locals(with_local_operands(op), args, span)?;
            }
            (Expr::Prim(prim, args, span), _) if branch_imm_op(*prim, args).is_some() => {
                let (op, imm) = branch_imm_op(*prim, args).expect("a comparison with a constant");
                self.expr(&args[0], Ctx::Value)?;
                self.mark(span);
                self.emit(op);
                self.current()
                    .proto
                    .code
                    .extend_from_slice(&imm.to_le_bytes());
                self.push_depth(-1);
            }
            (Expr::Prim(prim, args, span), _) if branch_op(*prim).is_some() => {
                for a in args {
                    self.expr(a, Ctx::Value)?;
                }
                self.mark(span);
                self.emit(branch_op(*prim).expect("a branching predicate"));
                self.push_depth(-(args.len() as isize));
            }
            _ => {
                self.expr(test, Ctx::Value)?;
                self.emit(Op::JumpIfFalse);
                self.push_depth(-1);
            }
        }
        let to_else = self.pc();
        self.emit_u32(0);
        let depth = self.current().depth;
        self.expr(then, ctx)?;
        let to_end = if ctx == Ctx::Tail {
            None
        } else {
            self.emit(Op::Jump);
            let at = self.pc();
            self.emit_u32(0);
            Some(at)
        };
        self.patch(to_else);
        self.current().depth = depth;
        self.expr(otherwise, ctx)?;
        if let Some(at) = to_end {
            self.patch(at);
        }
        Ok(())
    }

    fn let_(&mut self, bindings: &[(VarId, Expr)], body: &Expr, ctx: Ctx) -> Result<()> {
        let base = self.current().depth;
        for (_, init) in bindings {
            self.expr(init, Ctx::Value)?;
        }
        for (i, (var, _)) in bindings.iter().enumerate() {
            let slot = base + i;
            if slot > MAX_U16 {
                return Err(Error::runtime(
                    "procedure too large: more than 65535 local variables",
                    vec![],
                ));
            }
            self.current().places.insert(*var, Place::Slot(slot as u16));
            if self.boxed(*var) {
                self.emit(Op::BoxLocal);
                self.emit_u16(slot, None)?;
            }
        }
        self.expr(body, ctx)?;
        self.leave_scope(base, bindings.len(), ctx)
    }

    /// Drops the `n` slots from `base` up that a scope bound, under its value if it has one.
    fn leave_scope(&mut self, base: usize, n: usize, ctx: Ctx) -> Result<()> {
        let ctx = ctx.plain();
        match ctx {
            Ctx::Tail => {}
            Ctx::Value if n > 0 => {
                self.emit(Op::Slide);
                self.emit_u16(n, None)?;
            }
            Ctx::Effect if n > 0 => {
                self.emit(Op::Drop);
                self.emit_u16(n, None)?;
            }
            _ => {}
        }
        self.current().depth = base + usize::from(ctx == Ctx::Value);
        Ok(())
    }
}
