//! Rust functions that Scheme calls: closures with typed arguments and results, checked
//! and converted at each call.

use std::fmt::Display;

use super::convert::{FromScheme, IntoScheme};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::value::Value;

/// What a Rust function registered with [`Engine::register`](super::Engine::register)
/// may return: a value that converts to Scheme, or a `Result` whose error becomes a
/// Scheme error (which `guard` can catch) with the error's text as its message.
pub trait HostResult {
    #[doc(hidden)]
    fn into_result(self, name: &str, store: &mut Store) -> Result<Value>;
}

impl<T: IntoScheme> HostResult for T {
    fn into_result(self, _: &str, store: &mut Store) -> Result<Value> {
        Ok(self.into_scheme(store))
    }
}

impl<T: IntoScheme, E: Display> HostResult for std::result::Result<T, E> {
    fn into_result(self, name: &str, store: &mut Store) -> Result<Value> {
        match self {
            Ok(v) => Ok(v.into_scheme(store)),
            Err(e) => Err(Error::runtime(format!("{name}: {e}"), vec![])),
        }
    }
}

/// A Rust closure that Scheme can call, taking `Args` (a tuple of its argument types).
pub trait HostFn<Args>: 'static {
    /// How many arguments it takes.
    #[doc(hidden)]
    const ARITY: usize;

    #[doc(hidden)]
    fn call(&self, name: &str, store: &mut Store, args: &[Value]) -> Result<Value>;
}

fn argument<T: FromScheme>(name: &str, store: &mut Store, v: Value) -> Result<T> {
    T::from_scheme(v, store).ok_or_else(|| Error::wrong_type(name, T::EXPECTED, v))
}

macro_rules! host_fn {
    ($n:expr; $($arg:ident),*) => {
        impl<F, R, $($arg),*> HostFn<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> R + 'static,
            R: HostResult,
            $($arg: FromScheme,)*
        {
            const ARITY: usize = $n;

            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn call(&self, name: &str, store: &mut Store, args: &[Value]) -> Result<Value> {
                let mut args = args.iter();
                $(let $arg = argument::<$arg>(name, store, *args.next().expect("the arity was checked"))?;)*
                (self)($($arg),*).into_result(name, store)
            }
        }
    };
}

host_fn!(0;);
host_fn!(1; A);
host_fn!(2; A, B);
host_fn!(3; A, B, C);
host_fn!(4; A, B, C, D);
host_fn!(5; A, B, C, D, E);
host_fn!(6; A, B, C, D, E, G);
