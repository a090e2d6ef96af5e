//! The virtual machine: a loop over bytecode with its own value and frame stacks.
//!
//! A Scheme call pushes a [`Frame`] on `frames`, never a Rust frame, so recursion depth is
//! bounded only by `Options::max_frames`. Calls, tail calls and returns are the
//! safepoints: there, and only there, the VM collects when the heap asks for it, with the
//! value stack, the frames' code, and the runtime's tables as roots.

mod code;
mod op;

use std::rc::Rc;
use std::sync::Arc;

use rudo_gc::{RootSet, RootVisitor};

pub use code::Proto;
pub use op::{disassemble, Op};

use crate::builtins::{self, Special};
use crate::compiler;
use crate::error::{Error, ErrorKind, Result};
use crate::object::{symbol_name, vector_len, Alloc};
use crate::reader::{read_all, Datum, SourceFile};
use crate::runtime::{Options, Runtime, RuntimeRoots, CELL_NAME, CELL_VALUE};
use crate::value::{Kind, Value};
use op::{read_u16, read_u32, CAPTURE_BYTES};

/// Where a call returns to.
struct Frame {
    code: Rc<Proto>,
    pc: usize,
    fp: usize,
}

pub struct Vm {
    pub rt: Runtime,
    stack: Vec<Value>,
    frames: Vec<Frame>,
}

/// Frames shown in a backtrace, at most.
const BACKTRACE_LIMIT: usize = 20;

impl Vm {
    pub fn new(options: Options) -> Vm {
        let mut vm = Vm {
            rt: Runtime::new(options),
            stack: Vec::new(),
            frames: Vec::new(),
        };
        vm.load_prelude();
        vm
    }

    fn load_prelude(&mut self) {
        let file = SourceFile::new("<prelude>", builtins::PRELUDE);
        self.eval_file(&file)
            .unwrap_or_else(|e| panic!("the prelude is valid Scheme: {e}"));
    }

    /// Reads and evaluates every form of `file`; the value of the last.
    pub fn eval_file(&mut self, file: &Arc<SourceFile>) -> Result<Value> {
        let datums = read_all(file, self.rt.options.max_read_depth)?;
        let mut last = Value::UNSPECIFIED;
        for d in &datums {
            last = self.eval_datum(d)?;
        }
        Ok(last)
    }

    pub fn eval_datum(&mut self, d: &Datum) -> Result<Value> {
        let code = compiler::compile(&mut self.rt, d)?;
        self.run(code)
    }

    /// The code objects `d` compiles to, disassembled.
    pub fn disassemble_datum(&mut self, d: &Datum) -> Result<String> {
        let first = self.rt.code.len();
        let top = compiler::compile(&mut self.rt, d)?;
        let mut out = String::new();
        for (i, proto) in self.rt.code.iter().enumerate().skip(first) {
            out.push_str(&disassemble(proto, i));
        }
        out.push_str(&disassemble(&top, usize::MAX));
        Ok(out)
    }

    /// Collects if the heap has asked for it (or always, under stress).
    #[inline(always)]
    fn safepoint(&mut self, current: &Proto) {
        if self.rt.heap.collection_requested() || self.rt.options.gc_stress {
            self.collect(current);
        }
    }

    pub fn collect(&mut self, current: &Proto) {
        let Runtime {
            heap,
            symbols,
            globals,
            builtin_values,
            code,
            options,
            ..
        } = &mut self.rt;
        let roots = VmRoots {
            runtime: RuntimeRoots {
                symbols,
                globals,
                builtin_values,
                code,
            },
            stack: &self.stack,
            frames: &self.frames,
            current,
        };
        heap.collect(&roots);
        if options.gc_stress {
            if let Err(e) = heap.verify(&roots) {
                eprintln!("rudo-scheme: heap verification failed after a collection: {e}");
                std::process::abort();
            }
        }
    }

    /// Runs top-level code to completion.
    pub fn run(&mut self, code: Rc<Proto>) -> Result<Value> {
        let base_frames = self.frames.len();
        let base_stack = self.stack.len();
        // The slot below a frame holds its closure; top-level code has none.
        self.stack.push(Value::FALSE);
        let result = self.execute(code, base_frames);
        if result.is_err() {
            self.frames.truncate(base_frames);
        }
        self.stack.truncate(base_stack);
        result
    }

    fn execute(&mut self, entry: Rc<Proto>, base_frames: usize) -> Result<Value> {
        let mut code = entry;
        let mut pc = 0;
        let mut fp = self.stack.len();
        macro_rules! fail {
            ($e:expr, $at:expr) => {
                return Err(self.locate($e, &code, $at))
            };
        }
        loop {
            let at = pc;
            let Some(op) = Op::from_byte(code.code[pc]) else {
                fail!(Error::runtime("bad opcode", vec![]), at)
            };
            pc += 1;
            match op {
                Op::Const => {
                    let k = read_u16(&code.code, pc) as usize;
                    pc += 2;
                    self.stack.push(code.constants[k]);
                }
                Op::Nil => self.stack.push(Value::NIL),
                Op::True => self.stack.push(Value::TRUE),
                Op::False => self.stack.push(Value::FALSE),
                Op::Unspecified => self.stack.push(Value::UNSPECIFIED),
                Op::Local => {
                    let s = read_u16(&code.code, pc) as usize;
                    pc += 2;
                    self.stack.push(self.stack[fp + s]);
                }
                Op::SetLocal => {
                    let s = read_u16(&code.code, pc) as usize;
                    pc += 2;
                    self.stack[fp + s] = self.pop();
                }
                Op::Free => {
                    let i = read_u16(&code.code, pc) as usize;
                    pc += 2;
                    self.stack.push(self.stack[fp - 1].field(1 + i));
                }
                Op::Unbox => {
                    let b = self.pop();
                    self.stack.push(b.field(0));
                }
                Op::SetBox => {
                    let b = self.pop();
                    let v = self.pop();
                    b.set_field(0, v);
                }
                Op::BoxLocal => {
                    let s = read_u16(&code.code, pc) as usize;
                    pc += 2;
                    let b = self.rt.heap.object(Kind::Box, 1, 1, self.stack[fp + s]);
                    self.stack[fp + s] = b;
                }
                Op::Global => {
                    let cell = code.constants[read_u16(&code.code, pc) as usize];
                    pc += 2;
                    let v = cell.field(CELL_VALUE);
                    if v == Value::UNDEFINED {
                        fail!(unbound(cell), at);
                    }
                    self.stack.push(v);
                }
                Op::SetGlobal => {
                    let cell = code.constants[read_u16(&code.code, pc) as usize];
                    pc += 2;
                    if cell.field(CELL_VALUE) == Value::UNDEFINED {
                        fail!(unbound(cell), at);
                    }
                    let v = self.pop();
                    cell.set_field(CELL_VALUE, v);
                }
                Op::DefineGlobal => {
                    let cell = code.constants[read_u16(&code.code, pc) as usize];
                    pc += 2;
                    let v = self.pop();
                    cell.set_field(CELL_VALUE, v);
                }
                Op::Pop => {
                    self.stack.pop();
                }
                Op::Slide => {
                    let n = read_u16(&code.code, pc) as usize;
                    pc += 2;
                    let v = self.pop();
                    let len = self.stack.len();
                    self.stack.truncate(len - n);
                    self.stack.push(v);
                }
                Op::Drop => {
                    let n = read_u16(&code.code, pc) as usize;
                    pc += 2;
                    let len = self.stack.len();
                    self.stack.truncate(len - n);
                }
                Op::Jump => pc = read_u32(&code.code, pc) as usize,
                Op::JumpIfFalse => {
                    if self.pop() == Value::FALSE {
                        pc = read_u32(&code.code, pc) as usize;
                    } else {
                        pc += 4;
                    }
                }
                Op::Closure => {
                    let index = read_u32(&code.code, pc) as usize;
                    let n = read_u16(&code.code, pc + 4) as usize;
                    pc += 6;
                    let closure = self
                        .rt
                        .heap
                        .object(Kind::Closure, 1 + n, 1 + n, Value::FALSE);
                    closure.set_field(0, Value::fixnum(index as i64));
                    for i in 0..n {
                        let c = pc + i * CAPTURE_BYTES;
                        let slot = read_u16(&code.code, c + 1) as usize;
                        let v = if code.code[c] == 0 {
                            self.stack[fp + slot]
                        } else {
                            self.stack[fp - 1].field(1 + slot)
                        };
                        closure.set_field(1 + i, v);
                    }
                    pc += n * CAPTURE_BYTES;
                    self.stack.push(closure);
                }
                Op::Call | Op::TailCall => {
                    let mut argc = read_u16(&code.code, pc) as usize;
                    pc += 2;
                    self.safepoint(&code);
                    if op == Op::TailCall {
                        // Move the callee and its arguments down over the current frame.
                        let from = self.stack.len() - argc - 1;
                        self.stack.copy_within(from.., fp - 1);
                        self.stack.truncate(fp + argc);
                    }
                    loop {
                        let callee = self.stack[self.stack.len() - argc - 1];
                        if callee.is(Kind::Closure) {
                            let target =
                                self.rt.code[callee.field(0).fixnum_value() as usize].clone();
                            if let Err(e) = self.bind_arguments(&target, argc) {
                                fail!(e, at);
                            }
                            if op == Op::Call {
                                if self.frames.len() >= self.rt.options.max_frames {
                                    fail!(stack_overflow(self.rt.options.max_frames), at);
                                }
                                self.frames.push(Frame { code, pc, fp });
                            }
                            fp = self.stack.len() - target.params - usize::from(target.rest);
                            code = target;
                            pc = 0;
                            break;
                        }
                        if !callee.is(Kind::Primitive) {
                            fail!(Error::runtime("not a procedure", vec![callee]), at);
                        }
                        let index = callee.raw(0) as usize;
                        let builtin = &self.rt.builtins[index];
                        let base = self.stack.len() - argc;
                        let value = match builtin.special {
                            Some(Special::Apply) => {
                                match self.spread_apply(argc) {
                                    Ok(n) => argc = n,
                                    Err(e) => fail!(e, at),
                                }
                                continue;
                            }
                            Some(Special::Collect) if argc == 0 => {
                                self.collect(&code);
                                Value::UNSPECIFIED
                            }
                            _ => match builtins::call(&mut self.rt, index, &self.stack[base..]) {
                                Ok(v) => v,
                                Err(e) => fail!(e, at),
                            },
                        };
                        self.stack.truncate(base - 1);
                        self.stack.push(value);
                        if op == Op::TailCall {
                            match self.frames.pop() {
                                Some(f) if self.frames.len() >= base_frames => {
                                    self.stack.truncate(fp - 1);
                                    self.stack.push(value);
                                    (code, pc, fp) = (f.code, f.pc, f.fp);
                                }
                                popped => {
                                    if let Some(f) = popped {
                                        self.frames.push(f);
                                    }
                                    return Ok(value);
                                }
                            }
                        }
                        break;
                    }
                }
                Op::Return => {
                    self.safepoint(&code);
                    let value = self.pop();
                    self.stack.truncate(fp - 1);
                    if self.frames.len() == base_frames {
                        return Ok(value);
                    }
                    let f = self.frames.pop().expect("a frame to return to");
                    (code, pc, fp) = (f.code, f.pc, f.fp);
                    self.stack.push(value);
                }
                Op::Car | Op::Cdr => {
                    let p = self.pop();
                    if !p.is_pair() {
                        let name = if op == Op::Car { "car" } else { "cdr" };
                        fail!(Error::wrong_type(name, "a pair", p), at);
                    }
                    self.stack
                        .push(if op == Op::Car { p.car() } else { p.cdr() });
                }
                Op::Cons => {
                    let d = self.pop();
                    let a = self.pop();
                    let p = self.rt.heap.cons(a, d);
                    self.stack.push(p);
                }
                Op::IsNull => {
                    let v = self.pop();
                    self.stack.push(Value::bool(v == Value::NIL));
                }
                Op::IsPair => {
                    let v = self.pop();
                    self.stack.push(Value::bool(v.is_pair()));
                }
                Op::Not => {
                    let v = self.pop();
                    self.stack.push(Value::bool(v == Value::FALSE));
                }
                Op::IsEq => {
                    let b = self.pop();
                    let a = self.pop();
                    self.stack.push(Value::bool(a == b));
                }
                Op::Add
                | Op::Sub
                | Op::Mul
                | Op::Lt
                | Op::Gt
                | Op::Le
                | Op::Ge
                | Op::NumEq
                | Op::IsZero => {
                    if let Err(e) = self.arithmetic(op) {
                        fail!(e, at);
                    }
                }
                Op::VectorRef => {
                    let i = self.pop();
                    let v = self.pop();
                    match vector_index(v, i, "vector-ref") {
                        Ok(i) => self.stack.push(v.field(i)),
                        Err(e) => fail!(e, at),
                    }
                }
                Op::VectorSet => {
                    let x = self.pop();
                    let i = self.pop();
                    let v = self.pop();
                    match vector_index(v, i, "vector-set!") {
                        Ok(i) => v.set_field(i, x),
                        Err(e) => fail!(e, at),
                    }
                    self.stack.push(Value::UNSPECIFIED);
                }
            }
        }
    }

    #[inline(always)]
    fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("the compiler keeps the stack balanced")
    }

    /// Checks the argument count of a call to `target`, and gathers rest arguments.
    fn bind_arguments(&mut self, target: &Proto, argc: usize) -> Result<()> {
        let n = target.params;
        if argc == n || (target.rest && argc > n) {
            if target.rest {
                let extra = self.stack.split_off(self.stack.len() - (argc - n));
                let list = self.rt.heap.list(&extra);
                self.stack.push(list);
            }
            return Ok(());
        }
        let expected = if target.rest {
            format!("at least {n}")
        } else {
            n.to_string()
        };
        let plural = if expected == "1" { "" } else { "s" };
        let name = target.name.as_deref().unwrap_or("anonymous procedure");
        Err(Error::runtime(
            format!("{name}: expected {expected} argument{plural}, got {argc}"),
            vec![],
        ))
    }

    /// `(apply f a ... list)`: replaces the call's arguments by `a ...` and the elements of
    /// `list`, and the callee by `f`. Returns the new argument count.
    fn spread_apply(&mut self, argc: usize) -> Result<usize> {
        if argc == 0 {
            return Err(Error::runtime(
                "apply: expected a procedure and arguments",
                vec![],
            ));
        }
        let base = self.stack.len() - argc - 1;
        let mut list = self.pop();
        // Drop the `apply` primitive; the procedure takes its place.
        self.stack.remove(base);
        let mut n = argc - 2;
        while list.is_pair() {
            self.stack.push(list.car());
            list = list.cdr();
            n += 1;
        }
        if list != Value::NIL {
            return Err(Error::wrong_type(
                "apply",
                "a proper list as the last argument",
                list,
            ));
        }
        Ok(n)
    }

    /// The inline arithmetic: fixnums here, everything else through the builtins.
    #[inline(always)]
    fn arithmetic(&mut self, op: Op) -> Result<()> {
        if op == Op::IsZero {
            let a = self.pop();
            let r = match a.as_fixnum() {
                Some(n) => Value::bool(n == 0),
                None => builtins::numbers::is_zero(&mut self.rt, &[a])?,
            };
            self.stack.push(r);
            return Ok(());
        }
        let b = self.pop();
        let a = self.pop();
        if a.is_fixnum() && b.is_fixnum() {
            // Fixnums are shifted left two bits: sums, differences and comparisons work on
            // the words themselves, and overflow of the word is overflow of the fixnum.
            let (x, y) = (a.word().bits() as i64, b.word().bits() as i64);
            let fast = match op {
                Op::Add => x
                    .checked_add(y)
                    .map(|s| Value(rudo_gc::Word::from_bits(s as u64))),
                Op::Sub => x
                    .checked_sub(y)
                    .map(|s| Value(rudo_gc::Word::from_bits(s as u64))),
                Op::Mul => a
                    .fixnum_value()
                    .checked_mul(y)
                    .map(|s| Value(rudo_gc::Word::from_bits(s as u64))),
                Op::Lt => Some(Value::bool(x < y)),
                Op::Gt => Some(Value::bool(x > y)),
                Op::Le => Some(Value::bool(x <= y)),
                Op::Ge => Some(Value::bool(x >= y)),
                Op::NumEq => Some(Value::bool(x == y)),
                _ => unreachable!("arithmetic ops only"),
            };
            if let Some(v) = fast {
                self.stack.push(v);
                return Ok(());
            }
        }
        let name = match op {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
            _ => "=",
        };
        let index = self
            .rt
            .builtins
            .iter()
            .position(|b| b.name == name)
            .expect("arithmetic builtins exist");
        let v = builtins::call(&mut self.rt, index, &[a, b])?;
        self.stack.push(v);
        Ok(())
    }

    /// Adds the source position and the backtrace to an error raised at `pc` of `code`.
    fn locate(&self, e: Error, code: &Proto, pc: usize) -> Error {
        let mut e = e.at(code.span_at(pc));
        if e.kind == ErrorKind::Runtime && e.backtrace.is_empty() {
            let calls = std::iter::once(frame_line(code, pc)).chain(
                self.frames
                    .iter()
                    .rev()
                    .map(|f| frame_line(&f.code, f.pc.saturating_sub(1))),
            );
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

fn frame_line(code: &Proto, pc: usize) -> String {
    let name = code.name.as_deref().unwrap_or("anonymous procedure");
    match code.span_at(pc) {
        Some(span) => format!("{name} at {span}"),
        None => name.to_string(),
    }
}

fn unbound(cell: Value) -> Error {
    Error::runtime(
        format!("unbound variable: {}", symbol_name(cell.field(CELL_NAME))),
        vec![],
    )
}

fn stack_overflow(limit: usize) -> Error {
    Error::runtime(
        format!("stack overflow: more than {limit} nested calls"),
        vec![],
    )
}

fn vector_index(v: Value, i: Value, name: &str) -> Result<usize> {
    if !v.is(Kind::Vector) {
        return Err(Error::wrong_type(name, "a vector", v));
    }
    match i.as_fixnum() {
        Some(k) if k >= 0 && (k as usize) < vector_len(v) => Ok(k as usize),
        Some(_) => Err(Error::runtime(
            format!("{name}: index out of range"),
            vec![i],
        )),
        None => Err(Error::wrong_type(name, "an exact integer index", i)),
    }
}

/// Everything live at a safepoint.
struct VmRoots<'a> {
    runtime: RuntimeRoots<'a>,
    stack: &'a [Value],
    frames: &'a [Frame],
    current: &'a Proto,
}

impl RootSet for VmRoots<'_> {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        self.runtime.visit(roots);
        for v in self.stack {
            roots.word(v.word());
        }
        for proto in self
            .frames
            .iter()
            .map(|f| &*f.code)
            .chain(std::iter::once(self.current))
        {
            for c in &proto.constants {
                roots.word(c.word());
            }
        }
    }
}
