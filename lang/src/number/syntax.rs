//! Number syntax: what `read` and `string->number` accept (R7RS 7.1.1), and what
//! `write` and `number->string` give.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;

use super::{negate, Number};

/// Parses R7RS number syntax (`#x1F`, `-3/4`, `1.5e3`, `1s2`, `#e1.2`, `+inf.0`, `1-2i`,
/// `+i`, `1@2`, ...). `None` when `text` is not a number, so that the reader takes it for
/// a symbol.
pub fn parse_number(text: &str, default_radix: u32) -> Option<Number> {
    let mut radix = default_radix;
    let mut exactness = None;
    let text = text.to_ascii_lowercase();
    let mut rest = text.as_str();
    while let Some(after) = rest.strip_prefix('#') {
        let mut chars = after.chars();
        match chars.next()? {
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
    let real = |text: &str| parse_real_with(text, radix, exactness);
    if let Some((magnitude, angle)) = rest.split_once('@') {
        let z = super::complex::polar(real(magnitude)?, real(angle)?);
        return with_exactness(z, exactness);
    }
    let Some(body) = rest.strip_suffix('i') else {
        return real(rest);
    };
    let (re, im) = body.split_at(imaginary_start(body, radix)?);
    let re = if re.is_empty() {
        Number::Fixnum(0)
    } else {
        real(re)?
    };
    let im = match im {
        "+" => Number::Fixnum(1),
        "-" => Number::Fixnum(-1),
        im => real(im)?,
    };
    with_exactness(Number::rectangular(re, im), exactness)
}

/// `z` made exact or inexact as a `#e` or `#i` prefix asks; `None` when no exact number
/// equals it.
fn with_exactness(z: Number, exactness: Option<bool>) -> Option<Number> {
    match exactness {
        Some(true) => z.to_exact(),
        Some(false) => Some(z.to_inexact()),
        None => Some(z),
    }
}

/// Where the imaginary part of `body` (a rectangular number without its `i`) starts:
/// at the last sign that is not an exponent's, or at the start when that is the only
/// sign. `None` when the imaginary part has no sign, as R7RS requires it to.
fn imaginary_start(body: &str, radix: u32) -> Option<usize> {
    let bytes = body.as_bytes();
    let exponent_sign = |i: usize| {
        radix == 10
            && i >= 2
            && b"esfdl".contains(&bytes[i - 1])
            && (bytes[i - 2].is_ascii_digit() || bytes[i - 2] == b'.')
    };
    let last = (1..bytes.len())
        .rev()
        .find(|&i| matches!(bytes[i], b'+' | b'-') && !exponent_sign(i));
    match last {
        Some(i) => Some(i),
        None if matches!(bytes.first(), Some(b'+' | b'-')) => Some(0),
        None => None,
    }
}

/// A real number in `radix`, made exact or inexact as `exactness` asks.
fn parse_real_with(text: &str, radix: u32, exactness: Option<bool>) -> Option<Number> {
    if exactness == Some(true) && radix == 10 {
        if let Some(n) = exact_decimal(text) {
            return Some(n);
        }
    }
    let n = parse_real(text, radix)?;
    match exactness {
        Some(true) => n.to_exact(),
        Some(false) => Some(Number::Real(n.to_f64())),
        None => Some(n),
    }
}

fn parse_real(text: &str, radix: u32) -> Option<Number> {
    match text {
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

/// The exponent markers R7RS reads: all mean the same precision here.
const EXPONENT_MARKERS: [char; 5] = ['e', 's', 'f', 'd', 'l'];

/// `1.5`, `.5`, `5.`, `1e10`, `1.5e-3`, `1s2`: an inexact number, exactly as Rust's
/// correctly rounded parser reads it.
fn parse_decimal(body: &str) -> Option<Number> {
    let (mantissa, exponent) = match body.find(EXPONENT_MARKERS) {
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
    let body = match exponent {
        Some(e) => format!("{mantissa}e{e}"),
        None => mantissa.to_string(),
    };
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
    let (mantissa, exponent) = match body.find(EXPONENT_MARKERS) {
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

impl Number {
    /// `number->string` in `radix` (2, 8, 10 or 16; inexact numbers only in 10).
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
            Number::Complex(z) => rectangular(format_flonum(z.re), format_flonum(z.im)),
            Number::ExactComplex(z) => {
                let part = |r: &BigRational| Number::from_ratio(r.clone()).to_string_radix(radix);
                let im = match part(&z.im).as_str() {
                    "1" => String::new(),
                    "-1" => "-".into(),
                    im => im.to_string(),
                };
                let re = if z.re.is_zero() {
                    String::new()
                } else {
                    part(&z.re)
                };
                rectangular(re, im)
            }
        }
    }
}

/// `re+imi`, with a `+` before the imaginary part when it has no sign of its own.
fn rectangular(re: String, im: String) -> String {
    let sign = if im.starts_with(['+', '-']) { "" } else { "+" };
    format!("{re}{sign}{im}i")
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_string_radix(10))
    }
}

/// A flonum as R7RS writes it: shortest digits that read back to the same number, with
/// a point in the digits (`1.0`, `1.0e21`, `5.0e-324`, `+inf.0`, `+nan.0`).
pub fn format_flonum(f: f64) -> String {
    if f.is_nan() {
        "+nan.0".into()
    } else if f.is_infinite() {
        if f > 0.0 { "+inf.0" } else { "-inf.0" }.into()
    } else {
        let text = format!("{f:?}");
        match text.split_once('e') {
            Some((digits, exponent)) if !digits.contains('.') => {
                format!("{digits}.0e{exponent}")
            }
            _ => text,
        }
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
            ("1e21", "1.0e21"),
            ("1.5e-7", "1.5e-7"),
            ("1s2", "100.0"),
            ("1L2", "100.0"),
            ("-2.5d-1", "-0.25"),
            ("#e1f1", "10"),
            ("1+2i", "1+2i"),
            ("1-i", "1-i"),
            ("+i", "+i"),
            ("-2i", "-2i"),
            ("0+1i", "+i"),
            ("1.0+2i", "1.0+2.0i"),
            ("1/2-3/4i", "1/2-3/4i"),
            ("+inf.0-inf.0i", "+inf.0-inf.0i"),
            ("1e2+1s1i", "100.0+10.0i"),
            ("#x10+11i", "16+17i"),
            ("#i1+i", "1.0+1.0i"),
            ("#e1.5-2.5i", "3/2-5/2i"),
            ("1@0", "1"),
            ("#e2@0", "2"),
            ("#i1@0", "1.0+0.0i"),
            ("3+0i", "3"),
            ("2i", "-"),
            ("1+2", "-"),
            ("1e+2i", "-"),
            ("+pi", "-"),
            ("a@b", "-"),
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
        assert!(parse_number("#e1@0.5", 10).is_some_and(|z| z.is_exact() && !z.is_real()));
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
}
