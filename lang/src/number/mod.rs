//! The numeric tower on the Rust side: the [`Number`] type, its conversions to and from
//! heap values, and (in the submodules) its syntax, arithmetic and complex functions.
//!
//! In the heap a number is a fixnum word, a bignum, a ratnum, a flonum or a compnum.
//! Arithmetic on two fixnums or two flonums happens inline in the VM; everything else
//! comes here as a [`Number`], is computed, and goes back normalized (an integer that
//! fits is a fixnum, a ratio whose denominator is one is an integer, an exact complex
//! number whose imaginary part is zero is real).

mod arith;
mod complex;
mod syntax;

use std::borrow::Cow;

use num_bigint::BigInt;
use num_complex::{Complex, Complex64};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{FromPrimitive, One, Signed, ToPrimitive, Zero};
use rudo_gc::Heap;

pub use arith::{arith, num_eq, order, ArithOp};
pub use complex::{angle, complex_fn, expt_complex, magnitude, polar, sqrt, ComplexFn};
pub use syntax::{format_flonum, parse_number};

use crate::object::Alloc;
use crate::value::{Kind, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Fixnum(i64),
    Big(BigInt),
    Rational(BigRational),
    Real(f64),
    /// An inexact complex number. Its imaginary part may be zero: `-2.5+0.0i` is not
    /// real (R7RS 6.2.6).
    Complex(Complex64),
    /// An exact complex number whose imaginary part is not zero.
    ExactComplex(Box<Complex<BigRational>>),
}

impl Number {
    /// An exact integer, as a fixnum when it fits one.
    pub fn from_bigint(n: BigInt) -> Number {
        match n.to_i64() {
            Some(i) if (rudo_gc::Word::FIXNUM_MIN..=rudo_gc::Word::FIXNUM_MAX).contains(&i) => {
                Number::Fixnum(i)
            }
            _ => Number::Big(n),
        }
    }

    pub fn from_i128(n: i128) -> Number {
        const RANGE: std::ops::RangeInclusive<i128> =
            rudo_gc::Word::FIXNUM_MIN as i128..=rudo_gc::Word::FIXNUM_MAX as i128;
        if RANGE.contains(&n) {
            Number::Fixnum(n as i64)
        } else {
            Number::Big(BigInt::from(n))
        }
    }

    /// An exact ratio in lowest terms; an integer when the denominator is one.
    pub fn from_ratio(r: BigRational) -> Number {
        if r.denom().is_one() {
            Number::from_bigint(r.to_integer())
        } else {
            Number::Rational(r)
        }
    }

    /// The complex number `re + im i` of two real parts: exact when both are, real when
    /// the imaginary part is an exact zero.
    pub fn rectangular(re: Number, im: Number) -> Number {
        if im.is_exact() && im.is_zero() {
            return re;
        }
        match (&re, &im) {
            (Number::Fixnum(_) | Number::Big(_) | Number::Rational(_), _)
                if im.is_exact() && im.is_real() =>
            {
                let (Some(re), Some(im)) = (re.to_ratio(), im.to_ratio()) else {
                    unreachable!("exact real numbers are ratios")
                };
                Number::ExactComplex(Box::new(Complex::new(re, im)))
            }
            _ => Number::Complex(Complex64::new(re.to_f64(), im.to_f64())),
        }
    }

    /// An exact complex number, real when its imaginary part is zero.
    pub fn from_exact_complex(z: Complex<BigRational>) -> Number {
        if z.im.is_zero() {
            Number::from_ratio(z.re)
        } else {
            Number::ExactComplex(Box::new(z))
        }
    }

    pub fn is_exact(&self) -> bool {
        !matches!(self, Number::Real(_) | Number::Complex(_))
    }

    pub fn is_real(&self) -> bool {
        !matches!(self, Number::Complex(_) | Number::ExactComplex(_))
    }

    /// The real part, then the imaginary part (an exact zero for a real number).
    pub fn parts(&self) -> (Number, Number) {
        match self {
            Number::Complex(z) => (Number::Real(z.re), Number::Real(z.im)),
            Number::ExactComplex(z) => (
                Number::from_ratio(z.re.clone()),
                Number::from_ratio(z.im.clone()),
            ),
            n => (n.clone(), Number::Fixnum(0)),
        }
    }

    /// The number as an inexact complex number.
    pub fn to_complex64(&self) -> Complex64 {
        match self {
            Number::Complex(z) => *z,
            Number::ExactComplex(z) => Complex64::new(ratio_to_f64(&z.re), ratio_to_f64(&z.im)),
            n => Complex64::new(n.to_f64(), 0.0),
        }
    }

    /// `eqv?`: the same exactness and the same value, flonums compared bit for bit (so
    /// `0.0` and `-0.0` differ, and a NaN is itself).
    pub fn eqv(&self, other: &Number) -> bool {
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits();
        match (self, other) {
            (Number::Real(a), Number::Real(b)) => same(*a, *b),
            (Number::Complex(a), Number::Complex(b)) => same(a.re, b.re) && same(a.im, b.im),
            (a, b) => a == b,
        }
    }

    pub fn is_integer(&self) -> bool {
        match self {
            Number::Fixnum(_) | Number::Big(_) => true,
            Number::Real(f) => f.is_finite() && f.fract() == 0.0,
            _ => false,
        }
    }

    pub fn to_bigint(&self) -> Option<BigInt> {
        self.as_bigint().map(Cow::into_owned)
    }

    /// The integer as a bigint, borrowed when it is one: the arithmetic on bignums
    /// reads its operands without copying them.
    pub fn as_bigint(&self) -> Option<Cow<'_, BigInt>> {
        match self {
            Number::Fixnum(i) => Some(Cow::Owned(BigInt::from(*i))),
            Number::Big(b) => Some(Cow::Borrowed(b)),
            Number::Real(f) => (f.is_finite() && f.fract() == 0.0)
                .then(|| BigInt::from_f64(*f))
                .flatten()
                .map(Cow::Owned),
            _ => None,
        }
    }

    /// A real number as an exact ratio: `None` for infinities, NaN and complex numbers.
    pub fn to_ratio(&self) -> Option<BigRational> {
        match self {
            Number::Fixnum(i) => Some(BigRational::from_integer(BigInt::from(*i))),
            Number::Big(b) => Some(BigRational::from_integer(b.clone())),
            Number::Rational(r) => Some(r.clone()),
            Number::Real(f) => BigRational::from_float(*f),
            Number::Complex(_) | Number::ExactComplex(_) => None,
        }
    }

    /// A real number as the nearest flonum; NaN for a complex number, which callers
    /// refuse before they get here.
    pub fn to_f64(&self) -> f64 {
        match self {
            Number::Fixnum(i) => *i as f64,
            Number::Big(b) => b.to_f64().unwrap_or(f64::NAN),
            Number::Rational(r) => ratio_to_f64(r),
            Number::Real(f) => *f,
            Number::Complex(_) | Number::ExactComplex(_) => f64::NAN,
        }
    }

    /// `inexact`.
    pub fn to_inexact(&self) -> Number {
        match self {
            Number::Complex(_) => self.clone(),
            Number::ExactComplex(_) => Number::Complex(self.to_complex64()),
            n => Number::Real(n.to_f64()),
        }
    }

    /// `exact`: `None` for infinities and NaN.
    pub fn to_exact(&self) -> Option<Number> {
        match self {
            Number::Real(f) => BigRational::from_float(*f).map(Number::from_ratio),
            Number::Complex(z) => Some(Number::from_exact_complex(Complex::new(
                BigRational::from_float(z.re)?,
                BigRational::from_float(z.im)?,
            ))),
            n => Some(n.clone()),
        }
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Number::Fixnum(i) => *i == 0,
            Number::Big(b) => b.is_zero(),
            Number::Rational(r) => r.is_zero(),
            Number::Real(f) => *f == 0.0,
            Number::Complex(z) => z.re == 0.0 && z.im == 0.0,
            Number::ExactComplex(_) => false,
        }
    }

    /// Whether a part is NaN.
    pub fn is_nan(&self) -> bool {
        let z = self.to_complex64();
        z.re.is_nan() || z.im.is_nan()
    }

    /// Whether a part is infinite.
    pub fn is_infinite(&self) -> bool {
        let z = self.to_complex64();
        z.re.is_infinite() || z.im.is_infinite()
    }

    pub fn abs(&self) -> Number {
        if self.is_negative() {
            negate(self.clone())
        } else {
            self.clone()
        }
    }

    pub fn negate(self) -> Number {
        negate(self)
    }

    /// Whether a real number is below zero; false of complex numbers.
    pub fn is_negative(&self) -> bool {
        match self {
            Number::Fixnum(i) => *i < 0,
            Number::Big(b) => b.is_negative(),
            Number::Rational(r) => r.is_negative(),
            Number::Real(f) => *f < 0.0,
            Number::Complex(_) | Number::ExactComplex(_) => false,
        }
    }
}

fn negate(n: Number) -> Number {
    match n {
        Number::Fixnum(i) => Number::from_i128(-i128::from(i)),
        Number::Big(b) => Number::from_bigint(-b),
        Number::Rational(r) => Number::Rational(-r),
        Number::Real(f) => Number::Real(-f),
        Number::Complex(z) => Number::Complex(-z),
        Number::ExactComplex(z) => Number::ExactComplex(Box::new(-*z)),
    }
}

/// A ratio as the nearest flonum, even when numerator and denominator overflow `f64`.
fn ratio_to_f64(r: &BigRational) -> f64 {
    match (r.numer().to_f64(), r.denom().to_f64()) {
        (Some(n), Some(d)) if n.is_finite() && d.is_finite() => n / d,
        _ => {
            // Scale so that the quotient has 64 significant bits, then divide exactly.
            let shift = r.numer().bits() as i64 - r.denom().bits() as i64 - 64;
            let (n, d) = if shift > 0 {
                (r.numer().clone(), r.denom() << shift as usize)
            } else {
                (r.numer() << (-shift) as usize, r.denom().clone())
            };
            let q = n.div_floor(&d).to_f64().unwrap_or(f64::NAN);
            q * 2f64.powi(shift as i32)
        }
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Number {
        Number::Real(f)
    }
}

/// The number `text` reads as, for the tests of the submodules.
#[cfg(test)]
pub(crate) fn read_number(text: &str) -> Number {
    parse_number(text, 10).unwrap_or_else(|| panic!("{text} is a number"))
}

/// The number a value holds, if it is one.
pub fn from_value(v: Value) -> Option<Number> {
    if let Some(i) = v.as_fixnum() {
        return Some(Number::Fixnum(i));
    }
    if v.is_immediate_flonum() {
        return Some(Number::Real(v.immediate_flonum_value()));
    }
    match v.kind()? {
        Kind::Flonum => Some(Number::Real(crate::object::flonum_value(v))),
        Kind::Bignum => Some(Number::Big(bignum_value(v))),
        Kind::Ratnum => {
            let n = from_value(v.field(0))?.to_bigint()?;
            let d = from_value(v.field(1))?.to_bigint()?;
            Some(Number::Rational(BigRational::new_raw(n, d)))
        }
        Kind::Compnum => {
            // Both parts are flonums, or both exact.
            let (re, im) = (v.field(0), v.field(1));
            if re.is(Kind::Flonum) && im.is(Kind::Flonum) {
                let (re, im) = (
                    crate::object::flonum_value(re),
                    crate::object::flonum_value(im),
                );
                return Some(Number::Complex(Complex64::new(re, im)));
            }
            let (re, im) = (from_value(re)?, from_value(im)?);
            Some(if re.is_exact() {
                Number::ExactComplex(Box::new(Complex::new(re.to_ratio()?, im.to_ratio()?)))
            } else {
                Number::Complex(Complex64::new(re.to_f64(), im.to_f64()))
            })
        }
        _ => None,
    }
}

/// Whether `kind` is that of a number that lives in the heap.
fn is_number_kind(kind: Option<Kind>) -> bool {
    matches!(
        kind,
        Some(Kind::Flonum | Kind::Bignum | Kind::Ratnum | Kind::Compnum)
    )
}

/// Whether `eqv?` on `v` and anything is `eq?`: true of every value but the numbers
/// that live in the heap (bignums, ratnums, compnums, and flonums too large or small
/// for a word; the others are immediate, one word for each number).
pub fn eqv_is_eq(v: Value) -> bool {
    !(v.is_object() && is_number_kind(v.kind()))
}

pub fn is_number(v: Value) -> bool {
    v.is_fixnum() || is_number_kind(v.kind())
}

/// Whether `v` is a real number.
pub fn is_real(v: Value) -> bool {
    v.is_fixnum() || matches!(v.kind(), Some(Kind::Flonum | Kind::Bignum | Kind::Ratnum))
}

fn bignum_value(v: Value) -> BigInt {
    // The digits come least significant first; each splits into two 32-bit digits,
    // the form num-bigint builds from with the fewest steps.
    let digits: Vec<u32> = (1..v.size())
        .flat_map(|i| {
            let d = v.raw(i);
            [d as u32, (d >> 32) as u32]
        })
        .collect();
    let sign = if v.raw(0) == 1 {
        num_bigint::Sign::Minus
    } else {
        num_bigint::Sign::Plus
    };
    BigInt::from_biguint(sign, num_bigint::BigUint::new(digits))
}

/// A number as a heap value: fixnums are immediate, the rest are objects.
pub fn to_value(heap: &mut Heap, n: Number) -> Value {
    match n {
        Number::Fixnum(i) => Value::fixnum(i),
        Number::Real(f) => heap.flonum(f),
        Number::Big(b) => {
            let digits = b.magnitude().iter_u64_digits();
            let v = heap.object(Kind::Bignum, 1 + digits.len(), 0, Value::FALSE);
            v.set_raw(0, u64::from(b.sign() == num_bigint::Sign::Minus));
            for (i, d) in digits.enumerate() {
                v.set_raw(1 + i, d);
            }
            v
        }
        Number::Rational(r) => {
            let (n, d) = r.into_raw();
            let n = to_value(heap, Number::from_bigint(n));
            let d = to_value(heap, Number::from_bigint(d));
            let v = heap.object(Kind::Ratnum, 2, 2, Value::FALSE);
            v.init_field(0, n);
            v.init_field(1, d);
            v
        }
        Number::Complex(z) => compnum(heap, Number::Real(z.re), Number::Real(z.im)),
        Number::ExactComplex(z) => {
            let Complex { re, im } = *z;
            compnum(heap, Number::from_ratio(re), Number::from_ratio(im))
        }
    }
}

fn compnum(heap: &mut Heap, re: Number, im: Number) -> Value {
    let re = to_value(heap, re);
    let im = to_value(heap, im);
    let v = heap.object(Kind::Compnum, 2, 2, Value::FALSE);
    v.init_field(0, re);
    v.init_field(1, im);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_ratios_convert_to_flonums() {
        let big = BigInt::from(10).pow(400);
        let r = BigRational::new(big.clone() + 1, big * 3);
        assert!((ratio_to_f64(&r) - 1.0 / 3.0).abs() < 1e-15);
    }
}
