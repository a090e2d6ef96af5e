//! rudo-gc: a non-moving, generational mark/sweep collector with BiBOP pages and mark
//! bitmaps.
//!
//! The collector knows values only as tagged 64-bit [`Word`]s: a word is a pointer to a
//! pair, a pointer to an object that starts with a [`Header`], or something the collector
//! does not trace. It never needs a callback to trace an object.
//!
//! See `ARCHITECTURE.md` at the repository root for the bird's-eye view.

mod alloc;
mod barrier;
mod generations;
mod guardian;
mod heap;
mod mark;
mod os;
mod page;
mod pool;
mod roots;
mod size_class;
mod stats;
mod sweep;
mod sync;
mod verify;
mod word;

pub use barrier::{is_old, write_barrier};
pub use generations::CollectionKind;
pub use heap::{
    default_mark_threads, Heap, HeapConfig, MAX_MARK_THREADS, SCATTERED_OBJECTS_PER_RUN,
};
pub use page::PAGE_SIZE;
pub use roots::{RootSet, RootVisitor};
pub use stats::{CollectionStats, GcStats, PageCounts, Pauses};
pub use verify::{VerifyError, VerifyReport};
pub use word::{Header, Word, BROKEN_SUBTAG, EMBEDDER_TAG, MAX_OBJECT_WORDS};
