//! The instruction set, and the disassembler.
//!
//! An instruction is one opcode byte followed by its operands in the stream: `u16` for
//! slots, constants and counts, `u32` for jump targets and code indices, little-endian.

use std::fmt::Write as _;

use super::proto::Proto;
use crate::object::CELL_NAME;
use crate::printer::{to_string, Style};
use crate::value::{Kind, Value};

macro_rules! ops {
    ($($name:ident $text:literal [$($operand:ident),*];)*) => {
        /// One opcode.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub enum Op { $($name),* }

        impl Op {
            const ALL: &'static [Op] = &[$(Op::$name),*];

            /// The opcode a byte stands for.
            ///
            /// # Safety
            /// `b` was written from an `Op` (as `op as u8`).
            #[inline(always)]
            pub unsafe fn from_byte_unchecked(b: u8) -> Op {
                debug_assert!((b as usize) < Op::ALL.len());
                // SAFETY: `Op` is `repr(u8)`, and the caller passes one of its values.
                unsafe { std::mem::transmute::<u8, Op>(b) }
            }

            #[inline(always)]
            pub fn from_byte(b: u8) -> Option<Op> {
                if (b as usize) < Op::ALL.len() {
                    // SAFETY: `Op` is `repr(u8)` and its discriminants are 0, 1, ... in
                    // declaration order, one for each entry of `ALL`, so every byte below
                    // `ALL.len()` is one of them.
                    Some(unsafe { std::mem::transmute::<u8, Op>(b) })
                } else {
                    None
                }
            }

            pub fn mnemonic(self) -> &'static str {
                match self { $(Op::$name => $text),* }
            }

            /// The operand kinds that follow the opcode.
            pub fn operands(self) -> &'static [Operand] {
                match self { $(Op::$name => &[$(Operand::$operand),*]),* }
            }
        }
    };
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A `u16`: a slot, a count, or an index.
    U16,
    /// An `i16`: a small integer operand.
    I16,
    /// A `u16` index into the constants.
    Const,
    /// A `u32` code offset.
    Target,
    /// A `u32` index into the runtime's code table.
    Code,
}

ops! {
    Const "const" [Const];
    Nil "nil" [];
    True "true" [];
    False "false" [];
    Unspecified "unspecified" [];
    Local "local" [U16];
    Local2 "local2" [U16, U16];
    SetLocal "set-local" [U16];
    Free "free" [U16];
    SelfRef "self" [];
    Unbox "unbox" [];
    SetBox "set-box" [];
    BoxLocal "box-local" [U16];
    Global "global" [Const];
    SetGlobal "set-global" [Const];
    DefineGlobal "define-global" [Const];
    Pop "pop" [];
    Slide "slide" [U16];
    Drop "drop" [U16];
    Jump "jump" [Target];
    JumpIfFalse "jump-if-false" [Target];
    Closure "closure" [Code, U16];
    Call "call" [U16];
    // Does nothing: marks the call before it as one whose return point takes any number
    // of values (`%call-for-values`).
    AcceptValues "accept-values" [];
    TailCall "tail-call" [U16];
    SelfTailCall "self-tail-call" [U16];
    Loop "loop" [U16, U16, Target];
    Return "return" [];
    ReturnLocal "return-local" [U16];
    Add "add" [];
    Sub "sub" [];
    Mul "mul" [];
    Quotient "quotient" [];
    Remainder "remainder" [];
    Modulo "modulo" [];
    Lt "lt" [];
    Gt "gt" [];
    Le "le" [];
    Ge "ge" [];
    NumEq "num-eq" [];
    Cons "cons" [];
    Car "car" [];
    Cdr "cdr" [];
    IsNull "null?" [];
    IsPair "pair?" [];
    Not "not" [];
    IsEq "eq?" [];
    IsZero "zero?" [];
    VectorRef "vector-ref" [];
    VectorSet "vector-set!" [];
    SetCar "set-car!" [];
    SetCdr "set-cdr!" [];
    IsRecord "record?" [];
    MakeRecord "make-record" [U16];
    RecordRef "record-ref" [];
    RecordSet "record-set!" [];
    AddImm "add-imm" [I16];
    LocalAddImm "local-add-imm" [U16, I16];
    JumpUnlessLt "jump-unless-lt" [Target];
    JumpUnlessGt "jump-unless-gt" [Target];
    JumpUnlessLe "jump-unless-le" [Target];
    JumpUnlessGe "jump-unless-ge" [Target];
    JumpUnlessNumEq "jump-unless-num-eq" [Target];
    JumpUnlessEq "jump-unless-eq?" [Target];
    JumpUnlessNull "jump-unless-null?" [Target];
    JumpUnlessPair "jump-unless-pair?" [Target];
    JumpUnlessZero "jump-unless-zero?" [Target];
    JumpUnlessLtImm "jump-unless-lt-imm" [I16, Target];
    JumpUnlessGtImm "jump-unless-gt-imm" [I16, Target];
    JumpUnlessLeImm "jump-unless-le-imm" [I16, Target];
    JumpUnlessGeImm "jump-unless-ge-imm" [I16, Target];
    JumpUnlessNumEqImm "jump-unless-num-eq-imm" [I16, Target];
    AddLocals "add-locals" [U16, U16];
    SubLocals "sub-locals" [U16, U16];
    LocalCar "local-car" [U16];
    LocalCdr "local-cdr" [U16];
    JumpUnlessNullLocal "jump-unless-null?-local" [U16, Target];
    JumpUnlessPairLocal "jump-unless-pair?-local" [U16, Target];
    JumpUnlessLtLocals "jump-unless-lt-locals" [U16, U16, Target];
    JumpUnlessGtLocals "jump-unless-gt-locals" [U16, U16, Target];
    JumpUnlessLeLocals "jump-unless-le-locals" [U16, U16, Target];
    JumpUnlessGeLocals "jump-unless-ge-locals" [U16, U16, Target];
    JumpUnlessNumEqLocals "jump-unless-num-eq-locals" [U16, U16, Target];
    JumpUnlessLtImmLocal "jump-unless-lt-imm-local" [U16, I16, Target];
    JumpUnlessGtImmLocal "jump-unless-gt-imm-local" [U16, I16, Target];
    JumpUnlessLeImmLocal "jump-unless-le-imm-local" [U16, I16, Target];
    JumpUnlessGeImmLocal "jump-unless-ge-imm-local" [U16, I16, Target];
    JumpUnlessNumEqImmLocal "jump-unless-num-eq-imm-local" [U16, I16, Target];
    // A captured variable that `set!` assigns: read or assigned through its box.
    FreeUnbox "free-unbox" [U16];
    Free2 "free2" [U16, U16];
    FreeSetBox "free-set-box" [U16];
    Memq "memq" [];
    JumpUnlessMemq "jump-unless-memq" [Target];
    // `patch-capture k v`: free variable `k` of the closure on top, popped, becomes the
    // value of slot `v`. Closures of one group (see `codegen::groups`) are made before
    // the later ones' variables have values, and get them this way.
    PatchCapture "patch-capture" [U16, U16];
}

/// A closure's capture list follows `closure`: for each free variable, a [`Capture`] byte
/// and a `u16`, the slot or free variable it is copied from.
pub const CAPTURE_BYTES: usize = 3;

/// Where a closure's free variable comes from when `closure` makes it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Capture {
    /// A local slot of the creating frame.
    Local = 0,
    /// A free variable of the creating closure.
    Free = 1,
    /// The creating closure itself (the `u16` is unused).
    OwnClosure = 2,
}

impl Capture {
    pub fn from_byte(b: u8) -> Option<Capture> {
        [Capture::Local, Capture::Free, Capture::OwnClosure]
            .into_iter()
            .find(|c| *c as u8 == b)
    }
}

/// A constant as the listing shows it: a global cell by its variable's name.
fn describe_constant(v: Value) -> String {
    if v.is(Kind::Global) {
        return format!("global {}", to_string(v.field(CELL_NAME), Style::Write));
    }
    to_string(v, Style::Write)
}

pub fn read_u16(code: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([code[at], code[at + 1]])
}

pub fn read_u32(code: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([code[at], code[at + 1], code[at + 2], code[at + 3]])
}

/// The length in bytes of the instruction at `pc`.
pub fn instruction_len(code: &[u8], pc: usize) -> usize {
    let Some(op) = Op::from_byte(code[pc]) else {
        return 1;
    };
    let operands: usize = op
        .operands()
        .iter()
        .map(|o| {
            if matches!(o, Operand::U16 | Operand::I16 | Operand::Const) {
                2
            } else {
                4
            }
        })
        .sum();
    let captures = if op == Op::Closure {
        read_u16(code, pc + 5) as usize * CAPTURE_BYTES
    } else {
        0
    };
    1 + operands + captures
}

/// The instruction at `pc` of `proto`: its mnemonic and operands, constants shown.
pub fn instruction_text(proto: &Proto, pc: usize) -> String {
    let code = &proto.code;
    let mut out = String::new();
    let Some(op) = Op::from_byte(code[pc]) else {
        return format!("?? {:#x}", code[pc]);
    };
    let _ = write!(out, "{:<14}", op.mnemonic());
    let mut at = pc + 1;
    for operand in op.operands() {
        match operand {
            Operand::U16 => {
                let _ = write!(out, " {}", read_u16(code, at));
                at += 2;
            }
            Operand::I16 => {
                let _ = write!(out, " {}", read_u16(code, at) as i16);
                at += 2;
            }
            Operand::Const => {
                let k = read_u16(code, at) as usize;
                let shown = proto
                    .constants
                    .get(k)
                    .map_or("?".into(), |&v| describe_constant(v));
                let _ = write!(out, " {k} ; {shown}");
                at += 2;
            }
            Operand::Target | Operand::Code => {
                let _ = write!(out, " {}", read_u32(code, at));
                at += 4;
            }
        }
    }
    if op == Op::Closure {
        let n = read_u16(code, pc + 5) as usize;
        for i in 0..n {
            let c = pc + 7 + i * CAPTURE_BYTES;
            let _ = match Capture::from_byte(code[c]) {
                Some(Capture::Local) => write!(out, " [local {}]", read_u16(code, c + 1)),
                Some(Capture::Free) => write!(out, " [free {}]", read_u16(code, c + 1)),
                Some(Capture::OwnClosure) => write!(out, " [self]"),
                None => write!(out, " [?]"),
            };
        }
    }
    out
}

/// The listing of one code object; `index` is its place in the runtime's code table
/// (`None` for top-level code, which is not in it).
pub fn disassemble(proto: &Proto, index: Option<usize>) -> String {
    let mut out = String::new();
    let name = proto.name.as_deref().unwrap_or("anonymous");
    let rest = if proto.rest { " + rest" } else { "" };
    let label = index.map_or(name.to_string(), |i| format!("code #{i} {name}"));
    let _ = writeln!(
        out,
        "{label}: {} parameters{rest}, {} bytes",
        proto.params,
        proto.code.len()
    );
    let code = &proto.code;
    let mut pc = 0;
    let mut last_line = None;
    while pc < code.len() {
        let line = proto.line_at(pc);
        let line_text = if line != last_line {
            line.map_or("    ".into(), |l| format!("{l:4}"))
        } else {
            "   |".into()
        };
        last_line = line;
        let _ = write!(out, "{pc:6} {line_text}  {}", instruction_text(proto, pc));
        out.push('\n');
        pc += instruction_len(code, pc);
    }
    out
}
