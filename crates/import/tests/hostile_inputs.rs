//! Hostile and broken archives in one batch: a zip bomb, a zip with too many entries, a zip
//! whose entries are links or absolute paths, XML with entity expansion and external
//! entities, deeply nested and 1 GiB JSON, a cut-off Word file, a PDF with JavaScript and a
//! PDF of thousands of pages. Each is refused with the file named and the reason given,
//! nothing of it is stored, and the good file beside them is imported. On SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use protokol_import::{FileReport, Options, ZipLimits, import_files};
use protokol_testkit::{Kind, fresh, store_tests};

fn seed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/seeds")
        .join(name)
}

fn pdftotext_available() -> bool {
    std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
}

/// A PDF of `pages` pages, each saying "Side N", optionally with a JavaScript open action.
/// Written object by object with a correct cross-reference table.
fn pdf(pages: usize, javascript: bool) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    // 1 catalog, 2 page tree, 3 font, then per page: page, contents.
    let action = if javascript {
        " /OpenAction << /S /JavaScript /JS (app.alert\\('hej'\\)) >>"
    } else {
        ""
    };
    objects.push(format!("<< /Type /Catalog /Pages 2 0 R{action} >>"));
    let kids: Vec<String> = (0..pages).map(|p| format!("{} 0 R", 4 + 2 * p)).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} >>",
        kids.join(" ")
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    );
    for p in 0..pages {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * p
        ));
        let text = format!("BT /F1 12 Tf 72 760 Td (Side {}) Tj ET", p + 1);
        objects.push(format!(
            "<< /Length {} >>\nstream\n{text}\nendstream",
            text.len()
        ));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (k, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", k + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn zip_with(path: &Path, entries: &[(&str, &[u8])], links: &[(&str, &str)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    for (name, target) in links {
        w.add_symlink(*name, *target, options).unwrap();
    }
    w.finish().unwrap();
}

const PUBLICATION: &str = "<Publication><Agendas><Agenda><Committee><Name>Udvalget for Teknik</Name></Committee>\
<Meeting><When>15-05-2013 16:30:00</When></Meeting><Items><Item><Number>1</Number><Caption>Punkt</Caption>\
<IsPublic>true</IsPublic></Item></Items></Agenda></Agendas></Publication>";

async fn a_batch_of_hostile_files_is_refused_and_the_good_file_imports(kind: Kind) {
    let store = fresh(kind).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let outside = tempfile::tempdir().unwrap();
    let mut files: Vec<(PathBuf, &str)> = Vec::new();

    // A zip bomb: 4 MiB of zeros in a few kilobytes, against a limit of 1 MiB a file.
    let bomb = d.join("bomb.zip");
    zip_with(&bomb, &[("Enclosures/1.pdf", &vec![0u8; 4 << 20])], &[]);
    files.push((bomb, "zip bomb"));
    // More entries than allowed.
    let many = d.join("many.zip");
    let names: Vec<String> = (0..60).map(|i| format!("e{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"x".as_slice()))
        .collect();
    zip_with(&many, &entries, &[]);
    files.push((many, "holds 60 entries"));
    // A publication reached by a link, one named by an absolute path, one by "../":
    // path tricks an export never has; each zip is refused.
    std::fs::write(outside.path().join("outside.xml"), PUBLICATION).unwrap();
    let absolute = outside.path().join("written.xml");
    let links = d.join("links.zip");
    let target = outside.path().join("outside.xml");
    zip_with(&links, &[], &[("p.xml", target.to_str().unwrap())]);
    files.push((links, "symbolic link"));
    let rooted = d.join("rooted.zip");
    zip_with(
        &rooted,
        &[(absolute.to_str().unwrap(), PUBLICATION.as_bytes())],
        &[],
    );
    files.push((rooted, "outside the zip's folder"));
    let climbing = d.join("climbing.zip");
    zip_with(&climbing, &[("a/../../p.xml", PUBLICATION.as_bytes())], &[]);
    files.push((climbing, "outside the zip's folder"));
    // Entity expansion and an external entity.
    let laughs = d.join("laughs.xml");
    std::fs::write(
        &laughs,
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]><Publication>&lol3;</Publication>",
    )
    .unwrap();
    files.push((laughs, "DTD"));
    let external = d.join("external.xml");
    std::fs::write(
        &external,
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Publication>&e;</Publication>",
    )
    .unwrap();
    files.push((external, "DTD"));
    // FirstAgenda-shaped JSON nested 100,000 deep, and a 1 GiB JSON file (sparse).
    let nested = d.join("nested.json");
    std::fs::write(
        &nested,
        format!(
            "{{\"Moede\": {{}}, \"Dagsordenpunkter\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    )
    .unwrap();
    files.push((nested, "recursion limit"));
    let huge = d.join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    files.push((huge, "1073741824 bytes"));
    // A Word file cut off after its first bytes.
    let cut = d.join("cut.docx");
    std::fs::write(&cut, b"PK\x03\x04\x14\x00\x00\x00\x08\x00").unwrap();
    files.push((cut, "Word"));
    if pdftotext_available() {
        let script = d.join("script.pdf");
        std::fs::write(&script, pdf(2, true)).unwrap();
        files.push((script, "contains JavaScript"));
        let thousands = d.join("thousands.pdf");
        std::fs::write(&thousands, pdf(5_200, false)).unwrap();
        files.push((thousands, "more than 5000 pages"));
    } else {
        let in_ci = protokol_testkit::in_ci();
        assert!(!in_ci, "pdftotext (poppler-utils) is missing and CI=true");
        eprintln!("SKIPPED: the PDF cases (pdftotext not installed)");
    }

    let good = seed("002_ef3a42c2608d16e4.txt");
    let mut paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    paths.push(good.clone());
    let options = Options {
        zip: ZipLimits {
            entries: 50,
            file_bytes: 1 << 20,
            total_bytes: 8 << 20,
        },
        ..Options::default()
    };
    let mut reports: Vec<FileReport> = Vec::new();
    import_files(&store, &paths, &options, |r| reports.push(r)).await;

    for (path, reason) in &files {
        let r = reports.iter().find(|r| &r.path == path).unwrap();
        let line = r.line();
        assert!(!r.is_ok(), "{line}");
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(line.contains(name.as_ref()), "the file is named: {line}");
        assert!(line.contains(reason), "{reason:?} not in {line}");
        assert!(!line.contains("root:"), "no file content leaks: {line}");
    }
    let good_report = reports.iter().find(|r| r.path == good).unwrap();
    assert!(good_report.is_ok(), "{}", good_report.line());
    assert_eq!(
        store.meeting_count().await.unwrap(),
        1,
        "only the good file stored"
    );
    assert!(
        !absolute.exists(),
        "an absolute path in a zip is not written"
    );
}

store_tests!(a_batch_of_hostile_files_is_refused_and_the_good_file_imports);
