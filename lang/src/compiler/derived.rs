//! Derived forms, expanded straight into the core language: `let` (and named `let`),
//! `let*`, `letrec`, `letrec*`, `do`, `cond`, `case`, `and`, `or`, `when`, `unless`.

use super::ast::{Expr, Prim};
use super::expand::{seq, Expander};
use super::forms::Form;
use crate::error::{Error, Result};
use crate::number::eqv_is_eq;
use crate::reader::{Datum, Span};
use crate::value::Value;

type Bindings<'d> = Vec<(&'d str, &'d Datum)>;

impl Expander<'_> {
    pub(super) fn expand_derived(
        &mut self,
        form: Form,
        items: &[Datum],
        span: &Span,
    ) -> Result<Expr> {
        let bad = |what: &str| {
            Err(Error::syntax(
                format!("bad `{}`: {what}", form.name()),
                span,
            ))
        };
        match form {
            Form::Let => match items {
                [_, name, bindings, body @ ..] if name.symbol().is_some() && !body.is_empty() => {
                    self.named_let(name.symbol().unwrap_or_default(), bindings, body, span)
                }
                [_, bindings, body @ ..] if !body.is_empty() => {
                    let bindings = parse_bindings(bindings, form.name())?;
                    self.let_(&bindings, body, span)
                }
                _ => bad("expected (let ((name value) ...) body ...)"),
            },
            Form::LetStar => match items {
                [_, bindings, body @ ..] if !body.is_empty() => {
                    let bindings = parse_bindings(bindings, form.name())?;
                    self.let_star(&bindings, body, span)
                }
                _ => bad("expected (let* ((name value) ...) body ...)"),
            },
            Form::Letrec | Form::LetrecStar => match items {
                [_, bindings, body @ ..] if !body.is_empty() => {
                    let bindings = parse_bindings(bindings, form.name())?;
                    self.letrec(&bindings, body, span)
                }
                _ => bad("expected (letrec ((name value) ...) body ...)"),
            },
            Form::Do => self.do_loop(items, span),
            Form::Cond => self.cond(&items[1..]),
            Form::Case => match items {
                [_, key, clauses @ ..] => {
                    let key_expr = self.expand(key)?;
                    self.with_scope(|ex| {
                        let k = ex.fresh("case-key");
                        let body = ex.case_clauses(k, clauses, span)?;
                        Ok(Expr::Let(vec![(k, key_expr)], Box::new(body)))
                    })
                }
                _ => bad("expected (case key clause ...)"),
            },
            Form::And => self.and(&items[1..]),
            Form::Or => self.or(&items[1..]),
            Form::When | Form::Unless => match items {
                [_, test, body @ ..] if !body.is_empty() => {
                    let test = self.expand(test)?;
                    let body = seq(body.iter().map(|d| self.expand(d)).collect::<Result<_>>()?);
                    let none = Expr::Const(Value::UNSPECIFIED);
                    let (t, e) = if form == Form::When {
                        (body, none)
                    } else {
                        (none, body)
                    };
                    Ok(Expr::If(Box::new(test), Box::new(t), Box::new(e)))
                }
                _ => bad("expected a test and a body"),
            },
            _ => Err(Error::syntax(
                format!("unknown special form `{form}`"),
                span,
            )),
        }
    }

    fn let_(&mut self, bindings: &Bindings<'_>, body: &[Datum], span: &Span) -> Result<Expr> {
        check_unique(bindings, span)?;
        let inits = bindings
            .iter()
            .map(|(_, d)| self.expand(d))
            .collect::<Result<Vec<_>>>()?;
        self.with_scope(|ex| {
            let vars: Vec<_> = bindings.iter().map(|(n, _)| ex.bind(n)).collect();
            let body = ex.body(body, span)?;
            Ok(Expr::Let(
                vars.into_iter().zip(inits).collect(),
                Box::new(body),
            ))
        })
    }

    /// A scope per binding, as nested `let`s have, opened in a loop rather than by
    /// recursion on the rest of the bindings (which copied them at every level), and the
    /// nested `Let`s built from the inside out.
    fn let_star(&mut self, bindings: &Bindings<'_>, body: &[Datum], span: &Span) -> Result<Expr> {
        let outer = self.scope_depth();
        let mut lets = Vec::with_capacity(bindings.len());
        let mut inner = Ok(());
        for &(name, init) in bindings {
            match self.expand(init) {
                Ok(init) => {
                    self.open_scope();
                    lets.push((self.bind(name), init));
                }
                Err(e) => {
                    inner = Err(e);
                    break;
                }
            }
        }
        let body = inner.and_then(|()| self.with_scope(|ex| ex.body(body, span)));
        self.close_scopes_to(outer);
        let mut expr = body?;
        for (var, init) in lets.into_iter().rev() {
            expr = Expr::Let(vec![(var, init)], Box::new(expr));
        }
        Ok(expr)
    }

    fn letrec(&mut self, bindings: &Bindings<'_>, body: &[Datum], span: &Span) -> Result<Expr> {
        check_unique(bindings, span)?;
        self.with_scope(|ex| {
            let vars: Vec<_> = bindings.iter().map(|(n, _)| ex.bind(n)).collect();
            let mut exprs = Vec::new();
            for (&var, &(name, init)) in vars.iter().zip(bindings) {
                let value = ex.named_value(name, init, var)?;
                ex.vars[var].late_init = true;
                exprs.push(Expr::SetLocal(var, Box::new(value)));
            }
            exprs.push(ex.body(body, span)?);
            let undefined = vars
                .into_iter()
                .map(|v| (v, Expr::Const(Value::UNDEFINED)))
                .collect();
            Ok(Expr::Let(undefined, Box::new(seq(exprs))))
        })
    }

    /// An initializer; a `lambda` gets the variable's name, for backtraces.
    fn named_value(&mut self, name: &str, init: &Datum, var: usize) -> Result<Expr> {
        match init.list() {
            Some([head, formals, body @ ..])
                if self.is_special(head, Form::Lambda) && !body.is_empty() =>
            {
                Ok(Expr::Lambda(self.lambda(
                    Some(name),
                    formals,
                    body,
                    &init.span,
                    Some(var),
                )?))
            }
            _ => self.expand(init),
        }
    }

    /// `(let loop ((v init) ...) body)`: the inits are evaluated outside `loop`'s scope.
    fn named_let(
        &mut self,
        name: &str,
        bindings: &Datum,
        body: &[Datum],
        span: &Span,
    ) -> Result<Expr> {
        let bindings = parse_bindings(bindings, "let")?;
        check_unique(&bindings, span)?;
        let inits = bindings
            .iter()
            .map(|(_, d)| self.expand(d))
            .collect::<Result<Vec<_>>>()?;
        let params: Vec<Datum> = bindings
            .iter()
            .map(|(n, d)| Datum {
                kind: crate::reader::DatumKind::Symbol(n.to_string()),
                span: d.span.clone(),
            })
            .collect();
        let formals = Datum {
            kind: crate::reader::DatumKind::List(params, None),
            span: span.clone(),
        };
        self.with_scope(|ex| {
            let var = ex.bind(name);
            let lambda = ex.lambda(Some(name), &formals, body, span, Some(var))?;
            ex.vars[var].late_init = true;
            let call = Expr::Call(Box::new(Expr::Local(var)), inits, span.clone());
            let init = Expr::SetLocal(var, Box::new(Expr::Lambda(lambda)));
            Ok(Expr::Let(
                vec![(var, Expr::Const(Value::UNDEFINED))],
                Box::new(Expr::Seq(vec![init, call])),
            ))
        })
    }

    /// `(do ((var init step) ...) (test result ...) body ...)` as a loop of tail calls.
    fn do_loop(&mut self, items: &[Datum], span: &Span) -> Result<Expr> {
        let bad = |what: &str| Error::syntax(format!("bad `do`: {what}"), span);
        let [_, specs, exit, body @ ..] = items else {
            return Err(bad("expected specs, an exit clause, a body"));
        };
        let specs = specs
            .list()
            .ok_or_else(|| bad("the variable specs must be a list"))?;
        let exit = exit
            .list()
            .filter(|e| !e.is_empty())
            .ok_or_else(|| bad("expected (test result ...)"))?;
        let mut vars = Vec::new();
        let mut inits = Vec::new();
        for spec in specs {
            match spec.list() {
                Some([v, init, step @ ..]) if v.symbol().is_some() && step.len() <= 1 => {
                    vars.push((v.symbol().unwrap_or_default(), step.first().unwrap_or(v)));
                    inits.push(self.expand(init)?);
                }
                _ => return Err(bad("each spec is (variable init [step])")),
            }
        }
        let names: Vec<&str> = vars.iter().map(|(n, _)| *n).collect();
        self.with_scope(|ex| {
            let loop_var = ex.fresh("do-loop");
            ex.vars[loop_var].late_init = true;
            let lambda =
                ex.lambda_with(Some("do-loop"), &names, None, span, Some(loop_var), |ex| {
                    let test = ex.expand(&exit[0])?;
                    let result = match &exit[1..] {
                        [] => Expr::Const(Value::UNSPECIFIED),
                        rs => seq(rs.iter().map(|d| ex.expand(d)).collect::<Result<_>>()?),
                    };
                    let mut steps = body
                        .iter()
                        .map(|d| ex.expand(d))
                        .collect::<Result<Vec<_>>>()?;
                    let next = vars
                        .iter()
                        .map(|(_, step)| ex.expand(step))
                        .collect::<Result<Vec<_>>>()?;
                    let again = ex.reference(loop_var);
                    steps.push(Expr::Call(Box::new(again), next, span.clone()));
                    Ok(Expr::If(
                        Box::new(test),
                        Box::new(result),
                        Box::new(seq(steps)),
                    ))
                })?;
            let call = Expr::Call(Box::new(Expr::Local(loop_var)), inits, span.clone());
            let init = Expr::SetLocal(loop_var, Box::new(Expr::Lambda(lambda)));
            Ok(Expr::Let(
                vec![(loop_var, Expr::Const(Value::UNDEFINED))],
                Box::new(Expr::Seq(vec![init, call])),
            ))
        })
    }

    fn cond(&mut self, clauses: &[Datum]) -> Result<Expr> {
        let Some((clause, rest)) = clauses.split_first() else {
            return Ok(Expr::Const(Value::UNSPECIFIED));
        };
        let bad = || Error::syntax("bad `cond` clause", &clause.span);
        let parts = clause.list().filter(|p| !p.is_empty()).ok_or_else(bad)?;
        if self.is_keyword(&parts[0], "else") {
            if !rest.is_empty() || parts.len() < 2 {
                return Err(Error::syntax(
                    "`else` must be the last cond clause, with a body",
                    &clause.span,
                ));
            }
            return Ok(seq(parts[1..]
                .iter()
                .map(|d| self.expand(d))
                .collect::<Result<_>>()?));
        }
        let test = self.expand(&parts[0])?;
        let otherwise = self.cond(rest)?;
        match &parts[1..] {
            [] => self.value_or(test, otherwise),
            [arrow, receiver] if self.is_keyword(arrow, "=>") => {
                let receiver = self.expand(receiver)?;
                self.with_scope(|ex| {
                    let t = ex.fresh("cond-test");
                    let call = Expr::Call(
                        Box::new(receiver),
                        vec![Expr::Local(t)],
                        clause.span.clone(),
                    );
                    let body = Expr::If(
                        Box::new(Expr::Local(t)),
                        Box::new(call),
                        Box::new(otherwise),
                    );
                    Ok(Expr::Let(vec![(t, test)], Box::new(body)))
                })
            }
            body => {
                let body = seq(body.iter().map(|d| self.expand(d)).collect::<Result<_>>()?);
                Ok(Expr::If(
                    Box::new(test),
                    Box::new(body),
                    Box::new(otherwise),
                ))
            }
        }
    }

    fn case_clauses(&mut self, key: usize, clauses: &[Datum], span: &Span) -> Result<Expr> {
        let Some((clause, rest)) = clauses.split_first() else {
            return Ok(Expr::Const(Value::UNSPECIFIED));
        };
        let bad = || {
            Error::syntax(
                "bad `case` clause: expected ((datum ...) body ...)",
                &clause.span,
            )
        };
        let parts = clause.list().filter(|p| p.len() >= 2).ok_or_else(bad)?;
        let is_else = self.is_keyword(&parts[0], "else");
        if is_else && !rest.is_empty() {
            return Err(Error::syntax(
                "`else` must be the last case clause",
                &clause.span,
            ));
        }
        let body = match &parts[1..] {
            [arrow, receiver] if self.is_keyword(arrow, "=>") => {
                let receiver = self.expand(receiver)?;
                Expr::Call(
                    Box::new(receiver),
                    vec![Expr::Local(key)],
                    clause.span.clone(),
                )
            }
            body => seq(body.iter().map(|d| self.expand(d)).collect::<Result<_>>()?),
        };
        if is_else {
            return Ok(body);
        }
        let data = parts[0].list().ok_or_else(bad)?;
        let otherwise = self.case_clauses(key, rest, span)?;
        let memv = self.store.builtin("memv");
        let set = self.store.literal_to_value(&parts[0])?;
        let eq_will_do = list_items(set).all(eqv_is_eq);
        let test = match data.len() {
            // Symbols, fixnums, characters and the like are `eqv?` exactly when `eq?`,
            // which the VM tests inline.
            1 if eq_will_do => Expr::Prim(
                Prim::IsEq,
                vec![Expr::Local(key), Expr::Const(set.car())],
                span.clone(),
            ),
            _ if eq_will_do => Expr::Prim(
                Prim::Memq,
                vec![Expr::Local(key), Expr::Const(set)],
                span.clone(),
            ),
            1 => {
                let datum = Expr::Const(self.store.literal_to_value(&data[0])?);
                let eqv = self.store.builtin("eqv?");
                Expr::Call(
                    Box::new(Expr::Const(eqv)),
                    vec![Expr::Local(key), datum],
                    span.clone(),
                )
            }
            _ => Expr::Call(
                Box::new(Expr::Const(memv)),
                vec![Expr::Local(key), Expr::Const(set)],
                span.clone(),
            ),
        };
        Ok(Expr::If(
            Box::new(test),
            Box::new(body),
            Box::new(otherwise),
        ))
    }

    fn and(&mut self, parts: &[Datum]) -> Result<Expr> {
        match parts {
            [] => Ok(Expr::Const(Value::TRUE)),
            [last] => self.expand(last),
            [first, rest @ ..] => {
                let test = self.expand(first)?;
                let rest = self.and(rest)?;
                Ok(Expr::If(
                    Box::new(test),
                    Box::new(rest),
                    Box::new(Expr::Const(Value::FALSE)),
                ))
            }
        }
    }

    fn or(&mut self, parts: &[Datum]) -> Result<Expr> {
        match parts {
            [] => Ok(Expr::Const(Value::FALSE)),
            [last] => self.expand(last),
            [first, rest @ ..] => {
                let test = self.expand(first)?;
                let rest = self.or(rest)?;
                self.value_or(test, rest)
            }
        }
    }
}

impl Expander<'_> {
    /// The value of `test` if it is true, else `otherwise`: `(let ((t test)) (if t t
    /// otherwise))` with a `t` no program can name.
    fn value_or(&mut self, test: Expr, otherwise: Expr) -> Result<Expr> {
        // A predicate's true value is `#t`, so it needs no variable to keep it.
        if matches!(test, Expr::Prim(p, ..) if p.is_predicate()) {
            return Ok(Expr::If(
                Box::new(test),
                Box::new(Expr::Const(Value::TRUE)),
                Box::new(otherwise),
            ));
        }
        self.with_scope(|ex| {
            let t = ex.fresh("test");
            let body = Expr::If(
                Box::new(Expr::Local(t)),
                Box::new(Expr::Local(t)),
                Box::new(otherwise),
            );
            Ok(Expr::Let(vec![(t, test)], Box::new(body)))
        })
    }
}

fn parse_bindings<'d>(d: &'d Datum, form: &str) -> Result<Bindings<'d>> {
    let bad = |d: &Datum| {
        Error::syntax(
            format!("bad `{form}` binding: expected (name value)"),
            &d.span,
        )
    };
    let items = d.list().ok_or_else(|| bad(d))?;
    items
        .iter()
        .map(|b| match b.list() {
            Some([name, init]) => name.symbol().map(|n| (n, init)).ok_or_else(|| bad(b)),
            _ => Err(bad(b)),
        })
        .collect()
}

fn check_unique(bindings: &Bindings<'_>, span: &Span) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for (name, _) in bindings.iter() {
        if !seen.insert(name) {
            return Err(Error::syntax(format!("`{name}` is bound twice"), span));
        }
    }
    Ok(())
}

/// The items of a proper list the expander made.
fn list_items(mut list: Value) -> impl Iterator<Item = Value> {
    std::iter::from_fn(move || {
        let item = list.is_pair().then(|| list.car())?;
        list = list.cdr();
        Some(item)
    })
}
