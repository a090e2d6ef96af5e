//! The lexer: R7RS lexical syntax as logos tokens, with byte spans.
//!
//! Numbers and identifiers share one token, [`Token::Atom`]: the parser decides which by
//! trying the number syntax first, as the report's grammar does. `#`-prefixed atoms
//! (booleans, radix and exactness prefixes, directives) are [`Token::HashAtom`].

use logos::{FilterResult, Lexer, Logos};

use super::error::LexError;
use crate::printer::char_from_name;

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\f\v]+")]
#[logos(skip r";[^\n]*")]
#[logos(error = LexError)]
pub enum Token<'s> {
    #[token("(")]
    OpenParen,
    #[token(")")]
    CloseParen,
    #[token("[")]
    OpenBracket,
    #[token("]")]
    CloseBracket,
    #[token("#(")]
    VectorOpen,
    #[token("#u8(")]
    #[token("#U8(")]
    BytevectorOpen,
    #[token("'")]
    Quote,
    #[token("`")]
    Quasiquote,
    #[token(",")]
    Unquote,
    #[token(",@")]
    UnquoteSplicing,
    #[token(".", priority = 10)]
    Dot,
    #[token("#;")]
    DatumComment,
    #[token("#|", block_comment)]
    BlockComment,
    #[regex(r#""([^"\\]|\\(.|\n))*""#, string_literal)]
    String(String),
    #[regex(r#""([^"\\]|\\(.|\n))*"#, unterminated_string)]
    #[regex(r#""([^"\\]|\\(.|\n))*\\"#, unterminated_string)]
    UnterminatedString,
    #[regex(r#"#\\(.|\n)[^ \t\r\n\f\v()\[\]";']*"#, char_literal)]
    Char(char),
    #[regex(r"\|([^|\\]|\\(.|\n))*\|", bar_symbol)]
    BarSymbol(String),
    #[regex(r"\|([^|\\]|\\(.|\n))*", unterminated_symbol)]
    UnterminatedSymbol,
    #[regex(r#"[^ \t\r\n\f\v()\[\]"';`,|#][^ \t\r\n\f\v()\[\]"';`,|]*"#)]
    Atom(&'s str),
    // A digit after `#` starts a datum label unless what follows the digits is
    // something else than `=` or `#`.
    #[regex(r#"#[^ \t\r\n\f\v()\[\]"';`,|\\0-9][^ \t\r\n\f\v()\[\]"';`,|]*"#)]
    #[regex(r#"#[0-9]+([^ \t\r\n\f\v()\[\]"';`,|=#0-9][^ \t\r\n\f\v()\[\]"';`,|]*)?"#)]
    HashAtom(&'s str),
    /// `#3=`: the datum after it is labelled 3.
    #[regex(r"#[0-9]+=", |lex| label_number(lex.slice()), priority = 20)]
    Label(u64),
    /// `#3#`: the datum labelled 3.
    #[regex(r"#[0-9]+#", |lex| label_number(lex.slice()), priority = 20)]
    LabelRef(u64),
}

fn label_number(text: &str) -> Result<u64, LexError> {
    text[1..text.len() - 1]
        .parse()
        .map_err(|_| LexError::BadLabel)
}

fn unterminated_string<'s>(_: &mut Lexer<'s, Token<'s>>) -> Result<(), LexError> {
    Err(LexError::UnterminatedString)
}

fn unterminated_symbol<'s>(_: &mut Lexer<'s, Token<'s>>) -> Result<(), LexError> {
    Err(LexError::UnterminatedSymbol)
}

/// Skips a `#| ... |#` comment, which may nest.
fn block_comment<'s>(lex: &mut Lexer<'s, Token<'s>>) -> FilterResult<(), LexError> {
    let rest = lex.remainder().as_bytes();
    let mut depth = 1;
    let mut i = 0;
    while i + 1 < rest.len() {
        match (rest[i], rest[i + 1]) {
            (b'|', b'#') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    lex.bump(i);
                    return FilterResult::Skip;
                }
            }
            (b'#', b'|') => {
                depth += 1;
                i += 2;
            }
            _ => i += 1,
        }
    }
    lex.bump(rest.len());
    FilterResult::Error(LexError::UnterminatedComment)
}

fn string_literal<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<String, LexError> {
    let body = &lex.slice()[1..lex.slice().len() - 1];
    unescape(body, '"')
}

fn bar_symbol<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<String, LexError> {
    let body = &lex.slice()[1..lex.slice().len() - 1];
    unescape(body, '|')
}

/// Processes the escapes of a string or `|symbol|` body.
fn unescape(body: &str, quote: char) -> Result<String, LexError> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            return Err(LexError::BadEscape("\\".into()));
        };
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            '"' | '\\' | '|' => out.push(e),
            'x' | 'X' => {
                let hex: String = chars.by_ref().take_while(|&c| c != ';').collect();
                let code = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.push(code.ok_or_else(|| LexError::BadEscape(format!("\\x{hex};")))?);
            }
            // A line continuation: `\`, spaces, a newline, spaces.
            ' ' | '\t' | '\n' | '\r' if quote == '"' => {
                let mut saw_newline = e == '\n';
                while let Some(&c) = chars.peek() {
                    if c == '\n' && !saw_newline {
                        saw_newline = true;
                    } else if c != ' ' && c != '\t' && c != '\r' {
                        break;
                    }
                    chars.next();
                }
                if !saw_newline {
                    return Err(LexError::BadEscape(format!("\\{e}")));
                }
            }
            other => return Err(LexError::BadEscape(format!("\\{other}"))),
        }
    }
    Ok(out)
}

fn char_literal<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<char, LexError> {
    let body = &lex.slice()[2..];
    let mut chars = body.chars();
    let first = chars.next().ok_or(LexError::BadChar(String::new()))?;
    if chars.as_str().is_empty() {
        return Ok(first);
    }
    if let Some(c) = char_from_name(body).or_else(|| char_from_name(&body.to_ascii_lowercase())) {
        return Ok(c);
    }
    if let Some(hex) = body.strip_prefix(['x', 'X']) {
        if let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
            return Ok(c);
        }
    }
    Err(LexError::BadChar(body.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(text: &str) -> Vec<Result<Token<'_>, LexError>> {
        Token::lexer(text).collect()
    }

    #[test]
    fn tokens_of_r7rs_syntax() {
        use Token::*;
        let cases: Vec<(&str, Vec<Token>)> = vec![
            (
                "(a . b)",
                vec![OpenParen, Atom("a"), Dot, Atom("b"), CloseParen],
            ),
            (
                "#(1 #u8( [x]",
                vec![
                    VectorOpen,
                    Atom("1"),
                    BytevectorOpen,
                    OpenBracket,
                    Atom("x"),
                    CloseBracket,
                ],
            ),
            (
                "'a `b ,c ,@d",
                vec![
                    Quote,
                    Atom("a"),
                    Quasiquote,
                    Atom("b"),
                    Unquote,
                    Atom("c"),
                    UnquoteSplicing,
                    Atom("d"),
                ],
            ),
            (
                "#t #false #x1F",
                vec![HashAtom("#t"), HashAtom("#false"), HashAtom("#x1F")],
            ),
            (
                "... .5 -> a.b",
                vec![Atom("..."), Atom(".5"), Atom("->"), Atom("a.b")],
            ),
            (
                "#\\a #\\space #\\x41 #\\( #\\)",
                vec![Char('a'), Char(' '), Char('A'), Char('('), Char(')')],
            ),
            ("#\\x #\\λ", vec![Char('x'), Char('λ')]),
            (r#""a\tb\x41;\"""#, vec![String("a\tbA\"".into())]),
            (
                "\"line \\\n    continued\"",
                vec![String("line continued".into())],
            ),
            (
                "|hello world| |a\\|b|",
                vec![BarSymbol("hello world".into()), BarSymbol("a|b".into())],
            ),
            ("a ; comment\n b", vec![Atom("a"), Atom("b")]),
            (
                "a #| outer #| inner |# still |# b",
                vec![Atom("a"), Atom("b")],
            ),
            (
                "#;(x) y",
                vec![DatumComment, OpenParen, Atom("x"), CloseParen, Atom("y")],
            ),
            ("λ→", vec![Atom("λ→")]),
        ];
        for (text, want) in cases {
            let got: Vec<Token> = lex(text).into_iter().map(|t| t.unwrap()).collect();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn bad_tokens_name_the_problem() {
        let cases = [
            ("\"abc", LexError::UnterminatedString),
            ("\"abc\\", LexError::UnterminatedString),
            ("#| never closed", LexError::UnterminatedComment),
            ("|abc", LexError::UnterminatedSymbol),
            ("#\\bogus", LexError::BadChar("bogus".into())),
            ("\"\\q\"", LexError::BadEscape("\\q".into())),
            ("\"\\x110000;\"", LexError::BadEscape("\\x110000;".into())),
        ];
        for (text, want) in cases {
            let errors: Vec<LexError> = lex(text).into_iter().filter_map(|t| t.err()).collect();
            assert_eq!(errors.first(), Some(&want), "{text}");
        }
    }
}
