//! Loops run in place: a named `let`, `do` or one-binding `letrec` whose lambda is only
//! called at the ends of its own body becomes slots of the enclosing frame and a jump.

use super::super::ast::{Expr, Lambda, VarId};
use super::{Codegen, Ctx, Loop, Place, MAX_U16};
use crate::bytecode::Op;
use crate::error::{Error, Result};
use crate::reader::Span;
use crate::value::Value;

impl Codegen<'_> {
    /// Runs a loop in place: its arguments become slots of this frame, its head boxes the
    /// parameters that need boxes, and the calls at the ends of its body jump back there.
    pub(super) fn loop_(&mut self, form: LoopForm<'_>, ctx: Ctx) -> Result<()> {
        let LoopForm { var, lambda, args } = form;
        let base = self.current().depth;
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
            self.current()
                .places
                .insert(p, Place::Slot((base + i) as u16));
        }
        let head = self.pc();
        self.current().last_label = head;
        for (i, &p) in lambda.params.iter().enumerate() {
            if self.boxed(p) {
                self.emit(Op::BoxLocal);
                self.emit_u16(base + i, None)?;
            }
        }
        self.current().loops.push(Loop {
            var,
            base: base as u16,
            params,
            head,
        });
        self.mark(&lambda.span);
        let body = self.expr(&lambda.body, ctx.loop_body());
        self.current().loops.pop();
        body?;
        self.leave_scope(base, params, ctx)
    }

    /// The loop run in place that calling `f` with `argc` arguments iterates.
    pub(super) fn enclosing_loop(&self, f: &Expr, argc: usize) -> Option<&Loop> {
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
    pub(super) fn loop_jump(
        &mut self,
        f: &Expr,
        args: &[Expr],
        span: &Span,
        ctx: Ctx,
    ) -> Result<()> {
        let (base, head) = {
            let l = self
                .enclosing_loop(f, args.len())
                .expect("an enclosing loop");
            (l.base, l.head)
        };
        let depth = self.current().depth;
        for a in args {
            self.expr(a, Ctx::Value)?;
        }
        self.mark(span);
        self.emit(Op::Loop);
        self.emit_u16(base as usize, None)?;
        self.emit_u16(args.len(), None)?;
        self.emit_u32(head as u32);
        // What follows is reached only by a jump; the depth is that of the loop's value.
        self.current().depth = depth + usize::from(ctx == Ctx::Value);
        Ok(())
    }
}

/// The parts of a loop the current function can run in place (see [`Loop`]).
pub(super) struct LoopForm<'e> {
    pub(super) var: VarId,
    pub(super) lambda: &'e Lambda,
    pub(super) args: &'e [Expr],
}

/// `(let ((v #<undefined>)) (set! v (lambda params body)) (v args ...))`, the shape of a
/// named `let`, a `do` and a one-binding `letrec` called at once, when nothing but calls at
/// the ends of `body` ever refers to `v`.
pub(super) fn loop_form<'e>(bindings: &'e [(VarId, Expr)], body: &'e Expr) -> Option<LoopForm<'e>> {
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
pub(super) fn mentions(e: &Expr, var: VarId) -> bool {
    !walk(e, false, &mut |e, _| match e {
        Expr::Local(v) | Expr::SetLocal(v, _) => *v != var,
        Expr::Call(f, _, _) => !matches!(&**f, Expr::Local(v) if *v == var),
        _ => true,
    })
}

/// Whether every reference to `var` in `e` is a call with `argc` arguments at an end of
/// `e` (a position whose value is `e`'s value), outside any inner lambda.
pub(super) fn only_called_at_ends(e: &Expr, var: VarId, argc: usize) -> bool {
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
pub(super) fn walk(e: &Expr, at_end: bool, visit: &mut dyn FnMut(&Expr, bool) -> bool) -> bool {
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
