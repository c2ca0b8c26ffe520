//! Parses every file given (or in the folders given) single-threaded and prints MB/s:
//! a quick way to profile the parser (`cargo run --release -p protokol-parse --example
//! parse_many -- DIR`).

fn main() {
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        let p = std::path::PathBuf::from(a);
        if p.is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(&p)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            v.sort();
            files.extend(v);
        } else {
            files.push(p);
        }
    }
    let texts: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let t = std::time::Instant::now();
    let ok = texts
        .iter()
        .filter(|t| protokol_parse::parse_document(t, "x").is_ok())
        .count();
    let s = t.elapsed().as_secs_f64();
    println!(
        "{} files ({ok} ok), {:.1} MB in {s:.2} s: {:.1} MB/s",
        texts.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / s
    );
}
