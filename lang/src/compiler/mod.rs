//! The compiler: datums to bytecode, by way of the core language.
//!
//! `expand` (with `derived` and `quasi`) turns a datum into an `ast::Expr`, resolving
//! every identifier; `codegen` turns that into a `Proto`. The [`Session`] is what
//! one form leaves for the next: namespaces, libraries, the aliases of macros.

mod ast;
mod codegen;
mod derived;
mod expand;
mod forms;
mod library;
mod quasi;
mod rewrite;
mod syntax_rules;

use std::rc::Rc;

pub use ast::Prim;
pub(crate) use ast::{Expr, Lambda, VarId};
pub use library::{Library, Namespace};
pub use rewrite::FEATURES;
pub use syntax_rules::{Aliases, Macro};

/// Every name the compiler treats as syntax.
pub fn special_forms() -> impl Iterator<Item = &'static str> {
    forms::Form::names()
}

use std::collections::{HashMap, HashSet};

use crate::bytecode::Proto;
use crate::error::Result;
use crate::reader::Datum;
use crate::store::Store;

/// What the compiler keeps from one form to the next.
pub struct Session {
    /// The program's namespace (0) and each library's (`library.rs`).
    pub(crate) namespaces: Vec<Namespace>,
    /// The libraries defined so far, by name: `(my library)`.
    pub(crate) libraries: HashMap<String, Library>,
    /// The names the prelude and the builtins define: what importing a standard library
    /// brings into a library.
    pub(crate) standard_names: HashSet<String>,
    /// What the identifiers that macros insert refer to.
    pub(crate) aliases: Aliases,
    /// Globals the program has defined or assigned: calls to them are not inlined.
    redefined: HashSet<String>,
    /// How deep in `include`s each included file was read, by file name.
    pub(crate) include_depths: HashMap<String, usize>,
}

impl Default for Session {
    fn default() -> Session {
        Session {
            namespaces: vec![Namespace::default()],
            libraries: HashMap::new(),
            standard_names: HashSet::new(),
            aliases: Aliases::default(),
            redefined: HashSet::new(),
            include_depths: HashMap::new(),
        }
    }
}

impl Session {
    pub fn is_redefined(&self, name: &str) -> bool {
        self.redefined.contains(name)
    }

    pub fn mark_redefined(&mut self, name: &str) {
        self.redefined.insert(name.to_string());
    }

    /// The names of the program's global macros.
    pub fn macro_names(&self) -> impl Iterator<Item = &str> {
        self.namespaces[0].names.keys().map(String::as_str)
    }

    /// The names bound at the top level: the globals of `store` and the macros.
    pub fn global_names(&self, store: &Store) -> Vec<String> {
        let macros = self.macro_names().map(str::to_string);
        store
            .global_names()
            .map(str::to_string)
            .chain(macros)
            .collect()
    }

    /// Takes the names bound so far as the standard ones, which importing a standard
    /// library brings into a library.
    pub fn take_standard_names(&mut self, store: &Store) {
        self.standard_names = self.global_names(store).into_iter().collect();
    }
}

/// Compiles one top-level form to a procedure of no arguments.
pub fn compile(store: &mut Store, session: &mut Session, datum: &Datum) -> Result<Rc<Proto>> {
    compile_in(store, session, datum, PROGRAM_NAMESPACE)
}

/// The namespace of the program's top level, which `interaction-environment` names.
pub const PROGRAM_NAMESPACE: usize = 0;

/// A new namespace for an environment that `(environment import-set ...)` makes: names
/// are what its imports bring, and its definitions are its own.
pub fn new_environment(session: &mut Session) -> usize {
    let ns = session.namespaces.len();
    session.namespaces.push(library::Namespace {
        own_prefix: Some(format!("(environment {ns})#")),
        ..library::Namespace::default()
    });
    ns
}

/// Compiles a top-level form of namespace `ns`.
pub fn compile_in(
    store: &mut Store,
    session: &mut Session,
    datum: &Datum,
    ns: usize,
) -> Result<Rc<Proto>> {
    store.literal_labels.clear();
    let mut expander = expand::Expander::new(store, session);
    expander.ns = ns;
    let expr = expander.expand_toplevel(datum);
    let mut vars = std::mem::take(&mut expander.vars);
    // The labels' values are not roots: they must not outlive the compilation.
    store.literal_labels.clear();
    let expr = expr?;
    if store.options.optimize {
        codegen::drop_loop_captures(&expr, &mut vars);
        codegen::mark_patched_groups(&expr, &mut vars);
    }
    codegen::Codegen::new(store, &vars).toplevel(&expr, &datum.span)
}

/// Expands top-level forms one after another, as `compile` would: the core language of
/// each, up to the first that fails, and that one's error.
pub(crate) fn expand_all(
    store: &mut Store,
    session: &mut Session,
    datums: &[Datum],
) -> (Vec<ast::Expr>, Option<crate::Error>) {
    let mut out = Vec::new();
    for d in datums {
        store.literal_labels.clear();
        let expanded = expand::Expander::new(store, session).expand_toplevel(d);
        store.literal_labels.clear();
        match expanded {
            Ok(e) => out.push(e),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}
