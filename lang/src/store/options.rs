//! The settings a program runs with, from flags and the environment.

use rudo_gc::HeapConfig;

use crate::memory;

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
                generational: !matches!(
                    std::env::var("RUDO_GC_GENERATIONAL").as_deref(),
                    Ok("0" | "off")
                ),
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
