//! The subcommands.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use protokol_core::exchange::{parse_meeting, to_json};
use protokol_import::{FileReport, Options, collect_files, count, import_files, printable};
use protokol_store::{Store, redact_url};

use crate::Global;

/// Opens the store named by the flags: the database URL if given, else SQLite in the data
/// folder (created if needed).
pub(crate) async fn open_store(g: &Global) -> Result<Store> {
    open(g, false).await
}

/// [`open_store`] for bulk writes (import, republish): a larger SQLite page cache.
pub(crate) async fn open_store_for_bulk(g: &Global) -> Result<Store> {
    open(g, true).await
}

async fn open(g: &Global, bulk: bool) -> Result<Store> {
    let url = match &g.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&g.data)
                .with_context(|| format!("cannot create the data folder {}", g.data.display()))?;
            format!("sqlite://{}?mode=rwc", g.data.join("protokol.db").display())
        }
    };
    tracing::debug!(database = %redact_url(&url), "opening store");
    let opened = if bulk {
        Store::open_for_bulk(&url).await
    } else {
        Store::open(&url).await
    };
    opened.with_context(|| format!("cannot open the database {}", redact_url(&url)))
}

fn spinner(what: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    let style = ProgressStyle::with_template(&format!("{{spinner}} {{pos}} {what} ({{per_sec}})"))
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    pb.set_style(style);
    pb
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    let style = ProgressStyle::with_template(&format!(
        "{{bar:30}} {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left)"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb
}

pub async fn import(
    g: &Global,
    paths: &[PathBuf],
    dry_run: bool,
    strict: bool,
    json: bool,
) -> Result<ExitCode> {
    let store = open_store_for_bulk(g).await?;
    let collected = collect_files(paths);
    let (files, missing) = (collected.files, collected.failed);
    if !json {
        for s in &collected.skipped {
            println!(
                "skip {}",
                printable(&format!("{}: {}", s.path.display(), s.reason))
            );
        }
    }
    let pb = if json {
        ProgressBar::hidden()
    } else {
        bar(files.len() as u64, "files")
    };
    let options = Options {
        dry_run,
        actor: None,
        pdf: protokol_import::PdfLimits::with_seconds(g.pdf_seconds),
        strict,
        ..Options::default()
    };
    // With --json the report is written as it goes (one file per line inside "files"), so
    // memory stays flat however many files there are.
    let mut first = true;
    let mut emit_json = |r: &FileReport| -> Result<()> {
        let sep = if std::mem::take(&mut first) { "" } else { "," };
        println!("{sep}\n    {}", serde_json::to_string(r)?);
        Ok(())
    };
    if json {
        print!("{{\n  \"dry_run\": {dry_run},\n  \"files\": [");
    }
    let mut json_error = None;
    let run = import_files(&store, &files, &options, |r| {
        if json {
            if let Err(e) = emit_json(&r) {
                json_error.get_or_insert(e);
            }
        } else {
            // println through suspend: ProgressBar::println is dropped when the bar is not
            // drawn (output not a terminal), and these lines are the report.
            pb.suspend(|| {
                let mark = if r.is_ok() { "ok  " } else { "FAIL" };
                println!("{mark} {}", r.line());
                for d in r.details() {
                    println!("     {d}");
                }
            });
        }
        pb.inc(1);
    })
    .await;
    pb.finish_and_clear();
    let mut summary = run.summary;
    for r in &missing {
        summary.add(r);
        if json {
            emit_json(r)?;
        } else {
            println!("FAIL {}", r.line());
        }
    }
    if let Some(e) = json_error {
        return Err(e);
    }
    if json {
        println!(
            "\n  ],\n  \"summary\": {}\n}}",
            serde_json::to_string(&summary)?
        );
    } else {
        println!(
            "{}{}: {} created, {} updated, {} unchanged; {} failed.",
            if dry_run {
                "Dry run, nothing stored. "
            } else {
                ""
            },
            count(summary.files, "file", "files"),
            count(summary.created, "meeting", "meetings"),
            summary.updated,
            summary.unchanged,
            count(summary.failed, "file", "files"),
        );
    }
    store.close().await;
    Ok(if summary.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes `contents` to `path` through a temporary file, so a reader never sees half a file.
fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, contents).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

pub async fn export(g: &Global, out: &Path, public: bool) -> Result<ExitCode> {
    let store = open_store(g).await?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut exported = 0;
    let pb;
    if public {
        // What the public may see is the published record: the same as the web shows.
        pb = spinner("meetings");
        let mut after = None;
        loop {
            let batch = store.public_meetings_after(after, 200).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.summary.id);
            for p in &batch {
                let meeting = store.public_meeting_with_texts(p).await?;
                write_atomically(&out.join(meeting.export_file_name()), &to_json(&meeting))?;
                exported += 1;
                pb.inc(1);
            }
        }
    } else {
        let summaries = store.meetings().await?;
        pb = bar(summaries.len() as u64, "meetings");
        for s in &summaries {
            let Some((meeting, _)) = store.meeting(s.id).await? else {
                continue; // deleted meanwhile
            };
            write_atomically(&out.join(meeting.export_file_name()), &to_json(&meeting))?;
            exported += 1;
            pb.inc(1);
        }
    }
    pb.finish_and_clear();
    println!(
        "Exported {} meetings{} to {}.",
        exported,
        if public { " (public version)" } else { "" },
        out.display()
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `protokol export-public`: the public record of a date range as JSON Lines.
pub async fn export_public(
    g: &Global,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    out: &Path,
) -> Result<ExitCode> {
    use std::io::Write;
    if let Some((f, t)) = from.zip(to)
        && f > t
    {
        anyhow::bail!("--from {f} is after --to {t}");
    }
    let store = open_store(g).await?;
    let to_stdout = out.as_os_str() == "-";
    let tmp = out.with_extension("jsonl.tmp");
    let mut sink: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(&tmp)
                .with_context(|| format!("cannot write {}", tmp.display()))?,
        ))
    };
    let pb = spinner("meetings");
    let mut after = None;
    let mut exported = 0usize;
    loop {
        let page = store.public_meetings_between(from, to, after, 200).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.summary.date, last.summary.id));
        for p in &page {
            let meeting = store.public_meeting_with_texts(p).await?;
            sink.write_all(protokol_core::exchange::to_json_line(&meeting).as_bytes())
                .context("cannot write the export")?;
            exported += 1;
            pb.inc(1);
        }
    }
    sink.flush().context("cannot write the export")?;
    drop(sink);
    pb.finish_and_clear();
    if !to_stdout {
        std::fs::rename(&tmp, out).with_context(|| format!("cannot write {}", out.display()))?;
        let day =
            |d: Option<chrono::NaiveDate>, open: &str| d.map_or(open.into(), |d| d.to_string());
        eprintln!(
            "Exported {exported} public meetings held {} to {} to {}.",
            day(from, "the first"),
            day(to, "the last"),
            out.display()
        );
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// How the site names itself to other systems (the open-data API and feeds).
#[derive(Clone, Debug, clap::Args)]
pub struct SiteOptions {
    /// The address clients reach the site at ("https://dagsordener.kommune.dk"), used in the
    /// links of the open-data API and feeds. Default: the Host of each request.
    #[arg(long, env = "PROTOKOL_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// The municipality's name ("Norddjurs Kommune"), shown by the open-data API and feeds.
    /// Default: "Norddjurs Kommune" with --demo, else "Kommunen".
    #[arg(long, env = "PROTOKOL_MUNICIPALITY", value_name = "NAME")]
    pub municipality: Option<String>,
}

pub async fn serve(
    g: &Global,
    addr: SocketAddr,
    demo: bool,
    behind_proxy: bool,
    site: SiteOptions,
) -> Result<ExitCode> {
    if let Some(url) = &site.public_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        anyhow::bail!(
            "--public-url {url:?} is not an address: it must start with http:// or https://"
        );
    }
    let store = open_store(g).await?;
    if demo {
        if store.meeting_count().await? == 0 {
            for (name, json) in crate::demo::MEETINGS {
                let m = parse_meeting(json).with_context(|| format!("demo meeting {name}"))?;
                store.upsert_meeting(&m, "demo").await?;
            }
            tracing::info!("loaded {} demo meetings", crate::demo::MEETINGS.len());
        } else {
            tracing::info!("the store already holds meetings; demo data not loaded");
        }
    }
    let mut state = protokol_web::AppState::new(store);
    state.behind_proxy = behind_proxy;
    state.public_url = site.public_url;
    state.municipality = site.municipality.unwrap_or_else(|| {
        if demo {
            "Norddjurs Kommune"
        } else {
            "Kommunen"
        }
        .to_string()
    });
    state.pdf_limits = protokol_import::PdfLimits::with_seconds(g.pdf_seconds);
    // PDFs are laid out by this program in a worker process (see `render_worker`).
    state.pdf_layout = protokol_web::PdfLayout::Worker(
        std::env::current_exe().context("cannot find the protokol program for PDF workers")?,
    );
    let search = crate::search::service(g)?;
    search.clone().spawn(state.store.clone());
    state.search = Some(search);
    protokol_web::serve(state, addr)
        .await
        .with_context(|| format!("cannot serve on {addr}"))?;
    Ok(ExitCode::SUCCESS)
}

/// `protokol render-worker`: one PDF from the document on stdin to stdout.
pub fn render_worker() -> Result<ExitCode> {
    use std::io::{Read, Write};
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .context("cannot read the document")?;
    let (pdf, _) = protokol_render::pdf::render_worker_input(&input)?;
    std::io::stdout()
        .write_all(&pdf)
        .context("cannot write the PDF")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn migrate(g: &Global) -> Result<ExitCode> {
    let store = open_store(g).await?;
    store.migrate().await?;
    println!("The {} database is up to date.", store.backend().name());
    Ok(ExitCode::SUCCESS)
}

/// Output format of `protokol render`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
}

/// Which version `protokol render` writes. The CLI is run by the secretariat on the server,
/// so it may write the internal version; the web decides by who is signed in.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Public,
    Internal,
}

/// What `protokol render` was asked for.
pub struct RenderRequest<'a> {
    pub meeting: &'a str,
    pub item: Option<u32>,
    pub kind: Option<&'a str>,
    pub format: Format,
    pub version: Version,
    pub out: &'a Path,
}

/// Finds the body named by its code ("DIR"), its name or the name as it appears in web
/// addresses ("direktionen").
pub(crate) async fn find_body(store: &Store, wanted: &str) -> Result<protokol_core::Body> {
    use protokol_core::danish::slug;
    let wanted = wanted.trim();
    let bodies = store.bodies().await?;
    let known: Vec<String> = bodies.iter().map(|b| b.code.to_string()).collect();
    bodies
        .into_iter()
        .find(|b| {
            b.code.as_str().eq_ignore_ascii_case(wanted)
                || b.name.eq_ignore_ascii_case(wanted)
                || slug(&b.name) == slug(wanted)
        })
        .with_context(|| {
            format!(
                "no body with the code or name {wanted:?} (known: {})",
                if known.is_empty() {
                    "none yet".to_string()
                } else {
                    known.join(", ")
                }
            )
        })
}

/// Finds the meeting named "BODY/YYYY-MM-DD", where BODY is the body's code ("DIR"), its
/// name or the name as it appears in web addresses ("direktionen").
/// The meeting named `BODY/DATE`: for the public version, as the public reads it (the
/// published record, the same as the web serves); otherwise as stored.
async fn find_meeting(
    store: &Store,
    spec: &str,
    public: bool,
) -> Result<(protokol_core::Meeting, protokol_core::Body)> {
    let (body, date) = spec.rsplit_once('/').with_context(|| {
        format!("--meeting {spec:?}: write it as BODY/YYYY-MM-DD, e.g. DIR/2023-09-06")
    })?;
    let date = protokol_core::parse_date(date).with_context(|| {
        format!("--meeting {spec:?}: {date:?} is not a date written YYYY-MM-DD")
    })?;
    let found = find_body(store, body)
        .await
        .with_context(|| format!("--meeting {spec:?}"))?;
    let missing = || {
        format!(
            "--meeting {spec:?}: {} has no {}meeting on {date}",
            found.name,
            if public { "public " } else { "" }
        )
    };
    let meeting = if public {
        store
            .public_meeting(&protokol_core::danish::slug(&found.name), date)
            .await?
            .with_context(missing)?
            .record
            .meeting
    } else {
        store
            .meeting_on(&found.code, date)
            .await?
            .with_context(missing)?
            .0
    };
    Ok((meeting, found))
}

pub async fn render(g: &Global, req: RenderRequest<'_>) -> Result<ExitCode> {
    use protokol_render::{DocKind, Document, Edition, Scope};
    let store = open_store(g).await?;
    let public = matches!(req.version, Version::Public);
    let (meeting, body) = find_meeting(&store, req.meeting, public).await?;
    store.close().await;
    let kind = match req.kind {
        Some(k) => DocKind::from_slug(k)
            .with_context(|| format!("--kind {k:?}: use dagsorden or referat"))?,
        // Minutes once they exist, else the agenda.
        None => *DocKind::available_for(&meeting)
            .last()
            .unwrap_or(&DocKind::Agenda),
    };
    let edition = match req.version {
        Version::Public => Edition::Public,
        Version::Internal => Edition::Internal,
    };
    let scope = req.item.map_or(Scope::Meeting, Scope::Item);
    let doc = Document::build(&meeting, &body.settings, edition, kind, scope)
        .with_context(|| format!("--item: {}", req.meeting))?;
    let started = std::time::Instant::now();
    let bytes = match req.format {
        Format::Pdf => protokol_render::pdf::render(&doc)?,
        Format::Html => protokol_render::html::standalone(&doc)?.into_bytes(),
    };
    let tmp = req.out.with_extension("tmp");
    std::fs::write(&tmp, &bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, req.out)
        .with_context(|| format!("cannot write {}", req.out.display()))?;
    println!(
        "Wrote {} ({} {}, {} version, {} kB) in {} ms.",
        req.out.display(),
        doc.kind_label.to_lowercase(),
        if doc.extract { "extract" } else { "document" },
        edition.as_str(),
        bytes.len().div_ceil(1024),
        started.elapsed().as_millis()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn republish(g: &Global) -> Result<ExitCode> {
    let store = open_store_for_bulk(g).await?;
    let pb = ProgressBar::new(0);
    pb.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} meetings ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let n = store
        .republish(|done, total| {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
        })
        .await?;
    pb.finish_and_clear();
    store.close().await;
    println!(
        "The published record of {} derived again in {:.1} s.",
        count(n, "meeting", "meetings"),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn verify(g: &Global, log_unlogged: bool) -> Result<ExitCode> {
    let store = open_store(g).await?;
    if log_unlogged {
        for m in store.log_unlogged_approvals().await? {
            println!("LOGGED the approved minutes of {m}, as they stand now");
        }
    }
    let (checked, problems) = store.verify_approvals().await?;
    store.close().await;
    for p in &problems {
        println!("CHANGED {p}");
    }
    if problems.is_empty() {
        println!(
            "{checked} approved minutes checked: the approval log is intact and no approved minutes were changed."
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{checked} approved minutes checked: {} problem(s).",
            problems.len()
        );
        Ok(ExitCode::FAILURE)
    }
}
