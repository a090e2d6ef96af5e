//! `syntax-rules` macros: parsing a transformer, matching a use against its patterns,
//! and instantiating the template of the rule that matched.
//!
//! Hygiene is by renaming. Every identifier a template inserts (one that is not a
//! pattern variable) becomes an *alias*, fresh for each expansion: a symbol that the
//! reader cannot produce, `name\u{1}N`, whose entry `N` in the runtime's alias table
//! says which environment it comes from (the macro's definition). The expander binds an
//! alias like any name, so the temporaries of one expansion never capture the user's
//! variables; and an alias that no binding of the expansion's own catches means what its
//! name means where the macro was defined (`Expander::meaning`), so a macro's free `if`
//! or `list` is the definition's even where the use shadows it. Quoted aliases are their
//! names again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::error::{Error, Result};
use crate::reader::{Datum, DatumKind, Span};
use crate::symbol::{base_name, ALIAS_MARK};

/// Where the identifiers a macro inserts get their meaning: the top level of a
/// namespace (`library.rs`), or the first `n` scopes of the expander (which, at any use
/// of a local macro, are the scopes it was defined in).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Env {
    Global(usize),
    Local(usize),
}

impl Env {
    /// The number of the expander's scopes visible from this environment.
    pub fn depth(self) -> usize {
        match self {
            Env::Global(_) => 0,
            Env::Local(n) => n,
        }
    }
}

/// The alias number and the renamed name, if `name` is an alias.
pub fn split_alias(name: &str) -> Option<(&str, usize)> {
    let (inner, n) = name.rsplit_once(ALIAS_MARK)?;
    Some((inner, n.parse().ok()?))
}

/// The name of an identifier datum, without renaming marks: how the forms that look for
/// auxiliary keywords (`else`, `=>`, `unquote`, ...) see it.
pub fn keyword(d: &Datum) -> Option<&str> {
    d.symbol().map(base_name)
}

/// The environment of each alias, by number. It only grows: an alias may outlive the
/// expansion that made it inside a global macro's template.
#[derive(Default)]
pub struct Aliases {
    envs: RefCell<Vec<Env>>,
    /// The alias of each name the compiler's own rewritings insert, made once.
    standard: RefCell<HashMap<String, String>>,
}

impl Aliases {
    fn make(&self, name: &str, env: Env) -> String {
        let mut envs = self.envs.borrow_mut();
        envs.push(env);
        format!("{name}{ALIAS_MARK}{}", envs.len() - 1)
    }

    /// An identifier that means what `name` means at the top level, whatever a program
    /// binds around it, and that no identifier the program writes can refer to: what the
    /// forms the compiler rewrites (`guard`, `let-values`, ...) insert, so that a local
    /// `apply`, `let` or `call/cc` cannot capture their parts.
    pub fn standard(&self, name: &str) -> String {
        if let Some(alias) = self.standard.borrow().get(name) {
            return alias.clone();
        }
        let alias = self.make(name, Env::Global(0));
        self.standard
            .borrow_mut()
            .insert(name.to_string(), alias.clone());
        alias
    }

    /// The environment of alias `n`; `None` for a number no alias has, which a name
    /// written with the alias mark in it (`|a\x1;9|`) may carry.
    pub fn env(&self, n: usize) -> Option<Env> {
        self.envs.borrow().get(n).copied()
    }
}

pub struct Macro {
    pub name: String,
    ellipsis: String,
    literals: Vec<String>,
    rules: Vec<(Datum, Datum)>,
    pub env: Env,
}

/// What a pattern variable matched: one datum, or one match per repetition of the
/// ellipsis it is under.
#[derive(Clone, Debug)]
enum Match {
    One(Datum),
    Many(Vec<Match>),
}

type Bindings = HashMap<String, Match>;

impl Macro {
    /// `(syntax-rules [ellipsis] (literal ...) (pattern template) ...)`.
    pub fn parse(name: &str, spec: &Datum, env: Env) -> Result<Rc<Macro>> {
        let bad =
            |what: &str, at: &Span| Err(Error::syntax(format!("bad `syntax-rules`: {what}"), at));
        let Some(items) = spec.list() else {
            return bad(
                "expected (syntax-rules (literal ...) (pattern template) ...)",
                &spec.span,
            );
        };
        let (ellipsis, rest) = match items {
            [_, e, rest @ ..] if e.symbol().is_some() => {
                (e.symbol().unwrap_or("...").to_string(), rest)
            }
            [_, rest @ ..] => ("...".to_string(), rest),
            [] => return bad("empty", &spec.span),
        };
        let Some((literals, rules)) = rest.split_first() else {
            return bad("expected a list of literals", &spec.span);
        };
        let Some(literals) = literals.list() else {
            return bad("the literals are a list of identifiers", &literals.span);
        };
        let literals = literals
            .iter()
            .map(|l| l.symbol().map(str::to_string).ok_or(()))
            .collect::<Result<Vec<_>, ()>>();
        let Ok(literals) = literals else {
            return bad("the literals are a list of identifiers", &spec.span);
        };
        let mut parsed = Vec::new();
        for rule in rules {
            match rule.list() {
                Some([pattern, template]) if matches!(pattern.kind, DatumKind::List(..)) => {
                    parsed.push((pattern.clone(), template.clone()))
                }
                _ => {
                    return bad(
                        "a rule is (pattern template), the pattern a list",
                        &rule.span,
                    )
                }
            }
        }
        Ok(Rc::new(Macro {
            name: name.to_string(),
            ellipsis,
            literals,
            rules: parsed,
            env,
        }))
    }

    /// Whether `d` is the ellipsis. A macro that a macro defines gets its ellipsis
    /// renamed like any inserted identifier, hence the comparison of base names. A
    /// literal of the same name takes priority (R7RS 4.3.2): the macro then has none.
    fn is_ellipsis(&self, d: &Datum) -> bool {
        keyword(d) == Some(base_name(&self.ellipsis)) && !self.literals.contains(&self.ellipsis)
    }

    /// The expansion of `form`, a use of this macro. `same_binding(input, literal)` tells
    /// whether an identifier of the input means what a literal of the macro means.
    pub fn expand(
        &self,
        form: &Datum,
        aliases: &Aliases,
        same_binding: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Datum> {
        let matcher = Matcher {
            mac: self,
            same_binding,
        };
        for (pattern, template) in &self.rules {
            let mut bindings = Bindings::new();
            // The keyword's position matches anything: it is the macro's own name.
            if matcher.match_tail(pattern, form, &mut bindings) {
                let mut renames = HashMap::new();
                let mut out = Instantiate {
                    mac: self,
                    aliases,
                    renames: &mut renames,
                    span: &form.span,
                };
                return out.template(template, &bindings, false);
            }
        }
        Err(Error::syntax(
            format!(
                "no rule of macro `{}` matches this use",
                base_name(&self.name)
            ),
            &form.span,
        ))
    }
}

struct Matcher<'m> {
    mac: &'m Macro,
    same_binding: &'m dyn Fn(&str, &str) -> bool,
}

/// The elements of a list or vector datum, and the tail after a dot.
fn parts(d: &Datum) -> Option<(&[Datum], Option<&Datum>)> {
    match &d.kind {
        DatumKind::List(items, tail) => Some((items, tail.as_deref())),
        DatumKind::Vector(items) => Some((items, None)),
        _ => None,
    }
}

impl Matcher<'_> {
    /// Matches the pattern's elements after the keyword against the form's.
    fn match_tail(&self, pattern: &Datum, form: &Datum, b: &mut Bindings) -> bool {
        let (Some((p, pt)), Some((f, ft))) = (parts(pattern), parts(form)) else {
            return false;
        };
        if p.is_empty() || f.is_empty() {
            return false;
        }
        self.match_sequence(&p[1..], pt, &f[1..], ft, b)
    }

    fn matches(&self, pattern: &Datum, input: &Datum, b: &mut Bindings) -> bool {
        match &pattern.kind {
            DatumKind::Symbol(name) => {
                if self.mac.literals.contains(name) {
                    input.symbol().is_some_and(|i| (self.same_binding)(i, name))
                } else {
                    if base_name(name) != "_" {
                        b.insert(name.clone(), Match::One(input.clone()));
                    }
                    true
                }
            }
            DatumKind::List(..) => match (&input.kind, parts(pattern), parts(input)) {
                (DatumKind::List(..), Some((p, pt)), Some((i, it))) => {
                    self.match_sequence(p, pt, i, it, b)
                }
                _ => false,
            },
            DatumKind::Vector(p) => match &input.kind {
                DatumKind::Vector(i) => self.match_sequence(p, None, i, None, b),
                _ => false,
            },
            atom => *atom == input.kind,
        }
    }

    /// `p ... [pe ellipsis q ...] [. pt]` against `i ... [. it]`.
    fn match_sequence(
        &self,
        p: &[Datum],
        pt: Option<&Datum>,
        i: &[Datum],
        it: Option<&Datum>,
        b: &mut Bindings,
    ) -> bool {
        let ellipsis = p
            .iter()
            .position(|d| self.mac.is_ellipsis(d))
            .filter(|&e| e > 0);
        let (before, repeated, after) = match ellipsis {
            Some(e) => (&p[..e - 1], Some(&p[e - 1]), &p[e + 1..]),
            None => (p, None, &p[p.len()..]),
        };
        let fixed = before.len() + after.len();
        if i.len() < fixed || (repeated.is_none() && pt.is_none() && i.len() != fixed) {
            return false;
        }
        for (pat, inp) in before.iter().zip(i) {
            if !self.matches(pat, inp, b) {
                return false;
            }
        }
        let rest = &i[before.len()..];
        let (middle, rest) = match repeated {
            Some(_) => rest.split_at(rest.len() - after.len()),
            None => (&rest[..0], rest),
        };
        if let Some(rep) = repeated {
            let mut each = Vec::new();
            for inp in middle {
                let mut one = Bindings::new();
                if !self.matches(rep, inp, &mut one) {
                    return false;
                }
                each.push(one);
            }
            for var in pattern_vars(rep, self) {
                let seq = each
                    .iter_mut()
                    .map(|m| m.remove(&var).unwrap_or(Match::Many(Vec::new())))
                    .collect();
                b.insert(var, Match::Many(seq));
            }
        }
        for (pat, inp) in after.iter().zip(rest) {
            if !self.matches(pat, inp, b) {
                return false;
            }
        }
        let rest = &rest[after.len().min(rest.len())..];
        match pt {
            // The tail pattern matches what is left: more elements, then the input's tail.
            Some(pt) => {
                let leftover = Datum {
                    kind: match (rest.is_empty(), it) {
                        (true, Some(t)) => t.kind.clone(),
                        _ => DatumKind::List(rest.to_vec(), it.map(|t| Box::new(t.clone()))),
                    },
                    span: pt.span.clone(),
                };
                self.matches(pt, &leftover, b)
            }
            None => rest.is_empty() && it.is_none(),
        }
    }
}

/// The pattern variables of a pattern.
fn pattern_vars(pattern: &Datum, m: &Matcher<'_>) -> Vec<String> {
    symbols(pattern)
        .into_iter()
        .filter(|s| base_name(s) != "_" && !m.mac.literals.contains(s))
        .filter(|s| base_name(s) != base_name(&m.mac.ellipsis))
        .cloned()
        .collect()
}

struct Instantiate<'a> {
    mac: &'a Macro,
    aliases: &'a Aliases,
    /// This expansion's alias of each inserted name.
    renames: &'a mut HashMap<String, String>,
    span: &'a Span,
}

impl Instantiate<'_> {
    fn is_ellipsis(&self, d: &Datum, escaped: bool) -> bool {
        !escaped && self.mac.is_ellipsis(d)
    }

    fn datum(&self, kind: DatumKind) -> Datum {
        Datum {
            kind,
            span: self.span.clone(),
        }
    }

    fn template(&mut self, t: &Datum, b: &Bindings, escaped: bool) -> Result<Datum> {
        match &t.kind {
            DatumKind::Symbol(name) => match b.get(name) {
                Some(Match::One(d)) => Ok(d.clone()),
                Some(Match::Many(_)) => Err(Error::syntax(
                    format!(
                        "pattern variable `{}` is used without its ellipsis",
                        base_name(name)
                    ),
                    &t.span,
                )),
                None => {
                    let alias = match self.renames.get(name) {
                        Some(a) => a.clone(),
                        None => {
                            let a = self.aliases.make(name, self.mac.env);
                            self.renames.insert(name.clone(), a.clone());
                            a
                        }
                    };
                    Ok(self.datum(DatumKind::Symbol(alias)))
                }
            },
            DatumKind::List(items, tail) => {
                // (... template): the template with the ellipsis taken literally.
                if let [first, inner] = items.as_slice() {
                    if tail.is_none() && self.is_ellipsis(first, escaped) {
                        return self.template(inner, b, true);
                    }
                }
                let items = self.elements(items, b, escaped)?;
                let tail = match tail {
                    Some(t) => Some(self.template(t, b, escaped)?),
                    None => None,
                };
                Ok(self.datum(Datum::list_kind(items, tail)))
            }
            DatumKind::Vector(items) => {
                let items = self.elements(items, b, escaped)?;
                Ok(self.datum(DatumKind::Vector(items)))
            }
            _ => Ok(t.clone()),
        }
    }

    /// The elements of a list or vector template, with `sub ellipsis ...` repeated.
    fn elements(&mut self, items: &[Datum], b: &Bindings, escaped: bool) -> Result<Vec<Datum>> {
        let mut out = Vec::new();
        let mut k = 0;
        while k < items.len() {
            let sub = &items[k];
            let mut depth = 0;
            while items
                .get(k + 1 + depth)
                .is_some_and(|d| self.is_ellipsis(d, escaped))
            {
                depth += 1;
            }
            if depth == 0 {
                out.push(self.template(sub, b, escaped)?);
            } else {
                self.repeat(sub, b, depth, &mut out)?;
            }
            k += 1 + depth;
        }
        Ok(out)
    }

    /// Instantiates `sub` once per match of the repeated variables it uses, `depth`
    /// ellipses deep, into `out`.
    fn repeat(
        &mut self,
        sub: &Datum,
        b: &Bindings,
        depth: usize,
        out: &mut Vec<Datum>,
    ) -> Result<()> {
        let vars: Vec<&String> = symbols(sub)
            .into_iter()
            .filter(|v| matches!(b.get(*v), Some(Match::Many(_))))
            .collect();
        if vars.is_empty() {
            return Err(Error::syntax(
                "an ellipsis follows a template with no pattern variable under an ellipsis",
                &sub.span,
            ));
        }
        let len = vars
            .iter()
            .map(|v| match &b[*v] {
                Match::Many(ms) => ms.len(),
                Match::One(_) => 0,
            })
            .min()
            .unwrap_or(0);
        // Each instance sees the bindings of the names `sub` uses, the repeated ones at
        // their nth match: copying all of `b` for each would make a long match quadratic.
        let used = symbols(sub);
        for n in 0..len {
            let mut inner = Bindings::new();
            for &name in &used {
                match b.get(name) {
                    Some(Match::Many(ms)) => inner.insert(name.clone(), ms[n].clone()),
                    Some(one) => inner.insert(name.clone(), one.clone()),
                    None => None,
                };
            }
            if depth > 1 {
                self.repeat(sub, &inner, depth - 1, out)?;
            } else {
                out.push(self.template(sub, &inner, false)?);
            }
        }
        Ok(())
    }
}

/// Every symbol in a pattern or template.
fn symbols(t: &Datum) -> Vec<&String> {
    let mut out = Vec::new();
    let mut todo = vec![t];
    while let Some(d) = todo.pop() {
        match &d.kind {
            DatumKind::Symbol(s) => out.push(s),
            DatumKind::List(items, tail) => {
                todo.extend(items);
                todo.extend(tail.as_deref());
            }
            DatumKind::Vector(items) => todo.extend(items),
            _ => {}
        }
    }
    out
}
