//! Input and output through ports (R7RS 6.13): opening, reading, writing, closing.
//! The ports themselves are in `port.rs`; procedures that take a procedure
//! (`call-with-port`, `with-output-to-file`, ...) are in the prelude.

use std::io::Write;

use super::strings::{range, string};
use super::{builtin, index_arg, Builtin};
use crate::error::{Error, Result};
use crate::object::{bytevector_bytes, string_to_rust, Alloc};
use crate::port::{self, port_parts, Sink, Source, State, BINARY, FOLD_CASE, INPUT, OUTPUT};
use crate::printer::{print, Style};
use crate::store::Store;
use crate::value::{Kind, Value};

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("display", 1, Some(2), |store, a| {
            output(store, a, Style::Display)
        }),
        builtin("write", 1, Some(2), |store, a| {
            output(store, a, Style::Write)
        }),
        builtin("write-shared", 1, Some(2), |store, a| {
            output(store, a, Style::WriteShared)
        }),
        builtin("write-simple", 1, Some(2), |store, a| {
            output(store, a, Style::Write)
        }),
        builtin("newline", 0, Some(1), |store, a| {
            let port = output_port(store, a.first())?;
            put(store, port, "\n")
        }),
        builtin("write-char", 1, Some(2), |store, a| {
            let c = super::chars::ch(a[0])?;
            let port = output_port(store, a.get(1))?;
            put(store, port, c.encode_utf8(&mut [0; 4]))
        }),
        builtin("write-string", 1, Some(4), |store, a| {
            let s = string_to_rust(string(a[0])?);
            let port = output_port(store, a.get(1))?;
            let chars: Vec<char> = s.chars().collect();
            let (start, end) = range(&a[1.min(a.len())..], chars.len())?;
            put(store, port, &chars[start..end].iter().collect::<String>())
        }),
        builtin("write-u8", 1, Some(2), |store, a| {
            let b = byte(a[0])?;
            let port = binary_output(store, a.get(1))?;
            put_bytes(store, port, &[b])
        }),
        builtin("write-bytevector", 1, Some(4), |store, a| {
            if !a[0].is(Kind::Bytevector) {
                return Err(Error::expected("a bytevector", a[0]));
            }
            let bytes = bytevector_bytes(a[0]).to_vec();
            let port = binary_output(store, a.get(1))?;
            let (start, end) = range(&a[1.min(a.len())..], bytes.len())?;
            put_bytes(store, port, &bytes[start..end])
        }),
        builtin("flush-output-port", 0, Some(1), |store, a| {
            let port = checked_output(store, a.first(), None)?;
            let (id, _) = port_parts(port).expect("an output port");
            match store.ports.state(id) {
                Some(State::Output(Sink::File(w))) => {
                    w.flush()
                        .map_err(|e| Error::file(format!("cannot write: {e}"), vec![port]))?;
                }
                Some(State::Output(Sink::Stdout)) => store.flush_output()?,
                _ => {}
            }
            Ok(Value::UNSPECIFIED)
        }),
        builtin("read-char", 0, Some(1), |store, a| {
            let c = text_input(store, a.first())?.read_char();
            Ok(c.map_or(Value::EOF, Value::char))
        }),
        builtin("peek-char", 0, Some(1), |store, a| {
            let c = text_input(store, a.first())?.peek_char();
            Ok(c.map_or(Value::EOF, Value::char))
        }),
        builtin("char-ready?", 0, Some(1), |store, a| {
            text_input(store, a.first())?;
            Ok(Value::TRUE)
        }),
        builtin("read-line", 0, Some(1), |store, a| {
            let line = text_input(store, a.first())?.read_line();
            // A line longer than the memory limit allows stops where it passed it.
            crate::memory::check(store.options.max_heap)?;
            Ok(line.map_or(Value::EOF, |l| store.heap.string(&l)))
        }),
        builtin("read-string", 1, Some(2), |store, a| {
            let k = index_arg(a[0])?;
            let s = text_input(store, a.get(1))?.read_string(k);
            Ok(s.map_or(Value::EOF, |s| store.heap.string(&s)))
        }),
        builtin("read-u8", 0, Some(1), |store, a| {
            let b = binary_input(store, a.first())?.read_u8();
            Ok(b.map_or(Value::EOF, |b| Value::fixnum(b.into())))
        }),
        builtin("peek-u8", 0, Some(1), |store, a| {
            let b = binary_input(store, a.first())?.peek_u8();
            Ok(b.map_or(Value::EOF, |b| Value::fixnum(b.into())))
        }),
        builtin("u8-ready?", 0, Some(1), |store, a| {
            binary_input(store, a.first())?;
            Ok(Value::TRUE)
        }),
        builtin("read-bytevector", 1, Some(2), |store, a| {
            let k = index_arg(a[0])?;
            let b = binary_input(store, a.get(1))?.read_bytes(k);
            Ok(b.map_or(Value::EOF, |b| store.heap.bytevector(&b)))
        }),
        builtin("read", 0, Some(1), read),
        builtin("open-input-string", 1, Some(1), |store, a| {
            let text = string_to_rust(string(a[0])?);
            Ok(open(
                store,
                State::Input(Source::Text { text, pos: 0 }),
                INPUT,
            ))
        }),
        builtin("open-output-string", 0, Some(0), |store, _| {
            Ok(open(
                store,
                State::Output(Sink::Text(String::new())),
                OUTPUT,
            ))
        }),
        builtin(
            "get-output-string",
            1,
            Some(1),
            |store, a| match port_parts(a[0]).and_then(|(id, _)| store.ports.state(id)) {
                Some(State::Output(Sink::Text(s))) => {
                    let s = s.clone();
                    Ok(store.heap.string(&s))
                }
                _ => Err(Error::expected("an open string output port", a[0])),
            },
        ),
        builtin("open-input-bytevector", 1, Some(1), |store, a| {
            if !a[0].is(Kind::Bytevector) {
                return Err(Error::expected("a bytevector", a[0]));
            }
            let bytes = bytevector_bytes(a[0]).to_vec();
            Ok(open(
                store,
                State::Input(Source::Bytes { bytes, pos: 0 }),
                INPUT | BINARY,
            ))
        }),
        builtin("open-output-bytevector", 0, Some(0), |store, _| {
            Ok(open(
                store,
                State::Output(Sink::Bytes(Vec::new())),
                OUTPUT | BINARY,
            ))
        }),
        builtin(
            "get-output-bytevector",
            1,
            Some(1),
            |store, a| match port_parts(a[0]).and_then(|(id, _)| store.ports.state(id)) {
                Some(State::Output(Sink::Bytes(b))) => {
                    let b = b.clone();
                    Ok(store.heap.bytevector(&b))
                }
                _ => Err(Error::expected("an open bytevector output port", a[0])),
            },
        ),
        builtin("open-input-file", 1, Some(1), |store, a| {
            open_input_file(store, a[0], false)
        }),
        builtin("open-binary-input-file", 1, Some(1), |store, a| {
            open_input_file(store, a[0], true)
        }),
        builtin("open-output-file", 1, Some(1), |store, a| {
            open_output_file(store, a[0], 0)
        }),
        builtin("open-binary-output-file", 1, Some(1), |store, a| {
            open_output_file(store, a[0], BINARY)
        }),
        builtin("close-port", 1, Some(1), |store, a| {
            close(store, a[0], INPUT | OUTPUT)
        }),
        builtin("close-input-port", 1, Some(1), |store, a| {
            close(store, a[0], INPUT)
        }),
        builtin("close-output-port", 1, Some(1), |store, a| {
            close(store, a[0], OUTPUT)
        }),
        builtin("port?", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0].is(Kind::Port)))
        }),
        builtin("input-port?", 1, Some(1), |_, a| Ok(has_flag(a[0], INPUT))),
        builtin("output-port?", 1, Some(1), |_, a| {
            Ok(has_flag(a[0], OUTPUT))
        }),
        builtin("binary-port?", 1, Some(1), |_, a| {
            Ok(has_flag(a[0], BINARY))
        }),
        builtin("textual-port?", 1, Some(1), |_, a| {
            Ok(Value::bool(
                a[0].is(Kind::Port) && has_flag(a[0], BINARY) == Value::FALSE,
            ))
        }),
        builtin("input-port-open?", 1, Some(1), |store, a| {
            is_open(store, a[0], INPUT)
        }),
        builtin("output-port-open?", 1, Some(1), |store, a| {
            is_open(store, a[0], OUTPUT)
        }),
        builtin("%port-table-size", 0, Some(0), |store, _| {
            Ok(Value::fixnum(store.ports.count() as i64))
        }),
        builtin("%standard-port", 1, Some(1), |store, a| {
            let i = index_arg(a[0])?;
            Ok(store.standard_ports[i.min(2)])
        }),
    ]
}

fn open(store: &mut Store, state: State, flags: u64) -> Value {
    store.ports.open(&mut store.heap, state, flags)
}

fn has_flag(v: Value, flag: u64) -> Value {
    Value::bool(port_parts(v).is_some_and(|(_, f)| f & flag != 0))
}

fn open_input_file(store: &mut Store, name: Value, binary: bool) -> Result<Value> {
    let path = string_to_rust(string(name)?);
    let source = port::open_file(&path, binary)?;
    let flags = INPUT | if binary { BINARY } else { 0 };
    Ok(open(store, State::Input(source), flags))
}

fn open_output_file(store: &mut Store, name: Value, binary: u64) -> Result<Value> {
    let path = string_to_rust(string(name)?);
    let sink = port::create_file(&path)?;
    Ok(open(store, State::Output(sink), OUTPUT | binary))
}

fn close(store: &mut Store, p: Value, direction: u64) -> Result<Value> {
    match port_parts(p) {
        Some((id, flags)) if flags & direction != 0 => {
            store.ports.close(id)?;
            Ok(Value::UNSPECIFIED)
        }
        _ => Err(Error::expected("a port of the right direction", p)),
    }
}

fn is_open(store: &mut Store, p: Value, direction: u64) -> Result<Value> {
    match port_parts(p) {
        Some((id, flags)) if flags & direction != 0 => {
            Ok(Value::bool(store.ports.state(id).is_some()))
        }
        _ => Err(Error::expected("a port of the right direction", p)),
    }
}

/// The port argument, or the current port `which` when there is none.
fn port_arg(store: &Store, arg: Option<&Value>, which: usize) -> Value {
    arg.copied().unwrap_or_else(|| store.current_port(which))
}

/// An open output port of the kind `binary` says (0 for textual).
/// The output port `arg` (standard output when absent), open, and binary or textual as
/// `binary` says (`BINARY` or 0; either when `None`).
fn checked_output(store: &mut Store, arg: Option<&Value>, binary: Option<u64>) -> Result<Value> {
    let p = port_arg(store, arg, port::STDOUT);
    match port_parts(p) {
        Some((id, flags))
            if flags & OUTPUT != 0 && binary.is_none_or(|binary| flags & BINARY == binary) =>
        {
            if store.ports.state(id).is_none() {
                return Err(Error::runtime("the port is closed", vec![p]).unnamed());
            }
            Ok(p)
        }
        _ => Err(Error::expected(
            match binary {
                None => "an output port",
                Some(0) => "a textual output port",
                Some(_) => "a binary output port",
            },
            p,
        )),
    }
}

fn output_port(store: &mut Store, arg: Option<&Value>) -> Result<Value> {
    checked_output(store, arg, Some(0))
}

fn binary_output(store: &mut Store, arg: Option<&Value>) -> Result<Value> {
    checked_output(store, arg, Some(BINARY))
}

fn input_source<'r>(
    store: &'r mut Store,
    arg: Option<&Value>,
    binary: u64,
) -> Result<&'r mut Source> {
    let p = port_arg(store, arg, port::STDIN);
    match port_parts(p) {
        Some((id, flags)) if flags & INPUT != 0 && flags & BINARY == binary => {
            match store.ports.state(id) {
                Some(State::Input(source)) => Ok(source),
                _ => Err(Error::runtime("the port is closed", vec![p]).unnamed()),
            }
        }
        _ => Err(Error::expected(
            if binary != 0 {
                "a binary input port"
            } else {
                "a textual input port"
            },
            p,
        )),
    }
}

fn text_input<'r>(store: &'r mut Store, arg: Option<&Value>) -> Result<&'r mut Source> {
    input_source(store, arg, 0)
}

fn binary_input<'r>(store: &'r mut Store, arg: Option<&Value>) -> Result<&'r mut Source> {
    input_source(store, arg, BINARY)
}

fn output(store: &mut Store, a: &[Value], style: Style) -> Result<Value> {
    let port = output_port(store, a.get(1))?;
    let mut text = String::new();
    print(a[0], style, &mut text);
    put(store, port, &text)
}

/// Writes `text` to an open textual output port.
fn put(store: &mut Store, port: Value, text: &str) -> Result<Value> {
    let (id, _) = port_parts(port).expect("an output port");
    match store.ports.state(id) {
        Some(State::Output(Sink::Stdout)) => store.write_out(text)?,
        Some(State::Output(Sink::Stderr)) => {
            // Standard output first, so that the two interleave as the program wrote
            // them. Standard error's own failures have nowhere to be reported.
            store.flush_output()?;
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
        Some(State::Output(Sink::Text(s))) => s.push_str(text),
        Some(State::Output(Sink::File(w))) => {
            w.write_all(text.as_bytes())
                .map_err(|e| Error::file(format!("cannot write: {e}"), vec![port]))?;
        }
        _ => return Err(Error::expected("a textual output port", port)),
    }
    Ok(Value::UNSPECIFIED)
}

fn put_bytes(store: &mut Store, port: Value, bytes: &[u8]) -> Result<Value> {
    let (id, _) = port_parts(port).expect("an output port");
    match store.ports.state(id) {
        Some(State::Output(Sink::Bytes(b))) => b.extend_from_slice(bytes),
        Some(State::Output(Sink::File(w))) => {
            w.write_all(bytes)
                .map_err(|e| Error::file(format!("cannot write: {e}"), vec![port]))?;
        }
        _ => return Err(Error::expected("a binary output port", port)),
    }
    Ok(Value::UNSPECIFIED)
}

/// Whether the text up to `cut` ends inside a token: not after white space or a
/// delimiter that ends every datum.
fn used_all(rest: &str, cut: usize) -> bool {
    !rest[..cut].ends_with(|c: char| c.is_whitespace() || c == ')' || c == ']' || c == '"')
}

/// Where a reader's window of at least `len` bytes of `text` ends: at the first white
/// space from there on, or at the end of the text.
fn window_end(text: &str, len: usize) -> usize {
    if len >= text.len() {
        return text.len();
    }
    text.as_bytes()[len..]
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .map_or(text.len(), |i| len + i)
}

fn byte(v: Value) -> Result<u8> {
    v.as_fixnum()
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| Error::expected("a byte", v))
}

/// `(read [port])`: the next datum of a textual input port, with the whole reader.
///
/// The reader sees a window of the unread text, not all of it, so that reading a long
/// file datum by datum costs time in proportion to the file, not to its square. The
/// window ends just before white space, which ends every token but strings, `|symbols|`,
/// comments and `#\ `; the window doubles until a datum ends inside it or it is all the
/// text there is.
fn read(store: &mut Store, a: &[Value]) -> Result<Value> {
    const FIRST_WINDOW: usize = 256;
    let max_depth = store.options.max_read_depth;
    let port = port_arg(store, a.first(), port::STDIN);
    let flags = port_parts(port).map_or(0, |(_, flags)| flags);
    let source = text_input(store, a.first())?;
    let mut more = false;
    let mut window = FIRST_WINDOW;
    let datum = loop {
        let rest = source.datum_text(more);
        let cut = window_end(rest, window);
        let whole = cut == rest.len();
        let ends_in_token = whole && used_all(rest, cut);
        let file = crate::reader::SourceFile::new("<port>", &rest[..cut]);
        match crate::reader::read_first(&file, max_depth, flags & FOLD_CASE != 0) {
            // A datum that ends where the text read so far ends may go on in what the
            // stream has not given yet: `12` may be the start of `123`.
            Ok(Some(_)) if ends_in_token && !source.exhausted() => more = true,
            Ok(Some((datum, used, fold_case))) => {
                source.consume(used);
                let flags = if fold_case {
                    flags | FOLD_CASE
                } else {
                    flags & !FOLD_CASE
                };
                port.set_raw(1, flags);
                break Some(datum);
            }
            // Only the whole text can say that there is no datum, or a wrong one: the
            // window may end inside a string, a comment, or after `#\`.
            Ok(None) | Err(_) if !whole => window = window.saturating_mul(2),
            Ok(None) => {
                if source.exhausted() {
                    source.consume(cut);
                    break None;
                }
                more = true;
            }
            Err(e) if e.incomplete && !source.exhausted() => more = true,
            Err(e) => {
                source.consume(cut);
                return Err(e.into());
            }
        }
    };
    Ok(match datum {
        Some(d) => store.datum_to_value(&d)?,
        None => Value::EOF,
    })
}
