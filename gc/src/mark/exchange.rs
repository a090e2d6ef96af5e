//! How marker threads hand work to each other, and how they agree that marking is over.
//!
//! Every marker has a mailbox. Work moves only by push: a marker sends work to another's
//! mailbox, and nobody ever takes from another marker's stack. A marker with nothing left
//! announces itself idle in its own mailbox and waits; a busy marker that sees an idle one
//! gives it a chunk of its surplus ([`Exchange::share`]), and a marker sends the objects
//! it meets on another marker's pages to that owner ([`Exchange::send`]).
//!
//! Termination rests on one counter, `active`: the markers that are not idle. A round
//! starts with every marker idle; the collector's roots wake those it gives some to. A
//! marker decrements `active` when it goes idle, and whoever wakes
//! an idle marker increments it for that marker, under the mailbox lock and while itself
//! counted active. So, once the roots are dealt, `active` never reaches zero while a
//! marker works or while work is on its way to an idle one, and once it is zero it stays
//! zero: marking is over, and every mailbox is empty. The loom tests in this module check the protocol.

use crate::sync::{AtomicBool, AtomicUsize, Condvar, Level, OrderedMutex, Ordering, SPINNING_PAYS};

pub(crate) struct Exchange<T> {
    boxes: Vec<Mailbox<T>>,
    /// Markers that are not idle; zero means marking is over.
    active: AtomicUsize,
    /// Markers waiting idle: read without a lock by markers deciding whether to share.
    idle: AtomicUsize,
    /// The markers taking part in this round: the first this many mailboxes.
    markers: AtomicUsize,
}

struct Mailbox<T> {
    inbox: OrderedMutex<Inbox<T>>,
    wake: Condvar,
    /// Whether the inbox may hold work: lets a busy marker look without taking the lock.
    has_mail: AtomicBool,
}

struct Inbox<T> {
    items: Vec<T>,
    /// The owner waits for work, and is not counted in `active`.
    idle: bool,
}

/// Rounds a marker spins, looking for mail, before it sleeps on its mailbox: a hand-off
/// between two running markers then costs no system call.
const SPIN_ROUNDS: usize = if SPINNING_PAYS { 2000 } else { 0 };

impl<T> Exchange<T> {
    pub fn new(markers: usize) -> Exchange<T> {
        Exchange {
            boxes: (0..markers)
                .map(|_| Mailbox {
                    inbox: OrderedMutex::new(
                        Level::Mailbox,
                        "marker mailbox",
                        Inbox {
                            items: Vec::new(),
                            idle: false,
                        },
                    ),
                    wake: Condvar::new(),
                    has_mail: AtomicBool::new(false),
                })
                .collect(),
            active: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            markers: AtomicUsize::new(0),
        }
    }

    /// Prepares a round of marking by the first `markers` markers, all idle until work is
    /// sent to them, except marker 0 when `lead_at_work` (it has work of its own). No
    /// other marker may be marking.
    pub fn start(&self, markers: usize, lead_at_work: bool) {
        debug_assert!(markers <= self.boxes.len());
        let lead_at_work = lead_at_work && markers > 0;
        for (i, b) in self.boxes.iter().enumerate() {
            let mut inbox = b.inbox.lock();
            debug_assert!(inbox.items.is_empty(), "a mailbox kept work past a round");
            // A marker that sits the round out never counts as idle, so no work goes to it.
            inbox.idle = i < markers && !(i == 0 && lead_at_work);
            b.has_mail.store(false, Ordering::Relaxed);
        }
        let working = usize::from(lead_at_work);
        self.markers.store(markers, Ordering::SeqCst);
        self.idle.store(markers - working, Ordering::SeqCst);
        self.active.store(working, Ordering::SeqCst);
    }

    /// Whether some marker waits idle (a hint: it may be woken by someone else first).
    #[inline(always)]
    pub fn someone_idle(&self) -> bool {
        self.idle.load(Ordering::Relaxed) > 0
    }

    /// Whether the caller, a marker at work, is the only one: then no other marker marks
    /// until the caller wakes one. Acquire, so that what the others marked before going
    /// idle is seen.
    #[inline(always)]
    pub fn working_alone(&self) -> bool {
        self.active.load(Ordering::Acquire) == 1
    }

    /// Whether marker `me` may have mail (a hint, read without the lock).
    #[inline(always)]
    pub fn has_mail(&self, me: usize) -> bool {
        self.boxes[me].has_mail.load(Ordering::Relaxed)
    }

    /// Puts `item` in the mailbox of marker `to`, waking it if it waits. The caller is
    /// an active marker, or the collector before any marker runs.
    pub fn send(&self, to: usize, item: T) {
        let b = &self.boxes[to];
        let mut inbox = b.inbox.lock();
        inbox.items.push(item);
        b.has_mail.store(true, Ordering::Release);
        if inbox.idle {
            self.wake_locked(b, &mut inbox);
        }
    }

    /// Gives `item` to an idle marker other than `from`; hands it back if none waits.
    pub fn share(&self, from: usize, item: T) -> Result<(), T> {
        let n = self.markers.load(Ordering::Relaxed);
        for to in (from + 1..n).chain(0..from) {
            let b = &self.boxes[to];
            let mut inbox = b.inbox.lock();
            if inbox.idle {
                inbox.items.push(item);
                b.has_mail.store(true, Ordering::Release);
                self.wake_locked(b, &mut inbox);
                return Ok(());
            }
        }
        Err(item)
    }

    /// Makes the idle owner of `inbox` active again: counted before the caller, itself
    /// active, can go idle, so `active` does not touch zero on the way.
    fn wake_locked(&self, b: &Mailbox<T>, inbox: &mut Inbox<T>) {
        inbox.idle = false;
        self.active.fetch_add(1, Ordering::SeqCst);
        self.idle.fetch_sub(1, Ordering::SeqCst);
        b.wake.notify_one();
    }

    /// Moves whatever was sent to marker `me` into `out`, without waiting.
    pub fn receive(&self, me: usize, out: &mut Vec<T>) {
        let b = &self.boxes[me];
        let mut inbox = b.inbox.lock();
        out.append(&mut inbox.items);
        b.has_mail.store(false, Ordering::Relaxed);
    }

    /// Called by marker `me` when it has no work: fills `out` with work sent to it and
    /// returns true, or returns false when marking is over.
    pub fn wait_for_work(&self, me: usize, out: &mut Vec<T>) -> bool {
        let b = &self.boxes[me];
        let mut inbox = b.inbox.lock();
        if inbox.items.is_empty() {
            if inbox.idle {
                // Idle since the round started: no work came, and maybe none ever will.
                if self.active.load(Ordering::SeqCst) == 0 {
                    return false;
                }
            } else {
                inbox.idle = true;
                self.idle.fetch_add(1, Ordering::SeqCst);
                if self.active.fetch_sub(1, Ordering::SeqCst) == 1 {
                    // The last marker at work: nothing is anywhere, and the others wait.
                    drop(inbox);
                    self.wake_all();
                    return false;
                }
            }
            drop(inbox);
            self.spin(b);
            inbox = b.inbox.lock();
            while inbox.idle {
                if self.active.load(Ordering::SeqCst) == 0 {
                    return false;
                }
                inbox = inbox.wait(&b.wake);
            }
        }
        out.append(&mut inbox.items);
        b.has_mail.store(false, Ordering::Relaxed);
        true
    }

    /// Waits a little for mail or for the end of marking before sleeping.
    fn spin(&self, b: &Mailbox<T>) {
        for round in 0..SPIN_ROUNDS {
            if b.has_mail.load(Ordering::Acquire) || self.active.load(Ordering::Acquire) == 0 {
                return;
            }
            if round % 64 == 63 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }

    fn wake_all(&self) {
        for b in &self.boxes {
            // Taking the lock orders this wake-up after a waiter's check of `active`.
            let _inbox = b.inbox.lock();
            b.wake.notify_all();
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    //! Model checks of the protocol: markers that do units of work, split them, and pass
    //! them on; every unit is done exactly once, and every marker learns that marking is
    //! over only when nothing is left anywhere.

    use super::Exchange;
    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::sync::Arc;

    /// A unit of work: done, it spawns `children` more units to the same marker.
    type Unit = usize;

    /// Runs `markers` markers; marker `i` starts with `initial[i]`, sent to its mailbox,
    /// or, for marker 0 when `lead_at_work`, held as its own work from the start (as
    /// when the lead has marked alone until it had surplus). Markers share surplus with
    /// idle markers; every marker sends each second unit to the next marker.
    fn run(markers: usize, initial: Vec<Vec<Unit>>, lead_at_work: bool) -> usize {
        let ex = Arc::new(Exchange::<Unit>::new(markers));
        ex.start(markers, lead_at_work);
        let mut own = vec![Vec::new(); markers];
        for (i, units) in initial.into_iter().enumerate() {
            if i == 0 && lead_at_work {
                own[0] = units;
            } else {
                for u in units {
                    ex.send(i, u);
                }
            }
        }
        let done = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = own
            .into_iter()
            .enumerate()
            .map(|(me, own)| {
                let ex = ex.clone();
                let done = done.clone();
                loom::thread::spawn(move || {
                    let mut work: Vec<Unit> = own;
                    let mut mail = Vec::new();
                    loop {
                        while let Some(children) = work.pop() {
                            done.fetch_add(1, Ordering::Relaxed);
                            for c in 0..children {
                                if c % 2 == 1 && markers > 1 {
                                    ex.send((me + 1) % markers, 0);
                                } else {
                                    work.push(0);
                                }
                            }
                            if !work.is_empty() && ex.someone_idle() {
                                if let Err(back) = ex.share(me, work.pop().unwrap()) {
                                    work.push(back);
                                }
                            }
                        }
                        if !ex.wait_for_work(me, &mut mail) {
                            break;
                        }
                        work.append(&mut mail);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        done.load(Ordering::Relaxed)
    }

    /// Checks `f` in every interleaving with at most `preemptions` forced switches.
    fn check(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(preemptions);
        builder.check(f);
    }

    #[test]
    fn loom_two_markers_share_and_terminate() {
        // Marker 0: a unit with two children (one kept, one sent) plus one to share.
        check(3, || assert_eq!(run(2, vec![vec![2, 0], vec![]], false), 4));
    }

    #[test]
    fn loom_lead_at_work_shares_and_terminates() {
        // Marker 0 starts with work of its own and no mail; marker 1 starts idle.
        check(3, || assert_eq!(run(2, vec![vec![2, 0], vec![]], true), 4));
    }

    #[test]
    fn loom_lead_at_work_alone_terminates() {
        check(3, || assert_eq!(run(2, vec![vec![1], vec![]], true), 2));
    }

    #[test]
    fn loom_idle_marker_is_woken_by_a_send() {
        loom::model(|| assert_eq!(run(2, vec![vec![], vec![1]], false), 2));
    }

    #[test]
    fn loom_three_markers_terminate_with_no_work() {
        check(2, || {
            assert_eq!(run(3, vec![vec![], vec![], vec![]], false), 0)
        });
    }

    #[test]
    fn loom_three_markers_pass_work_around() {
        check(2, || {
            assert_eq!(run(3, vec![vec![2], vec![], vec![]], false), 3)
        });
    }
}
