//! `rudo-robust`: the robustness fuzzer (see `rudo_difftest::robust`). Runs programs of
//! random calls through the `rudo-scheme` binary and reports the first that makes it
//! panic, abort, die of a signal or hang, cut down to the calls that still do.
//!
//! ```text
//! rudo-robust [--from SEED] [--count N | --minutes M] [--threads T] [--binary PATH]
//!             [--print SEED]
//! ```

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rudo_difftest::robust::{self, Mode};
use rudo_difftest::{Flags, Seeds};

/// A program that runs longer than this has hung: a program of 150 calls runs in well
/// under a second, but a loaded machine and `--gc-stress` slow it down.
const TIMEOUT: Duration = Duration::from_secs(60);

struct Args {
    seeds: Seeds,
    threads: u64,
    binary: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let sibling = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .with_file_name("rudo-scheme");
    let mut args = Args {
        seeds: Seeds::default(),
        threads: 2,
        binary: sibling,
    };
    let mut flags = Flags::from_env();
    while let Some(flag) = flags.next() {
        if args.seeds.take(&flag, &mut flags)? {
            continue;
        }
        match flag.as_str() {
            "--threads" => args.threads = (flags.number()? as u64).max(1),
            "--binary" => args.binary = PathBuf::from(flags.value()?),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok(args)
}

/// The program's calls cut down, a chunk at a time, to those that still fail.
fn shrink(args: &Args, program: &str, mode: Mode) -> String {
    let (head, calls): (Vec<&str>, Vec<&str>) =
        program.lines().partition(|l| l.starts_with("(define"));
    let mut calls: Vec<&str> = calls;
    let text = |calls: &[&str]| {
        let mut t = head.join("\n");
        t.push('\n');
        for c in calls {
            t.push_str(c);
            t.push('\n');
        }
        t
    };
    let mut chunk = calls.len() / 2;
    while chunk >= 1 {
        let mut i = 0;
        while i < calls.len() {
            let mut fewer = calls.clone();
            fewer.drain(i..(i + chunk).min(calls.len()));
            if robust::run(&args.binary, &text(&fewer), mode, TIMEOUT).is_some() {
                calls = fewer;
            } else {
                i += chunk;
            }
        }
        chunk /= 2;
    }
    text(&calls)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("rudo-robust: {e}");
            std::process::exit(2);
        }
    };
    if let Some(seed) = args.seeds.print {
        print!("{}", robust::program(seed).0);
        return;
    }
    if !args.binary.exists() {
        eprintln!(
            "rudo-robust: no rudo-scheme at {} (build it, or pass --binary)",
            args.binary.display()
        );
        std::process::exit(2);
    }
    let deadline = args.seeds.deadline();
    let end = args.seeds.end(u64::MAX);
    let next = AtomicU64::new(args.seeds.from);
    let failed = AtomicBool::new(false);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..args.threads {
            s.spawn(|| loop {
                if failed.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() > d) {
                    return;
                }
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= end {
                    return;
                }
                let (program, mode) = robust::program(seed);
                if let Some(f) = robust::run(&args.binary, &program, mode, TIMEOUT) {
                    if failed.swap(true, Ordering::Relaxed) {
                        return;
                    }
                    eprintln!("seed {seed} ({mode:?}): {}\n{}", f.status, f.stderr);
                    let small = shrink(&args, &program, mode);
                    let path = std::env::temp_dir().join(format!("rudo-robust-{seed}.scm"));
                    let _ = robust::save(&small, &path);
                    eprintln!("cut down to {}:\n{small}", path.display());
                    return;
                }
                if seed.is_multiple_of(100) {
                    eprintln!(
                        "up to seed {seed}, {:.0} s",
                        started.elapsed().as_secs_f64()
                    );
                }
            });
        }
    });
    let ran = next.load(Ordering::Relaxed).min(end) - args.seeds.from;
    eprintln!(
        "{ran} programs in {:.0} s, {}",
        started.elapsed().as_secs_f64(),
        if failed.load(Ordering::Relaxed) {
            "one failed"
        } else {
            "none failed"
        }
    );
    if failed.load(Ordering::Relaxed) {
        std::process::exit(1);
    }
}
