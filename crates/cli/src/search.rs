//! `protokol search` and `protokol reindex`, and the search indexes of `protokol serve`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use protokol_search::analysis::Lexicon;
use protokol_search::{Compounds, Request, Sort};
use protokol_web::search_sync::SearchService;

use crate::Global;
use crate::commands::open_store;

/// Where the search indexes live: `search/` in the data folder.
pub fn folder(g: &Global) -> PathBuf {
    g.data.join("search")
}

/// The Danish word list for compounds: `PROTOKOL_HUNSPELL_DA` if set, else the system's.
pub fn lexicon() -> Arc<Lexicon> {
    let compounds = match std::env::var_os("PROTOKOL_HUNSPELL_DA") {
        Some(path) => Compounds::from_file_or_test(std::path::Path::new(&path)),
        None => Compounds::system(),
    };
    tracing::debug!(
        "compound word list: {} ({} forms)",
        compounds.source(),
        compounds.len()
    );
    Lexicon::new(compounds)
}

/// This node's search service, opened from the data folder.
pub fn service(g: &Global) -> Result<Arc<SearchService>> {
    Ok(Arc::new(open_service(g)?))
}

fn open_service(g: &Global) -> Result<SearchService> {
    let dir = folder(g);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the search folder {}", dir.display()))?;
    SearchService::open(&dir, lexicon())
        .with_context(|| format!("cannot open the search indexes in {}", dir.display()))
}

/// `protokol reindex`: a full build, its writer filling up to `writer_mb` of memory.
pub async fn reindex(g: &Global, writer_mb: usize) -> Result<ExitCode> {
    let store = open_store(g).await?;
    let service =
        Arc::new(open_service(g)?.with_writer_memory(writer_mb.saturating_mul(1_000_000)));
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} meetings ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("indexing");
    let started = std::time::Instant::now();
    let n = service
        .rebuild(&store, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    let s = &service.search;
    println!(
        "Indexed {n} meetings in {:.1} s: {} public entries, {} internal entries.",
        started.elapsed().as_secs_f64(),
        s.public.entries(),
        s.internal.as_ref().map_or(0, |i| i.entries())
    );
    Ok(ExitCode::SUCCESS)
}

/// `protokol search`: what the public finds (the CLI searches as the public).
pub async fn search(
    g: &Global,
    query: &str,
    limit: usize,
    sort: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let store = open_store(g).await?;
    let service = service(g)?;
    if service.needs_build(&store).await? {
        eprintln!("The search index is not built yet; building it now (see `protokol reindex`).");
        service.rebuild(&store, |_, _| {}).await?;
    } else {
        service.follow_once(&store).await?;
    }
    let mut request = Request::new(query);
    request.per_page = limit.clamp(1, 100);
    if let Some(s) = sort {
        request.sort = Sort::from_key(s).unwrap_or_default();
    }
    let results = service.search(&store, request, Vec::new()).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(ExitCode::SUCCESS);
    }
    for n in &results.notices {
        println!("{n}");
    }
    if let Some(s) = &results.suggestion {
        println!("Mente du: {s}?");
    }
    let about = if results.estimated { "ca. " } else { "" };
    println!(
        "{about}{} resultater ({about}{} steder)",
        protokol_core::danish::count(results.items),
        protokol_core::danish::count(results.total)
    );
    for h in &results.hits {
        let title = match h.item {
            Some(n) => format!("{n}. {}", h.item_title),
            None => h.item_title.clone(),
        };
        let snippet = h
            .snippet
            .replace("<mark>", "[")
            .replace("</mark>", "]")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        println!(
            "\n{} {} · {}\n  {title}\n  {}: {snippet}\n  {}",
            h.date, h.body_name, h.document, h.part_label, h.href
        );
    }
    Ok(if results.total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
