//! Bytecode: the instruction set, the prototypes the compiler makes and the VM runs,
//! the disassembler, and the verifier that checks every prototype before it runs.
//!
//! It sits below both the compiler and the VM, and knows neither.

mod op;
mod proto;
mod verify;

pub use op::{disassemble, instruction_text, Capture, Op, CAPTURE_BYTES};
pub use proto::Proto;
pub use verify::verify;
