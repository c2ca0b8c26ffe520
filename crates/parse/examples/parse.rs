//! Prints what the parser understands of a document, as protokol.meeting/1 JSON, followed
//! by its warnings: `cargo run -p protokol-parse --example parse -- FILE.txt`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    match protokol_parse::parse_document(&text, &path) {
        Ok(p) => {
            print!("{}", protokol_core::exchange::to_json(&p.meeting));
            eprintln!("layout: {}", p.layout.as_str());
            for w in p.warnings {
                eprintln!("line {}: {}", w.line, w.message);
            }
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
