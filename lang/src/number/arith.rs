//! Arithmetic and comparison over the whole tower: each operation at the lowest level
//! that holds both operands, inexact when either is, complex when either is.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_complex::{Complex, Complex64};
use num_rational::BigRational;

use super::Number;

/// The four operations of the field.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    /// On two fixnums: an `i128` holds any sum, difference or product of two 62-bit
    /// operands.
    fn fixnums(self, a: i128, b: i128) -> i128 {
        match self {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            ArithOp::Mul => a * b,
            ArithOp::Div => unreachable!("the quotient of two fixnums is a ratio"),
        }
    }

    fn floats(self, a: f64, b: f64) -> f64 {
        match self {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            ArithOp::Mul => a * b,
            ArithOp::Div => a / b,
        }
    }

    fn integers(self, a: &BigInt, b: &BigInt) -> Number {
        match self {
            ArithOp::Add => Number::from_bigint(a + b),
            ArithOp::Sub => Number::from_bigint(a - b),
            ArithOp::Mul => Number::from_bigint(a * b),
            ArithOp::Div => Number::from_ratio(BigRational::new(a.clone(), b.clone())),
        }
    }

    fn ratios(self, a: &BigRational, b: &BigRational) -> BigRational {
        match self {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            ArithOp::Mul => a * b,
            ArithOp::Div => a / b,
        }
    }

    fn complexes<T: Clone + num_traits::Num>(self, a: Complex<T>, b: Complex<T>) -> Complex<T> {
        match self {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            ArithOp::Mul => a * b,
            ArithOp::Div => a / b,
        }
    }
}

/// `a op b`; `None` for a division by an exact zero.
pub fn arith(a: &Number, b: &Number, op: ArithOp) -> Option<Number> {
    use Number::*;
    if op == ArithOp::Div && b.is_exact() && b.is_zero() {
        return None;
    }
    Some(match (a, b) {
        (Fixnum(x), Fixnum(y)) if op != ArithOp::Div => {
            Number::from_i128(op.fixnums(i128::from(*x), i128::from(*y)))
        }
        (Real(x), Real(y)) => Real(op.floats(*x, *y)),
        (Complex(_) | ExactComplex(_), _) | (_, Complex(_) | ExactComplex(_)) => {
            complex_arith(a, b, op)
        }
        (Real(_), _) | (_, Real(_)) => Real(op.floats(a.to_f64(), b.to_f64())),
        (Rational(_), _) | (_, Rational(_)) => Number::from_ratio(
            op.ratios(&a.to_ratio().expect("exact"), &b.to_ratio().expect("exact")),
        ),
        _ => op.integers(
            &a.as_bigint().expect("integer"),
            &b.as_bigint().expect("integer"),
        ),
    })
}

/// `a op b` where one of them is complex and the divisor, if any, is not an exact zero.
fn complex_arith(a: &Number, b: &Number, op: ArithOp) -> Number {
    if a.is_exact() && b.is_exact() {
        let exact = |n: &Number| {
            let (re, im) = n.parts();
            Complex::new(re.to_ratio().expect("exact"), im.to_ratio().expect("exact"))
        };
        return Number::from_exact_complex(op.complexes(exact(a), exact(b)));
    }
    // A real operand scales the other's parts, rather than take part as `x+0i`: that
    // would give `(* 2. +inf.0i)` a real part of 2 * 0 - 0 * inf, a NaN.
    let z: Complex64 = match (op, a.is_real(), b.is_real()) {
        (ArithOp::Mul, true, _) => b.to_complex64().scale(a.to_f64()),
        (ArithOp::Mul | ArithOp::Div, _, true) => {
            let z = a.to_complex64();
            if op == ArithOp::Mul {
                z.scale(b.to_f64())
            } else {
                z.unscale(b.to_f64())
            }
        }
        _ => op.complexes(a.to_complex64(), b.to_complex64()),
    };
    Number::Complex(z)
}

/// Orders two real numbers, exactly even when one is inexact (R7RS 6.2.6: `=` and `<`
/// are transitive); `None` when either is NaN or complex.
pub fn order(a: &Number, b: &Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Fixnum(x), Number::Fixnum(y)) => Some(x.cmp(y)),
        (Number::Real(x), Number::Real(y)) => x.partial_cmp(y),
        (Number::Real(x), n) => flonum_order(*x, n),
        (n, Number::Real(y)) => flonum_order(*y, n).map(Ordering::reverse),
        _ => Some(a.to_ratio()?.cmp(&b.to_ratio()?)),
    }
}

/// How the flonum `x` compares with the exact real `n`.
fn flonum_order(x: f64, n: &Number) -> Option<Ordering> {
    /// Below this magnitude, every integer is a flonum.
    const EXACT_IN_FLONUM: u64 = 1 << 53;
    if x.is_nan() {
        return None;
    }
    if x.is_infinite() {
        return Some(if x > 0.0 {
            Ordering::Greater
        } else {
            Ordering::Less
        });
    }
    match n {
        Number::Fixnum(i) if i.unsigned_abs() <= EXACT_IN_FLONUM => x.partial_cmp(&(*i as f64)),
        _ => Some(BigRational::from_float(x)?.cmp(&n.to_ratio()?)),
    }
}

/// `=` of two numbers, complex or real.
pub fn num_eq(a: &Number, b: &Number) -> bool {
    if a.is_real() && b.is_real() {
        return order(a, b) == Some(Ordering::Equal);
    }
    let ((ar, ai), (br, bi)) = (a.parts(), b.parts());
    num_eq(&ar, &br) && num_eq(&ai, &bi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::read_number as n;

    #[test]
    fn inexact_and_exact_compare_exactly() {
        let cases = [
            (
                "9007199254740992.0",
                "9007199254740993",
                Some(Ordering::Less),
            ),
            (
                "9007199254740992.0",
                "9007199254740992",
                Some(Ordering::Equal),
            ),
            ("0.1", "1/10", Some(Ordering::Greater)),
            (
                "+inf.0",
                "1000000000000000000000000",
                Some(Ordering::Greater),
            ),
            ("-inf.0", "-1/3", Some(Ordering::Less)),
            ("+nan.0", "1", None),
            ("-0.0", "0", Some(Ordering::Equal)),
        ];
        for (a, b, want) in cases {
            assert_eq!(order(&n(a), &n(b)), want, "{a} {b}");
            assert_eq!(order(&n(b), &n(a)), want.map(Ordering::reverse), "{b} {a}");
        }
    }

    #[test]
    fn complex_arithmetic() {
        let cases = [
            ("1+2i", ArithOp::Add, "1-2i", "2"),
            ("+i", ArithOp::Mul, "+i", "-1"),
            ("3/2+i", ArithOp::Sub, "1/2", "1+i"),
            ("1+i", ArithOp::Div, "1-i", "+i"),
            ("2.", ArithOp::Mul, "+inf.0i", "0.0+inf.0i"),
            ("1.0+2.0i", ArithOp::Div, "2", "0.5+1.0i"),
            ("1+i", ArithOp::Add, "0.5", "1.5+1.0i"),
        ];
        for (a, op, b, want) in cases {
            let got = arith(&n(a), &n(b), op).map(|z| z.to_string());
            assert_eq!(got.as_deref(), Some(want), "{a} {op:?} {b}");
        }
        assert_eq!(arith(&n("1+i"), &n("0"), ArithOp::Div), None);
    }

    #[test]
    fn complex_equality() {
        assert!(num_eq(&n("1"), &n("1.0+0.0i")));
        assert!(!num_eq(&n("1.0"), &n("1.0+1.0i")));
        assert!(num_eq(&n("1/2+i"), &n("0.5+1.0i")));
    }
}
