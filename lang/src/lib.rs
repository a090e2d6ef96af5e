//! rudo-lang: the rudo-scheme language. Its values live in rudo-gc's heap.

mod number;
mod object;
mod printer;
pub mod reader;
mod symbol;
mod value;

pub use number::{parse_number, Number};
pub use object::{
    bytevector_bytes, flonum_value, string_chars, string_len, string_ref, string_set,
    string_to_rust, symbol_name, vector_len, Alloc,
};
pub use printer::{char_from_name, format_flonum, print, to_string, Style};
pub use symbol::SymbolTable;
pub use value::{Kind, Value};
