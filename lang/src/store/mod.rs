//! The store: everything a running program keeps apart from its stacks. The heap, the
//! symbol table, the global cells, the builtins' procedure objects, the code table, the
//! ports, the embedder's handles and the guardians' queues; and, since these are what
//! hold its values, the root set of every collection but for the VM's own stacks
//! (`roots.rs`). The memory limit is checked here too.
//!
//! The compiler's session (namespaces, libraries, aliases) is the compiler's, and the
//! builtins' functions are the builtins' table: the store holds only values.

mod code;
mod options;
mod roots;

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::rc::Rc;

use rudo_gc::{Heap, HeapConfig};

pub use code::CodeTable;
pub use options::{set_marking_division, Options};

use crate::bytecode::Proto;
use crate::handles::Handles;
use crate::memory;
use crate::number::Number;
use crate::object::{Alloc, CELL_NAME, CELL_VALUE};
use crate::port::{Ports, Sink, Source, State, Stream, INPUT, OUTPUT};
use crate::reader::Datum;
use crate::symbol::SymbolTable;
use crate::value::{Kind, Value};

pub struct Store {
    pub(crate) heap: Heap,
    pub symbols: SymbolTable,
    /// Global cells by symbol: `[name, value]` objects.
    pub(crate) globals: HashMap<Value, Value>,
    /// The cells the prelude's code was compiled with, for the procedures the program
    /// has cells of its own for (`separate_standard_procedures`): roots, as all global
    /// cells are, since the VM holds some of them (`%raise`).
    pub(crate) prelude_cells: Vec<Value>,
    /// Every compiled code object; closures name theirs by index.
    pub code: CodeTable,
    pub(crate) builtin_values: HashMap<&'static str, Value>,
    /// The values of the datum labels of the literals of the top-level form being
    /// compiled, which its literals share; empty outside a compilation, since nothing
    /// collects during one.
    pub(crate) literal_labels: crate::datum::LabelValues,
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

impl Store {
    pub fn new(options: Options) -> Store {
        memory::set_limit(options.max_heap);
        let mut store = Store {
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
            builtin_values: HashMap::new(),
            literal_labels: Default::default(),
            out: Box::new(std::io::BufWriter::new(std::io::stdout())),
            handles: Handles::default(),
            ports: Ports::default(),
            standard_ports: [Value::FALSE; 3],
            current_port_cells: None,
            loaded_forms: HashMap::new(),
            guardian_ready: HashMap::new(),
            next_guardian: 0,
            next_loaded_form: 0,
            memory_limit_raised: false,
            reservation_refused: false,
            reserving_after_collection: false,
            options,
            command_line: Vec::new(),
        };
        let standard = [
            (State::Input(Source::Stream(Stream::stdin())), INPUT),
            (State::Output(Sink::Stdout), OUTPUT),
            (State::Output(Sink::Stderr), OUTPUT),
        ];
        for (i, (state, flags)) in standard.into_iter().enumerate() {
            store.standard_ports[i] = store.ports.open(&mut store.heap, state, flags);
        }
        store
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
        // The VM's own instructions allocate this much between two safepoints without
        // asking, and the collection a safepoint runs checks the limit: a builtin's
        // small result needs no check of its own.
        const UNCHECKED: usize = 4096;
        if bytes <= UNCHECKED {
            return Ok(());
        }
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
        if self.heap.last_collection_kind() == Some(rudo_gc::CollectionKind::Minor) {
            // Old garbage may be what fills the heap: only a full collection says.
            self.heap.request_full_collection();
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

    /// Makes the procedure object of builtin `index` and binds it to `name`.
    pub(crate) fn define_builtin(&mut self, name: &'static str, index: usize) {
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

    /// The names of the bound globals.
    pub fn global_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.globals
            .iter()
            .filter(|(_, cell)| cell.field(CELL_VALUE) != Value::UNDEFINED)
            .map(|(&sym, _)| crate::object::symbol_name(sym))
    }

    /// The index of a builtin in the builtin table.
    pub fn builtin_index(&self, name: &str) -> usize {
        self.builtin(name).raw(0) as usize
    }

    /// A builtin procedure itself, whatever the global of its name now holds.
    pub fn builtin(&self, name: &str) -> Value {
        self.builtin_values[name]
    }

    pub fn add_code(&mut self, proto: Rc<Proto>) -> usize {
        self.code.add(proto)
    }

    /// A datum as a heap value (for `read`).
    pub fn datum_to_value(&mut self, d: &Datum) -> Result<Value, crate::Error> {
        crate::datum::to_value(&mut self.heap, &mut self.symbols, d).map_err(unresolved)
    }

    /// A literal of the form being compiled as a heap value: its datum labels are the
    /// form's (`(list '#0=(a) '#0#)` is one list twice).
    pub fn literal_to_value(&mut self, d: &Datum) -> Result<Value, crate::Error> {
        let labels = &mut self.literal_labels;
        crate::datum::to_value_sharing(&mut self.heap, &mut self.symbols, d, labels)
            .map_err(unresolved)
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

fn unresolved(u: crate::datum::UnresolvedLabel) -> crate::Error {
    crate::Error::syntax(
        format!(
            "`#{}#` refers to a datum labelled outside this literal",
            u.label
        ),
        &u.span,
    )
}
