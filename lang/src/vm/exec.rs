//! The interpreter loop.
//!
//! The loop keeps its instruction pointer, stack pointer and frame pointer in raw-pointer
//! locals, so that they stay in registers. The value stack moves only when a call finds
//! it full (`room!`) or a continuation puts another one in its place, and the loop then
//! takes every pointer anew from indices; the `Vec` that owns the stack learns its length
//! only when something outside the loop looks at it (a collection, a builtin, an error).

use std::rc::Rc;

use super::collection_kind;
use super::{
    fixnum_arith, fixnum_compare, memq_inline, proto, record_field_error, stack_overflow, unbound,
    vector_index, vector_index_error, Frame, Proto, Vm,
};
use crate::builtins::{self, Special};
use crate::bytecode::{Capture, Op, CAPTURE_BYTES};
use crate::error::{Error, Result};
use crate::object::Alloc;
use crate::object::CELL_VALUE;
use crate::value::{Kind, Value};
use rudo_gc::CollectionKind;

impl Vm {
    /// Runs `entry` until it returns to the frame depth `base_frames`; with `TRACE`, prints
    /// each instruction before it runs (a second copy of the loop, so that the usual one
    /// pays nothing for it).
    pub(super) fn execute<const TRACE: bool>(
        &mut self,
        entry: Rc<Proto>,
        base_frames: usize,
    ) -> Result<Value> {
        let len = self.stack.len();
        if len + entry.max_stack + 1 > self.stack.capacity()
            && !self.grow_stack(entry.max_stack + 1)
        {
            return Err(stack_overflow(self.store.options.max_frames));
        }
        let mut stack_base: *mut Value = self.stack.as_mut_ptr();
        let capacity = self.stack.capacity();
        // The loop keeps these rules, on which every raw access below rests; each is an
        // operation named for what it does, in a macro, with its own SAFETY comment.
        // 1. `code` points to a `Proto` that outlives the loop (see `proto`), and `ip` into
        //    its `code`: the compiler emits whole instructions, every path of a body ends
        //    in `return`, `tail-call` or a jump to an instruction start, and jump targets
        //    and operand sizes are its own, as are the constant indices. `code_start` is
        //    always `code`'s.
        // 2. `stack_base <= fp - 1 <= sp <= stack_base + capacity`: a function never uses
        //    more than its `max_stack` slots above `fp`, and a call checks that the callee
        //    has that much room before it enters; `apply` checks the room for the
        //    arguments it spreads. The stack reallocates only in `room!` and when a
        //    continuation is reinstated, and both take `stack_base`, `stack_end`, `sp`
        //    and `fp` anew from the `Vec` and indices, so the pointers stay valid.
        // 3. Slots below `sp` hold initialized values; `sync!` gives the `Vec` the length
        //    `sp` before anything else reads it.
        // SAFETY: rule 2: `capacity` is the stack's.
        let mut stack_end = unsafe { stack_base.add(capacity) };
        // SAFETY: the run holds `entry` until it ends.
        let mut code: &Proto = unsafe { proto(Rc::as_ptr(&entry)) };
        // The current code's instructions, kept at hand for jumps; it changes with
        // `code`, on calls and returns.
        let mut code_start: *const u8 = code.code.as_ptr();
        let mut ip: *const u8 = code_start;
        // SAFETY: rule 2: `len` slots are in use, and the capacity was checked above.
        let mut sp: *mut Value = unsafe { stack_base.add(len) };
        let mut fp: *mut Value = sp;

        // Operand reads: the next operand, `ip` moved past it; `peek_` leaves `ip`.
        macro_rules! peek_u16 {
            () => {
                // SAFETY: rule 1: the instruction's operands are whole.
                unsafe { u16::from_le_bytes(ip.cast::<[u8; 2]>().read()) as usize }
            };
        }
        macro_rules! peek_u32 {
            () => {
                // SAFETY: rule 1: the instruction's operands are whole.
                unsafe { u32::from_le_bytes(ip.cast::<[u8; 4]>().read()) as usize }
            };
        }
        macro_rules! u8 {
            () => {{
                // SAFETY: rule 1: the byte is the opcode or an operand of this
                // instruction, and the instruction goes on after it or ends there.
                let n = unsafe { ip.read() };
                // SAFETY: rule 1: at most one past the instruction's end.
                ip = unsafe { ip.add(1) };
                n
            }};
        }
        macro_rules! u16 {
            () => {{
                let n = peek_u16!();
                // SAFETY: rule 1: at most one past the instruction's end.
                ip = unsafe { ip.add(2) };
                n
            }};
        }
        macro_rules! u32 {
            () => {{
                let n = peek_u32!();
                // SAFETY: rule 1: at most one past the instruction's end.
                ip = unsafe { ip.add(4) };
                n
            }};
        }
        // Pointer steps within the value stack.
        macro_rules! down {
            ($p:expr, $n:expr) => {{
                let (p, n): (*mut Value, usize) = ($p, $n);
                // SAFETY: rule 2: the instructions never step below the frame's
                // closure slot, which is in the stack.
                unsafe { p.sub(n) }
            }};
        }
        macro_rules! up {
            ($p:expr, $n:expr) => {{
                let (p, n): (*mut Value, usize) = ($p, $n);
                // SAFETY: rule 2: the instructions never step past `max_stack`
                // slots above `fp`, which the stack has room for.
                unsafe { p.add(n) }
            }};
        }
        // The index in the stack of a pointer into it.
        macro_rules! stack_index {
            ($p:expr) => {{
                let p: *mut Value = $p;
                // SAFETY: rule 2: `p` and `stack_base` point into one allocation.
                unsafe { p.offset_from(stack_base) as usize }
            }};
        }
        macro_rules! push {
            ($v:expr) => {{
                let v = $v;
                // SAFETY: rule 2: `sp` is below `stack_end`, since the function uses
                // no more than its `max_stack` slots.
                unsafe { sp.write(v) };
                sp = up!(sp, 1);
            }};
        }
        macro_rules! pop {
            () => {{
                sp = down!(sp, 1);
                // SAFETY: rule 3: the slot below the old `sp` was initialized.
                unsafe { sp.read() }
            }};
        }
        // The value `$n` slots below `sp`; `top!()` is the one just below.
        macro_rules! stack_at {
            ($n:expr) => {{
                let at = down!(sp, $n);
                // SAFETY: rule 3: slots below `sp` are initialized.
                unsafe { at.read() }
            }};
        }
        macro_rules! top {
            () => {
                stack_at!(1)
            };
        }
        macro_rules! set_top {
            ($v:expr) => {{
                let v = $v;
                let at = down!(sp, 1);
                // SAFETY: rule 3: the slot below `sp` is in use.
                unsafe { at.write(v) };
            }};
        }
        // Slot `$i` of the frame, and the closure the frame runs (the slot below it).
        macro_rules! slot {
            ($i:expr) => {{
                let at = up!(fp, $i);
                // SAFETY: rules 1 and 3: the verifier has checked that the slot is
                // one of the frame's, set before it is read.
                unsafe { at.read() }
            }};
        }
        macro_rules! set_slot {
            ($i:expr, $v:expr) => {{
                let v = $v;
                let at = up!(fp, $i);
                // SAFETY: rule 1: the verifier has checked that the slot is the
                // frame's.
                unsafe { at.write(v) };
            }};
        }
        macro_rules! closure_self {
            () => {
                stack_at_ptr!(down!(fp, 1))
            };
        }
        macro_rules! stack_at_ptr {
            ($p:expr) => {{
                let at: *mut Value = $p;
                // SAFETY: rule 3: the frame's closure slot is below `sp`.
                unsafe { at.read() }
            }};
        }
        // The constant whose index is the next operand.
        macro_rules! constant {
            () => {{
                let i = u16!();
                // SAFETY: rule 1: the verifier has checked the constant indices.
                unsafe { code.constants.as_ptr().add(i).read() }
            }};
        }
        // The `$n` values below `sp`, as a slice; the stack does not move while it
        // lives.
        macro_rules! args {
            ($n:expr) => {{
                let n: usize = $n;
                let from = down!(sp, n);
                // SAFETY: rule 3: the `n` slots below `sp` are initialized, and
                // nothing grows the stack while the slice is used.
                unsafe { std::slice::from_raw_parts(from, n) }
            }};
        }
        // The code a closure runs.
        macro_rules! code_of {
            ($closure:expr) => {
                // SAFETY: a closure's code lives at least as long as the closure
                // (see `proto`).
                unsafe { proto(super::closure_code($closure)) }
            };
        }
        // Pushes a frame that returns to `ip` of the current code; the caller has
        // checked the frame limit.
        macro_rules! push_frame {
            () => {{
                let frame = Frame {
                    code: std::ptr::from_ref(code),
                    ip,
                    fp: stack_index!(fp),
                };
                // SAFETY: the frame count is below `frame_limit`, checked before.
                unsafe { self.push_frame(frame) };
            }};
        }
        // Moves `$n` slots from `$from` down to `$to`.
        macro_rules! move_down {
            ($from:expr, $to:expr, $n:expr) => {{
                let (from, to, n): (*mut Value, *mut Value, usize) = ($from, $to, $n);
                debug_assert!(to <= from);
                // SAFETY: rule 2: both ranges are within the current frame and the
                // values on top of it, and the target is never above the source.
                unsafe { move_down(from, to, n) };
            }};
        }
        // The two operands on top of the stack, popped, deeper one first.
        macro_rules! popped_pair {
            () => {{
                let b = pop!();
                (pop!(), b)
            }};
        }
        macro_rules! sync {
            () => {{
                let len = stack_index!(sp);
                // SAFETY: rule 3: the slots below `sp` are initialized, and `sp` is
                // within the capacity.
                unsafe { self.stack.set_len(len) }
            }};
        }
        macro_rules! jump {
            ($target:expr) => {{
                let target: usize = $target;
                // SAFETY: rule 1: jump targets are instruction starts of this code.
                ip = unsafe { code_start.add(target) }
            }};
        }
        // Whether a call of `$target` with `$argc` arguments can go straight in: the
        // arity is exact and the stack has room for its frame.
        macro_rules! direct_call {
            ($target:expr, $argc:expr) => {
                $argc == $target.params && !$target.rest && room_left!() > $target.max_stack
            };
        }
        // Whether `$n` more slots fit above `sp`, after growing the stack if they do
        // not yet (up to `stack_slots`). Growing moves the stack: every pointer into
        // it is taken anew.
        // The slots free above `sp`.
        macro_rules! room_left {
            () => {
                // SAFETY: rule 2: `sp` and `stack_end` point into one allocation.
                unsafe { stack_end.offset_from(sp) as usize }
            };
        }
        // Takes the stack's pointers anew after it has moved, with `sp` at `$len`.
        macro_rules! stack_moved {
            ($len:expr) => {{
                let len: usize = $len;
                stack_base = self.stack.as_mut_ptr();
                stack_end = up!(stack_base, self.stack.capacity());
                sp = up!(stack_base, len);
            }};
        }
        macro_rules! room {
            ($n:expr) => {{
                let n: usize = $n;
                if room_left!() >= n {
                    true
                } else {
                    sync!();
                    let fp_index = stack_index!(fp);
                    let grown = self.grow_stack(n);
                    stack_moved!(self.stack.len());
                    fp = up!(stack_base, fp_index);
                    grown
                }
            }};
        }
        // The offset in the current code of the instruction at `$at`.
        macro_rules! pc_of {
            ($at:expr) => {{
                let at: *const u8 = $at;
                // SAFETY: rule 1: `at` points into the current code.
                unsafe { at.offset_from(code_start) as usize }
            }};
        }
        // Goes on with the first instruction of `$target`.
        macro_rules! enter {
            ($target:expr) => {{
                code = $target;
                code_start = code.code.as_ptr();
                ip = code_start;
            }};
        }
        // The collector's work, a memory limit passed or an interrupt, if any waits,
        // at the instruction at `$at`.
        macro_rules! safepoint {
            ($at:expr) => {
                if self.store.heap.safepoint_due()
                    || crate::memory::over_limit()
                    || crate::interrupt::requested()
                {
                    sync!();
                    if let Err(e) = self.safepoint(code) {
                        fail!($at, e);
                    }
                }
            };
        }
        macro_rules! try_at {
            ($at:expr, $e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => fail!($at, e),
                }
            };
        }
        // A fixnum operation inline; flonums and anything else out of line, so that
        // the loop's code stays as small as fixnum arithmetic needs.
        macro_rules! arith {
            ($at:expr, $op:expr, $a:expr, $b:expr) => {
                match fixnum_arith($op, $a, $b) {
                    Some(v) => v,
                    None => try_at!($at, self.other_arith($op, $a, $b)),
                }
            };
        }
        // Whether a comparison holds, inline for fixnums.
        macro_rules! holds {
            ($at:expr, $compare:expr, $a:expr, $b:expr) => {
                match fixnum_compare($compare, $a, $b) {
                    Some(holds) => holds,
                    None => try_at!($at, self.other_compare($compare, $a, $b)),
                }
            };
        }
        macro_rules! binary {
            ($at:expr, $op:expr) => {{
                let (a, b) = popped_pair!();
                push!(arith!($at, $op, a, b));
            }};
        }
        // The local whose slot is the next operand.
        macro_rules! local {
            () => {
                slot!(u16!())
            };
        }
        // The small integer that is the next operand.
        macro_rules! imm {
            () => {
                Value::fixnum(u16!() as u16 as i16 as i64)
            };
        }
        // Compare the two operands (read from the stack or the instruction), and jump
        // unless the comparison holds.
        macro_rules! branch {
            ($at:expr, $compare:expr, $operands:expr) => {{
                let (a, b) = $operands;
                let target = u32!();
                if !holds!($at, $compare, a, b) {
                    jump!(target);
                }
            }};
        }
        macro_rules! return_value {
            ($v:expr) => {{
                let v = $v;
                sp = down!(fp, 1);
                return_to_caller!(v);
            }};
        }
        // Pushes `$v` for the innermost frame, popped, to take; or ends the run with
        // it when no frame of this run is left.
        macro_rules! return_to_caller {
            ($v:expr) => {{
                let v = $v;
                if self.frames.len() == base_frames {
                    sync!();
                    return Ok(v);
                }
                // SAFETY: this run's frames are above `base_frames`, so one is left.
                let f = unsafe { self.pop_frame() };
                // SAFETY: frames hold code the store keeps alive (see `proto`).
                code = unsafe { proto(f.code) };
                code_start = code.code.as_ptr();
                ip = f.ip;
                fp = up!(stack_base, f.fp);
                push!(v);
            }};
        }

        'dispatch: loop {
            // Signals an error raised by the instruction at `$at`. With a Scheme
            // exception handler installed, the failing instruction becomes a call
            // of the prelude's `%raise` with the error object; `%raise` never
            // returns, so nothing resumes the instruction's frame. Defined inside
            // the loop so that it can name the loop's label.
            macro_rules! fail {
                ($at:expr, $e:expr) => {{
                    sync!();
                    let at: *const u8 = $at;
                    let pc = pc_of!(at);
                    let (raise, payload) = self.handler_call($e, code, pc)?;
                    let target = code_of!(raise);
                    if !room!(2 + target.max_stack + 1) {
                        return Err(stack_overflow(self.store.options.max_frames));
                    }
                    self.frames.push(Frame {
                        code: std::ptr::from_ref(code),
                        // Past the opcode: within the instruction (rule 1).
                        ip: at.wrapping_add(1),
                        fp: stack_index!(fp),
                    });
                    push!(raise);
                    push!(payload);
                    fp = down!(sp, 1);
                    enter!(target);
                    continue 'dispatch;
                }};
            }
            // The general call, by the instruction at `$at`, of the callee below the
            // `$argc` arguments on top: any procedure, any arity. A tail call (`$op`)
            // has already moved them over its frame.
            macro_rules! call {
                ($at:expr, $op:expr, $argc:expr) => {{
                    let at = $at;
                    let mut argc = $argc;
                    loop {
                        let callee = stack_at!(argc + 1);
                        if callee.is(Kind::Closure) {
                            let target = code_of!(callee);
                            let params = target.params;
                            if argc != params {
                                if !target.rest || argc < params {
                                    fail!(at, super::arity_error(target, argc));
                                }
                                let list = self.store.heap.list(args!(argc - params));
                                sp = down!(sp, argc - params);
                                push!(list);
                            } else if target.rest {
                                push!(Value::NIL);
                            }
                            if !room!(target.max_stack + 1) {
                                fail!(at, stack_overflow(self.store.options.max_frames));
                            }
                            if $op == Op::Call {
                                if self.frames.len() >= self.frame_limit {
                                    fail!(at, stack_overflow(self.store.options.max_frames));
                                }
                                push_frame!();
                            }
                            fp = down!(sp, params + usize::from(target.rest));
                            enter!(target);
                            break;
                        }
                        if !callee.is(Kind::Primitive) {
                            fail!(at, Error::runtime("not a procedure", vec![callee]));
                        }
                        let index = callee.raw(0) as usize;
                        let value = match self.builtins.get(index).special {
                            Some(Special::Apply) => {
                                // (apply f a ... list): f takes apply's place, and the
                                // elements of list follow a ... Below two
                                // arguments the count would wrap as list is spread.
                                if argc < 2 {
                                    fail!(
                                        at,
                                        Error::runtime(
                                            "apply: expected a procedure and arguments",
                                            vec![]
                                        )
                                    );
                                }
                                let mut list = pop!();
                                let (from, to) = (down!(sp, argc - 1), down!(sp, argc));
                                // SAFETY: rule 3: the `argc - 1` arguments below `sp`
                                // move one slot down, over apply's procedure slot.
                                unsafe { std::ptr::copy(from, to, argc - 1) };
                                sp = down!(sp, 1);
                                argc -= 2;
                                while list.is_pair() {
                                    if !room!(1) {
                                        fail!(at, stack_overflow(self.store.options.max_frames));
                                    }
                                    push!(list.car());
                                    list = list.cdr();
                                    argc += 1;
                                }
                                if list != Value::NIL {
                                    fail!(
                                        at,
                                        Error::wrong_type(
                                            "apply",
                                            "a proper list as the last argument",
                                            list
                                        )
                                    );
                                }
                                continue;
                            }
                            Some(Special::Values) if argc == 1 => top!(),
                            Some(Special::Values) => {
                                // Where the values go: after this call, unless it
                                // is a tail call, then to the frames of this run.
                                let here = ($op == Op::Call).then_some(ip);
                                let frames = self.frames[base_frames..].iter().rev();
                                let points = here.into_iter().chain(frames.map(|f| f.ip));
                                // SAFETY: a frame's return point is just after its
                                // call instruction, in code the store keeps alive,
                                // and so is `ip` after this call's.
                                if !unsafe { super::takes_any_values(points) } {
                                    fail!(at, Error::value_count(argc));
                                }
                                let rtd = self.hooks.values_type();
                                builtins::records::values_record(
                                    &mut self.store.heap,
                                    rtd,
                                    args!(argc),
                                )
                            }
                            Some(Special::CallCc) if argc == 1 => {
                                // The continuation returns to where call/cc's result
                                // would go: the slot that holds call/cc itself.
                                let f = pop!();
                                sp = down!(sp, 1);
                                sync!();
                                let fp_index = stack_index!(fp);
                                let resume = ($op == Op::Call).then(|| Frame {
                                    code: std::ptr::from_ref(code),
                                    ip,
                                    fp: fp_index,
                                });
                                let k = self.capture_continuation(stack_index!(sp), resume);
                                push!(f);
                                push!(k);
                                continue;
                            }
                            Some(Special::Continue) if argc == 2 => {
                                let v = pop!();
                                let k = pop!();
                                if !k.is(Kind::Continuation) {
                                    fail!(at, Error::wrong_type("%continue", "a continuation", k));
                                }
                                if self.hooks.is_values(v) && !self.continuation_takes_values(k) {
                                    let n = builtins::records::multiple_values(v)
                                        .map_or(0, |vs| vs.len());
                                    fail!(at, Error::value_count(n));
                                }
                                let len = self.reinstate_continuation(k);
                                // `fp` is taken anew from the frame returned to.
                                stack_moved!(len);
                                return_to_caller!(v);
                                break;
                            }
                            special @ (Some(Special::Eval) | Some(Special::EvalSource))
                                if argc == 1 || (argc == 2 && special == Some(Special::Eval)) =>
                            {
                                // The compiled form takes the callee's place and is
                                // called with no arguments.
                                let arg = stack_at!(argc);
                                sync!();
                                let closure = if special == Some(Special::Eval) {
                                    let env = (argc == 2).then(|| stack_at!(1));
                                    self.eval_closure(arg, env, code.span_at(pc_of!(at)))
                                } else {
                                    self.loaded_closure(arg)
                                };
                                let closure = try_at!(at, closure);
                                sp = down!(sp, argc);
                                set_top!(closure);
                                argc = 0;
                                continue;
                            }
                            Some(Special::Collect) => {
                                let kind = try_at!(at, collection_kind(args!(argc)));
                                sync!();
                                self.collect(code, kind);
                                try_at!(at, self.store.check_memory());
                                Value::UNSPECIFIED
                            }
                            _ => {
                                sync!();
                                let args = args!(argc);
                                let mut result = self.builtins.call(&mut self.store, index, args);
                                if result.is_err() && self.store.reservation_refused {
                                    // The builtin may pass the memory limit unless a
                                    // collection frees room; it changed nothing yet.
                                    self.store.reservation_refused = false;
                                    self.collect(code, CollectionKind::Major);
                                    self.store.reserving_after_collection = true;
                                    result = self.builtins.call(&mut self.store, index, args);
                                    self.store.reserving_after_collection = false;
                                }
                                try_at!(at, result)
                            }
                        };
                        sp = down!(sp, argc + 1);
                        if $op == Op::TailCall {
                            return_value!(value);
                        } else {
                            push!(value);
                        }
                        break;
                    }
                }};
            }
            let at = ip;
            if TRACE {
                // Rules 2 and 3: the slots from `fp` up to `sp` are the frame's, all
                // initialized.
                let n = stack_index!(sp).saturating_sub(stack_index!(fp));
                // SAFETY: rules 2 and 3, as the comment above says.
                let frame = unsafe { std::slice::from_raw_parts(fp, n) };
                super::trace::instruction(code, pc_of!(at), frame);
            }
            // Rule 1: `ip` is at an instruction start, whose first byte the compiler
            // wrote from an `Op`.
            let byte = u8!();
            // SAFETY: as the comment above says.
            let op = unsafe { Op::from_byte_unchecked(byte) };
            match op {
                Op::Const => push!(constant!()),
                Op::Nil => push!(Value::NIL),
                Op::True => push!(Value::TRUE),
                Op::False => push!(Value::FALSE),
                Op::Unspecified => push!(Value::UNSPECIFIED),
                Op::Local => push!(local!()),
                Op::Local2 => {
                    push!(local!());
                    push!(local!());
                }
                Op::SetLocal => {
                    let s = u16!();
                    set_slot!(s, pop!());
                }
                Op::Free => push!(closure_self!().field(u16!() + 1)),
                Op::SelfRef => push!(closure_self!()),
                Op::Unbox => set_top!(top!().field(0)),
                Op::FreeUnbox => push!(closure_self!().field(u16!() + 1).field(0)),
                Op::Free2 => {
                    let closure = closure_self!();
                    push!(closure.field(u16!() + 1));
                    push!(closure.field(u16!() + 1));
                }
                Op::FreeSetBox => {
                    let b = closure_self!().field(u16!() + 1);
                    b.set_field(0, pop!());
                }
                Op::SetBox => {
                    let b = pop!();
                    b.set_field(0, pop!());
                }
                Op::BoxLocal => {
                    let s = u16!();
                    let boxed = self.store.heap.object(Kind::Box, 1, 1, slot!(s));
                    set_slot!(s, boxed);
                }
                Op::Global => {
                    let cell = constant!();
                    let v = cell.field(CELL_VALUE);
                    if v == Value::UNDEFINED {
                        fail!(at, unbound(cell));
                    }
                    push!(v);
                }
                Op::SetGlobal => {
                    let cell = constant!();
                    if cell.field(CELL_VALUE) == Value::UNDEFINED {
                        fail!(at, unbound(cell));
                    }
                    cell.set_field(CELL_VALUE, pop!());
                }
                Op::DefineGlobal => {
                    let cell = constant!();
                    cell.set_field(CELL_VALUE, pop!());
                }
                Op::Pop => sp = down!(sp, 1),
                Op::AcceptValues => {
                    // An arm with no code would jump straight back to the dispatch,
                    // making it a loop of one block, which LLVM never copies into the
                    // arms' ends (see .cargo/config.toml); an empty `asm!` gives the
                    // arm a block of its own.
                    // SAFETY: the assembly is empty: it reads, writes and jumps
                    // nowhere.
                    unsafe { std::arch::asm!("", options(nomem, nostack, preserves_flags)) };
                }
                Op::Slide => {
                    let n = u16!();
                    let v = pop!();
                    sp = down!(sp, n);
                    push!(v);
                }
                Op::Drop => sp = down!(sp, u16!()),
                Op::Jump => {
                    // The jump leaves the instruction, so `ip` need not move past it.
                    jump!(peek_u32!());
                }
                Op::JumpIfFalse => {
                    let target = u32!();
                    if pop!() == Value::FALSE {
                        jump!(target);
                    }
                }
                Op::Closure => {
                    let index = u32!();
                    let n = u16!();
                    let closure =
                        super::new_closure(&mut self.store.heap, &self.store.code[index], n);
                    for i in 0..n {
                        let kind = u8!();
                        let index = u16!();
                        let v = match kind {
                            k if k == Capture::Local as u8 => slot!(index),
                            k if k == Capture::Free as u8 => closure_self!().field(index + 1),
                            _ => closure_self!(),
                        };
                        closure.init_field(i + 1, v);
                    }
                    debug_assert_eq!(CAPTURE_BYTES, 3);
                    push!(closure);
                }
                Op::PatchCapture => {
                    let field = u16!() + 1;
                    let v = local!();
                    let closure = pop!();
                    // The compiler patches only closures it has just made, at one of
                    // their captures: anything else is its error, not the program's.
                    let captures = closure.is(Kind::Closure).then(|| {
                        let anchored = code_of!(closure).anchor.is_some();
                        closure.size() - 1 - usize::from(anchored)
                    });
                    if captures.is_none_or(|n| field > n) {
                        fail!(
                            at,
                            Error::runtime("patch-capture: not a capture", vec![closure])
                        );
                    }
                    closure.set_field(field, v);
                }
                Op::Call => {
                    let argc = u16!();
                    safepoint!(at);
                    let callee = stack_at!(argc + 1);
                    if callee.is(Kind::Closure) {
                        let target = code_of!(callee);
                        if direct_call!(target, argc) && self.frames.len() < self.frame_limit {
                            push_frame!();
                            fp = down!(sp, argc);
                            enter!(target);
                            continue;
                        }
                    }
                    call!(at, Op::Call, argc);
                }
                Op::TailCall => {
                    let argc = u16!();
                    safepoint!(at);
                    let from = down!(sp, argc + 1);
                    let callee = stack_at!(argc + 1);
                    if callee == closure_self!() && argc == code.params && !code.rest {
                        // The function calls itself (through a global, say): the
                        // arguments replace its parameters and it starts over.
                        move_down!(up!(from, 1), fp, argc);
                        sp = up!(fp, argc);
                        ip = code_start;
                        continue;
                    }
                    // The callee and its arguments move down over the current frame.
                    move_down!(from, down!(fp, 1), argc + 1);
                    sp = up!(fp, argc);
                    if callee.is(Kind::Closure) {
                        let target = code_of!(callee);
                        if direct_call!(target, argc) {
                            enter!(target);
                            continue;
                        }
                    }
                    call!(at, Op::TailCall, argc);
                }
                Op::SelfTailCall => {
                    // The code starts over, so `ip` need not move past the operand.
                    let argc = peek_u16!();
                    safepoint!(at);
                    move_down!(down!(sp, argc), fp, argc);
                    sp = up!(fp, argc);
                    ip = code_start;
                }
                Op::Loop => {
                    // A loop run in place: the arguments on top replace the loop's
                    // parameters in the frame, and whatever the body pushed goes.
                    let base = up!(fp, u16!());
                    let argc = u16!();
                    let head = peek_u32!();
                    move_down!(down!(sp, argc), base, argc);
                    sp = up!(base, argc);
                    safepoint!(at);
                    jump!(head);
                }
                Op::ReturnLocal => {
                    safepoint!(at);
                    // The frame ends here, so `ip` need not move past the operand.
                    return_value!(slot!(peek_u16!()));
                }
                Op::Return => {
                    safepoint!(at);
                    return_value!(pop!());
                }
                Op::Car | Op::Cdr => {
                    let p = pop!();
                    if !p.is_pair() {
                        let name = if op == Op::Car { "car" } else { "cdr" };
                        fail!(at, Error::wrong_type(name, "a pair", p));
                    }
                    push!(if op == Op::Car { p.car() } else { p.cdr() });
                }
                Op::SetCar | Op::SetCdr => {
                    let (p, v) = popped_pair!();
                    if !p.is_pair() {
                        let name = if op == Op::SetCar {
                            "set-car!"
                        } else {
                            "set-cdr!"
                        };
                        fail!(at, Error::wrong_type(name, "a pair", p));
                    }
                    if op == Op::SetCar {
                        p.set_car(v);
                    } else {
                        p.set_cdr(v);
                    }
                }
                Op::Cons => {
                    let (a, d) = popped_pair!();
                    push!(self.store.heap.cons(a, d));
                }
                Op::IsNull => set_top!(Value::bool(top!() == Value::NIL)),
                Op::IsPair => set_top!(Value::bool(top!().is_pair())),
                Op::Not => set_top!(Value::bool(top!() == Value::FALSE)),
                Op::IsEq => {
                    let b = pop!();
                    set_top!(Value::bool(top!() == b));
                }
                // One arm per operation, each with its operation as a constant.
                Op::Add => binary!(at, Op::Add),
                Op::Sub => binary!(at, Op::Sub),
                Op::Mul => binary!(at, Op::Mul),
                Op::Quotient => binary!(at, Op::Quotient),
                Op::Remainder => binary!(at, Op::Remainder),
                Op::Modulo => binary!(at, Op::Modulo),
                Op::Lt => binary!(at, Op::Lt),
                Op::Gt => binary!(at, Op::Gt),
                Op::Le => binary!(at, Op::Le),
                Op::Ge => binary!(at, Op::Ge),
                Op::NumEq => binary!(at, Op::NumEq),
                Op::IsZero => {
                    let a = pop!();
                    push!(arith!(at, Op::IsZero, a, Value::fixnum(0)));
                }
                Op::AddImm => {
                    let k = imm!();
                    let a = pop!();
                    push!(arith!(at, Op::Add, a, k));
                }
                Op::LocalAddImm => {
                    let a = local!();
                    let k = imm!();
                    push!(arith!(at, Op::Add, a, k));
                }
                Op::JumpUnlessLtImm => branch!(at, Op::Lt, (pop!(), imm!())),
                Op::JumpUnlessGtImm => branch!(at, Op::Gt, (pop!(), imm!())),
                Op::JumpUnlessLeImm => branch!(at, Op::Le, (pop!(), imm!())),
                Op::JumpUnlessGeImm => branch!(at, Op::Ge, (pop!(), imm!())),
                Op::JumpUnlessNumEqImm => branch!(at, Op::NumEq, (pop!(), imm!())),
                Op::JumpUnlessLt => branch!(at, Op::Lt, popped_pair!()),
                Op::JumpUnlessGt => branch!(at, Op::Gt, popped_pair!()),
                Op::JumpUnlessLe => branch!(at, Op::Le, popped_pair!()),
                Op::JumpUnlessGe => branch!(at, Op::Ge, popped_pair!()),
                Op::JumpUnlessNumEq => branch!(at, Op::NumEq, popped_pair!()),
                Op::JumpUnlessZero => {
                    let target = u32!();
                    let a = pop!();
                    if arith!(at, Op::IsZero, a, Value::fixnum(0)) == Value::FALSE {
                        jump!(target);
                    }
                }
                Op::JumpUnlessEq | Op::JumpUnlessNull | Op::JumpUnlessPair => {
                    let target = u32!();
                    let a = pop!();
                    let holds = match op {
                        Op::JumpUnlessEq => pop!() == a,
                        Op::JumpUnlessNull => a == Value::NIL,
                        _ => a.is_pair(),
                    };
                    if !holds {
                        jump!(target);
                    }
                }
                Op::JumpUnlessLtLocals => branch!(at, Op::Lt, (local!(), local!())),
                Op::JumpUnlessGtLocals => branch!(at, Op::Gt, (local!(), local!())),
                Op::JumpUnlessLeLocals => branch!(at, Op::Le, (local!(), local!())),
                Op::JumpUnlessGeLocals => branch!(at, Op::Ge, (local!(), local!())),
                Op::JumpUnlessNumEqLocals => branch!(at, Op::NumEq, (local!(), local!())),
                Op::JumpUnlessLtImmLocal => branch!(at, Op::Lt, (local!(), imm!())),
                Op::JumpUnlessGtImmLocal => branch!(at, Op::Gt, (local!(), imm!())),
                Op::JumpUnlessLeImmLocal => branch!(at, Op::Le, (local!(), imm!())),
                Op::JumpUnlessGeImmLocal => branch!(at, Op::Ge, (local!(), imm!())),
                Op::JumpUnlessNumEqImmLocal => branch!(at, Op::NumEq, (local!(), imm!())),
                Op::JumpUnlessNullLocal | Op::JumpUnlessPairLocal => {
                    let a = local!();
                    let target = u32!();
                    let holds = if op == Op::JumpUnlessNullLocal {
                        a == Value::NIL
                    } else {
                        a.is_pair()
                    };
                    if !holds {
                        jump!(target);
                    }
                }
                Op::AddLocals => {
                    let a = local!();
                    let b = local!();
                    push!(arith!(at, Op::Add, a, b));
                }
                Op::SubLocals => {
                    let a = local!();
                    let b = local!();
                    push!(arith!(at, Op::Sub, a, b));
                }
                Op::LocalCar | Op::LocalCdr => {
                    let p = local!();
                    if !p.is_pair() {
                        let name = if op == Op::LocalCar { "car" } else { "cdr" };
                        fail!(at, Error::wrong_type(name, "a pair", p));
                    }
                    push!(if op == Op::LocalCar { p.car() } else { p.cdr() });
                }
                Op::Memq | Op::JumpUnlessMemq => {
                    let target = if op == Op::JumpUnlessMemq { u32!() } else { 0 };
                    let (key, list) = popped_pair!();
                    let found = match memq_inline(key, list) {
                        Some(found) => found,
                        None => try_at!(at, self.generic_op(Op::Memq, key, list)),
                    };
                    if op == Op::Memq {
                        push!(found);
                    } else if found == Value::FALSE {
                        jump!(target);
                    }
                }
                Op::VectorRef => {
                    let i = pop!();
                    let v = pop!();
                    let Some(i) = vector_index(v, i) else {
                        fail!(at, vector_index_error(v, i, "vector-ref"));
                    };
                    push!(v.field(i));
                }
                Op::VectorSet => {
                    let x = pop!();
                    let i = pop!();
                    let v = pop!();
                    let Some(i) = vector_index(v, i) else {
                        fail!(at, vector_index_error(v, i, "vector-set!"));
                    };
                    v.set_field(i, x);
                }
                Op::IsRecord => {
                    let rtd = pop!();
                    set_top!(Value::bool(builtins::records::is_record_of(top!(), rtd)));
                }
                Op::MakeRecord => {
                    let argc = u16!();
                    let record = try_at!(
                        at,
                        builtins::records::make_record(&mut self.store, args!(argc))
                            .map_err(|e| e.named("%record"))
                    );
                    sp = down!(sp, argc);
                    push!(record);
                }
                Op::RecordRef => {
                    let (record, rtd, i, who) = (stack_at!(4), stack_at!(3), stack_at!(2), top!());
                    sp = down!(sp, 4);
                    let i = match builtins::records::field_slot(record, rtd, i) {
                        Some(i) => i,
                        None => fail!(at, record_field_error("%record-ref", record, rtd, i, who)),
                    };
                    push!(record.field(i));
                }
                Op::RecordSet => {
                    let (record, rtd, i) = (stack_at!(5), stack_at!(4), stack_at!(3));
                    let (value, who) = (stack_at!(2), top!());
                    sp = down!(sp, 5);
                    let i = match builtins::records::field_slot(record, rtd, i) {
                        Some(i) => i,
                        None => fail!(at, record_field_error("%record-set!", record, rtd, i, who)),
                    };
                    record.set_field(i, value);
                }
            }
        }
    }
}

/// Moves `n` slots from `from` down to `to` (`to <= from`; the ranges may overlap), for
/// the arguments of tail calls and loops. The counts are small: a few moves, not a call
/// of `memmove`.
///
/// # Safety
///
/// Both ranges are inside the value stack, and `to <= from`.
#[inline(always)]
unsafe fn move_down(from: *const Value, to: *mut Value, n: usize) {
    // SAFETY: the caller's contract; moving up from the lowest slot never overwrites a
    // slot before it is read, since `to <= from`.
    unsafe {
        match n {
            0 => {}
            1 => to.write(from.read()),
            2 => {
                to.write(from.read());
                to.add(1).write(from.add(1).read());
            }
            3 => {
                to.write(from.read());
                to.add(1).write(from.add(1).read());
                to.add(2).write(from.add(2).read());
            }
            4 => {
                to.write(from.read());
                to.add(1).write(from.add(1).read());
                to.add(2).write(from.add(2).read());
                to.add(3).write(from.add(3).read());
            }
            _ => {
                for i in 0..n {
                    to.add(i).write(from.add(i).read());
                }
            }
        }
    }
}
