//! Which variables closures really capture, once the loops that run in place are known.
//!
//! The expander marks a variable captured when a lambda other than its binder refers to
//! it, and a captured variable bound before its value is known (an internal `define`, a
//! `letrec`) lives in a box. But the lambda of a named `let` or a `do` that runs in place
//! (see `loops`) is no closure: its body runs in the frame that binds the variables it
//! refers to, so they need no box, and a body whose internal definitions a `do` loop reads
//! would otherwise unbox them at every iteration.

use super::super::ast::{Expr, VarInfo};
use super::loops::loop_form;

/// Clears `captured` for every variable that only its own frame refers to, counting the
/// bodies of loops run in place as part of the frame that runs them.
pub(in crate::compiler) fn drop_loop_captures(body: &Expr, vars: &mut [VarInfo]) {
    // The frame each variable lives in: 0 for the top-level code, then one per closure.
    let mut frame_of: Vec<Option<usize>> = vec![None; vars.len()];
    let mut captured = vec![false; vars.len()];
    let mut frames = 1;
    let mut stack = vec![(body, 0usize)];
    // A variable's binder is always met before its references: the walk is depth first,
    // and it records a binder's variables before it pushes what they scope over.
    let mut refer = |v: usize, frame: usize, frame_of: &[Option<usize>]| {
        if frame_of[v] != Some(frame) {
            captured[v] = true;
        }
    };
    while let Some((e, frame)) = stack.pop() {
        match e {
            Expr::Const(_) | Expr::Global(..) => {}
            Expr::Local(v) => refer(*v, frame, &frame_of),
            Expr::SetLocal(v, value) => {
                refer(*v, frame, &frame_of);
                stack.push((value, frame));
            }
            Expr::SetGlobal(_, value, _) | Expr::DefineGlobal(_, value) => {
                stack.push((value, frame))
            }
            Expr::If(a, b, c) => stack.extend([(&**a, frame), (&**b, frame), (&**c, frame)]),
            Expr::Lambda(lambda) => {
                let own = frames;
                frames += 1;
                for &p in lambda.params.iter().chain(&lambda.rest) {
                    frame_of[p] = Some(own);
                }
                stack.push((&lambda.body, own));
            }
            Expr::Seq(es) => stack.extend(es.iter().map(|e| (e, frame))),
            Expr::Call(f, args, _) => {
                stack.push((f, frame));
                stack.extend(args.iter().map(|a| (a, frame)));
            }
            Expr::Prim(_, args, _) => stack.extend(args.iter().map(|a| (a, frame))),
            Expr::CallForValues(thunk, _) => stack.push((thunk, frame)),
            Expr::Let(bindings, body) => {
                for (v, _) in bindings {
                    frame_of[*v] = Some(frame);
                }
                match loop_form(bindings, body) {
                    Some(form) => {
                        for &p in &form.lambda.params {
                            frame_of[p] = Some(frame);
                        }
                        stack.push((&form.lambda.body, frame));
                        stack.extend(form.args.iter().map(|a| (a, frame)));
                    }
                    None => {
                        stack.extend(bindings.iter().map(|(_, init)| (init, frame)));
                        stack.push((body, frame));
                    }
                }
            }
        }
    }
    for (info, really) in vars.iter_mut().zip(captured) {
        info.captured &= really;
    }
}
