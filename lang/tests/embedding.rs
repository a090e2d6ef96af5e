//! Embedding rudo-lang: evaluating source, and keeping values alive across collections
//! with handles.

use rudo_lang::reader::SourceFile;
use rudo_lang::{to_string, Options, Style, Value, Vm};

fn eval(vm: &mut Vm, text: &str) -> Value {
    let file = SourceFile::new("<test>", text);
    vm.eval_file(&file)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn handles_keep_values_alive_across_collections() {
    let mut vm = Vm::new(Options {
        gc_stress: true,
        ..Options::default()
    });
    let list = eval(&mut vm, "(list 1 \"two\" (vector 3))");
    let held = vm.rt.handles.hold(list);
    // Garbage and collections (every safepoint collects under stress).
    eval(
        &mut vm,
        "(let loop ((i 0)) (if (< i 200) (begin (make-vector 50 i) (loop (+ i 1)))))",
    );
    eval(&mut vm, "(collect)");
    assert_eq!(
        to_string(vm.rt.handles.get(&held), Style::Write),
        "(1 \"two\" #(3))"
    );
    assert_eq!(vm.rt.handles.len(), 1);
    let back = vm.rt.handles.release(held);
    assert_eq!(to_string(back, Style::Write), "(1 \"two\" #(3))");
    assert!(vm.rt.handles.is_empty());
}

#[test]
fn a_released_handle_slot_is_reused() {
    let mut vm = Vm::new(Options::default());
    let a = vm.rt.handles.hold(Value::fixnum(1));
    let b = vm.rt.handles.hold(Value::fixnum(2));
    vm.rt.handles.release(a);
    let c = vm.rt.handles.hold(Value::fixnum(3));
    assert_eq!(vm.rt.handles.get(&c), Value::fixnum(3));
    assert_eq!(vm.rt.handles.get(&b), Value::fixnum(2));
    assert_eq!(vm.rt.handles.len(), 2);
}

#[test]
fn globals_defined_from_rust_are_visible_to_scheme() {
    let mut vm = Vm::new(Options::default());
    eval(&mut vm, "(define (square x) (* x x))");
    assert_eq!(eval(&mut vm, "(square 12)"), Value::fixnum(144));
    assert!(vm.rt.global("square").is_some());
    assert!(vm.rt.global("no-such-thing").is_none());
}

#[test]
fn safepoints_sweep_pending_pages_in_a_loop_that_allocates_nothing() {
    let mut vm = Vm::new(Options::default());
    eval(
        &mut vm,
        "(define keep (let loop ((i 0) (l '())) (if (= i 20000) l (loop (+ i 1) (cons (make-vector 3 i) l)))))",
    );
    eval(&mut vm, "(define w (make-weak-pair (make-vector 10 0) 0))");
    eval(&mut vm, "(collect)");
    let pending = vm.rt.heap.pending_sweep_pages();
    assert_eq!(pending > 0, cfg!(feature = "lazy-sweep"));
    // The weak car broke in the collection, before the sweep.
    assert_eq!(
        to_string(eval(&mut vm, "(bwp-object? (car w))"), Style::Write),
        "#t"
    );
    // Backward jumps are safepoints: each sweeps a few pages, with no allocation at all.
    eval(
        &mut vm,
        "(let loop ((i 0)) (if (< i 10000) (loop (+ i 1))))",
    );
    assert_eq!(vm.rt.heap.pending_sweep_pages(), 0);
    let steps = vm.rt.heap.stats().lazy_sweep_steps;
    assert_eq!(steps > 1, cfg!(feature = "lazy-sweep"));
    assert_eq!(
        to_string(eval(&mut vm, "(length keep)"), Style::Write),
        "20000"
    );
}
