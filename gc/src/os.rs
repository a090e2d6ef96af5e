//! Memory from the operating system: runs of whole pages, aligned to [`PAGE_SIZE`] and zeroed.
//!
//! On Unix the pages come from anonymous `mmap` and go back with `munmap`, so memory the
//! heap releases really leaves the process. Under Miri, and elsewhere, they come from the
//! global allocator with the same alignment.

use std::ptr::NonNull;

use crate::page::PAGE_SIZE;

/// Maps `n` pages, aligned to `PAGE_SIZE` and zeroed. `None` when the system refuses.
pub(crate) fn map_pages(n: usize) -> Option<NonNull<u8>> {
    let len = n.checked_mul(PAGE_SIZE)?;
    imp::map(len)
}

/// Returns `n` pages obtained from [`map_pages`] to the system.
///
/// # Safety
/// 1. `p` came from `map_pages(n)` with this same `n`,
/// 2. and nothing reads or writes those pages again.
pub(crate) unsafe fn unmap_pages(p: NonNull<u8>, n: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { imp::unmap(p, n * PAGE_SIZE) }
}

#[cfg(all(unix, not(miri)))]
mod imp {
    use super::*;

    pub(super) fn map(len: usize) -> Option<NonNull<u8>> {
        // Map one page more than asked, then trim both ends to the alignment.
        let padded = len.checked_add(PAGE_SIZE)?;
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing
        // touches no existing memory.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                padded,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            return None;
        }
        let raw = raw.cast::<u8>();
        let head = raw.align_offset(PAGE_SIZE);
        let tail = PAGE_SIZE - head;
        // SAFETY: `head` and `tail` bytes at the two ends lie inside the mapping just made
        // and nothing else refers to them; both are multiples of the OS page size because
        // `raw` and `PAGE_SIZE` are.
        unsafe {
            if head > 0 {
                libc::munmap(raw.cast(), head);
            }
            if tail > 0 {
                libc::munmap(raw.add(head + len).cast(), tail);
            }
            NonNull::new(raw.add(head))
        }
    }

    pub(super) unsafe fn unmap(p: NonNull<u8>, len: usize) {
        // SAFETY: the caller passes a whole mapping made by `map`.
        let rc = unsafe { libc::munmap(p.as_ptr().cast(), len) };
        debug_assert_eq!(rc, 0, "munmap failed");
    }
}

#[cfg(any(not(unix), miri))]
mod imp {
    use super::*;
    use std::alloc::{alloc_zeroed, dealloc, Layout};

    fn layout(len: usize) -> Option<Layout> {
        Layout::from_size_align(len, PAGE_SIZE).ok()
    }

    pub(super) fn map(len: usize) -> Option<NonNull<u8>> {
        let layout = layout(len)?;
        // SAFETY: the layout has a non-zero size (at least one page).
        NonNull::new(unsafe { alloc_zeroed(layout) })
    }

    pub(super) unsafe fn unmap(p: NonNull<u8>, len: usize) {
        let layout = layout(len).expect("layout was valid when mapped");
        // SAFETY: the caller passes a block `map` allocated with this same layout.
        unsafe { dealloc(p.as_ptr(), layout) }
    }
}
