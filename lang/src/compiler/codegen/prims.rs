//! The primitive tables: which instruction does each inline primitive, fused with a
//! branch, on frame slots, or with a small constant.

use super::super::ast::{Expr, Prim};
use crate::bytecode::Op;

/// The fused compare-and-jump for a predicate: it jumps when the predicate is false.
pub(super) fn branch_op(p: Prim) -> Option<Op> {
    Some(match p {
        Prim::Lt => Op::JumpUnlessLt,
        Prim::Gt => Op::JumpUnlessGt,
        Prim::Le => Op::JumpUnlessLe,
        Prim::Ge => Op::JumpUnlessGe,
        Prim::NumEq => Op::JumpUnlessNumEq,
        Prim::IsEq => Op::JumpUnlessEq,
        Prim::IsNull => Op::JumpUnlessNull,
        Prim::IsPair => Op::JumpUnlessPair,
        Prim::IsZero => Op::JumpUnlessZero,
        Prim::Memq => Op::JumpUnlessMemq,
        _ => return None,
    })
}

/// The instruction that does `p` on operands read from frame slots, where there is one.
pub(super) fn on_locals_op(p: Prim) -> Option<Op> {
    Some(match p {
        Prim::Add => Op::AddLocals,
        Prim::Sub => Op::SubLocals,
        Prim::Car => Op::LocalCar,
        Prim::Cdr => Op::LocalCdr,
        _ => return None,
    })
}

/// The form of a conditional jump that reads its operands from frame slots, where there
/// is one.
pub(super) fn with_local_operands(op: Op) -> Op {
    match op {
        Op::JumpUnlessLt => Op::JumpUnlessLtLocals,
        Op::JumpUnlessGt => Op::JumpUnlessGtLocals,
        Op::JumpUnlessLe => Op::JumpUnlessLeLocals,
        Op::JumpUnlessGe => Op::JumpUnlessGeLocals,
        Op::JumpUnlessNumEq => Op::JumpUnlessNumEqLocals,
        Op::JumpUnlessNull => Op::JumpUnlessNullLocal,
        Op::JumpUnlessPair => Op::JumpUnlessPairLocal,
        Op::JumpUnlessLtImm => Op::JumpUnlessLtImmLocal,
        Op::JumpUnlessGtImm => Op::JumpUnlessGtImmLocal,
        Op::JumpUnlessLeImm => Op::JumpUnlessLeImmLocal,
        Op::JumpUnlessGeImm => Op::JumpUnlessGeImmLocal,
        Op::JumpUnlessNumEqImm => Op::JumpUnlessNumEqImmLocal,
        op => op,
    }
}

/// A constant fixnum that fits an `i16` (and whose negation does too).
pub(super) fn small_constant(e: &Expr) -> Option<i16> {
    match e {
        Expr::Const(v) => v
            .as_fixnum()
            .and_then(|n| i16::try_from(n).ok())
            .filter(|&n| n != i16::MIN),
        _ => None,
    }
}

/// For `(+ x k)`, `(+ k x)` and `(- x k)` with a small constant `k`: the other operand, and
/// what to add to it.
pub(super) fn small_operand(p: Prim, args: &[Expr]) -> Option<(&Expr, i16)> {
    match (p, args) {
        (Prim::Add, [x, k]) if small_constant(k).is_some() => Some((x, small_constant(k)?)),
        (Prim::Add, [k, x]) if small_constant(k).is_some() => Some((x, small_constant(k)?)),
        (Prim::Sub, [x, k]) if small_constant(k).is_some() => Some((x, -small_constant(k)?)),
        _ => None,
    }
}

/// The compare-with-a-constant jump for `(< x k)` and the like.
pub(super) fn branch_imm_op(p: Prim, args: &[Expr]) -> Option<(Op, i16)> {
    let op = match p {
        Prim::Lt => Op::JumpUnlessLtImm,
        Prim::Gt => Op::JumpUnlessGtImm,
        Prim::Le => Op::JumpUnlessLeImm,
        Prim::Ge => Op::JumpUnlessGeImm,
        Prim::NumEq => Op::JumpUnlessNumEqImm,
        _ => return None,
    };
    Some((op, small_constant(args.get(1)?)?))
}

pub(super) fn prim_op(p: Prim) -> Op {
    match p {
        Prim::Add => Op::Add,
        Prim::Sub => Op::Sub,
        Prim::Mul => Op::Mul,
        Prim::Quotient => Op::Quotient,
        Prim::Remainder => Op::Remainder,
        Prim::Modulo => Op::Modulo,
        Prim::Lt => Op::Lt,
        Prim::Gt => Op::Gt,
        Prim::Le => Op::Le,
        Prim::Ge => Op::Ge,
        Prim::NumEq => Op::NumEq,
        Prim::Cons => Op::Cons,
        Prim::Car => Op::Car,
        Prim::Cdr => Op::Cdr,
        Prim::IsNull => Op::IsNull,
        Prim::IsPair => Op::IsPair,
        Prim::Not => Op::Not,
        Prim::IsEq => Op::IsEq,
        Prim::IsZero => Op::IsZero,
        Prim::VectorRef => Op::VectorRef,
        Prim::VectorSet => Op::VectorSet,
        Prim::SetCar => Op::SetCar,
        Prim::SetCdr => Op::SetCdr,
        Prim::Memq => Op::Memq,
        Prim::IsRecord => Op::IsRecord,
        Prim::MakeRecord => Op::MakeRecord,
        Prim::RecordRef => Op::RecordRef,
        Prim::RecordSet => Op::RecordSet,
    }
}
