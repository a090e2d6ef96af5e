//! The bytecode verifier: a check of a compiled procedure's use of its frame.
//!
//! The VM trusts its code: it reads slots and operands without bounds checks, so a
//! compiler that counts its stack depth wrong makes the VM read the wrong slot, and can
//! make it write past the stack. The verifier runs over every procedure the compiler
//! makes, before the VM sees it, and walks it as the VM would with an abstract frame:
//! for each slot, whether it holds a box or a plain value. It checks that
//!
//! 1. every instruction is whole, every jump lands on an instruction, and the code
//!    does not run off its end;
//! 2. no instruction pops more than the frame holds, and no path uses more slots than
//!    `max_stack`, the room a call checks for;
//! 3. every slot an instruction names is below the depth at that point;
//! 4. paths that meet agree on the depth and on which slots hold boxes;
//! 5. a box is only unboxed, assigned through, captured, moved or dropped: never used
//!    as a value, returned, or overwritten by `set-local`;
//! 6. constant and code indices are in range;
//! 7. where the compiler says an expression's code starts at a depth, the instructions
//!    before it make that depth: the compiler places a `let`'s variables by the depth
//!    it counts, and a miscount would bind them to other slots than the code fills.
//!
//! The compiler's code is structured: every jump to a place before it goes to a loop's
//! head, which is first reached by falling through. So one pass in order of the code
//! meets every instruction with its frame known, keeping frames only where jumps land.

use std::collections::HashMap;

use super::op::{instruction_len, read_u16, read_u32, Capture, Op, Operand, CAPTURE_BYTES};
use super::proto::Proto;

/// What an abstract slot holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Slot {
    Value,
    Box,
}

/// The frame where a jump lands: its depth, and which of its slots hold boxes.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Landing {
    depth: usize,
    boxes: Vec<usize>,
}

struct Frame {
    slots: Vec<Slot>,
    max_stack: usize,
}

impl Frame {
    fn landing(&self) -> Landing {
        Landing {
            depth: self.slots.len(),
            boxes: (self.slots.iter().enumerate())
                .filter(|(_, s)| **s == Slot::Box)
                .map(|(i, _)| i)
                .collect(),
        }
    }

    fn from_landing(landing: &Landing) -> Vec<Slot> {
        let mut slots = vec![Slot::Value; landing.depth];
        for &i in &landing.boxes {
            slots[i] = Slot::Box;
        }
        slots
    }

    fn push(&mut self, s: Slot) -> Result<(), String> {
        self.slots.push(s);
        if self.slots.len() > self.max_stack {
            return Err(format!(
                "uses {} slots, more than max_stack {}",
                self.slots.len(),
                self.max_stack
            ));
        }
        Ok(())
    }

    fn pop_any(&mut self) -> Result<Slot, String> {
        self.slots
            .pop()
            .ok_or_else(|| "pops an empty frame".to_string())
    }

    /// Pops a value that the instruction uses as one.
    fn pop_value(&mut self) -> Result<(), String> {
        match self.pop_any()? {
            Slot::Box => Err("uses a box as a value".into()),
            Slot::Value => Ok(()),
        }
    }

    fn pop_values(&mut self, n: usize) -> Result<(), String> {
        (0..n).try_for_each(|_| self.pop_value())
    }

    fn slot(&self, s: usize) -> Result<Slot, String> {
        self.slots
            .get(s)
            .copied()
            .ok_or_else(|| format!("names slot {s} of a frame {} slots deep", self.slots.len()))
    }

    /// Reads slot `s` as a value.
    fn read(&self, s: usize) -> Result<(), String> {
        match self.slot(s)? {
            Slot::Box => Err(format!("reads the box in slot {s} as a value")),
            Slot::Value => Ok(()),
        }
    }
}

/// Checks `proto` (see the module doc); `code_count` is the size of the runtime's code
/// table, which `closure` indexes, and `depths` the compiler's count of the depth at
/// code offsets, in order. The error names the offending instruction.
pub fn verify(proto: &Proto, code_count: usize, depths: &[(usize, usize)]) -> Result<(), String> {
    let code = &proto.code;
    let mut starts = vec![false; code.len() + 1];
    let mut targets: HashMap<usize, Option<Landing>> = HashMap::new();
    let mut pc = 0;
    while pc < code.len() {
        starts[pc] = true;
        let Some(op) = Op::from_byte(code[pc]) else {
            return Err(format!("at {pc}: no instruction has opcode {}", code[pc]));
        };
        if pc + 7 > code.len() && op == Op::Closure {
            return Err(format!("at {pc}: a cut-off instruction"));
        }
        let len = instruction_len(code, pc);
        if pc + len > code.len() {
            return Err(format!("at {pc}: a cut-off instruction"));
        }
        if let Some(t) = jump_target(code, pc, op) {
            targets.insert(t, None);
        }
        pc += len;
    }
    if let Some(&t) = targets.keys().find(|&&t| !starts[t] || t == code.len()) {
        return Err(format!("a jump lands at {t}, inside an instruction"));
    }
    let mut frame = Frame {
        slots: vec![Slot::Value; proto.params + usize::from(proto.rest)],
        max_stack: proto.max_stack,
    };
    if frame.slots.len() > frame.max_stack {
        return Err("max_stack is below the parameters' count".into());
    }
    // Whether the instruction at `pc` can be reached by falling into it.
    let mut live = true;
    let mut pc = 0;
    let mut depths = depths.iter().peekable();
    while pc < code.len() {
        let op = Op::from_byte(code[pc]).expect("decoded above");
        if let Some(landing) = targets.get_mut(&pc) {
            match landing {
                Some(seen) if live && *seen != frame.landing() => {
                    return Err(format!(
                        "at {pc}: paths meet with frames {seen:?} and {:?}",
                        frame.landing()
                    ))
                }
                Some(seen) => {
                    frame.slots = Frame::from_landing(seen);
                    live = true;
                }
                None if live => *landing = Some(frame.landing()),
                None => {}
            }
        }
        while let Some(&&(at, depth)) = depths.peek() {
            if at > pc {
                break;
            }
            if at == pc && live && depth != frame.slots.len() {
                return Err(format!(
                    "at {pc}: the compiler counts {depth} slots, the code makes {}",
                    frame.slots.len()
                ));
            }
            depths.next();
        }
        if live {
            step(&mut frame, proto, code_count, pc, op, &mut targets)
                .map_err(|e| format!("at {pc} ({}): {e}", op.mnemonic()))?;
            live = falls_through(op);
        }
        pc += instruction_len(code, pc);
    }
    if live {
        return Err("the code runs off its end".into());
    }
    Ok(())
}

/// Runs `op` at `pc` on the abstract frame, and records the frame where it jumps.
fn step(
    frame: &mut Frame,
    proto: &Proto,
    code_count: usize,
    pc: usize,
    op: Op,
    targets: &mut HashMap<usize, Option<Landing>>,
) -> Result<(), String> {
    let code = &proto.code;
    // The operands, in order, as numbers.
    let mut operands = Vec::with_capacity(3);
    let mut at = pc + 1;
    for operand in op.operands() {
        match operand {
            Operand::U16 | Operand::I16 | Operand::Const => {
                operands.push(read_u16(code, at) as usize);
                at += 2;
            }
            Operand::Target | Operand::Code => {
                operands.push(read_u32(code, at) as usize);
                at += 4;
            }
        }
    }
    for (operand, &n) in op.operands().iter().zip(&operands) {
        if *operand == Operand::Const && n >= proto.constants.len() {
            return Err(format!("constant {n} is not in the table"));
        }
        if *operand == Operand::Code && n >= code_count {
            return Err(format!("code {n} is not in the table"));
        }
    }
    use Op::*;
    match op {
        Const | Nil | True | False | Unspecified | Global | SelfRef => frame.push(Slot::Value)?,
        // Whether a free variable is boxed is known where the closure was made, not
        // here: it is taken to be a box exactly when what comes next uses one.
        Free => {
            let next = code.get(at).and_then(|&b| Op::from_byte(b));
            let boxed = matches!(next, Some(Op::Unbox | Op::SetBox));
            frame.push(if boxed { Slot::Box } else { Slot::Value })?
        }
        Local => frame.push(frame.slot(operands[0])?)?,
        Local2 => {
            frame.push(frame.slot(operands[0])?)?;
            frame.push(frame.slot(operands[1])?)?;
        }
        SetLocal => {
            frame.pop_value()?;
            if frame.slot(operands[0])? == Slot::Box {
                return Err(format!("overwrites the box in slot {}", operands[0]));
            }
        }
        Unbox => {
            if frame.pop_any()? != Slot::Box {
                return Err("unboxes a plain value".into());
            }
            frame.push(Slot::Value)?;
        }
        SetBox => {
            if frame.pop_any()? != Slot::Box {
                return Err("assigns through a plain value".into());
            }
            frame.pop_value()?;
        }
        BoxLocal => {
            let s = operands[0];
            if frame.slot(s)? == Slot::Box {
                return Err(format!("boxes the box in slot {s}"));
            }
            frame.slots[s] = Slot::Box;
        }
        SetGlobal | DefineGlobal | Pop | JumpIfFalse => frame.pop_value()?,
        Slide => {
            let top = frame.pop_any()?;
            drop_slots(frame, operands[0])?;
            frame.push(top)?;
        }
        Drop => drop_slots(frame, operands[0])?,
        Jump | AcceptValues => {}
        Closure => {
            for i in 0..operands[1] {
                let c = pc + 7 + i * CAPTURE_BYTES;
                match Capture::from_byte(code[c]) {
                    Some(Capture::Local) => {
                        frame.slot(read_u16(code, c + 1) as usize)?;
                    }
                    Some(Capture::Free | Capture::OwnClosure) => {}
                    None => return Err(format!("capture {i} has no kind {}", code[c])),
                }
            }
            frame.push(Slot::Value)?;
        }
        PatchCapture => {
            frame.pop_value()?;
            frame.read(operands[1])?;
        }
        Call => {
            frame.pop_values(operands[0] + 1)?;
            frame.push(Slot::Value)?;
        }
        TailCall => frame.pop_values(operands[0] + 1)?,
        SelfTailCall => {
            if operands[0] != proto.params || proto.rest {
                return Err("a self tail call with another arity".into());
            }
            frame.pop_values(operands[0])?;
        }
        Loop => {
            let (base, n) = (operands[0], operands[1]);
            if base + n > frame.slots.len() {
                return Err(format!(
                    "moves {n} values to slot {base} of a frame {} deep",
                    frame.slots.len()
                ));
            }
            let moved = frame.slots.split_off(frame.slots.len() - n);
            frame.slots.truncate(base);
            frame.slots.extend(moved);
        }
        Return => frame.pop_value()?,
        ReturnLocal => frame.read(operands[0])?,
        Car | Cdr | IsNull | IsPair | Not | IsZero | AddImm => {
            frame.pop_value()?;
            frame.push(Slot::Value)?;
        }
        Add | Sub | Mul | Quotient | Remainder | Modulo | Lt | Gt | Le | Ge | NumEq | Cons
        | IsEq | VectorRef | Memq | IsRecord => {
            frame.pop_values(2)?;
            frame.push(Slot::Value)?;
        }
        SetCar | SetCdr => frame.pop_values(2)?,
        VectorSet => frame.pop_values(3)?,
        RecordRef => {
            frame.pop_values(4)?;
            frame.push(Slot::Value)?;
        }
        RecordSet => frame.pop_values(5)?,
        MakeRecord => {
            frame.pop_values(operands[0])?;
            frame.push(Slot::Value)?;
        }
        LocalAddImm | LocalCar | LocalCdr => {
            frame.read(operands[0])?;
            frame.push(Slot::Value)?;
        }
        AddLocals | SubLocals => {
            frame.read(operands[0])?;
            frame.read(operands[1])?;
            frame.push(Slot::Value)?;
        }
        JumpUnlessZero | JumpUnlessNull | JumpUnlessPair | JumpUnlessLtImm | JumpUnlessGtImm
        | JumpUnlessLeImm | JumpUnlessGeImm | JumpUnlessNumEqImm => frame.pop_value()?,
        JumpUnlessLt | JumpUnlessGt | JumpUnlessLe | JumpUnlessGe | JumpUnlessNumEq
        | JumpUnlessEq | JumpUnlessMemq => frame.pop_values(2)?,
        FreeUnbox => frame.push(Slot::Value)?,
        Free2 => {
            frame.push(Slot::Value)?;
            frame.push(Slot::Value)?;
        }
        FreeSetBox => frame.pop_value()?,
        JumpUnlessNullLocal
        | JumpUnlessPairLocal
        | JumpUnlessLtImmLocal
        | JumpUnlessGtImmLocal
        | JumpUnlessLeImmLocal
        | JumpUnlessGeImmLocal
        | JumpUnlessNumEqImmLocal => frame.read(operands[0])?,
        JumpUnlessLtLocals
        | JumpUnlessGtLocals
        | JumpUnlessLeLocals
        | JumpUnlessGeLocals
        | JumpUnlessNumEqLocals => {
            frame.read(operands[0])?;
            frame.read(operands[1])?;
        }
    }
    if let Some(t) = jump_target(code, pc, op) {
        let here = frame.landing();
        let landing = targets.get_mut(&t).expect("every target was collected");
        match landing {
            Some(seen) if *seen != here => {
                return Err(format!(
                    "jumps to {t} with frame {here:?}, where another path has {seen:?}"
                ))
            }
            Some(_) => {}
            None if t <= pc => return Err(format!("jumps back to {t}, which nothing reaches")),
            None => *landing = Some(here),
        }
    }
    Ok(())
}

fn drop_slots(frame: &mut Frame, n: usize) -> Result<(), String> {
    if n > frame.slots.len() {
        return Err(format!(
            "drops {n} slots of a frame {} deep",
            frame.slots.len()
        ));
    }
    frame.slots.truncate(frame.slots.len() - n);
    Ok(())
}

/// Where `op` at `pc` may jump, besides falling through.
fn jump_target(code: &[u8], pc: usize, op: Op) -> Option<usize> {
    let operands = op.operands();
    let index = operands.iter().position(|o| *o == Operand::Target)?;
    let offset: usize = operands[..index]
        .iter()
        .map(|o| if *o == Operand::Code { 4 } else { 2 })
        .sum();
    Some(read_u32(code, pc + 1 + offset) as usize)
}

/// Whether the instruction after `op` runs when `op` is done.
fn falls_through(op: Op) -> bool {
    !matches!(
        op,
        Op::Jump | Op::Loop | Op::Return | Op::ReturnLocal | Op::TailCall | Op::SelfTailCall
    )
}
