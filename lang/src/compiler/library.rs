//! Libraries (R7RS 5.6): `define-library`, and `import` with `only`, `except`,
//! `prefix` and `rename`.
//!
//! Every library has a namespace: a table from the names its code uses to the globals
//! (or macros) they stand for. The program's namespace, number 0, maps nothing by
//! default: a name is the global of that name, the standard procedures among them. In a
//! library's namespace, a name that no import maps is the library's own global,
//! `(name of library)#name`, so a library's definitions never clash with the program's
//! or another library's; importing a standard library (`(scheme base)`, ...) makes the
//! standard names visible there by their own names. What a library exports is a list
//! of names and what they stand for in its namespace, which `import` copies, filtered,
//! into the importing namespace. A library that is not defined yet when a program
//! imports it is looked for as `a/b.sld` (or `a/b.scm`) for `(a b)` in the `-I`
//! directories, beside the importing file, and in the current directory, and compiled
//! into the importing form, which runs its body first.

use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use super::ast::Expr;
use super::expand::{seq, Expander};
use super::rewrite;
use super::syntax_rules::{keyword, Macro};
use crate::error::{Error, Result};
use crate::reader::{Datum, Span};
use crate::value::Value;

/// What a name stands for in a namespace.
#[derive(Clone)]
pub enum GlobalBinding {
    Global(String),
    Macro(Rc<Macro>),
}

#[derive(Default)]
pub struct Namespace {
    /// Names imported, or defined as macros, here.
    pub names: HashMap<String, GlobalBinding>,
    /// For a library: the prefix of its own globals.
    pub own_prefix: Option<String>,
    /// Whether the standard names are visible by their own names (a library that
    /// imports a standard library).
    pub standard: bool,
}

impl Namespace {
    /// The global that a definition of `name` here defines.
    pub fn defined_name(&self, name: &str) -> String {
        match &self.own_prefix {
            Some(prefix) => format!("{prefix}{name}"),
            None => name.to_string(),
        }
    }
}

/// A defined library: what it exports, by the names importers see.
#[derive(Clone)]
pub struct Library {
    pub exports: Vec<(String, GlobalBinding)>,
}

/// How an import set changes the names of the library it imports from.
enum Filter {
    Only(Vec<String>),
    Except(Vec<String>),
    Prefix(String),
    Rename(Vec<(String, String)>),
}

/// An import set's library name, and its filters, innermost first.
fn parse_import_set(set: &Datum) -> Result<(String, Vec<Filter>)> {
    let bad = || Error::syntax("bad import set", &set.span);
    let items = set.list().ok_or_else(bad)?;
    let head = items.first().and_then(keyword);
    let names = |ds: &[Datum]| {
        ds.iter()
            .map(|d| d.symbol().map(str::to_string).ok_or_else(bad))
            .collect::<Result<Vec<_>>>()
    };
    let (inner, filter) = match (head, items) {
        (Some("only"), [_, inner, ids @ ..]) => (inner, Filter::Only(names(ids)?)),
        (Some("except"), [_, inner, ids @ ..]) => (inner, Filter::Except(names(ids)?)),
        (Some("prefix"), [_, inner, p]) => (
            inner,
            Filter::Prefix(p.symbol().ok_or_else(bad)?.to_string()),
        ),
        (Some("rename"), [_, inner, pairs @ ..]) => {
            let mut renames = Vec::new();
            for p in pairs {
                match p.list() {
                    Some([from, to]) => renames.push((
                        from.symbol().ok_or_else(bad)?.to_string(),
                        to.symbol().ok_or_else(bad)?.to_string(),
                    )),
                    _ => return Err(bad()),
                }
            }
            (inner, Filter::Rename(renames))
        }
        _ => {
            let name = rewrite::library_name(set).ok_or_else(bad)?;
            return Ok((name, Vec::new()));
        }
    };
    let (name, mut filters) = parse_import_set(inner)?;
    filters.push(filter);
    Ok((name, filters))
}

fn apply(
    filters: &[Filter],
    mut names: Vec<(String, GlobalBinding)>,
) -> Vec<(String, GlobalBinding)> {
    for f in filters {
        match f {
            Filter::Only(ids) => names.retain(|(n, _)| ids.contains(n)),
            Filter::Except(ids) => names.retain(|(n, _)| !ids.contains(n)),
            Filter::Prefix(p) => names.iter_mut().for_each(|(n, _)| *n = format!("{p}{n}")),
            Filter::Rename(pairs) => {
                for (n, _) in names.iter_mut() {
                    if let Some((_, to)) = pairs.iter().find(|(from, _)| from == n) {
                        *n = to.clone();
                    }
                }
            }
        }
    }
    names
}

impl Expander<'_> {
    /// `(import set ...)` into the current namespace: the code of libraries loaded on
    /// the way, to run first.
    pub(super) fn import(&mut self, items: &[Datum], span: &Span) -> Result<Expr> {
        let mut inits = vec![Expr::Const(Value::UNSPECIFIED)];
        for set in &items[1..] {
            inits.push(self.import_set(set, span)?);
        }
        Ok(seq(inits))
    }

    fn import_set(&mut self, set: &Datum, span: &Span) -> Result<Expr> {
        let (name, filters) = parse_import_set(set)?;
        let ns = self.ns;
        if rewrite::known_library(&name) && bundled_source(&name).is_none() {
            if filters.is_empty() {
                self.session.namespaces[ns].standard = true;
            } else {
                let all = self
                    .session
                    .standard_names
                    .iter()
                    .map(|n| (n.clone(), GlobalBinding::Global(n.clone())))
                    .collect();
                for (n, b) in apply(&filters, all) {
                    self.session.namespaces[ns].names.insert(n, b);
                }
            }
            return Ok(Expr::Const(Value::UNSPECIFIED));
        }
        let init = if self.session.libraries.contains_key(&name) {
            Expr::Const(Value::UNSPECIFIED)
        } else {
            self.load_library(&name, set, span)?
        };
        let exports = self.session.libraries[&name].exports.clone();
        for (n, b) in apply(&filters, exports) {
            self.session.namespaces[ns].names.insert(n, b);
        }
        Ok(init)
    }

    /// Finds, reads and compiles the file that defines library `name`.
    fn load_library(&mut self, name: &str, set: &Datum, span: &Span) -> Result<Expr> {
        let unknown = || Error::syntax(format!("unknown library {name}"), span);
        let parts: Vec<String> = name
            .trim_matches(|c| c == '(' || c == ')')
            .split(' ')
            .map(str::to_string)
            .collect();
        if let Some((defined, text)) = bundled_source(name) {
            // A library known by two names is compiled once, under the name it defines.
            let init = if self.session.libraries.contains_key(defined) {
                Expr::Const(Value::UNSPECIFIED)
            } else {
                let file = crate::reader::SourceFile::new(format!("<library {defined}>"), text);
                self.compile_library_file(defined, &file, set)?
            };
            let library = self.session.libraries[defined].clone();
            self.session.libraries.insert(name.to_string(), library);
            return Ok(init);
        }
        let mut dirs: Vec<PathBuf> = self.store.options.library_path.clone();
        if let Some(dir) = std::path::Path::new(&span.file.name).parent() {
            dirs.push(dir.to_path_buf());
        }
        dirs.push(PathBuf::from("."));
        let relative = parts.join("/");
        let path = dirs
            .iter()
            .flat_map(|d| ["sld", "scm"].map(|ext| d.join(format!("{relative}.{ext}"))))
            .find(|p| p.is_file())
            .ok_or_else(unknown)?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::file(
                format!("cannot read library file {}: {e}", path.display()),
                vec![],
            )
        })?;
        let file = crate::reader::SourceFile::new(path.display().to_string(), text);
        self.compile_library_file(name, &file, set)
    }

    /// Compiles the file that defines library `name`, which `set` imports.
    fn compile_library_file(
        &mut self,
        name: &str,
        file: &std::sync::Arc<crate::reader::SourceFile>,
        set: &Datum,
    ) -> Result<Expr> {
        let mut code = Vec::new();
        for d in crate::reader::read_all(file, self.store.options.max_read_depth)? {
            code.push(self.expand(&d)?);
        }
        if !self.session.libraries.contains_key(name) {
            return Err(Error::syntax(
                format!("{} does not define library {name}", file.name),
                &set.span,
            ));
        }
        Ok(seq(code))
    }

    /// `(define-library name declaration ...)`: compiles the body in a namespace of its
    /// own, records the exports, and gives the code that runs the body.
    pub(super) fn define_library(&mut self, items: &[Datum], span: &Span) -> Result<Expr> {
        let bad = |what: &str| Err(Error::syntax(format!("bad `define-library`: {what}"), span));
        if !self.at_top_level() {
            return bad("only allowed at the top level");
        }
        let Some(name) = items.get(1).and_then(rewrite::library_name) else {
            return bad("expected a library name such as (my library)");
        };
        let ns = self.session.namespaces.len();
        self.session.namespaces.push(Namespace {
            own_prefix: Some(format!("{name}#")),
            ..Namespace::default()
        });
        let mut exports = Vec::new();
        let mut body = Vec::new();
        let mut decls: Vec<Datum> = items[2..].iter().rev().cloned().collect();
        let outer = std::mem::replace(&mut self.ns, ns);
        let mut code = Vec::new();
        let result = (|| {
            while let Some(decl) = decls.pop() {
                let parts = decl.list().unwrap_or_default();
                match parts.first().and_then(keyword) {
                    Some("export") => {
                        for spec in &parts[1..] {
                            match (spec.symbol(), spec.list()) {
                                (Some(n), _) => exports.push((n.to_string(), n.to_string())),
                                (None, Some([r, from, to]))
                                    if keyword(r) == Some("rename")
                                        && from.symbol().is_some()
                                        && to.symbol().is_some() =>
                                {
                                    let (from, to) = (from.symbol(), to.symbol());
                                    exports.push((
                                        from.unwrap_or_default().to_string(),
                                        to.unwrap_or_default().to_string(),
                                    ))
                                }
                                _ => return Err(Error::syntax("bad export spec", &spec.span)),
                            }
                        }
                    }
                    Some("import") => code.push(self.import(parts, &decl.span)?),
                    Some("begin") => body.extend(parts[1..].iter().cloned()),
                    Some("include") => body.push(self.include(parts, &decl.span)?),
                    Some("include-ci") => {
                        body.push(super::expand::fold_case(&self.include(parts, &decl.span)?))
                    }
                    Some("cond-expand") => {
                        let chosen = rewrite::rewrite(super::forms::Form::CondExpand, parts, &decl.span, &self.session.aliases)?;
                        let chosen = chosen.list().unwrap_or_default();
                        decls.extend(chosen[1..].iter().rev().cloned());
                    }
                    _ => {
                        return Err(Error::syntax(
                            "bad library declaration: expected export, import, begin, include or cond-expand",
                            &decl.span,
                        ))
                    }
                }
            }
            // The body's definitions are its own from the start, even where it uses them
            // before it defines them, and even under a standard name.
            for form in &body {
                let target = form
                    .list()
                    .filter(|f| f.first().and_then(keyword) == Some("define"));
                let name = match target
                    .and_then(|f| f.get(1))
                    .map(|t| (t.symbol(), t.list()))
                {
                    Some((Some(n), _)) => Some(n),
                    Some((None, Some(head))) => head.first().and_then(Datum::symbol),
                    _ => None,
                };
                if let Some(n) = name {
                    let space = &mut self.session.namespaces[ns];
                    let global = space.defined_name(n);
                    space
                        .names
                        .insert(n.to_string(), GlobalBinding::Global(global));
                }
            }
            for form in &body {
                code.push(self.expand(form)?);
            }
            Ok(())
        })();
        self.ns = outer;
        result?;
        let mut exported = Vec::new();
        for (internal, external) in exports {
            exported.push((external, self.global_binding(&internal, ns)));
        }
        self.session
            .libraries
            .insert(name, Library { exports: exported });
        code.push(Expr::Const(Value::UNSPECIFIED));
        Ok(seq(code))
    }
}

/// The library that comes with rudo-scheme under `name`, written in Scheme: the name
/// its source defines, and the source, which `import` compiles the first time a program
/// names it.
fn bundled_source(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "(srfi 1)" => ("(srfi 1)", include_str!("../../lib/srfi/1.sld")),
        "(srfi 13)" => ("(srfi 13)", include_str!("../../lib/srfi/13.sld")),
        "(srfi 26)" => ("(srfi 26)", include_str!("../../lib/srfi/26.sld")),
        "(srfi 125)" | "(scheme hash-table)" => {
            ("(srfi 125)", include_str!("../../lib/srfi/125.sld"))
        }
        "(srfi 133)" => ("(srfi 133)", include_str!("../../lib/srfi/133.sld")),
        "(srfi 158)" => ("(srfi 158)", include_str!("../../lib/srfi/158.sld")),
        _ => return None,
    })
}
