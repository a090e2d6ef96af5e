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

/// A datum as a heap value, its symbols interned; datum labels make shared and cyclic
/// structure. Nesting is bounded by the reader's limit, which bounds this recursion.
pub fn to_value(heap: &mut Heap, symbols: &mut SymbolTable, d: &Datum) -> Value {
    let mut labels = Labels::default();
    let v = build(heap, symbols, d, &mut labels);
    if !labels.placeholders.is_empty() {
        labels.patch(v);
    }
    v
}

/// The values of the labels met so far, and the stand-ins for labels referred to
/// inside their own datum (`#0=(a . #0#)`), which are put right once it is built.
#[derive(Default)]
struct Labels {
    values: std::collections::HashMap<u64, Value>,
    placeholders: std::collections::HashMap<Value, u64>,
}

impl Labels {
    /// Replaces each placeholder in the structure of `root` by its label's value.
    fn patch(&self, root: Value) {
        // The reader refuses `#0=#0#`, so no label's value is a placeholder.
        let target = |v: Value| self.placeholders.get(&v).map(|n| self.values[n]);
        let root = target(root).unwrap_or(root);
        let mut seen = std::collections::HashSet::new();
        let mut pending = vec![root];
        while let Some(v) = pending.pop() {
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
                        None => pending.push(field),
                    }
                }
            } else if v.is(crate::value::Kind::Vector) {
                for i in 0..crate::object::vector_len(v) {
                    let field = v.field(i);
                    match target(field) {
                        Some(t) => v.set_field(i, t),
                        None => pending.push(field),
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
            let mut acc = match tail {
                Some(t) => build(heap, symbols, t, labels),
                None => Value::NIL,
            };
            for item in items.iter().rev() {
                let v = build(heap, symbols, item, labels);
                acc = heap.cons(v, acc);
            }
            acc
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
            let v = build(heap, symbols, inner, labels);
            labels.values.insert(*n, v);
            v
        }
        DatumKind::LabelRef(n) => match labels.values.get(n) {
            Some(&v) => v,
            None => {
                let placeholder = heap.vector(&[]);
                labels.placeholders.insert(placeholder, *n);
                placeholder
            }
        },
    }
}
