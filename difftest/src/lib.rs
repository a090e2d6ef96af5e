//! The differential tester: random, terminating, well-formed Scheme programs, each run
//! by the compiler and VM as they are, by the VM with its optimisations off (and under
//! `--gc-stress`), and by the reference evaluator of the expanded core language
//! (`rudo_lang::reference`), the values of their top-level forms compared. A program on
//! which they differ is shrunk to a small one that still makes them differ.
//!
//! Beside it, [`robust`]: programs of random calls on values of every type, which must
//! not make the `rudo-scheme` binary panic, abort or hang.

mod generate;
pub mod robust;
mod run;
mod shrink;
mod sx;

pub use generate::{generate, Size};
pub use run::{check, run_vm, Difference, Variant};
pub use shrink::shrink;
pub use sx::Sx;

/// Which seeds a run of a tester takes: `--from N`, `--count N`, `--minutes M`, or
/// `--print SEED` to show that seed's program instead.
#[derive(Default)]
pub struct Seeds {
    pub from: u64,
    pub count: Option<u64>,
    pub minutes: Option<f64>,
    pub print: Option<u64>,
}

impl Seeds {
    /// Takes `flag` (and its value) if it is one of these; whether it was.
    pub fn take(&mut self, flag: &str, flags: &mut Flags) -> Result<bool, String> {
        match flag {
            "--from" => self.from = flags.number()? as u64,
            "--count" => self.count = Some(flags.number()? as u64),
            "--minutes" => self.minutes = Some(flags.number()?),
            "--print" => self.print = Some(flags.number()? as u64),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// When the run stops, if `--minutes` says.
    pub fn deadline(&self) -> Option<std::time::Instant> {
        self.minutes
            .map(|m| std::time::Instant::now() + std::time::Duration::from_secs_f64(m * 60.0))
    }

    /// One past the last seed: `--count` seeds from `--from`, or `default_count` when
    /// neither `--count` nor `--minutes` bounds the run.
    pub fn end(&self, default_count: u64) -> u64 {
        let count = match (self.count, self.minutes) {
            (Some(n), _) => n,
            (None, Some(_)) => u64::MAX,
            (None, None) => default_count,
        };
        self.from.saturating_add(count)
    }
}

/// The command-line flags of the tester's commands, read one at a time:
/// `while let Some(flag) = flags.next() { match flag.as_str() { "--n" => n = flags.number()?, .. } }`.
pub struct Flags {
    args: std::iter::Skip<std::env::Args>,
    current: String,
}

impl Flags {
    pub fn from_env() -> Flags {
        Flags {
            args: std::env::args().skip(1),
            current: String::new(),
        }
    }

    /// The next flag.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<String> {
        self.current = self.args.next()?;
        Some(self.current.clone())
    }

    /// The value after the current flag.
    pub fn value(&mut self) -> Result<String, String> {
        self.args
            .next()
            .ok_or(format!("{} needs a value", self.current))
    }

    /// The number after the current flag.
    pub fn number(&mut self) -> Result<f64, String> {
        let v = self.value()?;
        v.parse::<f64>().map_err(|_| format!("not a number: {v}"))
    }
}
