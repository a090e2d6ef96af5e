//! Properties checked on random inputs (proptest): what the printer writes, the reader
//! reads back as the same datum; exact arithmetic agrees with num-bigint's.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use proptest::prelude::*;
use rudo_lang::engine::Engine;

thread_local! {
    static ENGINE: std::cell::RefCell<Engine> = std::cell::RefCell::new(Engine::new());
}

fn eval<T: rudo_lang::engine::FromScheme>(source: &str) -> T {
    ENGINE.with(|e| {
        e.borrow_mut()
            .eval(source)
            .unwrap_or_else(|err| panic!("{source}: {err}"))
    })
}

/// The text of a random datum of every kind the reader knows, nested a few levels.
fn datum() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        "-?[1-9][0-9]{18,40}".prop_map(|s| s),
        ("-?[1-9][0-9]{0,20}", "[1-9][0-9]{0,20}").prop_map(|(n, d)| format!("{n}/{d}")),
        any::<f64>()
            .prop_filter("NaN is not equal? to itself everywhere", |f| !f.is_nan())
            .prop_map(|f| match f {
                f if f == f64::INFINITY => "+inf.0".to_string(),
                f if f == f64::NEG_INFINITY => "-inf.0".to_string(),
                f => format!("{f:e}"),
            }),
        any::<bool>().prop_map(|b| if b { "#t" } else { "#f" }.to_string()),
        any::<char>().prop_map(|c| format!("#\\x{:x}", c as u32)),
        "[a-z!$%&*/:<=>?^_~][a-z0-9!$%&*/:<=>?^_~+.@-]{0,8}".prop_map(|s| s),
        any::<String>().prop_map(|s| {
            let escaped: String = s
                .chars()
                .map(|c| match c {
                    '"' => "\\\"".to_string(),
                    '\\' => "\\\\".to_string(),
                    c if c.is_control() => format!("\\x{:x};", c as u32),
                    c => c.to_string(),
                })
                .collect();
            format!("\"{escaped}\"")
        }),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(|b| {
            let bytes: Vec<String> = b.iter().map(u8::to_string).collect();
            format!("#u8({})", bytes.join(" "))
        }),
    ];
    atom.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("({})", v.join(" "))),
            (prop::collection::vec(inner.clone(), 1..4), inner.clone())
                .prop_map(|(v, tail)| format!("({} . {tail})", v.join(" "))),
            prop::collection::vec(inner, 0..6).prop_map(|v| format!("#({})", v.join(" "))),
        ]
    })
}

/// How Scheme writes an exact rational: an integer, or `n/d` in lowest terms.
fn scheme_text(r: &BigRational) -> String {
    if r.is_integer() {
        r.numer().to_string()
    } else {
        format!("{}/{}", r.numer(), r.denom())
    }
}

fn big() -> impl Strategy<Value = BigInt> {
    prop_oneof![
        any::<i64>().prop_map(BigInt::from),
        "-?[1-9][0-9]{0,45}".prop_map(|s| s.parse::<BigInt>().expect("digits")),
    ]
}

fn rational() -> impl Strategy<Value = BigRational> {
    (big(), big().prop_filter("a denominator", |d| !d.is_zero()))
        .prop_map(|(n, d)| BigRational::new(n, d))
}

// 256 cases each; `PROPTEST_CASES=N` runs more.
proptest! {
    #[test]
    fn what_is_written_reads_back_equal(text in datum()) {
        let source = format!(
            "(let* ((v (quote {text}))
                    (out (open-output-string)))
               (write v out)
               (let* ((written (get-output-string out))
                      (back (read (open-input-string written)))
                      (again (open-output-string)))
                 (write back again)
                 (list (equal? v back) (string=? written (get-output-string again)))))"
        );
        let checks: rudo_lang::engine::List<bool> = eval(&source);
        prop_assert_eq!(checks.0, vec![true, true], "{}", text);
    }

    #[test]
    fn exact_arithmetic_agrees_with_num(a in rational(), b in rational()) {
        let (sa, sb) = (scheme_text(&a), scheme_text(&b));
        let mut cases = vec![
            ("+", scheme_text(&(&a + &b))),
            ("-", scheme_text(&(&a - &b))),
            ("*", scheme_text(&(&a * &b))),
        ];
        if !b.is_zero() {
            cases.push(("/", scheme_text(&(&a / &b))));
        }
        for (op, expected) in cases {
            let got: String = eval(&format!("(number->string ({op} {sa} {sb}))"));
            prop_assert_eq!(&got, &expected, "({} {} {})", op, sa, sb);
        }
        let less: bool = eval(&format!("(< {sa} {sb})"));
        prop_assert_eq!(less, a < b);
        let same: bool = eval(&format!("(= {sa} {sb})"));
        prop_assert_eq!(same, a == b);
    }

    #[test]
    fn integer_division_agrees_with_num(a in big(), b in big().prop_filter("a divisor", |b| !b.is_zero())) {
        let cases = [
            ("quotient", &a / &b),
            ("remainder", &a % &b),
            ("modulo", a.mod_floor(&b)),
            ("gcd", a.gcd(&b)),
            ("lcm", a.lcm(&b).abs()),
            ("floor-quotient", a.div_floor(&b)),
        ];
        for (op, expected) in cases {
            let got: String = eval(&format!("(number->string ({op} {a} {b}))"));
            prop_assert_eq!(got, expected.to_string(), "({} {} {})", op, a, b);
        }
    }

    #[test]
    fn numbers_read_back_from_their_text(r in rational(), radix in prop::sample::select(vec![2u32, 8, 10, 16])) {
        let text = scheme_text(&r);
        let back: bool = eval(&format!(
            "(let ((n {text})) (= n (string->number (number->string n {radix}) {radix})))"
        ));
        prop_assert!(back, "{} in radix {}", text, radix);
    }
}
