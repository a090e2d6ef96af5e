//! Continuations, by copying the stack: `call/cc` copies the value stack and the frames
//! into one heap object, and invoking the continuation copies them back.
//!
//! A continuation is a `Continuation` object laid out as
//! `[n, stack values (n)..., m, frames (3 m raw words)..., run, form]`: the `n + 1` leading fields
//! are traced (so the collector keeps whatever the saved stack refers to), the frame
//! words are not (a frame is a code address, an instruction offset and a frame index,
//! none of them a value), nor are the last two (the program's top-level form that
//! captured it: see `Vm::eval_file`). Resuming always means "return a value to the innermost saved
//! frame", so a `call/cc` in tail position captures its caller's frames as they are, and
//! one in a non-tail position adds the frame that the call would have pushed.
//!
//! Copying costs the depth of the stack at capture and at each re-entry, and makes every
//! continuation re-entrant, any number of times, after the procedure that captured it
//! has returned. The code a saved frame runs stays alive: `Vm::keep_code_alive` moves
//! the running top-level code into the store's code table for good, and code that
//! `eval` made stays there while a closure of it is alive, as the saved stack holds
//! the closure of every saved frame.

use super::{proto, Frame, Proto, Vm};
use crate::object::Alloc;
use crate::value::{Kind, Value};

/// Raw words a saved frame takes.
const FRAME_WORDS: usize = 3;

/// Raw words the program position takes.
const POSITION_WORDS: usize = 2;

impl Vm {
    /// Captures the continuation of a call whose result would be stored at stack slot
    /// `result_slot`: the stack below it, the frames, and `resume` when the call is not a
    /// tail call (the frame it would have pushed).
    ///
    /// The VM stack's length must be synced with the interpreter's (`sync!`).
    pub(super) fn capture_continuation(
        &mut self,
        result_slot: usize,
        resume: Option<Frame>,
    ) -> Value {
        self.keep_code_alive();
        let n = result_slot;
        let frames: Vec<&Frame> = self.frames.iter().chain(resume.as_ref()).collect();
        let m = frames.len();
        let size = 1 + n + 1 + FRAME_WORDS * m + POSITION_WORDS;
        let k = self
            .store
            .heap
            .object(Kind::Continuation, size, n + 1, Value::FALSE);
        k.init_field(0, Value::fixnum(n as i64));
        for (i, &v) in self.stack[..n].iter().enumerate() {
            k.init_field(1 + i, v);
        }
        k.set_raw(1 + n, m as u64);
        for (i, f) in frames.iter().enumerate() {
            let at = 2 + n + FRAME_WORDS * i;
            k.set_raw(at, f.code.expose_provenance() as u64);
            k.set_raw(at + 1, f.pc() as u64);
            k.set_raw(at + 2, f.fp as u64);
        }
        let at = 2 + n + FRAME_WORDS * m;
        k.set_raw(at, self.position.run);
        k.set_raw(at + 1, self.position.form as u64);
        k
    }

    /// Whether continuation `k` takes any number of values (`takes_any_values`).
    pub(super) fn continuation_takes_values(&self, k: Value) -> bool {
        let n = k.field(0).fixnum_value() as usize;
        let m = k.raw(1 + n) as usize;
        let points = (0..m).rev().map(|i| {
            let at = 2 + n + FRAME_WORDS * i;
            let code: *const Proto = std::ptr::with_exposed_provenance(k.raw(at) as usize);
            // SAFETY: as in `reinstate_continuation`: the code is alive, and the offset
            // is within it.
            unsafe { proto(code).code.as_ptr().add(k.raw(at + 1) as usize) }
        });
        // SAFETY: each offset is the return point of a call.
        unsafe { super::takes_any_values(points) }
    }

    /// Puts the stack and frames saved in `k` back in place of the current ones, and
    /// returns the saved stack's length. The caller then returns a value to the innermost
    /// restored frame.
    pub(super) fn reinstate_continuation(&mut self, k: Value) -> usize {
        debug_assert!(k.is(Kind::Continuation));
        let n = k.field(0).fixnum_value() as usize;
        self.stack.clear();
        self.stack.extend((0..n).map(|i| k.field(1 + i)));
        let m = k.raw(1 + n) as usize;
        self.frames.clear();
        self.frames.extend((0..m).map(|i| {
            let at = 2 + n + FRAME_WORDS * i;
            let code: *const Proto = std::ptr::with_exposed_provenance(k.raw(at) as usize);
            // SAFETY: the address was a frame's code when the continuation was captured,
            // and code the VM has run stays alive (see `keep_code_alive`); the offset is
            // one of its instruction boundaries.
            let ip = unsafe { proto(code).code.as_ptr().add(k.raw(at + 1) as usize) };
            Frame {
                code,
                ip,
                fp: k.raw(at + 2) as usize,
            }
        }));
        let at = 2 + n + FRAME_WORDS * m;
        self.position = super::ProgramPosition {
            run: k.raw(at),
            form: k.raw(at + 1) as usize,
        };
        n
    }
}
