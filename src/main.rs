//! rudo-scheme: the command line.

fn main() {
    eprintln!("rudo-scheme: the language is not built yet; try `cargo run --release --example collector_tour`");
    std::process::exit(64);
}
