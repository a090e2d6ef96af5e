//! `eval` and `load`: code made while the program runs, compiled and then called like
//! a procedure of no arguments, so that it runs in the VM's own loop.
//!
//! Every environment is the one global environment: `(environment ...)` and
//! `(interaction-environment)` name it, and what they import is always there.

use super::Vm;
use crate::error::{Error, Result};
use crate::object::{symbol_name, Alloc};
use crate::port::WeakAlloc;
use crate::reader::{Datum, DatumKind, Span};
use crate::value::{Kind, Value};

impl Vm {
    /// A closure of no arguments that runs `d` as a top-level form. Its code is a unit of
    /// the code table, kept while a closure of it is alive.
    pub(super) fn compile_closure(&mut self, d: &Datum) -> Result<Value> {
        let anchor = self.store.heap.object(Kind::Code, 0, 0, Value::FALSE);
        self.store.code.open_unit(anchor);
        let compiled = crate::compiler::compile(&mut self.store, &mut self.session, d)
            .map(|top| self.store.add_code(top));
        let indices = self.store.code.close_unit();
        let index = match compiled {
            Ok(index) => index,
            Err(e) => {
                self.store.code.release(indices);
                return Err(e);
            }
        };
        let weak = self.store.heap.weak_pair(anchor, Value::NIL);
        self.store.code.keep_while(weak, indices);
        let top = &self.store.code[index];
        debug_assert!(top.params == 0 && top.anchor == Some(anchor));
        Ok(super::new_closure(&mut self.store.heap, top, 0))
    }

    /// What `(eval expr)` runs: `expr` as a datum, at the span of the call.
    pub(super) fn eval_closure(&mut self, expr: Value, span: Option<&Span>) -> Result<Value> {
        let span = span
            .cloned()
            .unwrap_or_else(|| Span::new(&crate::reader::SourceFile::new("<eval>", ""), 0, 0));
        let datum = value_to_datum(expr, &span, self.store.options.max_read_depth)?;
        self.compile_closure(&datum)
    }

    /// What `(%eval-source n)` runs: form `n` that `load` read.
    pub(super) fn loaded_closure(&mut self, n: Value) -> Result<Value> {
        let d = n
            .as_fixnum()
            .and_then(|n| self.store.loaded_forms.remove(&(n as usize)))
            .ok_or_else(|| Error::wrong_type("%eval-source", "a form load has read", n))?;
        self.compile_closure(&d)
    }
}

/// A value as the datum it writes as: lists, vectors, symbols and fixnums become
/// structure for the compiler, anything else a constant.
fn value_to_datum(v: Value, span: &Span, max_depth: usize) -> Result<Datum> {
    let datum = |kind| Datum {
        kind,
        span: span.clone(),
    };
    if max_depth == 0 {
        return Err(Error::runtime("eval: expression nested too deep", vec![]));
    }
    if v.is(Kind::Symbol) {
        return Ok(datum(DatumKind::Symbol(symbol_name(v).to_string())));
    }
    if let Some(n) = v.as_fixnum() {
        return Ok(datum(DatumKind::Number(crate::number::Number::Fixnum(n))));
    }
    if v == Value::NIL {
        return Ok(datum(DatumKind::List(Vec::new(), None)));
    }
    if v.is(Kind::Vector) {
        let items = (0..crate::object::vector_len(v))
            .map(|i| value_to_datum(v.field(i), span, max_depth - 1))
            .collect::<Result<_>>()?;
        return Ok(datum(DatumKind::Vector(items)));
    }
    if !v.is_pair() {
        return Ok(datum(DatumKind::Value(v)));
    }
    let mut items = Vec::new();
    let mut l = v;
    let mut slow = v;
    while l.is_pair() {
        items.push(value_to_datum(l.car(), span, max_depth - 1)?);
        l = l.cdr();
        if items.len() % 2 == 0 {
            slow = slow.cdr();
            if slow == l && l.is_pair() {
                return Err(Error::wrong_type(
                    "eval",
                    "an expression, not a cyclic list",
                    v,
                ));
            }
        }
    }
    let tail = (l != Value::NIL)
        .then(|| value_to_datum(l, span, max_depth - 1).map(Box::new))
        .transpose()?;
    Ok(datum(DatumKind::List(items, tail)))
}
