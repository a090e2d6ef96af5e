//! Code generation: the core language to bytecode.
//!
//! Each lambda gets a frame on the VM stack: its arguments in slots `0..n`, then the
//! variables of `let`s in the slots above, in the order they are bound. A variable that
//! an inner lambda captures is copied into the closure; one that is also assigned lives
//! in a box that the frame and the closures share. Calls in tail position reuse the
//! frame.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::ast::{Expr, Lambda, Prim, VarId, VarInfo};
use crate::error::{Error, Result};
use crate::reader::Span;
use crate::runtime::Runtime;
use crate::value::Value;
use crate::vm::{Op, Proto};

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
    /// Where the last plain `local` instruction starts, to fuse the next one into it.
    last_local: Option<usize>,
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
    rt: &'a mut Runtime,
    /// `Options::optimize`.
    optimize: bool,
    vars: &'a [VarInfo],
    functions: Vec<Function>,
}

const MAX_U16: usize = u16::MAX as usize;

impl<'a> Codegen<'a> {
    pub fn new(rt: &'a mut Runtime, vars: &'a [VarInfo]) -> Codegen<'a> {
        Codegen {
            optimize: rt.options.optimize,
            rt,
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
            last_local: None,
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

    /// The code of `f`, once the verifier has found its frame use sound: code it refuses
    /// would make the VM read the wrong slots, so it is an error here instead.
    fn verified(&self, f: Function, span: &Span) -> Result<Rc<Proto>> {
        let proto = Proto {
            anchor: self.rt.code.anchor(),
            ..f.proto
        };
        match crate::vm::verify(&proto, self.rt.code.len(), &f.depths) {
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

    fn f(&mut self) -> &mut Function {
        self.functions
            .last_mut()
            .expect("a function is being compiled")
    }

    fn emit(&mut self, op: Op) {
        self.f().proto.code.push(op as u8);
    }

    fn emit_u16(&mut self, n: usize, span: Option<&Span>) -> Result<()> {
        if n > MAX_U16 {
            let span = span.cloned().unwrap_or_else(|| {
                self.f()
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
        self.f()
            .proto
            .code
            .extend_from_slice(&(n as u16).to_le_bytes());
        Ok(())
    }

    fn emit_u32(&mut self, n: u32) {
        self.f().proto.code.extend_from_slice(&n.to_le_bytes());
    }

    fn pc(&mut self) -> usize {
        self.f().proto.code.len()
    }

    /// Records that code from here on comes from `span`.
    fn mark(&mut self, span: &Span) {
        let pc = self.pc() as u32;
        let spans = &mut self.f().proto.spans;
        if spans.last().is_some_and(|(at, _)| *at == pc) {
            spans.pop();
        }
        spans.push((pc, span.clone()));
    }

    fn constant(&mut self, v: Value) -> usize {
        let f = self.f();
        *f.constant_index.entry(v).or_insert_with(|| {
            f.proto.constants.push(v);
            f.proto.constants.len() - 1
        })
    }

    fn push_depth(&mut self, n: isize) {
        let f = self.f();
        f.depth = (f.depth as isize + n) as usize;
        f.proto.max_stack = f.proto.max_stack.max(f.depth);
    }

    /// Finishes an expression in context `ctx` whose value is on the stack.
    fn finish(&mut self, ctx: Ctx) {
        match ctx.plain() {
            Ctx::Value | Ctx::LoopValue => {}
            Ctx::Tail => self.emit(Op::Return),
            Ctx::Effect | Ctx::LoopEffect => {
                self.emit(Op::Pop);
                self.push_depth(-1);
            }
        }
    }

    /// Compiles `e` for use in `outer`; the forms that pass their position on to a part
    /// (`if`, `begin`, `let`) pass `outer`, the rest look only at its plain context.
    fn expr(&mut self, e: &Expr, outer: Ctx) -> Result<()> {
        let ctx = outer.plain();
        let (pc, depth) = (self.pc(), self.f().depth);
        self.f().depths.push((pc, depth));
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
                let cell = self.rt.global_cell(*sym);
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
                let cell = self.rt.global_cell(*sym);
                let k = self.constant(cell);
                self.mark(span);
                self.emit(Op::SetGlobal);
                self.emit_u16(k, Some(span))?;
                self.push_depth(-1);
                self.unspecified(ctx);
            }
            Expr::DefineGlobal(sym, value) => {
                self.expr(value, Ctx::Value)?;
                let cell = self.rt.global_cell(*sym);
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
            Expr::Seq(exprs) => {
                let (last, init) = exprs.split_last().expect("a sequence is not empty");
                for e in init {
                    self.expr(e, Ctx::Effect)?;
                }
                self.expr(last, outer)?;
            }
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
                self.f().proto.code.extend_from_slice(&imm.to_le_bytes());
                self.finish(ctx);
            }
            Expr::Prim(prim @ (Prim::VectorSet | Prim::SetCar | Prim::SetCdr), args, span) => {
                // Mutators push nothing; their unspecified value is made only if used.
                for a in args {
                    self.expr(a, Ctx::Value)?;
                }
                self.mark(span);
                self.emit(prim_op(*prim));
                self.push_depth(-(args.len() as isize));
                self.unspecified(ctx);
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
        let builtin = self.rt.builtin(prim.name());
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
            Place::Slot(s) => {
                let pc = self.pc();
                let fuse = self.optimize;
                let f = self.f();
                // `local a` right before `local b`, with no jump landing between them,
                // becomes `local2 a b`.
                match f.last_local {
                    Some(at) if fuse && at + 3 == pc && f.last_label <= at => {
                        f.proto.code[at] = Op::Local2 as u8;
                        f.last_local = None;
                    }
                    _ => {
                        f.last_local = Some(pc);
                        self.emit(Op::Local);
                    }
                }
                self.emit_u16(s as usize, None)?;
            }
            Place::Free(i) => {
                self.emit(Op::Free);
                self.emit_u16(i as usize, None)?;
            }
        }
        if self.boxed(var) {
            self.emit(Op::Unbox);
        }
        self.push_depth(1);
        Ok(())
    }

    /// Pops the top of the stack into `var`.
    fn store(&mut self, var: VarId) -> Result<()> {
        if self.boxed(var) {
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
                self.f().proto.code.extend_from_slice(&imm.to_le_bytes());
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
                self.f().proto.code.extend_from_slice(&imm.to_le_bytes());
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
        let depth = self.f().depth;
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
        self.f().depth = depth;
        self.expr(otherwise, ctx)?;
        if let Some(at) = to_end {
            self.patch(at);
        }
        Ok(())
    }

    /// Points the jump operand at `at` to the current position.
    fn patch(&mut self, at: usize) {
        let here = self.pc() as u32;
        self.f().last_label = here as usize;
        self.f().proto.code[at..at + 4].copy_from_slice(&here.to_le_bytes());
    }

    fn let_(&mut self, bindings: &[(VarId, Expr)], body: &Expr, ctx: Ctx) -> Result<()> {
        let base = self.f().depth;
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
            self.f().places.insert(*var, Place::Slot(slot as u16));
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
        self.f().depth = base + usize::from(ctx == Ctx::Value);
        Ok(())
    }

    /// Runs a loop in place: its arguments become slots of this frame, its head boxes the
    /// parameters that need boxes, and the calls at the ends of its body jump back there.
    fn loop_(&mut self, form: LoopForm<'_>, ctx: Ctx) -> Result<()> {
        let LoopForm { var, lambda, args } = form;
        let base = self.f().depth;
        let params = lambda.params.len();
        if base + params > MAX_U16 {
            return Err(Error::syntax(
                "procedure too large: more than 65535 local variables",
                &lambda.span,
            ));
        }
        for a in args {
            self.expr(a, Ctx::Value)?;
        }
        for (i, &p) in lambda.params.iter().enumerate() {
            self.f().places.insert(p, Place::Slot((base + i) as u16));
        }
        let head = self.pc();
        self.f().last_label = head;
        for (i, &p) in lambda.params.iter().enumerate() {
            if self.boxed(p) {
                self.emit(Op::BoxLocal);
                self.emit_u16(base + i, None)?;
            }
        }
        self.f().loops.push(Loop {
            var,
            base: base as u16,
            params,
            head,
        });
        self.mark(&lambda.span);
        let body = self.expr(&lambda.body, ctx.loop_body());
        self.f().loops.pop();
        body?;
        self.leave_scope(base, params, ctx)
    }

    /// The loop run in place that calling `f` with `argc` arguments iterates.
    fn enclosing_loop(&self, f: &Expr, argc: usize) -> Option<&Loop> {
        let Expr::Local(v) = f else { return None };
        let loops = &self.functions.last()?.loops;
        loops
            .iter()
            .rev()
            .find(|l| l.var == *v)
            .filter(|l| l.params == argc)
    }

    /// The next iteration of an enclosing loop: the arguments replace its parameters, and
    /// anything the body pushed above them goes.
    fn loop_jump(&mut self, f: &Expr, args: &[Expr], span: &Span, ctx: Ctx) -> Result<()> {
        let (base, head) = {
            let l = self
                .enclosing_loop(f, args.len())
                .expect("an enclosing loop");
            (l.base, l.head)
        };
        let depth = self.f().depth;
        for a in args {
            self.expr(a, Ctx::Value)?;
        }
        self.mark(span);
        self.emit(Op::Loop);
        self.emit_u16(base as usize, None)?;
        self.emit_u16(args.len(), None)?;
        self.emit_u32(head as u32);
        // What follows is reached only by a jump; the depth is that of the loop's value.
        self.f().depth = depth + usize::from(ctx == Ctx::Value);
        Ok(())
    }

    fn lambda(&mut self, lambda: &Rc<Lambda>) -> Result<()> {
        let free = free_variables(lambda, self.vars, self.optimize);
        let mut places = HashMap::new();
        let params = lambda.params.len();
        for (i, &p) in lambda.params.iter().chain(lambda.rest.iter()).enumerate() {
            places.insert(p, Place::Slot(i as u16));
        }
        for (i, &v) in free.iter().enumerate() {
            places.insert(v, Place::Free(i as u16));
        }
        let depth = params + usize::from(lambda.rest.is_some());
        self.functions.push(Function {
            proto: Proto {
                name: lambda.name.clone(),
                params,
                rest: lambda.rest.is_some(),
                ..Proto::default()
            },
            self_var: lambda.self_var.filter(|_| self.optimize),
            places,
            depth,
            last_local: None,
            last_label: 0,
            loops: Vec::new(),
            depths: Vec::new(),
            constant_index: HashMap::new(),
        });
        self.f().proto.max_stack = depth;
        self.mark(&lambda.span);
        for &p in lambda.params.iter().chain(lambda.rest.iter()) {
            if self.boxed(p) {
                let Place::Slot(s) = self.place(p) else {
                    unreachable!("parameters are slots")
                };
                self.emit(Op::BoxLocal);
                self.emit_u16(s as usize, None)?;
            }
        }
        self.expr(&lambda.body, Ctx::Tail)?;
        let f = self.functions.pop().expect("the lambda's function");
        let proto = self.verified(f, &lambda.span)?;
        let index = self.rt.add_code(proto);
        self.mark(&lambda.span);
        self.emit(Op::Closure);
        self.emit_u32(index as u32);
        self.emit_u16(free.len(), Some(&lambda.span))?;
        for v in free {
            let (kind, n) = match self.place(v) {
                Place::Slot(s) => (0u8, s),
                Place::Free(i) => (1u8, i),
            };
            self.f().proto.code.push(kind);
            self.emit_u16(n as usize, None)?;
        }
        self.push_depth(1);
        Ok(())
    }
}

/// The parts of a loop the current function can run in place (see [`Loop`]).
struct LoopForm<'e> {
    var: VarId,
    lambda: &'e Lambda,
    args: &'e [Expr],
}

/// `(let ((v #<undefined>)) (set! v (lambda params body)) (v args ...))`, the shape of a
/// named `let`, a `do` and a one-binding `letrec` called at once, when nothing but calls at
/// the ends of `body` ever refers to `v`.
fn loop_form<'e>(bindings: &'e [(VarId, Expr)], body: &'e Expr) -> Option<LoopForm<'e>> {
    let [(var, Expr::Const(Value::UNDEFINED))] = bindings else {
        return None;
    };
    let Expr::Seq(exprs) = body else { return None };
    let [Expr::SetLocal(set, value), Expr::Call(f, args, _)] = exprs.as_slice() else {
        return None;
    };
    let (Expr::Lambda(lambda), Expr::Local(called)) = (&**value, &**f) else {
        return None;
    };
    let fits = set == var
        && called == var
        && lambda.rest.is_none()
        && lambda.params.len() == args.len()
        && args.iter().all(|a| !mentions(a, *var))
        && only_called_at_ends(&lambda.body, *var, args.len());
    fits.then_some(LoopForm {
        var: *var,
        lambda,
        args,
    })
}

/// Whether `e` refers to `var` anywhere.
fn mentions(e: &Expr, var: VarId) -> bool {
    !walk(e, false, &mut |e, _| match e {
        Expr::Local(v) | Expr::SetLocal(v, _) => *v != var,
        Expr::Call(f, _, _) => !matches!(&**f, Expr::Local(v) if *v == var),
        _ => true,
    })
}

/// Whether every reference to `var` in `e` is a call with `argc` arguments at an end of
/// `e` (a position whose value is `e`'s value), outside any inner lambda.
fn only_called_at_ends(e: &Expr, var: VarId, argc: usize) -> bool {
    walk(e, true, &mut |e, at_end| match e {
        Expr::Local(v) | Expr::SetLocal(v, _) => *v != var,
        Expr::Call(f, args, _) => match &**f {
            Expr::Local(v) if *v == var => at_end && args.len() == argc,
            _ => true,
        },
        _ => true,
    })
}

/// Visits `e` and its parts, each with whether it is at an end of `e`, until `visit`
/// returns false; returns whether it never did. The operator of a call is visited only
/// as part of the call, not on its own.
fn walk(e: &Expr, at_end: bool, visit: &mut dyn FnMut(&Expr, bool) -> bool) -> bool {
    let mut stack = vec![(e, at_end)];
    while let Some((e, at_end)) = stack.pop() {
        if !visit(e, at_end) {
            return false;
        }
        match e {
            Expr::Const(_) | Expr::Local(_) | Expr::Global(..) => {}
            Expr::SetLocal(_, value)
            | Expr::SetGlobal(_, value, _)
            | Expr::DefineGlobal(_, value) => stack.push((value, false)),
            Expr::If(test, then, otherwise) => {
                stack.extend([(&**test, false), (&**then, at_end), (&**otherwise, at_end)])
            }
            Expr::Lambda(inner) => stack.push((&inner.body, false)),
            Expr::Seq(es) => {
                let (last, init) = es.split_last().expect("a sequence is not empty");
                stack.extend(init.iter().map(|e| (e, false)));
                stack.push((last, at_end));
            }
            Expr::Call(f, args, _) => {
                if !matches!(&**f, Expr::Local(_)) {
                    stack.push((f, false));
                }
                stack.extend(args.iter().map(|a| (a, false)));
            }
            Expr::Prim(_, args, _) => stack.extend(args.iter().map(|a| (a, false))),
            Expr::CallForValues(thunk, _) => stack.push((thunk, false)),
            Expr::Let(bindings, body) => {
                stack.extend(bindings.iter().map(|(_, init)| (init, false)));
                stack.push((body, at_end));
            }
        }
    }
    true
}

/// The fused compare-and-jump for a predicate: it jumps when the predicate is false.
fn branch_op(p: Prim) -> Option<Op> {
    Some(match p {
        Prim::Lt => Op::JumpUnlessLt,
        Prim::Gt => Op::JumpUnlessGt,
        Prim::Le => Op::JumpUnlessLe,
        Prim::Ge => Op::JumpUnlessGe,
        Prim::NumEq => Op::JumpUnlessNumEq,
        Prim::IsEq => Op::JumpUnlessEq,
        Prim::IsNull => Op::JumpUnlessNull,
        Prim::IsPair => Op::JumpUnlessPair,
        Prim::IsZero => Op::JumpUnlessZero,
        _ => return None,
    })
}

/// The instruction that does `p` on operands read from frame slots, where there is one.
fn on_locals_op(p: Prim) -> Option<Op> {
    Some(match p {
        Prim::Add => Op::AddLocals,
        Prim::Sub => Op::SubLocals,
        Prim::Car => Op::LocalCar,
        Prim::Cdr => Op::LocalCdr,
        _ => return None,
    })
}

/// The form of a conditional jump that reads its operands from frame slots, where there
/// is one.
fn with_local_operands(op: Op) -> Op {
    match op {
        Op::JumpUnlessLt => Op::JumpUnlessLtLocals,
        Op::JumpUnlessGt => Op::JumpUnlessGtLocals,
        Op::JumpUnlessLe => Op::JumpUnlessLeLocals,
        Op::JumpUnlessGe => Op::JumpUnlessGeLocals,
        Op::JumpUnlessNumEq => Op::JumpUnlessNumEqLocals,
        Op::JumpUnlessNull => Op::JumpUnlessNullLocal,
        Op::JumpUnlessPair => Op::JumpUnlessPairLocal,
        Op::JumpUnlessLtImm => Op::JumpUnlessLtImmLocal,
        Op::JumpUnlessGtImm => Op::JumpUnlessGtImmLocal,
        Op::JumpUnlessLeImm => Op::JumpUnlessLeImmLocal,
        Op::JumpUnlessGeImm => Op::JumpUnlessGeImmLocal,
        Op::JumpUnlessNumEqImm => Op::JumpUnlessNumEqImmLocal,
        op => op,
    }
}

/// A constant fixnum that fits an `i16` (and whose negation does too).
fn small_constant(e: &Expr) -> Option<i16> {
    match e {
        Expr::Const(v) => v
            .as_fixnum()
            .and_then(|n| i16::try_from(n).ok())
            .filter(|&n| n != i16::MIN),
        _ => None,
    }
}

/// For `(+ x k)`, `(+ k x)` and `(- x k)` with a small constant `k`: the other operand, and
/// what to add to it.
fn small_operand(p: Prim, args: &[Expr]) -> Option<(&Expr, i16)> {
    match (p, args) {
        (Prim::Add, [x, k]) if small_constant(k).is_some() => Some((x, small_constant(k)?)),
        (Prim::Add, [k, x]) if small_constant(k).is_some() => Some((x, small_constant(k)?)),
        (Prim::Sub, [x, k]) if small_constant(k).is_some() => Some((x, -small_constant(k)?)),
        _ => None,
    }
}

/// The compare-with-a-constant jump for `(< x k)` and the like.
fn branch_imm_op(p: Prim, args: &[Expr]) -> Option<(Op, i16)> {
    let op = match p {
        Prim::Lt => Op::JumpUnlessLtImm,
        Prim::Gt => Op::JumpUnlessGtImm,
        Prim::Le => Op::JumpUnlessLeImm,
        Prim::Ge => Op::JumpUnlessGeImm,
        Prim::NumEq => Op::JumpUnlessNumEqImm,
        _ => return None,
    };
    Some((op, small_constant(args.get(1)?)?))
}

fn prim_op(p: Prim) -> Op {
    match p {
        Prim::Add => Op::Add,
        Prim::Sub => Op::Sub,
        Prim::Mul => Op::Mul,
        Prim::Lt => Op::Lt,
        Prim::Gt => Op::Gt,
        Prim::Le => Op::Le,
        Prim::Ge => Op::Ge,
        Prim::NumEq => Op::NumEq,
        Prim::Cons => Op::Cons,
        Prim::Car => Op::Car,
        Prim::Cdr => Op::Cdr,
        Prim::IsNull => Op::IsNull,
        Prim::IsPair => Op::IsPair,
        Prim::Not => Op::Not,
        Prim::IsEq => Op::IsEq,
        Prim::IsZero => Op::IsZero,
        Prim::VectorRef => Op::VectorRef,
        Prim::VectorSet => Op::VectorSet,
        Prim::SetCar => Op::SetCar,
        Prim::SetCdr => Op::SetCdr,
    }
}

/// The variables a lambda refers to that it does not bind: those it captures. Its own
/// variable, when unboxed, is not among them: the closure finds itself in its frame.
fn free_variables(lambda: &Lambda, vars: &[VarInfo], optimize: bool) -> Vec<VarId> {
    let mut used = Vec::new();
    let mut bound = HashSet::new();
    bound.extend(lambda.params.iter().copied());
    bound.extend(lambda.rest);
    let mut stack = vec![&lambda.body];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Local(v) => used.push(*v),
            Expr::SetLocal(v, value) => {
                used.push(*v);
                stack.push(value);
            }
            Expr::Const(_) | Expr::Global(..) => {}
            Expr::SetGlobal(_, value, _) | Expr::DefineGlobal(_, value) => stack.push(value),
            Expr::If(a, b, c) => stack.extend([&**a, &**b, &**c]),
            Expr::Lambda(inner) => {
                bound.extend(inner.params.iter().copied());
                bound.extend(inner.rest);
                stack.push(&inner.body);
            }
            Expr::Seq(es) => stack.extend(es.iter()),
            Expr::Call(f, args, _) => {
                stack.push(f);
                stack.extend(args.iter());
            }
            Expr::Prim(_, args, _) => stack.extend(args.iter()),
            Expr::CallForValues(thunk, _) => stack.push(thunk),
            Expr::Let(bindings, body) => {
                for (v, init) in bindings {
                    bound.insert(*v);
                    stack.push(init);
                }
                stack.push(body);
            }
        }
    }
    if let Some(v) = lambda.self_var.filter(|&v| optimize && !vars[v].boxed()) {
        bound.insert(v);
    }
    let mut seen = HashSet::new();
    used.into_iter()
        .filter(|v| !bound.contains(v) && seen.insert(*v))
        .collect()
}
