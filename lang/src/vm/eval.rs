//! `eval` and `load`: code made while the program runs, compiled and then called like
//! a procedure of no arguments, so that it runs in the VM's own loop.
//!
//! `(interaction-environment)` is the program's own top level. `(environment set ...)`
//! is a namespace of the compiler's, made the first time `eval` uses it: its names are
//! what its import sets bring, and its definitions are its own.

use super::Vm;
use crate::error::{Error, Result};
use crate::object::{symbol_name, Alloc};
use crate::port::WeakAlloc;
use crate::reader::{Datum, DatumKind, Span};
use crate::value::{Kind, Value};

impl Vm {
    /// A closure of no arguments that runs `d` as a top-level form. Its code is a unit of
    /// the code table, kept while a closure of it is alive.
    pub(super) fn compile_closure(&mut self, d: &Datum, ns: usize) -> Result<Value> {
        let anchor = self.store.heap.object(Kind::Code, 0, 0, Value::FALSE);
        self.store.code.open_unit(anchor);
        let compiled = crate::compiler::compile_in(&mut self.store, &mut self.session, d, ns)
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

    /// What `(eval expr [environment])` runs: `expr` as a datum, at the span of the call,
    /// in the namespace of the environment.
    pub(super) fn eval_closure(
        &mut self,
        expr: Value,
        env: Option<Value>,
        span: Option<&Span>,
    ) -> Result<Value> {
        let span = span
            .cloned()
            .unwrap_or_else(|| Span::new(&crate::reader::SourceFile::new("<eval>", ""), 0, 0));
        let max_depth = self.store.options.max_read_depth;
        let datum = value_to_datum(expr, &span, max_depth)?;
        let Some(env) = env else {
            return self.compile_closure(&datum, crate::compiler::PROGRAM_NAMESPACE);
        };
        if !is_environment(env) {
            return Err(Error::wrong_type("eval", "an environment", env));
        }
        if let Some(ns) = env.field(ENVIRONMENT_NAMESPACE).as_fixnum() {
            return self.compile_closure(&datum, ns as usize);
        }
        // The first use: a new namespace, whose import sets are compiled, and run, with
        // the first expression.
        let sets = value_to_datum(env.field(ENVIRONMENT_SPECS), &span, max_depth)?;
        let Some(sets) = sets.list() else {
            return Err(Error::wrong_type(
                "environment",
                "a list of import sets",
                env,
            ));
        };
        let ns = crate::compiler::new_environment(&mut self.session);
        env.set_field(ENVIRONMENT_NAMESPACE, Value::fixnum(ns as i64));
        let form = |kind| Datum {
            kind,
            span: span.clone(),
        };
        let mut import = vec![form(DatumKind::Symbol("import".into()))];
        import.extend(sets.iter().cloned());
        let begin = vec![
            form(DatumKind::Symbol("begin".into())),
            form(DatumKind::List(import, None)),
            datum,
        ];
        self.compile_closure(&form(DatumKind::List(begin, None)), ns)
    }

    /// What `(%eval-source n)` runs: form `n` that `load` read.
    pub(super) fn loaded_closure(&mut self, n: Value) -> Result<Value> {
        let d = n
            .as_fixnum()
            .and_then(|n| self.store.loaded_forms.remove(&(n as usize)))
            .ok_or_else(|| Error::wrong_type("%eval-source", "a form load has read", n))?;
        self.compile_closure(&d, crate::compiler::PROGRAM_NAMESPACE)
    }
}

/// The fields of an environment record (`prelude.scm`): its import sets, and its
/// namespace once `eval` has made it (#f before).
const ENVIRONMENT_SPECS: usize = 1;
const ENVIRONMENT_NAMESPACE: usize = 2;

/// Whether `v` is a record of the prelude's type `environment`.
fn is_environment(v: Value) -> bool {
    v.is(Kind::Record)
        && v.size() == 3
        && crate::object::is_record_type(v.field(0))
        && crate::object::type_name(v.field(0)).is(Kind::Symbol)
        && symbol_name(crate::object::type_name(v.field(0))) == "environment"
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
