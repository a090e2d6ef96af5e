//! Ports: where input comes from and output goes to (R7RS 6.13).
//!
//! A port is a heap object of kind `Port` whose two raw fields are its number in the
//! runtime's port table and its flags (input or output, textual or binary). Its state
//! lives in the table, outside the heap, because it owns buffers and file handles. The
//! table holds each port weakly, through a weak pair whose car is the port: when a
//! collection has found a port dead, the next port to open drops its state, which
//! flushes and closes its file. The three standard ports are held by the parameters
//! `current-input-port`, `current-output-port` and `current-error-port`, so they live
//! as long as the program.

use std::fs::File;
use std::io::{BufRead, BufWriter, Read, Write};

use rudo_gc::RootVisitor;

use crate::error::{Error, Result};
use crate::object::Alloc;
use crate::value::{Kind, Value};

pub const INPUT: u64 = 1;
pub const OUTPUT: u64 = 2;
pub const BINARY: u64 = 4;

/// The numbers of the standard ports in the table.
pub const STDIN: usize = 0;
pub const STDOUT: usize = 1;
pub const STDERR: usize = 2;

/// What an input port reads: text or bytes in memory, with the position reached, or the
/// process's standard input, read a line at a time into `text`.
pub enum Source {
    Text { text: String, pos: usize },
    Bytes { bytes: Vec<u8>, pos: usize },
    Stdin { text: String, pos: usize, eof: bool },
}

/// Where an output port writes.
pub enum Sink {
    /// The runtime's standard output (`Runtime::out`), which the golden tests capture.
    Stdout,
    Stderr,
    Text(String),
    Bytes(Vec<u8>),
    File(BufWriter<File>),
}

pub enum State {
    Input(Source),
    Output(Sink),
}

struct Entry {
    /// `None` once the port is closed.
    state: Option<State>,
    /// A weak pair whose car is the port object.
    weak: Value,
}

#[derive(Default)]
pub struct Ports {
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    /// The collections the heap had made when the table was last scanned for dead
    /// ports: only a collection finds more, so opening a port scans at most once after
    /// each.
    scanned_after: u64,
}

/// A port object's number in the table and its flags.
pub fn port_parts(port: Value) -> Option<(usize, u64)> {
    port.is(Kind::Port)
        .then(|| (port.raw(0) as usize, port.raw(1)))
}

impl Ports {
    /// A new port object for `state`.
    pub fn open<A: Alloc + WeakAlloc>(&mut self, heap: &mut A, state: State, flags: u64) -> Value {
        let collections = heap.collections();
        if collections != self.scanned_after {
            self.scanned_after = collections;
            self.reclaim();
        }
        let id = self.free.pop().unwrap_or(self.entries.len());
        let port = heap.object(Kind::Port, 2, 0, Value::FALSE);
        port.set_raw(0, id as u64);
        port.set_raw(1, flags);
        let weak = heap.weak_pair(port, Value::NIL);
        let entry = Some(Entry {
            state: Some(state),
            weak,
        });
        if id == self.entries.len() {
            self.entries.push(entry);
        } else {
            self.entries[id] = entry;
        }
        port
    }

    /// Drops the state of every port a collection found dead.
    fn reclaim(&mut self) {
        for (id, slot) in self.entries.iter_mut().enumerate() {
            if slot.as_ref().is_some_and(|e| e.weak.car() == Value::BROKEN) {
                *slot = None;
                self.free.push(id);
            }
        }
    }

    /// Ports in the table: open, or closed but not yet found dead.
    pub fn count(&self) -> usize {
        self.entries.iter().flatten().count()
    }

    /// The state of an open port; `None` when it has been closed.
    pub fn state(&mut self, id: usize) -> Option<&mut State> {
        self.entries.get_mut(id)?.as_mut()?.state.as_mut()
    }

    /// Closes a port; a file port's buffer is written first, and failing to is an error
    /// (the port is closed all the same).
    pub fn close(&mut self, id: usize) -> Result<()> {
        let Some(Some(entry)) = self.entries.get_mut(id) else {
            return Ok(());
        };
        let flushed = match &mut entry.state {
            Some(State::Output(Sink::File(file))) => file.flush(),
            _ => Ok(()),
        };
        if id > STDERR {
            entry.state = None;
        }
        flushed.map_err(|e| Error::file(format!("cannot write the rest of a file: {e}"), vec![]))
    }

    pub fn visit(&self, roots: &mut RootVisitor<'_>) {
        for entry in self.entries.iter().flatten() {
            roots.word(entry.weak.word());
        }
    }

    /// Flushes every open file port (at exit): the first failure, after trying them all.
    pub fn flush_all(&mut self) -> Result<()> {
        let mut first = Ok(());
        for entry in self.entries.iter_mut().flatten() {
            if let Some(State::Output(Sink::File(file))) = &mut entry.state {
                if let Err(e) = file.flush() {
                    first = first.and(Err(Error::file(
                        format!("cannot write the rest of a file: {e}"),
                        vec![],
                    )));
                }
            }
        }
        first
    }
}

/// Allocation of weak pairs, which `Alloc` does not have, and the count of collections
/// that break them.
pub trait WeakAlloc {
    fn weak_pair(&mut self, car: Value, cdr: Value) -> Value;
    fn collections(&self) -> u64;
}

impl WeakAlloc for rudo_gc::Heap {
    fn weak_pair(&mut self, car: Value, cdr: Value) -> Value {
        Value(self.alloc_weak_pair(car.word(), cdr.word()))
    }

    fn collections(&self) -> u64 {
        rudo_gc::Heap::collections(self)
    }
}

impl Source {
    /// The unread text, after making sure that standard input has some if it can.
    fn text(&mut self) -> &str {
        match self {
            Source::Text { text, pos } => &text[*pos..],
            Source::Stdin { text, pos, eof } => {
                if *pos == text.len() && !*eof {
                    text.clear();
                    *pos = 0;
                    let n = std::io::stdin().lock().read_line(text).unwrap_or(0);
                    *eof = n == 0;
                }
                &text[*pos..]
            }
            Source::Bytes { .. } => "",
        }
    }

    fn advance(&mut self, n: usize) {
        match self {
            Source::Text { pos, .. } | Source::Stdin { pos, .. } | Source::Bytes { pos, .. } => {
                *pos += n
            }
        }
    }

    pub fn peek_char(&mut self) -> Option<char> {
        self.text().chars().next()
    }

    pub fn read_char(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.advance(c.len_utf8());
        Some(c)
    }

    /// A line without its end (`\n`, `\r\n` or `\r`); `None` at the end of input.
    pub fn read_line(&mut self) -> Option<String> {
        let rest = self.text();
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = rest[..end].to_string();
        let skip = match &rest.as_bytes()[end..] {
            [b'\r', b'\n', ..] => 2,
            [] => 0,
            _ => 1,
        };
        self.advance(end + skip);
        if matches!(self, Source::Stdin { .. }) && skip == 0 {
            // A last line without its end: the next read asks standard input again.
            return Some(line + &self.read_line().unwrap_or_default());
        }
        Some(line)
    }

    /// Up to `k` characters; `None` at the end of input.
    pub fn read_string(&mut self, k: usize) -> Option<String> {
        let mut out = String::new();
        while out.chars().count() < k {
            match self.read_char() {
                Some(c) => out.push(c),
                None => break,
            }
        }
        (!out.is_empty() || k == 0).then_some(out)
    }

    /// The unread text for the reader, which needs a whole datum: standard input is
    /// read on while the datum is incomplete (`more` says so).
    pub fn datum_text(&mut self, more: bool) -> &str {
        if let Source::Stdin { text, eof, .. } = self {
            if more && !*eof {
                let n = std::io::stdin().lock().read_line(text).unwrap_or(0);
                *eof = n == 0;
            }
        }
        self.text()
    }

    /// Whether standard input has seen its end (no more text will come).
    pub fn exhausted(&self) -> bool {
        match self {
            Source::Stdin { eof, .. } => *eof,
            _ => true,
        }
    }

    pub fn consume(&mut self, n: usize) {
        self.advance(n);
    }

    pub fn peek_u8(&self) -> Option<u8> {
        match self {
            Source::Bytes { bytes, pos } => bytes.get(*pos).copied(),
            _ => None,
        }
    }

    pub fn read_u8(&mut self) -> Option<u8> {
        let b = self.peek_u8()?;
        self.advance(1);
        Some(b)
    }

    pub fn read_bytes(&mut self, k: usize) -> Option<Vec<u8>> {
        let Source::Bytes { bytes, pos } = self else {
            return None;
        };
        let end = (*pos + k).min(bytes.len());
        if end == *pos && k > 0 {
            return None;
        }
        let out = bytes[*pos..end].to_vec();
        *pos = end;
        Some(out)
    }
}

/// The contents of a file, for an input port.
pub fn read_file(path: &str, binary: bool) -> Result<Source> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Error::file(format!("cannot open {path}: {e}"), vec![]))?;
    if binary {
        return Ok(Source::Bytes { bytes, pos: 0 });
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::file(format!("{path} is not UTF-8 text"), vec![]))?;
    Ok(Source::Text { text, pos: 0 })
}

pub fn create_file(path: &str) -> Result<Sink> {
    File::create(path)
        .map(|f| Sink::File(BufWriter::new(f)))
        .map_err(|e| Error::file(format!("cannot open {path} for writing: {e}"), vec![]))
}
