//! The symbol table: interns names, so that two symbols are `eq?` exactly when their
//! names are equal. Symbols are never freed: the table is a root of every collection.
//! The names of the aliases that macros insert carry a mark no source text may hold.

use std::collections::HashMap;

use rudo_gc::{Heap, RootSet, RootVisitor};

use crate::object::Alloc;
use crate::value::Value;

#[derive(Default)]
pub struct SymbolTable {
    by_name: HashMap<Box<str>, Value>,
}

impl SymbolTable {
    pub fn intern(&mut self, heap: &mut Heap, name: &str) -> Value {
        if let Some(&sym) = self.by_name.get(name) {
            return sym;
        }
        let sym = heap.symbol_object(name);
        self.by_name.insert(name.into(), sym);
        sym
    }

    pub fn lookup(&self, name: &str) -> Option<Value> {
        self.by_name.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(|k| &**k)
    }
}

impl RootSet for SymbolTable {
    fn visit(&self, roots: &mut RootVisitor<'_>) {
        for sym in self.by_name.values() {
            roots.word(sym.word());
        }
    }
}

/// The marker that separates an alias's name from its number.
pub const ALIAS_MARK: char = '\u{1}';

/// The name an identifier stands for, without the marks of any renaming.
pub fn base_name(name: &str) -> &str {
    name.split(ALIAS_MARK).next().unwrap_or(name)
}

/// A global's name as its program wrote it: without the prefix that the globals of a
/// library or an environment carry (`(srfi 1)#fold` is `fold`).
pub fn global_display_name(name: &str) -> &str {
    name.strip_prefix('(')
        .and_then(|rest| rest.split_once(")#"))
        .map_or(name, |(_, own)| own)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::symbol_name;

    #[test]
    fn interning_gives_one_symbol_per_name_across_collections() {
        let mut heap = Heap::default();
        let mut table = SymbolTable::default();
        let a = table.intern(&mut heap, "alpha");
        assert_eq!(table.intern(&mut heap, "alpha"), a);
        assert_ne!(table.intern(&mut heap, "beta"), a);
        // SAFETY: the roots are words this heap handed out, each kept reachable since.
        unsafe { heap.collect(&table) };
        heap.verify(&table).unwrap();
        assert_eq!(symbol_name(a), "alpha");
        assert_eq!(table.intern(&mut heap, "alpha"), a);
    }
}
