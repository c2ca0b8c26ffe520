//! `protokol bench import`: generates a corpus of published documents by varying the seed
//! layouts (bodies, dates, item counts, names), imports it into a fresh SQLite store and
//! prints throughput, with parsing and storing timed apart, peak memory, and the share of
//! PDF import time spent in text extraction. Each figure is printed next to a baseline
//! measured in the same run on the same data. The structured sources (FirstAgenda JSON,
//! `<Publication>` and eDoc XML) follow, in meetings/s next to the text path's rate.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use protokol_import::{CHUNK, Options, collect_files, import_files};
use protokol_store::Store;
use sqlx::Executor;

use super::{BODIES, Lcg, NAMES};

const SEED_EXTRACTS: [(&str, &str); 4] = [
    (
        "000",
        include_str!("../../../../data/seeds/000_0ef5c3c12aec06f5.txt"),
    ),
    (
        "002",
        include_str!("../../../../data/seeds/002_ef3a42c2608d16e4.txt"),
    ),
    (
        "003",
        include_str!("../../../../data/seeds/003_1ec1f7131ba27905.txt"),
    ),
    (
        "004",
        include_str!("../../../../data/seeds/004_5a15051c82002224.txt"),
    ),
];
const SEED_DATES: [&str; 4] = ["06-09-2023", "13-09-2023", "24-01-2024", "15-05-2024"];

const SEED_NAMES: [&str; 4] = [
    "Mette Løvholm",
    "Nicklas Healy",
    "Vicki Nygaard Svendsen",
    "Bettina Andersen",
];
const WEEKDAYS: [&str; 7] = [
    "Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag",
];

/// The generated corpora's dates: one a day from 2 January 2008.
pub(super) fn date_of(i: usize) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2008, 1, 2).unwrap_or_default()
        + chrono::Duration::days(i as i64)
}

/// A single-item extract: a seed extract with another body, date and names.
fn extract(rng: &mut Lcg, i: usize) -> String {
    let k = (rng.next() as usize) % SEED_EXTRACTS.len();
    let (body, code) = rng.pick(&BODIES);
    let d = date_of(i);
    let mut text = SEED_EXTRACTS[k]
        .1
        .replace(SEED_DATES[k], &d.format("%d-%m-%Y").to_string())
        .replace("Direktionen", body)
        .replace("\nDIR \n", &format!("\n{code} \n"));
    for n in SEED_NAMES {
        text = text.replace(n, rng.pick(&NAMES));
    }
    text
}

/// A full agenda or minutes with a front page and 1–30 numbered items.
fn full_document(rng: &mut Lcg, i: usize) -> String {
    use chrono::Datelike;
    let (body, code) = rng.pick(&BODIES);
    let d = date_of(i);
    let minutes = rng.next().is_multiple_of(2);
    let items = 1 + (rng.next() as usize) % 30;
    let mut s = format!(
        "{body}\n\n{}\n\nSted: Mødelokale {}, rådhuset\n\nDato: {} den {}\n\nStart kl.: 9:00\n\nSlut kl.: 12:00\n\nMedlemmer: Formand {}\n{} (A)\n{} (V)\n\nFraværende:\n\nIndholdsfortegnelse\n\n",
        if minutes { "REFERAT" } else { "DAGSORDEN" },
        100 + rng.next() % 200,
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        protokol_core::danish::day_month_year(d),
        rng.pick(&NAMES),
        rng.pick(&NAMES),
        rng.pick(&NAMES),
    );
    for n in 1..=items {
        s.push_str(&format!("{n}. Sag nummer {n} om budget og drift\t{n}\n"));
    }
    for n in 1..=items {
        let who = rng.pick(&NAMES);
        s.push_str(&format!(
            "\n{n}. Sag nummer {n} om budget og drift\n\n{}\n\nSagsgang\n\n{code}\n\nSagsfremstilling\n\n{}\n\nØkonomiske konsekvenser\n\nSagen har ingen økonomiske konsekvenser ud over det budgetterede.\n\nIndstilling\n\nDet indstilles, at sagen godkendes.\n",
            if rng.next().is_multiple_of(10) { "Lukket sag" } else { "Åben sag" },
            "Forvaltningen har udarbejdet et oplæg om sagens baggrund, de økonomiske rammer og den videre proces. Oplægget tager afsæt i budgetaftalen og de politiske målsætninger for området. ".repeat(1 + (rng.next() as usize) % 6),
        ));
        if minutes {
            s.push_str(&format!(
                "\nBeslutning i {body} den {}\n\nGodkendt. Chefkonsulent {who} deltog under behandlingen af punktet. Økonomichef {} følger op.\n",
                d.format("%d-%m-%Y"),
                rng.pick(&NAMES)
            ));
        }
        s.push_str(&format!(
            "\nBilag:\n\n1 - {} Åben Notat om sag {n} ({}/{}) (H)\n2 -  Lukket Bilag til sag {n} () ()\n",
            3_000_000 + rng.next() % 900_000,
            10_000 + rng.next() % 90_000,
            d.format("%y")
        ));
    }
    s
}

pub(crate) fn peak_rss_mb() -> f64 {
    status_mb("VmHWM:")
}

/// A memory figure of this process from /proc/self/status ("VmRSS:", "RssAnon:" for the
/// heap, "RssFile:" for mapped files), in MB (0 where not known).
pub(crate) fn status_mb(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn per_sec(n: f64, d: Duration) -> f64 {
    n / d.as_secs_f64().max(1e-9)
}

/// Generates `docs` documents into `dir`; returns their total size in bytes.
fn generate(dir: &Path, docs: usize) -> Result<u64> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Lcg(20231106);
    let mut total = 0;
    for i in 0..docs {
        let text = if i.is_multiple_of(2) {
            extract(&mut rng, i)
        } else {
            full_document(&mut rng, i)
        };
        total += text.len() as u64;
        let path = dir.join(format!("doc-{i:06}.txt"));
        let mut f = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.write_all(text.as_bytes())?;
    }
    Ok(total)
}

/// Baseline for parsing: reading and decoding the same files, nothing understood.
fn read_baseline(files: &[PathBuf]) -> Duration {
    use rayon::prelude::*;
    let t = Instant::now();
    let n: usize = files
        .par_iter()
        .map(|p| {
            std::fs::read(p)
                .map(|b| String::from_utf8_lossy(&b).lines().count())
                .unwrap_or(0)
        })
        .sum();
    std::hint::black_box(n);
    t.elapsed()
}

/// The parser alone on one core: each file read, decoded and dropped untimed, only
/// `parse_document` timed, one file at a time on this thread.
fn parse_one_core(files: &[PathBuf]) -> (Duration, u64) {
    let mut parsing = Duration::ZERO;
    let mut bytes = 0;
    for p in files {
        let Ok(raw) = std::fs::read(p) else { continue };
        let text = String::from_utf8_lossy(&raw);
        bytes += text.len() as u64;
        let t = Instant::now();
        let parsed = protokol_parse::parse_document(&text, "bench");
        parsing += t.elapsed();
        std::hint::black_box(parsed.is_ok());
    }
    (parsing, bytes)
}

/// Baseline for the machine's parallel speed-up: SHA-256 over the same files on one thread
/// and on all of rayon's threads (pure CPU work, no allocation). Returns the MB/s of each.
fn hash_scaling(files: &[PathBuf]) -> (f64, f64) {
    use rayon::prelude::*;
    use sha2::{Digest, Sha256};
    let texts: Vec<Vec<u8>> = files
        .iter()
        .take(2000)
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let rounds = 4;
    let t = Instant::now();
    for _ in 0..rounds {
        for x in &texts {
            std::hint::black_box(Sha256::digest(x));
        }
    }
    let one = t.elapsed();
    let t = Instant::now();
    for _ in 0..rounds {
        texts.par_iter().for_each(|x| {
            std::hint::black_box(Sha256::digest(x));
        });
    }
    let all = t.elapsed();
    let total = mb(bytes * rounds);
    (per_sec(total, one), per_sec(total, all))
}

/// Baseline for storing: the same number of meetings written as one JSON blob per row into
/// a plain SQLite table, one transaction per meeting.
async fn store_baseline(dir: &Path, meetings: usize) -> Result<Duration> {
    let url = format!("sqlite://{}?mode=rwc", dir.join("baseline.db").display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await?;
    pool.execute("PRAGMA journal_mode = WAL").await?;
    pool.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .await?;
    let t = Instant::now();
    let text = "x".repeat(2000);
    for i in 0..meetings {
        // Made one at a time, so the baseline holds no more in memory than the import.
        let blob = format!("{{\"n\":{i},\"text\":\"{text}\"}}");
        let mut tx = pool.begin().await?;
        sqlx::query("INSERT INTO blobs (body) VALUES ($1)")
            .bind(blob)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let d = t.elapsed();
    pool.close().await;
    Ok(d)
}

pub async fn import(
    docs: usize,
    pdf_copies: usize,
    keep: Option<PathBuf>,
    structured: usize,
    shared: PathBuf,
) -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let corpus = keep.unwrap_or_else(|| tmp.path().join("corpus"));
    println!("Generating {docs} documents …");
    let bytes = generate(&corpus, docs)?;
    let files = collect_files(std::slice::from_ref(&corpus)).files;
    println!(
        "  {} files, {:.1} MB; peak memory so far {:.0} MB",
        files.len(),
        mb(bytes),
        peak_rss_mb()
    );

    let store = Store::open_for_bulk(&format!(
        "sqlite://{}?mode=rwc",
        tmp.path().join("protokol.db").display()
    ))
    .await?;
    let threads = rayon::current_num_threads();
    let t = Instant::now();
    let run = import_files(&store, &files, &Options::default(), |_| {}).await;
    let total = t.elapsed();
    // The high-water mark now, before the baselines below add their own.
    let import_peak = peak_rss_mb();
    let failed = run.summary.failed;
    let meetings = store.meeting_count().await? as f64;
    let parse_cpu = run.timings.parse;
    let read_wall = read_baseline(&files);

    println!(
        "\nImport of {} documents ({:.1} MB) into a fresh SQLite store, {threads} threads:",
        files.len(),
        mb(bytes)
    );
    println!("  failed files            {failed}");
    println!(
        "  total                   {:.2} s, {:.0} documents/s",
        total.as_secs_f64(),
        per_sec(files.len() as f64, total)
    );
    println!(
        "  parsing (read+parse)    {:.2} s wall: {:.0} documents/s, {:.1} MB/s, {:.1} MB/s per core",
        run.parse_wall.as_secs_f64(),
        per_sec(files.len() as f64, run.parse_wall),
        per_sec(mb(bytes), run.parse_wall),
        per_sec(mb(bytes), run.parse_wall) / threads as f64
    );
    println!(
        "  parser in the import    {:.1} MB/s per thread (time in parse_document, {threads} threads at once)",
        per_sec(mb(bytes), parse_cpu)
    );
    let (one_core, one_bytes) = parse_one_core(&files);
    println!(
        "  parser on one core      {:.1} MB/s (the same files parsed one at a time on one thread)   target ≥ 50 MB/s per core",
        per_sec(mb(one_bytes), one_core)
    );
    let (hash_one, hash_all) = hash_scaling(&files);
    println!(
        "  baseline: SHA-256       {hash_one:.0} MB/s on one thread, {hash_all:.0} MB/s on {threads}: this machine runs {threads} threads {:.2}× as fast as one",
        hash_all / hash_one.max(1e-9)
    );
    println!(
        "  baseline: read+decode   {:.2} s wall ({:.0} MB/s); parsing costs {:.1}× reading",
        read_wall.as_secs_f64(),
        per_sec(mb(bytes), read_wall),
        run.parse_wall.as_secs_f64() / read_wall.as_secs_f64().max(1e-9)
    );
    println!(
        "  storing                 {:.2} s: {:.0} meetings/s ({} meetings)   target ≥ 500 meetings/s",
        run.store_wall.as_secs_f64(),
        per_sec(meetings, run.store_wall),
        meetings
    );
    let base = store_baseline(tmp.path(), meetings as usize).await?;
    println!(
        "  baseline: JSON blobs    {:.2} s: {:.0} rows/s; storing a meeting costs {:.1}× a blob row",
        base.as_secs_f64(),
        per_sec(meetings, base),
        run.store_wall.as_secs_f64() / base.as_secs_f64().max(1e-9)
    );
    println!(
        "  peak memory             {import_peak:.0} MB during the import (files are read and parsed {CHUNK} at a time; reports are not kept)",
    );

    // PDF: the committed seed PDFs, copied under distinct names.
    let pdfs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/seeds-pdf");
    if pdf_copies > 0 && pdfs.is_dir() {
        let pdir = tmp.path().join("pdf");
        std::fs::create_dir_all(&pdir)?;
        let mut n = 0;
        for e in std::fs::read_dir(&pdfs)? {
            let p = e?.path();
            for c in 0..pdf_copies {
                std::fs::copy(
                    &p,
                    pdir.join(format!(
                        "{c:04}-{}",
                        p.file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    )),
                )?;
                n += 1;
            }
        }
        let pfiles = collect_files(&[pdir]).files;
        let opts = Options {
            dry_run: true,
            ..Options::default()
        };
        let prun = import_files(&store, &pfiles, &opts, |_| {}).await;
        let extract = prun.timings.extract;
        let work = prun.timings.read + prun.timings.extract + prun.timings.parse;
        println!(
            "\nPDF: {n} files, {:.0} documents/s parsed; text extraction is {:.0}% of reading+extracting+parsing ({})",
            per_sec(n as f64, prun.parse_wall),
            100.0 * extract.as_secs_f64() / work.as_secs_f64().max(1e-9),
            if prun.summary.failed < prun.summary.files {
                "pdftotext"
            } else {
                "all failed"
            }
        );
    }
    store.close().await;
    if structured > 0 {
        let text_rate = per_sec(files.len() as f64, total);
        super::structured::structured(tmp.path(), structured, &shared, text_rate).await?;
    }
    Ok(())
}
