//! Any text through the reader and the compiler: each may refuse it with an error, and
//! neither may panic, overflow the stack or hang. The compiled code is not run; the
//! bytecode verifier checks every procedure the compiler makes.
#![no_main]

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use rudo_lang::reader::{read_all, SourceFile};
use rudo_lang::{Options, Vm};

/// Inputs compiled in one runtime before it is made anew: compiled code and macros
/// the inputs define accumulate in it.
const INPUTS_PER_RUNTIME: usize = 500;

/// The compiler's stack, as the rudo-scheme binary gives it: the compiler recurses on
/// the nesting of source, which the reader bounds.
const COMPILER_STACK: usize = 1 << 30;

struct Worker {
    inputs: Sender<String>,
    done: Receiver<()>,
}

fn new_vm() -> Vm {
    let mut options = Options {
        stack_slots: 1 << 16,
        ..Options::default()
    };
    options.heap.mark_threads = 1;
    Vm::new(options)
}

/// One thread, with the compiler's stack, compiles every input in turn.
fn worker() -> &'static Mutex<Worker> {
    static WORKER: OnceLock<Mutex<Worker>> = OnceLock::new();
    WORKER.get_or_init(|| {
        let (inputs, receive) = channel::<String>();
        let (send, done) = channel();
        std::thread::Builder::new()
            .stack_size(COMPILER_STACK)
            .spawn(move || {
                let mut vm = new_vm();
                let mut used = 0;
                for text in receive {
                    if used == INPUTS_PER_RUNTIME {
                        vm = new_vm();
                        used = 0;
                    }
                    used += 1;
                    let file = SourceFile::new("<fuzz>", text);
                    if let Ok(datums) = read_all(&file, vm.options().max_read_depth) {
                        for d in &datums {
                            let _ = vm.compile(d);
                        }
                    }
                    send.send(()).expect("the fuzzer waits");
                }
            })
            .expect("the compiler thread starts");
        Mutex::new(Worker { inputs, done })
    })
}

fuzz_target!(|data: &[u8]| {
    let w = worker().lock().expect("one input at a time");
    w.inputs
        .send(String::from_utf8_lossy(data).into_owned())
        .expect("the compiler thread runs");
    // A panic on the compiler thread ends it, and the fuzzer reports the lost reply.
    w.done.recv().expect("the compiler thread finished the input");
});
