//! `protokol bench render`: times laying out the public minutes of 6 September 2023 (a demo
//! meeting) and a generated 30-item council meeting as PDF (typst) and HTML (askama), and,
//! in the same run, a common alternative turning the same HTML into a PDF: LibreOffice
//! (`soffice --headless --convert-to pdf`) and headless Chromium (`--print-to-pdf`), where
//! installed. The ratio says how many times faster protokol's PDF is.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use protokol_core::exchange::parse_meeting;
use protokol_core::{BodySettings, Meeting};
use protokol_render::{DocKind, Document, Edition, Scope, html, pdf};
use serde_json::{Value, json};

/// One document to render.
struct Case {
    name: &'static str,
    file: &'static str,
    document: Document,
}

fn demo_minutes() -> Result<Meeting> {
    let (_, text) = crate::demo::MEETINGS
        .iter()
        .find(|(name, _)| name.contains("2023-09-06"))
        .context("the 6 September 2023 demo meeting is missing")?;
    Ok(parse_meeting(text)?)
}

const PARTIES: [&str; 8] = ["A", "V", "O", "F", "C", "B", "Ø", "I"];
const FIRST: [&str; 12] = [
    "Anne", "Bo", "Camilla", "Dorthe", "Erik", "Frederik", "Gitte", "Hans", "Inger", "Jonas",
    "Karen", "Lars",
];
const LAST: [&str; 9] = [
    "Kjærgaard",
    "Østergaard",
    "Åberg",
    "Mølgaard",
    "Due",
    "Brøndum",
    "Vestergaard",
    "Højbjerg",
    "Nørgaard",
];
const TOPICS: [&str; 10] = [
    "Budgetopfølgning pr. 31. august",
    "Ny skolestruktur i Grenaa",
    "Lokalplan for boliger ved Kattegatvej",
    "Takster for ældreområdet",
    "Klimahandleplan 2030",
    "Anlægsbevilling til cykelsti",
    "Høringssvar om kollektiv trafik",
    "Tilsynsrapport for plejecentre",
    "Samarbejdsaftale med erhvervsrådet",
    "Forlængelse af rammeaftale om rengøring",
];

/// A council meeting with 31 members (party letters, a substitute, a vacant seat) and 30
/// items whose texts are the demo minutes' own paragraphs, varied deterministically: case,
/// economy, recommendation, decisions, votes, dissents, sub-points and attachments.
fn council_meeting(prose: &[String]) -> Result<Meeting> {
    let name = |i: usize| format!("{} {}", FIRST[i % FIRST.len()], LAST[(i * 7) % LAST.len()]);
    let mut members: Vec<Value> = (0..30)
        .map(|i| {
            json!({
                "name": name(i),
                "role": if i == 0 { Some("Borgmester") } else { None },
                "party": PARTIES[i % PARTIES.len()],
            })
        })
        .collect();
    members.push(json!({"name": "Rasmus Nørgaard", "party": "A", "substitute_for": name(1)}));
    members.push(json!({"name": null, "role": "Medlem", "party": "F", "vacant": true}));
    let para = |i: usize| prose[i % prose.len()].clone();
    let items: Vec<Value> = (1..=30usize)
        .map(|n| {
            let topic = TOPICS[n % TOPICS.len()];
            let closed = n % 13 == 0;
            let case = (0..3 + n % 4)
                .map(|k| para(n * 5 + k))
                .collect::<Vec<_>>()
                .join("\n\n")
                + "\n\n- Bilag 1 beskriver forløbet\n- Bilag 2 viser økonomien";
            let attachments: Vec<Value> = (1..=(n % 5) as u32)
                .map(|a| {
                    json!({
                        "number": a,
                        "title": format!("{topic} – bilag {a}"),
                        "access": if a == 3 { "closed" } else { "open" },
                        "doc_id": format!("{}", 3_500_000 + n * 10 + a as usize),
                        "journal": format!("{:02}.{:02}.00-P20-{}-24", n % 90, a, n),
                    })
                })
                .collect();
            let schedule: Vec<Value> = if n % 6 == 0 {
                (0..3)
                    .map(|k| {
                        json!({
                            "time": format!("{:02}:{:02}", 17 + k / 2, (k % 2) * 30),
                            "title": format!("Drøftelse {} af {}", k + 1, topic.to_lowercase()),
                            "text": para(n + k),
                            "decision": "Drøftet.",
                            "participants": [format!("Chef for området {}", name(n + k))],
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let votes = if n % 4 == 0 {
                json!([
                    {"option": "for", "parties": ["A", "V", "F", "C"], "count": 21},
                    {"option": "against", "parties": ["O", "Ø"], "count": 7},
                    {"option": "abstain", "parties": ["I"], "count": 2}
                ])
            } else {
                json!([])
            };
            json!({
                "number": n,
                "title": format!("{topic} ({n})"),
                "access": if closed { "closed" } else { "open" },
                "closed_reason": if closed { Some("Køb og salg af fast ejendom") } else { None },
                "public_title": if closed { Some("Salg af ejendom") } else { None },
                "public_decision": if closed { Some("Godkendt.") } else { None },
                "route": ["ØK", "KB"],
                "case": case,
                "economy": para(n * 3 + 1),
                "recommendation": format!("Kommunaldirektøren indstiller, at {} godkendes.", topic.to_lowercase()),
                "decision": if n % 9 == 0 { "Udsat." } else { "Godkendt." },
                "decision_date": "2024-06-18",
                "schedule": schedule,
                "attachments": attachments,
                "votes": votes,
                "dissents": if n % 8 == 0 {
                    json!([{"member": name(3), "text": "Jeg ønsker ført til protokols, at jeg stemmer imod."}])
                } else {
                    json!([])
                },
            })
        })
        .collect();
    let meeting = json!({
        "schema": "protokol.meeting/1",
        "body": {"name": "Kommunalbestyrelsen", "code": "KB"},
        "kind": "minutes",
        "status": "held",
        "date": "2024-06-18",
        "start": "17:00",
        "end": "22:10",
        "location": "Byrådssalen, rådhuset",
        "members": members,
        "absent": [{"name": name(1), "party": "V", "notice": true}],
        "items": items,
        "signatures": [],
    });
    Ok(parse_meeting(&meeting.to_string())?)
}

/// The demo minutes' paragraphs, as filler text for the generated meeting.
fn paragraphs(m: &Meeting) -> Vec<String> {
    let mut out: Vec<String> = m
        .items
        .iter()
        .flat_map(|i| [i.case.as_deref(), i.decision.as_deref()])
        .flatten()
        .flat_map(|t| t.split("\n\n"))
        .filter(|p| p.len() > 80 && !p.starts_with('-'))
        .map(str::to_string)
        .collect();
    if out.is_empty() {
        out.push("Sagen beskriver baggrunden, de økonomiske forhold og den videre proces.".into());
    }
    out
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Times `f` `runs` times; returns (first call, median of the rest).
fn time<T>(runs: usize, mut f: impl FnMut() -> Result<T>) -> Result<(Duration, Duration, T)> {
    let started = Instant::now();
    let mut out = f()?;
    let first = started.elapsed();
    let mut rest = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        out = f()?;
        rest.push(started.elapsed());
    }
    Ok((first, median(rest), out))
}

fn on_path(cmd: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(cmd))
            .find(|p| p.is_file())
    })
}

/// An HTML-to-PDF converter run as a separate program, as a municipality's toolchain would.
struct Converter {
    name: &'static str,
    program: PathBuf,
}

impl Converter {
    fn available() -> Vec<Converter> {
        let mut found = Vec::new();
        if let Some(program) = on_path("soffice").or_else(|| on_path("libreoffice")) {
            found.push(Converter {
                name: "LibreOffice --convert-to pdf",
                program,
            });
        }
        if let Some(program) = on_path("chromium").or_else(|| on_path("chromium-browser")) {
            found.push(Converter {
                name: "Chromium --print-to-pdf",
                program,
            });
        }
        found
    }

    /// Converts `html` to a PDF in `dir`; returns its size.
    fn convert(&self, html: &Path, dir: &Path) -> Result<u64> {
        let stem = html.file_stem().and_then(|s| s.to_str()).unwrap_or("out");
        let pdf = dir.join(format!("{stem}.pdf"));
        let _ = std::fs::remove_file(&pdf);
        let mut cmd = Command::new(&self.program);
        if self.name.starts_with("LibreOffice") {
            let profile = dir.join("lo-profile");
            cmd.arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir)
            .arg(html);
        } else {
            cmd.args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.join("chromium-profile").display()
            ))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", html.display()));
        }
        let output = cmd
            .output()
            .with_context(|| format!("cannot run {}", self.program.display()))?;
        match std::fs::metadata(&pdf) {
            Ok(meta) if meta.len() > 0 => Ok(meta.len()),
            _ => bail!(
                "{} made no PDF: {}",
                self.name,
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ),
        }
    }
}

pub fn render(runs: usize, baseline_runs: usize, out: Option<PathBuf>) -> Result<()> {
    let runs = runs.max(1);
    let demo = demo_minutes()?;
    let council = council_meeting(&paragraphs(&demo))?;
    let settings = BodySettings::default();
    let cases = [
        Case {
            name: "Direktionen 6 Sep 2023, minutes",
            file: "direktionen-2023-09-06-referat",
            document: Document::build(
                &demo,
                &settings,
                Edition::Public,
                DocKind::Minutes,
                Scope::Meeting,
            )?,
        },
        Case {
            name: "council, 30 items, minutes",
            file: "kommunalbestyrelsen-30-punkter-referat",
            document: Document::build(
                &council,
                &settings,
                Edition::Public,
                DocKind::Minutes,
                Scope::Meeting,
            )?,
        },
    ];
    let tmp = tempfile::tempdir()?;
    let dir = out.unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let converters = Converter::available();

    println!(
        "protokol bench render ({} build, median of {runs} runs after a first call)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    for case in &cases {
        // Every timed run lays the document out afresh: typst's memo is emptied first, so
        // only the loaded fonts carry over from one run to the next (as in a server).
        let (pdf_first, pdf_median, (pdf_bytes, pages)) = time(runs, || {
            pdf::forget_layouts();
            Ok(pdf::render_counted(&case.document)?)
        })?;
        let (_, html_median, page) = time(runs, || Ok(html::standalone(&case.document)?))?;
        let pdf_path = dir.join(format!("{}.pdf", case.file));
        let html_path = dir.join(format!("{}.html", case.file));
        std::fs::write(&pdf_path, &pdf_bytes)?;
        std::fs::write(&html_path, &page)?;
        println!("\n{} ({pages} pages)", case.name);
        println!(
            "  protokol PDF (typst)    {:>9.1} ms   first call (loads fonts) {:.0} ms, {} kB",
            ms(pdf_median),
            ms(pdf_first),
            pdf_bytes.len().div_ceil(1024)
        );
        println!(
            "  protokol HTML (askama)  {:>9.2} ms   {} kB",
            ms(html_median),
            page.len().div_ceil(1024)
        );
        for converter in &converters {
            let work = tempfile::tempdir()?;
            let mut times = Vec::new();
            let mut failure = None;
            for _ in 0..baseline_runs {
                let started = Instant::now();
                match converter.convert(&html_path, work.path()) {
                    Ok(_) => times.push(started.elapsed()),
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            match failure {
                Some(e) => println!("  {:<23} failed: {e:#}", converter.name),
                None if times.is_empty() => {}
                None => {
                    let t = median(times);
                    let ratio = t.as_secs_f64() / pdf_median.as_secs_f64().max(1e-9);
                    let verdict = if ratio >= 1.0 {
                        format!("protokol PDF is {ratio:.1}× faster")
                    } else {
                        format!("protokol PDF is {:.1}× slower", 1.0 / ratio)
                    };
                    println!("  {:<23} {:>9.1} ms   {verdict}", converter.name, ms(t));
                }
            }
        }
        if converters.is_empty() && baseline_runs > 0 {
            println!("  (no LibreOffice or Chromium on PATH: no baseline)");
        }
    }
    if dir != tmp.path() {
        println!("\nDocuments written to {}", dir.display());
    } else {
        println!("\n(--out DIR keeps the rendered documents)");
    }
    if cfg!(debug_assertions) {
        println!("Target: 6 Sep minutes to PDF under 100 ms in a release build (this is debug).");
    }
    Ok(())
}
