//! `--trace`: each instruction on stderr as it runs, with the top of its frame.
//!
//! A line is the code's name, the instruction's offset and source line, the instruction
//! as the disassembler shows it, and the frame's last few slots, oldest first. Values are
//! shown short: a pair or a vector by its kind, a long string cut, so that tracing a
//! program with large data stays as fast as writing the lines.

use std::io::Write;

use super::Proto;
use crate::bytecode::instruction_text;
use crate::printer::{to_string, Style};
use crate::value::{Kind, Value};

/// Slots of the frame a line shows, at most.
const SHOWN_SLOTS: usize = 6;

/// Characters of one value a line shows, at most.
const SHOWN_CHARS: usize = 24;

/// Writes the line for the instruction at `pc` of `code`, about to run over `frame`.
pub(super) fn instruction(code: &Proto, pc: usize, frame: &[Value]) {
    let name = code.name.as_deref().unwrap_or("top level");
    let line = code.line_at(pc).map_or(String::new(), |l| format!(":{l}"));
    let hidden = frame.len().saturating_sub(SHOWN_SLOTS);
    let mut slots = String::new();
    if hidden > 0 {
        slots.push_str(&format!("{hidden} more, "));
    }
    let shown: Vec<String> = frame[hidden..].iter().map(|&v| short(v)).collect();
    slots.push_str(&shown.join(" "));
    let _ = writeln!(
        std::io::stderr().lock(),
        "{name:>16} {pc:5}{line:<6} {:<36} [{slots}]",
        instruction_text(code, pc)
    );
}

/// `v` in a few characters.
fn short(v: Value) -> String {
    if v.is_pair() {
        return "(...)".into();
    }
    if v.is(Kind::Vector) {
        return "#(...)".into();
    }
    let text = to_string(v, Style::Write);
    if text.chars().count() <= SHOWN_CHARS {
        return text;
    }
    let cut: String = text.chars().take(SHOWN_CHARS - 3).collect();
    format!("{cut}...")
}
