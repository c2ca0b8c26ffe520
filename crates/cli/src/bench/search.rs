//! `protokol bench search`: a generated corpus of Danish sections indexed by protokol's
//! search and, in the same run, by SQLite FTS5 (unicode61) and PostgreSQL's `danish` text
//! search (tsvector + GIN, ts_rank) where reachable; the same queries against each, top 10
//! with snippets, and the figures side by side.

use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::NaiveDate;
use protokol_search::{Audience, Entry, Part, Place, Request, Results, Search, SearchIndex};
use sqlx::{Connection, Row};

use super::Lcg;

/// Words of municipal minutes (from the seeds' vocabulary), the most common first.
const COMMON: &[&str] = &[
    "kommunen",
    "sagen",
    "direktionen",
    "indstillingen",
    "godkendt",
    "orientering",
    "møde",
    "budget",
    "økonomi",
    "borgere",
    "område",
    "forslag",
    "plan",
    "udvalget",
    "byrådet",
    "beslutning",
    "skole",
    "ældre",
    "børn",
    "vej",
    "projekt",
    "høring",
    "politik",
    "strategi",
    "aftale",
    "kontrakt",
    "medarbejdere",
    "centret",
    "administrationen",
    "tilskud",
    "anlæg",
    "drift",
    "regnskab",
    "bevilling",
    "lokalplan",
    "klima",
    "vand",
    "natur",
    "miljø",
    "trafik",
    "kultur",
    "fritid",
    "sundhed",
    "beskæftigelse",
    "erhverv",
    "bolig",
    "havn",
    "sti",
    "cykel",
    "bygning",
    "renovering",
    "energi",
    "affald",
    "kollektiv",
    "busdrift",
    "digitalisering",
    "rekruttering",
    "sygefravær",
    "tilsyn",
    "handleplan",
    "kvalitet",
    "rapport",
    "status",
    "opfølgning",
    "evaluering",
    "udvikling",
    "samarbejde",
];
const FILLER: &[&str] = &[
    "og", "i", "at", "det", "en", "til", "er", "som", "på", "de", "med", "for", "af", "den", "der",
    "ikke", "blev", "har", "vil", "skal", "kan", "om", "efter", "mellem", "ved",
];
const LINKED: &[&str] = &["", "s", "e"];

/// A Zipf-like pick: index i with weight 1/(i+1).
fn zipf(rng: &mut Lcg, n: usize) -> usize {
    // Inverse of the harmonic CDF, approximated: exp(u * ln(n+1)) - 1.
    let u = (rng.next() % 1_000_000) as f64 / 1_000_000.0;
    let i = ((u * ((n + 1) as f64).ln()).exp() - 1.0) as usize;
    i.min(n - 1)
}

struct Corpus {
    vocabulary: Vec<String>,
    sections: Vec<String>,
    numbers: Vec<String>,
    bytes: u64,
}

fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = COMMON.iter().map(|s| s.to_string()).collect();
    // Nouns of the Danish word list, when installed, as the long tail.
    if let Ok(text) = std::fs::read_to_string(protokol_search::compounds::SYSTEM_DICTIONARY) {
        let mut rng = Lcg(7);
        for line in text.lines().skip(1) {
            let Some((w, flags)) = line.split_once('/') else {
                continue;
            };
            if flags.split(',').any(|f| f == "39")
                && w.chars().all(|c| c.is_lowercase())
                && (4..=12).contains(&w.chars().count())
                && rng.next().is_multiple_of(4)
            {
                words.push(w.to_string());
            }
            if words.len() >= 40_000 {
                break;
            }
        }
    }
    words
}

fn generate(n: usize) -> Corpus {
    let vocabulary = vocabulary();
    let mut rng = Lcg(42);
    let mut sections = Vec::with_capacity(n);
    let mut numbers = Vec::new();
    let mut bytes = 0u64;
    for k in 0..n {
        let len = 20 + (rng.next() % 60) as usize;
        let mut s = String::with_capacity(len * 8);
        for w in 0..len {
            if w > 0 {
                s.push(' ');
            }
            let r = rng.next() % 100;
            if r < 35 {
                s.push_str(rng.pick(FILLER));
            } else if r < 45 {
                // A compound of two words with a linking letter.
                let a = &vocabulary[zipf(&mut rng, vocabulary.len())];
                let b = &vocabulary[zipf(&mut rng, vocabulary.len())];
                s.push_str(a);
                s.push_str(rng.pick(LINKED));
                s.push_str(b);
            } else {
                s.push_str(&vocabulary[zipf(&mut rng, vocabulary.len())]);
            }
        }
        if k % 10 == 0 {
            let number = if k % 20 == 0 {
                format!("{}/{}", 10_000 + rng.next() % 90_000, 18 + rng.next() % 8)
            } else {
                format!("EMN-20{}-{:05}", 18 + rng.next() % 8, rng.next() % 100_000)
            };
            s.push_str(&format!(". Sagsnr. {number}."));
            if numbers.len() < 1_000 {
                numbers.push(number);
            }
        }
        bytes += s.len() as u64;
        sections.push(s);
    }
    Corpus {
        vocabulary,
        sections,
        numbers,
        bytes,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Word,
    Compound,
    And,
    Or,
    Phrase,
    Number,
}

fn queries(c: &Corpus, count: usize) -> Vec<(Kind, String)> {
    let mut rng = Lcg(99);
    let v = &c.vocabulary;
    let word = |rng: &mut Lcg| v[zipf(rng, v.len().min(5_000))].clone();
    let mut out = Vec::new();
    for i in 0..count {
        let q = match i % 6 {
            0 => (Kind::Word, word(&mut rng)),
            1 => {
                let (a, b) = (word(&mut rng), word(&mut rng));
                (Kind::Compound, format!("{a}{b}"))
            }
            2 => (Kind::And, format!("{} {}", word(&mut rng), word(&mut rng))),
            3 => (
                Kind::Or,
                format!("{} ELLER {}", word(&mut rng), word(&mut rng)),
            ),
            4 => {
                // Two words that follow each other in a section.
                let s = &c.sections[(rng.next() as usize) % c.sections.len()];
                let words: Vec<&str> = s.split(' ').collect();
                let at = (rng.next() as usize) % (words.len() - 1);
                (Kind::Phrase, format!("\"{} {}\"", words[at], words[at + 1]))
            }
            _ => (
                Kind::Number,
                c.numbers[(rng.next() as usize) % c.numbers.len().max(1)].clone(),
            ),
        };
        out.push(q);
    }
    out
}

struct Latency(Vec<Duration>);

impl Latency {
    fn pct(&self, p: f64) -> f64 {
        let mut v = self.0.clone();
        v.sort();
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
    fn line(&self, name: &str) -> String {
        format!(
            "{name:<28} p50 {:>8.2} ms   p90 {:>8.2} ms   p99 {:>8.2} ms",
            self.pct(0.5),
            self.pct(0.9),
            self.pct(0.99)
        )
    }
}

fn entry(k: usize, text: &str) -> Entry {
    let day = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default()
        + chrono::Duration::days((k / 20 % 4_000) as i64);
    Entry {
        meeting_id: meeting_id(k),
        body_code: "KB".into(),
        body_name: "Kommunalbestyrelsen".into(),
        body_slug: "kommunalbestyrelsen".into(),
        date: day,
        document: "referat",
        item: Some((k % 20) as u32 + 1),
        item_title: String::new(),
        part: Part::Case,
        heading: "Sagsfremstilling".into(),
        anchor: format!("punkt-{}-sagsfremstilling", k % 20 + 1),
        attachment: None,
        nth: 0,
        text: text.to_string(),
        identifiers: Vec::new(),
        decision: None,
    }
}

/// The sections' texts as the store keeps them: per meeting one record (a JSON array of
/// its sections, as the store's public record is one JSON document per meeting), read by
/// its key. protokol's index does not keep the text; a hit's snippet is made from here.
struct Records {
    conn: sqlx::SqliteConnection,
    /// Time spent reading texts, per search.
    reading: Vec<Duration>,
}

impl Records {
    async fn create(path: &std::path::Path, sections: &[String]) -> Result<Self> {
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
                .await?;
        sqlx::query("PRAGMA journal_mode = OFF")
            .execute(&mut conn)
            .await?;
        sqlx::query("CREATE TABLE records (meeting_id TEXT PRIMARY KEY, record TEXT NOT NULL)")
            .execute(&mut conn)
            .await?;
        let mut tx = conn.begin().await?;
        for (m, chunk) in sections.chunks(20).enumerate() {
            sqlx::query("INSERT INTO records (meeting_id, record) VALUES ($1, $2)")
                .bind(meeting_id(m * 20))
                .bind(serde_json::to_string(chunk)?)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Self {
            conn,
            reading: Vec::new(),
        })
    }

    async fn open(path: &std::path::Path) -> Result<Self> {
        let conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
            .await?;
        Ok(Self {
            conn,
            reading: Vec::new(),
        })
    }

    /// The text at each place, in one query: SQLite picks each section out of its
    /// meeting's record (`json_extract`), so only the sections found are read out.
    async fn texts(&mut self, places: &[Place]) -> Result<Vec<Option<String>>> {
        if places.is_empty() {
            return Ok(Vec::new());
        }
        let rows = (0..places.len())
            .map(|i| format!("({}, ${}, ${})", i, 2 * i + 1, 2 * i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "WITH p(i, m, k) AS (VALUES {rows})
             SELECT p.i AS i, json_extract(r.record, '$[' || p.k || ']') AS text
             FROM p JOIN records r ON r.meeting_id = p.m"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for p in places {
            let k = p.item.map_or(0, i64::from).saturating_sub(1);
            query = query.bind(p.meeting_id.as_str()).bind(k);
        }
        let mut out = vec![None; places.len()];
        for r in query.fetch_all(&mut self.conn).await? {
            let i: i64 = r.try_get("i")?;
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
                *slot = r.try_get("text")?;
            }
        }
        Ok(out)
    }

    /// A search with its snippets, the texts read from here.
    async fn search(&mut self, search: &Search, request: &Request) -> Result<Results> {
        let found = search.find(request, &[])?;
        let places: Vec<Place> = found.places().cloned().collect();
        let t = Instant::now();
        let texts = self.texts(&places).await?;
        self.reading.push(t.elapsed());
        Ok(found.finish(texts))
    }
}

fn meeting_id(k: usize) -> String {
    format!("m{:07}", k / 20)
}

/// FTS5's query language for our query: words ANDed, OR kept, phrases quoted, numbers as
/// phrases of their parts.
fn fts5_query(kind: Kind, q: &str) -> String {
    let quote = |w: &str| format!("\"{}\"", w.replace('"', ""));
    match kind {
        Kind::Or => q
            .split(" ELLER ")
            .map(quote)
            .collect::<Vec<_>>()
            .join(" OR "),
        Kind::Phrase => q.to_string(),
        Kind::Number => quote(&q.replace(['/', '-'], " ")),
        _ => q.split(' ').map(quote).collect::<Vec<_>>().join(" "),
    }
}

fn postgres_query(kind: Kind, q: &str) -> String {
    match kind {
        Kind::Or => q.replace(" ELLER ", " OR "),
        _ => q.to_string(),
    }
}

/// `bench search-reader`: opens an index as the server does, runs the queries (each
/// twice, with counts and facets as the page does) and prints the peak memory.
pub async fn reader(
    index: &std::path::Path,
    queries: &std::path::Path,
    records: &std::path::Path,
) -> Result<()> {
    use super::import::status_mb;
    let list = std::fs::read_to_string(queries)?;
    let mut records = Records::open(records).await?;
    let lexicon = crate::search::lexicon();
    let with_words = status_mb("VmRSS:");
    let public = SearchIndex::open(index, Audience::Public, lexicon)?;
    let opened = status_mb("VmRSS:");
    let entries = public.entries();
    let search = Search {
        public,
        internal: None,
    };
    // Top 10 with snippets (what the baselines are measured on), then with counts and
    // facets as the search page asks; each round twice, the second measured.
    let mut ranked = Latency(Vec::new());
    let mut latency = Latency(Vec::new());
    let mut estimated = 0;
    for counts in [false, true] {
        for _ in 0..2 {
            let measured = if counts { &mut latency } else { &mut ranked };
            measured.0.clear();
            estimated = 0;
            for q in list.lines() {
                let mut request = Request::new(q);
                request.counts = counts;
                let t = Instant::now();
                let r = records.search(&search, &request).await?;
                measured.0.push(t.elapsed());
                estimated += usize::from(r.estimated);
            }
        }
    }
    println!(
        "{entries} entries; top 10 with snippets: p50 {:.2} ms, p99 {:.2} ms; with counts and facets as the page: p50 {:.2} ms, p99 {:.2} ms ({estimated} of {} queries matched more than {} entries and were counted by estimate); peak RSS {:.0} MB (RSS {with_words:.0} MB with the word list loaded, {opened:.0} MB with the index open; at the end {:.0} MB heap + {:.0} MB of mapped index files)",
        ranked.pct(0.5),
        ranked.pct(0.99),
        latency.pct(0.5),
        latency.pct(0.99),
        list.lines().count(),
        protokol_search::counting::COUNT_LIMIT,
        super::import::peak_rss_mb(),
        status_mb("RssAnon:"),
        status_mb("RssFile:"),
    );
    Ok(())
}

pub async fn search(
    sections: usize,
    query_count: usize,
    writer_mb: usize,
    keep: Option<std::path::PathBuf>,
) -> Result<()> {
    let started = Instant::now();
    let corpus = generate(sections);
    let qs = queries(&corpus, query_count);
    println!(
        "Corpus: {} sections, {:.1} MB of text, {} words in the vocabulary, {} queries ({:.1} s to generate)",
        corpus.sections.len(),
        corpus.bytes as f64 / 1e6,
        corpus.vocabulary.len(),
        qs.len(),
        started.elapsed().as_secs_f64()
    );

    // The store's copy of the text (not part of the index: the store holds it anyway).
    let temporary = tempfile::tempdir()?;
    let dir = match &keep {
        Some(kept) => {
            // What an earlier run left there is replaced.
            for name in ["public", "records.db", "fts5.db", "queries.txt"] {
                let path = kept.join(name);
                if path.is_dir() {
                    std::fs::remove_dir_all(&path)?;
                } else if path.exists() {
                    std::fs::remove_file(&path)?;
                }
            }
            std::fs::create_dir_all(kept)?;
            kept.clone()
        }
        None => temporary.path().to_path_buf(),
    };
    let t = Instant::now();
    let records_path = dir.join("records.db");
    let mut records = Records::create(&records_path, &corpus.sections).await?;
    println!(
        "The store's copy of the text (one record per meeting, read for snippets; not part of the index): written in {:.1} s, {:.1} MB",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&records_path).map_or(0, |m| m.len()) as f64 / 1e6
    );

    // protokol's search.
    let lexicon = crate::search::lexicon();
    let mut index = SearchIndex::open(&dir.join("public"), Audience::Public, lexicon)?;
    index.set_writer_memory(writer_mb.saturating_mul(1_000_000));
    let t = Instant::now();
    let bar = indicatif::ProgressBar::new(corpus.sections.len() as u64);
    for (m, chunk) in corpus.sections.chunks(20).enumerate() {
        let entries: Vec<Entry> = chunk
            .iter()
            .enumerate()
            .map(|(i, s)| entry(m * 20 + i, s))
            .collect();
        index.replace_meeting(&entries[0].meeting_id, &entries)?;
        if m % 500 == 0 {
            bar.set_position((m * 20) as u64);
        }
    }
    index.commit()?;
    index.finish_build()?;
    bar.finish_and_clear();
    let build = t.elapsed();
    let size = index.size_on_disk();
    let search = Search {
        public: index,
        internal: None,
    };
    let mut ours = Latency(Vec::new());
    let mut found = 0usize;
    for _ in 0..2 {
        ours.0.clear();
        records.reading.clear();
        for (_, q) in &qs {
            let t = Instant::now();
            let mut request = Request::new(q.clone());
            request.counts = false;
            let r = records.search(&search, &request).await?;
            ours.0.push(t.elapsed());
            found += usize::from(!r.hits.is_empty());
        }
    }
    let mut slowest: Vec<(Duration, &str)> = ours
        .0
        .iter()
        .copied()
        .zip(qs.iter().map(|(_, q)| q.as_str()))
        .collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    tracing::info!("slowest queries: {:?}", &slowest[..5.min(slowest.len())]);
    let reading = Latency(std::mem::take(&mut records.reading));
    println!(
        "protokol (tantivy, Danish analysis): built in {:.1} s (writer memory up to {writer_mb} MB); index {:.1} MB = {:.2} × the text; {} of {} queries found something",
        build.as_secs_f64(),
        size as f64 / 1e6,
        size as f64 / corpus.bytes as f64,
        found / 2,
        qs.len()
    );

    let (segments, parts) = search.public.space_by_part()?;
    let parts: Vec<String> = parts
        .iter()
        .take(10)
        .map(|(what, bytes)| format!("{what} {:.2}×", *bytes as f64 / corpus.bytes as f64))
        .collect();
    println!(
        "  {segments} segments; where the index's bytes go (× the text): {}",
        parts.join(", ")
    );

    // The index as a server holds it: opened by a fresh process that only searches (the
    // benchmark process itself holds the corpus and the writer's memory).
    drop(search);
    let list = dir.join("queries.txt");
    std::fs::write(
        &list,
        qs.iter()
            .map(|(_, q)| q.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    )?;
    let reader = std::process::Command::new(std::env::current_exe()?)
        .args(["bench", "search-reader", "--index"])
        .arg(dir.join("public"))
        .arg("--queries")
        .arg(&list)
        .arg("--records")
        .arg(&records_path)
        .output()?;
    println!(
        "protokol, index opened by a search-only process: {}",
        String::from_utf8_lossy(&reader.stdout).trim()
    );

    // SQLite FTS5 on the same corpus.
    let path = dir.join("fts5.db");
    let mut lite =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?;
    sqlx::query("PRAGMA journal_mode = OFF")
        .execute(&mut lite)
        .await?;
    sqlx::query("CREATE VIRTUAL TABLE s USING fts5(body, tokenize = 'unicode61')")
        .execute(&mut lite)
        .await?;
    let t = Instant::now();
    let mut tx = lite.begin().await?;
    for s in &corpus.sections {
        sqlx::query("INSERT INTO s (body) VALUES ($1)")
            .bind(s)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let fts_build = t.elapsed();
    let fts_size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut fts = Latency(Vec::new());
    for (kind, q) in &qs {
        let t = Instant::now();
        let rows = sqlx::query(
            "SELECT rowid, snippet(s, 0, '<mark>', '</mark>', '…', 20) AS snip FROM s WHERE s MATCH $1 ORDER BY rank LIMIT 10",
        )
        .bind(fts5_query(*kind, q))
        .fetch_all(&mut lite)
        .await;
        fts.0.push(t.elapsed());
        if let Err(e) = rows {
            tracing::debug!("fts5 query {q}: {e}");
        }
    }
    println!(
        "SQLite FTS5 (unicode61): built in {:.1} s; database {:.1} MB = {:.2} × the text",
        fts_build.as_secs_f64(),
        fts_size as f64 / 1e6,
        fts_size as f64 / corpus.bytes as f64
    );

    // PostgreSQL danish text search, where reachable.
    let pg_url = super::postgres_url();
    let mut pg_latency = None;
    match sqlx::PgConnection::connect(&pg_url).await {
        Ok(mut pg) => {
            sqlx::query("DROP TABLE IF EXISTS protokol_bench_search")
                .execute(&mut pg)
                .await?;
            sqlx::query(
                "CREATE UNLOGGED TABLE protokol_bench_search (id BIGINT, body TEXT, tsv tsvector)",
            )
            .execute(&mut pg)
            .await?;
            let t = Instant::now();
            for (n, chunk) in corpus.sections.chunks(5_000).enumerate() {
                let ids: Vec<i64> = (0..chunk.len()).map(|i| (n * 5_000 + i) as i64).collect();
                sqlx::query(
                    "INSERT INTO protokol_bench_search (id, body, tsv)
                     SELECT id, body, to_tsvector('danish', body) FROM UNNEST($1::bigint[], $2::text[]) AS u(id, body)",
                )
                .bind(&ids)
                .bind(chunk)
                .execute(&mut pg)
                .await?;
            }
            sqlx::query("CREATE INDEX ON protokol_bench_search USING GIN (tsv)")
                .execute(&mut pg)
                .await?;
            sqlx::query("ANALYZE protokol_bench_search")
                .execute(&mut pg)
                .await?;
            let pg_build = t.elapsed();
            let size: i64 =
                sqlx::query("SELECT pg_total_relation_size('protokol_bench_search') AS n")
                    .fetch_one(&mut pg)
                    .await?
                    .try_get("n")?;
            let mut lat = Latency(Vec::new());
            for (kind, q) in &qs {
                let t = Instant::now();
                let _ = sqlx::query(
                    "WITH q AS (SELECT websearch_to_tsquery('danish', $1) AS q),
                     top AS (SELECT id, body, ts_rank(tsv, q.q) AS r FROM protokol_bench_search, q
                             WHERE tsv @@ q.q ORDER BY r DESC LIMIT 10)
                     SELECT id, ts_headline('danish', body, q.q) FROM top, q",
                )
                .bind(postgres_query(*kind, q))
                .fetch_all(&mut pg)
                .await;
                lat.0.push(t.elapsed());
            }
            sqlx::query("DROP TABLE protokol_bench_search")
                .execute(&mut pg)
                .await?;
            println!(
                "PostgreSQL danish (GIN, ts_rank): built in {:.1} s; table and index {:.1} MB = {:.2} × the text",
                pg_build.as_secs_f64(),
                size as f64 / 1e6,
                size as f64 / corpus.bytes as f64
            );
            pg_latency = Some(lat);
        }
        Err(e) => println!("PostgreSQL: not reachable ({e}); skipped"),
    }

    println!(
        "\nTop 10 with snippets, {} queries (single words, compounds, AND, OR, phrases, numbers):",
        qs.len()
    );
    println!("{}", ours.line("protokol"));
    println!("  {}", reading.line("of which reading the texts"));
    println!("{}", fts.line("SQLite FTS5"));
    if let Some(pg) = &pg_latency {
        println!("{}", pg.line("PostgreSQL danish"));
    }
    let best_other = pg_latency
        .as_ref()
        .map_or(fts.pct(0.99), |pg| pg.pct(0.99).min(fts.pct(0.99)));
    println!(
        "\np99 ratio: the better baseline's p99 / protokol's p99 = {:.1}× (target ≥ 10×)",
        best_other / ours.pct(0.99).max(1e-9)
    );
    for (kind, label) in [
        (Kind::Word, "single word"),
        (Kind::Compound, "compound"),
        (Kind::And, "two words (AND)"),
        (Kind::Or, "OR"),
        (Kind::Phrase, "phrase"),
        (Kind::Number, "number"),
    ] {
        let pick = |l: &Latency| {
            Latency(
                qs.iter()
                    .zip(&l.0)
                    .filter(|((k, _), _)| *k == kind)
                    .map(|(_, d)| *d)
                    .collect(),
            )
        };
        println!("  {}", pick(&ours).line(&format!("protokol, {label}")));
    }
    println!(
        "\nTargets: p50 ≤ 1 ms, p99 ≤ 20 ms, index ≤ 1.0 × the text, build of 1,000,000 sections ≤ 90 s. Total run {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
