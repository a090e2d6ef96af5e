//! A tour of rudo-gc: build Scheme data in the heap, collect with part of it live, and
//! print what the collector saw.
//!
//! Run with `cargo run --release --example collector_tour`.

use rudo_gc::{Heap, RootSet, RootVisitor};
use rudo_lang::{unchecked_to_string, Alloc, Style, SymbolTable, Value};

/// The roots of this little program: its symbol table and one live list.
struct Roots<'a> {
    symbols: &'a SymbolTable,
    live: Value,
}

impl RootSet for Roots<'_> {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        self.symbols.visit(roots);
        roots.word(self.live.word());
    }
}

fn main() {
    let mut heap = Heap::default();
    let mut symbols = SymbolTable::default();

    let name = symbols.intern(&mut heap, "point");
    let greeting = heap.string("héllo, λ");
    let coords = heap.vector(&[Value::fixnum(3), Value::fixnum(4)]);
    let pi = heap.flonum(std::f64::consts::PI);
    let live = heap.list(&[name, greeting, coords, pi]);
    // SAFETY: the heap that made `live` is alive and has not collected.
    println!("live:    {}", unsafe {
        unchecked_to_string(live, Style::Write)
    });

    // A million pairs of garbage beside it.
    let mut garbage = Value::NIL;
    for i in 0..1_000_000 {
        garbage = heap.cons(Value::fixnum(i), garbage);
    }
    let before = heap.stats();
    let roots = Roots {
        symbols: &symbols,
        live,
    };
    // SAFETY: the roots are words this heap handed out, each kept reachable since.
    let c = unsafe { heap.collect(&roots) };
    heap.verify(&roots).expect("a sound heap");
    let after = heap.stats();

    // SAFETY: `live` was among the roots of the heap's only collection.
    println!("after:   {}", unsafe {
        unchecked_to_string(live, Style::Write)
    });
    println!(
        "heap:    {:.1} MB before, {:.1} MB after; {} bytes live",
        before.heap_bytes as f64 / 1e6,
        after.heap_bytes as f64 / 1e6,
        after.live_bytes
    );
    println!(
        "pause:   {:?} (mark {:?}, sweep {:?}), {} objects marked, {} pages freed",
        c.pause(),
        c.mark,
        c.sweep,
        c.marked_objects,
        c.pages_freed
    );
}
