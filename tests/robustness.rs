//! The robustness fuzzer on a fixed set of seeds: programs of random calls on values of
//! every type, run as scripts, through the REPL and under `--gc-stress`, must each end
//! by themselves with status 0 or 70. `rudo-robust --minutes M` runs new seeds.

use std::path::Path;
use std::time::Duration;

use rudo_difftest::robust;

const SEEDS: u64 = 400;

/// Far above what a program takes, so that only a hang reaches it.
const TIMEOUT: Duration = Duration::from_secs(120);

#[test]
fn random_calls_neither_crash_nor_hang() {
    let binary = Path::new(env!("CARGO_BIN_EXE_rudo-scheme"));
    let threads = 2;
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (0..SEEDS)
                        .filter(|seed| seed % threads == t)
                        .filter_map(|seed| {
                            let (program, mode) = robust::program(seed);
                            robust::run(binary, &program, mode, TIMEOUT).map(|f| {
                                format!(
                                    "seed {seed} ({mode:?}): {}\n{}\n\
                                     (`rudo-robust --from {seed} --count 1` cuts it down)",
                                    f.status, f.stderr
                                )
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a running thread"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
