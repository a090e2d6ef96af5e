//! Making and reading heap objects: strings, symbols, vectors, bytevectors, flonums.
//!
//! Strings keep `string-ref` O(1): their characters live in a separate `Bytes` storage
//! object, one byte each while every character is below U+0100 and four bytes each after
//! that. Storing a wider character replaces the storage with a widened copy, so the
//! string object itself never moves or grows.

use rudo_gc::{Header, Heap};

use crate::value::{Kind, Value};

/// Allocation of Scheme objects in a rudo-gc heap.
pub trait Alloc {
    fn cons(&mut self, car: Value, cdr: Value) -> Value;
    /// An object of `kind` with `size` fields, the first `traced` of them set to `fill`.
    fn object(&mut self, kind: Kind, size: usize, traced: usize, fill: Value) -> Value;

    fn list(&mut self, items: &[Value]) -> Value {
        self.list_with_tail(items, Value::NIL)
    }

    fn list_with_tail(&mut self, items: &[Value], tail: Value) -> Value {
        items.iter().rev().fold(tail, |acc, &x| self.cons(x, acc))
    }

    fn vector(&mut self, items: &[Value]) -> Value {
        let v = self.object(Kind::Vector, items.len(), items.len(), Value::FALSE);
        for (i, &x) in items.iter().enumerate() {
            v.init_field(i, x);
        }
        v
    }

    fn make_vector(&mut self, len: usize, fill: Value) -> Value {
        self.object(Kind::Vector, len, len, fill)
    }

    /// A flonum: immediate when it fits a word (see `Value::try_flonum`), else boxed.
    fn flonum(&mut self, f: f64) -> Value {
        if let Some(v) = Value::try_flonum(f) {
            return v;
        }
        let v = self.object(Kind::Flonum, 1, 0, Value::FALSE);
        v.set_raw(0, f.to_bits());
        v
    }

    fn bytevector(&mut self, bytes: &[u8]) -> Value {
        let v = self.object(
            Kind::Bytevector,
            1 + bytes.len().div_ceil(8),
            0,
            Value::FALSE,
        );
        v.set_raw(0, bytes.len() as u64);
        // SAFETY: a new object, with room for the bytes after its length.
        unsafe { v.raw_bytes_mut(1, bytes.len()) }.copy_from_slice(bytes);
        v
    }

    /// A string of `len` copies of `fill`.
    fn make_string(&mut self, len: usize, fill: char) -> Value {
        let width = char_width(fill);
        let s = new_string(self, len, width);
        for i in 0..len {
            store_char(s, i, fill);
        }
        s
    }

    fn string(&mut self, text: &str) -> Value {
        let len = text.chars().count();
        let width = text.chars().map(char_width).max().unwrap_or(1);
        let s = new_string(self, len, width);
        if width == 1 && len == text.len() {
            // SAFETY: a new string, `len` bytes wide, and nothing else holds its storage.
            unsafe { storage_bytes_mut(s) }.copy_from_slice(text.as_bytes());
        } else {
            for (i, c) in text.chars().enumerate() {
                store_char(s, i, c);
            }
        }
        s
    }

    /// A symbol object; intern it through the symbol table instead of calling this.
    fn symbol_object(&mut self, name: &str) -> Value {
        let v = self.object(Kind::Symbol, 1 + name.len().div_ceil(8), 0, Value::FALSE);
        v.set_raw(0, name.len() as u64);
        // SAFETY: a new object, with room for the name after its length.
        unsafe { v.raw_bytes_mut(1, name.len()) }.copy_from_slice(name.as_bytes());
        v
    }
}

impl Alloc for Heap {
    #[inline]
    fn cons(&mut self, car: Value, cdr: Value) -> Value {
        Value(self.alloc_pair(car.0, cdr.0))
    }

    #[inline]
    fn object(&mut self, kind: Kind, size: usize, traced: usize, fill: Value) -> Value {
        Value(self.alloc_object(Header::new(kind as u8, size, traced), fill.0))
    }
}

fn char_width(c: char) -> usize {
    if (c as u32) < 0x100 {
        1
    } else {
        4
    }
}

/// The longest string: its storage, at four bytes a character once any character needs
/// them, is the largest object the heap holds.
pub const MAX_STRING_LENGTH: usize = rudo_gc::MAX_OBJECT_WORDS * 2;

const STR_STORAGE: usize = 0;
const STR_LEN: usize = 1;
const STR_WIDTH: usize = 2;

fn new_string<A: Alloc + ?Sized>(heap: &mut A, len: usize, width: usize) -> Value {
    let storage = heap.object(Kind::Bytes, (len * width).div_ceil(8), 0, Value::FALSE);
    let s = heap.object(Kind::String, 3, 3, Value::FALSE);
    s.set_field(STR_STORAGE, storage);
    s.set_field(STR_LEN, Value::fixnum(len as i64));
    s.set_field(STR_WIDTH, Value::fixnum(width as i64));
    s
}

fn storage_bytes(s: Value) -> &'static [u8] {
    let n = string_len(s) * string_width(s);
    s.field(STR_STORAGE).raw_bytes(0, n)
}

/// The storage of string `s`, to write.
///
/// # Safety
/// No other slice of the storage is in use while the returned one is, and it is
/// dropped before the next safepoint.
unsafe fn storage_bytes_mut(s: Value) -> &'static mut [u8] {
    let n = string_len(s) * string_width(s);
    // SAFETY: the storage holds `n` bytes, and the caller holds no other slice of it.
    unsafe { s.field(STR_STORAGE).raw_bytes_mut(0, n) }
}

fn string_width(s: Value) -> usize {
    s.field(STR_WIDTH).fixnum_value() as usize
}

pub fn string_len(s: Value) -> usize {
    debug_assert!(s.is(Kind::String));
    s.field(STR_LEN).fixnum_value() as usize
}

pub fn string_ref(s: Value, i: usize) -> char {
    let bytes = storage_bytes(s);
    if string_width(s) == 1 {
        bytes[i] as char
    } else {
        let b = &bytes[i * 4..i * 4 + 4];
        char::from_u32(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).unwrap_or('\u{fffd}')
    }
}

/// Stores `c` at `i`; the string must already be wide enough for it.
fn store_char(s: Value, i: usize, c: char) {
    // SAFETY: the slice lives only for this store.
    let bytes = unsafe { storage_bytes_mut(s) };
    if string_width(s) == 1 {
        bytes[i] = c as u8;
    } else {
        bytes[i * 4..i * 4 + 4].copy_from_slice(&(c as u32).to_le_bytes());
    }
}

/// `string-set!`: widens the string's storage first if `c` needs it.
pub fn string_set<A: Alloc + ?Sized>(heap: &mut A, s: Value, i: usize, c: char) {
    if char_width(c) > string_width(s) {
        let len = string_len(s);
        let wide = heap.object(Kind::Bytes, (len * 4).div_ceil(8), 0, Value::FALSE);
        let old = storage_bytes(s);
        // SAFETY: a new object of `len * 4` bytes, which nothing else holds.
        let new = unsafe { wide.raw_bytes_mut(0, len * 4) };
        for (k, &b) in old.iter().enumerate() {
            new[k * 4..k * 4 + 4].copy_from_slice(&(b as u32).to_le_bytes());
        }
        s.set_field(STR_STORAGE, wide);
        s.set_field(STR_WIDTH, Value::fixnum(4));
    }
    store_char(s, i, c);
}

/// The concatenation of the strings `parts`, copied storage to storage.
pub fn string_concat<A: Alloc + ?Sized>(heap: &mut A, parts: &[Value]) -> Value {
    let len = parts.iter().map(|&p| string_len(p)).sum();
    let width = parts.iter().map(|&p| string_width(p)).max().unwrap_or(1);
    let out = new_string(heap, len, width);
    let mut at = 0;
    for &p in parts {
        copy_chars(p, 0, string_len(p), out, at);
        at += string_len(p);
    }
    out
}

/// A new string of the characters `from..to` of `s`.
pub fn substring<A: Alloc + ?Sized>(heap: &mut A, s: Value, from: usize, to: usize) -> Value {
    let out = new_string(heap, to - from, string_width(s));
    copy_chars(s, from, to, out, 0);
    out
}

/// Copies characters `from..to` of `src` into `dst` at `at`; `dst` is a new string, at
/// least as wide.
fn copy_chars(src: Value, from: usize, to: usize, dst: Value, at: usize) {
    let (sw, dw) = (string_width(src), string_width(dst));
    let src_bytes = storage_bytes(src);
    // SAFETY: `dst` is new, so its storage is not `src`'s, and nothing else holds it.
    let dst_bytes = unsafe { storage_bytes_mut(dst) };
    if sw == dw {
        dst_bytes[at * dw..(at + to - from) * dw].copy_from_slice(&src_bytes[from * sw..to * sw]);
    } else {
        for (k, &b) in src_bytes[from..to].iter().enumerate() {
            dst_bytes[(at + k) * 4..(at + k) * 4 + 4].copy_from_slice(&(b as u32).to_le_bytes());
        }
    }
}

/// The characters of a string.
pub fn string_chars(s: Value) -> impl Iterator<Item = char> {
    (0..string_len(s)).map(move |i| string_ref(s, i))
}

pub fn string_to_rust(s: Value) -> String {
    string_chars(s).collect()
}

pub fn symbol_name(sym: Value) -> &'static str {
    debug_assert!(sym.is(Kind::Symbol));
    let bytes = sym.raw_bytes(1, sym.raw(0) as usize);
    // Names are copied in from `&str`, so they are UTF-8.
    std::str::from_utf8(bytes).unwrap_or("?")
}

pub fn flonum_value(f: Value) -> f64 {
    debug_assert!(f.is(Kind::Flonum));
    if f.is_immediate_flonum() {
        return f.immediate_flonum_value();
    }
    f64::from_bits(f.raw(0))
}

pub(crate) fn bytevector_bytes(b: Value) -> &'static [u8] {
    debug_assert!(b.is(Kind::Bytevector));
    b.raw_bytes(1, b.raw(0) as usize)
}

/// Sets byte `i` of bytevector `b`; `i` is below its length.
pub(crate) fn bytevector_set(b: Value, i: usize, byte: u8) {
    debug_assert!(b.is(Kind::Bytevector) && i < b.raw(0) as usize);
    // SAFETY: the bytevector holds its length in bytes after it, and the slice lives
    // only for this store.
    let bytes = unsafe { b.raw_bytes_mut(1, b.raw(0) as usize) };
    bytes[i] = byte;
}

pub fn vector_len(v: Value) -> usize {
    debug_assert!(v.is(Kind::Vector));
    v.size()
}

/// The fields of a global cell.
pub const CELL_NAME: usize = 0;
pub const CELL_VALUE: usize = 1;

/// A port's flags (its second raw word, `port.rs`).
pub const INPUT: u64 = 1;
pub const OUTPUT: u64 = 2;
pub const BINARY: u64 = 4;
/// A textual input port whose text after the last datum read is under `#!fold-case`.
pub const FOLD_CASE: u64 = 8;

/// Whether `v` is a record type rather than a record.
pub fn is_record_type(v: Value) -> bool {
    v.is(Kind::Record) && v.field(0) == Value::FALSE
}

/// The name of record type `rtd`.
pub fn type_name(rtd: Value) -> Value {
    rtd.field(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_narrow_and_wide() {
        let mut heap = Heap::default();
        for text in [
            "",
            "hello",
            "café",
            "λx.x",
            "日本語 and ascii",
            "\u{10ffff}",
        ] {
            let s = heap.string(text);
            assert_eq!(string_to_rust(s), text);
            assert_eq!(string_len(s), text.chars().count());
        }
    }

    #[test]
    fn storing_a_wide_char_widens_in_place() {
        let mut heap = Heap::default();
        let s = heap.string("abc");
        string_set(&mut heap, s, 1, 'λ');
        assert_eq!(string_to_rust(s), "aλc");
        string_set(&mut heap, s, 0, 'é');
        assert_eq!(string_to_rust(s), "éλc");
        let m = heap.make_string(3, 'z');
        assert_eq!(string_to_rust(m), "zzz");
    }

    #[test]
    fn concatenation_and_substrings_keep_or_widen_the_width() {
        let mut heap = Heap::default();
        let narrow = heap.string("abc");
        let wide = heap.string("λμ");
        let both = string_concat(&mut heap, &[narrow, wide, narrow]);
        assert_eq!(string_to_rust(both), "abcλμabc");
        let empty = string_concat(&mut heap, &[]);
        assert_eq!(string_to_rust(empty), "");
        assert_eq!(string_to_rust(substring(&mut heap, both, 2, 6)), "cλμa");
        assert_eq!(string_to_rust(substring(&mut heap, narrow, 1, 1)), "");
    }

    #[test]
    fn symbols_bytevectors_flonums_vectors() {
        let mut heap = Heap::default();
        assert_eq!(
            symbol_name(heap.symbol_object("list->vector")),
            "list->vector"
        );
        let b = heap.bytevector(&[1, 2, 255]);
        assert_eq!(bytevector_bytes(b), &[1, 2, 255]);
        assert_eq!(flonum_value(heap.flonum(-0.5)), -0.5);
        let v = heap.vector(&[Value::fixnum(1), Value::TRUE]);
        assert_eq!((vector_len(v), v.field(1)), (2, Value::TRUE));
    }
}
