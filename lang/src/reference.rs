//! The reference evaluator: a plain interpreter of the expanded core language, the
//! second opinion the differential tester holds the compiler and VM against.
//!
//! It shares the reader, the expander, the builtins and the prelude's source with the
//! VM, and nothing after them: no code generation, no frame slots, no boxes chosen by
//! analysis, no inline primitives, no superinstructions. Every variable is a cell in a
//! chain of environments; every continuation is a chain of frames on the Rust heap, so
//! `call/cc` captures one pointer, re-entry is as cheap, and deep recursion grows the
//! chain, not the Rust stack. It is as slow as that sounds, and only meant to be right.
//!
//! Values are the heap's, and the interpreter never collects: nothing it holds in Rust
//! is a root, so the heap only grows while it runs. Procedures it makes are closure
//! objects whose only word indexes its own table; they never reach the VM.

use std::cell::RefCell;
use std::rc::Rc;

use crate::builtins::{self, Builtins, Special};
use crate::compiler::{expand_all, Expr, Lambda, Session, VarId};
use crate::error::{Error, ErrorKind, Result};
use crate::object::Alloc;
use crate::object::CELL_VALUE;
use crate::reader::{read_all, SourceFile};
use crate::store::{Options, Store};
use crate::value::{Kind, Value};

/// One variable binding of an environment chain.
struct Binding {
    var: VarId,
    value: RefCell<Value>,
    next: Env,
}

type Env = Option<Rc<Binding>>;

fn lookup(env: &Env, var: VarId) -> &RefCell<Value> {
    let mut at = env;
    while let Some(b) = at {
        if b.var == var {
            return &b.value;
        }
        at = &b.next;
    }
    unreachable!("the expander bound variable {var}")
}

fn bind(env: &Env, var: VarId, value: Value) -> Env {
    Some(Rc::new(Binding {
        var,
        value: RefCell::new(value),
        next: env.clone(),
    }))
}

/// What a continuation frame does with the value it receives.
enum Frame<'p> {
    If(&'p Expr, &'p Expr, Env),
    /// The expressions of a sequence still to run.
    Seq(&'p [Expr], Env),
    SetLocal(VarId, Env),
    SetGlobal(Value),
    DefineGlobal(Value),
    /// A call's operator and arguments so far, and those still to evaluate.
    Args(Vec<Value>, &'p [Expr], Env),
    /// A primitive's arguments so far, and those still to evaluate.
    PrimArgs(&'static str, Vec<Value>, &'p [Expr], Env),
    /// A `let`'s values so far, the bindings still to evaluate, and its body.
    Let(Vec<Value>, &'p [(VarId, Expr)], &'p Expr, Env),
    /// The return point of `%call-for-values`, which takes any number of values.
    TakesValues,
}

struct Node<'p> {
    frame: Frame<'p>,
    next: Kont<'p>,
}

/// A continuation: frames, innermost first, shared between captures.
type Kont<'p> = Option<Rc<Node<'p>>>;

/// Unlinks a long chain one node at a time: dropping it recursively would take a Rust
/// frame per Scheme frame.
fn drop_chain(mut k: Kont<'_>) {
    while let Some(node) = k {
        k = match Rc::try_unwrap(node) {
            Ok(mut node) => node.next.take(),
            Err(_) => None,
        };
    }
}

impl Drop for Node<'_> {
    fn drop(&mut self) {
        drop_chain(self.next.take());
    }
}

/// Whether `k` takes any number of values: it discards its value (the rest of a
/// sequence), or it is the return point of `%call-for-values`, or the top level.
fn takes_any_values(k: &Kont<'_>) -> bool {
    k.as_ref()
        .is_none_or(|node| matches!(node.frame, Frame::Seq(..) | Frame::TakesValues))
}

enum Callable<'p> {
    Closure(&'p Lambda, Env),
    Continuation(Kont<'p>),
}

/// What the machine does next.
enum State<'p> {
    Eval(&'p Expr, Env),
    Return(Value),
}

struct Machine<'p, 'r> {
    store: &'r mut Store,
    builtins: &'r Builtins,
    callables: Vec<Callable<'p>>,
}

impl<'p> Machine<'p, '_> {
    fn callable(&mut self, c: Callable<'p>) -> Value {
        let v = self.store.heap.object(Kind::Closure, 1, 0, Value::FALSE);
        v.set_raw(0, self.callables.len() as u64);
        self.callables.push(c);
        v
    }

    /// Runs `e` to its value.
    fn run(&mut self, e: &'p Expr) -> Result<Value> {
        let mut k: Kont<'p> = None;
        let mut state = State::Eval(e, None);
        loop {
            state = match state {
                State::Return(v) if k.is_none() => return Ok(v),
                s => self.step(s, &mut k)?,
            };
        }
    }

    /// One step of the machine: an expression evaluated as far as its first part, or a
    /// value given to the innermost frame.
    fn step(&mut self, state: State<'p>, k: &mut Kont<'p>) -> Result<State<'p>> {
        let stepped = match state {
            State::Eval(e, env) => self.eval(e, env, k),
            State::Return(v) => {
                let node = k.take().expect("a frame to return to");
                *k = node.next.clone();
                self.resume(&node.frame, v, k)
            }
        };
        match stepped {
            Ok(s) => Ok(s),
            Err(err) => self.raise(err, k),
        }
    }

    fn push(k: &mut Kont<'p>, frame: Frame<'p>) {
        *k = Some(Rc::new(Node {
            frame,
            next: k.take(),
        }));
    }

    fn eval(&mut self, e: &'p Expr, env: Env, k: &mut Kont<'p>) -> Result<State<'p>> {
        Ok(match e {
            Expr::Const(v) => State::Return(*v),
            Expr::Local(var) => {
                let v = *lookup(&env, *var).borrow();
                if v == Value::UNDEFINED {
                    return Err(Error::runtime(
                        "variable used before its definition",
                        vec![],
                    ));
                }
                State::Return(v)
            }
            Expr::Global(sym, _) => {
                let v = self.store.global_cell(*sym).field(CELL_VALUE);
                if v == Value::UNDEFINED {
                    return Err(unbound(*sym));
                }
                State::Return(v)
            }
            Expr::SetLocal(var, value) => {
                Self::push(k, Frame::SetLocal(*var, env.clone()));
                State::Eval(value, env)
            }
            Expr::SetGlobal(sym, value, _) => {
                Self::push(k, Frame::SetGlobal(*sym));
                State::Eval(value, env)
            }
            Expr::DefineGlobal(sym, value) => {
                Self::push(k, Frame::DefineGlobal(*sym));
                State::Eval(value, env)
            }
            Expr::If(test, then, otherwise) => {
                Self::push(k, Frame::If(then, otherwise, env.clone()));
                State::Eval(test, env)
            }
            Expr::Lambda(lambda) => State::Return(self.callable(Callable::Closure(lambda, env))),
            Expr::Seq(exprs) => {
                if exprs.len() > 1 {
                    Self::push(k, Frame::Seq(&exprs[1..], env.clone()));
                }
                State::Eval(&exprs[0], env)
            }
            Expr::Call(f, args, _) => {
                Self::push(k, Frame::Args(Vec::new(), args, env.clone()));
                State::Eval(f, env)
            }
            Expr::Prim(prim, args, _) => {
                Self::push(
                    k,
                    Frame::PrimArgs(prim.name(), Vec::new(), &args[1..], env.clone()),
                );
                State::Eval(&args[0], env)
            }
            Expr::CallForValues(thunk, _) => {
                Self::push(k, Frame::TakesValues);
                Self::push(k, Frame::Args(Vec::new(), &[], env.clone()));
                State::Eval(thunk, env)
            }
            Expr::Let(bindings, body) => match bindings.first() {
                None => State::Eval(body, env),
                Some((_, init)) => {
                    Self::push(k, Frame::Let(Vec::new(), bindings, body, env.clone()));
                    State::Eval(init, env)
                }
            },
        })
    }

    /// Gives `v` to `frame`, whose continuation is now `k`.
    fn resume(&mut self, frame: &Frame<'p>, v: Value, k: &mut Kont<'p>) -> Result<State<'p>> {
        Ok(match frame {
            Frame::If(then, otherwise, env) => State::Eval(
                if v != Value::FALSE { then } else { otherwise },
                env.clone(),
            ),
            Frame::Seq(rest, env) => {
                if rest.len() > 1 {
                    Self::push(k, Frame::Seq(&rest[1..], env.clone()));
                }
                State::Eval(&rest[0], env.clone())
            }
            Frame::SetLocal(var, env) => {
                *lookup(env, *var).borrow_mut() = v;
                State::Return(Value::UNSPECIFIED)
            }
            Frame::SetGlobal(sym) => {
                let cell = self.store.global_cell(*sym);
                if cell.field(CELL_VALUE) == Value::UNDEFINED {
                    return Err(unbound(*sym));
                }
                cell.set_field(CELL_VALUE, v);
                State::Return(Value::UNSPECIFIED)
            }
            Frame::DefineGlobal(sym) => {
                self.store.global_cell(*sym).set_field(CELL_VALUE, v);
                State::Return(Value::UNSPECIFIED)
            }
            Frame::Args(done, rest, env) => {
                let mut done = done.clone();
                done.push(v);
                match rest.split_first() {
                    Some((next, rest)) => {
                        Self::push(k, Frame::Args(done, rest, env.clone()));
                        State::Eval(next, env.clone())
                    }
                    None => self.apply(done[0], done[1..].to_vec(), k)?,
                }
            }
            Frame::PrimArgs(name, done, rest, env) => {
                let mut done = done.clone();
                done.push(v);
                match rest.split_first() {
                    Some((next, rest)) => {
                        Self::push(k, Frame::PrimArgs(name, done, rest, env.clone()));
                        State::Eval(next, env.clone())
                    }
                    None => {
                        let index = self.store.builtin_index(name);
                        State::Return(self.builtins.call(self.store, index, &done)?)
                    }
                }
            }
            Frame::TakesValues => State::Return(v),
            Frame::Let(done, bindings, body, env) => {
                let mut done = done.clone();
                done.push(v);
                if done.len() < bindings.len() {
                    let init = &bindings[done.len()].1;
                    Self::push(k, Frame::Let(done, bindings, body, env.clone()));
                    State::Eval(init, env.clone())
                } else {
                    let mut inner = env.clone();
                    for ((var, _), v) in bindings.iter().zip(done) {
                        inner = bind(&inner, *var, v);
                    }
                    State::Eval(body, inner)
                }
            }
        })
    }

    fn apply(&mut self, f: Value, mut args: Vec<Value>, k: &mut Kont<'p>) -> Result<State<'p>> {
        if f.is(Kind::Primitive) {
            let index = f.raw(0) as usize;
            return match self.builtins.get(index).special {
                Some(Special::Apply) => {
                    let (Some(list), Some(_)) = (args.pop(), args.first()) else {
                        return Err(Error::runtime(
                            "apply: expected a procedure and arguments",
                            vec![],
                        ));
                    };
                    let mut rest = list;
                    while rest.is_pair() {
                        args.push(rest.car());
                        rest = rest.cdr();
                    }
                    if rest != Value::NIL {
                        return Err(Error::wrong_type(
                            "apply",
                            "a proper list as the last argument",
                            list,
                        ));
                    }
                    let f = args.remove(0);
                    self.apply(f, args, k)
                }
                Some(Special::CallCc) if args.len() == 1 => {
                    let cont = self.callable(Callable::Continuation(k.clone()));
                    self.apply(args[0], vec![cont], k)
                }
                Some(Special::Continue) if args.len() == 2 => {
                    let target = self.continuation(args[0])?;
                    if let Some(values) = builtins::records::multiple_values(args[1]) {
                        if !takes_any_values(&target) {
                            return Err(Error::value_count(values.len()));
                        }
                    }
                    *k = target;
                    Ok(State::Return(args[1]))
                }
                Some(Special::Values) if args.len() != 1 && !takes_any_values(k) => {
                    Err(Error::value_count(args.len()))
                }
                Some(Special::Collect) => {
                    crate::vm::collection_kind(&args)?;
                    Ok(State::Return(Value::UNSPECIFIED))
                }
                Some(Special::Eval | Special::EvalSource) => Err(Error::runtime(
                    "the reference evaluator does not evaluate at run time",
                    vec![],
                )),
                _ => Ok(State::Return(self.builtins.call(self.store, index, &args)?)),
            };
        }
        let Some(Callable::Closure(lambda, env)) = self.callable_of(f) else {
            return Err(Error::runtime("not a procedure", vec![f]));
        };
        let (lambda, mut env): (&'p Lambda, Env) = (lambda, env.clone());
        let n = lambda.params.len();
        if args.len() < n || (args.len() > n && lambda.rest.is_none()) {
            let expected = match lambda.rest {
                Some(_) => format!("at least {n}"),
                None => n.to_string(),
            };
            let plural = if expected == "1" { "" } else { "s" };
            let name = lambda.name.as_deref().unwrap_or("anonymous procedure");
            return Err(Error::runtime(
                format!(
                    "{name}: expected {expected} argument{plural}, got {}",
                    args.len()
                ),
                vec![],
            ));
        }
        for (&p, &a) in lambda.params.iter().zip(&args) {
            env = bind(&env, p, a);
        }
        if let Some(rest) = lambda.rest {
            let list = self.store.heap.list(&args[n..]);
            env = bind(&env, rest, list);
        }
        Ok(State::Eval(&lambda.body, env))
    }

    fn callable_of(&self, f: Value) -> Option<&Callable<'p>> {
        if !f.is(Kind::Closure) {
            return None;
        }
        self.callables.get(f.raw(0) as usize)
    }

    fn continuation(&self, k: Value) -> Result<Kont<'p>> {
        match self.callable_of(k) {
            Some(Callable::Continuation(target)) => Ok(target.clone()),
            _ => Err(Error::wrong_type("%continue", "a continuation", k)),
        }
    }

    /// What an error becomes: a call of the prelude's `%raise` when a handler is
    /// installed, as the VM does; otherwise the error itself, for the top level.
    fn raise(&mut self, e: Error, k: &mut Kont<'p>) -> Result<State<'p>> {
        let global = |store: &mut Store, name: &str| {
            let sym = store.intern(name);
            store.global_cell(sym).field(CELL_VALUE)
        };
        let handlers = global(self.store, "%handlers");
        let raise = global(self.store, "%raise");
        if !e.is_catchable() || !handlers.is_pair() || !raise.is(Kind::Closure) {
            return Err(e);
        }
        let payload = match e.payload.as_deref() {
            Some(&obj) => obj,
            None => {
                let kind = match e.kind {
                    ErrorKind::Read => "read",
                    ErrorKind::File => "file",
                    ErrorKind::Syntax => "syntax",
                    _ => "error",
                };
                let fields = [
                    global(self.store, "%error-object"),
                    self.store.intern(kind),
                    self.store.heap.string(&e.message),
                    self.store.heap.list(&e.irritants),
                    Value::fixnum(-1),
                ];
                let obj = self.store.heap.object(Kind::Record, 5, 5, Value::FALSE);
                for (i, v) in fields.into_iter().enumerate() {
                    obj.set_field(i, v);
                }
                obj
            }
        };
        self.apply(raise, vec![payload], k)
    }
}

/// The error an uncaught raise of an error object reports, as the VM's top level does:
/// the error the object was made from.
fn original_error(store: &mut Store, e: Error) -> Error {
    let sym = store.intern("%error-object");
    let error_type = store.global_cell(sym).field(CELL_VALUE);
    match e.payload.as_deref() {
        Some(&obj) if obj.is(Kind::Record) && obj.field(0) == error_type => {
            let mut irritants = Vec::new();
            let mut l = obj.field(3);
            while l.is_pair() {
                irritants.push(l.car());
                l = l.cdr();
            }
            Error::runtime(crate::object::string_to_rust(obj.field(2)), irritants)
        }
        _ => e,
    }
}

fn unbound(sym: Value) -> Error {
    Error::runtime(
        format!(
            "unbound variable: {}",
            crate::symbol::global_display_name(crate::object::symbol_name(sym))
        ),
        vec![],
    )
}

/// What one top-level form did: its value as `write` shows it, or its error's message.
pub type FormResult = std::result::Result<String, String>;

/// Evaluates the prelude and then every form of `program` with the reference evaluator:
/// each form's value or error, in order. A form that does not read or expand ends the
/// list with its error.
///
/// The program's forms are all expanded before any runs: expansion depends only on the
/// forms before it, never on what they do when run.
pub fn run_program(options: Options, program: &str) -> Vec<FormResult> {
    let mut store = Store::new(options);
    let builtins = Builtins::install(&mut store);
    let mut session = Session::default();
    let prelude = SourceFile::new(builtins::PRELUDE_NAME, builtins::PRELUDE);
    let prelude_forms =
        read_all(&prelude, store.options.max_read_depth).expect("the prelude reads");
    let (prelude_exprs, failed) = expand_all(&mut store, &mut session, &prelude_forms);
    if let Some(e) = failed {
        panic!("the prelude expands: {e}");
    }
    let mut m = Machine {
        store: &mut store,
        builtins: &builtins,
        callables: Vec::new(),
    };
    for e in &prelude_exprs {
        if let Err(e) = m.run(e) {
            panic!("the prelude runs: {e:?}");
        }
    }
    finish_setup(m.store, &mut session);
    let callables = std::mem::take(&mut m.callables);
    // The program is expanded once the prelude has run, as the VM does.
    let program = SourceFile::new("<program>", program);
    let (program_exprs, failed) = match read_all(&program, store.options.max_read_depth) {
        Ok(forms) => expand_all(&mut store, &mut session, &forms),
        Err(e) => (Vec::new(), Some(Error::from(e))),
    };
    let mut m = Machine {
        store: &mut store,
        builtins: &builtins,
        callables,
    };
    let mut results = Vec::new();
    for e in &program_exprs {
        results.push(match m.run(e) {
            Ok(v) => Ok(crate::printer::to_string(v, crate::printer::Style::Write)),
            Err(e) => {
                unwind_top_level(&mut m);
                Err(original_error(m.store, e).headline())
            }
        });
    }
    if let Some(e) = failed {
        results.push(Err(e.headline()));
    }
    results
}

/// What the VM does when an error reaches the top level: the handlers go, and the
/// `dynamic-wind` extents are left, their `after`s run.
fn unwind_top_level(m: &mut Machine<'_, '_>) {
    let mut global = |name: &str| {
        let sym = m.store.intern(name);
        m.store.global_cell(sym)
    };
    let handlers = global("%handlers");
    let winders = global("%winders");
    let wind_to = global("%wind-to").field(CELL_VALUE);
    handlers.set_field(CELL_VALUE, Value::NIL);
    if winders.field(CELL_VALUE).is_pair() {
        let mut k = None;
        let mut state = m.apply(wind_to, vec![Value::NIL], &mut k);
        // An `after` that fails stops nothing: the VM goes on past it too.
        while let Ok(s) = state {
            state = match s {
                State::Return(_) if k.is_none() => break,
                s => m.step(s, &mut k),
            };
        }
    }
    winders.set_field(CELL_VALUE, Value::NIL);
}

/// What `Vm::new` does after the prelude, for the builtins that read the current ports.
fn finish_setup(store: &mut Store, session: &mut Session) {
    session.take_standard_names(store);
    let mut cell = |name: &str| {
        let sym = store.intern(name);
        store.global_cell(sym)
    };
    let cells = [
        cell("%current-input-cell"),
        cell("%current-output-cell"),
        cell("%current-error-cell"),
    ];
    store.current_port_cells = Some(cells);
}
