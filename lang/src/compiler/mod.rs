//! The compiler: datums to bytecode, by way of the core language.
//!
//! `expand` (with `derived` and `quasi`) turns a datum into an `ast::Expr`, resolving
//! every identifier; `codegen` turns that into a [`crate::vm::Proto`].

mod ast;
mod codegen;
mod derived;
mod expand;
mod forms;
mod library;
mod quasi;
mod rewrite;
mod syntax_rules;

use std::rc::Rc;

pub use ast::Prim;
pub(crate) use ast::{Expr, Lambda, VarId};
pub use library::{Library, Namespace};
pub use rewrite::FEATURES;
pub use syntax_rules::{base_name, Aliases, Macro, ALIAS_MARK};

/// Every name the compiler treats as syntax.
pub fn special_forms() -> impl Iterator<Item = &'static str> {
    forms::Form::names()
}

use crate::error::Result;
use crate::reader::Datum;
use crate::runtime::Runtime;
use crate::vm::Proto;

/// Compiles one top-level form to a procedure of no arguments.
pub fn compile(rt: &mut Runtime, datum: &Datum) -> Result<Rc<Proto>> {
    let mut expander = expand::Expander::new(rt);
    let expr = expander.expand_toplevel(datum)?;
    let vars = std::mem::take(&mut expander.vars);
    codegen::Codegen::new(rt, &vars).toplevel(&expr, &datum.span)
}

/// Expands top-level forms one after another, as `compile` would: the core language of
/// each, up to the first that fails, and that one's error.
pub(crate) fn expand_all(
    rt: &mut Runtime,
    datums: &[Datum],
) -> (Vec<ast::Expr>, Option<crate::Error>) {
    let mut out = Vec::new();
    for d in datums {
        match expand::Expander::new(rt).expand_toplevel(d) {
            Ok(e) => out.push(e),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}
