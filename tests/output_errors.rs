//! Output that cannot be written ends the program as a shell user expects: a closed pipe
//! quietly with status 141 (as SIGPIPE would), a full disk with a message and status 74;
//! a file port that cannot be flushed is a `file-error?` the program can catch.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_rudo-scheme");

fn run_into_dev_full(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BINARY)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(File::create("/dev/full").expect("/dev/full opens"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("rudo-scheme starts");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().expect("rudo-scheme ends")
}

#[test]
fn a_closed_pipe_ends_the_program_quietly_with_141() {
    let mut child = Command::new(BINARY)
        .args([
            "-e",
            "(let loop ((i 0)) (display i) (newline) (loop (+ i 1)))",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rudo-scheme starts");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "0\n");
    drop(out);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(141));
    assert_eq!(err, "");
}

#[test]
fn a_full_disk_ends_the_program_with_a_message_and_74() {
    let cases: [(&[&str], &str); 3] = [
        (&["-e", "(display \"hello\")"], ""),
        (&["-e", "(let loop () (write-string \"more\") (loop))"], ""),
        (&[], "(+ 1 2)\n"),
    ];
    for (args, stdin) in cases {
        let out = run_into_dev_full(args, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(74), "{args:?}: {err}");
        assert!(
            err.contains("cannot write to standard output: No space left on device"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn file_ports_that_cannot_be_flushed_are_file_errors() {
    let caught = Command::new(BINARY)
        .args([
            "-e",
            r#"(define p (open-output-file "/dev/full"))
               (write-string "x" p)
               (display (guard (e ((file-error? e) 'caught)) (close-port p)))"#,
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&caught.stdout), "caught");
    assert_eq!(caught.status.code(), Some(0));

    let at_exit = Command::new(BINARY)
        .args([
            "-e",
            r#"(define p (open-output-file "/dev/full")) (write-string "x" p)"#,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&at_exit.stderr);
    assert_eq!(at_exit.status.code(), Some(74), "{err}");
    assert!(err.contains("cannot write the rest of a file"), "{err}");
}
