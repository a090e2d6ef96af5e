//! Numbers: arithmetic over the whole tower, comparison, and conversion.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};

use super::{builtin, Builtin};
use crate::error::{Error, Result};
use crate::number::{
    self, arith, from_value, is_number, is_real, num_eq, order, parse_number, ArithOp, ComplexFn,
    Number,
};
use crate::object::{string_to_rust, Alloc};
use crate::store::Store;
use crate::value::{Kind, Value};

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("+", 0, None, add),
        builtin("-", 1, None, sub),
        builtin("*", 0, None, mul),
        builtin("/", 1, None, div),
        builtin("=", 1, None, |_, a| {
            let nums = a.iter().map(|&v| num(v)).collect::<Result<Vec<_>>>()?;
            Ok(Value::bool(nums.windows(2).all(|w| num_eq(&w[0], &w[1]))))
        }),
        builtin("<", 1, None, |store, a| compare(store, a, |o| o.is_lt())),
        builtin(">", 1, None, |store, a| compare(store, a, |o| o.is_gt())),
        builtin("<=", 1, None, |store, a| compare(store, a, |o| o.is_le())),
        builtin(">=", 1, None, |store, a| compare(store, a, |o| o.is_ge())),
        builtin("number?", 1, Some(1), |_, a| {
            Ok(Value::bool(is_number(a[0])))
        }),
        builtin("complex?", 1, Some(1), |_, a| {
            Ok(Value::bool(is_number(a[0])))
        }),
        builtin("real?", 1, Some(1), |_, a| Ok(Value::bool(is_real(a[0])))),
        builtin("rational?", 1, Some(1), |_, a| {
            Ok(Value::bool(from_value(a[0]).is_some_and(|n| {
                n.is_real() && !n.is_nan() && !n.is_infinite()
            })))
        }),
        builtin("integer?", 1, Some(1), |_, a| {
            Ok(Value::bool(
                from_value(a[0]).is_some_and(|n| n.is_integer()),
            ))
        }),
        builtin("exact?", 1, Some(1), |_, a| {
            Ok(Value::bool(num(a[0])?.is_exact()))
        }),
        builtin("inexact?", 1, Some(1), |_, a| {
            Ok(Value::bool(!num(a[0])?.is_exact()))
        }),
        builtin("exact-integer?", 1, Some(1), |_, a| {
            Ok(Value::bool(matches!(
                from_value(a[0]),
                Some(Number::Fixnum(_) | Number::Big(_))
            )))
        }),
        builtin("exact-rational?", 1, Some(1), |_, a| {
            Ok(Value::bool(from_value(a[0]).is_some_and(|n| n.is_exact())))
        }),
        builtin("nan?", 1, Some(1), |_, a| {
            Ok(Value::bool(num(a[0])?.is_nan()))
        }),
        builtin("infinite?", 1, Some(1), |_, a| {
            Ok(Value::bool(num(a[0])?.is_infinite()))
        }),
        builtin("finite?", 1, Some(1), |_, a| {
            let n = num(a[0])?;
            Ok(Value::bool(!n.is_nan() && !n.is_infinite()))
        }),
        builtin("zero?", 1, Some(1), is_zero),
        builtin("positive?", 1, Some(1), |_, a| {
            let n = real(a[0])?;
            Ok(Value::bool(!n.is_negative() && !n.is_zero() && !n.is_nan()))
        }),
        builtin("negative?", 1, Some(1), |_, a| {
            Ok(Value::bool(real(a[0])?.is_negative()))
        }),
        builtin("odd?", 1, Some(1), |_, a| {
            Ok(Value::bool(int(a[0])?.is_odd()))
        }),
        builtin("even?", 1, Some(1), |_, a| {
            Ok(Value::bool(int(a[0])?.is_even()))
        }),
        builtin("max", 1, None, |store, a| {
            extremum(store, a, std::cmp::Ordering::Greater)
        }),
        builtin("min", 1, None, |store, a| {
            extremum(store, a, std::cmp::Ordering::Less)
        }),
        builtin("abs", 1, Some(1), |store, a| {
            Ok(store.number(real(a[0])?.abs()))
        }),
        builtin("magnitude", 1, Some(1), |store, a| {
            Ok(store.number(number::magnitude(&num(a[0])?)))
        }),
        builtin("angle", 1, Some(1), |store, a| {
            Ok(store.number(number::angle(&num(a[0])?)))
        }),
        builtin("real-part", 1, Some(1), |store, a| {
            Ok(store.number(num(a[0])?.parts().0))
        }),
        builtin("imag-part", 1, Some(1), |store, a| {
            Ok(store.number(num(a[0])?.parts().1))
        }),
        builtin("make-rectangular", 2, Some(2), |store, a| {
            let (re, im) = (real(a[0])?, real(a[1])?);
            Ok(store.number(Number::rectangular(re, im)))
        }),
        builtin("make-polar", 2, Some(2), |store, a| {
            let (magnitude, angle) = (real(a[0])?, real(a[1])?);
            Ok(store.number(number::polar(magnitude, angle)))
        }),
        builtin("quotient", 2, Some(2), |store, a| {
            int_div(store, a, Division::Quotient)
        }),
        builtin("remainder", 2, Some(2), |store, a| {
            int_div(store, a, Division::Remainder)
        }),
        builtin("modulo", 2, Some(2), |store, a| {
            int_div(store, a, Division::Modulo)
        }),
        builtin("truncate-quotient", 2, Some(2), |store, a| {
            int_div(store, a, Division::Quotient)
        }),
        builtin("truncate-remainder", 2, Some(2), |store, a| {
            int_div(store, a, Division::Remainder)
        }),
        builtin("floor-quotient", 2, Some(2), |store, a| {
            int_div(store, a, Division::FloorQuotient)
        }),
        builtin("floor-remainder", 2, Some(2), |store, a| {
            int_div(store, a, Division::Modulo)
        }),
        builtin("gcd", 0, None, |store, a| {
            fold_int(store, a, 0, |x, y| x.gcd(y))
        }),
        builtin("lcm", 0, None, |store, a| {
            fold_int(store, a, 1, |x, y| x.lcm(y))
        }),
        builtin("floor", 1, Some(1), |store, a| {
            round_with(store, a[0], f64::floor, |r| r.floor())
        }),
        builtin("ceiling", 1, Some(1), |store, a| {
            round_with(store, a[0], f64::ceil, |r| r.ceil())
        }),
        builtin("truncate", 1, Some(1), |store, a| {
            round_with(store, a[0], f64::trunc, |r| r.trunc())
        }),
        builtin("round", 1, Some(1), |store, a| {
            round_with(store, a[0], f64::round_ties_even, round_even)
        }),
        builtin("numerator", 1, Some(1), |store, a| {
            let r = real(a[0])?;
            fraction_part(store, r, |q| q.numer().clone())
        }),
        builtin("denominator", 1, Some(1), |store, a| {
            let r = real(a[0])?;
            fraction_part(store, r, |q| q.denom().clone())
        }),
        builtin("exact", 1, Some(1), exact),
        builtin("inexact->exact", 1, Some(1), exact),
        builtin("inexact", 1, Some(1), |store, a| {
            Ok(store.number(num(a[0])?.to_inexact()))
        }),
        builtin("exact->inexact", 1, Some(1), |store, a| {
            Ok(store.number(num(a[0])?.to_inexact()))
        }),
        builtin("sqrt", 1, Some(1), |store, a| {
            Ok(store.number(number::sqrt(&num(a[0])?)))
        }),
        // Both values, as a list; `exact-integer-sqrt` (in the prelude) returns them.
        builtin("%exact-integer-sqrt", 1, Some(1), |store, a| {
            let n = int(a[0]).map_err(|e| e.named("exact-integer-sqrt"))?;
            if n.is_negative() {
                return Err(Error::wrong_type(
                    "exact-integer-sqrt",
                    "a non-negative integer",
                    a[0],
                ));
            }
            let s = n.sqrt();
            let r = &n - &s * &s;
            let (s, r) = (
                store.number(Number::from_bigint(s)),
                store.number(Number::from_bigint(r)),
            );
            Ok(store.heap.list(&[s, r]))
        }),
        builtin("expt", 2, Some(2), expt),
        builtin("square", 1, Some(1), |store, a| mul(store, &[a[0], a[0]])),
        builtin("exp", 1, Some(1), |store, a| {
            complex_fn(store, a[0], ComplexFn::Exp)
        }),
        builtin("log", 1, Some(2), |store, a| {
            let x = number::complex_fn(ComplexFn::Ln, &num(a[0])?);
            let r = match a.get(1) {
                Some(&b) => {
                    let base = number::complex_fn(ComplexFn::Ln, &num(b)?);
                    arith(&x, &base, ArithOp::Div).expect("a logarithm is inexact")
                }
                None => x,
            };
            Ok(store.number(r))
        }),
        builtin("sin", 1, Some(1), |store, a| {
            complex_fn(store, a[0], ComplexFn::Sin)
        }),
        builtin("cos", 1, Some(1), |store, a| {
            complex_fn(store, a[0], ComplexFn::Cos)
        }),
        builtin("tan", 1, Some(1), |store, a| {
            complex_fn(store, a[0], ComplexFn::Tan)
        }),
        builtin("asin", 1, Some(1), |store, a| {
            complex_fn(store, a[0], ComplexFn::Asin)
        }),
        builtin("acos", 1, Some(1), |store, a| {
            complex_fn(store, a[0], ComplexFn::Acos)
        }),
        builtin("atan", 1, Some(2), |store, a| match a.get(1) {
            Some(&x) => {
                let y = real(a[0])?.to_f64();
                Ok(store.number(Number::Real(y.atan2(real(x)?.to_f64()))))
            }
            None => complex_fn(store, a[0], ComplexFn::Atan),
        }),
        builtin("number->string", 1, Some(2), |store, a| {
            let n = num(a[0])?;
            let radix = radix_arg(a.get(1).copied())?;
            if radix != 10 && !n.is_exact() {
                return Err(Error::runtime(
                    "inexact numbers are written in radix 10 only",
                    vec![a[0]],
                )
                .unnamed());
            }
            Ok(store.heap.string(&n.to_string_radix(radix)))
        }),
        builtin("string->number", 1, Some(2), |store, a| {
            if !a[0].is(Kind::String) {
                return Err(Error::expected("a string", a[0]));
            }
            let radix = radix_arg(a.get(1).copied())?;
            Ok(match parse_number(&string_to_rust(a[0]), radix) {
                Some(n) => store.number(n),
                None => Value::FALSE,
            })
        }),
    ]
}

/// A number argument.
fn num(v: Value) -> Result<Number> {
    from_value(v).ok_or_else(|| Error::expected("a number", v))
}

/// A real number argument.
fn real(v: Value) -> Result<Number> {
    from_value(v)
        .filter(Number::is_real)
        .ok_or_else(|| Error::expected("a real number", v))
}

/// An integer argument, exact or inexact, as a bigint.
fn int(v: Value) -> Result<BigInt> {
    Ok(integer(&num(v)?, v)?.into_owned())
}

/// The integer `n`, read from the argument `v`, as a bigint.
fn integer(n: &Number, v: Value) -> Result<std::borrow::Cow<'_, BigInt>> {
    n.as_bigint()
        .ok_or_else(|| Error::expected("an integer", v))
}

fn radix_arg(v: Option<Value>) -> Result<u32> {
    match v.map(|v| (v, v.as_fixnum())) {
        None => Ok(10),
        Some((_, Some(r @ (2 | 8 | 10 | 16)))) => Ok(r as u32),
        Some((v, _)) => Err(Error::expected("a radix of 2, 8, 10 or 16", v)),
    }
}

fn fold(store: &mut Store, args: &[Value], start: Number, op: ArithOp) -> Result<Value> {
    let mut acc = start;
    for &a in args {
        acc = arith(&acc, &num(a)?, op)
            .ok_or_else(|| Error::runtime("division by zero", vec![]).unnamed())?;
    }
    Ok(store.number(acc))
}

/// Sums and products start from their first argument, not from 0 or 1: an exact zero
/// would turn a sum of negative zeros into a positive one.
pub(crate) fn add(store: &mut Store, args: &[Value]) -> Result<Value> {
    match args {
        [] => Ok(Value::fixnum(0)),
        [first, rest @ ..] => fold(store, rest, num(*first)?, ArithOp::Add),
    }
}

fn mul(store: &mut Store, args: &[Value]) -> Result<Value> {
    match args {
        [] => Ok(Value::fixnum(1)),
        [first, rest @ ..] => fold(store, rest, num(*first)?, ArithOp::Mul),
    }
}

fn sub(store: &mut Store, args: &[Value]) -> Result<Value> {
    let first = num(args[0])?;
    if args.len() == 1 {
        return Ok(store.number(first.negate()));
    }
    fold(store, &args[1..], first, ArithOp::Sub)
}

fn div(store: &mut Store, args: &[Value]) -> Result<Value> {
    match args {
        [_] => fold(store, args, Number::Fixnum(1), ArithOp::Div),
        [first, rest @ ..] => fold(store, rest, num(*first)?, ArithOp::Div),
        [] => unreachable!("arity checked"),
    }
}

/// Whether `ok` holds of the order of each number and the next; every argument is
/// checked.
fn compare(_: &mut Store, args: &[Value], ok: fn(std::cmp::Ordering) -> bool) -> Result<Value> {
    let mut prev = real(args[0])?;
    let mut holds = true;
    for &a in &args[1..] {
        let n = real(a)?;
        holds = holds && order(&prev, &n).is_some_and(ok);
        prev = n;
    }
    Ok(Value::bool(holds))
}

fn extremum(store: &mut Store, args: &[Value], keep: std::cmp::Ordering) -> Result<Value> {
    let nums = args.iter().map(|&a| real(a)).collect::<Result<Vec<_>>>()?;
    let inexact = nums.iter().any(|n| !n.is_exact());
    let mut best = nums[0].clone();
    for n in &nums[1..] {
        if n.to_f64().is_nan() || order(n, &best) == Some(keep) {
            best = n.clone();
        }
    }
    if inexact {
        best = Number::Real(best.to_f64());
    }
    Ok(store.number(best))
}

pub(crate) fn is_zero(_: &mut Store, args: &[Value]) -> Result<Value> {
    Ok(Value::bool(num(args[0])?.is_zero()))
}

/// Integer division, exact on exact integers and inexact on inexact integers.
/// The integer divisions: truncating (`quotient`, `remainder`) and flooring (`modulo`,
/// `floor-quotient`).
#[derive(Copy, Clone)]
enum Division {
    Quotient,
    Remainder,
    FloorQuotient,
    Modulo,
}

impl Division {
    fn fixnums(self, x: i64, y: i64) -> i64 {
        match self {
            Division::Quotient => x / y,
            Division::Remainder => x % y,
            Division::FloorQuotient => Integer::div_floor(&x, &y),
            Division::Modulo => Integer::mod_floor(&x, &y),
        }
    }

    fn bigints(self, x: &BigInt, y: &BigInt) -> BigInt {
        match self {
            Division::Quotient => x / y,
            Division::Remainder => x % y,
            Division::FloorQuotient => x.div_floor(y),
            Division::Modulo => x.mod_floor(y),
        }
    }
}

/// Integer division, exact on exact integers and inexact on inexact integers.
fn int_div(store: &mut Store, args: &[Value], division: Division) -> Result<Value> {
    if let (Some(x), Some(y)) = (args[0].as_fixnum(), args[1].as_fixnum()) {
        if y != 0 {
            // Within the fixnum range no division overflows an i64.
            return Ok(store.number(Number::from_i128(division.fixnums(x, y) as i128)));
        }
    }
    let (a, b) = (num(args[0])?, num(args[1])?);
    let (x, y) = (integer(&a, args[0])?, integer(&b, args[1])?);
    if y.is_zero() {
        return Err(Error::runtime("division by zero", vec![args[0]]).unnamed());
    }
    let exact = Number::from_bigint(division.bigints(&x, &y));
    if a.is_exact() && b.is_exact() {
        return Ok(store.number(exact));
    }
    Ok(store.number(Number::Real(exact.to_f64())))
}

fn fold_int(
    store: &mut Store,
    args: &[Value],
    start: i64,
    op: fn(&BigInt, &BigInt) -> BigInt,
) -> Result<Value> {
    let mut acc = BigInt::from(start);
    let mut inexact = false;
    for &a in args {
        inexact |= !num(a)?.is_exact();
        acc = op(&acc, &int(a)?);
    }
    let n = Number::from_bigint(acc.abs());
    Ok(store.number(if inexact { Number::Real(n.to_f64()) } else { n }))
}

fn round_even(r: &BigRational) -> BigRational {
    let floor = r.floor();
    let diff = r - &floor;
    let half = BigRational::new(1.into(), 2.into());
    match diff.cmp(&half) {
        std::cmp::Ordering::Less => floor,
        std::cmp::Ordering::Greater => floor + BigRational::from_integer(1.into()),
        std::cmp::Ordering::Equal if floor.to_integer().is_even() => floor,
        std::cmp::Ordering::Equal => floor + BigRational::from_integer(1.into()),
    }
}

fn round_with(
    store: &mut Store,
    v: Value,
    float: fn(f64) -> f64,
    ratio: fn(&BigRational) -> BigRational,
) -> Result<Value> {
    Ok(match real(v)? {
        Number::Real(f) => store.number(Number::Real(float(f))),
        Number::Rational(r) => store.number(Number::from_ratio(ratio(&r))),
        _ => v,
    })
}

fn fraction_part(store: &mut Store, n: Number, part: fn(&BigRational) -> BigInt) -> Result<Value> {
    let exact = n
        .to_exact()
        .ok_or_else(|| Error::runtime("not a finite number", vec![]).unnamed())?;
    let r = Number::from_bigint(part(&exact.to_ratio().expect("exact")));
    Ok(store.number(if n.is_exact() {
        r
    } else {
        Number::Real(r.to_f64())
    }))
}

fn exact(store: &mut Store, args: &[Value]) -> Result<Value> {
    match num(args[0])?.to_exact() {
        Some(n) => Ok(store.number(n)),
        None => Err(Error::runtime("no exact number equals", vec![args[0]]).unnamed()),
    }
}

/// The most bits an exact power may have: its squarings would take minutes beyond it.
const MAX_POWER_BITS: u64 = 1 << 26;

fn expt(store: &mut Store, args: &[Value]) -> Result<Value> {
    let (base, power) = (num(args[0])?, num(args[1])?);
    if !base.is_real() || !power.is_real() || (base.is_negative() && !power.is_integer()) {
        return Ok(store.number(number::expt_complex(&base, &power)));
    }
    let exponent = power.is_exact().then(|| power.to_bigint()).flatten();
    let (Some(e), true) = (exponent, base.is_exact()) else {
        return Ok(store.number(Number::Real(base.to_f64().powf(power.to_f64()))));
    };
    let base = base.to_ratio().expect("exact");
    // Bases whose powers stay small, whatever the exponent.
    if base.is_zero() {
        return match e.sign() {
            num_bigint::Sign::Minus => Err(Error::runtime("division by zero", vec![]).unnamed()),
            num_bigint::Sign::NoSign => Ok(Value::fixnum(1)),
            num_bigint::Sign::Plus => Ok(Value::fixnum(0)),
        };
    }
    if base.is_integer() && base.numer().magnitude() == &num_bigint::BigUint::from(1u8) {
        let negative = base.is_negative() && e.is_odd();
        return Ok(Value::fixnum(if negative { -1 } else { 1 }));
    }
    let too_large = || {
        Error::runtime(
            format!("the result would have more than {MAX_POWER_BITS} bits"),
            vec![args[1]],
        )
        .unnamed()
    };
    let magnitude = e.abs().to_u64().ok_or_else(too_large)?;
    let bits = (base.numer().bits() + base.denom().bits()).saturating_mul(magnitude);
    if bits > MAX_POWER_BITS {
        return Err(too_large());
    }
    store.reserve((bits / 8) as usize * 4)?;
    // Numerator and denominator are coprime, and so are their powers: no gcd is needed.
    let (numer, denom) = (
        num_traits::pow(base.numer().clone(), magnitude as usize),
        num_traits::pow(base.denom().clone(), magnitude as usize),
    );
    let r = if e.is_negative() {
        BigRational::new_raw(denom, numer)
    } else {
        BigRational::new_raw(numer, denom)
    };
    Ok(store.number(Number::from_ratio(r)))
}

fn complex_fn(store: &mut Store, v: Value, f: ComplexFn) -> Result<Value> {
    Ok(store.number(number::complex_fn(f, &num(v)?)))
}
