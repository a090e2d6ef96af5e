//! The exit status of `rudo-scheme -e`, as a shell sees it: 0 when the expressions ran,
//! 70 (EX_SOFTWARE) after an error, and what `exit` asked for, taken as POSIX takes a
//! status (its low eight bits).

use std::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_rudo-scheme");

fn status_of(expr: &str) -> i32 {
    let out = Command::new(BINARY)
        .args(["-e", expr])
        .output()
        .expect("rudo-scheme runs");
    out.status
        .code()
        .expect("rudo-scheme exits rather than dies")
}

#[test]
fn eval_exit_statuses() {
    let cases = [
        ("(+ 1 2)", 0),
        ("(car 1)", 70),
        ("(+ 1 2) (car 1) (display 3)", 70),
        ("(raise 'oops)", 70),
        ("(error \"no\" 1)", 70),
        ("(", 70),
        ("(exit)", 0),
        ("(exit #t)", 0),
        ("(exit #f)", 1),
        ("(exit 3)", 3),
        ("(exit 255)", 255),
        ("(exit 256)", 0),
        ("(exit 300)", 44),
        ("(exit -1)", 255),
        ("(emergency-exit 5)", 5),
    ];
    for (expr, expected) in cases {
        assert_eq!(status_of(expr), expected, "rudo-scheme -e '{expr}'");
    }
}
