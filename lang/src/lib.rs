//! rudo-lang: the rudo-scheme language. Its values live in rudo-gc's heap.
//!
//! Source text goes through the [`reader`] to datums, through the [`compiler`] to
//! bytecode, and runs on the [`Vm`]. The `store` holds what they share: the heap,
//! the symbol table, the globals, and the compiled code. The [`engine`] is the API for
//! programs that embed the language. `ARCHITECTURE.md` draws the layers the modules
//! form, each importing only those below it.

mod builtins;
mod bytecode;
pub mod compiler;
mod datum;
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
mod source;
mod store;
mod symbol;
mod value;
mod vm;

pub use error::{Error, ErrorKind};
pub use object::Alloc;
pub use printer::{unchecked_to_string, Style};
pub use store::{set_marking_division, Options};
pub use symbol::SymbolTable;
pub use value::{Kind, Value};
pub use vm::Vm;
