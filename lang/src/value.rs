//! The value word: immediates, and tagged pointers into rudo-gc's heap.
//!
//! A [`Value`] is a [`Word`] with Scheme meaning. The tag scheme is the collector's (see
//! `rudo_gc::Word`); this module names the immediate subtags and the object kinds.
//!
//! # The rooting invariant
//!
//! A pointer `Value` is made only by allocating, and is only kept across a collection
//! where the collector can see it: on the VM stack, in a global, in a handle, or inside an
//! object reachable from those. Collections happen only at VM safepoints, so Rust code
//! between safepoints (a builtin, the printer, the reader) may hold values in locals
//! freely. The accessors below rely on this invariant for their soundness.

use rudo_gc::{Header, Word};

/// One Scheme value.
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Value(pub(crate) Word);

/// The immediate subtags. `rudo_gc::BROKEN_SUBTAG` (31) is the collector's.
mod subtag {
    pub const CHAR: u8 = 1;
    pub const BOOLEAN: u8 = 2;
    pub const NIL: u8 = 3;
    pub const EOF: u8 = 4;
    pub const UNSPECIFIED: u8 = 5;
    /// The value of a variable that `letrec` has not initialized yet.
    pub const UNDEFINED: u8 = 6;
    pub const DEFAULT_OBJECT: u8 = 7;
}

/// The biased exponent just below the range of immediate flonums: they keep the
/// exponents `FLONUM_EXPONENT_BASE + 1 ..= FLONUM_EXPONENT_BASE + 255`, centred on 1.0's.
const FLONUM_EXPONENT_BASE: u64 = 1023 - 127;

/// The kind byte of an object header: what the object is.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Kind {
    /// `[storage, length, width]`: characters in a `Bytes` storage object, one byte each
    /// while every character is below U+0100, four bytes each after that.
    String = 1,
    /// Raw: byte length, then the UTF-8 name.
    Symbol,
    Vector,
    /// Raw: byte length, then the bytes.
    Bytevector,
    /// Raw bytes, the storage of a string.
    Bytes,
    /// Raw: the `f64` bits.
    Flonum,
    /// Raw: sign word, then the magnitude's 64-bit digits, least significant first.
    Bignum,
    /// `[numerator, denominator]`, exact integers in lowest terms.
    Ratnum,
    /// `[real part, imaginary part]`: two flonums, or two exact numbers of which the
    /// second is not zero.
    Compnum,
    /// `[code, free variables..., anchor]`: the anchor only when the code has one (code
    /// that `eval` made, see `vm::code`).
    Closure,
    /// Raw: the index of a builtin in the builtin table.
    Primitive,
    /// No fields: the anchor of a unit of code that `eval` made, which the unit's
    /// closures hold (`vm::code`).
    Code,
    /// `[value]`: a variable that `set!` assigns, shared by the closures that capture it.
    Box,
    /// `[name, value]`: a global variable's cell.
    Global,
    /// `[type, fields...]`.
    Record,
    /// Anything else the runtime defines; the first field says what.
    Other,
    /// A captured continuation: a copy of the VM's value stack (traced) and of its
    /// frames (raw); see `vm::continuation`.
    Continuation,
    /// Raw: the port's number in the runtime's port table, and its flags (`port.rs`).
    Port,
}

impl Kind {
    pub fn from_byte(b: u8) -> Option<Kind> {
        use Kind::*;
        const ALL: [Kind; 18] = [
            String,
            Symbol,
            Vector,
            Bytevector,
            Bytes,
            Flonum,
            Bignum,
            Ratnum,
            Compnum,
            Closure,
            Primitive,
            Code,
            Box,
            Global,
            Record,
            Other,
            Continuation,
            Port,
        ];
        ALL.iter().copied().find(|k| *k as u8 == b)
    }
}

impl Value {
    pub const NIL: Value = Value::imm(subtag::NIL, 0);
    pub const TRUE: Value = Value::imm(subtag::BOOLEAN, 1);
    pub const FALSE: Value = Value::imm(subtag::BOOLEAN, 0);
    pub const EOF: Value = Value::imm(subtag::EOF, 0);
    pub const UNSPECIFIED: Value = Value::imm(subtag::UNSPECIFIED, 0);
    pub const UNDEFINED: Value = Value::imm(subtag::UNDEFINED, 0);
    pub const DEFAULT_OBJECT: Value = Value::imm(subtag::DEFAULT_OBJECT, 0);
    /// What a weak pair's car reads as once its target has died.
    pub const BROKEN: Value = Value(Word::BROKEN);

    const fn imm(tag: u8, payload: u64) -> Value {
        Value(Word::immediate(tag, payload))
    }

    pub const fn word(self) -> Word {
        self.0
    }

    /// Wraps a word of the heap.
    ///
    /// # Safety
    /// A pointer `w` came from the heap and obeys the rooting invariant (module docs).
    pub const unsafe fn from_word(w: Word) -> Value {
        Value(w)
    }

    pub const fn bool(b: bool) -> Value {
        if b {
            Value::TRUE
        } else {
            Value::FALSE
        }
    }

    pub const fn char(c: char) -> Value {
        Value::imm(subtag::CHAR, c as u64)
    }

    /// A fixnum, or `None` outside the fixnum range.
    pub const fn try_fixnum(n: i64) -> Option<Value> {
        match Word::try_fixnum(n) {
            Some(w) => Some(Value(w)),
            None => None,
        }
    }

    /// A fixnum; `n` must be in range (small constants, lengths, indices).
    pub const fn fixnum(n: i64) -> Value {
        Value(Word::fixnum(n))
    }

    pub const fn is_fixnum(self) -> bool {
        self.0.is_fixnum()
    }

    pub const fn fixnum_value(self) -> i64 {
        self.0.fixnum_value()
    }

    /// A flonum as an immediate word, when its exponent is in the usual range (about
    /// 1e-38 to 1e38 in magnitude) or it is a zero; `None` for the rest (denormals, huge
    /// magnitudes, infinities, NaNs), which live in the heap. The encoding is 64-bit
    /// Spur's SmallFloat64: rotate the sign to bit 0, rebase the 11-bit exponent so that
    /// the range kept fits 8 bits, and shift the tag in below. Every flonum that fits is
    /// made immediate, so each has one representation and `eqv?` may compare words.
    #[inline(always)]
    pub fn try_flonum(f: f64) -> Option<Value> {
        let rotated = f.to_bits().rotate_left(1);
        let exponent = rotated >> 53;
        if exponent.wrapping_sub(FLONUM_EXPONENT_BASE + 1) < 255 {
            let rebased = rotated - (FLONUM_EXPONENT_BASE << 53);
            Some(Value(Word::from_bits(rebased << 3 | rudo_gc::EMBEDDER_TAG)))
        } else if rotated <= 1 {
            Some(Value(Word::from_bits(rotated << 3 | rudo_gc::EMBEDDER_TAG)))
        } else {
            None
        }
    }

    /// Whether this is a flonum held in the word itself (see [`Value::try_flonum`]).
    #[inline(always)]
    pub const fn is_immediate_flonum(self) -> bool {
        self.0.is_embedder()
    }

    /// The flonum of an immediate flonum word; meaningless for other words.
    #[inline(always)]
    pub fn immediate_flonum_value(self) -> f64 {
        let mut rotated = self.0.bits() >> 3;
        // Only the zeros have a rebased exponent of zero.
        if rotated > 1 {
            rotated += FLONUM_EXPONENT_BASE << 53;
        }
        f64::from_bits(rotated.rotate_right(1))
    }

    pub const fn as_fixnum(self) -> Option<i64> {
        if self.is_fixnum() {
            Some(self.fixnum_value())
        } else {
            None
        }
    }

    pub fn is_true(self) -> bool {
        self != Value::FALSE
    }

    pub fn is_bool(self) -> bool {
        self == Value::TRUE || self == Value::FALSE
    }

    pub fn is_null(self) -> bool {
        self == Value::NIL
    }

    pub fn as_char(self) -> Option<char> {
        (self.0.is_immediate() && self.0.immediate_subtag() == subtag::CHAR)
            .then(|| char::from_u32(self.0.immediate_payload() as u32))
            .flatten()
    }

    pub const fn is_pair(self) -> bool {
        self.0.is_pair()
    }

    pub const fn is_object(self) -> bool {
        self.0.is_object()
    }

    /// The object kind, if this is an object; an immediate flonum is of kind `Flonum`
    /// too, though it has no header.
    #[inline]
    pub(crate) fn kind(self) -> Option<Kind> {
        if self.is_immediate_flonum() {
            return Some(Kind::Flonum);
        }
        self.is_object()
            .then(|| Kind::from_byte(self.header().kind()))
            .flatten()
    }

    /// Whether this is an object of `kind`, or, for `Kind::Flonum`, any flonum.
    #[inline]
    pub(crate) fn is(self, kind: Kind) -> bool {
        if kind == Kind::Flonum && self.is_immediate_flonum() {
            return true;
        }
        self.is_object() && self.header().kind() == kind as u8
    }

    #[inline]
    pub(crate) fn header(self) -> Header {
        // SAFETY: an object value is live by the rooting invariant.
        unsafe { self.0.header() }
    }

    // ---- pairs ----

    #[inline]
    pub(crate) fn car(self) -> Value {
        debug_assert!(self.is_pair());
        // SAFETY: a pair value is live by the rooting invariant; car is its first word.
        Value(unsafe { self.0.pair_ptr().read() })
    }

    #[inline]
    pub(crate) fn cdr(self) -> Value {
        debug_assert!(self.is_pair());
        // SAFETY: as in `car`; cdr is the second word.
        Value(unsafe { self.0.pair_ptr().add(1).read() })
    }

    #[inline]
    pub(crate) fn set_car(self, v: Value) {
        debug_assert!(self.is_pair());
        // SAFETY: as in `car`. The barrier runs on the heap's thread, for a live pair.
        unsafe {
            rudo_gc::write_barrier(self.0, 0, v.0);
            self.0.pair_ptr().write(v.0)
        }
    }

    #[inline]
    pub(crate) fn set_cdr(self, v: Value) {
        debug_assert!(self.is_pair());
        // SAFETY: as in `set_car`.
        unsafe {
            rudo_gc::write_barrier(self.0, 1, v.0);
            self.0.pair_ptr().add(1).write(v.0)
        }
    }

    // ---- object fields ----

    /// The number of fields after the header.
    #[inline]
    pub(crate) fn size(self) -> usize {
        self.header().size()
    }

    #[inline]
    pub(crate) fn field(self, i: usize) -> Value {
        debug_assert!(self.is_object() && i < self.size());
        // SAFETY: a live object (rooting invariant), and `i` is one of its fields.
        Value(unsafe { self.0.field_ptr(i).read() })
    }

    #[inline]
    pub(crate) fn set_field(self, i: usize, v: Value) {
        debug_assert!(self.is_object() && i < self.header().traced());
        // SAFETY: as in `field`; only traced fields hold values. The barrier runs on the
        // heap's thread, for a live object.
        unsafe {
            rudo_gc::write_barrier(self.0, i, v.0);
            self.0.field_ptr(i).write(v.0)
        }
    }

    /// Fills field `i` of an object allocated since the last safepoint, which is young:
    /// no collection has run since, so the store needs no barrier. Only for filling new
    /// objects; `set_field` for anything else.
    #[inline]
    pub(crate) fn init_field(self, i: usize, v: Value) {
        debug_assert!(self.is_object() && i < self.header().traced());
        // SAFETY: as in `field`; the barrier check runs on the heap's thread.
        debug_assert!(!unsafe { rudo_gc::is_old(self.0) }, "a new object is young");
        // SAFETY: as in `field`; only traced fields hold values.
        unsafe { self.0.field_ptr(i).write(v.0) }
    }

    /// Raw field `i` (not traced) as a number.
    #[inline]
    pub(crate) fn raw(self, i: usize) -> u64 {
        debug_assert!(self.is_object() && i < self.size());
        // SAFETY: as in `field`.
        unsafe { self.0.field_ptr(i).read().bits() }
    }

    #[inline]
    pub(crate) fn set_raw(self, i: usize, bits: u64) {
        debug_assert!(self.is_object() && i >= self.header().traced() && i < self.size());
        // SAFETY: as in `field`; raw fields are never traced, so any bits may go there.
        unsafe { self.0.field_ptr(i).write(Word::from_bits(bits)) }
    }

    /// The raw fields from `first` on, as bytes.
    pub(crate) fn raw_bytes(self, first: usize, len: usize) -> &'static [u8] {
        debug_assert!(first * 8 + len <= self.size() * 8);
        // SAFETY: a live object (rooting invariant) whose raw fields from `first` hold at
        // least `len` bytes. The 'static lifetime is a convenience of the rooting
        // invariant: callers use the slice before the next safepoint.
        unsafe { std::slice::from_raw_parts(self.0.field_ptr(first).cast::<u8>(), len) }
    }

    /// The raw fields from `first` on, as mutable bytes.
    ///
    /// # Safety
    /// 1. The object's raw fields from `first` on hold at least `len` bytes.
    /// 2. No other slice of those bytes is in use while the returned one is, and it is
    ///    dropped before the next safepoint.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn raw_bytes_mut(self, first: usize, len: usize) -> &'static mut [u8] {
        debug_assert!(first * 8 + len <= self.size() * 8);
        // SAFETY: a live object (rooting invariant) whose bytes are the caller's alone
        // (rules 1 and 2); raw data is never traced, so any bytes may go there.
        unsafe { std::slice::from_raw_parts_mut(self.0.field_ptr(first).cast::<u8>(), len) }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flonums_in_the_usual_range_are_immediate_and_exact() {
        let immediate = [0.0, -0.0, 1.0, -1.5, std::f64::consts::PI, 1e38, -1e-37];
        let edges = [
            2f64.powi(-126),
            2f64.powi(128),
            f64::from_bits(0x47ff_ffff_ffff_ffff),
        ];
        for f in immediate.into_iter().chain(edges) {
            let v = Value::try_flonum(f).unwrap_or_else(|| panic!("{f} is immediate"));
            assert!(v.is_immediate_flonum() && !v.is_object() && !v.is_fixnum());
            assert_eq!(v.immediate_flonum_value().to_bits(), f.to_bits(), "{f}");
        }
        let boxed = [
            2f64.powi(-127),
            2f64.powi(129),
            1e300,
            5e-324,
            f64::INFINITY,
            f64::NAN,
        ];
        for f in boxed {
            assert_eq!(Value::try_flonum(f), None, "{f} needs a box");
        }
        // Every bit pattern either round-trips or is refused.
        let mut bits = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            bits = bits.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let f = f64::from_bits(bits);
            if let Some(v) = Value::try_flonum(f) {
                assert_eq!(v.immediate_flonum_value().to_bits(), bits);
            }
        }
    }

    #[test]
    fn immediates_are_distinct() {
        let all = [
            Value::NIL,
            Value::TRUE,
            Value::FALSE,
            Value::EOF,
            Value::UNSPECIFIED,
            Value::UNDEFINED,
            Value::DEFAULT_OBJECT,
            Value::BROKEN,
            Value::char('a'),
            Value::fixnum(0),
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
            assert!(!a.is_pair() && !a.is_object());
        }
        assert_eq!(Value::char('λ').as_char(), Some('λ'));
        assert_eq!(Value::fixnum(5).as_char(), None);
        assert!(Value::FALSE.is_bool() && !Value::FALSE.is_true() && Value::NIL.is_true());
    }

    #[test]
    fn every_kind_is_read_back_from_its_byte() {
        // An exhaustive match: adding a kind breaks the build here until it is counted,
        // and then the loop below fails until `from_byte` lists it.
        let kinds = |k: Kind| match k {
            Kind::String | Kind::Symbol | Kind::Vector | Kind::Bytevector | Kind::Bytes => 5,
            Kind::Flonum | Kind::Bignum | Kind::Ratnum | Kind::Compnum => 4,
            Kind::Closure | Kind::Primitive => 2,
            Kind::Code | Kind::Box | Kind::Global | Kind::Record | Kind::Other => 5,
            Kind::Continuation | Kind::Port => 2,
        };
        let count = [
            Kind::String,
            Kind::Flonum,
            Kind::Closure,
            Kind::Code,
            Kind::Port,
        ]
        .into_iter()
        .map(kinds)
        .sum::<u8>();
        for b in 0..=255u8 {
            match Kind::from_byte(b) {
                Some(k) => assert_eq!(k as u8, b),
                None => assert!(b == 0 || b > count, "kind byte {b} is not read back"),
            }
        }
    }
}
