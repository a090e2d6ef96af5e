//! rudo-scheme: run a script, evaluate an expression, or start the REPL.

mod repl;
mod report;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use rudo_lang::reader::{read_all, SourceFile};
use rudo_lang::{ErrorKind, Options, Vm};

// Rust's allocations on the program's behalf count against its memory limit.
#[global_allocator]
static ALLOCATOR: rudo_lang::memory::CountingAllocator = rudo_lang::memory::CountingAllocator;

/// The deepest source nesting `--max-read-depth` allows: the compiler recurses on source
/// nesting, and `COMPILER_STACK` holds this much nesting with room to spare.
const MAX_READ_DEPTH: i64 = 20_000;

/// The stack of the thread that reads, compiles and runs (address space; only the part
/// used is ever touched).
const COMPILER_STACK: usize = 1 << 30;

/// Exit status of a script that raised an uncaught error (EX_SOFTWARE).
const EXIT_ERROR: u8 = 70;

/// How marker threads divide a collection's objects (`--gc-marking`).
#[derive(clap::ValueEnum, Copy, Clone, Debug, PartialEq, Eq)]
enum Marking {
    Auto,
    Owned,
    Shared,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Switch {
    On,
    Off,
}

/// A small, fast Scheme whose every value lives in rudo-gc.
#[derive(Parser, Debug)]
#[command(version, about, trailing_var_arg = true)]
struct Cli {
    /// Evaluate EXPR and print its value, instead of running a file.
    #[arg(short = 'e', long = "eval", value_name = "EXPR")]
    eval: Option<String>,
    /// Collect at every safepoint and verify the heap after each collection
    /// (also RUDO_GC_STRESS=1).
    #[arg(long)]
    gc_stress: bool,
    /// Compile without loops run in place, inline primitives, superinstructions or
    /// fused branches: every call a call, every test a jump-if-false.
    #[arg(long)]
    no_optimize: bool,
    /// Marker threads, this one included (also RUDO_GC_THREADS; default: one per core,
    /// at most 8).
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=rudo_gc::MAX_MARK_THREADS as i64))]
    gc_threads: Option<u32>,
    /// How several markers divide the objects: `owned`, each page marked by one marker
    /// with plain stores; `shared`, any object by any marker with atomic ORs; or `auto`,
    /// owned but shared when the last collection found the heap scattered over its pages
    /// (also RUDO_GC_MARKING; default: auto).
    #[arg(long, value_name = "HOW")]
    gc_marking: Option<Marking>,
    /// Whether most collections are minor ones, which mark and sweep only what was
    /// allocated since the last collection: `on` or `off` (also RUDO_GC_GENERATIONAL=0;
    /// default: on).
    #[arg(long, value_name = "ON|OFF")]
    gc_generational: Option<Switch>,
    /// Print the collector's statistics on stderr at exit.
    #[arg(long)]
    gc_stats: bool,
    /// Print a line about each collection on stderr: its pause, what was marked and by
    /// which markers, the heap after it (also RUDO_GC_LOG=1).
    #[arg(long)]
    gc_log: bool,
    /// Print the bytecode of FILE instead of running it.
    #[arg(long)]
    disassemble: bool,
    /// Print each instruction as it runs, with the top of its frame, on stderr.
    #[arg(long)]
    trace: bool,
    /// The most memory the program may hold (objects, and what the runtime allocates for
    /// it), as bytes or with a K, M, G or T suffix; passing it is an error that `guard`
    /// can catch (also RUDO_MAX_HEAP; default: half the machine's memory).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_heap: Option<usize>,
    /// The most nested (non-tail) calls before a stack-overflow error.
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    max_frames: usize,
    /// The deepest nesting of lists and vectors the reader accepts in source code
    /// (at most 20000).
    #[arg(long, value_name = "N", default_value_t = rudo_lang::reader::DEFAULT_MAX_DEPTH as u32,
          value_parser = clap::value_parser!(u32).range(1..=MAX_READ_DEPTH))]
    max_read_depth: u32,
    /// A directory to look for imported libraries in (`(a b)` is `DIR/a/b.sld`), before
    /// the importing file's directory and the current one; may be repeated.
    #[arg(short = 'I', value_name = "DIR")]
    library_path: Vec<std::path::PathBuf>,
    /// The script to run, then its arguments (see `(command-line)`).
    #[arg(value_name = "FILE")]
    args: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    install_signal_handlers();
    // The compiler recurses on the nesting of source code, which the reader bounds; a
    // large stack keeps the deepest nesting it accepts well inside it.
    let worker = std::thread::Builder::new()
        .stack_size(COMPILER_STACK)
        .spawn(move || run(cli));
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => code,
        _ => ExitCode::from(EXIT_ERROR),
    }
}

/// SIGINT (Ctrl-C) and SIGTERM ask the running program to stop at its next safepoint
/// (`rudo_lang::interrupt`); a second one while the first waits (a builtin that runs
/// long, a blocking read) ends the process at once, with the status a shell expects.
fn install_signal_handlers() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM] {
        let handler = move || {
            if rudo_lang::interrupt::requested() {
                signal_hook::low_level::exit(report::signal_status(signal));
            }
            rudo_lang::interrupt::request(signal);
        };
        // SAFETY: the handler only loads and stores an atomic and calls `_exit`, all of
        // which are async-signal-safe.
        if unsafe { signal_hook::low_level::register(signal, handler) }.is_err() {
            let _ = writeln!(
                std::io::stderr(),
                "rudo-scheme: cannot handle signal {signal}; it will end the process"
            );
        }
    }
}

fn run(cli: Cli) -> ExitCode {
    let mut options = Options {
        max_frames: cli.max_frames,
        max_read_depth: cli.max_read_depth as usize,
        library_path: cli.library_path.clone(),
        ..Options::default()
    };
    options.gc_stress |= cli.gc_stress;
    if let Some(bytes) = cli.max_heap {
        options.max_heap = bytes;
    }
    options.optimize = !cli.no_optimize;
    options.gc_log |= cli.gc_log;
    if let Some(n) = cli.gc_threads {
        options.heap.mark_threads = n as usize;
    }
    if let Some(switch) = cli.gc_generational {
        options.heap.generational = matches!(switch, Switch::On);
    }
    if let Some(marking) = cli.gc_marking {
        let how = marking.to_possible_value().expect("no variant is skipped");
        rudo_lang::set_marking_division(&mut options.heap, how.get_name());
    }
    let mut vm = Vm::new(options);
    // Set after the prelude has run, so that only the program is traced.
    vm.options_mut().trace = cli.trace;
    vm.set_command_line(cli.args.clone());
    let status = if let Some(expr) = &cli.eval {
        match repl::eval_and_print(&mut vm, "<-e>", expr) {
            repl::Evaluated::Done => 0,
            repl::Evaluated::Failed => EXIT_ERROR as i32,
            repl::Evaluated::Exited(code) => code,
            repl::Evaluated::Interrupted(signal) => report::signal_status(signal),
        }
    } else if let Some(path) = cli.args.first() {
        if cli.disassemble {
            disassemble(&mut vm, path)
        } else {
            run_file(&mut vm, path)
        }
    } else {
        repl::run(&mut vm)
    };
    let status = match vm.flush() {
        Ok(()) => status,
        Err(e) => match report::output_failure(&e) {
            failed if status == 0 => failed,
            _ => status,
        },
    };
    if cli.gc_stats {
        let _ = write!(std::io::stderr(), "{}", vm.gc_stats_report());
    }
    // As POSIX does with the status a process passes to exit(3): its low eight bits.
    ExitCode::from((status & 0xff) as u8)
}

fn parse_size(text: &str) -> Result<usize, String> {
    rudo_lang::memory::parse_size(text)
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            format!("`{text}` is not a size: write bytes, or a number with K, M, G or T")
        })
}

fn load(path: &str) -> Result<std::sync::Arc<SourceFile>, i32> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(SourceFile::new(path, without_shebang(text))),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "rudo-scheme: cannot read {path}: {e}");
            Err(66)
        }
    }
}

/// A script's `#!/usr/bin/env rudo-scheme` line, made a comment of the same length so
/// that positions stay where they are. `#!fold-case` and other directives stay.
fn without_shebang(text: String) -> String {
    if text.starts_with("#!/") || text.starts_with("#! ") {
        format!(";;{}", &text[2..])
    } else {
        text
    }
}

fn run_file(vm: &mut Vm, path: &str) -> i32 {
    let file = match load(path) {
        Ok(f) => f,
        Err(code) => return code,
    };
    match vm.run_file(&file) {
        Ok(()) => 0,
        Err(e) => match e.kind {
            ErrorKind::Exit(code) => code,
            ErrorKind::Interrupted(signal) => report::signal_status(signal),
            ErrorKind::Output { .. } => report::output_failure(&e),
            _ => {
                // What the program wrote comes before the report of its error.
                let _ = vm.flush_output();
                report::report(&e, std::io::stderr().is_terminal());
                EXIT_ERROR as i32
            }
        },
    }
}

fn disassemble(vm: &mut Vm, path: &str) -> i32 {
    let file = match load(path) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let result = read_all(&file, vm.options().max_read_depth)
        .map_err(Into::into)
        .and_then(|datums| {
            for d in &datums {
                // A closed pipe (`| head`) is not an error worth a panic.
                let _ = write!(std::io::stdout(), "{}", vm.disassemble_datum(d)?);
                // Later forms may use the definitions of earlier ones.
                vm.eval_written(d)?;
            }
            Ok(())
        });
    match result {
        Ok(()) => 0,
        Err(e) => {
            report::report(&e, std::io::stderr().is_terminal());
            EXIT_ERROR as i32
        }
    }
}
