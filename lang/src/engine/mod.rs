//! The embedding API: a Scheme to run inside a Rust program.
//!
//! An [`Engine`] evaluates source and files, calls Scheme procedures, and lets Scheme
//! call Rust functions registered with typed arguments. Values cross as Rust values
//! ([`FromScheme`] and [`IntoScheme`] list the conversions) or stay in the heap as
//! [`Root`]s, which keep them alive for as long as Rust holds them. Errors come back as
//! [`SchemeError`]: the message, the source position, and the Scheme backtrace.
//!
//! ```
//! use rudo_lang::engine::{Engine, List};
//!
//! let mut engine = Engine::new();
//! engine.register("scale", |x: f64, k: f64| x * k);
//! let total: f64 = engine.eval("(apply + (map (lambda (x) (scale x 2.0)) '(1 2 3)))")?;
//! assert_eq!(total, 12.0);
//!
//! let square = engine.eval("(lambda (x) (* x x))")?;
//! let nine: i64 = engine.call(&square, (3,))?;
//! assert_eq!(nine, 9);
//!
//! let words: List<String> = engine.eval("(list \"a\" \"b\")")?;
//! assert_eq!(words.0, ["a", "b"]);
//! # Ok::<(), rudo_lang::engine::SchemeError>(())
//! ```
//!
//! Nothing here gives safe code a way to reach a freed object: a [`Root`] is the only
//! handle on a heap value Rust can hold, it is read only through the engine that made
//! it, and every conversion copies.

mod convert;
mod error;
mod host;

use std::path::Path;

pub use convert::{Bytevector, FromScheme, IntoScheme, List};
pub use error::{ErrorKind, SchemeError};
pub use host::{HostFn, HostResult};
pub use rudo_gc::GcStats;

use crate::builtins::{builtin, Builtin};
use crate::error::{Error, Result};
pub use crate::handles::Root;
use crate::reader::SourceFile;
use crate::store::{Options, Store};
use crate::value::Value;
use crate::vm::Vm;

/// A Scheme: its heap, its globals, and the code it has compiled.
pub struct Engine {
    vm: Vm,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    /// An engine with the standard procedures and the default options.
    pub fn new() -> Engine {
        Engine::with_options(Options::default())
    }

    /// An engine with `options`: heap limit, marker threads, frame limit, and so on.
    pub fn with_options(options: Options) -> Engine {
        Engine {
            vm: Vm::new(options),
        }
    }

    /// Evaluates every form of `source`; the value of the last, as `T`.
    ///
    /// ```
    /// # let mut engine = rudo_lang::engine::Engine::new();
    /// engine.eval::<()>("(define (double x) (* 2 x))")?;
    /// assert_eq!(engine.eval::<i64>("(double 21)")?, 42);
    /// # Ok::<(), rudo_lang::engine::SchemeError>(())
    /// ```
    pub fn eval<T: FromScheme>(&mut self, source: &str) -> Result<T, SchemeError> {
        let file = SourceFile::new("<eval>", source);
        let value = self.vm.eval_file(&file);
        self.convert(value)
    }

    /// Reads and evaluates the file at `path`; the value of its last form, as `T`.
    pub fn load<T: FromScheme>(&mut self, path: impl AsRef<Path>) -> Result<T, SchemeError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            SchemeError::from(Error::file(
                format!("cannot read {}: {e}", path.display()),
                vec![],
            ))
        })?;
        let file = SourceFile::new(path.display().to_string(), text);
        let value = self.vm.eval_file(&file);
        self.convert(value)
    }

    /// Calls the procedure `f` with `args`, a tuple of values that convert to Scheme;
    /// its result as `T`.
    pub fn call<T: FromScheme>(&mut self, f: &Root, args: impl IntoArgs) -> Result<T, SchemeError> {
        let f = self.vm.store.handles.get(f);
        let args = args.into_args(&mut self.vm.store);
        let value = self.vm.apply(f, &args);
        self.convert(value)
    }

    /// The value of the global variable `name`, as `T`; `None` when it is unbound.
    pub fn global<T: FromScheme>(&mut self, name: &str) -> Option<Result<T, SchemeError>> {
        let v = self.vm.store.global(name)?;
        Some(self.convert(Ok(v)))
    }

    /// Defines (or redefines) the global variable `name` as `value`.
    pub fn define(&mut self, name: &str, value: impl IntoScheme) {
        let v = value.into_scheme(&mut self.vm.store);
        let sym = self.vm.store.intern(name);
        let cell = self.vm.store.global_cell(sym);
        cell.set_field(crate::object::CELL_VALUE, v);
        self.vm.session.mark_redefined(name);
    }

    /// Makes the Rust function `f` a Scheme procedure named `name`. Its arguments are
    /// checked and converted at each call: a wrong count or type is a Scheme error, as
    /// is an `Err` it returns, and a Scheme handler can catch either.
    ///
    /// ```
    /// # let mut engine = rudo_lang::engine::Engine::new();
    /// engine.register("checked-sqrt", |x: f64| {
    ///     if x < 0.0 { Err(format!("{x} is negative")) } else { Ok(x.sqrt()) }
    /// });
    /// assert_eq!(engine.eval::<f64>("(checked-sqrt 16)")?, 4.0);
    /// let caught: String = engine.eval(
    ///     "(guard (e (#t (error-object-message e))) (checked-sqrt -1))")?;
    /// assert_eq!(caught, "checked-sqrt: -1 is negative");
    /// # Ok::<(), rudo_lang::engine::SchemeError>(())
    /// ```
    pub fn register<Args, F: HostFn<Args>>(&mut self, name: &str, f: F) {
        // The builtin table names its entries with the names of symbols, which the
        // symbol table keeps for as long as the engine lives.
        let sym = self.vm.store.intern(name);
        let name = crate::object::symbol_name(sym);
        let call = move |store: &mut Store, args: &[Value]| f.call(name, store, args);
        self.vm.builtins.define(
            &mut self.vm.store,
            Builtin {
                host: Some(std::rc::Rc::new(call)),
                ..builtin(name, F::ARITY, Some(F::ARITY), |_, _| {
                    unreachable!("a host function is called through its closure")
                })
            },
        );
        self.vm.session.mark_redefined(name);
    }

    /// The value `root` holds, as `T`.
    ///
    /// # Panics
    /// If another engine made `root`.
    pub fn get<T: FromScheme>(&mut self, root: &Root) -> Result<T, SchemeError> {
        let v = self.vm.store.handles.get(root);
        self.convert(Ok(v))
    }

    /// How `write` shows the value `root` holds.
    pub fn write_string(&self, root: &Root) -> String {
        crate::printer::to_string(
            self.vm.store.handles.get(root),
            crate::printer::Style::Write,
        )
    }

    /// Runs a full collection now.
    pub fn collect(&mut self) {
        let top = crate::bytecode::Proto::default();
        self.vm.collect(&top, rudo_gc::CollectionKind::Major);
    }

    /// The collector's statistics: collections, pauses, heap size, live bytes.
    pub fn stats(&self) -> GcStats {
        self.vm.store.heap.stats()
    }

    /// Sends what Scheme writes to its standard output to `out` instead.
    pub fn set_output(&mut self, out: Box<dyn std::io::Write>) {
        self.vm.set_output(out);
    }

    /// Writes out what Scheme's standard output and file ports hold.
    pub fn flush(&mut self) -> Result<(), SchemeError> {
        self.vm.flush().map_err(SchemeError::from)
    }

    fn convert<T: FromScheme>(&mut self, value: Result<Value>) -> Result<T, SchemeError> {
        let v = value?;
        T::from_scheme(v, &mut self.vm.store)
            .ok_or_else(|| Error::wrong_type("result", T::EXPECTED, v).into())
    }
}

/// Arguments for [`Engine::call`]: a tuple of values that convert to Scheme, or a slice
/// or vector of [`Root`]s.
pub trait IntoArgs {
    #[doc(hidden)]
    fn into_args(self, store: &mut Store) -> Vec<Value>;
}

impl IntoArgs for &[Root] {
    fn into_args(self, store: &mut Store) -> Vec<Value> {
        self.iter().map(|r| store.handles.get(r)).collect()
    }
}

impl IntoArgs for Vec<Root> {
    fn into_args(self, store: &mut Store) -> Vec<Value> {
        self.as_slice().into_args(store)
    }
}

macro_rules! tuple_args {
    ($($arg:ident),*) => {
        impl<$($arg: IntoScheme),*> IntoArgs for ($($arg,)*) {
            #[allow(non_snake_case, unused_variables)]
            fn into_args(self, store: &mut Store) -> Vec<Value> {
                let ($($arg,)*) = self;
                vec![$($arg.into_scheme(store)),*]
            }
        }
    };
}

tuple_args!();
tuple_args!(A);
tuple_args!(A, B);
tuple_args!(A, B, C);
tuple_args!(A, B, C, D);
tuple_args!(A, B, C, D, E);
tuple_args!(A, B, C, D, E, G);
