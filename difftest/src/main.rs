//! `rudo-difftest`: runs generated programs through every evaluator and reports the
//! first on which they differ, shrunk, as a golden test.
//!
//! ```text
//! rudo-difftest [--from SEED] [--count N | --minutes M] [--stress-every K] [--print SEED]
//! ```

use std::time::Instant;

use rudo_difftest::{check, generate, shrink, Flags, Seeds, Size, Sx};

struct Args {
    seeds: Seeds,
    stress_every: u64,
    /// Check one program file in this process and print its difference's signature:
    /// what the shrinker runs in a child, so that a crash counts as a difference.
    check_file: Option<(String, bool)>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seeds: Seeds::default(),
        stress_every: 10,
        check_file: None,
    };
    let mut flags = Flags::from_env();
    while let Some(flag) = flags.next() {
        if args.seeds.take(&flag, &mut flags)? {
            continue;
        }
        match flag.as_str() {
            "--stress-every" => args.stress_every = flags.number()? as u64,
            "--check-file" => args.check_file = Some((flags.value()?, false)),
            "--check-file-stress" => args.check_file = Some((flags.value()?, true)),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok(args)
}

/// Seeds that are multiples of `stress_every` make small programs, also run under
/// `--gc-stress`.
fn program(seed: u64, stress_every: u64) -> (Vec<Sx>, bool) {
    let stress = stress_every > 0 && seed.is_multiple_of(stress_every);
    let size = if stress { Size::Small } else { Size::Full };
    (generate(seed, size), stress)
}

fn text(forms: &[Sx]) -> String {
    forms.iter().map(|f| format!("{f}\n")).collect()
}

/// The signature of `program`'s difference, checked in a child process: `crash` when
/// the child dies.
fn checked_apart(program: &str, stress: bool) -> String {
    let path = std::env::temp_dir().join(format!("rudo-difftest-{}.scm", std::process::id()));
    std::fs::write(&path, program).expect("the temporary file writes");
    let flag = if stress {
        "--check-file-stress"
    } else {
        "--check-file"
    };
    let out = std::process::Command::new(std::env::current_exe().expect("this program's path"))
        .arg(flag)
        .arg(&path)
        .stderr(std::process::Stdio::null())
        .output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => "crash".into(),
    }
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("rudo-difftest: {e}");
            std::process::exit(2);
        }
    };
    if let Some((path, stress)) = &args.check_file {
        let program = std::fs::read_to_string(path).expect("the program file reads");
        match check(&program, *stress) {
            Some(d) => println!("{:?}", d.signature()),
            None => println!("agree"),
        }
        return;
    }
    if let Some(seed) = args.seeds.print {
        print!("{}", text(&program(seed, args.stress_every).0));
        return;
    }
    let deadline = args.seeds.deadline();
    let start = Instant::now();
    let mut ran: u64 = 0;
    for seed in args.seeds.from..args.seeds.end(1000) {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let (forms, stress) = program(seed, args.stress_every);
        ran += 1;
        if ran.is_multiple_of(500) {
            eprintln!("{ran} programs, up to seed {seed}");
        }
        if let Some(diff) = check(&text(&forms), stress) {
            report(seed, &forms, stress, &diff);
            std::process::exit(1);
        }
    }
    println!(
        "{ran} programs from seed {} agree ({:.1} s)",
        args.seeds.from,
        start.elapsed().as_secs_f64()
    );
}

/// Prints the difference, and the program shrunk while the same difference holds.
fn report(seed: u64, forms: &[Sx], stress: bool, diff: &rudo_difftest::Difference) {
    let (a, b) = diff.variants;
    println!("seed {seed}: {a:?} and {b:?} differ at form {}", diff.form);
    println!("  {a:?}: {:?}", diff.results.0);
    println!("  {b:?}: {:?}", diff.results.1);
    let signature = format!("{:?}", diff.signature());
    let small = shrink(forms, 800, &mut |candidate| {
        checked_apart(&text(candidate), stress) == signature
    });
    println!(";; Shrunk from seed {seed}: {a:?} and {b:?} disagree on it.");
    print!("{}", text(&small));
    if let Some(diff) = check(&text(&small), stress) {
        println!(";; {a:?}: {:?}", diff.results.0);
        println!(";; {b:?}: {:?}", diff.results.1);
    }
}
