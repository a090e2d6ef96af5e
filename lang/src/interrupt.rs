//! Requests to stop the running program at its next safepoint: a signal the embedder
//! caught (SIGINT from Ctrl-C, SIGTERM), or a deadline of its own.
//!
//! A request is a number in an atomic, so a signal handler may make one. The VM looks at
//! each safepoint and raises [`ErrorKind::Interrupted`], which no Scheme handler takes:
//! the program stops, its `dynamic-wind` afters run, and the embedder decides what next.

use std::sync::atomic::{AtomicI32, Ordering::Relaxed};

use crate::error::{Error, ErrorKind};

/// The signal asked for, or 0.
static PENDING: AtomicI32 = AtomicI32::new(0);

pub const SIGINT: i32 = 2;
pub const SIGTERM: i32 = 15;

/// Asks the running program to stop at its next safepoint, for `signal` (any non-zero
/// number; the error reports SIGINT and SIGTERM by name). Safe to call from a signal
/// handler: it only stores to an atomic.
pub fn request(signal: i32) {
    PENDING.store(signal, Relaxed);
}

/// Whether a request waits.
#[inline(always)]
pub fn requested() -> bool {
    PENDING.load(Relaxed) != 0
}

/// Forgets a request that came after the program it was meant for had finished.
pub fn clear() {
    PENDING.store(0, Relaxed);
}

/// The request, taken: the error the program stops with.
pub(crate) fn take() -> Option<Error> {
    let signal = PENDING.swap(0, Relaxed);
    (signal != 0).then(|| {
        let message = match signal {
            SIGTERM => "terminated",
            _ => "interrupted",
        };
        Error::new(ErrorKind::Interrupted(signal), message)
    })
}
