//! The functions of `(scheme inexact)` and `(scheme complex)` over the whole tower:
//! real where the argument is real and the function is real there, complex elsewhere
//! (`(sqrt -4.)`, `(log -1)`, `(asin 2)`), and exact where R7RS lets them be
//! (`(sqrt 16/9)`, `(sqrt -4)`, `(expt 1+i 2)`).

use num_bigint::BigInt;
use num_complex::{Complex, Complex64};
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};

use super::Number;

/// A function of `(scheme inexact)`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ComplexFn {
    Exp,
    Ln,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sqrt,
}

impl ComplexFn {
    /// The function of the real `n`; `None` where its value is not real.
    fn real(self, n: &Number) -> Option<f64> {
        let x = n.to_f64();
        let in_unit = x.is_nan() || (-1.0..=1.0).contains(&x);
        Some(match self {
            ComplexFn::Exp => x.exp(),
            ComplexFn::Ln if x.is_nan() || !n.is_negative() => ln(n),
            ComplexFn::Sin => x.sin(),
            ComplexFn::Cos => x.cos(),
            ComplexFn::Tan => x.tan(),
            ComplexFn::Asin if in_unit => x.asin(),
            ComplexFn::Acos if in_unit => x.acos(),
            ComplexFn::Atan => x.atan(),
            ComplexFn::Sqrt if x.is_nan() || !n.is_negative() => x.sqrt(),
            ComplexFn::Ln | ComplexFn::Asin | ComplexFn::Acos | ComplexFn::Sqrt => return None,
        })
    }

    /// The function's principal value at `z`.
    fn complex(self, z: Complex64) -> Complex64 {
        match self {
            ComplexFn::Exp => z.exp(),
            ComplexFn::Ln => z.ln(),
            ComplexFn::Sin => z.sin(),
            ComplexFn::Cos => z.cos(),
            ComplexFn::Tan => z.tan(),
            ComplexFn::Asin => z.asin(),
            ComplexFn::Acos => z.acos(),
            ComplexFn::Atan => z.atan(),
            ComplexFn::Sqrt => z.sqrt(),
        }
    }
}

/// `f(n)`, inexact.
pub fn complex_fn(f: ComplexFn, n: &Number) -> Number {
    if n.is_real() {
        if let Some(y) = f.real(n) {
            return Number::Real(y);
        }
    }
    Number::Complex(f.complex(n.to_complex64()))
}

/// `sqrt`: exact when `n` is an exact real whose magnitude is a square (`(sqrt -4)` is
/// `+2i`), else inexact.
pub fn sqrt(n: &Number) -> Number {
    if n.is_exact() && n.is_real() {
        if let Some(root) = exact_sqrt(&n.abs()) {
            return if n.is_negative() {
                Number::rectangular(Number::Fixnum(0), root)
            } else {
                root
            };
        }
    }
    complex_fn(ComplexFn::Sqrt, n)
}

/// The exact square root of a non-negative exact rational, if it has one.
pub fn exact_sqrt(n: &Number) -> Option<Number> {
    let r = n.to_ratio()?;
    let root = |i: &BigInt| {
        let s = i.sqrt();
        (&s * &s == *i).then_some(s)
    };
    Some(Number::from_ratio(BigRational::new(
        root(r.numer())?,
        root(r.denom())?,
    )))
}

/// The natural logarithm of a non-negative real, of exact numbers too large for a
/// flonum as well: an integer of `n` bits is its top 64 bits times 2^(n - 64).
fn ln(x: &Number) -> f64 {
    fn ln_integer(i: &BigInt) -> f64 {
        let bits = i.bits();
        if bits <= 1000 || i.is_negative() {
            return i.to_f64().unwrap_or(f64::NAN).ln();
        }
        let shift = bits - 64;
        (i >> shift).to_f64().unwrap_or(f64::NAN).ln() + shift as f64 * std::f64::consts::LN_2
    }
    match x {
        Number::Big(b) => ln_integer(b),
        Number::Rational(r) if !r.to_f64().is_some_and(|f| f.is_normal()) => {
            ln_integer(r.numer()) - ln_integer(r.denom())
        }
        n => n.to_f64().ln(),
    }
}

/// `make-polar`: exact when the angle is an exact zero.
pub fn polar(magnitude: Number, angle: Number) -> Number {
    if angle.is_exact() && angle.is_zero() {
        return magnitude;
    }
    Number::Complex(Complex64::from_polar(magnitude.to_f64(), angle.to_f64()))
}

/// `magnitude`: exact for exact numbers whose magnitude is rational (`3+4i` has 5).
pub fn magnitude(n: &Number) -> Number {
    match n {
        Number::Complex(z) => Number::Real(z.norm()),
        Number::ExactComplex(z) => {
            let norm = Number::from_ratio(z.norm_sqr());
            exact_sqrt(&norm).unwrap_or_else(|| Number::Real(norm.to_f64().sqrt()))
        }
        n => n.abs(),
    }
}

/// `angle`: an exact zero for exact non-negative reals.
pub fn angle(n: &Number) -> Number {
    if n.is_exact() && n.is_real() && !n.is_negative() {
        return Number::Fixnum(0);
    }
    let z = n.to_complex64();
    Number::Real(z.im.atan2(z.re))
}

/// The most bits an exact complex power may have; past it the power is inexact.
const MAX_EXACT_COMPLEX_BITS: u64 = 1 << 22;

/// `expt` where the base or the power is complex, or the base is a negative real and the
/// power is not an integer: the principal value, `e^(power log base)`. An exact complex
/// base raised to an exact integer is exact.
pub fn expt_complex(base: &Number, power: &Number) -> Number {
    if power.is_exact() && power.is_zero() {
        return Number::Fixnum(1);
    }
    if let (Number::ExactComplex(z), Some(e)) = (base, power.as_bigint()) {
        if power.is_exact() {
            let bits = |r: &BigRational| r.numer().bits() + r.denom().bits();
            let step = bits(&z.re).max(bits(&z.im)) + 1;
            let fits = |e: &i32| {
                step.saturating_mul(u64::from(e.unsigned_abs())) <= MAX_EXACT_COMPLEX_BITS
            };
            if let Some(e) = e.to_i32().filter(fits) {
                let z: &Complex<BigRational> = z;
                return Number::from_exact_complex(z.powi(e));
            }
        }
    }
    if base.is_zero() {
        let exact = base.is_exact() && power.is_exact();
        return if power.to_complex64().re > 0.0 {
            if exact {
                Number::Fixnum(0)
            } else {
                Number::Real(0.0)
            }
        } else {
            Number::Complex(Complex64::new(f64::NAN, f64::NAN))
        };
    }
    Number::Complex(base.to_complex64().powc(power.to_complex64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::read_number as n;

    #[test]
    fn square_roots() {
        let cases = [
            ("16", "4"),
            ("-4", "+2i"),
            ("16/9", "4/3"),
            ("-1", "+i"),
            ("2", "1.4142135623730951"),
            ("-4.0", "0.0+2.0i"),
            ("-0.0", "-0.0"),
        ];
        for (x, want) in cases {
            assert_eq!(sqrt(&n(x)).to_string(), want, "(sqrt {x})");
        }
    }

    #[test]
    fn functions_leave_the_reals_where_they_must() {
        assert_eq!(complex_fn(ComplexFn::Ln, &n("1")).to_string(), "0.0");
        let log_minus_one = complex_fn(ComplexFn::Ln, &n("-1")).to_complex64();
        assert_eq!(log_minus_one, Complex64::new(0.0, std::f64::consts::PI));
        assert!(!complex_fn(ComplexFn::Asin, &n("2")).is_real());
        assert!(complex_fn(ComplexFn::Asin, &n("0.5")).is_real());
    }

    #[test]
    fn magnitudes_angles_and_powers() {
        assert_eq!(magnitude(&n("3+4i")).to_string(), "5");
        assert_eq!(magnitude(&n("-5/2")).to_string(), "5/2");
        assert_eq!(angle(&n("+i")).to_f64(), std::f64::consts::FRAC_PI_2);
        assert_eq!(angle(&n("7")).to_string(), "0");
        assert_eq!(expt_complex(&n("1+i"), &n("2")).to_string(), "+2i");
        assert_eq!(expt_complex(&n("+i"), &n("-1")).to_string(), "-i");
        let two_to_5000 = num_bigint::BigInt::from(2).pow(5000u32);
        assert_eq!(
            expt_complex(&n("1+i"), &n("10000")).to_string(),
            two_to_5000.to_string()
        );
        assert!(!expt_complex(&n("1+i"), &n("100000000")).is_exact());
        let root = expt_complex(&n("-1"), &n("0.5")).to_complex64();
        assert!(root.re.abs() < 1e-15 && (root.im - 1.0).abs() < 1e-15);
    }
}
