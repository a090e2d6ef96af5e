//! Size classes: the slot sizes of small-object pages, and the page geometry of each.
//!
//! Slot sizes grow by about a quarter from one class to the next, so no object wastes more
//! than a fifth of its slot. The last classes are cut so that a whole number of slots,
//! with the page header, fills the page. An object larger than the last class is a large
//! object with pages of its own.

use crate::page::{bitmap_words_for, header_bytes_for, PAGE_SIZE};

const SLOT_BYTES: [usize; 30] = [
    16, 24, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896,
    1024, 1360, 1632, 2032, 2720, 3264, 4080, 5440, 6544, 8176,
];

/// How many size classes there are.
pub(crate) const CLASS_COUNT: usize = SLOT_BYTES.len();

/// The largest object that lives in a small-object page, header included.
pub(crate) const MAX_SMALL_BYTES: usize = SLOT_BYTES[CLASS_COUNT - 1];

/// The geometry of a page of one class.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Geometry {
    pub slot_bytes: usize,
    pub slot_count: usize,
    /// Byte offset of slot 0 from the page start.
    pub first_slot: usize,
}

const fn geometry_for(slot_bytes: usize) -> Geometry {
    let mut slot_count = (PAGE_SIZE - header_bytes_for(1)) / slot_bytes;
    while header_bytes_for(slot_count) + slot_count * slot_bytes > PAGE_SIZE {
        slot_count -= 1;
    }
    Geometry {
        slot_bytes,
        slot_count,
        first_slot: header_bytes_for(slot_count),
    }
}

const GEOMETRY: [Geometry; CLASS_COUNT] = {
    let mut out = [Geometry {
        slot_bytes: 0,
        slot_count: 0,
        first_slot: 0,
    }; CLASS_COUNT];
    let mut i = 0;
    while i < CLASS_COUNT {
        out[i] = geometry_for(SLOT_BYTES[i]);
        i += 1;
    }
    out
};

/// The class of each object size in words (header included), so lookup is one load.
const CLASS_OF_WORDS: [u8; MAX_SMALL_BYTES / 8 + 1] = {
    let mut out = [0u8; MAX_SMALL_BYTES / 8 + 1];
    let mut words = 0;
    let mut class = 0;
    while words < out.len() {
        while SLOT_BYTES[class] < words * 8 {
            class += 1;
        }
        out[words] = class as u8;
        words += 1;
    }
    out
};

pub(crate) fn geometry(class: usize) -> Geometry {
    GEOMETRY[class]
}

/// The class whose slots fit `bytes`, or `None` for a large object.
#[inline(always)]
pub(crate) fn class_for_bytes(bytes: usize) -> Option<usize> {
    if bytes <= MAX_SMALL_BYTES {
        Some(CLASS_OF_WORDS[bytes.div_ceil(8)] as usize)
    } else {
        None
    }
}

/// The class of pairs: two words, no header.
pub(crate) const PAIR_CLASS: usize = 0;

const _: () = {
    assert!(SLOT_BYTES[PAIR_CLASS] == 16);
    let mut i = 0;
    while i < CLASS_COUNT {
        assert!(SLOT_BYTES[i].is_multiple_of(8));
        assert!(i == 0 || SLOT_BYTES[i] > SLOT_BYTES[i - 1]);
        // The page header's bitmaps must cover every slot.
        assert!(bitmap_words_for(GEOMETRY[i].slot_count) * 64 >= GEOMETRY[i].slot_count);
        i += 1;
    }
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_gets_the_smallest_class_that_fits() {
        for bytes in 1..=MAX_SMALL_BYTES {
            let c = class_for_bytes(bytes).unwrap();
            assert!(SLOT_BYTES[c] >= bytes);
            assert!(c == 0 || SLOT_BYTES[c - 1] < bytes.next_multiple_of(8));
        }
        assert_eq!(class_for_bytes(MAX_SMALL_BYTES + 1), None);
    }

    #[test]
    fn pages_are_well_filled() {
        for c in 0..CLASS_COUNT {
            let g = geometry(c);
            let used = g.first_slot + g.slot_count * g.slot_bytes;
            assert!(used <= PAGE_SIZE);
            // No class loses more than 6% of its page to the header and the tail.
            assert!(
                PAGE_SIZE - g.slot_count * g.slot_bytes < PAGE_SIZE * 6 / 100,
                "{g:?}"
            );
        }
        // Pairs: 16 bytes of pair plus at most four tenths of a byte of page overhead
        // (three bits of bitmap, and the header).
        let g = geometry(PAIR_CLASS);
        assert!(PAGE_SIZE as f64 / g.slot_count as f64 <= 16.4, "{g:?}");
    }
}
