//! Any text through the reader and the compiler: each may refuse it with an error, and
//! neither may panic, overflow the stack or hang. The compiled code is not run; the
//! bytecode verifier checks every procedure the compiler makes.
#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use rudo_lang::reader::{read_all, SourceFile};
use rudo_lang::{compiler, Options, Vm};

/// Inputs compiled in one runtime before it is made anew: compiled code and macros
/// the inputs define accumulate in it.
const INPUTS_PER_RUNTIME: usize = 500;

thread_local! {
    static VM: RefCell<(Vm, usize)> = RefCell::new((new_vm(), 0));
}

fn new_vm() -> Vm {
    let mut options = Options {
        stack_slots: 1 << 16,
        ..Options::default()
    };
    options.heap.mark_threads = 1;
    Vm::new(options)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    VM.with(|cell| {
        let mut state = cell.borrow_mut();
        let (vm, used) = &mut *state;
        if *used == INPUTS_PER_RUNTIME {
            *vm = new_vm();
            *used = 0;
        }
        *used += 1;
        let file = SourceFile::new("<fuzz>", text.as_ref());
        if let Ok(datums) = read_all(&file, vm.rt.options.max_read_depth) {
            for d in &datums {
                let _ = compiler::compile(&mut vm.rt, d);
            }
        }
    });
});
