//! The golden tests: every `tests/scheme/**/*.scm` runs and its output is compared with
//! the `.out` file beside it. Programs under a `repl/` folder are typed into the REPL
//! (stdin), so an error there is reported and the REPL goes on; the others run as
//! scripts. Standard output and standard error are compared together, followed by the
//! exit status when it is not zero.
//!
//! The GC stress programs, `tests/gc/*.scm`, run with the default number of marker
//! threads, with 1 and with 8, and with 8 sharing marking, each with generational
//! collection on and the first three with it off too (all printing the `.out` beside
//! them); and under `--gc-stress` with 2 and with 8, and with 2 sharing, and with 2 and
//! generational collection off, with the argument `small`, which they use to shrink
//! their sizes (printing the `.stress.out`).
//!
//! A program whose first line is `;; args: OPTIONS -- ARGS` runs with those options
//! before its name and those arguments after it.
//!
//! Each run of a program is a test of its own, named by its path under `tests/` and its
//! options: `cargo test --test golden errors/value-counts` runs one. A program without
//! its `.out` file fails. `RUDO_BLESS=1 cargo test --test golden` rewrites the `.out`
//! files from what the programs print now: review the diff before committing it.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use libtest_mimic::{Arguments, Failed, Trial};

const BINARY: &str = env!("CARGO_BIN_EXE_rudo-scheme");

#[derive(Clone, Debug)]
struct Case {
    program: PathBuf,
    expected: PathBuf,
    stdin: bool,
    args: Vec<&'static str>,
    /// Run with the argument `small`.
    small: bool,
}

fn scheme_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            scheme_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "scm") {
            out.push(path);
        }
    }
}

fn cases() -> Vec<Case> {
    // Relative paths, so that the positions in the expected output do not depend on where
    // the repository is.
    let root = Path::new("tests");
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).expect("the repository root");
    let mut golden = Vec::new();
    scheme_files(&root.join("scheme"), &mut golden);
    let mut out: Vec<Case> = golden
        .into_iter()
        .map(|program| Case {
            expected: program.with_extension("out"),
            stdin: program.components().any(|c| c.as_os_str() == "repl"),
            program,
            args: vec![],
            small: false,
        })
        .collect();
    let mut stress = Vec::new();
    scheme_files(&root.join("gc"), &mut stress);
    const OFF: &str = "--gc-generational=off";
    let runs: [(&[&'static str], bool); 11] = [
        (&[], false),
        (&["--gc-threads", "1"], false),
        (&["--gc-threads", "8"], false),
        (&["--gc-threads", "8", "--gc-marking", "shared"], false),
        (&[OFF], false),
        (&[OFF, "--gc-threads", "1"], false),
        (&[OFF, "--gc-threads", "8"], false),
        (&["--gc-stress", "--gc-threads", "2"], true),
        (&["--gc-stress", "--gc-threads", "8"], true),
        (
            &["--gc-stress", "--gc-threads", "2", "--gc-marking", "shared"],
            true,
        ),
        (&["--gc-stress", OFF, "--gc-threads", "2"], true),
    ];
    for program in stress {
        for (args, small) in runs {
            let ext = if small { "stress.out" } else { "out" };
            out.push(Case {
                expected: program.with_extension(ext),
                program: program.clone(),
                stdin: false,
                args: args.to_vec(),
                small,
            });
        }
    }
    out
}

/// What a program printed, as the `.out` files hold it.
fn run(case: &Case) -> String {
    let mut cmd = Command::new(BINARY);
    cmd.args(&case.args);
    // Lossily: a program may hold bytes that are not UTF-8 on purpose.
    let bytes = std::fs::read(&case.program).expect("the program exists");
    let source = String::from_utf8_lossy(&bytes);
    let extra: Vec<&str> = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix(";; args:"))
        .map_or(vec![], |a| a.split_whitespace().collect());
    // `;; args: OPTIONS -- SCRIPT ARGS` on the first line of a program.
    let split = extra.iter().position(|a| *a == "--").unwrap_or(extra.len());
    let (options, script_args) = (&extra[..split], extra.get(split + 1..).unwrap_or_default());
    cmd.args(options);
    if case.stdin {
        cmd.stdin(Stdio::from(
            std::fs::File::open(&case.program).expect("the program exists"),
        ));
    } else {
        cmd.arg(&case.program);
        cmd.args(script_args);
        if case.small {
            cmd.arg("small");
        }
        cmd.stdin(Stdio::null());
    }
    // One pipe for both streams keeps their lines in the order they were written.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    cmd.stdout(writer.try_clone().expect("a pipe"))
        .stderr(writer);
    cmd.env_remove("RUDO_GC_STRESS");
    cmd.env_remove("RUDO_GC_THREADS");
    cmd.env_remove("RUDO_GC_MARKING");
    cmd.env_remove("RUDO_GC_LOG");
    let mut child = cmd.spawn().expect("rudo-scheme starts");
    drop(cmd);
    let mut text = String::new();
    std::io::Read::read_to_string(&mut { reader }, &mut text).expect("output is UTF-8");
    let status = child.wait().expect("rudo-scheme ends");
    match status.code() {
        Some(0) => {}
        Some(code) => text.push_str(&format!("[exit {code}]\n")),
        None => text.push_str(&format!("[killed: {status}]\n")),
    }
    text
}

/// The name a case runs under: its program, and the options of its run.
fn name(case: &Case) -> String {
    let program = case.program.with_extension("");
    let program = program
        .strip_prefix("tests")
        .unwrap_or(&program)
        .display()
        .to_string();
    match case.args.is_empty() {
        true => program,
        false => format!("{program} {}", case.args.join(" ")),
    }
}

/// Runs one case against its `.out` file, or, when blessing, rewrites the file.
fn check(case: &Case, bless: bool) -> Result<(), Failed> {
    let actual = run(case);
    if bless {
        std::fs::write(&case.expected, &actual)
            .map_err(|e| format!("{}: {e}", case.expected.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&case.expected).map_err(|e| {
        format!(
            "{}: {e} (RUDO_BLESS=1 writes it from this output):\n{actual}",
            case.expected.display()
        )
    })?;
    if expected != actual {
        return Err(format!(
            "--- expected ({})\n{expected}--- actual\n{actual}",
            case.expected.display()
        )
        .into());
    }
    Ok(())
}

fn main() -> ExitCode {
    let arguments = Arguments::from_args();
    let bless = std::env::var_os("RUDO_BLESS").is_some_and(|v| v != "0");
    let cases = cases();
    assert!(!cases.is_empty(), "no golden tests found");
    let trials = cases
        .into_iter()
        .map(|case| Trial::test(name(&case), move || check(&case, bless)))
        .collect();
    libtest_mimic::run(&arguments, trials).exit_code()
}
