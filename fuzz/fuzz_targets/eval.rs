//! Any text read, compiled and run, under a memory limit and a deadline: it may end in a
//! Scheme error, the limit's error or an interrupt, and in nothing else: no panic, no
//! abort, no overflow of the Rust stack, no memory error AddressSanitizer can see.
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rudo_lang::memory::CountingAllocator;
use rudo_lang::reader::SourceFile;
use rudo_lang::{interrupt, Options, Vm};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The compiler's stack, as the rudo-scheme binary gives it.
const COMPILER_STACK: usize = 1 << 30;

/// How long an input may run before the watchdog interrupts it.
const DEADLINE: Duration = Duration::from_secs(2);

/// The most memory an input's program may hold.
const MAX_HEAP: usize = 256 << 20;

struct Worker {
    inputs: Sender<String>,
    done: Receiver<()>,
}

/// When the running input started, in milliseconds since `epoch()`; 0 between inputs.
static STARTED: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    epoch().elapsed().as_millis() as u64 + 1
}

/// Interrupts an input that has run past the deadline, as Ctrl-C would.
fn start_watchdog() {
    std::thread::spawn(|| loop {
        std::thread::sleep(Duration::from_millis(50));
        let started = STARTED.load(Relaxed);
        if started != 0 && now_ms() - started > DEADLINE.as_millis() as u64 {
            interrupt::request(interrupt::SIGINT);
        }
    });
}

fn new_vm() -> Vm {
    let mut options = Options {
        stack_slots: 1 << 20,
        max_frames: 100_000,
        max_heap: MAX_HEAP,
        ..Options::default()
    };
    options.heap.mark_threads = 2;
    let mut vm = Vm::new(options);
    vm.set_output(Box::new(std::io::sink()));
    vm
}

/// One thread, with the compiler's stack, runs every input in a runtime of its own.
fn worker() -> &'static Mutex<Worker> {
    static WORKER: OnceLock<Mutex<Worker>> = OnceLock::new();
    WORKER.get_or_init(|| {
        start_watchdog();
        let (inputs, receive) = channel::<String>();
        let (send, done) = channel();
        std::thread::Builder::new()
            .stack_size(COMPILER_STACK)
            .spawn(move || {
                for text in receive {
                    let mut vm = new_vm();
                    interrupt::clear();
                    STARTED.store(now_ms(), Relaxed);
                    let file = SourceFile::new("<fuzz>", text);
                    let _ = vm.run_file(&file);
                    let _ = vm.flush();
                    STARTED.store(0, Relaxed);
                    send.send(()).expect("the fuzzer waits");
                }
            })
            .expect("the evaluating thread starts");
        Mutex::new(Worker { inputs, done })
    })
}

fuzz_target!(|data: &[u8]| {
    let w = worker().lock().expect("one input at a time");
    w.inputs
        .send(String::from_utf8_lossy(data).into_owned())
        .expect("the evaluating thread runs");
    // A panic on the evaluating thread ends it, and the fuzzer reports the lost reply.
    w.done.recv().expect("the evaluating thread finished the input");
});
