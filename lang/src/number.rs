//! The numeric tower on the Rust side: parsing, printing, and the slow paths of arithmetic.
//!
//! In the heap a number is a fixnum word, a bignum, a ratnum or a flonum. Arithmetic on
//! two fixnums happens inline in the VM; everything else comes here as a [`Number`],
//! is computed, and goes back normalized (an integer that fits is a fixnum, a ratio
//! whose denominator is one is an integer).

use std::borrow::Cow;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{FromPrimitive, One, Signed, ToPrimitive, Zero};
use rudo_gc::Heap;

use crate::object::Alloc;
use crate::value::{Kind, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Fixnum(i64),
    Big(BigInt),
    Rational(BigRational),
    Real(f64),
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

    pub fn is_exact(&self) -> bool {
        !matches!(self, Number::Real(_))
    }

    pub fn is_integer(&self) -> bool {
        match self {
            Number::Fixnum(_) | Number::Big(_) => true,
            Number::Rational(_) => false,
            Number::Real(f) => f.is_finite() && f.fract() == 0.0,
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
            Number::Rational(_) => None,
            Number::Real(f) => (f.is_finite() && f.fract() == 0.0)
                .then(|| BigInt::from_f64(*f))
                .flatten()
                .map(Cow::Owned),
        }
    }

    pub fn to_ratio(&self) -> Option<BigRational> {
        match self {
            Number::Fixnum(i) => Some(BigRational::from_integer(BigInt::from(*i))),
            Number::Big(b) => Some(BigRational::from_integer(b.clone())),
            Number::Rational(r) => Some(r.clone()),
            Number::Real(f) => BigRational::from_float(*f),
        }
    }

    pub fn to_f64(&self) -> f64 {
        match self {
            Number::Fixnum(i) => *i as f64,
            Number::Big(b) => b.to_f64().unwrap_or(f64::NAN),
            Number::Rational(r) => ratio_to_f64(r),
            Number::Real(f) => *f,
        }
    }

    /// `exact`: `None` for infinities and NaN.
    pub fn to_exact(&self) -> Option<Number> {
        match self {
            Number::Real(f) => BigRational::from_float(*f).map(Number::from_ratio),
            n => Some(n.clone()),
        }
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Number::Fixnum(i) => *i == 0,
            Number::Big(b) => b.is_zero(),
            Number::Rational(r) => r.is_zero(),
            Number::Real(f) => *f == 0.0,
        }
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

    pub fn is_negative(&self) -> bool {
        match self {
            Number::Fixnum(i) => *i < 0,
            Number::Big(b) => b.is_negative(),
            Number::Rational(r) => r.is_negative(),
            Number::Real(f) => *f < 0.0,
        }
    }

    /// `number->string` in `radix` (2, 8, 10 or 16; flonums only in 10).
    pub fn to_string_radix(&self, radix: u32) -> String {
        match self {
            Number::Fixnum(i) => BigInt::from(*i).to_str_radix(radix),
            Number::Big(b) => b.to_str_radix(radix),
            Number::Rational(r) => {
                format!(
                    "{}/{}",
                    r.numer().to_str_radix(radix),
                    r.denom().to_str_radix(radix)
                )
            }
            Number::Real(f) => format_flonum(*f),
        }
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_string_radix(10))
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

/// Parses R7RS number syntax (`#x1F`, `-3/4`, `1.5e3`, `#e1.2`, `+inf.0`, ...). `None` when
/// `text` is not a number, so that the reader takes it for a symbol.
pub fn parse_number(text: &str, default_radix: u32) -> Option<Number> {
    let mut radix = default_radix;
    let mut exactness = None;
    let mut rest = text;
    while let Some(after) = rest.strip_prefix('#') {
        let mut chars = after.chars();
        match chars.next()?.to_ascii_lowercase() {
            'x' => radix = 16,
            'b' => radix = 2,
            'o' => radix = 8,
            'd' => radix = 10,
            'e' if exactness.is_none() => exactness = Some(true),
            'i' if exactness.is_none() => exactness = Some(false),
            _ => return None,
        }
        rest = chars.as_str();
    }
    if exactness == Some(true) && radix == 10 {
        if let Some(n) = exact_decimal(rest) {
            return Some(n);
        }
    }
    let n = parse_real(rest, radix)?;
    match exactness {
        Some(true) => n.to_exact(),
        Some(false) => Some(Number::Real(n.to_f64())),
        None => Some(n),
    }
}

fn parse_real(text: &str, radix: u32) -> Option<Number> {
    match text.to_ascii_lowercase().as_str() {
        "+inf.0" => return Some(Number::Real(f64::INFINITY)),
        "-inf.0" => return Some(Number::Real(f64::NEG_INFINITY)),
        "+nan.0" | "-nan.0" => return Some(Number::Real(f64::NAN)),
        _ => {}
    }
    let (negative, body) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    let n = parse_ureal(body, radix)?;
    Some(if negative { negate(n) } else { n })
}

fn negate(n: Number) -> Number {
    match n {
        Number::Fixnum(i) => Number::from_i128(-i128::from(i)),
        Number::Big(b) => Number::from_bigint(-b),
        Number::Rational(r) => Number::Rational(-r),
        Number::Real(f) => Number::Real(-f),
    }
}

fn parse_uinteger(digits: &str, radix: u32) -> Option<BigInt> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    BigInt::parse_bytes(digits.as_bytes(), radix)
}

fn parse_ureal(body: &str, radix: u32) -> Option<Number> {
    if let Some((n, d)) = body.split_once('/') {
        let (n, d) = (parse_uinteger(n, radix)?, parse_uinteger(d, radix)?);
        if d.is_zero() {
            return None;
        }
        return Some(Number::from_ratio(BigRational::new(n, d)));
    }
    if let Some(i) = parse_uinteger(body, radix) {
        return Some(Number::from_bigint(i));
    }
    if radix != 10 {
        return None;
    }
    parse_decimal(body)
}

/// `1.5`, `.5`, `5.`, `1e10`, `1.5e-3`: an inexact number, exactly as Rust's correctly
/// rounded parser reads it.
fn parse_decimal(body: &str) -> Option<Number> {
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits_ok(e) {
            return None;
        }
    }
    body.parse::<f64>().ok().map(Number::Real)
}

/// The largest power of ten `#e` gives a decimal exponent: past it, the exact value is
/// a number of millions of digits that no program means.
const MAX_EXACT_EXPONENT: i64 = 100_000;

/// `#e1.1` as R7RS reads it: the decimal's exact value, 11/10, not the exact value of
/// the nearest flonum. `None` when `text` is not a decimal with a fraction or exponent.
fn exact_decimal(text: &str) -> Option<Number> {
    let (negative, body) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    parse_decimal(body)?;
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().ok()?),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let scale = exponent.checked_sub(frac.len() as i64)?;
    if scale.abs() > MAX_EXACT_EXPONENT {
        return None;
    }
    let n = BigInt::parse_bytes(
        if digits.is_empty() {
            b"0"
        } else {
            digits.as_bytes()
        },
        10,
    )?;
    let ten = BigInt::from(10);
    let power = num_traits::pow(ten, scale.unsigned_abs() as usize);
    let r = if scale >= 0 {
        BigRational::from_integer(n * power)
    } else {
        BigRational::new(n, power)
    };
    let n = Number::from_ratio(r);
    Some(if negative { negate(n) } else { n })
}

impl From<f64> for Number {
    fn from(f: f64) -> Number {
        Number::Real(f)
    }
}

/// The number a value holds, if it is one.
pub fn from_value(v: Value) -> Option<Number> {
    if let Some(i) = v.as_fixnum() {
        return Some(Number::Fixnum(i));
    }
    match v.kind()? {
        Kind::Flonum => Some(Number::Real(crate::object::flonum_value(v))),
        Kind::Bignum => Some(Number::Big(bignum_value(v))),
        Kind::Ratnum => {
            let n = from_value(v.field(0))?.to_bigint()?;
            let d = from_value(v.field(1))?.to_bigint()?;
            Some(Number::Rational(BigRational::new_raw(n, d)))
        }
        _ => None,
    }
}

/// Whether `eqv?` on `v` and anything is `eq?`: true of every value but the numbers
/// that live in the heap (bignums, ratnums, and flonums too large or small for a word;
/// the others are immediate, one word for each number).
pub fn eqv_is_eq(v: Value) -> bool {
    !(v.is_object() && matches!(v.kind(), Some(Kind::Flonum | Kind::Bignum | Kind::Ratnum)))
}

pub fn is_number(v: Value) -> bool {
    v.is_fixnum() || matches!(v.kind(), Some(Kind::Flonum | Kind::Bignum | Kind::Ratnum))
}

fn bignum_value(v: Value) -> BigInt {
    // The digits come least significant first, so their bytes, each least significant
    // first, are the magnitude's in little-endian order: one copy, where going through
    // 32-bit digits made three.
    let bytes: Vec<u8> = (1..v.size()).flat_map(|i| v.raw(i).to_le_bytes()).collect();
    let sign = if v.raw(0) == 1 {
        num_bigint::Sign::Minus
    } else {
        num_bigint::Sign::Plus
    };
    BigInt::from_biguint(sign, num_bigint::BigUint::from_bytes_le(&bytes))
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
    }
}

/// A flonum as R7RS writes it: shortest digits that read back to the same number, and
/// always marked inexact (`1.0`, `1e21`, `+inf.0`, `+nan.0`).
pub fn format_flonum(f: f64) -> String {
    if f.is_nan() {
        "+nan.0".into()
    } else if f.is_infinite() {
        if f > 0.0 { "+inf.0" } else { "-inf.0" }.into()
    } else {
        format!("{f:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> String {
        parse_number(text, 10).map_or("-".into(), |n| format!("{n}"))
    }

    #[test]
    fn r7rs_number_syntax() {
        let cases = [
            ("42", "42"),
            ("-17", "-17"),
            ("+5", "5"),
            ("#x1F", "31"),
            ("#b-101", "-5"),
            ("#o17", "15"),
            ("1/2", "1/2"),
            ("6/4", "3/2"),
            ("-6/3", "-2"),
            ("1.5", "1.5"),
            (".5", "0.5"),
            ("5.", "5.0"),
            ("1e3", "1000.0"),
            ("1.5e-3", "0.0015"),
            ("#e1.5", "3/2"),
            ("#e1.1", "11/10"),
            ("#e-1.25e-1", "-1/8"),
            ("#e1e20", "100000000000000000000"),
            ("#i3", "3.0"),
            ("#x#e10", "16"),
            ("+inf.0", "+inf.0"),
            ("-inf.0", "-inf.0"),
            ("+nan.0", "+nan.0"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("abc", "-"),
            ("+", "-"),
            ("-", "-"),
            ("...", "-"),
            ("1/0", "-"),
            ("1e", "-"),
            ("#x1.5", "-"),
            ("1+", "-"),
            ("#z1", "-"),
        ];
        for (text, want) in cases {
            assert_eq!(parsed(text), want, "{text}");
        }
        assert_eq!(parsed("#e1e-400"), format!("1/1{}", "0".repeat(400)));
    }

    #[test]
    fn integers_are_fixnums_when_they_fit() {
        assert_eq!(
            parse_number("2305843009213693951", 10),
            Some(Number::Fixnum((1 << 61) - 1))
        );
        assert!(matches!(
            parse_number("2305843009213693952", 10),
            Some(Number::Big(_))
        ));
        assert_eq!(
            parse_number("-2305843009213693952", 10),
            Some(Number::Fixnum(-(1 << 61)))
        );
        assert_eq!(
            Number::from_ratio(BigRational::new(4.into(), 2.into())),
            Number::Fixnum(2)
        );
    }

    #[test]
    fn huge_ratios_convert_to_flonums() {
        let big = BigInt::from(10).pow(400);
        let r = BigRational::new(big.clone() + 1, big * 3);
        assert!((ratio_to_f64(&r) - 1.0 / 3.0).abs() < 1e-15);
    }
}
