//! `protokol bench …`: performance figures, each printed next to a baseline measured in the
//! same run on the same data.

mod import;
mod quality;
mod render;
mod search;
mod serve;
mod structured;

pub use import::import;
pub use quality::quality;
pub use render::render;
pub use search::{reader as search_reader, search};
pub use serve::{serve, static_files};

pub(crate) const BODIES: [(&str, &str); 6] = [
    ("Direktionen", "DIR"),
    ("Økonomiudvalget", "ØK"),
    ("Kommunalbestyrelsen", "KB"),
    ("Børne- og Ungdomsudvalget", "BUU"),
    ("Miljø- og Teknikudvalget", "MTU"),
    ("Kultur- og Fritidsudvalget", "KFU"),
];
pub(crate) const NAMES: [&str; 8] = [
    "Hanne Kjærgaard",
    "Søren Østergaard",
    "Birgitte Åberg",
    "Jens Peter Mølgaard",
    "Anne-Mette Due",
    "Thomas Brøndum",
    "Lise Vestergaard",
    "Mads Højbjerg",
];
/// A small deterministic generator, so every run benchmarks the same corpus.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub(crate) fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[(self.next() as usize) % v.len()]
    }
}

/// The PostgreSQL server the benchmarks compare with: `PROTOKOL_BENCH_POSTGRES_URL`, else
/// the local test database.
pub(crate) fn postgres_url() -> String {
    std::env::var("PROTOKOL_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}
