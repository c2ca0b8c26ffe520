//! `protokol bench quality`: the judged queries of `bench/judged-queries.tsv` over the
//! seeds and Greve's 288 FirstAgenda meetings, recall@10 and MRR for protokol's search,
//! for the same index searched by stems only, and for PostgreSQL's `danish` text search
//! (where reachable), by kind of query.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use protokol_core::exchange::parse_meeting;
use protokol_import::{Options, collect_files, import_files};
use protokol_search::{Request, entries};
use protokol_store::Store;
use protokol_web::search_sync::SearchService;
use sqlx::{Connection, Row};

/// An item as judgements name it: (body slug, date, item number or "-").
type Key = (String, String, String);

/// One judged query.
pub struct Judged {
    pub kind: String,
    pub query: String,
    pub target: (String, String, String),
}

/// Reads the judged set (tab-separated: kind, query, date, body slug prefix, item).
pub fn read_judged(path: &Path) -> Result<Vec<Judged>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the judged queries {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [kind, query, date, body, item] = cols[..] else {
            bail!(
                "{}:{}: expected 5 tab-separated columns",
                path.display(),
                n + 1
            );
        };
        out.push(Judged {
            kind: kind.to_string(),
            query: query.to_string(),
            target: (body.to_string(), date.to_string(), item.to_string()),
        });
    }
    Ok(out)
}

/// Scores of one system.
#[derive(Default, Clone, Copy)]
pub struct Score {
    recall: f64,
    rr: f64,
    n: usize,
}

impl Score {
    fn add(&mut self, recall: f64, rr: f64) {
        self.recall += recall;
        self.rr += rr;
        self.n += 1;
    }
    pub fn recall(&self) -> f64 {
        self.recall / self.n.max(1) as f64
    }
    pub fn mrr(&self) -> f64 {
        self.rr / self.n.max(1) as f64
    }
}

fn score(relevant: &HashSet<Key>, ranked: &[Key]) -> (f64, f64) {
    let top: Vec<&Key> = ranked.iter().take(10).collect();
    let hits = top.iter().filter(|k| relevant.contains(**k)).count();
    let recall = hits as f64 / relevant.len().clamp(1, 10) as f64;
    let rr = top
        .iter()
        .position(|k| relevant.contains(*k))
        .map_or(0.0, |p| 1.0 / (p as f64 + 1.0));
    (recall, rr)
}

fn item_key(n: Option<u32>) -> String {
    n.map_or("-".into(), |n| n.to_string())
}

/// The quality figures: (kind, ours, stem-only, PostgreSQL) per kind and "alle".
pub type Table = Vec<(String, Score, Score, Option<Score>)>;

pub async fn evaluate(shared: &Path, judged_path: &Path) -> Result<Table> {
    let judged = read_judged(judged_path)?;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("q.db").display()
    ))
    .await?;
    store.migrate().await?;
    for (name, json) in crate::demo::MEETINGS {
        let m = parse_meeting(json).with_context(|| format!("demo meeting {name}"))?;
        store.upsert_meeting(&m, "demo").await?;
    }
    let greve: PathBuf = shared.join("corpus/firstagenda-greve");
    let files = collect_files(std::slice::from_ref(&greve)).files;
    if files.is_empty() {
        bail!("no FirstAgenda meetings in {}", greve.display());
    }
    let run = import_files(&store, &files, &Options::default(), |_| {}).await;
    eprintln!(
        "imported {} files ({} failed) and the 4 seed meetings",
        files.len(),
        run.summary.failed
    );
    let service = Arc::new(SearchService::open(
        &dir.path().join("search"),
        crate::search::lexicon(),
    )?);
    service.rebuild(&store, |_, _| {}).await?;

    // Every public item by case number, and every public entry for the baseline.
    let mut by_case: HashMap<String, Vec<Key>> = HashMap::new();
    let mut case_of: HashMap<Key, String> = HashMap::new();
    let mut sections: Vec<(Key, String)> = Vec::new();
    let mut after = None;
    let mut text_bytes = 0u64;
    loop {
        let page = store.public_meetings_after(after, 200).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.summary.id);
        for p in &page {
            let m = store.public_meeting_with_texts(p).await?;
            let slug = p.summary.body_slug.clone();
            let date = p.summary.date.format("%Y-%m-%d").to_string();
            for item in &m.items {
                let key = (slug.clone(), date.clone(), item_key(item.number));
                if let Some(c) = item.case_number.as_deref().filter(|c| !c.is_empty()) {
                    by_case.entry(c.to_string()).or_default().push(key.clone());
                    case_of.insert(key, c.to_string());
                }
            }
            for e in entries(&m, &p.summary.id.to_string(), &|_, _| None) {
                text_bytes += e.text.len() as u64;
                if e.part == protokol_search::Part::Meeting {
                    continue;
                }
                let key = (slug.clone(), date.clone(), item_key(e.item));
                sections.push((key, format!("{}\n{}", e.item_title, e.text)));
            }
        }
    }
    // The index's size on real records (the generated text of `bench search` is random
    // words in random order, which compresses and repeats less than minutes do).
    let public = &service.search.public;
    let (segments, parts) = public.space_by_part()?;
    let size = public.size_on_disk();
    eprintln!(
        "public index of these records: {} entries, {:.1} MB of text, index {:.1} MB = {:.2} × the text ({segments} segments: {})",
        public.entries(),
        text_bytes as f64 / 1e6,
        size as f64 / 1e6,
        size as f64 / text_bytes.max(1) as f64,
        parts
            .iter()
            .take(6)
            .map(|(what, b)| format!("{what} {:.2}×", *b as f64 / text_bytes.max(1) as f64))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let relevant_of = |j: &Judged| -> Result<HashSet<Key>> {
        let (body, date, item) = &j.target;
        let found: Vec<Key> = case_of
            .keys()
            .chain(sections.iter().map(|(k, _)| k))
            .filter(|(s, d, i)| s.starts_with(body.as_str()) && d == date && i == item)
            .cloned()
            .collect();
        let Some(target) = found.into_iter().next() else {
            bail!(
                "judged target {body} {date} {item} ({}) is not in the store",
                j.query
            );
        };
        let mut set: HashSet<Key> = HashSet::from([target.clone()]);
        if let Some(same) = case_of.get(&target).and_then(|c| by_case.get(c))
            && same.len() <= 6
        {
            set.extend(same.iter().cloned());
        }
        Ok(set)
    };

    // PostgreSQL's danish text search over the same entries, where reachable.
    let pg_url = super::postgres_url();
    let mut pg = match sqlx::PgConnection::connect(&pg_url).await {
        Ok(mut pg) => {
            sqlx::query("DROP TABLE IF EXISTS protokol_bench_quality")
                .execute(&mut pg)
                .await?;
            sqlx::query(
                "CREATE UNLOGGED TABLE protokol_bench_quality (slug TEXT, day TEXT, item TEXT, tsv tsvector)",
            )
            .execute(&mut pg)
            .await?;
            for chunk in sections.chunks(2_000) {
                let col = |f: fn(&(Key, String)) -> String| chunk.iter().map(f).collect::<Vec<_>>();
                sqlx::query(
                    "INSERT INTO protokol_bench_quality
                     SELECT s, d, i, to_tsvector('danish', t) FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[]) AS u(s, d, i, t)",
                )
                .bind(col(|x| x.0.0.clone()))
                .bind(col(|x| x.0.1.clone()))
                .bind(col(|x| x.0.2.clone()))
                .bind(col(|x| x.1.clone()))
                .execute(&mut pg)
                .await?;
            }
            sqlx::query("CREATE INDEX ON protokol_bench_quality USING GIN (tsv)")
                .execute(&mut pg)
                .await?;
            Some(pg)
        }
        Err(e) => {
            eprintln!("PostgreSQL not reachable ({e}): its column is left out");
            None
        }
    };

    let unknown: Vec<String> = judged
        .iter()
        .filter(|j| relevant_of(j).is_err())
        .map(|j| format!("  {:?} ({})", j.target, j.query))
        .collect();
    if !unknown.is_empty() {
        bail!("judged targets not in the store:\n{}", unknown.join("\n"));
    }
    let mut table: HashMap<String, (Score, Score, Score)> = HashMap::new();
    let mut misses = Vec::new();
    for j in &judged {
        let relevant = relevant_of(j)?;
        let mut ranked = Vec::new();
        for stem_only in [false, true] {
            let mut r = Request::new(j.query.clone());
            r.stem_only = stem_only;
            let keys: Vec<Key> = service
                .search(&store, r, Vec::new())
                .await?
                .hits
                .into_iter()
                .map(|h| {
                    (
                        h.body_slug,
                        h.date,
                        item_key(h.item.and_then(|n| u32::try_from(n).ok())),
                    )
                })
                .collect();
            ranked.push(keys);
        }
        let ours = score(&relevant, &ranked[0]);
        let stems = score(&relevant, &ranked[1]);
        if ours.0 < 1.0 {
            misses.push(format!("  {} «{}» recall {:.2}", j.kind, j.query, ours.0));
        }
        let pg_score = match pg.as_mut() {
            Some(pg) => {
                let q = j.query.replace(" ELLER ", " OR ");
                let rows = sqlx::query(
                    "SELECT slug, day, item, max(ts_rank(tsv, q)) AS r
                     FROM protokol_bench_quality, websearch_to_tsquery('danish', $1) q
                     WHERE tsv @@ q GROUP BY slug, day, item ORDER BY r DESC LIMIT 10",
                )
                .bind(q)
                .fetch_all(&mut *pg)
                .await?;
                let ranked: Vec<Key> = rows
                    .iter()
                    .map(|r| -> Result<Key> {
                        Ok((r.try_get("slug")?, r.try_get("day")?, r.try_get("item")?))
                    })
                    .collect::<Result<_>>()?;
                Some(score(&relevant, &ranked))
            }
            None => None,
        };
        for kind in [j.kind.clone(), "alle".to_string()] {
            let e = table.entry(kind).or_default();
            e.0.add(ours.0, ours.1);
            e.1.add(stems.0, stems.1);
            if let Some(p) = pg_score {
                e.2.add(p.0, p.1);
            }
        }
    }
    if let Some(mut pg) = pg.take() {
        sqlx::query("DROP TABLE protokol_bench_quality")
            .execute(&mut pg)
            .await?;
    }
    if !misses.is_empty() {
        eprintln!(
            "Queries where protokol missed relevant items:\n{}",
            misses.join("\n")
        );
    }
    store.close().await;
    let have_pg = table.values().any(|(_, _, p)| p.n > 0);
    let mut out: Table = table
        .into_iter()
        .map(|(k, (a, b, c))| (k, a, b, have_pg.then_some(c)))
        .collect();
    out.sort_by_key(|(k, ..)| (k == "alle", k.clone()));
    Ok(out)
}

pub async fn quality(shared: PathBuf, judged: PathBuf) -> Result<()> {
    let table = evaluate(&shared, &judged).await?;
    println!(
        "\n{:<10} {:>5}   {:>18}   {:>18}   {:>18}",
        "kind", "n", "protokol R@10/MRR", "stems only", "PostgreSQL danish"
    );
    for (kind, ours, stems, pg) in &table {
        println!(
            "{kind:<10} {:>5}   {:>8.3} / {:>6.3}   {:>8.3} / {:>6.3}   {}",
            ours.n,
            ours.recall(),
            ours.mrr(),
            stems.recall(),
            stems.mrr(),
            pg.map_or("—".to_string(), |p| format!(
                "{:>8.3} / {:>6.3}",
                p.recall(),
                p.mrr()
            ))
        );
    }
    println!("\nTargets: recall@10 ≥ 0.9 overall; compounds ≥ 20 points above stems only.");
    Ok(())
}
