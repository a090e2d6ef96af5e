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
