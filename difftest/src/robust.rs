//! The robustness fuzzer: random procedures applied to random values of every type
//! (ill-typed, out of range, huge, circular, deeply nested), each call in a `guard`, run
//! by the `rudo-scheme` binary under a memory limit, as a script or typed into the REPL,
//! with and without `--gc-stress`. Whatever the calls do, the process must end by itself
//! with status 0 or 70: a panic, an abort, a signal or a hang is a failure.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rudo_lang::{Kind, Options, Vm};

/// The values calls take, by the names the program binds them to (after `v.`): every type, the edges
/// of each (zero, negative, huge, empty, not a number), and structures that break naive
/// code (circular lists, a vector holding itself, nesting a hundred thousand deep).
/// `SIZE` stands for 100,000, or 100 under `--gc-stress`, which collects at every step.
const POOL: &[(&str, &str)] = &[
    ("zero", "0"),
    ("one", "1"),
    ("minus-one", "-1"),
    ("small", "7"),
    ("large-index", "100000000"),
    ("huge-index", "100000000000"),
    ("greatest-fixnum", "(- (expt 2 61) 1)"),
    ("least-fixnum", "(- (expt 2 61))"),
    ("bignum", "(expt 10 40)"),
    ("negative-bignum", "(- (expt 7 50))"),
    ("ratio", "-7/3"),
    ("flonum", "2.5"),
    ("negative-zero", "-0.0"),
    ("infinity", "+inf.0"),
    ("minus-infinity", "-inf.0"),
    ("nan", "+nan.0"),
    ("tiny", "5e-324"),
    ("char", "#\\a"),
    ("nul-char", "#\\x0"),
    ("lambda-char", "#\\λ"),
    ("empty-string", "\"\""),
    ("string", "(string-copy \"hello, world\")"),
    ("unicode-string", "(string-copy \"λx→y\")"),
    ("symbol", "'sym"),
    ("empty-symbol", "(string->symbol \"\")"),
    ("true", "#t"),
    ("false", "#f"),
    ("nil", "'()"),
    ("proper-list", "(list 1 2 3)"),
    ("improper-list", "(cons 1 2)"),
    ("alist", "(list (cons 'a 1) (cons 'b 2))"),
    (
        "circular-list",
        "(let ((l (list 1 2 3))) (set-cdr! (cddr l) l) l)",
    ),
    ("circular-car", "(let ((p (list 1))) (set-car! p p) p)"),
    (
        "deep-list",
        "(let loop ((i 0) (l '())) (if (= i SIZE) l (loop (+ i 1) (list l))))",
    ),
    ("long-list", "(make-list SIZE 'x)"),
    ("vector", "(vector 1 \"two\" 'three)"),
    ("empty-vector", "(vector)"),
    (
        "self-vector",
        "(let ((v (make-vector 2 0))) (vector-set! v 0 v) v)",
    ),
    ("bytevector", "(bytevector 0 1 255)"),
    ("empty-bytevector", "(bytevector)"),
    ("procedure", "(lambda args args)"),
    ("unary", "(lambda (x) x)"),
    ("thunk", "(lambda () 1)"),
    ("primitive", "car"),
    ("continuation", "(call/cc (lambda (k) k))"),
    ("parameter", "(make-parameter 1)"),
    ("promise", "(delay (+ 1 2))"),
    ("string-port", "(open-input-string \"(a b) 12 \\\"s\\\"\")"),
    ("output-port", "(open-output-string)"),
    (
        "closed-port",
        "(let ((p (open-input-string \"x\"))) (close-port p) p)",
    ),
    ("eof", "(eof-object)"),
    ("unspecified", "(if #f #f)"),
    ("no-values", "(call-with-values (lambda () (values)) list)"),
    ("error-object", "(guard (e (#t e)) (error \"boom\" 1 2))"),
    ("record", "(make-thing 1 2)"),
    ("environment", "(interaction-environment)"),
];

/// Names no call may use: they end the program on purpose, wait for input that a pipe
/// does not give, or write and delete files.
const EXCLUDED: &[&str] = &[
    "exit",
    "emergency-exit",
    "%exit",
    "delete-file",
    "open-output-file",
    "open-binary-output-file",
    "call-with-output-file",
    "with-output-to-file",
    "load",
];

/// A procedure the runtime binds globally, and how many arguments calls pass it.
pub struct Procedure {
    pub name: String,
    pub min_args: usize,
    pub max_args: usize,
}

/// The procedures the runtime binds globally: builtins, with their arities, and the
/// prelude's public ones, which calls pass up to three arguments.
pub fn procedures() -> &'static [Procedure] {
    static PROCEDURES: OnceLock<Vec<Procedure>> = OnceLock::new();
    PROCEDURES.get_or_init(|| {
        let vm = Vm::new(Options::default());
        let mut names = vm.global_names();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter(|n| !EXCLUDED.contains(&n.as_str()))
            .filter_map(|name| {
                let kind = vm.global_kind(&name)?;
                let (min_args, max_args) = if let Some((min, max)) = vm.builtin_arity(&name) {
                    (min, max.unwrap_or(min + 3))
                } else if kind == Kind::Closure && !name.starts_with('%') {
                    // The prelude's own helpers trust their callers, as any Scheme
                    // procedure may: given a list of handlers that are not procedures,
                    // `%with-handlers` raises for ever. Builtins trust nobody.
                    (0, 3)
                } else {
                    return None;
                };
                Some(Procedure {
                    name,
                    min_args,
                    max_args,
                })
            })
            .collect()
    })
}

/// How a generated program is run.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Mode {
    pub repl: bool,
    pub gc_stress: bool,
}

/// The program for `seed`, and how to run it: every fifth through the REPL, every tenth
/// (shorter) under `--gc-stress`.
pub fn program(seed: u64) -> (String, Mode) {
    let mode = Mode {
        repl: seed % 5 == 1,
        gc_stress: seed.is_multiple_of(10),
    };
    let calls = if mode.gc_stress { 20 } else { 150 };
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_0b05);
    let procedures = procedures();
    let mut out = String::from(
        "(define-record-type thing (make-thing a b) thing? (a thing-a) (b thing-b))\n",
    );
    let size = if mode.gc_stress { "100" } else { "100000" };
    for (name, expr) in POOL {
        let expr = expr.replace("SIZE", size);
        out.push_str(&format!("(define v.{name} {expr})\n"));
    }
    for _ in 0..calls {
        let call = random_call(&mut rng, procedures, 2);
        // A value is written, so that the printer meets every result.
        out.push_str(&format!(
            "(guard (e (#t #f)) (let ((r {call})) (write r) (newline)))\n"
        ));
    }
    (out, mode)
}

/// A call of a random procedure, mostly with as many arguments as it takes, sometimes
/// with one more or one fewer.
fn random_call(rng: &mut StdRng, procedures: &[Procedure], depth: u32) -> String {
    let p = &procedures[rng.random_range(0..procedures.len())];
    let f = &p.name;
    let argc = match rng.random_range(0..10) {
        0 => p.min_args.saturating_sub(1),
        1 => p.max_args + 1,
        _ => rng.random_range(p.min_args..=p.max_args),
    };
    let args: Vec<String> = (0..argc)
        .map(|_| {
            if depth > 0 && rng.random_bool(0.15) {
                random_call(rng, procedures, depth - 1)
            } else {
                format!("v.{}", POOL[rng.random_range(0..POOL.len())].0)
            }
        })
        .collect();
    if args.is_empty() {
        format!("({f})")
    } else {
        format!("({f} {})", args.join(" "))
    }
}

/// What went wrong with a run, if anything.
#[derive(Debug)]
pub struct Failure {
    pub status: String,
    pub stderr: String,
}

/// The memory limit programs run under.
pub const MAX_HEAP: &str = "512M";

/// Runs `program` with the `rudo-scheme` at `binary`: a failure unless it ends by itself
/// within `timeout` with status 0 or 70 and no panic.
pub fn run(binary: &Path, program: &str, mode: Mode, timeout: Duration) -> Option<Failure> {
    let dir = std::env::temp_dir().join(format!(
        "rudo-robust-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join("program.scm");
    std::fs::write(&file, program).ok()?;
    let mut cmd = Command::new(binary);
    cmd.arg("--max-heap").arg(MAX_HEAP).current_dir(&dir);
    if mode.gc_stress {
        cmd.arg("--gc-stress");
    }
    if mode.repl {
        cmd.stdin(std::fs::File::open(&file).ok()?);
    } else {
        cmd.arg(&file).stdin(Stdio::null());
    }
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stderr = child.stderr.take()?;
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().ok()? {
            break Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = reader.join().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    let panicked = stderr.contains("panicked") || stderr.contains("heap verification failed");
    match status {
        Some(s) if matches!(s.code(), Some(0 | 70)) && !panicked => None,
        Some(s) => Some(Failure {
            status: format!("{s}"),
            stderr,
        }),
        None => Some(Failure {
            status: format!("still running after {timeout:?}"),
            stderr,
        }),
    }
}

/// Prints a failing program's file, to keep as a test.
pub fn save(program: &str, path: &Path) -> std::io::Result<()> {
    std::fs::File::create(path)?.write_all(program.as_bytes())
}
