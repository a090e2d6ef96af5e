//! Records, as `define-record-type` makes them (see `compiler/rewrite.rs`).
//!
//! A record type is a `Record` object `[#f, name, field names]`; a record is a `Record`
//! object `[type, field values...]`. The `#f` in a type's first field is what tells the
//! two apart, since no record has `#f` for a type.

use super::{builtin, Builtin};
use crate::error::{Error, Result};
use crate::object::Alloc;
use crate::runtime::Runtime;
use crate::value::{Kind, Value};

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        builtin("%make-record-type", 2, Some(2), |rt, a| {
            Ok(record(rt, &[Value::FALSE, a[0], a[1]]))
        }),
        builtin("%record", 1, None, |rt, a| Ok(record(rt, a))),
        builtin("%record?", 2, Some(2), |_, a| {
            Ok(Value::bool(a[0].is(Kind::Record) && a[0].field(0) == a[1]))
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

fn record(rt: &mut Runtime, fields: &[Value]) -> Value {
    let r = rt
        .heap
        .object(Kind::Record, fields.len(), fields.len(), Value::FALSE);
    for (i, &v) in fields.iter().enumerate() {
        r.set_field(i, v);
    }
    r
}

/// The field index of field `i` of `record`, after checking that it is a record of type
/// `rtd`; an error names the accessor `who` and the type.
fn checked_field(record: Value, rtd: Value, i: Value, who: Value) -> Result<usize> {
    if record.is(Kind::Record) && record.field(0) == rtd {
        let i = i
            .as_fixnum()
            .expect("record field indices are made by the compiler");
        return Ok(i as usize + 1);
    }
    let mut what = String::from("a record of type ");
    crate::printer::print(type_name(rtd), crate::printer::Style::Display, &mut what);
    let mut name = String::new();
    crate::printer::print(who, crate::printer::Style::Display, &mut name);
    Err(Error::wrong_type(&name, &what, record))
}

/// The name of record type `rtd`.
pub fn type_name(rtd: Value) -> Value {
    rtd.field(1)
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

/// Whether `v` is a record type rather than a record.
pub fn is_record_type(v: Value) -> bool {
    v.is(Kind::Record) && v.field(0) == Value::FALSE
}
