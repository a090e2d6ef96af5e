//! The core language the expander produces and code generation consumes.
//!
//! Every derived form (`let*`, `cond`, `do`, named `let`, quasiquote, ...) is gone by
//! now. Variables are resolved: a [`VarId`] for a lexical variable, a symbol for a global.

use std::rc::Rc;

use crate::reader::Span;
use crate::value::Value;

pub type VarId = usize;

/// What the compiler knows of a lexical variable.
#[derive(Clone, Debug)]
pub struct VarInfo {
    pub name: String,
    /// The lambda that binds it (0 for top-level `let`s outside any lambda).
    pub lambda: usize,
    /// Some `set!` assigns it.
    pub assigned: bool,
    /// It is bound before its value is known (`letrec`, internal `define`, named `let`),
    /// so closures made in between would see it change.
    pub late_init: bool,
    /// A lambda other than the one binding it refers to it (not counting its own value's
    /// lambda: see `self_lambda`).
    pub captured: bool,
    /// When its value is a lambda: that lambda's id. The lambda finds itself in its own
    /// frame, so referring to the variable from inside it needs no capture.
    pub self_lambda: Option<usize>,
    pub self_referenced: bool,
    /// Its value is a lambda made with the others of its group (see `codegen::groups`),
    /// before any code can read the variable: the closures capture it by value, patched
    /// in once the whole group exists, and no box is needed.
    pub patched: bool,
}

impl VarInfo {
    /// A variable that changes after closures capture it lives in a box they share, and
    /// so does every variable that `set!` assigns: a continuation copies the frame's
    /// slots, and re-entering it must not bring back a value that was assigned since.
    pub fn boxed(&self) -> bool {
        self.assigned || (self.captured && self.late_init && !self.patched)
    }
}

/// Operations the VM does inline, without a call, when their names are not rebound.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Prim {
    Add,
    Sub,
    Mul,
    Quotient,
    Remainder,
    Modulo,
    Lt,
    Gt,
    Le,
    Ge,
    NumEq,
    Cons,
    Car,
    Cdr,
    IsNull,
    IsPair,
    Not,
    IsEq,
    IsZero,
    VectorRef,
    VectorSet,
    SetCar,
    SetCdr,
    Memq,
    /// `(%record? obj rtd)`, `(%record-ref obj rtd i who)` and `(%record-set! obj rtd i
    /// value who)`: what the procedures `define-record-type` makes do.
    IsRecord,
    /// `(%record rtd value ...)`, the constructor, with any number of arguments.
    MakeRecord,
    RecordRef,
    RecordSet,
}

impl Prim {
    /// The primitive a global name stands for, with its argument count.
    pub fn of(name: &str, argc: usize) -> Option<Prim> {
        use Prim::*;
        Some(match (name, argc) {
            ("+", 2) => Add,
            ("-", 2) => Sub,
            ("*", 2) => Mul,
            ("quotient", 2) => Quotient,
            ("remainder", 2) => Remainder,
            ("modulo", 2) => Modulo,
            ("<", 2) => Lt,
            (">", 2) => Gt,
            ("<=", 2) => Le,
            (">=", 2) => Ge,
            ("=", 2) => NumEq,
            ("cons", 2) => Cons,
            ("car", 1) => Car,
            ("cdr", 1) => Cdr,
            ("null?", 1) => IsNull,
            ("pair?", 1) => IsPair,
            ("not", 1) => Not,
            ("eq?", 2) => IsEq,
            ("zero?", 1) => IsZero,
            ("vector-ref", 2) => VectorRef,
            ("vector-set!", 3) => VectorSet,
            ("set-car!", 2) => SetCar,
            ("set-cdr!", 2) => SetCdr,
            ("memq", 2) => Memq,
            ("%record?", 2) => IsRecord,
            ("%record", n) if (1..=usize::from(u16::MAX)).contains(&n) => MakeRecord,
            ("%record-ref", 4) => RecordRef,
            ("%record-set!", 5) => RecordSet,
            _ => return None,
        })
    }

    /// Whether the operation's value is always a boolean.
    pub fn is_predicate(self) -> bool {
        use Prim::*;
        matches!(
            self,
            Lt | Gt | Le | Ge | NumEq | IsNull | IsPair | Not | IsEq | IsZero | IsRecord
        )
    }

    pub fn name(self) -> &'static str {
        use Prim::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Quotient => "quotient",
            Remainder => "remainder",
            Modulo => "modulo",
            Lt => "<",
            Gt => ">",
            Le => "<=",
            Ge => ">=",
            NumEq => "=",
            Cons => "cons",
            Car => "car",
            Cdr => "cdr",
            IsNull => "null?",
            IsPair => "pair?",
            Not => "not",
            IsEq => "eq?",
            IsZero => "zero?",
            VectorRef => "vector-ref",
            VectorSet => "vector-set!",
            SetCar => "set-car!",
            SetCdr => "set-cdr!",
            Memq => "memq",
            IsRecord => "%record?",
            MakeRecord => "%record",
            RecordRef => "%record-ref",
            RecordSet => "%record-set!",
        }
    }
}

#[derive(Debug)]
pub struct Lambda {
    pub name: Option<String>,
    /// The variable this lambda is the value of, when it refers to itself through it.
    pub self_var: Option<VarId>,
    pub params: Vec<VarId>,
    pub rest: Option<VarId>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug)]
pub enum Expr {
    Const(Value),
    Local(VarId),
    /// A global, by its symbol; the span is for "unbound variable".
    Global(Value, Span),
    SetLocal(VarId, Box<Expr>),
    SetGlobal(Value, Box<Expr>, Span),
    DefineGlobal(Value, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Lambda(Rc<Lambda>),
    Seq(Vec<Expr>),
    Call(Box<Expr>, Vec<Expr>, Span),
    Prim(Prim, Vec<Expr>, Span),
    /// `(%call-for-values thunk)`: calls the thunk with no arguments, never as a tail
    /// call, at a return point that takes any number of values, as `call-with-values`
    /// needs. Every other continuation takes one value, but those that discard it.
    CallForValues(Box<Expr>, Span),
    /// Binds the variables to the values (all evaluated first), then evaluates the body.
    Let(Vec<(VarId, Expr)>, Box<Expr>),
}
