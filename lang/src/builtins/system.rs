//! Output, errors, the program's context, and the collector's interface.

use std::collections::VecDeque;

use super::strings::string;
use super::{builtin, Builtin};
use crate::error::{Error, ErrorKind, Result};
use crate::object::{string_to_rust, Alloc};
use crate::printer::{print, Style};
use crate::store::Store;
use crate::value::{Kind, Value};

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("error", 1, None, error),
        builtin("raise", 1, Some(1), |_, a| Err(Error::raise(a[0]))),
        builtin("current-second", 0, Some(0), |store, _| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            Ok(store.number(crate::number::Number::Real(now)))
        }),
        builtin("current-jiffy", 0, Some(0), |_, _| {
            let since_start = process_start().elapsed().as_micros();
            Ok(Value::fixnum(since_start as i64))
        }),
        builtin("jiffies-per-second", 0, Some(0), |_, _| {
            Ok(Value::fixnum(1_000_000))
        }),
        builtin("sweep-pending", 1, Some(1), |store, a| {
            let pages = super::index_arg(a[0])?;
            let swept = store.heap.sweep_pending(pages);
            Ok(Value::fixnum(swept as i64))
        }),
        builtin("pending-sweep-pages", 0, Some(0), |store, _| {
            Ok(Value::fixnum(store.heap.pending_sweep_pages() as i64))
        }),
        builtin("%exit", 0, Some(1), |_, a| {
            let code = match a.first() {
                None | Some(&Value::TRUE) => 0,
                Some(&Value::FALSE) => 1,
                Some(&v) => v.as_fixnum().map_or(1, |n| n as i32),
            };
            Err(Error::new(ErrorKind::Exit(code), "exit"))
        }),
        builtin("features", 0, Some(0), |store, _| {
            let names: Vec<Value> = crate::compiler::FEATURES
                .iter()
                .map(|f| store.intern(f))
                .collect();
            Ok(store.heap.list(&names))
        }),
        builtin("get-environment-variable", 1, Some(1), |store, a| {
            let name = string_to_rust(string(a[0])?);
            Ok(match std::env::var(name) {
                Ok(value) => store.heap.string(&value),
                Err(_) => Value::FALSE,
            })
        }),
        builtin("get-environment-variables", 0, Some(0), |store, _| {
            let mut entries = Vec::new();
            for (name, value) in std::env::vars() {
                let (k, v) = (store.heap.string(&name), store.heap.string(&value));
                entries.push(store.heap.cons(k, v));
            }
            Ok(store.heap.list(&entries))
        }),
        builtin("file-exists?", 1, Some(1), |_, a| {
            let path = string_to_rust(string(a[0])?);
            Ok(Value::bool(std::path::Path::new(&path).exists()))
        }),
        builtin("delete-file", 1, Some(1), |_, a| {
            let path = string_to_rust(string(a[0])?);
            std::fs::remove_file(&path)
                .map_err(|e| Error::file(format!("cannot delete {path:?}: {e}"), vec![a[0]]))?;
            Ok(Value::UNSPECIFIED)
        }),
        builtin("command-line", 0, Some(0), |store, _| {
            let args: Vec<String> = store.command_line.clone();
            let strings: Vec<Value> = args.iter().map(|s| store.heap.string(s)).collect();
            Ok(store.heap.list(&strings))
        }),
        builtin("void", 0, None, |_, _| Ok(Value::UNSPECIFIED)),
        builtin("gc-stats", 0, Some(0), gc_stats),
        builtin("make-weak-pair", 2, Some(2), |store, a| {
            Ok(Value(store.heap.alloc_weak_pair(a[0].word(), a[1].word())))
        }),
        builtin("weak-cons", 2, Some(2), |store, a| {
            Ok(Value(store.heap.alloc_weak_pair(a[0].word(), a[1].word())))
        }),
        builtin("weak-pair?", 1, Some(1), |store, a| {
            // SAFETY: a pair value is a live pair of the heap (the rooting invariant).
            Ok(Value::bool(
                a[0].is_pair() && unsafe { store.heap.is_weak_pair(a[0].word()) },
            ))
        }),
        builtin("%new-guardian", 0, Some(0), |store, _| {
            Ok(Value::fixnum(store.new_guardian() as i64))
        }),
        builtin("%guard", 2, Some(2), |store, a| {
            let token = super::index_arg(a[1])? as u64;
            // SAFETY: a pointer value is a live object of the heap (the rooting invariant).
            unsafe { store.heap.guard(a[0].word(), token) };
            Ok(Value::UNSPECIFIED)
        }),
        builtin("%guardian-next", 1, Some(1), |store, a| {
            let token = super::index_arg(a[0])? as u64;
            let next = store
                .guardian_ready
                .get_mut(&token)
                .and_then(VecDeque::pop_front);
            Ok(next.unwrap_or(Value::FALSE))
        }),
        builtin("bwp-object?", 1, Some(1), |_, a| {
            Ok(Value::bool(a[0] == Value::BROKEN))
        }),
    ]
}

/// `(error message irritant ...)`; `(error 'who "message" ...)` names the procedure.
fn error(_: &mut Store, a: &[Value]) -> Result<Value> {
    let text = |v: Value| match v.is(Kind::String) {
        true => string_to_rust(v),
        false => crate::printer::to_string(v, Style::Display),
    };
    match a {
        [who, message, irritants @ ..] if who.is(Kind::Symbol) && message.is(Kind::String) => {
            Err(Error::runtime(
                format!("{}: {}", text(*who), text(*message)),
                irritants.to_vec(),
            ))
        }
        [message, irritants @ ..] => Err(Error::runtime(text(*message), irritants.to_vec())),
        [] => unreachable!("arity checked"),
    }
}

/// The instant jiffies count from: the first time anything asks.
fn process_start() -> std::time::Instant {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *START.get_or_init(std::time::Instant::now)
}

/// `(gc-stats)`: the collector's statistics as an association list.
fn gc_stats(store: &mut Store, _: &[Value]) -> Result<Value> {
    let s = store.heap.stats();
    let last = s.last.unwrap_or_default();
    let us = |d: std::time::Duration| d.as_micros() as i64;
    let entries: Vec<(&str, i64)> = vec![
        ("collections", s.collections as i64),
        ("heap-bytes", s.heap_bytes as i64),
        ("live-bytes", s.live_bytes as i64),
        ("allocated-bytes", s.allocated_bytes as i64),
        ("pause-max-us", us(s.pause_max)),
        ("pause-p50-us", us(s.pause_p50)),
        ("pause-p95-us", us(s.pause_p95)),
        ("pause-p99-us", us(s.pause_p99)),
        ("generational", i64::from(store.heap.generational())),
        ("minor-collections", s.minor.count as i64),
        ("minor-pause-p50-us", us(s.minor.p50)),
        ("minor-pause-p95-us", us(s.minor.p95)),
        ("minor-pause-max-us", us(s.minor.max)),
        ("minor-total-us", us(s.minor.total)),
        ("major-collections", s.major.count as i64),
        ("major-pause-p50-us", us(s.major.p50)),
        ("major-pause-p95-us", us(s.major.p95)),
        ("major-pause-max-us", us(s.major.max)),
        ("major-total-us", us(s.major.total)),
        (
            "remembered-per-minor",
            (s.remembered_total / s.minor.count.max(1)) as i64,
        ),
        ("promoted-bytes", s.promoted_bytes as i64),
        ("mark-total-us", us(s.mark_total)),
        ("sweep-total-us", us(s.sweep_total)),
        ("mark-threads", s.mark_threads as i64),
        ("peak-mark-stack", s.peak_mark_stack as i64),
        (
            "last-minor",
            i64::from(last.kind == rudo_gc::CollectionKind::Minor),
        ),
        ("last-remembered", last.remembered as i64),
        ("last-mark-threads", last.mark_threads as i64),
        ("last-pages-owned", i64::from(last.pages_owned)),
        ("last-mark-us", us(last.mark)),
        ("last-chunks-shared", last.chunks_shared as i64),
        ("last-batches-sent", last.batches_sent as i64),
        (
            "last-objects-per-page-run",
            last.objects_per_page_run().round() as i64,
        ),
        ("lazy-sweep-steps", s.lazy_sweep_steps as i64),
        ("sweep-step-max-us", us(s.sweep_step_max)),
        ("sweep-step-p99-us", us(s.sweep_step_p99)),
        ("pages-swept-lazily", s.pages_swept_lazily as i64),
        ("pending-sweep-pages", s.pending_sweep_pages as i64),
        ("pages-pair", s.pages.pair as i64),
        ("pages-object", s.pages.object as i64),
        ("pages-large", s.pages.large as i64),
        ("pages-pooled", s.pages.pooled as i64),
    ];
    let mut pairs = Vec::new();
    for (key, n) in entries {
        let k = store.intern(key);
        let v = store.number(crate::number::Number::from_i128(n as i128));
        pairs.push(store.heap.cons(k, v));
    }
    // Objects each marker of the last collection marked, as a list.
    let by_marker: Vec<Value> = last.marked_objects_by_marker[..last.mark_threads]
        .iter()
        .map(|&n| Value::fixnum(n as i64))
        .collect();
    let k = store.intern("last-marked-by-marker");
    let v = store.heap.list(&by_marker);
    pairs.push(store.heap.cons(k, v));
    Ok(store.heap.list(&pairs))
}

/// The `key: value` lines of `(gc-stats)`, for `--gc-stats`.
pub fn gc_stats_report(store: &mut Store) -> String {
    let alist = gc_stats(store, &[]).unwrap_or(Value::NIL);
    let mut out = String::new();
    let mut l = alist;
    while l.is_pair() {
        let entry = l.car();
        print(entry.car(), Style::Display, &mut out);
        out.push_str(": ");
        print(entry.cdr(), Style::Display, &mut out);
        out.push('\n');
        l = l.cdr();
    }
    out
}
