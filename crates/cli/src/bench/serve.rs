//! `protokol bench serve`: the public pages at archive scale, measured against a static file
//! server serving the same bytes.
//!
//! For each archive size (1,000 meetings, then N): generates the meetings of six bodies
//! (items, closed items, attachments, decisions, and matters that go on from the Direktion
//! to Økonomiudvalget to Kommunalbestyrelsen), stores them in a fresh SQLite database (the
//! published record derived as they are stored), starts `protokol serve` as its own
//! process, and drives it from this process with 64 keep-alive connections for a fixed time
//! per page kind: front page, body page, meeting page, item page, minutes PDF, attachment.
//! The same bytes are then served by a plain static file server (tower-http's `ServeDir`,
//! also its own process; and nginx where installed) under the same load: the baseline. It
//! prints requests/s, p50/p99 latency, errors, the ratio to the baseline and the server's
//! peak memory.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use protokol_core::danish::{slug, today};
use protokol_core::{
    Access, Attachment, AttachmentFile, BodyRef, Item, Meeting, MeetingKind, MeetingStatus, Member,
    NextKind, NextStep,
};
use protokol_store::{Commit, Store};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader as AsyncBufReader};

use super::{BODIES, Lcg, NAMES};

/// One meeting of the generated archive: `i` runs over all meetings, the bodies in turn.
fn meeting(rng: &mut Lcg, i: usize, today: NaiveDate) -> Result<Meeting> {
    let (name, code) = BODIES[i % BODIES.len()];
    let k = i / BODIES.len();
    let date = NaiveDate::from_ymd_opt(2010, 1, 4).unwrap_or_default()
        + chrono::Duration::days(k as i64 * 2);
    let held = date < today;
    let mut m = Meeting::new(
        BodyRef {
            name: name.into(),
            code: code.parse()?,
        },
        if held {
            MeetingKind::Minutes
        } else {
            MeetingKind::Agenda
        },
        date,
    );
    m.status = Some(if held {
        MeetingStatus::Held
    } else {
        MeetingStatus::AgendaPublished
    });
    m.location = Some(format!("Mødelokale {}, rådhuset", 100 + rng.next() % 200));
    m.members = (0..5)
        .map(|n| Member {
            name: Some(NAMES[(i + n) % NAMES.len()].to_string()),
            role: (n == 0).then(|| "Formand".to_string()),
            party: None,
            vacant: false,
            substitute_for: None,
        })
        .collect();
    let items = 3 + (rng.next() as usize) % 18;
    for n in 1..=items {
        let mut item = Item::new(Some(n as u32), format!("Sag {n}: budget og drift i {name}"));
        if n == 1 {
            // The matter that travels: Direktionen → Økonomiudvalget → Kommunalbestyrelsen,
            // the same week, under the same title.
            item.title = format!("Budgetopfølgning uge {k}");
            let next = match code {
                "DIR" => Some(("Økonomiudvalget", 1)),
                "ØK" => Some(("Kommunalbestyrelsen", 1)),
                _ => None,
            };
            if let Some((body, _)) = next {
                item.next.push(NextStep {
                    body: body.into(),
                    date,
                    kind: NextKind::Continued,
                });
            }
        }
        // Item 1 (the travelling matter) stays open, so its page and attachment are public.
        if n > 1 && rng.next().is_multiple_of(10) {
            item.access = Access::Closed;
            item.closed_reason = Some("Personsag".into());
            item.public_title = Some("Personalesag".into());
            item.public_decision = Some("Indstillingen blev godkendt.".into());
        }
        item.case = Some(
            "Forvaltningen har udarbejdet et oplæg om sagens baggrund, de økonomiske rammer og den videre proces. "
                .repeat(1 + (rng.next() as usize) % 6),
        );
        item.recommendation = Some("Det indstilles, at sagen godkendes.".into());
        if held {
            item.decision = Some("Godkendt.".into());
        }
        item.attachments.push(Attachment {
            id: None,
            number: 1,
            title: format!("Notat om sag {n}"),
            access: Access::Open,
            doc_id: Some(format!("{}", 3_000_000 + i * 40 + n)),
            journal: None,
            file: Some(AttachmentFile {
                name: format!("notat-{n}.pdf"),
                media_type: "application/pdf".into(),
                sha256: None,
                text: Some(format!("Notat om sag {n} i {name} den {date}.").into()),
            }),
        });
        m.items.push(item);
    }
    Ok(m)
}

/// Stores `n` generated meetings; returns the time it took.
async fn build_archive(url: &str, n: usize) -> Result<Duration> {
    let store = Store::open_for_bulk(url).await?;
    let mut rng = Lcg(20261203);
    let today = today();
    let t = Instant::now();
    let mut batch = Vec::with_capacity(200);
    for i in 0..n {
        batch.push(meeting(&mut rng, i, today)?);
        if batch.len() == 200 || i + 1 == n {
            store
                .upsert_meetings(&batch, "bench", Commit::Yes)
                .await
                .context("storing the generated archive")?;
            batch.clear();
        }
    }
    let took = t.elapsed();
    store.close().await;
    Ok(took)
}

/// A server process, stopped when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `cmd` and reads the address it prints ("… serves http://ADDR").
    fn start(mut cmd: Command) -> Result<Self> {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot start the server")?;
        let stderr = child.stderr.take().context("no stderr")?;
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let Some(line) = lines.next() else {
                bail!("the server ended before it served");
            };
            let line = line?;
            if let Some(at) = line.find("serves http://") {
                break line[at + "serves http://".len()..].trim().parse()?;
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Self { child, addr })
    }

    /// A memory figure of the process (VmHWM: the most it has held; VmRSS: now), in MB.
    fn memory_mb(&self, which: &str) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(which))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1024.0)
    }

    fn peak_rss_mb(&self) -> f64 {
        self.memory_mb("VmHWM:")
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    reader: AsyncBufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        Ok(Self {
            reader: AsyncBufReader::new(r),
            writer: w,
        })
    }

    /// GETs `path`; returns the status and the body.
    async fn get(&mut self, host: &str, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        self.writer.write_all(request.as_bytes()).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other("no status line"))?;
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            self.reader.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let v = v.trim();
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.parse::<usize>().ok();
                } else if k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked") {
                    chunked = true;
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16)
                    .map_err(|_| std::io::Error::other("bad chunk"))?;
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            self.reader.read_exact(&mut body).await?;
        }
        Ok((status, body))
    }
}

/// What a run measured.
struct Figures {
    requests: usize,
    errors: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl Figures {
    fn per_sec(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }
}

/// Drives `addr` with `connections` keep-alive connections for `time`, each asking for
/// the `paths` in turn from its own starting point.
async fn drive(
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    connections: usize,
    time: Duration,
) -> Figures {
    let host = addr.to_string();
    let started = Instant::now();
    let until = started + time;
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let paths = paths.clone();
            let host = host.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut n = c * 7;
                let mut conn = Conn::open(addr).await.ok();
                while Instant::now() < until {
                    let Some(open) = conn.as_mut() else {
                        errors += 1;
                        conn = Conn::open(addr).await.ok();
                        continue;
                    };
                    let path = &paths[n % paths.len()];
                    n += 1;
                    let t = Instant::now();
                    match open.get(&host, path).await {
                        Ok((200, _)) => latencies.push(t.elapsed()),
                        Ok(_) => errors += 1,
                        Err(_) => {
                            errors += 1;
                            conn = Conn::open(addr).await.ok();
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            latencies.extend(l);
            errors += e;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Figures {
        requests: latencies.len(),
        errors,
        seconds,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
    }
}

/// Drives `addr` with wrk (its own process, written in C: a load generator that costs the
/// servers little of the machine), when it is installed.
fn drive_wrk(
    addr: SocketAddr,
    paths: &[String],
    connections: usize,
    time: Duration,
    work: &Path,
) -> Result<Option<Figures>> {
    let Some(wrk) = on_path("wrk") else {
        return Ok(None);
    };
    let script = work.join("paths.lua");
    let list: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
    std::fs::write(
        &script,
        format!(
            "paths = {{{}}}\ni = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n",
            list.join(", ")
        ),
    )?;
    let out = Command::new(wrk)
        // wrk needs at least one connection per thread.
        .arg(format!("-t{}", connections.clamp(1, 2)))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{}s", time.as_secs().max(1)))
        .arg("--latency")
        .arg("-s")
        .arg(&script)
        .arg(format!("http://{addr}/"))
        .output()?;
    if !out.status.success() {
        bail!(
            "wrk failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let number = |prefix: &str| -> Option<f64> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| {
                l[prefix.len()..]
                    .split_whitespace()
                    .next()
                    .map(str::to_string)
            })
            .and_then(|v| {
                let (n, unit) = v.split_at(v.find(|c: char| c.is_alphabetic()).unwrap_or(v.len()));
                let n: f64 = n.parse().ok()?;
                Some(match unit {
                    "us" => n / 1000.0,
                    "ms" | "" => n,
                    "s" => n * 1000.0,
                    "m" => n * 60_000.0,
                    _ => n,
                })
            })
    };
    let requests = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    let seconds = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split("requests in").nth(1))
        .and_then(|r| r.trim().split(',').next())
        .and_then(|d| d.trim().trim_end_matches('s').parse::<f64>().ok())
        .unwrap_or(time.as_secs_f64());
    let non_2xx = text
        .lines()
        .find(|l| l.contains("Non-2xx or 3xx responses:"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let socket = text
        .lines()
        .find(|l| l.contains("Socket errors:"))
        .map(|l| {
            l.split(',')
                .filter_map(|part| part.split_whitespace().last())
                .filter_map(|n| n.parse::<usize>().ok())
                .sum::<usize>()
        })
        .unwrap_or(0);
    Ok(Some(Figures {
        requests: requests.saturating_sub(non_2xx),
        errors: non_2xx + socket,
        seconds,
        p50_ms: number("50%").unwrap_or(0.0),
        p99_ms: number("99%").unwrap_or(0.0),
    }))
}

/// Drives `addr` with wrk where installed, else with the connections of this process.
async fn load(
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    connections: usize,
    time: Duration,
    work: &Path,
) -> Result<Figures> {
    match drive_wrk(addr, &paths, connections, time, work)? {
        Some(f) => Ok(f),
        None => Ok(drive(addr, paths, connections, time).await),
    }
}

/// The page kinds measured, each with the paths asked for (a sample spread over the
/// archive).
fn page_kinds(n: usize, today: NaiveDate) -> Vec<(&'static str, Vec<String>)> {
    let sample: Vec<usize> = (0..200).map(|j| (j * n / 200 + j % 6) % n).collect();
    let page = |i: usize| {
        let (name, _) = BODIES[i % BODIES.len()];
        let date = NaiveDate::from_ymd_opt(2010, 1, 4).unwrap_or_default()
            + chrono::Duration::days((i / BODIES.len()) as i64 * 2);
        (format!("/{}/{date}", slug(name)), date)
    };
    let held: Vec<usize> = sample
        .iter()
        .copied()
        .filter(|i| page(*i).1 < today)
        .collect();
    vec![
        ("front page", vec!["/".to_string()]),
        (
            "body page",
            BODIES
                .iter()
                .map(|(name, _)| format!("/{}", slug(name)))
                .collect(),
        ),
        ("meeting page", sample.iter().map(|i| page(*i).0).collect()),
        (
            "item page",
            sample
                .iter()
                .map(|i| format!("{}/punkt/1", page(*i).0))
                .collect(),
        ),
        (
            "minutes PDF",
            held.iter()
                .take(50)
                .map(|i| format!("{}/referat.pdf", page(*i).0))
                .collect(),
        ),
        (
            "attachment",
            sample
                .iter()
                .map(|i| format!("{}/punkt/1/bilag/1", page(*i).0))
                .collect(),
        ),
        (SEARCH_PAGE, search_paths(&sample)),
    ]
}

const SEARCH_PAGE: &str = "search page";

/// Searches as readers make them on the search page (with counts and facets): words in
/// nearly every meeting, rarer ones, phrases, OR, and document numbers and week numbers
/// of the sampled meetings (one hit each). Each hit's text is read from the store.
fn search_paths(sample: &[usize]) -> Vec<String> {
    let mut queries: Vec<String> = [
        "budget",
        "budgetopfølgning",
        "forvaltningen oplæg",
        "\"videre proces\"",
        "godkendt ELLER drift",
        "notat",
        "økonomiske rammer",
        "mødelokale",
        "personalesag",
        "Økonomiudvalget",
    ]
    .iter()
    .map(|q| q.to_string())
    .collect();
    for i in sample.iter().step_by(4) {
        queries.push(format!("{}", 3_000_000 + i * 40 + 1));
        queries.push(format!("\"budgetopfølgning uge {}\"", i / BODIES.len()));
    }
    queries
        .iter()
        .map(|q| {
            let q: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
            format!("/soeg?q={q}")
        })
        .collect()
}

/// Waits until the server's search indexes are built (it builds them in the background
/// at start).
async fn search_ready(addr: SocketAddr) -> Result<()> {
    let started = Instant::now();
    let mut conn = Conn::open(addr).await?;
    loop {
        let (status, body) = conn.get(&addr.to_string(), "/api/search?q=budget").await?;
        let text = String::from_utf8_lossy(&body);
        if status == 200 && !text.contains("ved at blive bygget") {
            println!(
                "search indexes ready {:.0} s after the first look",
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(1_800) {
            bail!("the server's search indexes were not built within 30 minutes");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Fetches every path once from `addr` (which lays each document out and keeps it) and
/// writes the bytes under `dir` as `s/{kind}-{n}`; returns the static paths.
async fn warm_and_copy(
    addr: SocketAddr,
    kind: usize,
    paths: &[String],
    dir: &Path,
) -> Result<Vec<String>> {
    let mut conn = Conn::open(addr).await?;
    let mut out = Vec::new();
    for (n, p) in paths.iter().enumerate() {
        let (status, body) = conn.get(&addr.to_string(), p).await?;
        if status != 200 {
            bail!("{p}: status {status}");
        }
        let name = format!("{kind}-{n}");
        std::fs::write(dir.join("s").join(&name), body)?;
        out.push(format!("/s/{name}"));
    }
    Ok(out)
}

/// Harvests the whole meeting list of the OParl API as a harvester does (following
/// `links.next` from the first page, 100 meetings a page); returns the page paths, how
/// many meetings they held and how long it took.
async fn harvest(addr: SocketAddr) -> Result<(Vec<String>, usize, Duration)> {
    let mut conn = Conn::open(addr).await?;
    let host = addr.to_string();
    let site = format!("http://{host}");
    let started = Instant::now();
    let mut next = Some("/oparl/v1/body/kommune/meeting".to_string());
    let (mut pages, mut meetings) = (Vec::new(), 0);
    while let Some(path) = next.take() {
        let (status, body) = conn.get(&host, &path).await?;
        if status != 200 {
            bail!("{path}: status {status}");
        }
        let page: serde_json::Value = serde_json::from_slice(&body)?;
        meetings += page["data"].as_array().map_or(0, Vec::len);
        next = page["links"]["next"]
            .as_str()
            .and_then(|n| n.strip_prefix(&site))
            .map(str::to_string);
        pages.push(path);
    }
    Ok((pages, meetings, started.elapsed()))
}

fn on_path(cmd: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(cmd))
        .find(|p| p.is_file())
}

/// nginx serving `root` on a free port, where nginx is installed.
fn nginx(root: &Path, work: &Path) -> Result<Option<Server>> {
    let Some(bin) = on_path("nginx").or_else(|| {
        let p = PathBuf::from("/usr/sbin/nginx");
        p.is_file().then_some(p)
    }) else {
        return Ok(None);
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let conf = work.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes auto; pid {}/nginx.pid; error_log stderr;\n\
             events {{ worker_connections 1024; }}\n\
             http {{ access_log off; sendfile on; keepalive_requests 100000;\n\
               client_body_temp_path {w}; proxy_temp_path {w}; fastcgi_temp_path {w};\n\
               uwsgi_temp_path {w}; scgi_temp_path {w};\n\
               server {{ listen 127.0.0.1:{port}; root {}; }} }}\n",
            work.display(),
            root.display(),
            w = work.display()
        ),
    )?;
    let child = Command::new(bin)
        .args(["-e", "stderr", "-p"])
        .arg(work)
        .arg("-c")
        .arg(&conf)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    for _ in 0..100 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return Ok(Some(Server { child, addr }));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(None)
}

fn print_row(kind: &str, ours: &Figures, base: &Figures, nginx: Option<&Figures>) {
    println!(
        "  {kind:<13} {:>8.0}/s  p50 {:>6.2} ms  p99 {:>6.2} ms  {:>3} errors | ServeDir {:>8.0}/s  p99 {:>6.2} ms | {:>5.2}×{}",
        ours.per_sec(),
        ours.p50_ms,
        ours.p99_ms,
        ours.errors,
        base.per_sec(),
        base.p99_ms,
        ours.per_sec() / base.per_sec().max(1e-9),
        nginx
            .map(|f| format!(
                " | nginx {:>8.0}/s ({:.2}×)",
                f.per_sec(),
                ours.per_sec() / f.per_sec().max(1e-9)
            ))
            .unwrap_or_default()
    );
}

/// The page kind of OParl meeting list pages.
const OPARL_PAGE: &str = "OParl 100 mtg";

/// Measures one archive size; returns protokol's requests/s per page kind.
async fn measure(n: usize, seconds: u64, connections: usize) -> Result<Vec<(&'static str, f64)>> {
    let work = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        work.path().join("protokol.db").display()
    );
    let took = build_archive(&url, n).await?;
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(&exe);
    // The server's data folder (its search indexes) is the run's own, never the caller's.
    cmd.env("PROTOKOL_LOG", "warn,protokol_web=info")
        .arg("--data")
        .arg(work.path())
        .arg("--database-url")
        .arg(&url)
        .args(["serve", "--addr", "127.0.0.1:0"]);
    let server = Server::start(cmd)?;
    let mut kinds = page_kinds(n, today());
    // The first harvest makes each meeting's object and keeps it; the second reads them.
    let mut pages = Vec::new();
    for run in ["first", "again"] {
        let (walked, harvested, took) = harvest(server.addr).await?;
        println!(
            "{}OParl harvest of all {n} meetings ({run}): {} pages, {harvested} meetings with their items and files, {:.1} s ({:.0} meetings/s, {:.1} ms a page), one connection",
            if run == "first" { "\n" } else { "" },
            walked.len(),
            took.as_secs_f64(),
            harvested as f64 / took.as_secs_f64().max(1e-9),
            took.as_secs_f64() * 1000.0 / walked.len().max(1) as f64
        );
        pages = walked;
    }
    search_ready(server.addr).await?;
    let step = pages.len().div_ceil(200).max(1);
    kinds.push((OPARL_PAGE, pages.iter().step_by(step).cloned().collect()));
    let statics = work.path().join("static");
    std::fs::create_dir_all(statics.join("s"))?;
    let started_mb = server.memory_mb("VmRSS:");
    let mut copies = Vec::new();
    let mut warmed = Vec::new();
    for (k, (kind, paths)) in kinds.iter().enumerate() {
        copies.push(warm_and_copy(server.addr, k, paths, &statics).await?);
        warmed.push(format!("{kind} {:.0}", server.memory_mb("VmRSS:")));
    }
    let mut cmd = Command::new(&exe);
    cmd.env("PROTOKOL_LOG", "info")
        .args(["bench", "static-files", "--dir"])
        .arg(&statics);
    let baseline = Server::start(cmd)?;
    let nginx = nginx(&statics, work.path())?;
    println!(
        "\n{n} meetings ({:.0} s to store, {:.0} meetings/s with the published record); {connections} connections, {seconds} s per page kind, load from {}:",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64().max(1e-9),
        if on_path("wrk").is_some() {
            "wrk"
        } else {
            "this process (install wrk for a lighter load generator)"
        }
    );
    let time = Duration::from_secs(seconds);
    let mut rates = Vec::new();
    for ((kind, paths), copy) in kinds.iter().zip(copies) {
        let w = work.path();
        let ours = load(server.addr, Arc::new(paths.clone()), connections, time, w).await?;
        let copy = Arc::new(copy);
        let base = load(baseline.addr, copy.clone(), connections, time, w).await?;
        let ng = match &nginx {
            Some(s) => Some(load(s.addr, copy.clone(), connections, time, w).await?),
            None => None,
        };
        print_row(kind, &ours, &base, ng.as_ref());
        rates.push((*kind, ours.per_sec()));
        if *kind == OPARL_PAGE {
            // A harvester's view: one request at a time, its latency without queueing.
            let ours = load(server.addr, Arc::new(paths.clone()), 1, time, w).await?;
            let base = load(baseline.addr, copy.clone(), 1, time, w).await?;
            print_row("OParl, 1 conn", &ours, &base, None);
        }
    }
    println!(
        "  protokol's memory (MB): {started_mb:.0} at start; after laying out the sample's {}",
        warmed.join(", ")
    );
    println!(
        "  protokol's peak memory: {:.0} MB{}",
        server.peak_rss_mb(),
        if nginx.is_none() {
            " (nginx not installed: ServeDir is the baseline)"
        } else {
            ""
        }
    );
    Ok(rates)
}

pub async fn serve(meetings: usize, seconds: u64, connections: usize) -> Result<()> {
    if cfg!(debug_assertions) {
        println!("Note: a debug build; run `cargo run --release -- bench serve` for real figures.");
    }
    let small = measure(1_000.min(meetings), seconds, connections).await?;
    if meetings > 1_000 {
        let large = measure(meetings, seconds, connections).await?;
        println!(
            "\nGrowth from 1,000 to {meetings} meetings (requests/s at {meetings} ÷ at 1,000):"
        );
        for ((kind, a), (_, b)) in small.iter().zip(&large) {
            println!("  {kind:<13} {:.2}", b / a.max(1e-9));
        }
    }
    Ok(())
}

/// The baseline: a plain static file server (tower-http's `ServeDir`) for `dir`.
pub async fn static_files(dir: PathBuf) -> Result<()> {
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(dir));
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    tracing::info!("static files: serves http://{}", listener.local_addr()?);
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await?;
    Ok(())
}
