//! Datums: what the reader produces, each with its source span, and how a datum
//! becomes a heap value (for `quote`, `read` and `eval`).

use rudo_gc::Heap;

use crate::number::{self, Number};
use crate::object::Alloc;
use crate::source::Span;
use crate::symbol::{base_name, SymbolTable};
use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct Datum {
    pub kind: DatumKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DatumKind {
    Number(Number),
    Boolean(bool),
    Char(char),
    String(String),
    Symbol(String),
    /// The elements, and the tail after a dot (`None` for a proper list).
    List(Vec<Datum>, Option<Box<Datum>>),
    Vector(Vec<Datum>),
    Bytevector(Vec<u8>),
    /// `#n=datum`: the datum, which `#n#` inside or after it (in the same top-level
    /// datum) refers to.
    Labeled(u64, Box<Datum>),
    /// `#n#`: the datum labelled `n`; the reader checks that the label comes first.
    LabelRef(u64),
    /// A value that `eval` was given inside the expression it evaluates (a procedure,
    /// a string, ...): a constant. Only `eval` makes these, and it compiles them
    /// before the next safepoint, which is what the rooting invariant asks.
    Value(Value),
}

impl Datum {
    pub fn symbol(&self) -> Option<&str> {
        match &self.kind {
            DatumKind::Symbol(s) => Some(s),
            _ => None,
        }
    }

    /// The list of `items` and `tail`, with a tail that is itself a list spliced in:
    /// `(a . (b c))` is `(a b c)` and `(a . ())` is `(a)`, as R7RS reads them.
    pub fn list_kind(mut items: Vec<Datum>, tail: Option<Datum>) -> DatumKind {
        let mut tail = tail;
        while let Some(Datum {
            kind: DatumKind::List(more, rest),
            ..
        }) = tail
        {
            items.extend(more);
            tail = rest.map(|t| *t);
        }
        DatumKind::List(items, tail.map(Box::new))
    }

    /// The elements of a proper list.
    pub fn list(&self) -> Option<&[Datum]> {
        match &self.kind {
            DatumKind::List(items, None) => Some(items),
            _ => None,
        }
    }
}

/// A reference, `#n#`, inside a datum that does not hold the datum labelled `n`: a
/// literal that a macro took out of the datum that labelled it.
#[derive(Debug)]
pub struct UnresolvedLabel {
    pub label: u64,
    pub span: Span,
}

/// A datum as a heap value, its symbols interned; datum labels make shared and cyclic
/// structure. Nesting is bounded by the reader's limit, which bounds this recursion.
pub fn to_value(
    heap: &mut Heap,
    symbols: &mut SymbolTable,
    d: &Datum,
) -> Result<Value, UnresolvedLabel> {
    to_value_sharing(heap, symbols, d, &mut LabelValues::new())
}

/// The values of datum labels, by label.
pub type LabelValues = std::collections::HashMap<u64, Value>;

/// `to_value`, with the labels that datums converted before (the other literals of
/// one top-level form) gave values to: `(list '#0=(a) '#0#)` refers to one list. The
/// caller keeps the values no longer than it keeps the heap from collecting.
pub fn to_value_sharing(
    heap: &mut Heap,
    symbols: &mut SymbolTable,
    d: &Datum,
    values: &mut LabelValues,
) -> Result<Value, UnresolvedLabel> {
    let mut labels = Labels {
        values: std::mem::take(values),
        placeholders: Default::default(),
    };
    let v = build(heap, symbols, d, &mut labels);
    let result = labels.resolve(v);
    *values = labels.values;
    result
}

/// The values of the labels met so far, and the stand-ins for labels referred to
/// inside their own datum (`#0=(a . #0#)`), which are put right once it is built
/// (`tie`). The datum is built in the order of its text, so no other reference needs
/// a stand-in.
struct Labels {
    values: LabelValues,
    /// Each placeholder's label, and where the reference is.
    placeholders: std::collections::HashMap<Value, (u64, Span)>,
}

impl Labels {
    /// `root`, or an error for a reference to a label that neither this literal nor
    /// one before it defined (every other placeholder is gone by now).
    fn resolve(&self, root: Value) -> Result<Value, UnresolvedLabel> {
        match self.placeholders.values().next() {
            Some((label, span)) => Err(UnresolvedLabel {
                label: *label,
                span: span.clone(),
            }),
            None => Ok(root),
        }
    }

    /// Puts `value`, just built for label `n`, in place of the placeholders for `n`
    /// inside it.
    fn tie(&mut self, n: u64, value: Value) {
        let pending: std::collections::HashSet<Value> = self
            .placeholders
            .iter()
            .filter(|(_, (label, _))| *label == n)
            .map(|(&p, _)| p)
            .collect();
        if pending.is_empty() {
            return;
        }
        self.placeholders.retain(|p, _| !pending.contains(p));
        let target = |v: Value| pending.contains(&v).then_some(value);
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            if !seen.insert(v) {
                continue;
            }
            if v.is_pair() {
                for (get, set) in [
                    (
                        Value::car as fn(Value) -> Value,
                        Value::set_car as fn(Value, Value),
                    ),
                    (Value::cdr, Value::set_cdr),
                ] {
                    let field = get(v);
                    match target(field) {
                        Some(t) => set(v, t),
                        None => stack.push(field),
                    }
                }
            } else if v.is(crate::value::Kind::Vector) {
                for i in 0..crate::object::vector_len(v) {
                    let field = v.field(i);
                    match target(field) {
                        Some(t) => v.set_field(i, t),
                        None => stack.push(field),
                    }
                }
            }
        }
    }
}

fn build(heap: &mut Heap, symbols: &mut SymbolTable, d: &Datum, labels: &mut Labels) -> Value {
    match &d.kind {
        DatumKind::Number(n) => number::to_value(heap, n.clone()),
        DatumKind::Boolean(b) => Value::bool(*b),
        DatumKind::Char(c) => Value::char(*c),
        DatumKind::String(s) => heap.string(s),
        DatumKind::Symbol(s) => symbols.intern(heap, base_name(s)),
        DatumKind::List(items, tail) => {
            // In the order of the text, so that a label is met before what refers to it.
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                values.push(build(heap, symbols, item, labels));
            }
            let tail = match tail {
                Some(t) => build(heap, symbols, t, labels),
                None => Value::NIL,
            };
            values
                .into_iter()
                .rev()
                .fold(tail, |acc, v| heap.cons(v, acc))
        }
        DatumKind::Vector(items) => {
            let values: Vec<Value> = items
                .iter()
                .map(|i| build(heap, symbols, i, labels))
                .collect();
            heap.vector(&values)
        }
        DatumKind::Bytevector(b) => heap.bytevector(b),
        DatumKind::Value(v) => *v,
        DatumKind::Labeled(n, inner) => {
            // A label defined again means its new datum from here on, inside it too.
            labels.values.remove(n);
            let v = build(heap, symbols, inner, labels);
            labels.tie(*n, v);
            labels.values.insert(*n, v);
            v
        }
        DatumKind::LabelRef(n) => match labels.values.get(n) {
            Some(&v) => v,
            None => {
                let placeholder = heap.vector(&[]);
                labels
                    .placeholders
                    .insert(placeholder, (*n, d.span.clone()));
                placeholder
            }
        },
    }
}
