//! SIGINT and SIGTERM: a script stops at its next safepoint, runs its `dynamic-wind`
//! afters, flushes its ports and exits 130 or 143; the REPL reports the interrupted
//! computation and reads on.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_rudo-scheme");

/// A program that writes to a file port, says `looping` on stdout, and loops forever
/// inside a `dynamic-wind` whose after writes `after`.
const LOOPING_SCRIPT: &str = r#"
(define out (open-output-file (cadr (command-line))))
(write-string "buffered" out)
(dynamic-wind
  (lambda () #f)
  (lambda ()
    (display "looping") (newline) (flush-output-port)
    (let loop () (loop)))
  (lambda () (display "after") (newline)))
"#;

fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Reads `child`'s stdout up to a line equal to `line`.
fn wait_for_line(out: &mut impl BufRead, line: &str) {
    let mut buf = String::new();
    loop {
        buf.clear();
        let n = out.read_line(&mut buf).expect("stdout reads");
        assert!(n > 0, "the program ended before printing {line:?}");
        if buf.trim_end() == line {
            return;
        }
    }
}

fn script_stops_on(signal: &str, status: i32) {
    let dir = std::env::temp_dir().join(format!("rudo-interrupt-{}-{signal}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("loop.scm");
    let data = dir.join("data.txt");
    std::fs::write(&script, LOOPING_SCRIPT).unwrap();
    let mut child = Command::new(BINARY)
        .arg(&script)
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rudo-scheme starts");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    wait_for_line(&mut out, "looping");
    send(&child, signal);
    let exit = child.wait().expect("rudo-scheme ends");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(exit.code(), Some(status), "exit status after SIG{signal}");
    assert_eq!(rest, "after\n", "the dynamic-wind after runs");
    assert_eq!(
        std::fs::read_to_string(&data).unwrap(),
        "buffered",
        "the file port is flushed"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sigint_stops_a_script_with_status_130() {
    script_stops_on("INT", 130);
}

#[test]
fn sigterm_stops_a_script_with_status_143() {
    script_stops_on("TERM", 143);
}

#[test]
fn sigint_in_the_repl_stops_the_computation_and_the_repl_goes_on() {
    let mut child = Command::new(BINARY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rudo-scheme starts");
    let mut input = child.stdin.take().unwrap();
    writeln!(
        input,
        "(define (spin) (display \"looping\") (newline) (flush-output-port) (let loop () (loop)))"
    )
    .unwrap();
    writeln!(input, "(spin)").unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    wait_for_line(&mut out, "looping");
    send(&child, "INT");
    writeln!(input, "(+ 1 2)").unwrap();
    drop(input);
    let exit = child.wait().expect("rudo-scheme ends");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(rest, "3\n", "the REPL goes on after the interrupt");
    assert!(err.contains("interrupted"), "stderr: {err}");
    assert!(
        err.contains("backtrace:") && err.contains("spin"),
        "stderr: {err}"
    );
    assert_eq!(exit.code(), Some(0));
}
