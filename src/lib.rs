//! rudo: rudo-scheme inside a Rust program.
//!
//! An [`Engine`] is a whole Scheme (R7RS-small but complex numbers) with its own heap.
//! Rust evaluates source in it, calls its procedures, and registers Rust functions for it
//! to call; values cross as Rust values or stay in the heap as [`Root`]s.
//!
//! ```
//! let mut engine = rudo::Engine::new();
//! engine.register("hypot", |a: f64, b: f64| a.hypot(b));
//! let h: f64 = engine.eval("(hypot 3 4)")?;
//! assert_eq!(h, 5.0);
//! # Ok::<(), rudo::SchemeError>(())
//! ```
//!
//! See `examples/embed.rs` for a host program, and [`rudo_lang::engine`] for the
//! conversions.

pub use rudo_lang::engine::*;
pub use rudo_lang::Options;
