//! The `protokol` command. It parses arguments, sets up logging and hands each subcommand
//! to the library crates; the work itself lives there.

mod bench;
mod commands;
mod demo;
mod search;
mod users;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// mimalloc instead of the system allocator: parsing and rendering allocate many small
/// strings, and with glibc's malloc the importer parsed 10–20% slower (`protokol bench
/// import`; see the README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Meeting records for Danish municipal boards: agendas, minutes, decisions.
#[derive(Parser, Debug)]
#[command(name = "protokol", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand accepts, before or after its name.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Folder for protokol's data (the SQLite database and, later, files).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value = "protokol-data",
        env = "PROTOKOL_DATA",
        hide_env_values = true
    )]
    pub data: PathBuf,
    /// Database to use instead of SQLite in the data folder, e.g.
    /// postgres://user@host/protokol or sqlite:///path/to/protokol.db
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "PROTOKOL_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// How long reading one PDF's text may take (seconds) before it is stopped and the file
    /// refused; the reader also runs with 1 GiB of memory and 64 MiB of text at most.
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        default_value_t = 60,
        env = "PROTOKOL_PDF_SECONDS"
    )]
    pub pdf_seconds: u64,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import meetings: protokol.meeting/1 JSON, FirstAgenda publication JSON, ESDH
    /// publishing exports (<Publication> XML or eDoc XML, as folders or .zip, with their
    /// attachment files), or published agendas and minutes as text, PDF, HTML or Word
    /// (.docx); files or folders of them.
    ///
    /// Documents in a layout no reader knows are read by the generic reader, which imports
    /// whatever it finds in a document that names a body and a date (at worst one item
    /// holding the text) and reports its confidence; --strict refuses those instead.
    ///
    /// Each file is stored in one transaction: a broken file stores nothing and is reported
    /// with the reason and where (line or JSON path); the other files are still imported.
    /// A meeting that exists (same id, or same body and date) is updated, not duplicated;
    /// several documents about one meeting are merged, whatever their order. Importing the
    /// same files again changes nothing. The exit status is 1 when any file failed.
    Import {
        /// Files or folders (searched recursively for .json, .txt, .pdf, .html, .docx, .xml
        /// and .zip files).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Show what would be imported, but store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Refuse documents in no known layout that the generic reader could read only
        /// partly (confidence below high), instead of importing what it found.
        #[arg(long)]
        strict: bool,
        /// Print the report as JSON (for scripts) instead of lines for people.
        #[arg(long)]
        json: bool,
    },
    /// Export every meeting, one file per meeting named <body code>-<date>.json.
    Export {
        /// Write protokol.meeting/1 JSON (the only format so far).
        #[arg(long, required = true)]
        json: bool,
        /// Folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Export what the public may see (closed content removed) instead of everything.
        #[arg(long)]
        public: bool,
    },
    /// Export the public record of the meetings held in a date range as JSON Lines: one
    /// protokol.meeting/1 document per line, with the public attachments' texts (what
    /// GET /data/moeder.jsonl?fra=…&til=… serves).
    ExportPublic {
        /// First meeting date (YYYY-MM-DD); default: the first.
        #[arg(long, value_name = "DATE")]
        from: Option<chrono::NaiveDate>,
        /// Last meeting date (YYYY-MM-DD); default: the last.
        #[arg(long, value_name = "DATE")]
        to: Option<chrono::NaiveDate>,
        /// File to write ("-": standard output).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Start the web server.
    Serve {
        /// Address to listen on.
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Load the demo meetings (Norddjurs Kommune's Direktion) if the store is empty.
        #[arg(long)]
        demo: bool,
        /// protokol runs behind a reverse proxy that appends the client's address to
        /// X-Forwarded-For: throttle sign-ins by that address instead of the proxy's.
        /// Leave it off when clients reach protokol directly (they could forge the header).
        #[arg(long, env = "PROTOKOL_BEHIND_PROXY")]
        behind_proxy: bool,
        #[command(flatten)]
        site: commands::SiteOptions,
    },
    /// Render a meeting's agenda or minutes (or one item of it) as PDF or HTML.
    ///
    /// Example: protokol render --meeting DIR/2023-09-06 --format pdf --version public
    /// --out referat.pdf
    Render {
        /// The meeting, as BODY/YYYY-MM-DD; BODY is the body's code or name.
        #[arg(long, value_name = "BODY/DATE")]
        meeting: String,
        /// Render only this item, as a single-item extract.
        #[arg(long, value_name = "N")]
        item: Option<u32>,
        /// dagsorden (agenda) or referat (minutes); default: the minutes once the meeting
        /// has them, else the agenda.
        #[arg(long, value_name = "KIND", value_parser = ["dagsorden", "referat"])]
        kind: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = commands::Format::Pdf)]
        format: commands::Format,
        /// public: what anyone may read (closed content left out); internal: complete,
        /// marked as internal on every page.
        #[arg(long, value_enum, default_value_t = commands::Version::Public)]
        version: commands::Version,
        /// File to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Bring the database schema up to date (also done automatically at start).
    Migrate,
    /// Lay out one PDF: the document (as the server writes it) on stdin, the PDF on
    /// stdout. The server runs this for each PDF, so typst's memory is given back.
    #[command(hide = true)]
    RenderWorker,
    /// Derive the published record (what the public may see: pages, documents, lists,
    /// links between meetings) again from what is stored, for every meeting. protokol keeps
    /// it current by itself; run this after an upgrade that changes how it is derived, or
    /// to repair it. Safe to repeat.
    Republish,
    /// Check the approval log: every approved set of minutes must still hash to what was
    /// approved, every log row must follow the one before it, and every meeting marked
    /// approved must be in the log. Exit status 1 when anything was changed.
    Verify {
        /// First add approved minutes that are missing from the log, as they stand now
        /// (for a database from a version of protokol that did not log imported
        /// approvals). Do this once, after checking those minutes by hand.
        #[arg(long)]
        log_unlogged: bool,
    },
    /// Search the public record as a citizen would (same index and results as /soeg).
    /// Exit status 1 when nothing was found.
    ///
    /// Example: protokol search 'klimatilpasning "offentlig høring"'
    Search {
        /// Words (all must be found), "quoted phrases" (exact), ELLER between two words,
        /// -word to leave out; case, document and journal numbers are found exactly.
        #[arg(value_name = "QUERY")]
        query: String,
        /// How many results to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// relevans, nyeste or aeldste.
        #[arg(long, value_parser = ["relevans", "nyeste", "aeldste"])]
        sort: Option<String>,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build the search indexes (search/ in the data folder) from the store again, with a
    /// progress bar. The server keeps them current itself and builds them at start when
    /// they are missing or from an older version; run this to repair them (with the
    /// server stopped: it holds the indexes while it runs).
    Reindex {
        /// Memory (MB) the index writer may fill before it writes a segment; taken only as
        /// the archive needs it. Less: more segments, merged as the build goes (slower).
        #[arg(long, default_value_t = protokol_search::FULL_BUILD_MB)]
        writer_mb: usize,
    },
    /// Accounts and roles: add, passwd, grant, revoke, list.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Measure performance (prints figures and baselines measured in the same run).
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Generate a corpus of published documents, import it into a fresh SQLite store, and
    /// print documents/s, MB/s, meetings/s (parsing and storing apart), peak memory and the
    /// share of PDF import spent in text extraction.
    Import {
        /// How many documents to generate.
        #[arg(long, default_value_t = 10_000)]
        docs: usize,
        /// How many copies of each seed PDF to import for the PDF figures (0 to skip).
        #[arg(long, default_value_t = 20)]
        pdf_copies: usize,
        /// Write the generated corpus into this folder and keep it (for profiling).
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
        /// How many meetings to generate per structured source (FirstAgenda JSON,
        /// <Publication> XML, eDoc XML; 0 to skip).
        #[arg(long, default_value_t = 2_000)]
        structured: usize,
        /// The shared folder with the real corpus (../shared/corpus): the 288 FirstAgenda
        /// meetings of Greve and the eDoc template.
        #[arg(long, value_name = "DIR", default_value = "../shared")]
        shared: PathBuf,
    },
    /// Generate archives of 1,000 and N meetings, serve each with `protokol serve`, and
    /// drive the public pages with concurrent connections, next to a static file server
    /// serving the same bytes (and nginx, where installed): requests/s, p50/p99 latency,
    /// errors, ratio to the baseline, peak memory. Use a release build.
    Serve {
        /// How many meetings the large archive has.
        #[arg(long, default_value_t = 20_000)]
        meetings: usize,
        /// Seconds of load per page kind and server.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Concurrent keep-alive connections.
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Generate N Danish sections (the seeds' vocabulary and the Danish word list,
    /// Zipf-distributed, with compounds and case numbers), index them with protokol's
    /// search and, in the same run, SQLite FTS5 and PostgreSQL's danish text search (where
    /// reachable), run the same queries top-10 with snippets against each, and print build
    /// time, size relative to the text and p50/p90/p99. Use a release build.
    Search {
        /// How many sections to generate.
        #[arg(long, default_value_t = 1_000_000)]
        sections: usize,
        /// How many queries to run.
        #[arg(long, default_value_t = 240)]
        queries: usize,
        /// Memory (MB) protokol's index writer may fill before it writes a segment (as
        /// `protokol reindex`).
        #[arg(long, default_value_t = protokol_search::FULL_BUILD_MB)]
        writer_mb: usize,
        /// Keep the generated index, the store's copy of the text and the query list in
        /// this folder (made if missing) instead of a temporary one, for running
        /// `bench search-reader` on them again or profiling it.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
    /// Search quality on real records: import the seeds and Greve's 288 FirstAgenda
    /// meetings, run the judged queries (bench/judged-queries.tsv) and print recall@10 and
    /// MRR by kind of query for protokol's search, the same index by stems only, and
    /// PostgreSQL's danish text search (where reachable).
    Quality {
        /// The shared folder with the corpus (../shared).
        #[arg(long, value_name = "DIR", default_value = "../shared")]
        shared: PathBuf,
        /// The judged queries.
        #[arg(long, value_name = "FILE", default_value = "bench/judged-queries.tsv")]
        judged: PathBuf,
    },
    /// (For `bench search`: opens its index in a process of its own, as the server does,
    /// runs the queries and prints the peak memory.)
    #[command(hide = true)]
    SearchReader {
        #[arg(long)]
        index: PathBuf,
        #[arg(long)]
        queries: PathBuf,
        /// The sections' texts, as the store keeps them (for snippets).
        #[arg(long)]
        records: PathBuf,
    },
    /// (For `bench serve`: the static file server it measures against.)
    #[command(hide = true)]
    StaticFiles {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Render the public minutes of 6 September 2023 and a generated 30-item council
    /// meeting to PDF and HTML, and print the times next to LibreOffice and Chromium turning
    /// the same HTML into a PDF (where installed), as a ratio.
    Render {
        /// Timed runs per document after a first, untimed-for-the-median call.
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Runs of each external converter (each starts a program); 0 skips them.
        #[arg(long, default_value_t = 3)]
        baseline_runs: usize,
        /// Keep the rendered PDFs and HTML pages in this folder (to look at them).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PROTOKOL_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "warn,protokol=info,protokol_web=info,protokol_store=info,protokol_import=info",
        )
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    // The server handles many requests at once; the other commands run one store call at
    // a time (CPU work goes to rayon), where one async thread avoids hand-offs.
    let mut builder = if matches!(cli.command, Command::Serve { .. }) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let g = &cli.global;
        match cli.command {
            Command::Import {
                paths,
                dry_run,
                strict,
                json,
            } => commands::import(g, &paths, dry_run, strict, json).await,
            Command::Export {
                json: _,
                out,
                public,
            } => commands::export(g, &out, public).await,
            Command::Serve {
                addr,
                demo,
                behind_proxy,
                site,
            } => commands::serve(g, addr, demo, behind_proxy, site).await,
            Command::ExportPublic { from, to, out } => {
                commands::export_public(g, from, to, &out).await
            }
            Command::Migrate => commands::migrate(g).await,
            Command::RenderWorker => commands::render_worker(),
            Command::Republish => commands::republish(g).await,
            Command::Reindex { writer_mb } => search::reindex(g, writer_mb).await,
            Command::Search {
                query,
                limit,
                sort,
                json,
            } => search::search(g, &query, limit, sort.as_deref(), json).await,
            Command::User(command) => users::run(g, command).await,
            Command::Verify { log_unlogged } => commands::verify(g, log_unlogged).await,
            Command::Render {
                meeting,
                item,
                kind,
                format,
                version,
                out,
            } => {
                commands::render(
                    g,
                    commands::RenderRequest {
                        meeting: &meeting,
                        item,
                        kind: kind.as_deref(),
                        format,
                        version,
                        out: &out,
                    },
                )
                .await
            }
            Command::Bench(BenchCommand::Import {
                docs,
                pdf_copies,
                corpus,
                structured,
                shared,
            }) => bench::import(docs, pdf_copies, corpus, structured, shared)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Bench(BenchCommand::Serve {
                meetings,
                seconds,
                connections,
            }) => bench::serve(meetings, seconds, connections)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Bench(BenchCommand::Search {
                sections,
                queries,
                writer_mb,
                keep,
            }) => bench::search(sections, queries, writer_mb, keep)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Bench(BenchCommand::Quality { shared, judged }) => {
                bench::quality(shared, judged)
                    .await
                    .map(|()| ExitCode::SUCCESS)
            }
            Command::Bench(BenchCommand::SearchReader {
                index,
                queries,
                records,
            }) => bench::search_reader(&index, &queries, &records)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Bench(BenchCommand::StaticFiles { dir }) => {
                bench::static_files(dir).await.map(|()| ExitCode::SUCCESS)
            }
            Command::Bench(BenchCommand::Render {
                runs,
                baseline_runs,
                out,
            }) => bench::render(runs, baseline_runs, out).map(|()| ExitCode::SUCCESS),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
