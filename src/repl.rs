//! The REPL: rustyline with history, multi-line input until the datum is complete, and
//! completion of bound names.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::rc::Rc;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Editor, Helper};

use rudo_lang::compiler::special_forms;
use rudo_lang::reader::{read_all, SourceFile};
use rudo_lang::{Error, ErrorKind, Vm};

use crate::report::report;

struct SchemeHelper {
    names: Rc<RefCell<Vec<String>>>,
    max_depth: usize,
}

impl Validator for SchemeHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let file = SourceFile::new("<repl>", ctx.input());
        Ok(match read_all(&file, self.max_depth) {
            Err(e) if e.incomplete => ValidationResult::Incomplete,
            _ => ValidationResult::Valid(None),
        })
    }
}

impl Completer for SchemeHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos]
            .rfind(|c: char| c.is_whitespace() || "()[]'`,\"".contains(c))
            .map_or(0, |i| i + 1);
        let prefix = &line[start..pos];
        let names = self.names.borrow();
        let forms: Vec<&str> = special_forms().collect();
        let mut hits: Vec<Pair> = names
            .iter()
            .map(String::as_str)
            .chain(forms)
            .filter(|n| n.starts_with(prefix) && !n.starts_with('%'))
            .map(|n| Pair {
                display: n.to_string(),
                replacement: n.to_string(),
            })
            .collect();
        hits.sort_by(|a, b| a.display.cmp(&b.display));
        hits.dedup_by(|a, b| a.display == b.display);
        Ok((start, hits))
    }
}

impl Hinter for SchemeHelper {
    type Hint = String;
}

impl Highlighter for SchemeHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _: bool) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Helper for SchemeHelper {}

fn history_path() -> Option<PathBuf> {
    dirs::home_dir().map(|h| h.join(".rudo_scheme_history"))
}

/// Runs the REPL until end of input. Returns the exit status.
pub fn run(vm: &mut Vm) -> i32 {
    if !std::io::stdin().is_terminal() {
        return run_piped(vm);
    }
    let names = Rc::new(RefCell::new(vm.global_names()));
    let helper = SchemeHelper {
        names: names.clone(),
        max_depth: vm.options().max_read_depth,
    };
    let Ok(mut editor) = Editor::new() else {
        let _ = writeln!(
            std::io::stderr(),
            "rudo-scheme: cannot open the terminal for the REPL"
        );
        return 74;
    };
    editor.set_helper(Some(helper));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!(
        "rudo-scheme {} — Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );
    let mut counter = 0;
    let status = loop {
        before_waiting(vm);
        match editor.readline("> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                counter += 1;
                if let Some(status) = eval_input(vm, counter, &line) {
                    break status;
                }
                *names.borrow_mut() = vm.global_names();
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break 0,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "rudo-scheme: {e}");
                break 74;
            }
        }
    };
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    status
}

/// Evaluates the REPL's `counter`th input; the status to end with, when it ends the REPL
/// (`exit`, or a signal other than Ctrl-C's).
fn eval_input(vm: &mut Vm, counter: usize, text: &str) -> Option<i32> {
    // A Ctrl-C while the REPL waited for input was not meant for this input.
    rudo_lang::interrupt::clear();
    match eval_and_print(vm, &format!("<repl:{counter}>"), text) {
        Evaluated::Exited(code) => Some(code),
        Evaluated::Interrupted(signal) if signal != rudo_lang::interrupt::SIGINT => {
            Some(crate::report::signal_status(signal))
        }
        _ => None,
    }
}

/// Whatever the collector left to do, it does before the REPL waits for input, and the
/// empty pages it keeps for the program's next allocations go back to the system.
fn before_waiting(vm: &mut Vm) {
    vm.release_memory();
}

/// Input below this size is tried as a whole form after every line; above it, after
/// it has doubled, so that a form of many lines is not read again at each.
const RETRY_EVERY_LINE_BELOW: usize = 64 << 10;

/// The REPL on a pipe or a file: no editor, forms evaluated as soon as they are whole,
/// bytes that are not UTF-8 read as U+FFFD, and a form the input leaves unfinished
/// reported as the read error it is.
fn run_piped(vm: &mut Vm) -> i32 {
    use std::io::BufRead;
    let (mut pending, mut line) = (String::new(), Vec::new());
    let mut tried_at = 0;
    let mut counter = 0;
    loop {
        line.clear();
        before_waiting(vm);
        // Locked for the line only: the program may read standard input too.
        let ended = match std::io::stdin().lock().read_until(b'\n', &mut line) {
            Ok(n) => n == 0,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "rudo-scheme: cannot read input: {e}");
                return 74;
            }
        };
        pending.push_str(&String::from_utf8_lossy(&line));
        if pending.trim().is_empty() {
            pending.clear();
            if ended {
                return 0;
            }
            continue;
        }
        let retry = pending.len() < RETRY_EVERY_LINE_BELOW || pending.len() >= 2 * tried_at;
        if !ended && !retry {
            continue;
        }
        tried_at = pending.len();
        let file = SourceFile::new("<stdin>", pending.as_str());
        let incomplete =
            matches!(read_all(&file, vm.options().max_read_depth), Err(e) if e.incomplete);
        if incomplete && !ended {
            continue;
        }
        counter += 1;
        if let Some(status) = eval_input(vm, counter, &pending) {
            return status;
        }
        pending.clear();
        tried_at = 0;
        if ended {
            return 0;
        }
    }
}

/// How evaluating an input ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Evaluated {
    Done,
    /// An error was reported.
    Failed,
    /// The program called `exit` with this status.
    Exited(i32),
    /// A signal stopped the program (reported, with where it was).
    Interrupted(i32),
}

/// Evaluates one input and prints its values.
pub fn eval_and_print(vm: &mut Vm, name: &str, text: &str) -> Evaluated {
    let file = SourceFile::new(name, text);
    let datums = match read_all(&file, vm.options().max_read_depth) {
        Ok(d) => d,
        Err(e) => {
            report(&e.into(), std::io::stderr().is_terminal());
            return Evaluated::Failed;
        }
    };
    for d in &datums {
        let result = vm.eval_written_values(d).and_then(|values| {
            vm.flush_output()?;
            // Several values (or none) print one a line.
            let mut out = std::io::stdout().lock();
            for v in values {
                writeln!(out, "{v}")
                    .and_then(|()| out.flush())
                    .map_err(|e| Error::output(&e))?;
            }
            Ok(())
        });
        match result {
            Ok(()) => {}
            Err(e) => {
                match e.kind {
                    ErrorKind::Exit(code) => return Evaluated::Exited(code),
                    ErrorKind::Output { .. } => {
                        return Evaluated::Exited(crate::report::output_failure(&e))
                    }
                    _ => {}
                }
                let _ = vm.flush_output();
                report(&e, std::io::stderr().is_terminal());
                if let ErrorKind::Interrupted(signal) = e.kind {
                    return Evaluated::Interrupted(signal);
                }
                return Evaluated::Failed;
            }
        }
    }
    Evaluated::Done
}
