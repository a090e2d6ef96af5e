//! Conversions between Rust values and Scheme values, for arguments and results that
//! cross the embedding API (the table is on [`FromScheme`]).
//!
//! The traits are sealed; convert other types by way of these.

use crate::handles::Root;
use crate::number::{self, Number};
use crate::object::{self, Alloc};
use crate::store::Store;
use crate::value::{Kind, Value};

/// A proper list, element by element.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct List<T>(pub Vec<T>);

/// A bytevector's bytes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Bytevector(pub Vec<u8>);

mod sealed {
    pub trait Sealed {}
}

/// A Rust type a Scheme value converts to. The conversions, both ways:
///
/// | Rust | Scheme |
/// |---|---|
/// | `i64`, `i32`, `usize` | exact integer |
/// | `f64` | real number (any real, as a flonum) |
/// | `bool` | boolean |
/// | `char` | character |
/// | `String`, `&str` (into Scheme only) | string |
/// | `Vec<T>` | vector |
/// | [`List<T>`] | proper list |
/// | [`Bytevector`] | bytevector |
/// | `()` | the unspecified value (from Scheme: any value, ignored) |
/// | [`Root`] | any value, kept alive |
///
/// Values are copied: a `String` from Scheme is a copy of the string, not a view of it.
pub trait FromScheme: Sized + sealed::Sealed {
    /// What the value must be, for the error when it is not: "an integer".
    #[doc(hidden)]
    const EXPECTED: &'static str;

    #[doc(hidden)]
    fn from_scheme(v: Value, store: &mut Store) -> Option<Self>;
}

/// A Rust value that converts to a Scheme value: the types [`FromScheme`] lists, and
/// `&str` and `&Root`.
pub trait IntoScheme: sealed::Sealed {
    #[doc(hidden)]
    fn into_scheme(self, store: &mut Store) -> Value;
}

macro_rules! sealed {
    ($($t:ty),*) => { $(impl sealed::Sealed for $t {})* };
}
sealed!(
    i64,
    i32,
    usize,
    f64,
    bool,
    char,
    String,
    &str,
    (),
    Bytevector,
    Root
);
impl<T> sealed::Sealed for Vec<T> {}
impl<T> sealed::Sealed for List<T> {}

fn exact_integer(v: Value) -> Option<i128> {
    match number::from_value(v)? {
        Number::Fixnum(n) => Some(n.into()),
        n if n.is_exact() && n.is_integer() => n.to_bigint()?.try_into().ok(),
        _ => None,
    }
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl FromScheme for $t {
            const EXPECTED: &'static str = concat!("an exact integer that fits ", stringify!($t));

            fn from_scheme(v: Value, _: &mut Store) -> Option<$t> {
                exact_integer(v)?.try_into().ok()
            }
        }

        impl IntoScheme for $t {
            fn into_scheme(self, store: &mut Store) -> Value {
                store.number(Number::from_i128(self as i128))
            }
        }
    )*};
}
integer!(i64, i32, usize);

impl FromScheme for f64 {
    const EXPECTED: &'static str = "a real number";

    fn from_scheme(v: Value, _: &mut Store) -> Option<f64> {
        Some(number::from_value(v).filter(Number::is_real)?.to_f64())
    }
}

impl IntoScheme for f64 {
    fn into_scheme(self, store: &mut Store) -> Value {
        store.number(Number::Real(self))
    }
}

impl FromScheme for bool {
    const EXPECTED: &'static str = "a boolean";

    fn from_scheme(v: Value, _: &mut Store) -> Option<bool> {
        v.is_bool().then(|| v.is_true())
    }
}

impl IntoScheme for bool {
    fn into_scheme(self, _: &mut Store) -> Value {
        Value::bool(self)
    }
}

impl FromScheme for char {
    const EXPECTED: &'static str = "a character";

    fn from_scheme(v: Value, _: &mut Store) -> Option<char> {
        v.as_char()
    }
}

impl IntoScheme for char {
    fn into_scheme(self, _: &mut Store) -> Value {
        Value::char(self)
    }
}

impl FromScheme for String {
    const EXPECTED: &'static str = "a string";

    fn from_scheme(v: Value, _: &mut Store) -> Option<String> {
        v.is(Kind::String).then(|| object::string_to_rust(v))
    }
}

impl IntoScheme for String {
    fn into_scheme(self, store: &mut Store) -> Value {
        store.heap.string(&self)
    }
}

impl IntoScheme for &str {
    fn into_scheme(self, store: &mut Store) -> Value {
        store.heap.string(self)
    }
}

impl FromScheme for () {
    const EXPECTED: &'static str = "any value";

    fn from_scheme(_: Value, _: &mut Store) -> Option<()> {
        Some(())
    }
}

impl IntoScheme for () {
    fn into_scheme(self, _: &mut Store) -> Value {
        Value::UNSPECIFIED
    }
}

impl FromScheme for Bytevector {
    const EXPECTED: &'static str = "a bytevector";

    fn from_scheme(v: Value, _: &mut Store) -> Option<Bytevector> {
        v.is(Kind::Bytevector)
            .then(|| Bytevector(object::bytevector_bytes(v).to_vec()))
    }
}

impl IntoScheme for Bytevector {
    fn into_scheme(self, store: &mut Store) -> Value {
        store.heap.bytevector(&self.0)
    }
}

impl FromScheme for Root {
    const EXPECTED: &'static str = "any value";

    fn from_scheme(v: Value, store: &mut Store) -> Option<Root> {
        Some(store.handles.root(v))
    }
}

impl IntoScheme for Root {
    fn into_scheme(self, store: &mut Store) -> Value {
        store.handles.get(&self)
    }
}

impl IntoScheme for &Root {
    fn into_scheme(self, store: &mut Store) -> Value {
        store.handles.get(self)
    }
}
impl sealed::Sealed for &Root {}

// Elements converted into Scheme are not roots while their siblings are made: that is
// sound because allocation never collects (collections happen only at safepoints).

impl<T: FromScheme> FromScheme for Vec<T> {
    const EXPECTED: &'static str = "a vector";

    fn from_scheme(v: Value, store: &mut Store) -> Option<Vec<T>> {
        if !v.is(Kind::Vector) {
            return None;
        }
        (0..object::vector_len(v))
            .map(|i| T::from_scheme(v.field(i), store))
            .collect()
    }
}

impl<T: IntoScheme> IntoScheme for Vec<T> {
    fn into_scheme(self, store: &mut Store) -> Value {
        let items: Vec<Value> = self.into_iter().map(|x| x.into_scheme(store)).collect();
        store.heap.vector(&items)
    }
}

impl<T: FromScheme> FromScheme for List<T> {
    const EXPECTED: &'static str = "a proper list";

    fn from_scheme(v: Value, store: &mut Store) -> Option<List<T>> {
        let mut out = Vec::new();
        let (mut fast, mut slow) = (v, v);
        while fast.is_pair() {
            out.push(T::from_scheme(fast.car(), store)?);
            fast = fast.cdr();
            if out.len() % 2 == 0 {
                slow = slow.cdr();
                if fast == slow && fast.is_pair() {
                    return None;
                }
            }
        }
        (fast == Value::NIL).then_some(List(out))
    }
}

impl<T: IntoScheme> IntoScheme for List<T> {
    fn into_scheme(self, store: &mut Store) -> Value {
        let items: Vec<Value> = self.0.into_iter().map(|x| x.into_scheme(store)).collect();
        store.heap.list(&items)
    }
}
