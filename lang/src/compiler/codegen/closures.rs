//! Closure conversion: a lambda's code, and the free variables its closure captures.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::super::ast::{Expr, Lambda, VarId, VarInfo};
use super::{Codegen, Ctx, Function, Place};
use crate::bytecode::{Capture, Op, Proto};
use crate::error::Result;

impl Codegen<'_> {
    /// Makes the closure of `lambda` and pushes it; returns the variables it captures,
    /// in the order of its free slots.
    pub(super) fn lambda(&mut self, lambda: &Rc<Lambda>) -> Result<Vec<VarId>> {
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
            last_read: None,
            last_label: 0,
            loops: Vec::new(),
            depths: Vec::new(),
            constant_index: HashMap::new(),
        });
        self.current().proto.max_stack = depth;
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
        let index = self.store.add_code(proto);
        self.mark(&lambda.span);
        self.emit(Op::Closure);
        self.emit_u32(index as u32);
        self.emit_u16(free.len(), Some(&lambda.span))?;
        for &v in &free {
            let (kind, n) = match self.place_or_self(v) {
                None => (Capture::OwnClosure, 0),
                Some(Place::Slot(s)) => (Capture::Local, s),
                Some(Place::Free(i)) => (Capture::Free, i),
            };
            self.current().proto.code.push(kind as u8);
            self.emit_u16(n as usize, None)?;
        }
        self.push_depth(1);
        Ok(free)
    }
}

/// The variables a lambda refers to that it does not bind: those it captures. Its own
/// variable, when unboxed, is not among them: the closure finds itself in its frame.
pub(super) fn free_variables(lambda: &Lambda, vars: &[VarInfo], optimize: bool) -> Vec<VarId> {
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
