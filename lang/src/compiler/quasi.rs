//! `quasiquote`, nested to any level, with `unquote` and `unquote-splicing`.
//!
//! A template with nothing unquoted at the current level is a constant. Otherwise it
//! becomes calls to the builtin `cons`, `append`, `list` and `list->vector` procedures
//! themselves (not the globals of those names, which a program may rebind).

use super::ast::Expr;
use super::expand::Expander;
use crate::error::{Error, Result};
use crate::reader::{Datum, DatumKind, Span};

impl Expander<'_> {
    pub(super) fn quasiquote(&mut self, template: &Datum, depth: usize) -> Result<Expr> {
        if !has_unquote(template, depth) {
            return Ok(Expr::Const(self.store.literal_to_value(template)?));
        }
        let span = &template.span;
        match &template.kind {
            DatumKind::List(items, None) if items.len() == 2 && is_named(&items[0], "unquote") => {
                if depth == 1 {
                    self.expand(&items[1])
                } else {
                    self.tagged("unquote", &items[1], depth - 1, span)
                }
            }
            DatumKind::List(items, None)
                if items.len() == 2 && is_named(&items[0], "quasiquote") =>
            {
                self.tagged("quasiquote", &items[1], depth + 1, span)
            }
            DatumKind::List(items, tail) => {
                let (items, tail) = elements_and_tail(items, tail.as_deref());
                let mut acc = match tail {
                    Some(t) => self.quasiquote(&t, depth)?,
                    None => Expr::Const(crate::value::Value::NIL),
                };
                for item in items.iter().rev() {
                    acc = match item.list() {
                        Some([head, x]) if is_named(head, "unquote-splicing") && depth == 1 => {
                            let spliced = self.expand(x)?;
                            self.call_builtin("append", vec![spliced, acc], span)
                        }
                        _ => {
                            let head = self.quasiquote(item, depth)?;
                            self.call_builtin("cons", vec![head, acc], span)
                        }
                    };
                }
                Ok(acc)
            }
            DatumKind::Vector(items) => {
                let as_list = Datum {
                    kind: DatumKind::List(items.clone(), None),
                    span: span.clone(),
                };
                let list = self.quasiquote(&as_list, depth)?;
                Ok(self.call_builtin("list->vector", vec![list], span))
            }
            _ => Err(Error::syntax("bad quasiquote template", span)),
        }
    }

    /// `(tag x)` with `x` processed at `depth`.
    fn tagged(&mut self, tag: &str, x: &Datum, depth: usize, span: &Span) -> Result<Expr> {
        let tag = Expr::Const(self.symbol(tag));
        let inner = self.quasiquote(x, depth)?;
        Ok(self.call_builtin("list", vec![tag, inner], span))
    }

    fn call_builtin(&mut self, name: &str, args: Vec<Expr>, span: &Span) -> Expr {
        let f = self.store.builtin(name);
        Expr::Call(Box::new(Expr::Const(f)), args, span.clone())
    }
}

/// A list's elements and its tail, the tail being a form that the reader spliced into
/// the elements: `(a . ,x)` is the list `(a unquote x)`, whose tail is `,x`.
fn elements_and_tail<'d>(
    items: &'d [Datum],
    tail: Option<&'d Datum>,
) -> (&'d [Datum], Option<std::borrow::Cow<'d, Datum>>) {
    let n = items.len();
    if tail.is_none()
        && n >= 3
        && (is_named(&items[n - 2], "unquote") || is_named(&items[n - 2], "quasiquote"))
    {
        let form = Datum {
            kind: DatumKind::List(items[n - 2..].to_vec(), None),
            span: items[n - 2].span.clone(),
        };
        return (&items[..n - 2], Some(std::borrow::Cow::Owned(form)));
    }
    (items, tail.map(std::borrow::Cow::Borrowed))
}

fn is_named(d: &Datum, name: &str) -> bool {
    super::syntax_rules::keyword(d) == Some(name)
}

/// Whether anything in `d` is unquoted at `depth`.
fn has_unquote(d: &Datum, depth: usize) -> bool {
    match &d.kind {
        DatumKind::List(items, tail) => {
            if let [head, x] = items.as_slice() {
                if is_named(head, "unquote") || is_named(head, "unquote-splicing") {
                    return depth == 1 || has_unquote(x, depth - 1);
                }
                if is_named(head, "quasiquote") {
                    return has_unquote(x, depth + 1);
                }
            }
            let (items, tail) = elements_and_tail(items, tail.as_deref());
            items.iter().any(|i| has_unquote(i, depth))
                || tail.is_some_and(|t| has_unquote(&t, depth))
        }
        DatumKind::Vector(items) => items.iter().any(|i| has_unquote(i, depth)),
        _ => false,
    }
}
