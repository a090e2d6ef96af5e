//! How an uncaught error looks: the message and irritants, `file:line:col`, the source
//! lines it points at, and the Scheme backtrace.

use ariadne::{Color, Config, Label, Report, ReportKind, Source};
use rudo_lang::Error;

/// Writes `e` to stderr.
pub fn report(e: &Error, color: bool) {
    eprintln!("{e}");
    if let Some(span) = &e.span {
        let name = span.file.name.as_str();
        let end = span
            .end
            .max(span.start + 1)
            .min(span.file.text.len().max(span.start));
        let snippet = Report::build(
            ReportKind::Custom("raised here", Color::Red),
            (name, span.start..end),
        )
        .with_config(Config::default().with_color(color))
        .with_label(Label::new((name, span.start..end)).with_message(short(e)))
        .finish();
        let _ = snippet.eprint((name, Source::from(span.file.text.as_str())));
    }
    if !e.backtrace.is_empty() {
        eprintln!("backtrace:");
        for line in &e.backtrace {
            eprintln!("  {line}");
        }
    }
}

fn short(e: &Error) -> String {
    let text = e.describe();
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text,
    }
}
