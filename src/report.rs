//! How an uncaught error looks: the message and irritants, the source lines it points at
//! with their `file:line:col`, and the Scheme backtrace.

use ariadne::{Config, Label, Report, ReportKind, Source};
use std::io::Write;

use rudo_lang::{Error, ErrorKind};

/// Exit status of a program that could not write its output (EX_IOERR).
pub const EXIT_OUTPUT: i32 = 74;

/// Exit status of a program whose standard output's reader went away: what a shell shows
/// for a process SIGPIPE killed, and said nothing about it.
pub const EXIT_BROKEN_PIPE: i32 = 128 + 13;

/// The exit status of a program a signal stopped: 128 plus its number, as a shell
/// reports a process the signal killed.
pub fn signal_status(signal: i32) -> i32 {
    128 + signal
}

/// The status a program ends with when its output failed (`ErrorKind::Output`, or a file
/// port that could not be flushed at exit), after saying why unless the pipe was
/// closed.
pub fn output_failure(e: &Error) -> i32 {
    if e.kind == (ErrorKind::Output { broken_pipe: true }) {
        return EXIT_BROKEN_PIPE;
    }
    let _ = writeln!(std::io::stderr(), "rudo-scheme: {}", e.message);
    EXIT_OUTPUT
}

/// Reports an error that reached the top level on standard error, with where it was
/// raised and the calls that led there. Standard error's own failures are ignored:
/// there is nowhere left to report them.
pub fn report(e: &Error, color: bool) {
    match &e.span {
        Some(span) if line_of(&span.file.text, span.start).len() > MAX_SNIPPET_LINE => {
            let _ = writeln!(std::io::stderr(), "Error: {}\n  --> {span}", e.headline());
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
        None => {
            let _ = writeln!(std::io::stderr(), "Error: {}", e.headline());
        }
    }
    if !e.backtrace.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "backtrace:");
        for line in &e.backtrace {
            let _ = writeln!(err, "  {line}");
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
