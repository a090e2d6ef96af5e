//! Locks and atomics for the marker threads: the lock levels, the lock-order check, and
//! the switch to loom's types when the protocol is model-checked (`--cfg loom`).
//!
//! Every lock in `gc` is an [`OrderedMutex`] with a [`Level`]. A thread may take a lock
//! only if its level is above the level of every lock the thread already holds, so no two
//! threads can wait for each other's locks. Debug builds (and the crate's own tests) check
//! the rule on every `lock` and panic with both locks' names when it is broken; release
//! builds compile the check away.
//!
//! No lock is held while pages are taken from the system: the page pool has no lock at all,
//! since only the mutator thread allocates, and marker threads never allocate pages.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Whether a thread waiting for another may spin before it sleeps. Not under loom, which
/// explores every interleaving, nor under Miri, which runs every thread on one: there a
/// spin only takes turns from the thread being waited for.
pub(crate) const SPINNING_PAYS: bool = !cfg!(any(loom, miri));

/// The lock levels, lowest first: the one table of the lock order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// The marker pool's control block (which collection runs, which helpers are done).
    /// Lowest, because the collecting thread takes it with nothing held, to start and to
    /// end a collection's marking, and a helper takes it only between collections.
    Control = 1,
    /// A marker's mailbox (work sent to it, and whether it waits idle). Above `Control`
    /// so that a pool could hand out work while holding its control block; a marker holds
    /// one mailbox at a time and never takes a lock while holding it.
    Mailbox = 2,
}

/// Whether the lock order is checked at run time.
const CHECKED: bool = cfg!(any(debug_assertions, test));

#[cfg(not(loom))]
std::thread_local! {
    static HELD: std::cell::RefCell<Vec<(Level, &'static str)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}
#[cfg(loom)]
loom::thread_local! {
    static HELD: std::cell::RefCell<Vec<(Level, &'static str)>> =
        std::cell::RefCell::new(Vec::new());
}

/// Records that the thread takes the lock `name` at `level`, after checking the order.
fn acquire(level: Level, name: &'static str) {
    if !CHECKED {
        return;
    }
    HELD.with(|held| {
        let mut held = held.borrow_mut();
        if let Some(&(top, top_name)) = held.iter().max_by_key(|(l, _)| *l) {
            if level <= top {
                // Leave the record as it was, so that unwinding releases cleanly.
                drop(held);
                panic!(
                    "lock order violated: taking `{name}` ({level:?}) while holding `{top_name}` ({top:?})"
                );
            }
        }
        held.push((level, name));
    });
}

fn release(level: Level, name: &'static str) {
    if !CHECKED {
        return;
    }
    HELD.with(|held| {
        let mut held = held.borrow_mut();
        if let Some(i) = held.iter().rposition(|&h| h == (level, name)) {
            held.remove(i);
        }
    });
}

/// A mutex with a place in the lock order.
pub(crate) struct OrderedMutex<T> {
    level: Level,
    name: &'static str,
    inner: Mutex<T>,
}

/// The guard of an [`OrderedMutex`]; dropping it releases the lock and its record.
pub(crate) struct OrderedGuard<'a, T> {
    lock: &'a OrderedMutex<T>,
    guard: Option<MutexGuard<'a, T>>,
}

impl<T> OrderedMutex<T> {
    pub fn new(level: Level, name: &'static str, value: T) -> OrderedMutex<T> {
        OrderedMutex {
            level,
            name,
            inner: Mutex::new(value),
        }
    }

    pub fn lock(&self) -> OrderedGuard<'_, T> {
        acquire(self.level, self.name);
        // A marker thread that panicked has already failed the collection; its data is
        // still consistent enough to shut down with.
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        OrderedGuard {
            lock: self,
            guard: Some(guard),
        }
    }
}

impl<'a, T> OrderedGuard<'a, T> {
    /// Waits on `condvar`, releasing the lock meanwhile. The thread still counts as holding
    /// it for the lock order: it takes nothing else while it waits, and holds it again
    /// when the wait returns.
    pub fn wait(mut self, condvar: &Condvar) -> OrderedGuard<'a, T> {
        let guard = self.guard.take().expect("a guard holds its lock");
        let guard = condvar.wait(guard).unwrap_or_else(|e| e.into_inner());
        self.guard = Some(guard);
        self
    }
}

impl<T> std::ops::Deref for OrderedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.guard.as_ref().expect("a guard holds its lock")
    }
}

impl<T> std::ops::DerefMut for OrderedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.guard.as_mut().expect("a guard holds its lock")
    }
}

impl<T> Drop for OrderedGuard<'_, T> {
    fn drop(&mut self) {
        drop(self.guard.take());
        release(self.lock.level, self.lock.name);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn locks_taken_in_order_are_allowed() {
        let control = OrderedMutex::new(Level::Control, "control", 0);
        let mailbox = OrderedMutex::new(Level::Mailbox, "mailbox", 0);
        let c = control.lock();
        let m = mailbox.lock();
        drop(m);
        drop(c);
        // Released locks leave no record: the same order works again.
        let _c = control.lock();
        let _m = mailbox.lock();
    }

    #[test]
    #[should_panic(
        expected = "lock order violated: taking `control` (Control) while holding `mailbox` (Mailbox)"
    )]
    fn an_inversion_panics_with_both_names() {
        let control = OrderedMutex::new(Level::Control, "control", 0);
        let mailbox = OrderedMutex::new(Level::Mailbox, "mailbox", 0);
        let _m = mailbox.lock();
        let _c = control.lock();
    }

    #[test]
    #[should_panic(expected = "lock order violated")]
    fn two_locks_of_one_level_panic() {
        let a = OrderedMutex::new(Level::Mailbox, "mailbox 0", 0);
        let b = OrderedMutex::new(Level::Mailbox, "mailbox 1", 0);
        let _a = a.lock();
        let _b = b.lock();
    }
}
