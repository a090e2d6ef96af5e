//! `--gc-log` and `RUDO_GC_LOG`: a line on stderr after each collection. Its figures are
//! timings, so this checks the lines' shape and the counts in them, not a golden file.

use std::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_rudo-scheme");

/// Runs `expr` with `args` and the environment variable `env`; returns stdout and stderr.
fn run(args: &[&str], env: Option<(&str, &str)>, expr: &str) -> (String, String) {
    let mut cmd = Command::new(BINARY);
    cmd.args(args).args(["-e", expr]).env_remove("RUDO_GC_LOG");
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("rudo-scheme runs");
    assert!(out.status.success(), "rudo-scheme failed: {out:?}");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8 output");
    (text(out.stdout), text(out.stderr))
}

/// Keeps a vector of 200,000 words (1.6 MB) live through two collections.
const TWO_COLLECTIONS: &str = "(define keep (make-vector 200000 'x)) (collect) (collect) 'done";

fn check_log(stderr: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("gc ")).collect();
    assert!(lines.len() >= 2, "a line per collection: {stderr}");
    for (i, line) in lines.iter().enumerate() {
        assert!(line.starts_with(&format!("gc {}: pause ", i + 1)), "{line}");
        for part in [
            "(mark ",
            "marked ",
            " objects by ",
            "chunks shared",
            "heap ",
            "pages pending",
        ] {
            assert!(line.contains(part), "{part:?} missing from {line}");
        }
    }
    // Each collection found the vector live.
    for line in lines {
        let marked_mb: f64 = line
            .split("marked ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("the megabytes marked");
        assert!(marked_mb >= 1.6, "{line}");
    }
}

#[test]
fn flag_prints_a_line_per_collection() {
    let (stdout, stderr) = run(&["--gc-log"], None, TWO_COLLECTIONS);
    assert_eq!(stdout.trim(), "done");
    check_log(&stderr);
}

#[test]
fn environment_variable_does_too() {
    let (_, stderr) = run(&[], Some(("RUDO_GC_LOG", "1")), TWO_COLLECTIONS);
    check_log(&stderr);
}

#[test]
fn silent_without_it() {
    let (stdout, stderr) = run(&[], None, TWO_COLLECTIONS);
    assert_eq!(stdout.trim(), "done");
    assert!(!stderr.contains("gc 1:"), "{stderr}");
}
