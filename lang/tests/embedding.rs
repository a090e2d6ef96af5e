//! The embedding API: evaluating, calling both ways, converting, rooting, and errors.

use rudo_lang::engine::{
    Bytevector, Engine, ErrorKind, FromScheme, IntoScheme, List, Root, SchemeError,
};
use rudo_lang::Options;

/// An engine that collects at every safepoint. Under Miri, where a collection takes
/// minutes, it collects only where a test asks for one (`Engine::collect`).
fn stressed() -> Engine {
    Engine::with_options(Options {
        gc_stress: !cfg!(miri),
        ..Options::default()
    })
}

#[test]
fn roots_keep_values_alive_across_collections() {
    let mut engine = stressed();
    let list: Root = engine
        .eval("(list 1 \"two\" (vector 3))")
        .expect("evaluates");
    engine
        .eval::<()>("(let loop ((i 0)) (if (< i 2000) (begin (make-vector 50) (loop (+ i 1)))))")
        .expect("churns");
    engine.collect();
    assert_eq!(engine.write_string(&list), "(1 \"two\" #(3))");
    let copy = list.clone();
    drop(list);
    engine.collect();
    assert_eq!(engine.write_string(&copy), "(1 \"two\" #(3))");
}

#[test]
fn conversions_round_trip() {
    let mut engine = Engine::new();
    let identity: Root = engine.eval("(lambda (x) x)").expect("a procedure");
    fn through<T>(engine: &mut Engine, identity: &Root, value: T)
    where
        T: IntoScheme + FromScheme + Clone + PartialEq + std::fmt::Debug,
    {
        let back: T = engine.call(identity, (value.clone(),)).expect("returns");
        assert_eq!(value, back);
    }
    macro_rules! round_trip {
        ($($value:expr),*) => {$( through(&mut engine, &identity, $value); )*};
    }
    round_trip!(
        42i64,
        -7i32,
        i64::MAX,
        usize::MAX,
        2.5f64,
        true,
        false,
        'λ',
        String::from("naïve"),
        vec![1i64, 2, 3],
        List(vec![String::from("a"), String::from("b")]),
        Bytevector(vec![0, 255, 7]),
        vec![List(vec![1.5f64]), List(vec![])]
    );
    assert_eq!(engine.eval::<i64>("(expt 2 62)").unwrap(), 1 << 62);
    assert_eq!(engine.eval::<f64>("1/4").unwrap(), 0.25);
    assert_eq!(
        engine.eval::<String>("(symbol->string 'abc)").unwrap(),
        "abc"
    );
    // Strings and bytevectors written in place and compared with themselves: under
    // Miri, no two slices of their bytes may alias mutably.
    let edited: String = engine
        .eval("(let ((s (make-string 3 #\\a))) (string-set! s 1 #\\λ) (string-copy! s 2 s 0 1) s)")
        .unwrap();
    assert_eq!(edited, "aλa");
    let same: bool = engine
        .eval("(let ((b (bytevector 1 2 3))) (bytevector-u8-set! b 0 9) (and (equal? b b) (= 9 (bytevector-u8-ref b 0))))")
        .unwrap();
    assert!(same);
}

#[test]
fn wrong_types_are_errors_not_panics() {
    let mut engine = Engine::new();
    let e = engine.eval::<i64>("\"seven\"").unwrap_err();
    assert_eq!(
        e.message,
        "result: expected an exact integer that fits i64 \"seven\""
    );
    assert!(engine.eval::<i64>("(expt 2 70)").is_err());
    assert!(engine.eval::<i32>("(expt 2 40)").is_err());
    assert!(engine
        .eval::<List<i64>>("(let ((l (list 1 2))) (set-cdr! (cdr l) l) l)")
        .is_err());
    assert!(engine.eval::<List<i64>>("'(1 2 . 3)").is_err());
    assert!(engine.eval::<Vec<char>>("(vector #\\a 1)").is_err());
}

#[test]
fn scheme_calls_rust_with_checked_arguments() {
    let mut engine = stressed();
    engine.register("add", |a: i64, b: i64| a + b);
    engine.register("shout", |s: String| s.to_uppercase());
    engine.register("total", |xs: List<f64>| xs.0.iter().sum::<f64>());
    engine.register("parse", |s: String| {
        s.parse::<i64>().map_err(|e| e.to_string())
    });
    engine.register("answer", || 42i64);
    assert_eq!(engine.eval::<i64>("(add 40 (answer))").unwrap(), 82);
    assert_eq!(engine.eval::<String>("(shout \"hi\")").unwrap(), "HI");
    assert_eq!(
        engine
            .eval::<f64>("(total (map exact->inexact '(1 2 3)))")
            .unwrap(),
        6.0
    );
    assert_eq!(engine.eval::<i64>("(apply add '(1 2))").unwrap(), 3);
    let caught = |engine: &mut Engine, call: &str| -> String {
        engine
            .eval(&format!("(guard (e (#t (error-object-message e))) {call})"))
            .unwrap()
    };
    assert_eq!(
        caught(&mut engine, "(parse \"x\")"),
        "parse: invalid digit found in string"
    );
    assert_eq!(
        caught(&mut engine, "(add 1 \"2\")"),
        "add: expected an exact integer that fits i64"
    );
    assert_eq!(
        caught(&mut engine, "(add 1)"),
        "add: expected 2 arguments, got 1"
    );
}

#[test]
fn a_registered_name_is_never_inlined_as_the_builtin() {
    let mut engine = Engine::new();
    engine.register("car", |x: i64| x * 10);
    assert_eq!(
        engine.eval::<i64>("(define (f x) (car x)) (f 4)").unwrap(),
        40
    );
}

#[test]
fn rust_calls_scheme_and_scheme_calls_back() {
    let mut engine = stressed();
    engine.register("twice", |x: i64| 2 * x);
    engine
        .eval::<()>("(define (fold-twice xs) (apply + (map (lambda (x) (twice x)) xs)))")
        .unwrap();
    let fold: Root = engine.global("fold-twice").unwrap().unwrap();
    let sum: i64 = engine.call(&fold, (List(vec![1i64, 2, 3]),)).unwrap();
    assert_eq!(sum, 12);
    engine.define("limit", 10i64);
    assert_eq!(engine.eval::<i64>("(* limit 3)").unwrap(), 30);
    let args: Vec<Root> = vec![engine.eval("1").unwrap(), engine.eval("2").unwrap()];
    let plus: Root = engine.eval("+").unwrap();
    assert_eq!(engine.call::<i64>(&plus, args).unwrap(), 3);
}

#[test]
fn errors_carry_message_position_and_backtrace() {
    let mut engine = Engine::new();
    let e: SchemeError = engine
        .eval::<()>("(define (inner x) (car x))\n(define (outer) (+ 1 (inner 5)))\n(outer)")
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Runtime);
    assert_eq!(e.message, "car: expected a pair 5");
    assert_eq!(e.location, Some(("<eval>".to_string(), 1, 19)));
    assert!(
        e.backtrace[0].starts_with("inner at <eval>:1:19"),
        "{:?}",
        e.backtrace
    );
    assert!(
        e.backtrace.iter().any(|f| f.starts_with("outer")),
        "{:?}",
        e.backtrace
    );
    assert_eq!(e.to_string(), "<eval>:1:19: car: expected a pair 5");
    let syntax = engine.eval::<()>("(if)").unwrap_err();
    assert_eq!(syntax.kind, ErrorKind::Syntax);
    let read = engine.eval::<()>("(1 2").unwrap_err();
    assert_eq!(read.kind, ErrorKind::Read);
    assert_eq!(
        engine.eval::<()>("(exit 3)").unwrap_err().kind,
        ErrorKind::Exit(3)
    );
    assert_eq!(
        engine.eval::<i64>("(+ 1 1)").unwrap(),
        2,
        "the engine goes on"
    );
}

#[test]
#[should_panic(expected = "a Root is used with the engine that made it")]
fn a_root_belongs_to_its_engine() {
    let mut one = Engine::new();
    let mut other = Engine::new();
    let list: Root = one.eval("(list 1 2)").unwrap();
    let _ = other.get::<List<i64>>(&list);
}

#[test]
fn output_and_statistics() {
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut engine = Engine::new();
    let out = Shared::default();
    engine.set_output(Box::new(out.clone()));
    engine.eval::<()>("(display \"hello\") (newline)").unwrap();
    engine.flush().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.0.borrow()), "hello\n");
    let before = engine.stats().collections;
    engine.collect();
    assert_eq!(engine.stats().collections, before + 1);
}
