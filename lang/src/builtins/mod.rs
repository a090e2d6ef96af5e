//! The builtin procedures, by area, and the prelude of procedures written in Scheme.
//!
//! A builtin is a Rust function over its arguments. It may allocate, but never calls back
//! into Scheme and never collects: procedures that call procedures (`map`, `for-each`,
//! `assoc` with a predicate, ...) are in the prelude, in Scheme, and `apply` is done by
//! the VM itself.

mod chars;
mod equal;
mod hashing;
mod lists;
pub mod numbers;
mod ports;
pub mod records;
mod strings;
pub mod system;
mod vectors;

use crate::error::{Error, Result};
use crate::store::Store;
use crate::value::Value;

pub type BuiltinFn = fn(&mut Store, &[Value]) -> Result<Value>;

/// Builtins the VM carries out itself.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Special {
    Apply,
    /// `(collect)`: a full collection, which needs the VM's roots.
    Collect,
    /// `(%call/cc f)`: calls `f` with the continuation of the call (`vm::continuation`).
    CallCc,
    /// `(%continue k v)`: returns `v` to continuation `k`, in place of the current one.
    Continue,
    /// `(values x ...)`: for other than one value, checks that the continuation takes
    /// any number (`%call-for-values`) before it returns them in a `%values` record.
    Values,
    /// `(eval expr [environment])`: compiles `expr` and calls it (`vm::eval`).
    Eval,
    /// `(%eval-source n)`: compiles a form that `load` read, and calls it.
    EvalSource,
}

/// A function an embedder registered (`Engine::register`), called in place of `f`.
pub(crate) type HostCall = std::rc::Rc<dyn Fn(&mut Store, &[Value]) -> Result<Value>>;

pub struct Builtin {
    pub name: &'static str,
    pub min_args: usize,
    /// `None`: any number from `min_args` on.
    pub max_args: Option<usize>,
    pub f: BuiltinFn,
    pub special: Option<Special>,
    pub(crate) host: Option<HostCall>,
}

/// A builtin taking `min..=max` arguments (`max` of `None`: any number).
pub(crate) const fn builtin(
    name: &'static str,
    min_args: usize,
    max_args: Option<usize>,
    f: BuiltinFn,
) -> Builtin {
    Builtin {
        name,
        min_args,
        max_args,
        f,
        special: None,
        host: None,
    }
}

pub fn all() -> Vec<Builtin> {
    let mut out = Vec::new();
    out.extend(numbers::builtins());
    out.extend(lists::builtins());
    out.extend(equal::builtins());
    out.extend(chars::builtins());
    out.extend(strings::builtins());
    out.extend(vectors::builtins());
    out.extend(system::builtins());
    out.extend(ports::builtins());
    out.extend(records::builtins());
    out.extend(hashing::builtins());
    out.push(Builtin {
        special: Some(Special::Collect),
        ..builtin("collect", 0, Some(1), |_, _| {
            unreachable!("the VM collects")
        })
    });
    out.push(Builtin {
        special: Some(Special::CallCc),
        ..builtin("%call/cc", 1, Some(1), |_, _| {
            unreachable!("the VM captures continuations")
        })
    });
    out.push(Builtin {
        special: Some(Special::Continue),
        ..builtin("%continue", 2, Some(2), |_, _| {
            unreachable!("the VM reinstates continuations")
        })
    });
    out.push(Builtin {
        special: Some(Special::Eval),
        ..builtin("eval", 1, Some(2), |_, _| unreachable!("the VM evaluates"))
    });
    out.push(Builtin {
        special: Some(Special::EvalSource),
        ..builtin("%eval-source", 1, Some(1), |_, _| {
            unreachable!("the VM evaluates")
        })
    });
    out.push(builtin("%read-source", 1, Some(1), read_source));
    out.push(Builtin {
        special: Some(Special::Values),
        ..builtin("values", 0, None, records::values)
    });
    out.push(Builtin {
        special: Some(Special::Apply),
        ..builtin("apply", 2, None, |_, _| unreachable!("the VM applies"))
    });
    out
}

/// `(%read-source file)`: the forms of a file, read with their source positions and
/// kept for `%eval-source`, as a list of their numbers.
fn read_source(store: &mut Store, a: &[Value]) -> Result<Value> {
    let name = crate::object::string_to_rust(strings::string(a[0]).map_err(|e| e.named("load"))?);
    let text = std::fs::read_to_string(&name)
        .map_err(|e| Error::file(format!("load: cannot read {name}: {e}"), vec![a[0]]))?;
    let file = crate::reader::SourceFile::new(name, text);
    let forms = crate::reader::read_all(&file, store.options.max_read_depth)?;
    let numbers: Vec<Value> = forms
        .into_iter()
        .map(|d| Value::fixnum(store.keep_loaded_form(d) as i64))
        .collect();
    use crate::object::Alloc;
    Ok(store.heap.list(&numbers))
}

/// The builtin table: every builtin's function, by the index its procedure object holds.
pub struct Builtins {
    table: Vec<Builtin>,
}

impl Builtins {
    /// The table of every builtin, each bound in `store` to its procedure object.
    pub fn install(store: &mut Store) -> Builtins {
        let mut builtins = Builtins { table: Vec::new() };
        for b in all() {
            builtins.define(store, b);
        }
        builtins
    }

    /// Adds `b` to the table, and binds its name in `store` to a procedure object.
    pub fn define(&mut self, store: &mut Store, b: Builtin) {
        store.define_builtin(b.name, self.table.len());
        self.table.push(b);
    }

    pub fn get(&self, index: usize) -> &Builtin {
        &self.table[index]
    }

    /// Calls builtin `index` after checking its argument count.
    pub fn call(&self, store: &mut Store, index: usize, args: &[Value]) -> Result<Value> {
        call(&self.table[index], store, args)
    }
}

fn call(b: &Builtin, store: &mut Store, args: &[Value]) -> Result<Value> {
    let n = args.len();
    if n < b.min_args || b.max_args.is_some_and(|max| n > max) {
        let expected = match b.max_args {
            Some(max) if max == b.min_args => format!("{max}"),
            Some(max) => format!("{} to {max}", b.min_args),
            None => format!("at least {}", b.min_args),
        };
        let plural = if expected == "1" { "" } else { "s" };
        return Err(Error::runtime(
            format!("{}: expected {expected} argument{plural}, got {n}", b.name),
            vec![],
        ));
    }
    let result = match &b.host {
        Some(host) => host(store, args),
        None => (b.f)(store, args),
    };
    result.map_err(|e| e.named(b.name))
}

/// An exact non-negative integer argument that fits `usize`.
pub(crate) fn index_arg(v: Value) -> Result<usize> {
    match v.as_fixnum() {
        Some(n) if n >= 0 => Ok(n as usize),
        _ => Err(Error::expected("an exact non-negative integer", v)),
    }
}

/// An index argument below `len`.
#[inline(always)]
pub(crate) fn checked_index(i: Value, len: usize) -> Result<usize> {
    match i.as_fixnum() {
        Some(k) if k >= 0 && (k as usize) < len => Ok(k as usize),
        Some(_) => Err(Error::runtime("index out of range", vec![i]).unnamed()),
        None => Err(Error::expected("an exact integer index", i)),
    }
}

/// The elements of a proper list argument.
pub(crate) fn list_arg(list: Value) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for_each_element(list, |x| out.push(x))?;
    Ok(out)
}

/// Calls `f` on each element of a proper list argument; returns the length. A cyclic
/// list is an error, found by a second cursor moving at half speed (Floyd's algorithm).
pub(crate) fn for_each_element(list: Value, mut f: impl FnMut(Value)) -> Result<usize> {
    let (mut v, mut slow, mut n) = (list, list, 0usize);
    while v.is_pair() {
        f(v.car());
        v = v.cdr();
        n += 1;
        if n % 2 == 0 {
            slow = slow.cdr();
            if slow == v && v.is_pair() {
                return Err(Error::expected("a proper list, not a cyclic one", list));
            }
        }
    }
    if v != Value::NIL {
        return Err(Error::expected("a proper list", list));
    }
    Ok(n)
}

/// Procedures written in Scheme, loaded into every runtime.
pub const PRELUDE: &str = include_str!("prelude.scm");

/// The file name the prelude's source positions carry.
pub const PRELUDE_NAME: &str = "<prelude>";
