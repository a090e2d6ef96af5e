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

pub use crate::object::{BINARY, FOLD_CASE, INPUT, OUTPUT};

/// The numbers of the standard ports in the table.
pub const STDIN: usize = 0;
pub const STDOUT: usize = 1;
pub const STDERR: usize = 2;

/// What an input port reads: text or bytes in memory, with the position reached, or a
/// stream (standard input, a file, a pipe) read a piece at a time as it is needed.
pub enum Source {
    Text { text: String, pos: usize },
    Bytes { bytes: Vec<u8>, pos: usize },
    Stream(Stream),
    ByteStream(ByteStream),
}

/// Bytes read from a stream at a time: a file of any size, `/dev/urandom` or a pipe
/// that never ends is read in pieces of this size.
const CHUNK: usize = 64 << 10;

/// Text read from standard input (a line at a time, so that an interactive program sees
/// each line as it is typed) or from a file (a chunk at a time). The unread text is
/// `text[pos..]`; bytes that are not UTF-8 read as U+FFFD.
pub struct Stream {
    input: Input,
    text: String,
    pos: usize,
    eof: bool,
    /// The start of a character cut off at the end of the last piece.
    partial: Vec<u8>,
}

enum Input {
    Stdin,
    File(File),
}

/// Bytes read from a file a chunk at a time; the unread ones are `bytes[pos..]`.
pub struct ByteStream {
    file: File,
    bytes: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl Stream {
    pub fn stdin() -> Stream {
        Stream::new(Input::Stdin)
    }

    fn new(input: Input) -> Stream {
        Stream {
            input,
            text: String::new(),
            pos: 0,
            eof: false,
            partial: Vec::new(),
        }
    }

    /// Appends the next piece of the stream to `text`; false at its end.
    fn read_more(&mut self) -> bool {
        if self.eof {
            return false;
        }
        let mut bytes = std::mem::take(&mut self.partial);
        let start = bytes.len();
        let read = match &mut self.input {
            Input::Stdin => std::io::stdin()
                .lock()
                .take(CHUNK as u64)
                .read_until(b'\n', &mut bytes),
            Input::File(f) => {
                bytes.resize(start + CHUNK, 0);
                let n = f.read(&mut bytes[start..]);
                bytes.truncate(start + *n.as_ref().unwrap_or(&0));
                n
            }
        };
        let n = read.unwrap_or(0);
        self.eof = n == 0;
        self.push_text(bytes);
        n > 0 || !self.text[self.pos..].is_empty()
    }

    /// Decodes `bytes` onto `text`, keeping back a character the piece cut off.
    fn push_text(&mut self, mut bytes: Vec<u8>) {
        let mut rest = &bytes[..];
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.text.push_str(s);
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    self.text
                        .push_str(std::str::from_utf8(good).expect("checked as UTF-8"));
                    match e.error_len() {
                        Some(len) => {
                            self.text.push(char::REPLACEMENT_CHARACTER);
                            rest = &bad[len..];
                        }
                        None if self.eof => {
                            self.text.push(char::REPLACEMENT_CHARACTER);
                            break;
                        }
                        None => {
                            let keep = bad.len();
                            let from = bytes.len() - keep;
                            bytes.drain(..from);
                            self.partial = bytes;
                            return;
                        }
                    }
                }
            }
        }
    }
}

impl ByteStream {
    fn fill(&mut self) {
        if self.pos == self.bytes.len() && !self.eof {
            self.bytes.resize(CHUNK, 0);
            let n = self.file.read(&mut self.bytes).unwrap_or(0);
            self.bytes.truncate(n);
            self.pos = 0;
            self.eof = n == 0;
        }
    }
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
    /// The unread text, after reading on from a stream if none is left.
    fn text(&mut self) -> &str {
        match self {
            Source::Text { text, pos } => &text[*pos..],
            Source::Stream(s) => {
                if s.pos == s.text.len() && !s.eof {
                    s.text.clear();
                    s.pos = 0;
                    // A piece may hold only the start of a character: read until a
                    // whole one or the end.
                    while s.text.is_empty() && s.read_more() {}
                }
                &s.text[s.pos..]
            }
            Source::Bytes { .. } | Source::ByteStream(_) => "",
        }
    }

    fn advance(&mut self, n: usize) {
        match self {
            Source::Text { pos, .. } | Source::Bytes { pos, .. } => *pos += n,
            Source::Stream(s) => s.pos += n,
            Source::ByteStream(s) => s.pos += n,
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

    /// A line without its end (`\n`, `\r\n` or `\r`); `None` at the end of input. A
    /// stream is read on until the line ends, however many pieces that takes.
    pub fn read_line(&mut self) -> Option<String> {
        let mut line = String::new();
        let mut any = false;
        let stream = matches!(self, Source::Stream(_));
        loop {
            let rest = self.text();
            if rest.is_empty() {
                return any.then_some(line);
            }
            any = true;
            let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
            line.push_str(&rest[..end]);
            let skip = match &rest.as_bytes()[end..] {
                [b'\r', b'\n', ..] => 2,
                [] => 0,
                // A `\r` at the end of a piece may be the start of `\r\n`.
                [b'\r'] if stream => {
                    self.advance(end + 1);
                    if self.peek_char() == Some('\n') {
                        self.advance(1);
                    }
                    return Some(line);
                }
                _ => 1,
            };
            self.advance(end + skip);
            if skip > 0 || !stream || crate::memory::over_limit() {
                return Some(line);
            }
        }
    }

    /// Up to `k` characters; `None` at the end of input.
    pub fn read_string(&mut self, k: usize) -> Option<String> {
        let mut out = String::new();
        let mut n = 0;
        while n < k {
            match self.read_char() {
                Some(c) => out.push(c),
                None => break,
            }
            n += 1;
        }
        (!out.is_empty() || k == 0).then_some(out)
    }

    /// The unread text for the reader, which needs a whole datum: a stream is read on
    /// while the datum is incomplete (`more` says so).
    pub fn datum_text(&mut self, more: bool) -> &str {
        if let Source::Stream(s) = self {
            if more {
                s.read_more();
            }
        }
        self.text()
    }

    /// Whether a stream has seen its end (no more text will come).
    pub fn exhausted(&self) -> bool {
        match self {
            Source::Stream(s) => s.eof,
            _ => true,
        }
    }

    pub fn consume(&mut self, n: usize) {
        self.advance(n);
    }

    pub fn peek_u8(&mut self) -> Option<u8> {
        match self {
            Source::Bytes { bytes, pos } => bytes.get(*pos).copied(),
            Source::ByteStream(s) => {
                s.fill();
                s.bytes.get(s.pos).copied()
            }
            _ => None,
        }
    }

    pub fn read_u8(&mut self) -> Option<u8> {
        let b = self.peek_u8()?;
        self.advance(1);
        Some(b)
    }

    pub fn read_bytes(&mut self, k: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        while out.len() < k {
            let (bytes, pos) = match self {
                Source::Bytes { bytes, pos } => (&bytes[..], pos),
                Source::ByteStream(s) => {
                    s.fill();
                    (&s.bytes[..], &mut s.pos)
                }
                _ => return None,
            };
            let end = (*pos + (k - out.len())).min(bytes.len());
            if end == *pos {
                break;
            }
            out.extend_from_slice(&bytes[*pos..end]);
            *pos = end;
        }
        (!out.is_empty() || k == 0).then_some(out)
    }
}

/// A file opened for an input port, to be read as it is needed.
pub fn open_file(path: &str, binary: bool) -> Result<Source> {
    let file =
        File::open(path).map_err(|e| Error::file(format!("cannot open {path}: {e}"), vec![]))?;
    Ok(if binary {
        Source::ByteStream(ByteStream {
            file,
            bytes: Vec::new(),
            pos: 0,
            eof: false,
        })
    } else {
        Source::Stream(Stream::new(Input::File(file)))
    })
}

pub fn create_file(path: &str) -> Result<Sink> {
    File::create(path)
        .map(|f| Sink::File(BufWriter::new(f)))
        .map_err(|e| Error::file(format!("cannot open {path} for writing: {e}"), vec![]))
}
