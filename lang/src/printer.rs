//! `write` and `display`: the R7RS external representation of values.
//!
//! The printer keeps its own stack of what is left to print, so a list a million long or
//! nested a million deep prints without Rust recursion. Cyclic structure is printed with
//! datum labels (`#0=(a . #0#)`), so printing always terminates.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::number::format_flonum;
use crate::object::{bytevector_bytes, flonum_value, string_chars, symbol_name, vector_len};
use crate::value::{Kind, Value};

/// `write` quotes strings, characters and odd symbols; `display` prints them as they are.
/// Both label cyclic structure; `write-shared` labels every object it meets twice.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Style {
    Write,
    WriteShared,
    Display,
}

enum Task {
    Value(Value),
    Text(&'static str),
    /// The rest of a list after an element: `)` , ` . x)` or more elements.
    ListTail(Value),
    /// Vector elements from an index on.
    VectorFrom(Value, usize),
}

/// Appends the representation of `v` to `out`.
pub fn print(v: Value, style: Style, out: &mut String) {
    let cycles = if is_container(v) {
        label_targets(v, style == Style::WriteShared)
    } else {
        HashSet::new()
    };
    let mut labels: HashMap<u64, usize> = HashMap::new();
    let mut tasks = vec![Task::Value(v)];
    while let Some(task) = tasks.pop() {
        match task {
            Task::Text(s) => out.push_str(s),
            Task::Value(v) if cycles.contains(&v.word().bits()) => {
                let next = labels.len();
                match labels.get(&v.word().bits()) {
                    Some(n) => {
                        let _ = write!(out, "#{n}#");
                        continue;
                    }
                    None => {
                        labels.insert(v.word().bits(), next);
                        let _ = write!(out, "#{next}=");
                    }
                }
                print_container(v, &mut tasks, out);
            }
            Task::Value(v) if is_container(v) => print_container(v, &mut tasks, out),
            Task::Value(v) => print_atom(v, style, out),
            Task::ListTail(t) if t.is_null() => out.push(')'),
            Task::ListTail(t) if t.is_pair() && !cycles.contains(&t.word().bits()) => {
                out.push(' ');
                tasks.push(Task::ListTail(t.cdr()));
                tasks.push(Task::Value(t.car()));
            }
            Task::ListTail(t) => {
                out.push_str(" . ");
                tasks.push(Task::Text(")"));
                tasks.push(Task::Value(t));
            }
            Task::VectorFrom(v, i) if i == vector_len(v) => out.push(')'),
            Task::VectorFrom(v, i) => {
                if i > 0 {
                    out.push(' ');
                }
                tasks.push(Task::VectorFrom(v, i + 1));
                tasks.push(Task::Value(v.field(i)));
            }
        }
    }
}

fn is_container(v: Value) -> bool {
    v.is_pair() || v.is(Kind::Vector)
}

fn print_container(v: Value, tasks: &mut Vec<Task>, out: &mut String) {
    if v.is_pair() {
        out.push('(');
        tasks.push(Task::ListTail(v.cdr()));
        tasks.push(Task::Value(v.car()));
    } else {
        out.push_str("#(");
        tasks.push(Task::VectorFrom(v, 0));
    }
}

/// The pairs and vectors reachable from `root` that a cycle leads back to: the objects
/// that need a datum label. A depth-first walk with its own stack; an edge to an object
/// still on the current path closes a cycle.
fn label_targets(root: Value, shared: bool) -> HashSet<u64> {
    enum Step {
        Enter(Value),
        Leave(u64),
    }
    // Absent: not seen; `false`: on the current path; `true`: done.
    let mut done: HashMap<u64, bool> = HashMap::new();
    let mut targets = HashSet::new();
    let mut steps = vec![Step::Enter(root)];
    while let Some(step) = steps.pop() {
        let v = match step {
            Step::Leave(bits) => {
                done.insert(bits, true);
                continue;
            }
            Step::Enter(v) => v,
        };
        if !is_container(v) {
            continue;
        }
        let bits = v.word().bits();
        match done.get(&bits) {
            Some(false) => {
                targets.insert(bits);
                continue;
            }
            Some(true) => {
                if shared {
                    targets.insert(bits);
                }
                continue;
            }
            None => {}
        }
        done.insert(bits, false);
        steps.push(Step::Leave(bits));
        if v.is_pair() {
            steps.push(Step::Enter(v.cdr()));
            steps.push(Step::Enter(v.car()));
        } else {
            steps.extend((0..vector_len(v)).rev().map(|i| Step::Enter(v.field(i))));
        }
    }
    targets
}

/// The representation of `v`, for a program that builds values on a heap of its own
/// (`examples/collector_tour.rs`); the VM and the engine show values by their own means.
///
/// # Safety
/// 1. `v` is an immediate, or an object made by a heap that is still alive.
/// 2. Every collection of that heap since `v` was made had `v` among the objects its
///    roots reach.
pub unsafe fn unchecked_to_string(v: Value, style: Style) -> String {
    to_string(v, style)
}

/// The representation of `v` as a new string.
pub(crate) fn to_string(v: Value, style: Style) -> String {
    let mut out = String::new();
    print(v, style, &mut out);
    out
}

fn print_atom(v: Value, style: Style, out: &mut String) {
    if let Some(n) = v.as_fixnum() {
        let _ = write!(out, "{n}");
    } else if let Some(c) = v.as_char() {
        match style {
            Style::Display => out.push(c),
            Style::Write | Style::WriteShared => write_char_literal(c, out),
        }
    } else if v.is_object() || v.is_immediate_flonum() {
        print_object(v, style, out);
    } else {
        out.push_str(match v {
            Value::TRUE => "#t",
            Value::FALSE => "#f",
            Value::NIL => "()",
            Value::EOF => "#<eof>",
            Value::UNSPECIFIED => "#<unspecified>",
            Value::UNDEFINED => "#<undefined>",
            Value::DEFAULT_OBJECT => "#<default>",
            Value::BROKEN => "#!bwp",
            _ => "#<unknown immediate>",
        });
    }
}

fn print_object(v: Value, style: Style, out: &mut String) {
    match v.kind() {
        Some(Kind::String) => match style {
            Style::Display => out.extend(string_chars(v)),
            Style::Write | Style::WriteShared => write_string_literal(v, out),
        },
        Some(Kind::Symbol) => match style {
            Style::Display => out.push_str(symbol_name(v)),
            Style::Write | Style::WriteShared => write_symbol(symbol_name(v), out),
        },
        Some(Kind::Flonum) => out.push_str(&format_flonum(flonum_value(v))),
        Some(Kind::Bignum | Kind::Ratnum | Kind::Compnum) => {
            let n = crate::number::from_value(v).map_or("#<bad number>".into(), |n| n.to_string());
            out.push_str(&n);
        }
        Some(Kind::Bytevector) => {
            out.push_str("#u8(");
            for (i, b) in bytevector_bytes(v).iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{b}");
            }
            out.push(')');
        }
        Some(Kind::Closure | Kind::Primitive) => out.push_str("#<procedure>"),
        Some(Kind::Box) => out.push_str("#<box>"),
        Some(Kind::Code) => out.push_str("#<code>"),
        Some(Kind::Continuation) => out.push_str("#<continuation>"),
        Some(Kind::Port) => out.push_str(match v.raw(1) & crate::object::INPUT {
            0 => "#<output-port>",
            _ => "#<input-port>",
        }),
        Some(Kind::Record) => {
            use crate::object::{is_record_type, type_name};
            let (prefix, rtd) = if is_record_type(v) {
                ("#<record-type ", v)
            } else {
                ("#<", v.field(0))
            };
            let name = type_name(rtd);
            let name = if name.is(Kind::Symbol) {
                symbol_name(name)
            } else {
                "record"
            };
            // An error object shows its message (`vm/raise.rs` lays the fields out).
            if name == "%error-object" && prefix == "#<" && v.field(2).is(Kind::String) {
                out.push_str("#<error-object ");
                print_atom(v.field(2), Style::Write, out);
                out.push('>');
                return;
            }
            out.push_str(prefix);
            out.push_str(name);
            out.push('>');
        }
        _ => out.push_str("#<object>"),
    }
}

const CHAR_NAMES: [(char, &str); 10] = [
    ('\u{7}', "alarm"),
    ('\u{8}', "backspace"),
    ('\u{7f}', "delete"),
    ('\u{1b}', "escape"),
    ('\n', "newline"),
    ('\0', "null"),
    ('\r', "return"),
    (' ', "space"),
    ('\t', "tab"),
    ('\u{a0}', "nbsp"),
];

/// The character a `#\name` names.
pub fn char_from_name(name: &str) -> Option<char> {
    CHAR_NAMES.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
}

fn write_char_literal(c: char, out: &mut String) {
    out.push_str("#\\");
    if let Some((_, name)) = CHAR_NAMES.iter().find(|(k, _)| *k == c) {
        out.push_str(name);
    } else if c.is_control() {
        let _ = write!(out, "x{:x}", c as u32);
    } else {
        out.push(c);
    }
}

fn write_string_literal(s: Value, out: &mut String) {
    write_quoted(string_chars(s), '"', out);
}

/// Characters between `quote`s, with the escapes the reader reads back: the quote
/// itself, backslash, the named control characters, and `\xHH;` for the others.
fn write_quoted(chars: impl Iterator<Item = char>, quote: char, out: &mut String) {
    out.push(quote);
    for c in chars {
        match c {
            c if c == quote || c == '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:x};", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Whether a symbol's name needs `|...|` to read back as the same symbol.
fn needs_bars(name: &str) -> bool {
    let Some(first) = name.chars().next() else {
        return true;
    };
    let delimiter = |c: char| c.is_whitespace() || "()\";'`,|[]{}\\".contains(c);
    if name.chars().any(|c| delimiter(c) || c.is_control()) || first == '#' || name == "." {
        return true;
    }
    // Names that read as numbers, or begin as a number does: an optional sign, an
    // optional dot, then a digit; or an infinity or NaN (`|+nan.0abc|`); or a complex
    // number (`|+i|`).
    let rest = name.strip_prefix(['+', '-']).unwrap_or(name);
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    let lower = name.to_ascii_lowercase();
    rest.starts_with(|c: char| c.is_ascii_digit())
        || ["+inf.0", "-inf.0", "+nan.0", "-nan.0"]
            .iter()
            .any(|special| lower.starts_with(special))
        || crate::number::parse_number(name, 10).is_some()
}

fn write_symbol(name: &str, out: &mut String) {
    if needs_bars(name) {
        write_quoted(name.chars(), '|', out);
    } else {
        out.push_str(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Alloc;
    use rudo_gc::Heap;

    fn check(heap: &mut Heap, build: impl FnOnce(&mut Heap) -> Value, write: &str, display: &str) {
        let v = build(heap);
        assert_eq!(to_string(v, Style::Write), write, "write");
        assert_eq!(to_string(v, Style::Display), display, "display");
    }

    #[test]
    fn atoms_and_structures_print_as_r7rs_says() {
        let mut h = Heap::default();
        type Build = fn(&mut Heap) -> Value;
        let cases: &[(Build, &str, &str)] = &[
            (|_| Value::fixnum(-42), "-42", "-42"),
            (|_| Value::TRUE, "#t", "#t"),
            (|_| Value::NIL, "()", "()"),
            (|_| Value::char('a'), "#\\a", "a"),
            (|_| Value::char(' '), "#\\space", " "),
            (|_| Value::char('\u{1}'), "#\\x1", "\u{1}"),
            (|h| h.string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"", "a\"b\\c\n"),
            (|h| h.string("λ"), "\"λ\"", "λ"),
            (|h| h.symbol_object("abc"), "abc", "abc"),
            (
                |h| h.symbol_object("hello world"),
                "|hello world|",
                "hello world",
            ),
            (|h| h.symbol_object("1+"), "|1+|", "1+"),
            (|h| h.symbol_object("+i"), "|+i|", "+i"),
            (|h| h.symbol_object("-2.5i"), "|-2.5i|", "-2.5i"),
            (|h| h.symbol_object("+NaN.0abc"), "|+NaN.0abc|", "+NaN.0abc"),
            (|h| h.symbol_object("\\123"), "|\\\\123|", "\\123"),
            (|h| h.symbol_object("->x"), "->x", "->x"),
            (|h| h.symbol_object("+"), "+", "+"),
            (|h| h.symbol_object("..."), "...", "..."),
            (|h| h.symbol_object(""), "||", ""),
            (|h| h.flonum(1.0), "1.0", "1.0"),
            (|h| h.flonum(-0.25), "-0.25", "-0.25"),
            (|h| h.flonum(f64::INFINITY), "+inf.0", "+inf.0"),
            (|h| h.flonum(f64::NAN), "+nan.0", "+nan.0"),
            (|h| h.flonum(1e21), "1.0e21", "1.0e21"),
            (
                |h| h.bytevector(&[0, 7, 255]),
                "#u8(0 7 255)",
                "#u8(0 7 255)",
            ),
            (|h| h.bytevector(&[]), "#u8()", "#u8()"),
            (
                |h| {
                    let s = h.string("x");
                    h.list(&[Value::fixnum(1), s, Value::char('c')])
                },
                "(1 \"x\" #\\c)",
                "(1 x c)",
            ),
            (
                |h| h.cons(Value::fixnum(1), Value::fixnum(2)),
                "(1 . 2)",
                "(1 . 2)",
            ),
            (
                |h| {
                    let t = Value::fixnum(3);
                    h.list_with_tail(&[Value::fixnum(1), Value::fixnum(2)], t)
                },
                "(1 2 . 3)",
                "(1 2 . 3)",
            ),
            (
                |h| {
                    let inner = h.list(&[]);
                    h.vector(&[inner, Value::FALSE])
                },
                "#(() #f)",
                "#(() #f)",
            ),
            (|h| h.vector(&[]), "#()", "#()"),
            (|_| Value::EOF, "#<eof>", "#<eof>"),
        ];
        for &(build, write, display) in cases {
            check(&mut h, build, write, display);
        }
    }

    #[test]
    fn cycles_print_with_datum_labels() {
        let mut h = Heap::default();
        let l = h.list(&[Value::fixnum(1), Value::fixnum(2)]);
        l.cdr().set_cdr(l);
        assert_eq!(to_string(l, Style::Write), "#0=(1 2 . #0#)");
        let v = h.vector(&[Value::fixnum(0), Value::NIL]);
        v.set_field(1, v);
        assert_eq!(to_string(v, Style::Display), "#0=#(0 #0#)");
        let car_loop = h.cons(Value::NIL, Value::NIL);
        car_loop.set_car(car_loop);
        assert_eq!(to_string(car_loop, Style::Write), "#0=(#0#)");
        // Shared structure that is not a cycle is printed twice, without labels.
        let shared = h.list(&[Value::fixnum(7)]);
        let twice = h.list(&[shared, shared]);
        assert_eq!(to_string(twice, Style::Write), "((7) (7))");
        assert_eq!(to_string(twice, Style::WriteShared), "(#0=(7) #0#)");
    }

    #[test]
    fn deep_nesting_prints_without_recursion() {
        let mut h = Heap::default();
        let depth = if cfg!(miri) { 100 } else { 1_000_000 };
        let mut v = Value::NIL;
        for _ in 0..depth {
            v = h.cons(v, Value::NIL);
        }
        let text = to_string(v, Style::Write);
        assert_eq!(text.len(), 2 * depth + 2);
        assert!(text.starts_with("((((") && text.ends_with("))))"));
        let mut w = Value::fixnum(0);
        for _ in 0..depth {
            w = h.vector(&[w]);
        }
        assert_eq!(to_string(w, Style::Write).len(), 3 * depth + 1);
    }
}
