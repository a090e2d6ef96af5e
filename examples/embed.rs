//! A host program: Rust gives Scheme a function, Scheme gives Rust a procedure back, and
//! each calls the other.
//!
//!     cargo run --release --example embed

use rudo::{Engine, List, Root, SchemeError};

fn main() -> Result<(), SchemeError> {
    let mut engine = Engine::new();

    // A Rust callback: Scheme calls it with checked, converted arguments.
    engine.register("word-count", |text: String| {
        text.split_whitespace().count() as i64
    });

    // A Scheme callback: Rust holds the procedure as a Root and calls it.
    let longest: Root = engine.eval(
        "(lambda (lines)
           (let loop ((lines lines) (best \"\") (most -1))
             (cond ((null? lines) best)
                   ((> (word-count (car lines)) most)
                    (loop (cdr lines) (car lines) (word-count (car lines))))
                   (else (loop (cdr lines) best most)))))",
    )?;
    let lines = List(vec![
        "a small Scheme".to_string(),
        "whose every value lives in its own collector".to_string(),
        "written in Rust".to_string(),
    ]);
    let best: String = engine.call(&longest, (lines,))?;
    println!("the line with the most words: {best}");

    // Errors come back with their position and backtrace.
    if let Err(e) = engine.eval::<i64>("(word-count 42)") {
        println!("as expected: {e}");
    }
    Ok(())
}
