//! The tagged word and the object header: all the collector knows of a value.
//!
//! A word's low bits are its tag:
//!
//! | low bits | meaning                                                    |
//! |----------|------------------------------------------------------------|
//! | `..00`   | fixnum, the upper 62 bits are the integer                  |
//! | `.001`   | pointer to a pair: two words, no header                    |
//! | `.011`   | pointer to an object: a [`Header`] word, then its fields   |
//! | `.010`   | immediate: a 5-bit subtag in bits 3..8, payload above      |
//! | `.110`   | the embedder's own immediate: 61 bits, never traced        |
//!
//! The collector traces exactly the pair and object words. The embedder gives meaning
//! to immediate subtags and header kinds; subtag [`BROKEN_SUBTAG`] is the collector's own.

use std::fmt;

const TAG_MASK: u64 = 0b111;
const PAIR_TAG: u64 = 0b001;
const OBJECT_TAG: u64 = 0b011;
const IMMEDIATE_TAG: u64 = 0b010;
/// The tag of words whose upper 61 bits are the embedder's alone (rudo-lang keeps
/// flonums there); like an immediate, the collector never traces them.
pub const EMBEDDER_TAG: u64 = 0b110;
const FIXNUM_SHIFT: u32 = 2;
const SUBTAG_SHIFT: u32 = 3;
const PAYLOAD_SHIFT: u32 = 8;

/// The immediate subtag the collector reserves for [`Word::BROKEN`].
pub const BROKEN_SUBTAG: u8 = 31;

/// One value: an immediate, or a tagged pointer into the heap.
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Word(u64);

impl Word {
    /// What a weak pair's car becomes when its target dies (Chez's `#!bwp`).
    pub const BROKEN: Word = Word::immediate(BROKEN_SUBTAG, 0);

    /// The smallest and largest fixnums.
    pub const FIXNUM_MIN: i64 = i64::MIN >> FIXNUM_SHIFT;
    pub const FIXNUM_MAX: i64 = i64::MAX >> FIXNUM_SHIFT;

    pub const fn from_bits(bits: u64) -> Word {
        Word(bits)
    }

    pub const fn bits(self) -> u64 {
        self.0
    }

    /// A fixnum. `n` must lie in `FIXNUM_MIN..=FIXNUM_MAX`; use [`Word::try_fixnum`] otherwise.
    pub const fn fixnum(n: i64) -> Word {
        debug_assert!(n >= Self::FIXNUM_MIN && n <= Self::FIXNUM_MAX);
        Word((n << FIXNUM_SHIFT) as u64)
    }

    pub const fn try_fixnum(n: i64) -> Option<Word> {
        if n >= Self::FIXNUM_MIN && n <= Self::FIXNUM_MAX {
            Some(Word::fixnum(n))
        } else {
            None
        }
    }

    pub const fn is_fixnum(self) -> bool {
        self.0 & 0b11 == 0
    }

    /// The integer of a fixnum word; meaningless for other words.
    pub const fn fixnum_value(self) -> i64 {
        (self.0 as i64) >> FIXNUM_SHIFT
    }

    /// An immediate with the embedder's `subtag` (below 32) and a 56-bit `payload`.
    pub const fn immediate(subtag: u8, payload: u64) -> Word {
        debug_assert!(subtag < 32);
        Word((payload << PAYLOAD_SHIFT) | ((subtag as u64) << SUBTAG_SHIFT) | IMMEDIATE_TAG)
    }

    pub const fn is_immediate(self) -> bool {
        self.0 & TAG_MASK == IMMEDIATE_TAG
    }

    /// Whether the word carries the embedder's own bits ([`EMBEDDER_TAG`]).
    #[inline(always)]
    pub const fn is_embedder(self) -> bool {
        self.0 & TAG_MASK == EMBEDDER_TAG
    }

    pub const fn immediate_subtag(self) -> u8 {
        ((self.0 >> SUBTAG_SHIFT) & 0x1f) as u8
    }

    pub const fn immediate_payload(self) -> u64 {
        self.0 >> PAYLOAD_SHIFT
    }

    /// Whether the collector traces this word: a pair or an object pointer.
    #[inline(always)]
    pub const fn is_pointer(self) -> bool {
        self.0 & 0b101 == 0b001
    }

    #[inline(always)]
    pub const fn is_pair(self) -> bool {
        self.0 & TAG_MASK == PAIR_TAG
    }

    #[inline(always)]
    pub const fn is_object(self) -> bool {
        self.0 & TAG_MASK == OBJECT_TAG
    }

    /// The address this pointer word points at.
    #[inline(always)]
    pub(crate) const fn addr(self) -> usize {
        (self.0 & !TAG_MASK) as usize
    }

    pub(crate) fn from_pair_ptr(p: *mut Word) -> Word {
        Word(p.expose_provenance() as u64 | PAIR_TAG)
    }

    pub(crate) fn from_object_ptr(p: *mut Word) -> Word {
        Word(p.expose_provenance() as u64 | OBJECT_TAG)
    }

    /// The two words of a pair: `car` at offset 0, `cdr` at offset 1.
    ///
    /// # Safety
    /// 1. `self` is a pair word handed out by a live [`Heap`](crate::Heap),
    /// 2. and the pair was reachable at every collection since it was allocated.
    #[inline(always)]
    pub unsafe fn pair_ptr(self) -> *mut Word {
        debug_assert!(self.is_pair());
        std::ptr::with_exposed_provenance_mut(self.addr())
    }

    /// The header word of an object; its fields follow it.
    ///
    /// # Safety
    /// The same rules as [`Word::pair_ptr`], for an object word.
    #[inline(always)]
    pub unsafe fn object_ptr(self) -> *mut Word {
        debug_assert!(self.is_object());
        std::ptr::with_exposed_provenance_mut(self.addr())
    }

    /// The header of an object.
    ///
    /// # Safety
    /// The same rules as [`Word::pair_ptr`], for an object word.
    #[inline(always)]
    pub unsafe fn header(self) -> Header {
        // SAFETY: the caller guarantees a live object, whose first word is its header.
        unsafe { Header(self.object_ptr().read().0) }
    }

    /// A pointer to field `i` (0-based, after the header) of an object.
    ///
    /// # Safety
    /// The same rules as [`Word::pair_ptr`], and `i` is below the header's size.
    #[inline(always)]
    pub unsafe fn field_ptr(self, i: usize) -> *mut Word {
        // SAFETY: the caller guarantees that field `i` lies within the live object.
        unsafe { self.object_ptr().add(1 + i) }
    }
}

impl fmt::Debug for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_fixnum() {
            write!(f, "Word(fixnum {})", self.fixnum_value())
        } else if self.is_pair() {
            write!(f, "Word(pair {:#x})", self.addr())
        } else if self.is_object() {
            write!(f, "Word(object {:#x})", self.addr())
        } else if self.is_immediate() {
            write!(
                f,
                "Word(imm {}:{})",
                self.immediate_subtag(),
                self.immediate_payload()
            )
        } else {
            write!(f, "Word({:#x})", self.0)
        }
    }
}

/// The largest object, in words after its header.
pub const MAX_OBJECT_WORDS: usize = (1 << 28) - 1;

const KIND_BITS: u32 = 8;
const TRACED_SHIFT: u32 = KIND_BITS;
const SIZE_SHIFT: u32 = 36;
const FIELD_MASK: u64 = (1 << 28) - 1;

/// The first word of every object that is not a pair.
///
/// `kind` (8 bits) is the embedder's. `size` counts the words after the header; the first
/// `traced` of them are values the collector traces and the rest are raw data it never
/// reads. Tracing an object needs nothing but this word.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub struct Header(u64);

impl Header {
    /// # Panics
    /// If `traced > size` or `size > MAX_OBJECT_WORDS`.
    pub const fn new(kind: u8, size: usize, traced: usize) -> Header {
        assert!(traced <= size && size <= MAX_OBJECT_WORDS);
        Header(((size as u64) << SIZE_SHIFT) | ((traced as u64) << TRACED_SHIFT) | kind as u64)
    }

    pub const fn kind(self) -> u8 {
        self.0 as u8
    }

    pub const fn size(self) -> usize {
        ((self.0 >> SIZE_SHIFT) & FIELD_MASK) as usize
    }

    pub const fn traced(self) -> usize {
        ((self.0 >> TRACED_SHIFT) & FIELD_MASK) as usize
    }

    pub(crate) const fn as_word(self) -> Word {
        Word(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_do_not_overlap() {
        let cases = [
            (Word::fixnum(-7), "fixnum"),
            (Word::fixnum(Word::FIXNUM_MAX), "fixnum"),
            (Word::immediate(3, 99), "immediate"),
            (Word::BROKEN, "immediate"),
            (Word(0x1000 | PAIR_TAG), "pair"),
            (Word(0x1000 | OBJECT_TAG), "object"),
            (Word(u64::MAX << 3 | EMBEDDER_TAG), "embedder"),
            (Word(EMBEDDER_TAG), "embedder"),
        ];
        for (w, what) in cases {
            let seen = [
                (w.is_fixnum(), "fixnum"),
                (w.is_immediate(), "immediate"),
                (w.is_pair(), "pair"),
                (w.is_object(), "object"),
                (w.is_embedder(), "embedder"),
            ];
            let hits: Vec<_> = seen.iter().filter(|s| s.0).map(|s| s.1).collect();
            assert_eq!(hits, vec![what], "{w:?}");
            assert_eq!(w.is_pointer(), what == "pair" || what == "object");
        }
    }

    #[test]
    fn fixnums_round_trip() {
        for n in [0, 1, -1, 42, Word::FIXNUM_MIN, Word::FIXNUM_MAX] {
            assert_eq!(Word::fixnum(n).fixnum_value(), n);
        }
        assert_eq!(Word::try_fixnum(Word::FIXNUM_MAX + 1), None);
        assert_eq!(Word::try_fixnum(Word::FIXNUM_MIN - 1), None);
    }

    #[test]
    fn immediates_round_trip() {
        let w = Word::immediate(5, (1 << 56) - 1);
        assert_eq!(w.immediate_subtag(), 5);
        assert_eq!(w.immediate_payload(), (1 << 56) - 1);
        assert_eq!(Word::BROKEN.immediate_subtag(), BROKEN_SUBTAG);
    }

    #[test]
    fn header_fields_round_trip() {
        let h = Header::new(200, MAX_OBJECT_WORDS, 12345);
        assert_eq!(
            (h.kind(), h.size(), h.traced()),
            (200, MAX_OBJECT_WORDS, 12345)
        );
        let h = Header::new(0, 0, 0);
        assert_eq!((h.kind(), h.size(), h.traced()), (0, 0, 0));
    }
}
