//! Records, as `define-record-type` makes them (see `compiler/rewrite.rs`).
//!
//! A record type is a `Record` object `[#f, name, field names, field count]`; a record
//! is a `Record` object `[type, field values...]`. The `#f` in a type's first field is
//! what tells the two apart, since no record has `#f` for a type.

use super::{builtin, Builtin};
use crate::error::{Error, Result};
use crate::object::{is_record_type, type_name, Alloc};
use crate::store::Store;
use crate::value::{Kind, Value};

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("%make-record-type", 2, Some(2), |store, a| {
            let count = Value::fixnum(super::for_each_element(a[1], |_| {})? as i64);
            Ok(record(store, &[Value::FALSE, a[0], a[1], count]))
        }),
        builtin("%record", 1, None, make_record),
        builtin("%record?", 2, Some(2), |_, a| {
            Ok(Value::bool(is_record_of(a[0], a[1])))
        }),
        builtin("%record-ref", 4, Some(4), |_, a| {
            let i = checked_field(a[0], a[1], a[2], a[3])?;
            Ok(a[0].field(i))
        }),
        builtin("%record-set!", 5, Some(5), |_, a| {
            let i = checked_field(a[0], a[1], a[2], a[4])?;
            a[0].set_field(i, a[3]);
            Ok(Value::UNSPECIFIED)
        }),
    ]
}

/// Whether `v` is a record of type `rtd`. A record's first slot holds its type; a type's
/// holds `#f`, which is therefore no record's type.
#[inline]
pub(crate) fn is_record_of(v: Value, rtd: Value) -> bool {
    v.is(Kind::Record) && v.field(0) == rtd && rtd != Value::FALSE
}

/// `(%record rtd value ...)`, the constructor's work: `fields` are the type, then a value
/// for each of its fields.
pub(crate) fn make_record(store: &mut Store, fields: &[Value]) -> Result<Value> {
    // Every record has a record type and its number of fields: the printer and the
    // accessors rest on it.
    if fields.is_empty() || field_count(fields[0]) != Some(fields.len() - 1) {
        let rtd = fields.first().copied().unwrap_or(Value::FALSE);
        return Err(Error::expected(
            "a record type and a value for each of its fields",
            rtd,
        ));
    }
    Ok(record(store, fields))
}

fn record(store: &mut Store, fields: &[Value]) -> Value {
    let r = store
        .heap
        .object(Kind::Record, fields.len(), fields.len(), Value::FALSE);
    for (i, &v) in fields.iter().enumerate() {
        r.init_field(i, v);
    }
    r
}

/// The slot of field `i` of `record`, when it is a record of type `rtd` and `i` one of
/// its field indices: the check of `%record-ref` and `%record-set!` without the error,
/// which the VM makes inline.
#[inline]
pub(crate) fn field_slot(record: Value, rtd: Value, i: Value) -> Option<usize> {
    if !is_record_of(record, rtd) {
        return None;
    }
    // A record has a slot for its type and one for each field (see `make_record`).
    match i.as_fixnum() {
        Some(k) if k >= 0 && (k as usize) < record.size() - 1 => Some(k as usize + 1),
        _ => None,
    }
}

/// The field index of field `i` of `record`, after checking that it is a record of type
/// `rtd`; an error names the accessor `who` and the type (or the builtin, when the
/// arguments are not what `define-record-type` passes).
pub(crate) fn checked_field(record: Value, rtd: Value, i: Value, who: Value) -> Result<usize> {
    if let Some(slot) = field_slot(record, rtd, i) {
        return Ok(slot);
    }
    let Some(count) = field_count(rtd) else {
        return Err(Error::expected("a record type", rtd));
    };
    let i = match i.as_fixnum() {
        Some(i) if (0..count as i64).contains(&i) => i as usize,
        _ => return Err(Error::expected("a field index", i)),
    };
    if is_record_of(record, rtd) {
        return Ok(i + 1);
    }
    let mut what = String::from("a record of type ");
    crate::printer::print(type_name(rtd), crate::printer::Style::Display, &mut what);
    let mut name = String::new();
    crate::printer::print(who, crate::printer::Style::Display, &mut name);
    Err(Error::wrong_type(&name, &what, record))
}

/// A record of the prelude's `%values` type `rtd` that holds `items`: what `values`
/// returns for other than one value.
pub fn values_record(heap: &mut impl Alloc, rtd: Value, items: &[Value]) -> Value {
    let list = heap.list(items);
    let record = heap.object(Kind::Record, 2, 2, Value::FALSE);
    record.set_field(0, rtd);
    record.set_field(1, list);
    record
}

/// `(values x ...)` where the VM does not carry it out (it checks that the continuation
/// takes that many values first): a builtin calling it.
pub(super) fn values(store: &mut Store, a: &[Value]) -> Result<Value> {
    if let [v] = a {
        return Ok(*v);
    }
    let sym = store.intern("%values");
    let rtd = store.global_cell(sym).field(crate::object::CELL_VALUE);
    if !is_record_type(rtd) {
        return Err(Error::runtime("called before the prelude defined it", vec![]).unnamed());
    }
    Ok(values_record(&mut store.heap, rtd, a))
}

/// The values `v` carries when it is what `(values)` returns for other than one value
/// (a record of the prelude's `%values` type), in order.
pub fn multiple_values(v: Value) -> Option<Vec<Value>> {
    if !v.is(Kind::Record) || is_record_type(v) {
        return None;
    }
    let name = type_name(v.field(0));
    if !(name.is(Kind::Symbol) && crate::object::symbol_name(name) == "%values") {
        return None;
    }
    let mut out = Vec::new();
    let mut l = v.field(1);
    while l.is_pair() {
        out.push(l.car());
        l = l.cdr();
    }
    Some(out)
}

/// How many fields records of type `rtd` have; `None` when it is not a record type.
/// The count is kept in the type: the constructor checks it at every record it makes.
fn field_count(rtd: Value) -> Option<usize> {
    if !is_record_type(rtd) {
        return None;
    }
    rtd.field(3).as_fixnum().map(|n| n as usize)
}
