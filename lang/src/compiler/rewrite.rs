//! Forms that are other forms written shorter, rewritten at the datum level before they
//! are expanded: `define-record-type`, `case-lambda`, `delay`, `delay-force`, `receive`,
//! `let-values`, `let*-values`, `define-values`, `cond-expand`, `guard` and
//! `parameterize`.
//!
//! The rewrites name the builtins and prelude procedures they use (`%record`,
//! `call-with-values`, ...) as globals, and the variables they introduce start with `%`,
//! a convention until `syntax-rules` brings hygiene.

use super::forms::Form;
use super::syntax_rules::{keyword, Aliases};
use crate::error::{Error, Result};
use crate::reader::{Datum, DatumKind, Span};

/// What `(features)` returns and `cond-expand` tests.
pub const FEATURES: &[&str] = &[
    "r7rs",
    "exact-closed",
    "ratios",
    "full-unicode",
    "rudo-scheme",
];

/// Whether `(import NAME)` and `(library NAME)` know the library named `name`, written
/// `(scheme base)`.
pub fn known_library(name: &str) -> bool {
    name.starts_with("(scheme ") || name.starts_with("(srfi ")
}

/// A library name such as `(scheme base)` or `(srfi 69)` as text; `None` when it is not
/// a list of identifiers and numbers.
pub fn library_name(name: &Datum) -> Option<String> {
    let parts: Vec<String> = name
        .list()?
        .iter()
        .map(|d| match &d.kind {
            DatumKind::Symbol(s) => Some(s.clone()),
            DatumKind::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(format!("({})", parts.join(" ")))
}

/// The datum `items` (a use of `form`) stands for.
pub fn rewrite(form: Form, items: &[Datum], span: &Span, aliases: &Aliases) -> Result<Datum> {
    let b = Builder { span, aliases };
    let bad = |what: &str| {
        Err(Error::syntax(
            format!("bad `{}`: {what}", form.name()),
            span,
        ))
    };
    match (form, items) {
        (Form::DefineRecordType, [_, name, constructor, predicate, fields @ ..]) => {
            b.record_type(name, constructor, predicate, fields)
        }
        (Form::DefineRecordType, _) => bad(
            "expected (define-record-type name (constructor field ...) predicate field-spec ...)",
        ),
        (Form::CaseLambda, [_, clauses @ ..]) => b.case_lambda(clauses),
        (Form::DelayForce, [_, expr]) => Ok(b.lazy_promise(expr.clone())),
        (Form::Delay, [_, expr]) => {
            let eager = b.call("make-promise", vec![expr.clone()]);
            Ok(b.lazy_promise(eager))
        }
        (Form::Delay | Form::DelayForce, _) => bad("expected one expression"),
        (Form::Receive, [_, formals, expr, body @ ..]) if !body.is_empty() => {
            Ok(b.receive(formals.clone(), expr.clone(), body.to_vec()))
        }
        (Form::Receive, _) => bad("expected (receive formals expression body ...)"),
        (Form::LetValues | Form::LetStarValues, [_, bindings, body @ ..]) if !body.is_empty() => {
            let Some(bindings) = bindings.list() else {
                return bad("expected a list of (formals expression) bindings");
            };
            let mut pairs = Vec::new();
            for binding in bindings {
                match binding.list() {
                    Some([formals, expr]) => pairs.push((formals.clone(), expr.clone())),
                    _ => return bad("each binding is (formals expression)"),
                }
            }
            Ok(if form == Form::LetStarValues {
                b.let_star_values(pairs, body.to_vec())
            } else {
                b.let_values(pairs, body.to_vec())
            })
        }
        (Form::LetValues | Form::LetStarValues, _) => bad("expected bindings and a body"),
        (Form::DefineValues, [_, formals, expr]) => b.define_values(formals, expr.clone()),
        (Form::DefineValues, _) => bad("expected (define-values formals expression)"),
        (Form::CondExpand, [_, clauses @ ..]) => b.cond_expand(clauses),
        (Form::Guard, [_, spec, body @ ..]) if !body.is_empty() => match spec.list() {
            Some([var, clauses @ ..]) if var.symbol().is_some() => {
                Ok(b.guard(var.clone(), clauses, body.to_vec()))
            }
            _ => bad("expected (guard (variable clause ...) body ...)"),
        },
        (Form::Guard, _) => bad("expected (guard (variable clause ...) body ...)"),
        (Form::Parameterize, [_, bindings, body @ ..]) if !body.is_empty() => {
            let mut params = vec![b.sym("list")];
            let mut values = vec![b.sym("list")];
            for binding in bindings.list().unwrap_or_default() {
                match binding.list() {
                    Some([param, value]) => {
                        params.push(param.clone());
                        values.push(value.clone());
                    }
                    _ => return bad("each binding is (parameter value)"),
                }
            }
            if bindings.list().is_none() {
                return bad("expected a list of (parameter value) bindings");
            }
            let thunk = b.lambda(b.list(vec![]), body.to_vec());
            Ok(b.call("%parameterize", vec![b.list(params), b.list(values), thunk]))
        }
        (Form::Parameterize, _) => bad("expected (parameterize ((parameter value) ...) body ...)"),
        _ => unreachable!("`{form}` is not a rewritten form"),
    }
}

/// Makes datums that carry the span of the form being rewritten. Every identifier it
/// inserts is a standard alias (`Aliases::standard`): the program's own bindings neither
/// capture the keywords and procedures it refers to nor see the variables it binds.
struct Builder<'s> {
    span: &'s Span,
    aliases: &'s Aliases,
}

impl Builder<'_> {
    fn datum(&self, kind: DatumKind) -> Datum {
        Datum {
            kind,
            span: self.span.clone(),
        }
    }

    fn sym(&self, name: &str) -> Datum {
        self.datum(DatumKind::Symbol(self.aliases.standard(name)))
    }

    fn list(&self, items: Vec<Datum>) -> Datum {
        self.datum(DatumKind::List(items, None))
    }

    fn number(&self, n: usize) -> Datum {
        self.datum(DatumKind::Number(crate::number::Number::Fixnum(n as i64)))
    }

    fn quote(&self, d: Datum) -> Datum {
        self.list(vec![self.sym("quote"), d])
    }

    fn call(&self, f: &str, args: Vec<Datum>) -> Datum {
        let mut items = vec![self.sym(f)];
        items.extend(args);
        self.list(items)
    }

    fn lambda(&self, formals: Datum, body: Vec<Datum>) -> Datum {
        let mut items = vec![self.sym("lambda"), formals];
        items.extend(body);
        self.list(items)
    }

    fn define(&self, name: Datum, value: Datum) -> Datum {
        self.list(vec![self.sym("define"), name, value])
    }

    fn thunk(&self, body: Datum) -> Datum {
        self.lambda(self.list(vec![]), vec![body])
    }

    /// `(let ((%rtd TYPE)) value)`: procedures that keep the record type they were made
    /// with, whatever later becomes of the type's name.
    fn with_type(&self, type_name: &Datum, value: Datum) -> Datum {
        let binding = self.list(vec![self.sym("%rtd"), type_name.clone()]);
        self.list(vec![self.sym("let"), self.list(vec![binding]), value])
    }

    fn record_type(
        &self,
        name: &Datum,
        constructor: &Datum,
        predicate: &Datum,
        specs: &[Datum],
    ) -> Result<Datum> {
        let bad = |what: String, at: &Span| Err(Error::syntax(what, at));
        if name.symbol().is_none() {
            return bad(
                "define-record-type: the type name must be a symbol".into(),
                &name.span,
            );
        }
        let mut fields = Vec::new();
        let mut defines = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let parts = spec.list().unwrap_or_default();
            let (field, procs) = match parts.split_first() {
                Some((f, procs)) if f.symbol().is_some() && procs.len() <= 2 => (f, procs),
                _ => {
                    return bad(
                        "define-record-type: a field is (name accessor [modifier])".into(),
                        &spec.span,
                    )
                }
            };
            if fields.iter().any(|f: &Datum| f.symbol() == field.symbol()) {
                return bad(
                    format!(
                        "define-record-type: field `{}` twice",
                        field.symbol().unwrap_or("")
                    ),
                    &field.span,
                );
            }
            fields.push(field.clone());
            let who = |d: &Datum| self.quote(d.clone());
            if let Some(accessor) = procs.first() {
                let body = self.call(
                    "%record-ref",
                    vec![
                        self.sym("obj"),
                        self.sym("%rtd"),
                        self.number(i),
                        who(accessor),
                    ],
                );
                let proc = self.lambda(self.list(vec![self.sym("obj")]), vec![body]);
                defines.push(self.define(accessor.clone(), self.with_type(name, proc)));
            }
            if let Some(modifier) = procs.get(1) {
                let body = self.call(
                    "%record-set!",
                    vec![
                        self.sym("obj"),
                        self.sym("%rtd"),
                        self.number(i),
                        self.sym("value"),
                        who(modifier),
                    ],
                );
                let formals = self.list(vec![self.sym("obj"), self.sym("value")]);
                let proc = self.lambda(formals, vec![body]);
                defines.push(self.define(modifier.clone(), self.with_type(name, proc)));
            }
        }
        if let Some((make, args)) = constructor.list().and_then(|l| l.split_first()) {
            for arg in args {
                if !fields.iter().any(|f| f.symbol() == arg.symbol()) {
                    return bad(
                        format!(
                            "define-record-type: the constructor's `{}` is not a field",
                            arg.symbol().unwrap_or("?")
                        ),
                        &arg.span,
                    );
                }
            }
            // Fields the constructor does not take start as #f.
            let mut values = vec![self.sym("%rtd")];
            for f in &fields {
                values.push(match args.iter().find(|a| a.symbol() == f.symbol()) {
                    Some(a) => a.clone(),
                    None => self.datum(DatumKind::Boolean(false)),
                });
            }
            let proc = self.lambda(self.list(args.to_vec()), vec![self.call("%record", values)]);
            defines.insert(0, self.define(make.clone(), self.with_type(name, proc)));
        } else if constructor.symbol().is_some() {
            // A bare name takes every field, in order.
            let mut values = vec![self.sym("%rtd")];
            values.extend(fields.iter().cloned());
            let proc = self.lambda(
                self.list(fields.clone()),
                vec![self.call("%record", values)],
            );
            defines.insert(
                0,
                self.define(constructor.clone(), self.with_type(name, proc)),
            );
        }
        let test = self.call("%record?", vec![self.sym("obj"), self.sym("%rtd")]);
        let proc = self.lambda(self.list(vec![self.sym("obj")]), vec![test]);
        defines.insert(
            0,
            self.define(predicate.clone(), self.with_type(name, proc)),
        );
        let make_type = self.call(
            "%make-record-type",
            vec![self.quote(name.clone()), self.quote(self.list(fields))],
        );
        defines.insert(0, self.define(name.clone(), make_type));
        let mut items = vec![self.sym("begin")];
        items.extend(defines);
        Ok(self.list(items))
    }

    /// `(lambda %args (let ((%n (length %args))) (cond (test (apply clause %args)) ...)))`.
    fn case_lambda(&self, clauses: &[Datum]) -> Result<Datum> {
        let mut cond = vec![self.sym("cond")];
        for clause in clauses {
            let Some((formals, body)) = clause.list().and_then(|l| l.split_first()) else {
                return Err(Error::syntax(
                    "bad `case-lambda`: a clause is (formals body ...)",
                    &clause.span,
                ));
            };
            if body.is_empty() {
                return Err(Error::syntax(
                    "bad `case-lambda`: a clause needs a body",
                    &clause.span,
                ));
            }
            let (required, rest) = match &formals.kind {
                DatumKind::List(items, tail) => (items.len(), tail.is_some()),
                DatumKind::Symbol(_) => (0, true),
                _ => {
                    return Err(Error::syntax("bad `case-lambda` formals", &formals.span));
                }
            };
            let test = self.call(
                if rest { ">=" } else { "=" },
                vec![self.sym("%n"), self.number(required)],
            );
            let proc = self.lambda(formals.clone(), body.to_vec());
            let apply = self.call("apply", vec![proc, self.sym("%args")]);
            cond.push(self.list(vec![test, apply]));
        }
        let message = self.datum(DatumKind::String(
            "case-lambda: no clause takes this many arguments:".into(),
        ));
        cond.push(self.list(vec![
            self.sym("else"),
            self.call("error", vec![message, self.sym("%n")]),
        ]));
        let count = self.list(vec![
            self.sym("%n"),
            self.call("length", vec![self.sym("%args")]),
        ]);
        let body = self.list(vec![
            self.sym("let"),
            self.list(vec![count]),
            self.list(cond),
        ]);
        Ok(self.lambda(self.sym("%args"), vec![body]))
    }

    /// A promise that, forced, runs `expr` for the promise it yields.
    fn lazy_promise(&self, expr: Datum) -> Datum {
        self.call(
            "%make-promise",
            vec![self.datum(DatumKind::Boolean(false)), self.thunk(expr)],
        )
    }

    fn receive(&self, formals: Datum, expr: Datum, body: Vec<Datum>) -> Datum {
        self.call(
            "call-with-values",
            vec![self.thunk(expr), self.lambda(formals, body)],
        )
    }

    /// `(let () body ...)`: a body, with its own scope for definitions.
    fn let_body(&self, body: Vec<Datum>) -> Datum {
        let mut items = vec![self.sym("let"), self.list(vec![])];
        items.extend(body);
        self.list(items)
    }

    fn let_star_values(&self, bindings: Vec<(Datum, Datum)>, body: Vec<Datum>) -> Datum {
        let mut inner = self.let_body(body);
        for (formals, expr) in bindings.into_iter().rev() {
            inner = self.receive(formals, expr, vec![inner]);
        }
        inner
    }

    /// Every expression is evaluated outside all the bindings: each one's values are
    /// received as a list `%values-K`, and the formals bound from the lists at the end.
    fn let_values(&self, bindings: Vec<(Datum, Datum)>, body: Vec<Datum>) -> Datum {
        let lists: Vec<String> = (0..bindings.len())
            .map(|k| format!("%values-{k}"))
            .collect();
        let mut inner = self.let_body(body);
        for ((formals, _), list) in bindings.iter().zip(&lists).rev() {
            let proc = self.lambda(formals.clone(), vec![inner]);
            inner = self.call("apply", vec![proc, self.sym(list)]);
        }
        for ((_, expr), list) in bindings.into_iter().zip(&lists).rev() {
            inner = self.receive(self.sym(list), expr, vec![inner]);
        }
        inner
    }

    /// `guard` as R7RS defines it (7.3): the body runs under a handler that goes back to
    /// the guard's continuation to pick a clause, and, when none applies, back to the
    /// handler's own to re-raise with `raise-continuable` where the exception was raised.
    fn guard(&self, var: Datum, clauses: &[Datum], body: Vec<Datum>) -> Datum {
        let mut cond = vec![self.sym("cond")];
        cond.extend(clauses.iter().cloned());
        let has_else = clauses
            .last()
            .and_then(Datum::list)
            .and_then(|c| c.first())
            .and_then(keyword)
            == Some("else");
        if !has_else {
            let reraise = self.call("raise-continuable", vec![self.sym("%condition")]);
            let back = self.call("%handler-k", vec![self.thunk(reraise)]);
            cond.push(self.list(vec![self.sym("else"), back]));
        }
        let binding = self.list(vec![var, self.sym("%condition")]);
        let pick = self.list(vec![
            self.sym("let"),
            self.list(vec![binding]),
            self.list(cond),
        ]);
        let to_guard = self.call("%guard-k", vec![self.thunk(pick)]);
        let in_handler = self.lambda(self.list(vec![self.sym("%handler-k")]), vec![to_guard]);
        let handler = self.lambda(
            self.list(vec![self.sym("%condition")]),
            vec![self.list(vec![self.call("call/cc", vec![in_handler])])],
        );
        let result = self.call("%call-for-values", vec![self.thunk(self.let_body(body))]);
        let binding = self.list(vec![self.sym("%result"), result]);
        let body = self.list(vec![
            self.sym("let"),
            self.list(vec![binding]),
            self.call(
                "%guard-k",
                vec![self.thunk(self.call("%return-values", vec![self.sym("%result")]))],
            ),
        ]);
        let install = self.call("with-exception-handler", vec![handler, self.thunk(body)]);
        let outer = self.lambda(self.list(vec![self.sym("%guard-k")]), vec![install]);
        self.list(vec![self.call("call/cc", vec![outer])])
    }

    /// The body of the first clause whose feature requirement holds, as a `begin`.
    fn cond_expand(&self, clauses: &[Datum]) -> Result<Datum> {
        for clause in clauses {
            let Some((requirement, body)) = clause.list().and_then(|l| l.split_first()) else {
                return Err(Error::syntax(
                    "bad `cond-expand` clause: expected (requirement body ...)",
                    &clause.span,
                ));
            };
            let holds = keyword(requirement) == Some("else") || requirement_holds(requirement)?;
            if holds {
                let mut items = vec![self.sym("begin")];
                items.extend(body.iter().cloned());
                if body.is_empty() {
                    items.push(self.datum(DatumKind::Boolean(false)));
                }
                return Ok(self.list(items));
            }
        }
        Ok(self.list(vec![
            self.sym("begin"),
            self.datum(DatumKind::Boolean(false)),
        ]))
    }

    /// `(begin (define a #f) ... (call-with-values (lambda () expr) (lambda (%a ...)
    /// (set! a %a) ...)))`.
    fn define_values(&self, formals: &Datum, expr: Datum) -> Result<Datum> {
        let bad = || Error::syntax("bad `define-values` formals", &formals.span);
        let (names, rest): (Vec<&Datum>, Option<&Datum>) = match &formals.kind {
            DatumKind::List(items, tail) => (items.iter().collect(), tail.as_deref()),
            DatumKind::Symbol(_) => (vec![], Some(formals)),
            _ => return Err(bad()),
        };
        let mut items = vec![self.sym("begin")];
        let mut temps = Vec::new();
        let mut sets = Vec::new();
        for name in names.iter().copied().chain(rest) {
            let n = name.symbol().ok_or_else(bad)?;
            items.push(self.define(name.clone(), self.datum(DatumKind::Boolean(false))));
            let temp = self.sym(&format!("%{n}"));
            sets.push(self.list(vec![self.sym("set!"), name.clone(), temp.clone()]));
            temps.push(temp);
        }
        let temp_formals = match rest {
            Some(_) => {
                let tail = temps.pop().expect("the rest formal's temporary");
                if temps.is_empty() {
                    tail
                } else {
                    self.datum(DatumKind::List(temps, Some(Box::new(tail))))
                }
            }
            None => self.list(temps),
        };
        if sets.is_empty() {
            sets.push(self.datum(DatumKind::Boolean(false)));
        }
        items.push(self.receive(temp_formals, expr, sets));
        Ok(self.list(items))
    }
}

/// Whether a `cond-expand` feature requirement holds: a feature identifier, `(library
/// name)`, or `and`, `or`, `not` of requirements.
fn requirement_holds(requirement: &Datum) -> Result<bool> {
    let bad = |d: &Datum| Error::syntax("bad `cond-expand` feature requirement", &d.span);
    if let Some(feature) = keyword(requirement) {
        return Ok(FEATURES.contains(&feature));
    }
    let items = requirement.list().ok_or_else(|| bad(requirement))?;
    match items {
        [head, name] if keyword(head) == Some("library") => {
            Ok(known_library(&library_name(name).ok_or_else(|| bad(name))?))
        }
        [head, inner] if keyword(head) == Some("not") => Ok(!requirement_holds(inner)?),
        [head, rest @ ..] if keyword(head) == Some("and") => {
            for r in rest {
                if !requirement_holds(r)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        [head, rest @ ..] if keyword(head) == Some("or") => {
            for r in rest {
                if requirement_holds(r)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(bad(requirement)),
    }
}
