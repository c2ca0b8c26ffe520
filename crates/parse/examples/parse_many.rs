//! Parses every file given (or in the folders given) single-threaded and prints MB/s:
//! a quick way to profile the parser (`cargo run --release -p protokol-parse --example
//! parse_many -- DIR`). With `--digest` it also prints a digest of everything parsed
//! (meetings, layouts, warnings and errors), so a speed-up can be checked to change nothing.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hash::{DefaultHasher, Hash, Hasher};

fn main() {
    let mut files = Vec::new();
    let mut digest = false;
    for a in std::env::args().skip(1) {
        if a == "--digest" {
            digest = true;
            continue;
        }
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
    // Each result is dropped (after adding it to the digest) before the next file, as in
    // an import; the digest's formatting is timed apart.
    let mut h = DefaultHasher::new();
    let mut ok = 0;
    let mut parsing = std::time::Duration::ZERO;
    for t in &texts {
        let start = std::time::Instant::now();
        let r = protokol_parse::parse_document(t, "x");
        parsing += start.elapsed();
        ok += usize::from(r.is_ok());
        if digest {
            match &r {
                Ok(p) => format!("{:?} {:?} {:?}", p.meeting, p.layout, p.warnings).hash(&mut h),
                Err(e) => e.to_string().hash(&mut h),
            }
        }
    }
    let s = parsing.as_secs_f64();
    println!(
        "{} files ({ok} ok), {:.1} MB in {s:.2} s: {:.1} MB/s",
        texts.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / s
    );
    if digest {
        println!("digest {:016x}", h.finish());
    }
}
