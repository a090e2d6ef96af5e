//! Reader tests: one helper that prints datums back, many small cases.

use super::*;

fn file(text: &str) -> Arc<SourceFile> {
    SourceFile::new("test.scm", text)
}

/// Datums written back in a canonical form, to compare against expectations.
fn show(d: &Datum) -> String {
    let all = |items: &[Datum]| items.iter().map(show).collect::<Vec<_>>().join(" ");
    match &d.kind {
        DatumKind::Number(n) => n.to_string(),
        DatumKind::Boolean(b) => if *b { "#t" } else { "#f" }.into(),
        DatumKind::Char(c) => format!("#\\{{{}}}", *c as u32),
        DatumKind::String(s) => format!("{s:?}"),
        DatumKind::Symbol(s) => format!("sym:{s}"),
        DatumKind::List(items, None) => format!("({})", all(items)),
        DatumKind::List(items, Some(tail)) => format!("({} . {})", all(items), show(tail)),
        DatumKind::Vector(items) => format!("#({})", all(items)),
        DatumKind::Bytevector(b) => format!("#u8{b:?}"),
        DatumKind::Value(v) => format!("{v:?}"),
        DatumKind::Labeled(n, d) => format!("#{n}={}", show(d)),
        DatumKind::LabelRef(n) => format!("#{n}#"),
    }
}

fn read(text: &str) -> Result<String, ReadError> {
    let datums = read_all(&file(text), DEFAULT_MAX_DEPTH)?;
    Ok(datums.iter().map(show).collect::<Vec<_>>().join(" "))
}

#[test]
fn reads_r7rs_datums() {
    let cases = [
        ("42 -7 #x-ff 1/2 1.5 +inf.0", "42 -7 -255 1/2 1.5 +inf.0"),
        ("#t #f #true #false", "#t #f #t #f"),
        ("#\\a #\\newline #\\x3bb", "#\\{97} #\\{10} #\\{955}"),
        (r#""a\nb""#, r#""a\nb""#),
        ("abc |a b| + - ... ->x", "sym:abc sym:a b sym:+ sym:- sym:... sym:->x"),
        ("(1 2 . 3)", "(1 2 . 3)"),
        ("(1 . (2 3))", "(1 2 3)"),
        ("(1 . ())", "(1)"),
        ("(1 . (2 . 3))", "(1 2 . 3)"),
        ("[a b]", "(sym:a sym:b)"),
        ("#(1 #(2)) #u8(0 255)", "#(1 #(2)) #u8[0, 255]"),
        ("'a `(b ,c ,@d)", "(sym:quote sym:a) (sym:quasiquote (sym:b (sym:unquote sym:c) (sym:unquote-splicing sym:d)))"),
        ("(a #;(hidden) b #; #; x y c)", "(sym:a sym:b sym:c)"),
        ("(a . #;x b)", "(sym:a . sym:b)"),
        ("#| a #| nested |# comment |# x ; line\n y", "sym:x sym:y"),
        ("()", "()"),
        ("", ""),
        ("#0=(a . #0#) (#1=x #1#)", "#0=(sym:a . #0#) (#1=sym:x #1#)"),
        ("#2= #;c #(#2#)", "#2=#(#2#)"),
        ("1+2i +i 1@0 1s2", "1+2i +i 1 100.0"),
    ];
    for (text, want) in cases {
        assert_eq!(
            read(text).unwrap_or_else(|e| panic!("{text}: {e}")),
            want,
            "{text}"
        );
    }
}

#[test]
fn bad_input_names_the_problem_and_position() {
    let cases = [
        ("(a b", "1:1", "`(` is never closed", true),
        ("(a\n  #(b", "2:3", "`#(` is never closed", true),
        ("(a\n  b))", "2:5", "unexpected `)`", false),
        (")", "1:1", "unexpected `)`", false),
        ("(a]", "1:3", "`]` does not match the `(` at 1:1", false),
        ("\"abc", "1:1", "unterminated string", true),
        ("#| abc", "1:1", "unterminated block comment", true),
        ("(. a)", "1:2", "unexpected `.`", false),
        ("(a . b c)", "1:8", "unexpected `sym`", false),
        ("#u8(1 300)", "1:7", "integers from 0 to 255", false),
        ("#\\nosuch", "1:1", "unknown character name", false),
        ("#q", "1:1", "unknown syntax `#q`", false),
        ("'", "1:2", "a datum is missing", true),
        (
            "(#1#)",
            "1:2",
            "`#1#` refers to no datum labelled `#1=` before it",
            false,
        ),
        (
            "(#1=a) #1#",
            "1:8",
            "`#1#` refers to no datum labelled",
            false,
        ),
        ("#0=#1=#0#", "1:1", "labels nothing but itself", false),
        ("#12abc", "1:1", "unknown syntax `#12abc`", false),
        (
            "#99999999999999999999999=a",
            "1:1",
            "datum label number too large",
            false,
        ),
    ];
    for (text, at, message, incomplete) in cases {
        let e = read(text).expect_err(text);
        let (line, col) = e.span.file.line_col(e.span.start);
        let message = message.replace("`sym`", "`c`");
        assert_eq!(format!("{line}:{col}"), at, "{text}: {e}");
        assert!(e.message.contains(&message), "{text}: {e}");
        assert_eq!(e.incomplete, incomplete, "{text}: {e}");
        assert!(e
            .to_string()
            .starts_with(&format!("test.scm:{at}: read error: ")));
    }
}

#[test]
fn spans_point_at_each_datum() {
    let f = file("(define x\n  \"s\")");
    let datums = read_all(&f, DEFAULT_MAX_DEPTH).unwrap();
    let items = datums[0].list().unwrap();
    let at = |d: &Datum| d.span.file.line_col(d.span.start);
    assert_eq!(at(&datums[0]), (1, 1));
    assert_eq!(at(&items[1]), (1, 9));
    assert_eq!(at(&items[2]), (2, 3));
}

#[test]
fn nesting_past_the_limit_is_an_error_not_a_crash() {
    let deep = 1_000_000;
    for (open, close) in [("(", ")"), ("#(", ")"), ("'", "")] {
        let text = format!("{}x{}", open.repeat(deep), close.repeat(deep));
        let e = read_all(&file(&text), DEFAULT_MAX_DEPTH).unwrap_err();
        assert!(e.message.contains("nesting deeper than"), "{e}");
    }
    let ok = format!("{}x{}", "(".repeat(100), ")".repeat(100));
    assert!(read_all(&file(&ok), 100).is_ok());
    assert!(read_all(&file(&ok), 99).is_err());
    // Siblings do not add up: a long flat list is shallow.
    let wide = format!("({})", "'x ".repeat(100_000));
    assert!(read_all(&file(&wide), 10).is_ok());
}
