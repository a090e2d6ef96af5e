//! The expander: datums to the core language of `ast.rs`.
//!
//! It resolves every identifier (a lexical variable, a special form, or a global),
//! records which variables are assigned and which are captured by inner lambdas, and
//! turns derived forms into core ones (`derived.rs`, `quasi.rs`), and expands macro uses
//! (`syntax_rules.rs`). Special forms and macros are found by name through the same
//! scopes as variables, so a local binding named `if` shadows the special form.

use std::borrow::Cow;
use std::rc::Rc;

/// How deep `include`d files may include others.
const MAX_INCLUDE_DEPTH: usize = 64;

use super::ast::{Expr, Lambda, Prim, VarId, VarInfo};
use super::forms::{Expansion, Form};
use super::library::GlobalBinding;
use super::rewrite;
use super::syntax_rules::{split_alias, Env, Macro};
use super::Session;
use crate::error::{Error, Result};
use crate::reader::{Datum, DatumKind, Span};
use crate::store::Store;
use crate::symbol::base_name;
use crate::value::Value;

/// What an identifier means where it is used.
#[derive(Clone)]
pub(super) enum Meaning {
    Var(VarId),
    Special(Form),
    Macro(Rc<Macro>),
    /// A global variable, by the name of its global.
    Global(String),
}

/// What a name is bound to in a local scope.
enum Binding {
    Var(VarId),
    Macro(Rc<Macro>),
}

/// Macro uses expanded inside one another's expansions, at most: past it, a macro that
/// expands into itself forever is an error, not a stack overflow.
const MAX_EXPANSION_DEPTH: usize = 2_000;

pub struct Expander<'rt> {
    pub(super) store: &'rt mut Store,
    pub(super) session: &'rt mut Session,
    pub vars: Vec<VarInfo>,
    scopes: Vec<Vec<(String, Binding)>>,
    /// The lambdas being expanded, innermost last; 0 is the top level.
    lambdas: Vec<usize>,
    next_lambda: usize,
    /// Macro expansions in progress, one inside another.
    expansion_depth: usize,
    /// The namespace the code being expanded belongs to (`library.rs`).
    pub(super) ns: usize,
}

impl<'rt> Expander<'rt> {
    pub fn new(store: &'rt mut Store, session: &'rt mut Session) -> Expander<'rt> {
        Expander {
            store,
            session,
            vars: Vec::new(),
            scopes: Vec::new(),
            lambdas: vec![0],
            next_lambda: 1,
            expansion_depth: 0,
            ns: 0,
        }
    }

    pub(super) fn meaning(&self, name: &str) -> Meaning {
        self.resolve(name, self.scopes.len(), self.ns)
    }

    pub(super) fn at_top_level(&self) -> bool {
        self.scopes.is_empty()
    }

    /// What `name` means in the environment of the first `visible` scopes. An alias that
    /// none of them binds means what its name means where its macro was defined.
    fn resolve(&self, name: &str, visible: usize, ns: usize) -> Meaning {
        for scope in self.scopes[..visible].iter().rev() {
            if let Some((_, binding)) = scope.iter().rev().find(|(n, _)| n == name) {
                return match binding {
                    Binding::Var(v) => Meaning::Var(*v),
                    Binding::Macro(m) => Meaning::Macro(m.clone()),
                };
            }
        }
        if let Some((renamed, env)) =
            split_alias(name).and_then(|(renamed, n)| Some((renamed, self.session.aliases.env(n)?)))
        {
            let ns = match env {
                Env::Global(ns) => ns,
                Env::Local(_) => ns,
            };
            return self.resolve(renamed, env.depth().min(visible), ns);
        }
        match self.session.namespaces[ns].names.get(name) {
            Some(GlobalBinding::Macro(m)) => return Meaning::Macro(m.clone()),
            Some(GlobalBinding::Global(g)) => return Meaning::Global(g.clone()),
            None => {}
        }
        if let Some(form) = Form::named(name) {
            return Meaning::Special(form);
        }
        let space = &self.session.namespaces[ns];
        if space.own_prefix.is_none()
            || (space.standard && self.session.standard_names.contains(name))
        {
            Meaning::Global(name.to_string())
        } else {
            Meaning::Global(space.defined_name(name))
        }
    }

    /// What `name` stands for at the top level of namespace `ns`, for its exports.
    pub(super) fn global_binding(&self, name: &str, ns: usize) -> GlobalBinding {
        match self.resolve(name, 0, ns) {
            Meaning::Macro(m) => GlobalBinding::Macro(m),
            Meaning::Global(g) => GlobalBinding::Global(g),
            _ => GlobalBinding::Global(name.to_string()),
        }
    }

    /// Whether `d` is an identifier that names special form `form` here.
    pub(super) fn is_special(&self, d: &Datum, form: Form) -> bool {
        d.symbol()
            .is_some_and(|s| matches!(self.meaning(s), Meaning::Special(f) if f == form))
    }

    /// Whether `d` is the auxiliary keyword `k` (`else`, `=>`): that name, not bound
    /// to anything here.
    pub(super) fn is_keyword(&self, d: &Datum, k: &str) -> bool {
        d.symbol()
            .is_some_and(|s| base_name(s) == k && matches!(self.meaning(s), Meaning::Global(_)))
    }

    /// Whether identifier `input` of a macro use means what the macro's literal `literal`
    /// means where the macro was defined.
    fn same_binding(&self, input: &str, literal: &str, env: Env) -> bool {
        let here = self.meaning(input);
        let ns = match env {
            Env::Global(ns) => ns,
            Env::Local(_) => self.ns,
        };
        let there = self.resolve(literal, env.depth().min(self.scopes.len()), ns);
        match (here, there) {
            (Meaning::Var(a), Meaning::Var(b)) => a == b,
            (Meaning::Special(a), Meaning::Special(b)) => a == b,
            (Meaning::Macro(a), Meaning::Macro(b)) => Rc::ptr_eq(&a, &b),
            (Meaning::Global(a), Meaning::Global(b)) => a == b,
            _ => false,
        }
    }

    /// The form a macro use stands for, one step.
    pub(super) fn expand_macro(&self, m: &Macro, form: &Datum) -> Result<Datum> {
        // A macro whose expansion doubles at each step fills memory long before it nests
        // too deep: the memory limit stops it.
        crate::memory::check(self.store.options.max_heap).map_err(|e| e.at(Some(&form.span)))?;
        let same = |input: &str, literal: &str| self.same_binding(input, literal, m.env);
        m.expand(form, &self.session.aliases, &same)
    }

    /// Expands `d`, a macro's expansion, counting it against the nesting limit.
    fn expand_expansion(&mut self, d: &Datum) -> Result<Expr> {
        if self.expansion_depth >= MAX_EXPANSION_DEPTH {
            return Err(expansion_too_deep(&d.span));
        }
        self.expansion_depth += 1;
        let out = self.expand(d);
        self.expansion_depth -= 1;
        out
    }

    /// A new variable in the innermost scope.
    pub(super) fn bind(&mut self, name: &str) -> VarId {
        let id = self.fresh(name);
        self.scopes
            .last_mut()
            .expect("a scope is open")
            .push((name.to_string(), Binding::Var(id)));
        id
    }

    /// A macro in the innermost scope.
    fn bind_macro(&mut self, name: &str, m: Rc<Macro>) {
        self.scopes
            .last_mut()
            .expect("a scope is open")
            .push((name.to_string(), Binding::Macro(m)));
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
            patched: false,
        });
        self.vars.len() - 1
    }

    /// How many scopes are open, for `close_scopes_to`.
    pub(super) fn scope_depth(&self) -> usize {
        self.scopes.len()
    }

    /// Opens a scope that `close_scopes_to` closes: for forms that open many at once.
    pub(super) fn open_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub(super) fn close_scopes_to(&mut self, depth: usize) {
        self.scopes.truncate(depth);
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
        self.store.intern(name)
    }

    /// Expands a top-level form.
    pub fn expand_toplevel(&mut self, d: &Datum) -> Result<Expr> {
        self.expand(d)
    }

    pub(super) fn expand(&mut self, d: &Datum) -> Result<Expr> {
        // Source that expands into more than the memory limit allows stops here.
        crate::memory::check(self.store.options.max_heap).map_err(|e| e.at(Some(&d.span)))?;
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
            | DatumKind::Bytevector(_)
            | DatumKind::Value(_) => Ok(Expr::Const(self.store.literal_to_value(d)?)),
            DatumKind::Labeled(..) | DatumKind::LabelRef(_) => Err(Error::syntax(
                "datum labels may only be used in quoted data",
                &d.span,
            )),
        }
    }

    fn expand_identifier(&mut self, name: &str, span: &Span) -> Result<Expr> {
        match self.meaning(name) {
            Meaning::Var(v) => Ok(self.reference(v)),
            Meaning::Special(s) => {
                Err(Error::syntax(format!("`{s}` is syntax, not a value"), span))
            }
            Meaning::Macro(m) => Err(Error::syntax(
                format!("`{}` is a macro, not a value", base_name(&m.name)),
                span,
            )),
            Meaning::Global(global) => Ok(Expr::Global(self.symbol(&global), span.clone())),
        }
    }

    fn expand_list(&mut self, items: &[Datum], whole: &Datum) -> Result<Expr> {
        if let Some(name) = items[0].symbol() {
            match self.meaning(name) {
                Meaning::Special(form) => return self.expand_special(form, items, whole),
                Meaning::Macro(m) => {
                    let expansion = self.expand_macro(&m, whole)?;
                    return self.expand_expansion(&expansion);
                }
                _ => {}
            }
        }
        self.expand_call(items, &whole.span)
    }

    fn expand_call(&mut self, items: &[Datum], span: &Span) -> Result<Expr> {
        let args = items[1..]
            .iter()
            .map(|a| self.expand(a))
            .collect::<Result<Vec<_>>>()?;
        if let Some(Meaning::Global(name)) = items[0].symbol().map(|s| self.meaning(s)) {
            let name = name.as_str();
            if !self.session.is_redefined(name) {
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

    fn expand_special(&mut self, form: Form, items: &[Datum], whole: &Datum) -> Result<Expr> {
        let span = &whole.span;
        let bad = |what: &str| {
            Err(Error::syntax(
                format!("bad `{}`: {what}", form.name()),
                span,
            ))
        };
        match form {
            Form::Quote => match items {
                [_, d] => Ok(Expr::Const(self.store.literal_to_value(d)?)),
                _ => bad("expected (quote datum)"),
            },
            Form::Quasiquote => match items {
                [_, d] => self.quasiquote(d, 1),
                _ => bad("expected (quasiquote template)"),
            },
            Form::Unquote | Form::UnquoteSplicing => bad("not inside a quasiquote"),
            Form::Lambda => match items {
                [_, formals, body @ ..] if !body.is_empty() => {
                    Ok(Expr::Lambda(self.lambda(None, formals, body, span, None)?))
                }
                _ => bad("expected (lambda formals body ...)"),
            },
            Form::Define => self.define_toplevel(items, span),
            Form::Set => match items {
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
                        Meaning::Special(_) | Meaning::Macro(_) => {
                            bad("cannot assign a syntactic keyword")
                        }
                        Meaning::Global(global) => {
                            self.session.mark_redefined(&global);
                            Ok(Expr::SetGlobal(self.symbol(&global), value, span.clone()))
                        }
                    }
                }
                _ => bad("expected (set! variable expression)"),
            },
            Form::If => match items {
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
            Form::Begin => {
                if items.len() == 1 {
                    return Ok(Expr::Const(Value::UNSPECIFIED));
                }
                let body = items[1..]
                    .iter()
                    .map(|d| self.expand(d))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Expr::Seq(body))
            }
            Form::CallForValues => match items {
                [_, thunk] => Ok(Expr::CallForValues(
                    Box::new(self.expand(thunk)?),
                    span.clone(),
                )),
                _ => bad("expected (%call-for-values thunk)"),
            },
            Form::Import => self.import(items, span),
            Form::DefineLibrary => self.define_library(items, span),
            Form::DefineSyntax => match items {
                [_, name, spec] if name.symbol().is_some() && self.scopes.is_empty() => {
                    let name = base_name(name.symbol().unwrap_or_default());
                    let m = self.transformer(name, spec, Env::Global(self.ns))?;
                    self.session.namespaces[self.ns]
                        .names
                        .insert(name.to_string(), GlobalBinding::Macro(m));
                    Ok(Expr::Const(Value::UNSPECIFIED))
                }
                [_, name, _] if name.symbol().is_some() => {
                    bad("only allowed at the top level or at the start of a body")
                }
                _ => bad("expected (define-syntax name (syntax-rules ...))"),
            },
            Form::LetSyntax | Form::LetrecSyntax => match items {
                [_, bindings, body @ ..] if !body.is_empty() => {
                    let Some(bindings) = bindings.list() else {
                        return bad("expected a list of (name transformer) bindings");
                    };
                    // The transformers of `letrec-syntax` see each other; those of
                    // `let-syntax` see the scopes outside it.
                    let env =
                        Env::Local(self.scopes.len() + usize::from(form == Form::LetrecSyntax));
                    let mut macros = Vec::new();
                    for binding in bindings {
                        match binding.list() {
                            Some([name, spec]) if name.symbol().is_some() => {
                                let name = name.symbol().unwrap_or_default();
                                macros.push((name, self.transformer(name, spec, env)?));
                            }
                            _ => return bad("each binding is (name transformer)"),
                        }
                    }
                    self.with_scope(|ex| {
                        for (name, m) in macros {
                            ex.bind_macro(name, m);
                        }
                        ex.body(body, span)
                    })
                }
                _ => bad("expected bindings and a body"),
            },
            Form::SyntaxRules => bad("only allowed as the transformer of a macro definition"),
            // (syntax-error message args ...): what a macro rule expands into to reject
            // its use at expansion time.
            Form::SyntaxError => {
                let mut text = match items.get(1).map(|d| &d.kind) {
                    Some(DatumKind::String(m)) => m.clone(),
                    _ => return bad("expected (syntax-error message args ...)"),
                };
                for arg in &items[2..] {
                    text.push(' ');
                    crate::printer::print(
                        self.store.literal_to_value(arg)?,
                        crate::printer::Style::Write,
                        &mut text,
                    );
                }
                Err(Error::syntax(text, span))
            }
            _ if form.expansion() == Expansion::Rewritten => {
                let d = self.rewrite(form, items, span)?;
                self.expand(&d)
            }
            _ => self.expand_derived(form, items, span),
        }
    }

    /// The macro a transformer spec, `(syntax-rules ...)`, defines.
    fn transformer(&self, name: &str, spec: &Datum, env: Env) -> Result<Rc<Macro>> {
        let head = spec.list().and_then(|l| l.first());
        if !head.is_some_and(|h| self.is_special(h, Form::SyntaxRules)) {
            return Err(Error::syntax(
                "a macro's transformer must be a (syntax-rules ...) form",
                &spec.span,
            ));
        }
        Macro::parse(name, spec, env)
    }

    /// The datum a rewritten form (see `rewrite`) or an `include` stands for.
    fn rewrite(&mut self, form: Form, items: &[Datum], span: &Span) -> Result<Datum> {
        if form == Form::Include {
            self.include(items, span)
        } else if form == Form::IncludeCi {
            self.include(items, span).map(|d| fold_case(&d))
        } else {
            rewrite::rewrite(form, items, span, &self.session.aliases)
        }
    }

    /// `(include "file" ...)`: the files' forms in a `begin`. A relative name is found
    /// next to the file that includes it.
    pub(super) fn include(&mut self, items: &[Datum], span: &Span) -> Result<Datum> {
        if items.len() < 2 {
            return Err(Error::syntax("bad `include`: expected file names", span));
        }
        let mut forms = vec![Datum {
            kind: DatumKind::Symbol(self.session.aliases.standard("begin")),
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
            // A file that includes itself, directly or not, would be expanded for ever.
            let depth = self
                .session
                .include_depths
                .get(&span.file.name)
                .copied()
                .unwrap_or(0)
                + 1;
            if depth > MAX_INCLUDE_DEPTH {
                return Err(Error::syntax(
                    format!(
                        "include: files include each other more than {MAX_INCLUDE_DEPTH} deep \
                         (does {} include itself?)",
                        path.display()
                    ),
                    &item.span,
                ));
            }
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::syntax(
                    format!("include: cannot read {}: {e}", path.display()),
                    &item.span,
                )
            })?;
            let file = crate::reader::SourceFile::new(path.display().to_string(), text);
            let known = self
                .session
                .include_depths
                .entry(file.name.clone())
                .or_default();
            *known = (*known).max(depth);
            forms.extend(crate::reader::read_all(
                &file,
                self.store.options.max_read_depth,
            )?);
        }
        Ok(Datum {
            kind: DatumKind::List(forms, None),
            span: span.clone(),
        })
    }

    fn define_toplevel(&mut self, items: &[Datum], span: &Span) -> Result<Expr> {
        let (name, value) = self.definition(items, span, None)?;
        if !self.scopes.is_empty() {
            return Err(Error::syntax(
                "`define` is only allowed at the start of a body",
                span,
            ));
        }
        // At the top level, a name a macro inserted defines the name itself; a
        // definition hides a macro or an import of the same name.
        let name = base_name(&name).to_string();
        let space = &mut self.session.namespaces[self.ns];
        space.names.remove(&name);
        let global = space.defined_name(&name);
        if space.own_prefix.is_some() {
            // A library's definition hides a standard name of the same name.
            space
                .names
                .insert(name, GlobalBinding::Global(global.clone()));
        }
        let name = global;
        self.session.mark_redefined(&name);
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
                        if self.is_special(head, Form::Lambda) && !body.is_empty() =>
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
                            kind: DatumKind::Symbol(self.session.aliases.standard("lambda")),
                            span: span.clone(),
                        };
                        let mut inner = vec![lambda_sym, formals];
                        inner.extend_from_slice(body);
                        let inner = Datum {
                            kind: DatumKind::List(inner, None),
                            span: span.clone(),
                        };
                        let define = Datum {
                            kind: DatumKind::Symbol(self.session.aliases.standard("define")),
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

    /// A body: internal definitions (also inside `begin`, and those that macro uses
    /// expand into) become `letrec*` bindings; internal `define-syntax` binds a macro
    /// for the whole body.
    pub(super) fn body(&mut self, forms: &[Datum], span: &Span) -> Result<Expr> {
        self.with_scope(|ex| {
            let flat = ex.body_forms(forms)?;
            if flat.is_empty() {
                return Err(Error::syntax("a body needs at least one expression", span));
            }
            let vars: Vec<VarId> = flat.iter().filter_map(|&(_, var)| var).collect();
            if vars.is_empty() {
                let exprs = flat
                    .iter()
                    .map(|(d, _)| ex.expand(d))
                    .collect::<Result<Vec<_>>>()?;
                return Ok(seq(exprs));
            }
            let mut exprs = Vec::new();
            for (d, defined) in &flat {
                if let &Some(var) = defined {
                    let (_, value) =
                        ex.definition(d.list().unwrap_or_default(), &d.span, Some(var))?;
                    ex.vars[var].late_init = true;
                    exprs.push(Expr::SetLocal(var, Box::new(value)));
                } else {
                    exprs.push(ex.expand(d)?);
                }
            }
            if flat.last().is_some_and(|(_, defined)| defined.is_some()) {
                exprs.push(Expr::Const(Value::UNSPECIFIED));
            }
            let bindings = vars
                .into_iter()
                .map(|v| (v, Expr::Const(Value::UNDEFINED)))
                .collect();
            Ok(Expr::Let(bindings, Box::new(seq(exprs))))
        })
    }

    /// The forms of a body as the body sees them: macro uses at their head expanded,
    /// `begin`s spliced, forms that may stand for definitions (`define-record-type`,
    /// `define-values`, `cond-expand`, `include`) rewritten, and `define-syntax` forms
    /// bound in the innermost scope and gone. Each `define` binds its variable as soon
    /// as it is met, with the variable beside it, so that a later form of the body that
    /// uses the name means the variable, not a macro of the same name outside.
    ///
    /// The body's own forms are borrowed, not copied: a body nested in a body nested in
    /// a body would otherwise hold a copy of everything inside it at every level.
    fn body_forms<'f>(
        &mut self,
        forms: &'f [Datum],
    ) -> Result<Vec<(Cow<'f, Datum>, Option<VarId>)>> {
        let mut out = Vec::new();
        let mut todo: Vec<(Cow<'f, Datum>, usize)> =
            forms.iter().rev().map(|d| (Cow::Borrowed(d), 0)).collect();
        while let Some((d, depth)) = todo.pop() {
            let items = d.list().unwrap_or_default();
            let head = items
                .first()
                .and_then(Datum::symbol)
                .map(|h| self.meaning(h));
            match head {
                Some(Meaning::Macro(m)) => {
                    if depth >= MAX_EXPANSION_DEPTH {
                        return Err(expansion_too_deep(&d.span));
                    }
                    todo.push((Cow::Owned(self.expand_macro(&m, &d)?), depth + 1));
                }
                Some(Meaning::Special(Form::Begin)) => match &d {
                    Cow::Borrowed(begin) => {
                        let items = begin.list().unwrap_or_default();
                        todo.extend(items[1..].iter().rev().map(|d| (Cow::Borrowed(d), depth)));
                    }
                    Cow::Owned(_) => {
                        let owned: Vec<_> = items[1..].iter().rev().cloned().collect();
                        todo.extend(owned.into_iter().map(|d| (Cow::Owned(d), depth)));
                    }
                },
                Some(Meaning::Special(Form::DefineSyntax)) => {
                    match items {
                        [_, name, spec] if name.symbol().is_some() => {
                            let name = name.symbol().unwrap_or_default();
                            let m = self.transformer(name, spec, Env::Local(self.scopes.len()))?;
                            self.bind_macro(name, m);
                        }
                        _ => return Err(Error::syntax(
                            "bad `define-syntax`: expected (define-syntax name (syntax-rules ...))",
                            &d.span,
                        )),
                    }
                }
                Some(Meaning::Special(form)) if form.may_define() => {
                    todo.push((Cow::Owned(self.rewrite(form, items, &d.span)?), depth));
                }
                Some(Meaning::Special(Form::Define)) => {
                    let name = match items.get(1).map(|t| &t.kind) {
                        Some(DatumKind::Symbol(s)) => s.clone(),
                        Some(DatumKind::List(head, _)) => innermost_name(head).unwrap_or_default(),
                        _ => return Err(Error::syntax("bad `define`", &d.span)),
                    };
                    let var = self.bind(&name);
                    out.push((d, Some(var)));
                }
                _ => out.push((d, None)),
            }
        }
        Ok(out)
    }
}

/// `d` with its symbols and characters folded to lower case, as `include-ci` reads.
pub(super) fn fold_case(d: &Datum) -> Datum {
    let kind = match &d.kind {
        DatumKind::Symbol(s) => DatumKind::Symbol(caseless::default_case_fold_str(s)),
        DatumKind::List(items, tail) => DatumKind::List(
            items.iter().map(fold_case).collect(),
            tail.as_ref().map(|t| Box::new(fold_case(t))),
        ),
        DatumKind::Vector(items) => DatumKind::Vector(items.iter().map(fold_case).collect()),
        other => other.clone(),
    };
    Datum {
        kind,
        span: d.span.clone(),
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

fn expansion_too_deep(span: &Span) -> Error {
    Error::syntax(
        format!("macro expansion nested deeper than {MAX_EXPANSION_DEPTH} levels (a macro that expands into itself?)"),
        span,
    )
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
