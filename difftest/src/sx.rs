//! Programs as plain S-expressions: what the generator builds, the shrinker cuts down,
//! and the evaluators read as text.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sx {
    Atom(String),
    List(Vec<Sx>),
}

impl Sx {
    pub fn atom(text: impl Into<String>) -> Sx {
        Sx::Atom(text.into())
    }

    /// How many atoms and lists it has: the measure the shrinker brings down.
    pub fn size(&self) -> usize {
        let mut n = 0;
        let mut stack = vec![self];
        while let Some(s) = stack.pop() {
            n += 1;
            if let Sx::List(items) = s {
                stack.extend(items);
            }
        }
        n
    }
}

/// `(a b c)` from the parts, each an `Sx` or anything that converts into one.
#[macro_export]
macro_rules! sx {
    ($($part:expr),* $(,)?) => {
        $crate::Sx::List(vec![$(::std::convert::Into::<$crate::Sx>::into($part)),*])
    };
}

impl From<&str> for Sx {
    fn from(s: &str) -> Sx {
        Sx::atom(s)
    }
}

impl From<String> for Sx {
    fn from(s: String) -> Sx {
        Sx::Atom(s)
    }
}

impl From<i64> for Sx {
    fn from(n: i64) -> Sx {
        Sx::Atom(n.to_string())
    }
}

impl fmt::Display for Sx {
    /// Written without recursion: generated programs nest deeply.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        enum Step<'a> {
            Show(&'a Sx),
            Text(&'static str),
        }
        let mut stack = vec![Step::Show(self)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Text(t) => f.write_str(t)?,
                Step::Show(Sx::Atom(a)) => f.write_str(a)?,
                Step::Show(Sx::List(items)) => {
                    f.write_str("(")?;
                    stack.push(Step::Text(")"));
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push(Step::Show(item));
                        if i > 0 {
                            stack.push(Step::Text(" "));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
