//! The memory limit (`--max-heap`): the most a program may hold, counting both the
//! collector's pages and what Rust allocates on its behalf (bignums, strings being built,
//! reader buffers, the compiler's tables), and the allocator that counts the latter.
//!
//! Reaching the limit is a Scheme error, raised at a safepoint after a full collection
//! (`vm::Vm::safepoint`), or by a builtin that would allocate past it (`Runtime::reserve`).
//! The allocator only counts; it never refuses, so code that could allocate without
//! bound checks `over_limit` or reserves first.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

use crate::error::{Error, ErrorKind};

/// Bytes allocated through [`CountingAllocator`] and not yet freed.
static RUST_BYTES: AtomicUsize = AtomicUsize::new(0);
/// The limit the allocator compares [`RUST_BYTES`] with.
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Set by the allocator when Rust allocations alone pass the limit; a safepoint looks.
static OVER: AtomicBool = AtomicBool::new(false);

/// The global allocator of a program that wants Rust allocations counted against the
/// limit: `#[global_allocator] static A: CountingAllocator = CountingAllocator;`.
/// Without it only the collector's pages count.
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the same arguments, which keeps its
// contract; the counting around it touches only atomics.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded; the caller keeps `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded; the caller keeps `alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        RUST_BYTES.fetch_sub(layout.size(), Relaxed);
        // SAFETY: forwarded; the caller keeps `dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        RUST_BYTES.fetch_sub(layout.size(), Relaxed);
        count(new_size);
        // SAFETY: forwarded; the caller keeps `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn count(bytes: usize) {
    let now = RUST_BYTES.fetch_add(bytes, Relaxed) + bytes;
    if now > LIMIT.load(Relaxed) {
        OVER.store(true, Relaxed);
    }
}

/// What Rust code holds through [`CountingAllocator`] (0 without it).
pub fn rust_bytes() -> usize {
    RUST_BYTES.load(Relaxed)
}

/// Sets the limit the allocator watches. One per process: the last runtime made sets it.
pub(crate) fn set_limit(bytes: usize) {
    LIMIT.store(bytes, Relaxed);
}

/// Whether Rust allocations alone have passed the limit since it was last cleared.
#[inline(always)]
pub(crate) fn over_limit() -> bool {
    OVER.load(Relaxed)
}

/// For Rust code that allocates as long as its input lasts (the expander, `read-line`):
/// the error that ends it once Rust's allocations have passed `limit`.
pub(crate) fn check(limit: usize) -> Result<(), Error> {
    if over_limit() {
        Err(hard_limit_error(limit))
    } else {
        Ok(())
    }
}

pub(crate) fn clear_over_limit() {
    OVER.store(rust_bytes() > LIMIT.load(Relaxed), Relaxed);
}

/// The error a program gets when it reaches the limit. Handlers may take it: what the
/// handler's unwinding drops is usually what filled the heap.
pub fn limit_error(limit: usize) -> Error {
    Error::new(ErrorKind::Runtime, limit_message(limit))
}

/// The error when a program reaches the limit again while still handling the first
/// time, or while compiling: it goes to the top level.
pub fn hard_limit_error(limit: usize) -> Error {
    Error::new(ErrorKind::Resource, limit_message(limit))
}

fn limit_message(limit: usize) -> String {
    format!(
        "out of memory: the program holds more than its limit of {} (--max-heap)",
        format_size(limit)
    )
}

/// The default limit: half the machine's memory, and half the address space the process
/// may map when that is limited (`ulimit -v`), so that a runaway program stops with an
/// error before the system stops it.
pub fn default_limit() -> usize {
    let physical = physical_memory().unwrap_or(8 << 30);
    let address_space = address_space_limit().unwrap_or(usize::MAX);
    physical.min(address_space) / 2
}

// Miri models neither query: under it, the defaults stand.
#[cfg(all(unix, not(miri)))]
fn physical_memory() -> Option<usize> {
    // SAFETY: `sysconf` only reads system configuration.
    let (pages, page_size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    (pages > 0 && page_size > 0).then(|| (pages as usize).saturating_mul(page_size as usize))
}

#[cfg(any(not(unix), miri))]
fn physical_memory() -> Option<usize> {
    None
}

#[cfg(all(unix, not(miri)))]
fn address_space_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes the limit into the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as usize)
}

#[cfg(any(not(unix), miri))]
fn address_space_limit() -> Option<usize> {
    None
}

/// A size as `--max-heap` takes it: bytes, or a number with `K`, `M`, `G` or `T`
/// (powers of 1024), optionally followed by `B` or `iB`.
pub fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let n: usize = text[..digits].parse().ok()?;
    let unit = text[digits..].trim().to_ascii_uppercase();
    let unit = unit
        .strip_suffix("IB")
        .or_else(|| unit.strip_suffix('B'))
        .unwrap_or(&unit);
    let shift = match unit {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    n.checked_mul(1usize << shift)
}

pub fn format_size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        let cases = [
            ("1048576", Some(1 << 20)),
            ("64M", Some(64 << 20)),
            ("64MiB", Some(64 << 20)),
            ("2g", Some(2 << 30)),
            ("512KB", Some(512 << 10)),
            ("1T", Some(1 << 40)),
            ("", None),
            ("M", None),
            ("12Q", None),
            ("-1", None),
            ("99999999999999999999T", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_size(text), want, "{text:?}");
        }
    }

    #[test]
    fn default_limit_is_below_physical_memory() {
        let limit = default_limit();
        assert!(limit > 0);
        if let Some(physical) = physical_memory() {
            assert!(limit <= physical / 2);
        }
    }
}
