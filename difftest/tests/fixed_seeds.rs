//! A fixed set of generated programs, each run by the VM, the unoptimised VM and the
//! reference evaluator (every tenth, small, also under `--gc-stress`): they must agree.
//! `scripts/fuzz-diff.sh MINUTES` runs new seeds for longer.

use rudo_difftest::{check, generate, Size};

const SEEDS: u64 = 3000;
const STRESS_EVERY: u64 = 10;

fn check_range(seeds: std::ops::Range<u64>) -> Vec<String> {
    let mut failures = Vec::new();
    for seed in seeds {
        let stress = seed.is_multiple_of(STRESS_EVERY);
        let size = if stress { Size::Small } else { Size::Full };
        let program: String = generate(seed, size)
            .iter()
            .map(|f| format!("{f}\n"))
            .collect();
        if let Some(d) = check(&program, stress) {
            failures.push(format!(
                "seed {seed}: {:?} gave {:?}, {:?} gave {:?} at form {} \
                 (`rudo-difftest --from {seed} --count 1` shrinks it)",
                d.variants.0, d.results.0, d.variants.1, d.results.1, d.form
            ));
        }
    }
    failures
}

#[test]
fn generated_programs_agree() {
    let threads = 2;
    let per = SEEDS / threads;
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| s.spawn(move || check_range(t * per..(t + 1) * per)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a checking thread"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
