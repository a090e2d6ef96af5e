//! The runtime: the heap and everything the compiler and the builtins share with the VM.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::rc::Rc;

use rudo_gc::{Heap, HeapConfig, RootSet, RootVisitor};

use crate::builtins::{self, Builtin};
use crate::compiler::{base_name, Aliases, Library, Namespace};
use crate::handles::Handles;
use crate::memory;
use crate::number::Number;
use crate::object::Alloc;
use crate::port::{Ports, Sink, Source, State, Stream, INPUT, OUTPUT};
use crate::reader::{Datum, DatumKind};
use crate::symbol::SymbolTable;
use crate::value::{Kind, Value};
use crate::vm::{CodeTable, Proto};

/// Settings a program runs with.
#[derive(Clone, Debug)]
pub struct Options {
    /// Collect at every safepoint and verify the heap after each collection.
    pub gc_stress: bool,
    /// Print a line about each collection on stderr.
    pub gc_log: bool,
    /// Print each instruction as it runs, with the top of its frame, on stderr.
    pub trace: bool,
    /// Compile with loops run in place, inline primitives, superinstructions and fused
    /// compare-and-branch; off, every call is a call and every test a `jump-if-false`,
    /// the plain code the differential tester holds the optimised code against.
    pub optimize: bool,
    /// The deepest the reader nests lists and vectors.
    pub max_read_depth: usize,
    /// The most Scheme frames (non-tail calls in progress) before a stack-overflow error.
    pub max_frames: usize,
    /// The size of the VM's value stack, in slots. It is reserved at start (address
    /// space only, until used) and never moves.
    pub stack_slots: usize,
    /// The most memory the program may hold, in bytes: the heap's live objects and what
    /// Rust allocates for it (see `memory`). Passing it is a Scheme error.
    pub max_heap: usize,
    /// Directories searched for the files of libraries that programs import (`-I`).
    pub library_path: Vec<std::path::PathBuf>,
    pub heap: HeapConfig,
}

impl Default for Options {
    fn default() -> Options {
        let heap = HeapConfig::default();
        let mut options = Options {
            gc_stress: std::env::var_os("RUDO_GC_STRESS").is_some_and(|v| v != "0"),
            gc_log: std::env::var_os("RUDO_GC_LOG").is_some_and(|v| v != "0"),
            trace: false,
            optimize: true,
            max_read_depth: crate::reader::DEFAULT_MAX_DEPTH,
            max_frames: 10_000_000,
            stack_slots: 64 << 20,
            max_heap: std::env::var("RUDO_MAX_HEAP")
                .ok()
                .and_then(|s| memory::parse_size(&s))
                .unwrap_or_else(memory::default_limit),
            library_path: Vec::new(),
            heap: HeapConfig {
                mark_threads: std::env::var("RUDO_GC_THREADS")
                    .ok()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(heap.mark_threads),
                ..heap
            },
        };
        if let Ok(how) = std::env::var("RUDO_GC_MARKING") {
            set_marking_division(&mut options.heap, &how);
        }
        options
    }
}

/// Sets how several markers divide the objects, by the name `--gc-marking` and
/// `RUDO_GC_MARKING` take: `shared`, `auto`, or otherwise owned.
pub fn set_marking_division(heap: &mut HeapConfig, how: &str) {
    heap.page_ownership = how != "shared";
    heap.shared_when_scattered = how == "auto";
}

pub struct Runtime {
    pub heap: Heap,
    pub symbols: SymbolTable,
    /// Global cells by symbol: `[name, value]` objects.
    pub(crate) globals: HashMap<Value, Value>,
    /// The cells the prelude's code was compiled with, for the procedures the program
    /// has cells of its own for (`separate_standard_procedures`): roots, as all global
    /// cells are, since the VM holds some of them (`%raise`).
    pub(crate) prelude_cells: Vec<Value>,
    /// Every compiled code object; closures name theirs by index.
    pub code: CodeTable,
    pub builtins: Vec<Builtin>,
    pub(crate) builtin_values: HashMap<&'static str, Value>,
    /// Globals the program has defined or assigned: calls to them are not inlined.
    redefined: HashSet<String>,
    /// The program's namespace (0) and each library's (`compiler::library`).
    pub(crate) namespaces: Vec<Namespace>,
    /// The libraries defined so far, by name: `(my library)`.
    pub(crate) libraries: HashMap<String, Library>,
    /// The names the prelude and the builtins define: what importing a standard library
    /// brings into a library.
    pub(crate) standard_names: HashSet<String>,
    /// What the identifiers that macros insert refer to.
    pub(crate) aliases: Aliases,
    pub out: Box<dyn Write>,
    /// Values an embedder holds across collections.
    pub handles: Handles,
    /// The state of every open port.
    pub(crate) ports: Ports,
    /// Standard input, output and error.
    pub(crate) standard_ports: [Value; 3],
    /// The cells of the parameters `current-input-port`, `current-output-port` and
    /// `current-error-port` (`(value converter)` lists the prelude makes), once the
    /// prelude has run.
    pub(crate) current_port_cells: Option<[Value; 3]>,
    /// How deep in `include`s each included file was read, by file name.
    pub(crate) include_depths: HashMap<String, usize>,
    /// Forms that `load` has read and not yet evaluated, by the numbers `%read-source`
    /// gave them; `%eval-source` takes them out.
    pub(crate) loaded_forms: HashMap<usize, Datum>,
    /// Objects each guardian (by its number) has got back from the collector and not yet
    /// handed to the program.
    pub(crate) guardian_ready: HashMap<u64, VecDeque<Value>>,
    next_guardian: u64,
    next_loaded_form: usize,
    /// Whether the program has been told it passed the memory limit, and has not yet
    /// come back under it: until it does, it may use a quarter more while it unwinds.
    memory_limit_raised: bool,
    /// Set by `reserve` when it refused: the VM collects and calls the builtin again,
    /// with `reserving_after_collection` set.
    pub(crate) reservation_refused: bool,
    pub(crate) reserving_after_collection: bool,
    pub options: Options,
    pub command_line: Vec<String>,
}

/// The fields of a global cell.
pub const CELL_NAME: usize = 0;
pub const CELL_VALUE: usize = 1;

impl Runtime {
    pub fn new(options: Options) -> Runtime {
        memory::set_limit(options.max_heap);
        let mut rt = Runtime {
            heap: Heap::new(HeapConfig {
                // Stress mode runs every collection's marking on all the marker threads,
                // however small the heap.
                parallel_mark_min_bytes: if options.gc_stress {
                    0
                } else {
                    options.heap.parallel_mark_min_bytes
                },
                ..options.heap.clone()
            }),
            symbols: SymbolTable::default(),
            globals: HashMap::new(),
            prelude_cells: Vec::new(),
            code: CodeTable::default(),
            builtins: Vec::new(),
            builtin_values: HashMap::new(),
            redefined: HashSet::new(),
            namespaces: vec![Namespace::default()],
            libraries: HashMap::new(),
            standard_names: HashSet::new(),
            aliases: Aliases::default(),
            out: Box::new(std::io::BufWriter::new(std::io::stdout())),
            handles: Handles::default(),
            ports: Ports::default(),
            standard_ports: [Value::FALSE; 3],
            current_port_cells: None,
            loaded_forms: HashMap::new(),
            include_depths: HashMap::new(),
            guardian_ready: HashMap::new(),
            next_guardian: 0,
            next_loaded_form: 0,
            memory_limit_raised: false,
            reservation_refused: false,
            reserving_after_collection: false,
            options,
            command_line: Vec::new(),
        };
        for b in builtins::all() {
            rt.define_builtin(b);
        }
        let standard = [
            (State::Input(Source::Stream(Stream::stdin())), INPUT),
            (State::Output(Sink::Stdout), OUTPUT),
            (State::Output(Sink::Stderr), OUTPUT),
        ];
        for (i, (state, flags)) in standard.into_iter().enumerate() {
            rt.standard_ports[i] = rt.ports.open(&mut rt.heap, state, flags);
        }
        rt
    }

    /// What the program holds against its memory limit: the objects the last collection
    /// found live and Rust's allocations.
    pub fn memory_used(&self) -> usize {
        self.heap.live_bytes() + memory::rust_bytes()
    }

    /// The limit in force: a quarter more while the program handles having passed it.
    fn memory_limit(&self) -> usize {
        let limit = self.options.max_heap;
        if self.memory_limit_raised {
            limit.saturating_add(limit / 4)
        } else {
            limit
        }
    }

    /// Checks, before a builtin allocates `bytes` at once, that they fit under the
    /// memory limit. When they may not, the VM collects and calls the builtin again
    /// (which must not have changed anything before reserving); when they still do not,
    /// the error stands.
    pub(crate) fn reserve(&mut self, bytes: usize) -> Result<(), crate::Error> {
        // Before a collection, all the heap has mapped may be live; after one, what it
        // found live is.
        let held = if self.reserving_after_collection {
            self.memory_used()
        } else {
            self.heap.heap_bytes() + memory::rust_bytes()
        };
        if held.saturating_add(bytes) <= self.memory_limit() {
            return Ok(());
        }
        self.reservation_refused = !self.reserving_after_collection;
        Err(memory::limit_error(self.options.max_heap))
    }

    /// After a collection: whether the program holds more than its memory limit, and the
    /// collector's budget up to it. The first time it does, a handler may take the
    /// error; if it passes the limit again before coming back under it, the error goes to
    /// the top level.
    pub(crate) fn check_memory(&mut self) -> Result<(), crate::Error> {
        memory::clear_over_limit();
        let used = self.memory_used();
        // Collections near the limit come at least this far apart, so that a program
        // just under it is not collected at every step: it may pass the limit by this
        // much before the next collection finds it out.
        let least_budget = self.options.max_heap / 16;
        if used <= self.options.max_heap {
            self.memory_limit_raised = false;
            self.heap
                .limit_budget((self.options.max_heap - used).max(least_budget));
            return Ok(());
        }
        let first = !self.memory_limit_raised;
        self.memory_limit_raised = true;
        let limit = self.memory_limit();
        self.heap
            .limit_budget(limit.saturating_sub(used).max(least_budget));
        if first {
            Err(memory::limit_error(self.options.max_heap))
        } else if used > limit {
            Err(memory::hard_limit_error(self.options.max_heap))
        } else {
            Ok(())
        }
    }

    /// The current input (`port::STDIN`), output or error port.
    pub(crate) fn current_port(&self, which: usize) -> Value {
        match self.current_port_cells {
            Some(cells) => cells[which].car(),
            None => self.standard_ports[which],
        }
    }

    pub(crate) fn define_builtin(&mut self, b: Builtin) {
        let index = self.builtins.len();
        let name = b.name;
        self.builtins.push(b);
        let prim = self.heap.object(Kind::Primitive, 1, 0, Value::FALSE);
        prim.set_raw(0, index as u64);
        self.builtin_values.insert(name, prim);
        let sym = self.intern(name);
        let cell = self.global_cell(sym);
        cell.set_field(CELL_VALUE, prim);
    }

    pub fn intern(&mut self, name: &str) -> Value {
        self.symbols.intern(&mut self.heap, name)
    }

    /// The cell of a global variable, made (unbound) on first mention.
    pub fn global_cell(&mut self, sym: Value) -> Value {
        if let Some(&cell) = self.globals.get(&sym) {
            return cell;
        }
        let cell = self.heap.object(Kind::Global, 2, 2, Value::UNDEFINED);
        cell.set_field(CELL_NAME, sym);
        self.globals.insert(sym, cell);
        cell
    }

    /// Gives the program cells of its own for the procedures the builtins and the prelude
    /// define, holding the same values. The prelude's code keeps the cells it was
    /// compiled with, so a program that defines its own `reverse!`, `apply` or
    /// `dynamic-wind` changes what its own code calls, not what `map` or `guard` call.
    /// The prelude's variables that hold state (`%winders`, `%handlers`) stay shared.
    pub(crate) fn separate_standard_procedures(&mut self) {
        let cells: Vec<(Value, Value)> = self.globals.iter().map(|(&s, &c)| (s, c)).collect();
        for (sym, cell) in cells {
            let v = cell.field(CELL_VALUE);
            if v.is(Kind::Closure) || v.is(Kind::Primitive) {
                let own = self.heap.object(Kind::Global, 2, 2, Value::UNDEFINED);
                own.set_field(CELL_NAME, sym);
                own.set_field(CELL_VALUE, v);
                self.globals.insert(sym, own);
                self.prelude_cells.push(cell);
            }
        }
    }

    /// The value of a global, if it is bound.
    pub fn global(&self, name: &str) -> Option<Value> {
        let sym = self.symbols.lookup(name)?;
        let v = self.globals.get(&sym)?.field(CELL_VALUE);
        (v != Value::UNDEFINED).then_some(v)
    }

    /// Names of the bound globals and the global macros, for completion.
    pub fn global_names(&self) -> Vec<String> {
        self.globals
            .iter()
            .filter(|(_, cell)| cell.field(CELL_VALUE) != Value::UNDEFINED)
            .map(|(&sym, _)| crate::object::symbol_name(sym).to_string())
            .chain(self.namespaces[0].names.keys().cloned())
            .collect()
    }

    /// The index of a builtin in the builtin table.
    pub fn builtin_index(&self, name: &str) -> usize {
        self.builtin(name).raw(0) as usize
    }

    /// A builtin procedure itself, whatever the global of its name now holds.
    pub fn builtin(&self, name: &str) -> Value {
        self.builtin_values[name]
    }

    pub fn is_redefined(&self, name: &str) -> bool {
        self.redefined.contains(name)
    }

    pub fn mark_redefined(&mut self, name: &str) {
        self.redefined.insert(name.to_string());
    }

    pub fn add_code(&mut self, proto: Rc<Proto>) -> usize {
        self.code.add(proto)
    }

    /// A datum as a heap value (for `quote`). Nesting is bounded by the reader's limit.
    pub fn datum_to_value(&mut self, d: &Datum) -> Value {
        match &d.kind {
            DatumKind::Number(n) => self.number(n.clone()),
            DatumKind::Boolean(b) => Value::bool(*b),
            DatumKind::Char(c) => Value::char(*c),
            DatumKind::String(s) => self.heap.string(s),
            DatumKind::Symbol(s) => self.intern(base_name(s)),
            DatumKind::List(items, tail) => {
                let mut acc = match tail {
                    Some(t) => self.datum_to_value(t),
                    None => Value::NIL,
                };
                for item in items.iter().rev() {
                    let v = self.datum_to_value(item);
                    acc = self.heap.cons(v, acc);
                }
                acc
            }
            DatumKind::Vector(items) => {
                let values: Vec<Value> = items.iter().map(|i| self.datum_to_value(i)).collect();
                self.heap.vector(&values)
            }
            DatumKind::Bytevector(b) => self.heap.bytevector(b),
            DatumKind::Value(v) => *v,
        }
    }

    /// A number for a new guardian.
    pub(crate) fn new_guardian(&mut self) -> u64 {
        self.next_guardian += 1;
        self.next_guardian
    }

    /// Keeps `d` for `%eval-source`; its number.
    pub(crate) fn keep_loaded_form(&mut self, d: Datum) -> usize {
        let n = self.next_loaded_form;
        self.next_loaded_form += 1;
        self.loaded_forms.insert(n, d);
        n
    }

    /// A number as a heap value.
    pub fn number(&mut self, n: Number) -> Value {
        crate::number::to_value(&mut self.heap, n)
    }

    /// Writes to standard output. Failing ends the program (`ErrorKind::Output`).
    pub fn write_out(&mut self, text: &str) -> Result<(), crate::Error> {
        self.out
            .write_all(text.as_bytes())
            .map_err(|e| crate::Error::output(&e))
    }

    /// Writes out what standard output holds.
    pub fn flush_output(&mut self) -> Result<(), crate::Error> {
        self.out.flush().map_err(|e| crate::Error::output(&e))
    }

    /// Flushes standard output and every file port, as the program ends: the first
    /// failure, if any, after trying them all.
    pub fn flush(&mut self) -> Result<(), crate::Error> {
        let out = self.flush_output();
        let files = self.ports.flush_all();
        out.and(files)
    }
}

/// The roots the runtime holds apart from its heap: symbols, globals, builtins, and the
/// constants of all code. Borrowed field by field, so the heap can be borrowed mutably
/// beside it during a collection.
pub(crate) struct RuntimeRoots<'a> {
    pub symbols: &'a SymbolTable,
    pub globals: &'a HashMap<Value, Value>,
    pub prelude_cells: &'a [Value],
    pub builtin_values: &'a HashMap<&'static str, Value>,
    pub code: &'a CodeTable,
    pub handles: &'a Handles,
    pub ports: &'a Ports,
    pub standard_ports: &'a [Value; 3],
    pub guardian_ready: &'a HashMap<u64, VecDeque<Value>>,
}

impl RootSet for RuntimeRoots<'_> {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        self.symbols.visit(roots);
        for (&sym, &cell) in self.globals {
            roots.word(sym.word());
            roots.word(cell.word());
        }
        for &v in self.builtin_values.values() {
            roots.word(v.word());
        }
        self.handles.visit(roots);
        self.ports.visit(roots);
        for v in self
            .standard_ports
            .iter()
            .chain(self.prelude_cells)
            .chain(self.guardian_ready.values().flatten())
        {
            roots.word(v.word());
        }
        self.code.visit(roots);
    }
}
