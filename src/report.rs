//! How an uncaught error looks: the message and irritants, the source lines it points at
//! with their `file:line:col`, and the Scheme backtrace.

use ariadne::{Config, Label, Report, ReportKind, Source};
use rudo_lang::Error;

/// Writes `e` to stderr.
pub fn report(e: &Error, color: bool) {
    match &e.span {
        Some(span) if line_of(&span.file.text, span.start).len() > MAX_SNIPPET_LINE => {
            eprintln!("Error: {}\n  --> {span}", e.headline());
        }
        Some(span) => {
            let name = span.file.name.as_str();
            let end = span
                .end
                .max(span.start + 1)
                .min(span.file.text.len().max(span.start));
            let snippet = Report::build(ReportKind::Error, (name, span.start..end))
                .with_config(Config::default().with_color(color))
                .with_message(e.headline())
                .with_label(Label::new((name, span.start..end)).with_message(short(e)))
                .finish();
            let _ = snippet.eprint((name, Source::from(span.file.text.as_str())));
        }
        None => eprintln!("Error: {}", e.headline()),
    }
    if !e.backtrace.is_empty() {
        eprintln!("backtrace:");
        for line in &e.backtrace {
            eprintln!("  {line}");
        }
    }
}

/// Lines longer than this are not quoted: the location is given alone.
const MAX_SNIPPET_LINE: usize = 400;

fn line_of(text: &str, offset: usize) -> &str {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    text[start..].lines().next().unwrap_or("")
}

fn short(e: &Error) -> String {
    let text = e.describe();
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text,
    }
}
