//! The virtual machine: a loop over bytecode with its own value and frame stacks.
//!
//! A Scheme call pushes a `Frame` on `frames`, never a Rust frame, so recursion depth is
//! bounded only by `Options::max_frames`. Calls, tail calls, returns and the backward
//! jumps of loops are the safepoints: there, and only there, the VM collects when the
//! heap asks for it, with the value stack, the frames' code, and the store's tables as
//! roots, and sweeps a few pages when the last collection left some pending.

mod continuation;
mod eval;
mod exec;
mod raise;
mod trace;

use std::rc::Rc;
use std::sync::Arc;

use rudo_gc::{CollectionKind, RootSet, RootVisitor};

use crate::builtins::{self, Builtins};
use crate::bytecode::{disassemble, Op, Proto};
use crate::compiler::{self, Session};
use crate::error::{Error, ErrorKind, Result};
use crate::object::{symbol_name, vector_len, Alloc, CELL_NAME};
use crate::reader::{read_all, Datum, SourceFile};
use crate::store::{Options, Store};
use crate::value::{Kind, Value};
use crate::{interrupt, memory};

/// Where a call returns to.
struct Frame {
    /// See [`proto`] for why a raw pointer is enough.
    code: *const Proto,
    /// The instruction to return to, in `code`.
    ip: *const u8,
    /// The frame pointer, as an index into the value stack.
    fp: usize,
}

impl Frame {
    fn pc(&self) -> usize {
        // SAFETY: `ip` points into the code of `code`, which is alive (see `proto`).
        unsafe { self.ip.offset_from(proto(self.code).code.as_ptr()) as usize }
    }
}

const _: () = assert!(
    std::mem::align_of::<Proto>() >= 4,
    "a code address is a fixnum"
);

/// The code of a closure. A closure is `[code, free variables...]`, all traced. The
/// first field holds the address of its `Proto`, which is 8-aligned, so the word has a
/// fixnum's tag and the collector does not follow it; it comes first so that a call
/// finds it without reading the closure's size.
#[inline(always)]
pub(super) fn closure_code(closure: Value) -> *const Proto {
    std::ptr::with_exposed_provenance(closure.raw(0) as usize)
}

/// A closure of `code` with room for `free` free variables (all `#f` until set), and
/// after them the anchor of `code`'s unit, if it has one (see `code`).
#[inline(always)]
pub(super) fn new_closure(heap: &mut rudo_gc::Heap, code: &Rc<Proto>, free: usize) -> Value {
    let size = free + 1 + usize::from(code.anchor.is_some());
    let closure = heap.object(Kind::Closure, size, size, Value::FALSE);
    // The code word is a traced field that reads as a fixnum: `Proto`s are 8-aligned.
    let address = Rc::as_ptr(code).expose_provenance() as u64;
    debug_assert_eq!(address & 0b11, 0);
    closure.init_field(0, Value(rudo_gc::Word::from_bits(address)));
    if let Some(anchor) = code.anchor {
        closure.init_field(size - 1, anchor);
    }
    closure
}

/// Whether a continuation takes any number of values, given its return points, innermost
/// first: the first that does not just return the value on (top-level code ends with
/// `call`, `return`) discards it, or is `%call-for-values`'s; or none is left, and the
/// values go to the run's caller. Every other return point takes exactly one.
///
/// # Safety
/// Each return point points into live code, just after a `call` instruction.
pub(super) unsafe fn takes_any_values(return_points: impl Iterator<Item = *const u8>) -> bool {
    for ip in return_points {
        // SAFETY: a call is never a function's last instruction, so `ip` is in bounds;
        // nor is an instruction that fails (the return point of a frame `fail!` pushes).
        let next = unsafe { *ip };
        if next != Op::Return as u8 {
            return next == Op::Pop as u8 || next == Op::AcceptValues as u8;
        }
    }
    true
}

/// The code a frame runs.
///
/// # Safety
/// `p` points to a `Proto` that outlives the returned reference. Every code object the VM
/// runs is either in `Store::code`, which never mutates its entries and frees one only
/// when its unit's anchor has died (no closure of it is left, and so no frame runs it),
/// or is the top-level code that `Vm::run` holds for the whole run.
pub(super) unsafe fn proto<'a>(p: *const Proto) -> &'a Proto {
    // SAFETY: forwarded from the caller.
    unsafe { &*p }
}

/// Pages a safepoint sweeps at most, when pages wait to be swept: enough that sweeping
/// keeps ahead of a program that allocates in other size classes, few enough that the
/// step stays within microseconds.
const SAFEPOINT_SWEEP_PAGES: usize = 4;

/// The virtual machine, with the store it runs on, the builtins' table and the
/// compiler's session. Its public methods hand out no heap values: results come back as
/// text (the [`crate::engine`] converts them, or roots them), so no safe caller can keep
/// a value past the collection that frees it.
pub struct Vm {
    pub(crate) store: Store,
    pub(crate) builtins: Builtins,
    pub(crate) session: Session,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    /// The most frames calls may push: `max_frames`, and never more than the frames'
    /// reserved capacity.
    frame_limit: usize,
    /// The top-level code being run, until a continuation that may return into it is
    /// captured and it moves to the store's code table.
    toplevel: Option<Rc<Proto>>,
    /// The prelude's globals that errors and continuations work through.
    hooks: raise::Hooks,
    /// Where recent errors were raised, for reporting them if they are re-raised.
    error_sites: raise::ErrorSites,
    /// The builtins the inline instructions call for operands they do not handle
    /// themselves, by [`generic_op_slot`].
    generic_ops: [usize; GENERIC_OPS.len()],
    /// Which top-level form of which run of a program is running: a continuation keeps
    /// it, so that re-entering one that an earlier form captured goes on with the forms
    /// after that one. Run 0 is none (the REPL, calls from Rust).
    position: ProgramPosition,
    /// The last run number given.
    runs: u64,
}

/// A top-level form of a run of a program.
#[derive(Copy, Clone, Default, PartialEq, Eq, Debug)]
pub(super) struct ProgramPosition {
    pub run: u64,
    pub form: usize,
}

/// The inline instructions that fall back on a builtin, and its name.
const GENERIC_OPS: [(Op, &str); 12] = [
    (Op::Add, "+"),
    (Op::Sub, "-"),
    (Op::Mul, "*"),
    (Op::Quotient, "quotient"),
    (Op::Remainder, "remainder"),
    (Op::Modulo, "modulo"),
    (Op::Lt, "<"),
    (Op::Gt, ">"),
    (Op::Le, "<="),
    (Op::Ge, ">="),
    (Op::NumEq, "="),
    (Op::Memq, "memq"),
];

fn generic_op_slot(op: Op) -> usize {
    GENERIC_OPS
        .iter()
        .position(|&(o, _)| o == op)
        .unwrap_or_else(|| unreachable!("{op:?} has no builtin"))
}

/// The value stack's first capacity, in slots; it doubles when a call needs more, up to
/// `Options::stack_slots`.
const INITIAL_STACK_SLOTS: usize = 1 << 16;

/// The frame stack's first capacity; it grows as the value stack does.
const INITIAL_FRAMES: usize = 1 << 12;

/// Frames the prelude's own definitions may need while it loads.
const PRELUDE_FRAMES: usize = 1000;

/// Frames shown in a backtrace, at most.
const BACKTRACE_LIMIT: usize = 20;

impl Vm {
    pub fn new(options: Options) -> Vm {
        let stack = Vec::with_capacity(INITIAL_STACK_SLOTS.min(options.stack_slots));
        // Every frame keeps its closure in a stack slot, so there are never more frames
        // than slots.
        let frame_limit = options.max_frames.min(options.stack_slots);
        // The prelude runs with the frames it needs, whatever limit the program asked
        // for: a limit of one frame still gives a working Scheme that refuses calls.
        let prelude_frame_limit = PRELUDE_FRAMES.min(options.stack_slots).max(frame_limit);
        let frames = Vec::with_capacity(INITIAL_FRAMES);
        let mut store = Store::new(options);
        let builtins = Builtins::install(&mut store);
        let hooks = raise::Hooks::new(&mut store);
        let generic_ops = GENERIC_OPS.map(|(_, name)| store.builtin_index(name));
        let mut vm = Vm {
            store,
            builtins,
            session: Session::default(),
            stack,
            frames,
            frame_limit: prelude_frame_limit,
            toplevel: None,
            hooks,
            error_sites: raise::ErrorSites::default(),
            generic_ops,
            position: ProgramPosition::default(),
            runs: 0,
        };
        if vm.store.options.gc_stress {
            vm.store.heap.request_collection();
        }
        vm.load_prelude();
        vm.store.separate_standard_procedures();
        vm.frame_limit = frame_limit;
        vm.session.take_standard_names(&vm.store);
        let cell = |name: &str| {
            vm.store
                .global(name)
                .expect("the prelude defines the port cells")
        };
        vm.store.current_port_cells = Some([
            cell("%current-input-cell"),
            cell("%current-output-cell"),
            cell("%current-error-cell"),
        ]);
        vm
    }

    /// The names of the program's bound globals and of its global macros.
    pub fn global_names(&self) -> Vec<String> {
        self.session.global_names(&self.store)
    }

    fn load_prelude(&mut self) {
        let file = SourceFile::new(builtins::PRELUDE_NAME, builtins::PRELUDE);
        self.eval_file(&file)
            .unwrap_or_else(|e| panic!("the prelude is valid Scheme: {e}"));
    }

    /// Reads and evaluates every form of `file`.
    pub fn run_file(&mut self, file: &Arc<SourceFile>) -> Result<()> {
        self.eval_file(file).map(drop)
    }

    /// Evaluates `d`; its value as `write` shows it.
    pub fn eval_written(&mut self, d: &Datum) -> Result<String> {
        let v = self.eval_datum(d)?;
        Ok(crate::printer::to_string(v, crate::printer::Style::Write))
    }

    /// Evaluates `d`; each of the values it returns as `write` shows it, none for an
    /// unspecified value.
    pub fn eval_written_values(&mut self, d: &Datum) -> Result<Vec<String>> {
        let v = self.eval_datum(d)?;
        let values = builtins::records::multiple_values(v).unwrap_or_else(|| vec![v]);
        Ok(values
            .into_iter()
            .filter(|&v| v != Value::UNSPECIFIED)
            .map(|v| crate::printer::to_string(v, crate::printer::Style::Write))
            .collect())
    }

    /// Compiles `d` without running it: its syntax errors, if any.
    pub fn compile(&mut self, d: &Datum) -> Result<()> {
        compiler::compile(&mut self.store, &mut self.session, d).map(drop)
    }

    pub fn options(&self) -> &Options {
        &self.store.options
    }

    pub fn options_mut(&mut self) -> &mut Options {
        &mut self.store.options
    }

    /// The arguments `(command-line)` gives after the program's name.
    pub fn set_command_line(&mut self, args: Vec<String>) {
        self.store.command_line = args;
    }

    /// Sends what Scheme writes to its standard output to `out` instead.
    pub fn set_output(&mut self, out: Box<dyn std::io::Write>) {
        self.store.out = out;
    }

    /// Writes out what standard output holds.
    pub fn flush_output(&mut self) -> Result<()> {
        self.store.flush_output()
    }

    /// Writes out what standard output and every file port hold.
    pub fn flush(&mut self) -> Result<()> {
        self.store.flush()
    }

    /// The collector's statistics, a `key: value` line each, as `--gc-stats` prints them.
    pub fn gc_stats_report(&mut self) -> String {
        builtins::system::gc_stats_report(&mut self.store)
    }

    /// Finishes the sweeping the last collection left, and gives the empty pages back to
    /// the system: for a program about to wait, as the REPL does for input.
    pub fn release_memory(&mut self) {
        self.store.heap.sweep_pending(usize::MAX);
        self.store.heap.release_free_pages();
    }

    /// The kind of object the global `name` holds, when it is bound to an object.
    pub fn global_kind(&self, name: &str) -> Option<Kind> {
        self.store.global(name)?.kind()
    }

    /// The argument counts the builtin bound to `name` takes, least and most, when
    /// `name` is bound to a builtin.
    pub fn builtin_arity(&self, name: &str) -> Option<(usize, Option<usize>)> {
        let v = self.store.global(name).filter(|v| v.is(Kind::Primitive))?;
        let b = self.builtins.get(v.raw(0) as usize);
        Some((b.min_args, b.max_args))
    }

    /// Reads and evaluates every form of `file`; the value of the last. Re-entering a
    /// continuation that an earlier form captured finishes that form and goes on with
    /// the forms after it, as the rest of the program.
    pub(crate) fn eval_file(&mut self, file: &Arc<SourceFile>) -> Result<Value> {
        let datums = read_all(file, self.store.options.max_read_depth)?;
        let outer = self.position;
        self.runs += 1;
        let run = self.runs;
        let mut last = Ok(Value::UNSPECIFIED);
        let mut form = 0;
        while form < datums.len() {
            self.position = ProgramPosition { run, form };
            last = self.eval_datum(&datums[form]);
            if last.is_err() {
                break;
            }
            form = match self.position {
                ProgramPosition {
                    run: r,
                    form: resumed,
                } if r == run => resumed + 1,
                _ => form + 1,
            };
        }
        self.position = outer;
        last
    }

    /// Calls procedure `f` with `args`, from Rust: by way of top-level code that pushes
    /// them as constants (roots while it runs) and calls.
    pub(crate) fn apply(&mut self, f: Value, args: &[Value]) -> Result<Value> {
        let n = args.len();
        if n + 1 > usize::from(u16::MAX) {
            return Err(Error::runtime("apply: too many arguments", vec![]));
        }
        let mut code = Vec::with_capacity(3 * (n + 2) + 1);
        for k in 0..=n {
            code.push(Op::Const as u8);
            code.extend_from_slice(&(k as u16).to_le_bytes());
        }
        code.push(Op::Call as u8);
        code.extend_from_slice(&(n as u16).to_le_bytes());
        code.push(Op::Return as u8);
        let constants = std::iter::once(f).chain(args.iter().copied()).collect();
        self.run(Rc::new(Proto {
            name: Some("top-level".into()),
            code,
            max_stack: n + 1,
            constants,
            ..Proto::default()
        }))
    }

    pub(crate) fn eval_datum(&mut self, d: &Datum) -> Result<Value> {
        let code = compiler::compile(&mut self.store, &mut self.session, d)?;
        self.run(code)
    }

    /// The code objects `d` compiles to, disassembled.
    pub fn disassemble_datum(&mut self, d: &Datum) -> Result<String> {
        let anchor = self.store.heap.object(Kind::Code, 0, 0, Value::FALSE);
        self.store.code.open_unit(anchor);
        let top = compiler::compile(&mut self.store, &mut self.session, d);
        let indices = self.store.code.close_unit();
        let mut out = String::new();
        if top.is_ok() {
            for &i in &indices {
                out.push_str(&disassemble(&self.store.code[i], Some(i)));
            }
        }
        self.store.code.release(indices);
        out.push_str(&disassemble(top?.as_ref(), None));
        Ok(out)
    }

    /// The work that waits at a safepoint: an interrupt, or the collection the collector
    /// asked for (then the memory limit's check), or else a step of sweeping.
    pub(super) fn safepoint(&mut self, current: &Proto) -> Result<()> {
        if let Some(e) = interrupt::take() {
            return Err(e);
        }
        if self.store.heap.collection_requested() || memory::over_limit() {
            let kind = if memory::over_limit() {
                CollectionKind::Major
            } else {
                self.store.heap.next_collection_kind()
            };
            self.collect(current, kind);
            self.store.check_memory()
        } else {
            self.store.heap.sweep_pending(SAFEPOINT_SWEEP_PAGES);
            Ok(())
        }
    }

    pub(crate) fn collect(&mut self, current: &Proto, kind: CollectionKind) {
        let roots = VmRoots {
            stack: &self.stack,
            frames: &self.frames,
            current,
        };
        // SAFETY: collections happen only here, at safepoints, and by the rooting
        // invariant (`value.rs`) every value the program can still reach is then on the
        // VM stack, in the code being run, or in the store: the store names its own
        // roots and `roots` the rest. Every word in them came from this heap.
        unsafe { self.store.collect(&roots, kind) };
    }

    /// Runs top-level code to completion.
    pub(crate) fn run(&mut self, code: Rc<Proto>) -> Result<Value> {
        let base_frames = self.frames.len();
        let base_stack = self.stack.len();
        // The slot below a frame holds its closure; top-level code has none.
        self.stack.push(Value::FALSE);
        self.toplevel = Some(code.clone());
        let result = if self.store.options.trace {
            self.execute::<true>(code, base_frames)
        } else {
            self.execute::<false>(code, base_frames)
        };
        self.toplevel = None;
        self.stack.truncate(base_stack);
        if let Err(e) = &result {
            self.frames.truncate(base_frames);
            let exit = matches!(e.kind, ErrorKind::Exit(_));
            self.leave_dynamic_extents(!exit);
        }
        result
    }

    /// After an error has reached the top level: forgets every exception handler, and
    /// leaves every `dynamic-wind` extent the program was in, running their `after`
    /// procedures when `run_afters` (so that parameters get their values back), except
    /// on `emergency-exit`.
    fn leave_dynamic_extents(&mut self, run_afters: bool) {
        self.hooks.reset_handlers();
        if run_afters && self.hooks.in_dynamic_extent() {
            let file = SourceFile::new("<unwind>", "(%wind-to '())");
            for d in read_all(&file, 4).expect("the unwinding form reads") {
                // An `after` that fails is reported no further: the unwinding goes on
                // past it, since `%wind-to` leaves an extent before running its `after`.
                let _ = self.eval_datum(&d);
            }
        }
        self.hooks.forget_extents();
    }

    /// Arithmetic on anything but two fixnums: flonums here, the rest by the builtins.
    /// Cold, though flonum programs run it all the time: inside the loop, the flonum
    /// paths made its fixnum paths slower (see docs/benchmarks.md), and out of it
    /// flonums pay only a call.
    #[cold]
    #[inline(never)]
    pub(super) fn other_arith(&mut self, op: Op, a: Value, b: Value) -> Result<Value> {
        match flonum_arith(op, a, b) {
            Some(v) => Ok(v),
            None => self.generic_op(op, a, b),
        }
    }

    /// Whether a comparison of anything but two fixnums holds: flonums here, the rest by
    /// the builtins. Cold for the reason `other_arith` is.
    #[cold]
    #[inline(never)]
    pub(super) fn other_compare(&mut self, op: Op, a: Value, b: Value) -> Result<bool> {
        Ok(self.other_arith(op, a, b)? != Value::FALSE)
    }

    /// Arithmetic and comparison on what the VM does not compute inline, and `memq` of
    /// lists it does not walk inline, through the builtins.
    #[cold]
    fn generic_op(&mut self, op: Op, a: Value, b: Value) -> Result<Value> {
        if op == Op::IsZero {
            return builtins::numbers::is_zero(&mut self.store, &[a]).map_err(|e| e.named("zero?"));
        }
        let index = self.generic_ops[generic_op_slot(op)];
        self.builtins.call(&mut self.store, index, &[a, b])
    }

    /// Makes room for `slots` more values above the stack's length, moving the stack;
    /// false when that would pass `Options::stack_slots`.
    #[cold]
    pub(super) fn grow_stack(&mut self, slots: usize) -> bool {
        let needed = self.stack.len() + slots;
        if needed > self.store.options.stack_slots {
            return false;
        }
        let capacity = (self.stack.capacity() * 2)
            .max(needed)
            .min(self.store.options.stack_slots);
        self.stack.reserve_exact(capacity - self.stack.len());
        true
    }

    /// Pushes a frame for a call; the caller has checked `frames.len() < frame_limit`.
    #[inline(always)]
    unsafe fn push_frame(&mut self, frame: Frame) {
        let depth = self.frames.len();
        debug_assert!(depth < self.frame_limit);
        if depth == self.frames.capacity() {
            self.frames.reserve(depth);
        }
        // SAFETY: the capacity is above `depth` (just made so), so the slot is inside the
        // allocation.
        unsafe {
            self.frames.as_mut_ptr().add(depth).write(frame);
            self.frames.set_len(depth + 1);
        }
    }

    /// Pops the innermost frame; the caller has checked that there is one.
    #[inline(always)]
    unsafe fn pop_frame(&mut self) -> Frame {
        let depth = self.frames.len() - 1;
        // SAFETY: the caller's check means `depth` indexes an initialized frame, which
        // the new length gives up.
        unsafe {
            self.frames.set_len(depth);
            self.frames.as_ptr().add(depth).read()
        }
    }

    /// Moves the running top-level code to the store's code table, where it lives as
    /// long as the store: a continuation is about to hold frames that run it.
    pub(super) fn keep_code_alive(&mut self) {
        if let Some(code) = self.toplevel.take() {
            self.store.add_code(code);
        }
    }

    /// Adds the source position and the backtrace to an error raised at `pc` of `code`.
    /// The position is that of the innermost call outside the prelude: an error inside
    /// `map` points at the program's call of `map`.
    fn locate(&self, e: Error, code: &Proto, pc: usize) -> Error {
        let spans = std::iter::once(code.span_at(pc)).chain(self.frames.iter().rev().map(|f| {
            // SAFETY: frames hold code the store keeps alive.
            unsafe { proto(f.code) }.span_at(f.pc().saturating_sub(1))
        }));
        let span = spans
            .flatten()
            .find(|s| s.file.name != builtins::PRELUDE_NAME)
            .or(code.span_at(pc));
        let mut e = e.at(span);
        if !matches!(e.kind, ErrorKind::Syntax | ErrorKind::Exit(_)) && e.backtrace.is_empty() {
            let calls =
                std::iter::once(frame_line(code, pc)).chain(self.frames.iter().rev().map(|f| {
                    // SAFETY: frames hold code the store keeps alive.
                    frame_line(unsafe { proto(f.code) }, f.pc().saturating_sub(1))
                }));
            e.backtrace = collapse_repeats(calls, BACKTRACE_LIMIT);
        }
        e
    }
}

/// Backtrace lines, a run of identical lines as one with its count, at most `limit`.
fn collapse_repeats(lines: impl Iterator<Item = String>, limit: usize) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut more = 0;
    for line in lines {
        let full = out.len() == limit;
        match out.last_mut() {
            Some((last, n)) if *last == line => *n += 1,
            _ if full => more += 1,
            _ => out.push((line, 1)),
        }
    }
    let mut text: Vec<String> = out
        .into_iter()
        .map(|(l, n)| if n > 1 { format!("{l} (x{n})") } else { l })
        .collect();
    if more > 0 {
        text.push(format!("... {more} more frames"));
    }
    text
}

/// Arithmetic and comparison of two fixnums, or `None` when either is not a fixnum or
/// the result overflows. Fixnums are shifted left two bits: sums, differences and
/// comparisons work on the words themselves, and overflow of the word is overflow of the
/// fixnum.
#[inline(always)]
pub(super) fn fixnum_arith(op: Op, a: Value, b: Value) -> Option<Value> {
    if !(a.is_fixnum() && b.is_fixnum()) {
        return None;
    }
    let (x, y) = (a.word().bits() as i64, b.word().bits() as i64);
    let word = |n: i64| Value(rudo_gc::Word::from_bits(n as u64));
    match op {
        Op::Add => x.checked_add(y).map(word),
        Op::Sub => x.checked_sub(y).map(word),
        Op::Mul => a.fixnum_value().checked_mul(y).map(word),
        // The tag bits are zeros, so the remainder of two fixnums' words is the word of
        // their remainder; the quotient is a fixnum again unless it is the least fixnum's
        // over -1. A zero divisor is the builtins' error.
        Op::Quotient => a
            .fixnum_value()
            .checked_div(b.fixnum_value())
            .filter(|q| *q <= rudo_gc::Word::FIXNUM_MAX)
            .map(Value::fixnum),
        Op::Remainder => x.checked_rem(y).map(word),
        Op::Modulo => x
            .checked_rem(y)
            .map(|r| {
                if r != 0 && (r < 0) != (y < 0) {
                    r + y
                } else {
                    r
                }
            })
            .map(word),
        Op::Lt => Some(Value::bool(x < y)),
        Op::Gt => Some(Value::bool(x > y)),
        Op::Le => Some(Value::bool(x <= y)),
        Op::Ge => Some(Value::bool(x >= y)),
        Op::NumEq => Some(Value::bool(x == y)),
        Op::IsZero => Some(Value::bool(x == 0)),
        _ => None,
    }
}

/// An operation on flonums without the builtins: two immediate flonums, or one and a
/// fixnum that converts to a flonum exactly (what the builtins would compute); `None` for
/// anything else, and for a sum, difference or product that needs a box.
#[inline(always)]
fn flonum_arith(op: Op, a: Value, b: Value) -> Option<Value> {
    let (x, y) = flonum_operands(a, b)?;
    match op {
        Op::Add => Value::try_flonum(x + y),
        Op::Sub => Value::try_flonum(x - y),
        Op::Mul => Value::try_flonum(x * y),
        Op::IsZero => Some(Value::bool(x == 0.0)),
        Op::Lt => Some(Value::bool(x < y)),
        Op::Gt => Some(Value::bool(x > y)),
        Op::Le => Some(Value::bool(x <= y)),
        Op::Ge => Some(Value::bool(x >= y)),
        Op::NumEq => Some(Value::bool(x == y)),
        _ => None,
    }
}

#[inline(always)]
fn flonum_operands(a: Value, b: Value) -> Option<(f64, f64)> {
    if !(a.is_immediate_flonum() || b.is_immediate_flonum()) {
        return None;
    }
    #[inline(always)]
    fn operand(v: Value) -> Option<f64> {
        if v.is_immediate_flonum() {
            Some(v.immediate_flonum_value())
        } else if v.is_fixnum() && v.fixnum_value().unsigned_abs() <= 1 << f64::MANTISSA_DIGITS {
            Some(v.fixnum_value() as f64)
        } else {
            None
        }
    }
    Some((operand(a)?, operand(b)?))
}

/// A comparison of two fixnums, for the instructions that branch on it; `None` when
/// either is something else.
#[inline(always)]
pub(super) fn fixnum_compare(op: Op, a: Value, b: Value) -> Option<bool> {
    if !(a.is_fixnum() && b.is_fixnum()) {
        return None;
    }
    // A fixnum's word is its value shifted left, so words compare as values do.
    let (x, y) = (a.word().bits() as i64, b.word().bits() as i64);
    Some(match op {
        Op::Lt => x < y,
        Op::Gt => x > y,
        Op::Le => x <= y,
        Op::Ge => x >= y,
        Op::NumEq => x == y,
        _ => unreachable!("not a comparison: {op:?}"),
    })
}

fn frame_line(code: &Proto, pc: usize) -> String {
    let name = code.name.as_deref().unwrap_or("anonymous procedure");
    match code.span_at(pc) {
        Some(span) => format!("{name} at {span}"),
        None => name.to_string(),
    }
}

pub(super) fn unbound(cell: Value) -> Error {
    Error::runtime(
        format!(
            "unbound variable: {}",
            crate::symbol::global_display_name(symbol_name(cell.field(CELL_NAME)))
        ),
        vec![],
    )
}

/// A call with the wrong number of arguments.
pub(super) fn arity_error(target: &Proto, argc: usize) -> Error {
    let n = target.params;
    let expected = if target.rest {
        format!("at least {n}")
    } else {
        n.to_string()
    };
    let plural = if expected == "1" { "" } else { "s" };
    let name = target.name.as_deref().unwrap_or("anonymous procedure");
    Error::runtime(
        format!("{name}: expected {expected} argument{plural}, got {argc}"),
        vec![],
    )
}

pub(super) fn stack_overflow(limit: usize) -> Error {
    Error::new(
        ErrorKind::Resource,
        format!("stack overflow: more than {limit} nested calls"),
    )
}

/// `memq` inline, for short proper lists (those of `case` above all): `None` for an
/// improper, cyclic or long list, which the builtin walks instead.
#[inline]
pub(super) fn memq_inline(key: Value, mut list: Value) -> Option<Value> {
    for _ in 0..MEMQ_INLINE_STEPS {
        if list == Value::NIL {
            return Some(Value::FALSE);
        }
        if !list.is_pair() {
            return None;
        }
        if list.car() == key {
            return Some(list);
        }
        list = list.cdr();
    }
    None
}

/// The longest list `memq` walks inline.
const MEMQ_INLINE_STEPS: usize = 64;

/// The index `i` into the vector `v`, when `v` is a vector and `i` one of its indices.
#[inline(always)]
pub(super) fn vector_index(v: Value, i: Value) -> Option<usize> {
    if !v.is(Kind::Vector) {
        return None;
    }
    match i.as_fixnum() {
        Some(k) if k >= 0 && (k as usize) < vector_len(v) => Some(k as usize),
        _ => None,
    }
}

/// The error of `name` (`vector-ref`, `vector-set!`) for a `v` and `i` that
/// [`vector_index`] refused; out of line, so that the instructions' fast paths do not
/// prepare its arguments.
#[cold]
#[inline(never)]
pub(super) fn vector_index_error(v: Value, i: Value, name: &str) -> Error {
    if !v.is(Kind::Vector) {
        return Error::wrong_type(name, "a vector", v);
    }
    match builtins::checked_index(i, vector_len(v)) {
        Err(e) => e.named(name),
        Ok(_) => unreachable!("vector_index refuses only bad vectors and indices"),
    }
}

/// The error of `name` (`%record-ref`, `%record-set!`) called by the accessor or modifier
/// `who`, for what `builtins::records::field_slot` refused: the builtins' own, out of
/// line.
#[cold]
#[inline(never)]
pub(super) fn record_field_error(
    name: &str,
    record: Value,
    rtd: Value,
    i: Value,
    who: Value,
) -> Error {
    match builtins::records::checked_field(record, rtd, i, who) {
        Err(e) => e.named(name),
        Ok(_) => unreachable!("checked_field accepts only what field_slot accepts"),
    }
}

/// What is live at a safepoint besides the store: the VM's stacks and the code they run.
struct VmRoots<'a> {
    stack: &'a [Value],
    frames: &'a [Frame],
    current: &'a Proto,
}

impl RootSet for VmRoots<'_> {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        for v in self.stack {
            roots.word(v.word());
        }
        for proto in self
            .frames
            .iter()
            .map(|f| {
                // SAFETY: frames hold code the store keeps alive.
                unsafe { proto(f.code) }
            })
            .chain(std::iter::once(self.current))
        {
            for c in &proto.constants {
                roots.word(c.word());
            }
        }
    }
}

/// The collection `(collect)` asks for: a full one, or the kind its argument names,
/// `'minor` or `'major`.
pub(crate) fn collection_kind(args: &[Value]) -> Result<CollectionKind> {
    match args {
        [] => Ok(CollectionKind::Major),
        [kind] if kind.is(Kind::Symbol) && symbol_name(*kind) == "minor" => {
            Ok(CollectionKind::Minor)
        }
        [kind] if kind.is(Kind::Symbol) && symbol_name(*kind) == "major" => {
            Ok(CollectionKind::Major)
        }
        [other, ..] => Err(Error::expected("minor or major", *other).named("collect")),
    }
}
