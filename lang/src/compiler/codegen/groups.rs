//! Groups of lambdas that internal definitions and `letrec` bind, made without boxes.
//!
//! A variable bound before its value is known, and captured, would live in a box: a
//! closure made before the variable is set must see it once it is. But a run of
//! definitions whose values are lambdas or constants runs no code: nothing can read the
//! variables until the run has ended. So the closures are made one after another, each
//! capturing what the slots hold at that moment, and at the end of the run every capture
//! of a variable the run set later is patched with its value. The variables are then
//! plain slots, read without a box, and one procedure finds another with one load.
//!
//! This is sound only when no closure made before the run refers to the variable: its
//! capture would never be patched. Such a variable keeps its box, as does one that `set!`
//! assigns.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use super::super::ast::{Expr, Lambda, VarId, VarInfo};
use super::{Codegen, Ctx, Place};
use crate::bytecode::Op;
use crate::error::Result;

/// Marks `patched` the lambdas' variables of runs that nothing before their run refers
/// to and nothing else sets.
pub(in crate::compiler) fn mark_patched_groups(body: &Expr, vars: &mut [VarInfo]) {
    // Every expression gets a number in the order of the walk, which is the order of the
    // source; the references to a variable before its run are those numbered below the
    // number of the run's first expression.
    let mut first_reference: Vec<Option<usize>> = vec![None; vars.len()];
    let mut sets = vec![0usize; vars.len()];
    // For each run: the number of its first expression, and its lambdas' variables.
    let mut runs: Vec<(usize, Vec<VarId>)> = Vec::new();
    let mut run_starting_at: HashMap<*const Expr, usize> = HashMap::new();
    let mut stack = vec![body];
    let mut number = 0;
    while let Some(e) = stack.pop() {
        let here = number;
        number += 1;
        if let Some(&run) = run_starting_at.get(&std::ptr::from_ref(e)) {
            runs[run].0 = here;
        }
        match e {
            Expr::Const(_) | Expr::Global(..) => {}
            Expr::Local(v) => {
                first_reference[*v].get_or_insert(here);
            }
            Expr::SetLocal(v, value) => {
                first_reference[*v].get_or_insert(here);
                sets[*v] += 1;
                stack.push(value);
            }
            Expr::SetGlobal(_, value, _) | Expr::DefineGlobal(_, value) => stack.push(value),
            Expr::If(a, b, c) => stack.extend([&**c, &**b, &**a]),
            Expr::Lambda(lambda) => stack.push(&lambda.body),
            Expr::Seq(es) => {
                for run in runs_of(&es[..es.len() - 1], vars) {
                    run_starting_at.insert(std::ptr::from_ref(&es[run.start]), runs.len());
                    let members = es[run].iter().filter_map(|e| member(e, vars));
                    let lambdas = members.filter(|(v, l)| l.is_some() && !vars[*v].assigned);
                    runs.push((usize::MAX, lambdas.map(|(v, _)| v).collect()));
                }
                stack.extend(es.iter().rev());
            }
            Expr::Call(f, args, _) => {
                stack.extend(args.iter().rev());
                stack.push(f);
            }
            Expr::Prim(_, args, _) => stack.extend(args.iter().rev()),
            Expr::CallForValues(thunk, _) => stack.push(thunk),
            Expr::Let(bindings, body) => {
                stack.push(body);
                stack.extend(bindings.iter().rev().map(|(_, init)| init));
            }
        }
    }
    for (start, run) in runs {
        for v in run {
            if sets[v] == 1 && first_reference[v].is_none_or(|n| n >= start) {
                vars[v].patched = true;
            }
        }
    }
}

/// When `e` can be part of a run: it sets a variable bound before its value is known to
/// a lambda or a constant. The variable, and the lambda if it is one.
fn member<'e>(e: &'e Expr, vars: &[VarInfo]) -> Option<(VarId, Option<&'e Rc<Lambda>>)> {
    match e {
        Expr::SetLocal(v, value) if vars[*v].late_init => match &**value {
            Expr::Lambda(lambda) => Some((*v, Some(lambda))),
            Expr::Const(_) => Some((*v, None)),
            _ => None,
        },
        _ => None,
    }
}

/// The ranges of `es` that are runs of `member`s with a lambda among them. A sequence's
/// last expression is never in one: it is compiled for the sequence's context, not for
/// effect.
fn runs_of(es: &[Expr], vars: &[VarInfo]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    // The run being read: where it started, and whether it has a lambda yet.
    let mut open: Option<(usize, bool)> = None;
    for (i, e) in es.iter().enumerate() {
        match (member(e, vars), open) {
            (Some((_, lambda)), None) => open = Some((i, lambda.is_some())),
            (Some((_, lambda)), Some((start, any))) => {
                open = Some((start, any || lambda.is_some()));
            }
            (None, Some((start, any))) => {
                if any {
                    runs.push(start..i);
                }
                open = None;
            }
            (None, None) => {}
        }
    }
    if let Some((start, true)) = open {
        runs.push(start..es.len());
    }
    runs
}

impl Codegen<'_> {
    /// A sequence, its runs of definitions made as groups.
    pub(super) fn sequence(&mut self, es: &[Expr], outer: Ctx) -> Result<()> {
        let (last, init) = es.split_last().expect("a sequence is not empty");
        let runs = if self.optimize {
            runs_of(init, self.vars)
        } else {
            Vec::new()
        };
        let mut next = 0;
        for run in runs {
            for e in &init[next..run.start] {
                self.expr(e, Ctx::Effect)?;
            }
            self.group(&init[run.clone()])?;
            next = run.end;
        }
        for e in &init[next..] {
            self.expr(e, Ctx::Effect)?;
        }
        self.expr(last, outer)
    }

    /// Sets the variables of a run, then patches the closures' captures of the patched
    /// variables that the run set after them.
    fn group(&mut self, run: &[Expr]) -> Result<()> {
        let mut position = HashMap::new();
        let mut made = Vec::new();
        for (i, e) in run.iter().enumerate() {
            let (var, lambda) = member(e, self.vars).expect("a run's member");
            position.insert(var, i);
            match lambda {
                Some(lambda) => {
                    let free = self.lambda(lambda)?;
                    self.store(var)?;
                    made.push((i, var, free));
                }
                None => self.expr(e, Ctx::Effect)?,
            }
        }
        for (i, var, free) in made {
            for (k, &captured) in free.iter().enumerate() {
                let set_later = position.get(&captured).is_some_and(|&j| j >= i);
                if !set_later || !self.vars[captured].patched {
                    continue;
                }
                let Place::Slot(value) = self.place(captured) else {
                    unreachable!("the run's variables are slots of this frame")
                };
                self.load(var)?;
                self.emit(Op::PatchCapture);
                self.emit_u16(k, None)?;
                self.emit_u16(value as usize, None)?;
                self.push_depth(-1);
            }
        }
        Ok(())
    }
}
