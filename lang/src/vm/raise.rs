//! Errors as Scheme exceptions.
//!
//! An error that a builtin or the VM signals is a Rust `Error` until it reaches the
//! instruction loop. There, if the program has installed an exception handler
//! (`with-exception-handler`, `guard`), it becomes a Scheme object, an *error object*
//! for errors and the raised object itself for `raise`, and the loop calls the
//! prelude's `%raise` with it, which runs the handlers (R7RS 6.11). Otherwise it leaves
//! the loop as it is and is reported at the top level.
//!
//! An error object is a record of the prelude's `%error-object` type:
//! `[kind, message, irritants, site]`. The site numbers an entry of [`ErrorSites`], where
//! the error's source position and backtrace wait in case a handler re-raises it and
//! nothing catches it: the report then shows where it was first raised.

use super::{Proto, Vm};
use crate::error::{Error, ErrorKind};
use crate::object::CELL_VALUE;
use crate::object::{string_to_rust, Alloc};
use crate::reader::Span;
use crate::store::Store;
use crate::value::{Kind, Value};

/// Global cells of the prelude's that the VM reads and writes.
pub(super) struct Hooks {
    /// `%handlers`: the installed exception handlers, innermost first.
    handlers: Value,
    /// `%raise`: delivers a raised object to the handlers.
    raise: Value,
    /// `%error-object`: the record type of error objects.
    error_type: Value,
    /// `%winders`: the `dynamic-wind` extents the program is in.
    winders: Value,
    /// `%values`: the record type that carries other than one value.
    values_type: Value,
}

impl Hooks {
    /// The cells, made now (unbound) if the prelude has not defined them yet. Global
    /// cells are roots for as long as the store lives, so holding them here is safe.
    pub(super) fn new(store: &mut Store) -> Hooks {
        let mut cell = |name: &str| {
            let sym = store.intern(name);
            store.global_cell(sym)
        };
        Hooks {
            handlers: cell("%handlers"),
            raise: cell("%raise"),
            error_type: cell("%error-object"),
            winders: cell("%winders"),
            values_type: cell("%values"),
        }
    }

    /// Forgets every `dynamic-wind` extent, after an error has left them all for the
    /// top level.
    pub(super) fn forget_extents(&self) {
        if self.winders.field(CELL_VALUE) != Value::UNDEFINED {
            self.winders.set_field(CELL_VALUE, Value::NIL);
        }
    }

    pub(super) fn reset_handlers(&self) {
        if self.handlers.field(CELL_VALUE) != Value::UNDEFINED {
            self.handlers.set_field(CELL_VALUE, Value::NIL);
        }
    }

    /// Whether the program is inside some `dynamic-wind` extent.
    pub(super) fn in_dynamic_extent(&self) -> bool {
        self.winders.field(CELL_VALUE).is_pair()
    }

    fn is_error_object(&self, v: Value) -> bool {
        v.is(Kind::Record) && v.field(0) == self.error_type.field(CELL_VALUE)
    }

    /// Whether `v` carries other than one value (`values`).
    pub(super) fn is_values(&self, v: Value) -> bool {
        v.is(Kind::Record) && v.field(0) == self.values_type.field(CELL_VALUE)
    }

    /// The record type of multiple values.
    pub(super) fn values_type(&self) -> Value {
        self.values_type.field(CELL_VALUE)
    }
}

/// Error object fields, after the record type.
const KIND: usize = 1;
const MESSAGE: usize = 2;
const IRRITANTS: usize = 3;
const SITE: usize = 4;

/// Where the most recent errors were raised, in a ring: an error object that is
/// re-raised long after many others were made is reported without its position.
#[derive(Default)]
pub(super) struct ErrorSites {
    next: u64,
    ring: Vec<(u64, Option<Span>, Vec<String>)>,
}

const SITES_KEPT: usize = 64;

impl ErrorSites {
    fn record(&mut self, span: Option<Span>, backtrace: Vec<String>) -> u64 {
        let serial = self.next;
        self.next += 1;
        let entry = (serial, span, backtrace);
        if self.ring.len() < SITES_KEPT {
            self.ring.push(entry);
        } else {
            self.ring[serial as usize % SITES_KEPT] = entry;
        }
        serial
    }

    fn get(&self, serial: u64) -> Option<&(u64, Option<Span>, Vec<String>)> {
        self.ring
            .get(serial as usize % SITES_KEPT)
            .filter(|(s, _, _)| *s == serial)
    }
}

impl Vm {
    /// The handler call that `e` becomes, `(%raise payload)` as the procedure and its
    /// argument; or `e` itself, ready to report, when no handler may take it.
    /// The call that an error raised at `pc` in `code` becomes: `scheme_handler` of the
    /// error with its position. The error leaves the interpreter loop when no handler
    /// takes it.
    #[cold]
    #[inline(never)]
    pub(super) fn handler_call(
        &mut self,
        e: Error,
        code: &Proto,
        pc: usize,
    ) -> Result<(Value, Value), Error> {
        let error = self.locate(e, code, pc);
        self.scheme_handler(error)
    }

    fn scheme_handler(&mut self, e: Error) -> Result<(Value, Value), Error> {
        let raise = self.hooks.raise.field(CELL_VALUE);
        if !e.is_catchable()
            || !self.hooks.handlers.field(CELL_VALUE).is_pair()
            || !raise.is(Kind::Closure)
        {
            return Err(self.original_error(e));
        }
        let payload = match e.payload.as_deref() {
            Some(&obj) => obj,
            None => self.error_object(e),
        };
        Ok((raise, payload))
    }

    fn error_object(&mut self, e: Error) -> Value {
        let kind = match e.kind {
            ErrorKind::Read => "read",
            ErrorKind::File => "file",
            ErrorKind::Syntax => "syntax",
            _ => "error",
        };
        let site = self.error_sites.record(e.span, e.backtrace);
        let store = &mut self.store;
        let fields = [
            self.hooks.error_type.field(CELL_VALUE),
            store.intern(kind),
            store.heap.string(&e.message),
            store.heap.list(&e.irritants),
            Value::fixnum(site as i64),
        ];
        let obj = store
            .heap
            .object(Kind::Record, fields.len(), fields.len(), Value::FALSE);
        for (i, v) in fields.into_iter().enumerate() {
            obj.init_field(i, v);
        }
        obj
    }

    /// The error an uncaught `(raise obj)` reports: the error `obj` was made from, when
    /// it is an error object, with the position and backtrace of its first raising.
    fn original_error(&self, e: Error) -> Error {
        let Some(obj) = e
            .payload
            .as_deref()
            .copied()
            .filter(|&p| self.hooks.is_error_object(p))
        else {
            return e;
        };
        let kind = match crate::object::symbol_name(obj.field(KIND)) {
            "read" => ErrorKind::Read,
            "file" => ErrorKind::File,
            "syntax" => ErrorKind::Syntax,
            _ => ErrorKind::Runtime,
        };
        let message = obj.field(MESSAGE);
        let mut irritants = Vec::new();
        let mut l = obj.field(IRRITANTS);
        while l.is_pair() {
            irritants.push(l.car());
            l = l.cdr();
        }
        let site = obj
            .field(SITE)
            .as_fixnum()
            .and_then(|s| self.error_sites.get(s as u64));
        let (span, backtrace) = match site {
            Some((_, span, backtrace)) => (span.clone(), backtrace.clone()),
            None => (e.span, e.backtrace),
        };
        let message = if message.is(Kind::String) {
            string_to_rust(message)
        } else {
            String::new()
        };
        Error {
            irritants,
            span,
            backtrace,
            ..Error::new(kind, message)
        }
    }
}
