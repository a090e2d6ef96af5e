//! The store as the root set, and collecting with it: the store names its own roots,
//! and the VM adds its stacks.

use std::collections::{HashMap, VecDeque};

use rudo_gc::{CollectionKind, CollectionStats, Heap, RootSet, RootVisitor};

use super::{CodeTable, Store};
use crate::handles::Handles;
use crate::port::Ports;
use crate::symbol::SymbolTable;
use crate::value::Value;

/// The store's roots, borrowed field by field so that the heap can be borrowed mutably
/// beside them during a collection, and the caller's.
struct Roots<'a, R: RootSet> {
    symbols: &'a SymbolTable,
    globals: &'a HashMap<Value, Value>,
    prelude_cells: &'a [Value],
    builtin_values: &'a HashMap<&'static str, Value>,
    code: &'a CodeTable,
    handles: &'a Handles,
    ports: &'a Ports,
    standard_ports: &'a [Value; 3],
    guardian_ready: &'a HashMap<u64, VecDeque<Value>>,
    extra: &'a R,
}

impl Store {
    /// A collection of `kind`, with the store's roots and `extra`'s; then, under
    /// `--gc-stress`, a verification of the heap, and the hand-over of what guardians got
    /// back and of the code whose units died. `--gc-log` prints a line about it. Under
    /// `--gc-stress` the generational invariant is checked before the collection too.
    ///
    /// # Safety
    /// 1. Every value the caller will use again that the store does not hold is named
    ///    by `extra`: the rooting invariant (`value.rs`).
    /// 2. Every word `extra` names came from this store's heap.
    pub(crate) unsafe fn collect(
        &mut self,
        extra: &impl RootSet,
        kind: CollectionKind,
    ) -> CollectionStats {
        let Store {
            heap,
            symbols,
            globals,
            prelude_cells,
            builtin_values,
            code,
            handles,
            ports,
            standard_ports,
            guardian_ready,
            options,
            ..
        } = self;
        let roots = Roots {
            symbols,
            globals,
            prelude_cells,
            builtin_values,
            code,
            handles,
            ports,
            standard_ports,
            guardian_ready,
            extra,
        };
        if options.gc_stress {
            if let Err(e) = heap.verify_remembered(&roots) {
                eprintln!("rudo-scheme: a store into an old object was not remembered: {e}");
                std::process::abort();
            }
        }
        // SAFETY: the store's roots are every value it holds, all from this heap, and
        // the caller names the rest (rules 1 and 2); every store into an object goes
        // through `Value::set_car`, `set_cdr` or `set_field`, which call the barrier.
        let collection = unsafe { heap.collect_as(&roots, kind) };
        if options.gc_log {
            eprintln!("{}", log_line(heap, &collection));
        }
        if options.gc_stress {
            heap.request_collection();
            if let Err(e) = heap.verify(&roots) {
                eprintln!("rudo-scheme: heap verification failed after a collection: {e}");
                std::process::abort();
            }
        }
        self.code.reclaim(self.heap.collections());
        for (w, token) in self.heap.take_ready() {
            // SAFETY: the collection that found it unreachable kept it alive, and from
            // here on the guardian queues, which are roots, hold it.
            let v = unsafe { Value::from_word(w) };
            self.guardian_ready.entry(token).or_default().push_back(v);
        }
        collection
    }
}

impl<R: RootSet> RootSet for Roots<'_, R> {
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
        self.extra.visit(roots);
    }
}

/// The line `--gc-log` prints after a collection: its number, the pause's parts, what
/// was marked and by which markers, and the heap the program goes on with.
fn log_line(heap: &Heap, c: &CollectionStats) -> String {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    let mb = |bytes: usize| bytes as f64 / 1e6;
    format!(
        "gc {}: pause {:.3} ms (mark {:.3}, sweep {:.3}), {}, marked {:.1} MB in {} objects \
         by {} marker{}{} {:?} ({:.1} per page run), {} chunks shared, {} batches sent, \
         {} remembered, {} weak broken, {} pages freed; heap {:.1} MB, {} pages pending",
        heap.collections(),
        ms(c.pause()),
        ms(c.mark),
        ms(c.sweep),
        match c.kind {
            CollectionKind::Minor => "minor",
            CollectionKind::Major => "major",
        },
        mb(c.marked_bytes),
        c.marked_objects,
        c.mark_threads,
        if c.mark_threads == 1 { "" } else { "s" },
        match (c.mark_threads, c.pages_owned) {
            (1, _) => "",
            (_, true) => " owning pages",
            (_, false) => " sharing pages",
        },
        &c.marked_objects_by_marker[..c.mark_threads],
        c.objects_per_page_run(),
        c.chunks_shared,
        c.batches_sent,
        c.remembered,
        c.weak_broken,
        c.pages_freed,
        mb(heap.heap_bytes()),
        heap.pending_sweep_pages(),
    )
}
