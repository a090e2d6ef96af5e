//! The table of syntax: every special form the compiler knows, by name, and which part
//! of the compiler expands it. Nothing else lists the forms.

/// A special form.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Form {
    Quote,
    Quasiquote,
    Unquote,
    UnquoteSplicing,
    Lambda,
    Define,
    Set,
    If,
    Begin,
    Import,
    DefineLibrary,
    DefineSyntax,
    LetSyntax,
    LetrecSyntax,
    SyntaxRules,
    SyntaxError,
    CallForValues,
    Let,
    LetStar,
    Letrec,
    LetrecStar,
    Do,
    Cond,
    Case,
    And,
    Or,
    When,
    Unless,
    Include,
    IncludeCi,
    DefineRecordType,
    CaseLambda,
    Delay,
    DelayForce,
    Receive,
    LetValues,
    LetStarValues,
    DefineValues,
    CondExpand,
    Guard,
    Parameterize,
}

/// Which part of the compiler expands a form.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Expansion {
    /// `expand`: straight into the core language.
    Core,
    /// `derived`: into the core language, by way of other core forms.
    Derived,
    /// `rewrite` (and `include`): into another datum, which is then expanded.
    Rewritten,
}

use Expansion::*;

/// Each form: its name, how it is expanded, and whether it may stand for definitions
/// (so that a body rewrites it before it looks for them).
const FORMS: &[(&str, Form, Expansion, bool)] = &[
    ("quote", Form::Quote, Core, false),
    ("quasiquote", Form::Quasiquote, Core, false),
    ("unquote", Form::Unquote, Core, false),
    ("unquote-splicing", Form::UnquoteSplicing, Core, false),
    ("lambda", Form::Lambda, Core, false),
    ("define", Form::Define, Core, false),
    ("set!", Form::Set, Core, false),
    ("if", Form::If, Core, false),
    ("begin", Form::Begin, Core, false),
    ("import", Form::Import, Core, false),
    ("define-library", Form::DefineLibrary, Core, false),
    ("define-syntax", Form::DefineSyntax, Core, false),
    ("let-syntax", Form::LetSyntax, Core, false),
    ("letrec-syntax", Form::LetrecSyntax, Core, false),
    ("syntax-rules", Form::SyntaxRules, Core, false),
    ("syntax-error", Form::SyntaxError, Core, false),
    ("%call-for-values", Form::CallForValues, Core, false),
    ("let", Form::Let, Derived, false),
    ("let*", Form::LetStar, Derived, false),
    ("letrec", Form::Letrec, Derived, false),
    ("letrec*", Form::LetrecStar, Derived, false),
    ("do", Form::Do, Derived, false),
    ("cond", Form::Cond, Derived, false),
    ("case", Form::Case, Derived, false),
    ("and", Form::And, Derived, false),
    ("or", Form::Or, Derived, false),
    ("when", Form::When, Derived, false),
    ("unless", Form::Unless, Derived, false),
    ("include", Form::Include, Rewritten, true),
    ("include-ci", Form::IncludeCi, Rewritten, true),
    (
        "define-record-type",
        Form::DefineRecordType,
        Rewritten,
        true,
    ),
    ("case-lambda", Form::CaseLambda, Rewritten, false),
    ("delay", Form::Delay, Rewritten, false),
    ("delay-force", Form::DelayForce, Rewritten, false),
    ("receive", Form::Receive, Rewritten, false),
    ("let-values", Form::LetValues, Rewritten, false),
    ("let*-values", Form::LetStarValues, Rewritten, false),
    ("define-values", Form::DefineValues, Rewritten, true),
    ("cond-expand", Form::CondExpand, Rewritten, true),
    ("guard", Form::Guard, Rewritten, false),
    ("parameterize", Form::Parameterize, Rewritten, false),
];

impl Form {
    /// The form a name stands for when nothing binds it.
    pub fn named(name: &str) -> Option<Form> {
        FORMS.iter().find(|f| f.0 == name).map(|f| f.1)
    }

    fn entry(self) -> &'static (&'static str, Form, Expansion, bool) {
        FORMS
            .iter()
            .find(|f| f.1 == self)
            .expect("every form is in the table")
    }

    pub fn name(self) -> &'static str {
        self.entry().0
    }

    pub fn expansion(self) -> Expansion {
        self.entry().2
    }

    /// Whether a use of the form may stand for definitions.
    pub fn may_define(self) -> bool {
        self.entry().3
    }

    /// Every form's name.
    pub fn names() -> impl Iterator<Item = &'static str> {
        FORMS.iter().map(|f| f.0)
    }
}

impl std::fmt::Display for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_has_one_entry() {
        for (name, form, _, _) in FORMS {
            assert_eq!(Form::named(name), Some(*form));
            assert_eq!(form.name(), *name);
            assert_eq!(FORMS.iter().filter(|f| f.1 == *form).count(), 1, "{name}");
        }
    }
}
