//! The expander: datums to the core language of `ast.rs`.
//!
//! It resolves every identifier (a lexical variable, a special form, or a global),
//! records which variables are assigned and which are captured by inner lambdas, and
//! turns derived forms into core ones (`derived.rs`, `quasi.rs`). Special forms are
//! found by name through the same scopes as variables, so a local binding named `if`
//! shadows the special form; macros slot in as one more kind of binding.

use std::rc::Rc;

use super::ast::{Expr, Lambda, Prim, VarId, VarInfo};
use super::rewrite;
use crate::error::{Error, Result};
use crate::reader::{Datum, DatumKind, Span};
use crate::runtime::Runtime;
use crate::value::Value;

/// What an identifier means where it is used.
pub(super) enum Meaning {
    Var(VarId),
    Special(&'static str),
    Global,
}

pub const SPECIAL_FORMS_LIST: &[&str] = &[
    "quote",
    "quasiquote",
    "unquote",
    "unquote-splicing",
    "lambda",
    "define",
    "set!",
    "if",
    "begin",
    "let",
    "let*",
    "letrec",
    "letrec*",
    "do",
    "cond",
    "case",
    "and",
    "or",
    "when",
    "unless",
    "import",
    "include",
    "define-syntax",
    "let-syntax",
    "letrec-syntax",
    "syntax-rules",
];

pub struct Expander<'rt> {
    pub(super) rt: &'rt mut Runtime,
    pub vars: Vec<VarInfo>,
    scopes: Vec<Vec<(String, VarId)>>,
    /// The lambdas being expanded, innermost last; 0 is the top level.
    lambdas: Vec<usize>,
    next_lambda: usize,
}

impl<'rt> Expander<'rt> {
    pub fn new(rt: &'rt mut Runtime) -> Expander<'rt> {
        Expander {
            rt,
            vars: Vec::new(),
            scopes: Vec::new(),
            lambdas: vec![0],
            next_lambda: 1,
        }
    }

    pub(super) fn meaning(&self, name: &str) -> Meaning {
        for scope in self.scopes.iter().rev() {
            if let Some(&(_, var)) = scope.iter().rev().find(|(n, _)| n == name) {
                return Meaning::Var(var);
            }
        }
        let forms = SPECIAL_FORMS_LIST.iter().chain(rewrite::REWRITTEN_FORMS);
        match forms.into_iter().find(|s| **s == name) {
            Some(s) => Meaning::Special(s),
            None => Meaning::Global,
        }
    }

    /// A new variable in the innermost scope.
    pub(super) fn bind(&mut self, name: &str) -> VarId {
        let id = self.fresh(name);
        self.scopes
            .last_mut()
            .expect("a scope is open")
            .push((name.to_string(), id));
        id
    }

    /// A variable no user identifier can name (for the temporaries of derived forms).
    pub(super) fn fresh(&mut self, name: &str) -> VarId {
        let lambda = *self.lambdas.last().expect("the top level is a lambda");
        self.vars.push(VarInfo {
            name: name.to_string(),
            lambda,
            assigned: false,
            late_init: false,
            captured: false,
            self_lambda: None,
            self_referenced: false,
        });
        self.vars.len() - 1
    }

    pub(super) fn with_scope<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.scopes.push(Vec::new());
        let out = f(self);
        self.scopes.pop();
        out
    }

    pub(super) fn reference(&mut self, var: VarId) -> Expr {
        let current = *self.lambdas.last().expect("top level");
        let info = &mut self.vars[var];
        if info.lambda != current {
            if info.self_lambda == Some(current) {
                info.self_referenced = true;
            } else {
                info.captured = true;
            }
        }
        Expr::Local(var)
    }

    pub(super) fn symbol(&mut self, name: &str) -> Value {
        self.rt.intern(name)
    }

    /// Expands a top-level form.
    pub fn expand_toplevel(&mut self, d: &Datum) -> Result<Expr> {
        self.expand(d)
    }

    pub(super) fn expand(&mut self, d: &Datum) -> Result<Expr> {
        match &d.kind {
            DatumKind::Symbol(name) => self.expand_identifier(name, &d.span),
            DatumKind::List(items, None) if !items.is_empty() => self.expand_list(items, d),
            DatumKind::List(_, None) => Err(Error::syntax(
                "empty combination `()`: quote it to get the empty list",
                &d.span,
            )),
            DatumKind::List(_, Some(_)) => {
                Err(Error::syntax("a call cannot be a dotted list", &d.span))
            }
            DatumKind::Vector(_)
            | DatumKind::Number(_)
            | DatumKind::Boolean(_)
            | DatumKind::Char(_)
            | DatumKind::String(_)
            | DatumKind::Bytevector(_) => Ok(Expr::Const(self.rt.datum_to_value(d))),
        }
    }

    fn expand_identifier(&mut self, name: &str, span: &Span) -> Result<Expr> {
        match self.meaning(name) {
            Meaning::Var(v) => Ok(self.reference(v)),
            Meaning::Special(s) => {
                Err(Error::syntax(format!("`{s}` is syntax, not a value"), span))
            }
            Meaning::Global => Ok(Expr::Global(self.symbol(name), span.clone())),
        }
    }

    fn expand_list(&mut self, items: &[Datum], whole: &Datum) -> Result<Expr> {
        if let Some(name) = items[0].symbol() {
            if let Meaning::Special(form) = self.meaning(name) {
                return self.expand_special(form, items, whole);
            }
        }
        self.expand_call(items, &whole.span)
    }

    fn expand_call(&mut self, items: &[Datum], span: &Span) -> Result<Expr> {
        let args = items[1..]
            .iter()
            .map(|a| self.expand(a))
            .collect::<Result<Vec<_>>>()?;
        if let Some(name) = items[0].symbol() {
            if matches!(self.meaning(name), Meaning::Global) && !self.rt.is_redefined(name) {
                if let Some(prim) = Prim::of(name, args.len()) {
                    return Ok(Expr::Prim(prim, args, span.clone()));
                }
                // `(+ a b c)` is `(+ (+ a b) c)`, and likewise for `-` and `*`.
                if let (Some(prim @ (Prim::Add | Prim::Sub | Prim::Mul)), true) =
                    (Prim::of(name, 2), args.len() > 2)
                {
                    let mut args = args.into_iter();
                    let first = args.next().expect("more than two arguments");
                    return Ok(
                        args.fold(first, |acc, a| Expr::Prim(prim, vec![acc, a], span.clone()))
                    );
                }
            }
        }
        let f = self.expand(&items[0])?;
        Ok(Expr::Call(Box::new(f), args, span.clone()))
    }

    fn expand_special(&mut self, form: &str, items: &[Datum], whole: &Datum) -> Result<Expr> {
        let span = &whole.span;
        let bad = |what: &str| Err(Error::syntax(format!("bad `{form}`: {what}"), span));
        match form {
            "quote" => match items {
                [_, d] => Ok(Expr::Const(self.rt.datum_to_value(d))),
                _ => bad("expected (quote datum)"),
            },
            "quasiquote" => match items {
                [_, d] => self.quasiquote(d, 1),
                _ => bad("expected (quasiquote template)"),
            },
            "unquote" | "unquote-splicing" => bad("not inside a quasiquote"),
            "lambda" => match items {
                [_, formals, body @ ..] if !body.is_empty() => {
                    Ok(Expr::Lambda(self.lambda(None, formals, body, span, None)?))
                }
                _ => bad("expected (lambda formals body ...)"),
            },
            "define" => self.define_toplevel(items, span),
            "set!" => match items {
                [_, target, value] => {
                    let Some(name) = target.symbol() else {
                        return bad("expected a variable name");
                    };
                    let value = Box::new(self.expand(value)?);
                    match self.meaning(name) {
                        Meaning::Var(v) => {
                            self.vars[v].assigned = true;
                            self.reference(v);
                            Ok(Expr::SetLocal(v, value))
                        }
                        Meaning::Special(_) => bad("cannot assign a syntactic keyword"),
                        Meaning::Global => {
                            self.rt.mark_redefined(name);
                            Ok(Expr::SetGlobal(self.symbol(name), value, span.clone()))
                        }
                    }
                }
                _ => bad("expected (set! variable expression)"),
            },
            "if" => match items {
                [_, c, t] => Ok(Expr::If(
                    Box::new(self.expand(c)?),
                    Box::new(self.expand(t)?),
                    Box::new(Expr::Const(Value::UNSPECIFIED)),
                )),
                [_, c, t, e] => Ok(Expr::If(
                    Box::new(self.expand(c)?),
                    Box::new(self.expand(t)?),
                    Box::new(self.expand(e)?),
                )),
                _ => bad("expected (if test consequent [alternative])"),
            },
            "begin" => {
                if items.len() == 1 {
                    return Ok(Expr::Const(Value::UNSPECIFIED));
                }
                let body = items[1..]
                    .iter()
                    .map(|d| self.expand(d))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Expr::Seq(body))
            }
            "import" => self.import(items, span),
            "define-syntax" | "let-syntax" | "letrec-syntax" | "syntax-rules" => Err(
                Error::syntax(format!("`{form}` is not supported yet"), span),
            ),
            _ if form == "include" || rewrite::REWRITTEN_FORMS.contains(&form) => {
                let d = self.rewrite(form, items, span)?;
                self.expand(&d)
            }
            _ => self.expand_derived(form, items, span),
        }
    }

    /// `(import (scheme base) ...)`: the standard libraries are always present.
    /// The datum a rewritten form (see `rewrite`) or an `include` stands for.
    fn rewrite(&mut self, form: &str, items: &[Datum], span: &Span) -> Result<Datum> {
        if form == "include" {
            self.include(items, span)
        } else {
            rewrite::rewrite(form, items, span)
        }
    }

    /// `(include "file" ...)`: the files' forms in a `begin`. A relative name is found
    /// next to the file that includes it.
    fn include(&mut self, items: &[Datum], span: &Span) -> Result<Datum> {
        if items.len() < 2 {
            return Err(Error::syntax("bad `include`: expected file names", span));
        }
        let mut forms = vec![Datum {
            kind: DatumKind::Symbol("begin".into()),
            span: span.clone(),
        }];
        for item in &items[1..] {
            let DatumKind::String(name) = &item.kind else {
                return Err(Error::syntax(
                    "bad `include`: a file name is a string",
                    &item.span,
                ));
            };
            let beside = std::path::Path::new(&span.file.name)
                .parent()
                .map(|dir| dir.join(name))
                .filter(|p| p.exists());
            let path = beside.unwrap_or_else(|| name.into());
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::syntax(
                    format!("include: cannot read {}: {e}", path.display()),
                    &item.span,
                )
            })?;
            let file = crate::reader::SourceFile::new(path.display().to_string(), text);
            forms.extend(crate::reader::read_all(
                &file,
                self.rt.options.max_read_depth,
            )?);
        }
        Ok(Datum {
            kind: DatumKind::List(forms, None),
            span: span.clone(),
        })
    }

    fn import(&mut self, items: &[Datum], span: &Span) -> Result<Expr> {
        for set in &items[1..] {
            let name = library_name(set);
            if !name.as_deref().is_some_and(rewrite::known_library) {
                return Err(Error::syntax(
                    format!("unknown library {}", name.unwrap_or_default()),
                    span,
                ));
            }
        }
        Ok(Expr::Const(Value::UNSPECIFIED))
    }

    fn define_toplevel(&mut self, items: &[Datum], span: &Span) -> Result<Expr> {
        let (name, value) = self.definition(items, span, None)?;
        if !self.scopes.is_empty() {
            return Err(Error::syntax(
                "`define` is only allowed at the start of a body",
                span,
            ));
        }
        self.rt.mark_redefined(&name);
        let sym = self.symbol(&name);
        Ok(Expr::DefineGlobal(sym, Box::new(value)))
    }

    /// The name and value expression of a `define` form; `(define (f . args) body ...)` is
    /// a lambda, and `(define ((f a) b) ...)` a curried one.
    /// `self_var` is the local variable the definition binds, if it is local.
    pub(super) fn definition(
        &mut self,
        items: &[Datum],
        span: &Span,
        self_var: Option<VarId>,
    ) -> Result<(String, Expr)> {
        let bad = |what: &str| Err(Error::syntax(format!("bad `define`: {what}"), span));
        match items {
            [_, target] if target.symbol().is_some() => Ok((
                target.symbol().unwrap_or_default().to_string(),
                Expr::Const(Value::UNSPECIFIED),
            )),
            [_, target, value] if target.symbol().is_some() => {
                let name = target.symbol().unwrap_or_default().to_string();
                let value = match value.list() {
                    Some([head, formals, body @ ..])
                        if head.symbol() == Some("lambda")
                            && matches!(self.meaning("lambda"), Meaning::Special(_))
                            && !body.is_empty() =>
                    {
                        Expr::Lambda(self.lambda(
                            Some(&name),
                            formals,
                            body,
                            &value.span,
                            self_var,
                        )?)
                    }
                    _ => self.expand(value)?,
                };
                Ok((name, value))
            }
            [_, target, body @ ..] if !body.is_empty() => {
                let DatumKind::List(head, tail) = &target.kind else {
                    return bad("expected a name or (name formals ...)");
                };
                let Some((callee, params)) = head.split_first() else {
                    return bad("no name");
                };
                let formals = Datum {
                    kind: DatumKind::List(params.to_vec(), tail.clone()),
                    span: target.span.clone(),
                };
                match callee.symbol() {
                    Some(name) => {
                        let name = name.to_string();
                        let lambda = self.lambda(Some(&name), &formals, body, span, self_var)?;
                        Ok((name, Expr::Lambda(lambda)))
                    }
                    None => {
                        // Curried: (define ((f a) b) body) is (define (f a) (lambda (b) body)).
                        let lambda_sym = Datum {
                            kind: DatumKind::Symbol("lambda".into()),
                            span: span.clone(),
                        };
                        let mut inner = vec![lambda_sym, formals];
                        inner.extend_from_slice(body);
                        let inner = Datum {
                            kind: DatumKind::List(inner, None),
                            span: span.clone(),
                        };
                        let define = Datum {
                            kind: DatumKind::Symbol("define".into()),
                            span: span.clone(),
                        };
                        self.definition(&[define, callee.clone(), inner], span, self_var)
                    }
                }
            }
            _ => bad("expected (define name value) or (define (name formals ...) body ...)"),
        }
    }

    pub(super) fn lambda(
        &mut self,
        name: Option<&str>,
        formals: &Datum,
        body: &[Datum],
        span: &Span,
        self_var: Option<VarId>,
    ) -> Result<Rc<Lambda>> {
        let (names, rest) = parse_formals(formals)?;
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.lambda_with(name, &names, rest.as_deref(), span, self_var, |ex| {
            ex.body(body, span)
        })
    }

    /// A lambda whose parameters are in scope while `body` builds its body. `self_var` is
    /// the variable the lambda will be the value of, if any.
    pub(super) fn lambda_with(
        &mut self,
        name: Option<&str>,
        params: &[&str],
        rest: Option<&str>,
        span: &Span,
        self_var: Option<VarId>,
        body: impl FnOnce(&mut Self) -> Result<Expr>,
    ) -> Result<Rc<Lambda>> {
        let id = self.next_lambda;
        self.next_lambda += 1;
        if let Some(v) = self_var {
            self.vars[v].self_lambda = Some(id);
        }
        self.lambdas.push(id);
        let result = self.with_scope(|ex| {
            let params = params.iter().map(|n| ex.bind(n)).collect();
            let rest = rest.map(|n| ex.bind(n));
            let body = body(ex)?;
            Ok(Lambda {
                name: name.map(str::to_string),
                self_var,
                params,
                rest,
                body,
                span: span.clone(),
            })
        });
        self.lambdas.pop();
        result.map(Rc::new)
    }

    /// A body: internal definitions (also inside `begin`) become `letrec*` bindings.
    pub(super) fn body(&mut self, forms: &[Datum], span: &Span) -> Result<Expr> {
        // Forms that may stand for definitions (`define-record-type`, `define-values`,
        // `cond-expand`, `include`) become what they stand for first, so that the body
        // sees the `define`s.
        let definition_form = |ex: &Self, d: &Datum| {
            let head = d.list().and_then(|l| l.first()).and_then(Datum::symbol)?;
            match ex.meaning(head) {
                Meaning::Special(form) if rewrite::may_define(form) => Some(form),
                _ => None,
            }
        };
        if forms.iter().any(|d| definition_form(self, d).is_some()) {
            let rewritten = forms
                .iter()
                .map(|d| match definition_form(self, d) {
                    Some(form) => self.rewrite(form, d.list().unwrap_or_default(), &d.span),
                    None => Ok(d.clone()),
                })
                .collect::<Result<Vec<_>>>()?;
            return self.body(&rewritten, span);
        }
        let mut flat = Vec::new();
        flatten_begins(forms, &mut flat, self);
        let is_define = |ex: &Self, d: &Datum| {
            d.list()
                .and_then(|l| l.first())
                .and_then(Datum::symbol)
                .is_some_and(|s| {
                    s == "define" && matches!(ex.meaning("define"), Meaning::Special(_))
                })
        };
        if !flat.iter().any(|d| is_define(self, d)) {
            if flat.is_empty() {
                return Err(Error::syntax("a body needs at least one expression", span));
            }
            let exprs = flat
                .iter()
                .map(|d| self.expand(d))
                .collect::<Result<Vec<_>>>()?;
            return Ok(seq(exprs));
        }
        self.with_scope(|ex| {
            let mut vars = Vec::new();
            let defines: Vec<&Datum> = flat.iter().copied().filter(|d| is_define(ex, d)).collect();
            for d in defines {
                let items = d.list().unwrap_or_default();
                let name = match items.get(1).map(|t| &t.kind) {
                    Some(DatumKind::Symbol(s)) => s.clone(),
                    Some(DatumKind::List(head, _)) => innermost_name(head).unwrap_or_default(),
                    _ => return Err(Error::syntax("bad `define`", &d.span)),
                };
                vars.push(ex.bind(&name));
            }
            let mut exprs = Vec::new();
            let mut next_var = vars.iter();
            for d in &flat {
                if is_define(ex, d) {
                    let var = *next_var.next().expect("one variable per definition");
                    let (_, value) =
                        ex.definition(d.list().unwrap_or_default(), &d.span, Some(var))?;
                    ex.vars[var].late_init = true;
                    exprs.push(Expr::SetLocal(var, Box::new(value)));
                } else {
                    exprs.push(ex.expand(d)?);
                }
            }
            if flat.last().is_some_and(|d| is_define(ex, d)) {
                exprs.push(Expr::Const(Value::UNSPECIFIED));
            }
            let bindings = vars
                .into_iter()
                .map(|v| (v, Expr::Const(Value::UNDEFINED)))
                .collect();
            Ok(Expr::Let(bindings, Box::new(seq(exprs))))
        })
    }
}

/// Splices `(begin ...)` forms of a body into it.
fn flatten_begins<'d>(forms: &'d [Datum], out: &mut Vec<&'d Datum>, ex: &Expander<'_>) {
    for d in forms {
        match d.list() {
            Some([head, rest @ ..])
                if head.symbol() == Some("begin")
                    && matches!(ex.meaning("begin"), Meaning::Special(_)) =>
            {
                flatten_begins(rest, out, ex)
            }
            _ => out.push(d),
        }
    }
}

/// The name a (possibly curried) `define` head defines.
fn innermost_name(head: &[Datum]) -> Option<String> {
    match &head.first()?.kind {
        DatumKind::Symbol(s) => Some(s.clone()),
        DatumKind::List(inner, _) => innermost_name(inner),
        _ => None,
    }
}

pub(super) fn seq(mut exprs: Vec<Expr>) -> Expr {
    if exprs.len() == 1 {
        exprs.pop().expect("one expression")
    } else {
        Expr::Seq(exprs)
    }
}

/// `(a b)`, `(a . rest)` or `rest`: parameter names, and the rest parameter.
fn parse_formals(formals: &Datum) -> Result<(Vec<String>, Option<String>)> {
    let name = |d: &Datum| {
        d.symbol()
            .map(str::to_string)
            .ok_or_else(|| Error::syntax("a parameter must be an identifier", &d.span))
    };
    let (names, rest) = match &formals.kind {
        DatumKind::Symbol(s) => (Vec::new(), Some(s.clone())),
        DatumKind::List(items, tail) => {
            let names = items.iter().map(name).collect::<Result<Vec<_>>>()?;
            (names, tail.as_deref().map(name).transpose()?)
        }
        _ => return Err(Error::syntax("bad parameter list", &formals.span)),
    };
    let mut all: Vec<&String> = names.iter().chain(rest.iter()).collect();
    all.sort();
    if let Some(w) = all.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::syntax(
            format!("duplicate parameter `{}`", w[0]),
            &formals.span,
        ));
    }
    Ok((names, rest))
}

/// The library an import set names, as text: `(scheme base)`.
fn library_name(set: &Datum) -> Option<String> {
    let items = set.list()?;
    let head = items.first()?.symbol()?;
    if matches!(head, "only" | "except" | "prefix" | "rename") {
        return library_name(items.get(1)?);
    }
    rewrite::library_name(set)
}
