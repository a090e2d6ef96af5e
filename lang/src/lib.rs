//! rudo-lang: the rudo-scheme language. Its values live in rudo-gc's heap.
//!
//! Source text goes through the [`reader`] to datums, through the [`compiler`] to
//! bytecode, and runs on the [`vm`]. The [`runtime`] holds what they share: the heap,
//! the symbol table, the globals, and the compiled code. The [`engine`] is the API for
//! programs that embed the language.

pub mod builtins;
pub mod compiler;
pub mod engine;
pub mod error;
mod handles;
pub mod interrupt;
pub mod memory;
mod number;
mod object;
mod port;
mod printer;
pub mod reader;
pub mod reference;
pub mod runtime;
mod symbol;
mod value;
pub mod vm;

pub use builtins::records::multiple_values;
pub use builtins::system::gc_stats_report;
pub use error::{Error, ErrorKind};
pub use handles::{Handles, Root};
pub use number::{parse_number, Number};
pub use object::{string_to_rust, symbol_name, vector_len, Alloc};
pub use printer::{char_from_name, format_flonum, print, to_string, Style};
pub use runtime::{Options, Runtime};
pub use symbol::SymbolTable;
pub use value::{Kind, Value};
pub use vm::Vm;
