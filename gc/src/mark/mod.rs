//! The marker: traces from roots by setting bits in page mark bitmaps.
//!
//! A marker owns an explicit mark stack of word ranges still to scan, so marking a list
//! ten million long or a vector nested a million deep uses no Rust recursion. A large
//! range (a big vector) is scanned a chunk at a time, its remainder pushed back, so the
//! stack stays small and its bottom can be handed to another marker.
//!
//! Several markers split one collection's marking (see [`pool`]). How they divide the
//! objects is the [`Mode`]: alone; shared, where any marker marks any object with atomic
//! read-modify-writes; or owned, where every page has an owner marker, only the owner
//! marks objects on it, and the others send it those objects in batches.
//!
//! The marker reads nothing but words, page headers and object headers: tracing never
//! calls back into the embedder.

mod exchange;
pub(crate) mod pool;

use crate::page::{page_start, PageKind, PagePtr};
use crate::word::Word;
use exchange::Exchange;
use std::sync::atomic::Ordering;

/// Words of one range scanned before the rest of the range goes back on the stack.
const SCAN_CHUNK: usize = 256;

/// A marker shares part of its stack with an idle marker only when the stack holds at
/// least this many ranges: a transfer of fewer costs more than it saves (a range
/// is two words; SpiderMonkey stopped sharing stacks of 12 words or fewer).
const SHARE_MIN_RANGES: usize = 8;

/// Ranges a mark stack keeps room for between collections; a stack that grew past it
/// gives the rest back when its marking ends.
const STACK_KEPT: usize = 4096;

/// Pairs a scan follows down a list before it pushes the rest of the list as a range.
const INLINE_PAIRS: usize = 16;

/// Pairs one write of a mark word claims at most down a list (see
/// [`Marker::claim_list_run`]).
const RUN_PAIRS: usize = 64;

/// Ranges scanned between two looks at the mailbox.
const MAIL_CHECK_INTERVAL: usize = 64;

/// Ranges the lead scans alone between two looks at its stack for surplus work: a look
/// costs little, but a chain, which never has any, pays it all along.
const SURPLUS_CHECK_INTERVAL: usize = 4096;

/// Objects received from other markers (or dealt as roots) that a marker marks at a time,
/// when its stack is empty: batches that arrive faster than it marks them wait as words,
/// not as their fields on the stack.
const RECEIVED_STEP: usize = 64;

/// Objects for another marker are sent when this many have gathered (or when the sender
/// runs out of work, or sees an idle marker).
const BATCH_WORDS: usize = 256;

/// How `mark_word` sets a mark bit: with a plain store, for a marker that knows nobody
/// else sets bits; with an atomic OR; or, with page ownership, by the page's owner.
const EXCLUSIVE: u8 = 0;
const ATOMIC: u8 = 1;
const OWNED: u8 = 2;

/// Words still to scan: `len` words starting at `start`.
#[derive(Copy, Clone)]
pub(crate) struct Range {
    start: *const Word,
    len: usize,
}

/// What markers send each other.
pub(crate) enum Work {
    /// Part of a marker's stack, given to an idle marker.
    Ranges(Vec<Range>),
    /// Objects on the receiver's pages (owned mode), or roots.
    Words(Vec<Word>),
}

// SAFETY: the pointers in `Work` are into heap pages, which stay mapped while marking runs,
// or into the collection's root list, which stays in place until marking ends; the words
// they point at are only read while the mutator is stopped (rule 3 of
// `Marker::mark_from`), so any marker thread may follow them.
unsafe impl Send for Work {}

/// How the markers of one collection divide the objects.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// One marker does everything.
    Alone,
    /// Any of `markers` marks any object; a mark bit is set with an atomic OR.
    Shared { markers: usize },
    /// Only a page's owner among `markers` marks objects on it: the first marker to meet
    /// an object on the page in the collection of `epoch` (see [`PagePtr::owner`]).
    Owned { markers: usize, epoch: u64 },
}

impl Mode {
    /// How many markers mark in this mode.
    pub fn markers(self) -> usize {
        match self {
            Mode::Alone => 1,
            Mode::Shared { markers } | Mode::Owned { markers, .. } => markers,
        }
    }
}

/// The slots a marker has marked on the page it marked last, added to the page's count
/// when it moves to another page: one atomic add per run of objects on a page, not per
/// object. The marker's totals of objects, bytes and runs are summed here too, a run at a
/// time.
#[derive(Default)]
struct LiveCount {
    page: Option<PagePtr>,
    count: u32,
    objects: usize,
    bytes: usize,
    runs: usize,
}

impl LiveCount {
    #[inline(always)]
    fn add(&mut self, page: PagePtr) {
        self.add_n(page, 1);
    }

    #[inline(always)]
    fn add_n(&mut self, page: PagePtr, n: u32) {
        if self.page == Some(page) {
            self.count += n;
        } else {
            self.flush();
            self.page = Some(page);
            self.count = n;
        }
    }

    fn flush(&mut self) {
        if let Some(page) = self.page.take() {
            page.add_live(self.count);
            self.objects += self.count as usize;
            self.bytes += self.count as usize * page.header().slot_bytes as usize;
            self.runs += 1;
        }
    }

    /// Flushes, and takes the totals: (objects, bytes, runs).
    fn take_totals(&mut self) -> (usize, usize, usize) {
        self.flush();
        (
            std::mem::take(&mut self.objects),
            std::mem::take(&mut self.bytes),
            std::mem::take(&mut self.runs),
        )
    }
}

pub(crate) struct Marker {
    pub(crate) id: usize,
    mode: Mode,
    stack: Vec<Range>,
    /// Owned mode: objects met on other markers' pages, by owner.
    outgoing: Vec<Vec<Word>>,
    /// Objects sent to this marker, or roots dealt to it, not yet marked.
    received: Vec<Word>,
    live: LiveCount,
    /// The deepest the stack has been, in ranges, over the marker's life.
    pub peak_stack: usize,
    /// What the marker did since the last `begin`.
    pub counts: MarkCounts,
}

/// One marker's work in one collection.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct MarkCounts {
    /// Bytes of the slots it marked.
    pub marked_bytes: usize,
    pub marked_objects: usize,
    /// Runs of objects it marked one after another on one page: few for a heap whose
    /// objects lie near the objects they point to, about one per object for a heap whose
    /// pointers lead anywhere.
    pub page_runs: usize,
    /// Stack chunks it gave to idle markers.
    pub chunks_shared: usize,
    /// Batches of objects it sent to their pages' owners.
    pub batches_sent: usize,
}

impl Marker {
    pub fn new(id: usize) -> Marker {
        Marker {
            id,
            mode: Mode::Alone,
            stack: Vec::new(),
            outgoing: Vec::new(),
            received: Vec::new(),
            live: LiveCount::default(),
            peak_stack: 0,
            counts: MarkCounts::default(),
        }
    }

    /// Prepares for a collection marked in `mode`.
    pub fn begin(&mut self, mode: Mode) {
        self.mode = mode;
        self.counts = MarkCounts::default();
        if let Mode::Owned { markers, .. } = mode {
            self.outgoing.resize_with(markers, Vec::new);
        }
    }

    /// Bytes the marker's buffers hold from the system.
    pub fn capacity_bytes(&self) -> usize {
        self.stack.capacity() * std::mem::size_of::<Range>()
            + self.received.capacity() * std::mem::size_of::<Word>()
            + self
                .outgoing
                .iter()
                .map(|b| b.capacity() * std::mem::size_of::<Word>())
                .sum::<usize>()
    }

    /// Marks everything reachable from `roots`, alone.
    ///
    /// # Safety
    /// 1. Every pointer word in `roots` points to a live object of the heap that owns the
    ///    pages this marker will visit,
    /// 2. every pointer word stored in a reachable object does too,
    /// 3. and no thread writes those objects' words while marking runs.
    pub unsafe fn mark_from(&mut self, roots: &[Word]) {
        debug_assert_eq!(self.mode, Mode::Alone);
        self.push_roots(roots);
        // SAFETY: rules 1 to 3; `roots` outlives this call; a marker alone is the only one
        // to set bits.
        unsafe { self.scan_alone(usize::MAX) };
        self.finish();
    }

    /// Pushes the roots as one range, scanned like an object's fields.
    fn push_roots(&mut self, roots: &[Word]) {
        if !roots.is_empty() {
            self.push(roots.as_ptr(), roots.len());
        }
    }

    /// Starts a parallel collection's marking alone: marks from `roots` until the stack
    /// holds at least [`SHARE_MIN_RANGES`] ranges, and returns true with the rest of the
    /// work on the stack (the roots not yet scanned among it, as a range); or finishes
    /// the marking and returns false.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`], and `roots` stays in place until marking ends
    /// (ranges on the stack point into it). No other marker runs until this returns.
    pub unsafe fn mark_until_surplus(&mut self, roots: &[Word]) -> bool {
        self.push_roots(roots);
        while !self.stack.is_empty() {
            // SAFETY: forwarded from the caller; this marker is the only one.
            unsafe { self.scan_alone(SURPLUS_CHECK_INTERVAL) };
            if self.stack.len() >= SHARE_MIN_RANGES {
                return true;
            }
        }
        self.finish();
        false
    }

    /// Ends a collection's marking: the last live count goes to its page, and memory a
    /// deep stack took goes back.
    fn finish(&mut self) {
        let (objects, bytes, runs) = self.live.take_totals();
        self.counts.marked_objects += objects;
        self.counts.marked_bytes += bytes;
        self.counts.page_runs += runs;
        debug_assert!(
            self.received.is_empty(),
            "a marker finished with work received"
        );
        self.stack.shrink_to(STACK_KEPT);
        self.received.shrink_to(STACK_KEPT);
    }

    /// Marks, with the other markers of `exchange`, until marking is over: what is in
    /// this marker's mailbox and everything reachable from it.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`], for every marker of the round.
    pub unsafe fn run(&mut self, exchange: &Exchange<Work>) {
        let mut mail = Vec::new();
        loop {
            for work in mail.drain(..) {
                self.accept(work);
            }
            // SAFETY: forwarded from the caller.
            unsafe { self.drain(exchange) };
            self.send_batches(exchange);
            if !exchange.wait_for_work(self.id, &mut mail) {
                break;
            }
        }
        self.finish();
    }

    /// Takes in work another marker sent: ranges go on the stack, objects wait in
    /// `received` until the stack is empty.
    fn accept(&mut self, work: Work) {
        match work {
            Work::Ranges(ranges) => {
                self.stack.extend(ranges);
                self.peak_stack = self.peak_stack.max(self.stack.len());
            }
            Work::Words(words) if self.received.is_empty() => self.received = words,
            Work::Words(words) => self.received.extend(words),
        }
    }

    /// Marks up to [`RECEIVED_STEP`] of the objects received, queueing their fields.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`].
    unsafe fn mark_received(&mut self, exchange: &Exchange<Work>) {
        for _ in 0..RECEIVED_STEP {
            let Some(w) = self.received.pop() else {
                return;
            };
            // SAFETY: the words were roots or fields of reachable objects.
            unsafe {
                match self.mode {
                    Mode::Owned { .. } => self.mark_word::<OWNED>(w, Some(exchange)),
                    _ => self.mark_word::<ATOMIC>(w, None),
                }
            }
        }
    }

    /// Scans ranges until the stack is empty and every object received is marked, sharing
    /// surplus with idle markers and taking in mail between steps of
    /// [`MAIL_CHECK_INTERVAL`] ranges.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`].
    unsafe fn drain(&mut self, ex: &Exchange<Work>) {
        loop {
            if self.stack.is_empty() {
                if self.received.is_empty() {
                    return;
                }
                // SAFETY: forwarded from the caller.
                unsafe { self.mark_received(ex) };
                continue;
            }
            let step = MAIL_CHECK_INTERVAL;
            // SAFETY: forwarded from the caller. A marker at work wakes an idle one only
            // when it shares or sends, which it does between steps, so while this one is
            // the only marker at work, nobody else sets mark bits for the whole step.
            unsafe {
                match self.mode {
                    _ if ex.working_alone() => {
                        self.scan_alone(step);
                        // The page marked on last may be another marker's: the owned
                        // style must not take it for this marker's own.
                        self.live.flush();
                    }
                    Mode::Owned { .. } => self.scan_owned(step, ex),
                    _ => self.scan_shared(step),
                }
            }
            if ex.someone_idle() {
                if self.stack.len() >= SHARE_MIN_RANGES {
                    self.share(ex);
                }
                self.send_batches(ex);
            }
            if ex.has_mail(self.id) {
                let mut mail = Vec::new();
                ex.receive(self.id, &mut mail);
                for work in mail {
                    self.accept(work);
                }
            }
        }
    }

    // The scan loop is compiled once per style, each copy out of line. Inlined into its
    // callers, the loop came out 3% slower in one of the three that run it alone; and
    // inlined into `run`, where it shares registers with the round's bookkeeping, the
    // owned loop took two owning markers on one core 1.20 times as long as one marker on
    // the 537 MB tree, against 1.09 out of line.

    /// Scans up to `ranges` ranges off the stack, the only marker setting bits.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`]; and no other marker sets bits meanwhile.
    #[inline(never)]
    unsafe fn scan_alone(&mut self, ranges: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { self.scan::<EXCLUSIVE>(ranges, None) }
    }

    /// Scans up to `ranges` ranges off the stack, marking only on this marker's pages.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`]; the round is an owned one.
    #[inline(never)]
    unsafe fn scan_owned(&mut self, ranges: usize, ex: &Exchange<Work>) {
        // SAFETY: forwarded from the caller.
        unsafe { self.scan::<OWNED>(ranges, Some(ex)) }
    }

    /// Scans up to `ranges` ranges off the stack, setting bits with atomic ORs.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`].
    #[inline(never)]
    unsafe fn scan_shared(&mut self, ranges: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { self.scan::<ATOMIC>(ranges, None) }
    }

    /// Scans up to `ranges` ranges off the stack, setting mark bits as `STYLE` says.
    ///
    /// # Safety
    /// The rules of [`Marker::mark_from`]; and `STYLE` is [`EXCLUSIVE`] only if no other
    /// marker sets bits meanwhile.
    #[inline(always)]
    unsafe fn scan<const STYLE: u8>(&mut self, ranges: usize, ex: Option<&Exchange<Work>>) {
        for _ in 0..ranges {
            let Some(mut range) = self.stack.pop() else {
                return;
            };
            let mut inline_pairs = 0;
            loop {
                let n = range.len.min(SCAN_CHUNK);
                if range.len > n {
                    // SAFETY: `n < len`, so the remainder is within the same object.
                    let rest = unsafe { range.start.add(n) };
                    self.push(rest, range.len - n);
                }
                // The word marked last is scanned first. Fields go in order, so a pair's
                // cdr is scanned before its car: a tree built left subtree first is then
                // visited in the reverse of its allocation order, a nearly sequential walk
                // through memory (three times faster than car first on a 537 MB tree). But
                // a pair whose car is a vector, a record or a closure has its car marked
                // last, so that the rest of a list of such objects does not wait on the
                // stack behind every element.
                //
                // SAFETY (for every read of `range`): the range lies within a live object
                // (rules 1 and 2), and rule 3 forbids concurrent writes.
                // Whether the word scanned before `w` held no pointer: then `w` may well
                // be the rest of a list of numbers or characters.
                let mut after_immediate = false;
                let w = if n == 2 {
                    // SAFETY: as above.
                    let (car, cdr) = unsafe { (range.start.read(), range.start.add(1).read()) };
                    let (first, last) = if car.is_object() {
                        (cdr, car)
                    } else {
                        (car, cdr)
                    };
                    after_immediate = !first.is_pointer();
                    // SAFETY: rule 2, and the caller's word on `STYLE`.
                    unsafe { self.mark_word::<STYLE>(first, ex) };
                    last
                } else {
                    for i in 0..n - 1 {
                        // SAFETY: as above; rule 2, and the caller's word on `STYLE`.
                        unsafe { self.mark_word::<STYLE>(range.start.add(i).read(), ex) };
                    }
                    // SAFETY: as above.
                    unsafe { range.start.add(n - 1).read() }
                };
                // SAFETY: rule 2, and the caller's word on `STYLE`.
                let claimed = unsafe {
                    if after_immediate && w.is_pair() {
                        // A tree's pairs, whose cars are pointers, never come here: looking
                        // for a run first made two markers 1.5 times slower on a tree.
                        // `w` is a pair, as the rule asks.
                        self.claim_list_run::<STYLE>(w, &mut inline_pairs, ex)
                    } else {
                        self.claim::<STYLE>(w, ex).map(|page| (page, w))
                    }
                };
                let Some((page, w)) = claimed else {
                    break;
                };
                // A pair marked last would be pushed and popped at once: scan it now. Down
                // a list that saves a stack round trip per element. The bound makes a long
                // list count as many ranges, so the looks at the mailbox and for surplus,
                // which come every so many ranges, still come often.
                if page.header().kind == PageKind::Pair && inline_pairs < INLINE_PAIRS {
                    inline_pairs += 1;
                    range = Range {
                        start: std::ptr::with_exposed_provenance::<Word>(w.addr()),
                        len: 2,
                    };
                } else {
                    self.push_fields(page, w);
                    break;
                }
            }
        }
    }

    /// Gives every other entry of the stack, starting from the bottom, to an idle marker.
    /// The entries near the bottom are the oldest and hold most of the work (in a tree,
    /// each is a subtree twice the size of the one above it), so alternate entries split
    /// it about evenly where halves of the stack would not.
    fn share(&mut self, ex: &Exchange<Work>) {
        let mut chunk = Vec::with_capacity(self.stack.len().div_ceil(2));
        let mut i = 0;
        self.stack.retain(|&r| {
            i += 1;
            if i % 2 == 1 {
                chunk.push(r);
                false
            } else {
                true
            }
        });
        match ex.share(self.id, Work::Ranges(chunk)) {
            Ok(()) => self.counts.chunks_shared += 1,
            Err(Work::Ranges(back)) => {
                // Nobody took it: the entries go back under the ones kept.
                self.stack.splice(0..0, back);
            }
            Err(Work::Words(_)) => unreachable!("the exchange hands back what it was given"),
        }
    }

    /// Sends every non-empty outgoing batch to its owner.
    fn send_batches(&mut self, ex: &Exchange<Work>) {
        for (owner, batch) in self.outgoing.iter_mut().enumerate() {
            if !batch.is_empty() {
                ex.send(owner, Work::Words(std::mem::take(batch)));
                self.counts.batches_sent += 1;
            }
        }
    }

    /// Marks the object `w` points to, if it is a pointer, and queues its fields; in the
    /// [`OWNED`] style, an object on another marker's page goes to that marker instead.
    ///
    /// # Safety
    /// As for [`Marker::claim`].
    #[inline(always)]
    unsafe fn mark_word<const STYLE: u8>(&mut self, w: Word, exchange: Option<&Exchange<Work>>) {
        // SAFETY: forwarded from the caller.
        if let Some(page) = unsafe { self.claim::<STYLE>(w, exchange) } {
            self.push_fields(page, w);
        }
    }

    /// Marks the object `w` points to, if it is a pointer not yet marked, and returns its
    /// page: the caller queues its fields. `None` for a non-pointer, an object already
    /// marked, or (in the [`OWNED`] style) one sent to its page's owner.
    ///
    /// # Safety
    /// A pointer `w` points to a live object of the heap (rules of `mark_from`); `STYLE`
    /// is [`EXCLUSIVE`] only if no other marker sets bits meanwhile.
    #[inline(always)]
    unsafe fn claim<const STYLE: u8>(
        &mut self,
        w: Word,
        exchange: Option<&Exchange<Work>>,
    ) -> Option<PagePtr> {
        if !w.is_pointer() {
            return None;
        }
        let addr = w.addr();
        // SAFETY: `w` points into a live page run's first page.
        let page = unsafe { PagePtr::containing(addr) };
        let slot = page.slot_index_exact(addr);
        let newly_marked = match STYLE {
            EXCLUSIVE => page.mark_exclusive(slot),
            ATOMIC => page.mark(slot),
            _ if self.live.page == Some(page) => {
                // The page marked on last, so this marker's own: the common case, which
                // counts without looking at the page again.
                if !page.mark_exclusive(slot) {
                    return None;
                }
                self.live.count += 1;
                return Some(page);
            }
            _ => {
                if !self.owns_or_sends(page, w, exchange) {
                    return None;
                }
                page.mark_exclusive(slot)
            }
        };
        if !newly_marked {
            return None;
        }
        self.live.add(page);
        Some(page)
    }

    /// In owned marking: whether this marker owns `page`, where `w` points, a page other
    /// than the one it marked on last (which is its own: callers look at that first,
    /// since most objects lie on the page of the object before them); if another marker
    /// owns it, `w` goes into the batch for that owner (sent when full).
    #[inline(always)]
    fn owns_or_sends(&mut self, page: PagePtr, w: Word, exchange: Option<&Exchange<Work>>) -> bool {
        let Mode::Owned { epoch, .. } = self.mode else {
            unreachable!("the owned style is for owned marking")
        };
        let owner = page.owner(epoch, self.id);
        if owner == self.id {
            return true;
        }
        let batch = &mut self.outgoing[owner];
        batch.push(w);
        if batch.len() >= BATCH_WORDS {
            let batch = std::mem::replace(batch, Vec::with_capacity(BATCH_WORDS));
            exchange
                .expect("owned marking has an exchange")
                .send(owner, Work::Words(batch));
            self.counts.batches_sent += 1;
        }
        false
    }

    /// Claims, in the `STYLE` of [`Marker::claim`], the pair `w` points to and the pairs
    /// after it down a list whose elements are not pointers, as far as they lie under the
    /// same mark word, with one write of that word: down such a list, a locked instruction
    /// per pair made two sharing markers take 1.7 times as long per pair as one marker
    /// alone, and one write for a run also spares a lone marker or an owner a mark and a
    /// count per pair. Of the pairs claimed, only the last of the run has a field left to
    /// scan (the others hold an immediate and the next pair of the run); it is returned
    /// with its page if this marker claimed it. A weak pair is claimed as
    /// [`Marker::claim`] does. `followed` counts the pairs passed over.
    ///
    /// # Safety
    /// As for [`Marker::claim`], and `w` is a pair pointer.
    #[inline(never)]
    unsafe fn claim_list_run<const STYLE: u8>(
        &mut self,
        w: Word,
        followed: &mut usize,
        exchange: Option<&Exchange<Work>>,
    ) -> Option<(PagePtr, Word)> {
        debug_assert!(w.is_pair());
        // SAFETY: a pair pointer points into a live page (the caller's rules).
        let page = unsafe { PagePtr::containing(w.addr()) };
        if page.header().kind != PageKind::Pair {
            // SAFETY: forwarded from the caller.
            return unsafe { self.claim::<STYLE>(w, exchange) }.map(|page| (page, w));
        }
        // The run lies on `w`'s page, so one look at the owner covers it.
        if STYLE == OWNED && self.live.page != Some(page) && !self.owns_or_sends(page, w, exchange)
        {
            return None;
        }
        let slot = page.slot_index_exact(w.addr());
        let marks = &page.marks()[slot / 64];
        let seen = marks.load(Ordering::Relaxed);
        let mut mask = 1u64 << (slot % 64);
        if seen & mask != 0 {
            return None;
        }
        let mut end = w;
        let mut end_bit = mask;
        let mut len = 1;
        while len < RUN_PAIRS {
            let fields = std::ptr::with_exposed_provenance::<Word>(end.addr());
            // SAFETY: `end` is `w` or the cdr of a reachable pair, so reachable itself.
            let (car, cdr) = unsafe { (fields.read(), fields.add(1).read()) };
            if car.is_pointer() || !cdr.is_pair() || page_start(cdr.addr()) != page.addr() {
                break;
            }
            let next = page.slot_index_exact(cdr.addr());
            let bit = 1u64 << (next % 64);
            if next / 64 != slot / 64 || (seen | mask) & bit != 0 {
                break;
            }
            mask |= bit;
            end = cdr;
            end_bit = bit;
            len += 1;
        }
        let claimed = if STYLE == ATOMIC {
            mask & !marks.fetch_or(mask, Ordering::Relaxed)
        } else {
            // Nobody else sets bits in this word (the caller's word on `STYLE`), so the
            // bits `seen` lacked are all this marker's to set.
            marks.store(seen | mask, Ordering::Relaxed);
            mask
        };
        if claimed == 0 {
            return None;
        }
        self.live.add_n(page, claimed.count_ones());
        *followed += len - 1;
        (claimed & end_bit != 0).then_some((page, end))
    }

    /// Queues the traced fields of `w`, just marked on `page`.
    #[inline(always)]
    fn push_fields(&mut self, page: PagePtr, w: Word) {
        let fields = std::ptr::with_exposed_provenance::<Word>(w.addr());
        match page.header().kind {
            PageKind::Pair => self.push(fields, 2),
            // SAFETY: a weak pair has two words; the cdr is the second.
            PageKind::WeakPair => self.push(unsafe { fields.add(1) }, 1),
            PageKind::Object | PageKind::Large => {
                // SAFETY: an object slot starts with its header.
                let traced = unsafe { w.header() }.traced();
                if traced > 0 {
                    // SAFETY: the traced fields follow the header within the object.
                    self.push(unsafe { fields.add(1) }, traced);
                }
            }
        }
    }

    #[inline(always)]
    fn push(&mut self, start: *const Word, len: usize) {
        self.stack.push(Range { start, len });
        if self.stack.len() > self.peak_stack {
            self.peak_stack = self.stack.len();
        }
    }
}

/// Whether the object `w` points to is marked.
///
/// # Safety
/// `w` is a pointer to a live object of the heap.
pub(crate) unsafe fn is_marked(w: Word) -> bool {
    // SAFETY: forwarded from the caller.
    let page = unsafe { PagePtr::containing(w.addr()) };
    page.is_marked(page.slot_index_exact(w.addr()))
}

#[cfg(test)]
mod tests {
    use super::exchange::Exchange;
    use super::{Marker, Mode, Work, BATCH_WORDS, RECEIVED_STEP, SCAN_CHUNK};
    use crate::heap::{Heap, HeapConfig};
    use crate::word::Word;

    #[test]
    fn objects_received_in_many_batches_wait_off_the_stack() {
        let pairs = if cfg!(miri) { 600 } else { 20_000 };
        let mut heap = Heap::new(HeapConfig::default());
        let words: Vec<Word> = (0..pairs)
            .map(|i| heap.alloc_pair(Word::fixnum(i), Word::fixnum(0)))
            .collect();
        // Every batch is in the mailbox before the marker runs, as when batches arrive
        // while their owner is busy.
        let exchange = Exchange::new(1);
        exchange.start(1, false);
        for batch in words.chunks(BATCH_WORDS) {
            exchange.send(0, Work::Words(batch.to_vec()));
        }
        let mut marker = Marker::new(0);
        marker.begin(Mode::Owned {
            markers: 1,
            epoch: 1,
        });
        // SAFETY: the words are pairs of `heap`, which holds no pointer and is neither
        // written nor collected while the marker runs.
        unsafe { marker.run(&exchange) };
        assert_eq!(marker.counts.marked_objects, pairs as usize);
        assert!(
            marker.peak_stack <= RECEIVED_STEP.max(SCAN_CHUNK),
            "{}",
            marker.peak_stack
        );
    }
}
