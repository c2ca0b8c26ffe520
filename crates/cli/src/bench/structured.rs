//! The structured sources of `protokol bench import`: FirstAgenda publication JSON (the 288
//! real Greve meetings where `../shared/corpus` is present, and a generated corpus made from
//! them), `<Publication>` XML and eDoc XML exports (generated from templates, without
//! attachment files), each imported into a fresh SQLite store. Meetings/s are printed next
//! to the text path's documents/s measured earlier in the same run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use protokol_import::{Options, collect_files, import_files};
use protokol_store::Store;

use super::import::date_of;
use super::{BODIES, Lcg};

/// A generated FirstAgenda meeting: a template meeting with another body and date.
fn firstagenda(template: &serde_json::Value, rng: &mut Lcg, i: usize) -> serde_json::Value {
    let mut m = template.clone();
    let when = format!("{}T09:00:00+01:00", date_of(i));
    if let Some(moede) = m.get_mut("Moede").and_then(|v| v.as_object_mut()) {
        moede.insert("Dato".into(), when.clone().into());
        moede.insert("MeetingBeginUtc".into(), when.into());
        moede.insert("MeetingEndUtc".into(), serde_json::Value::Null);
    }
    if let Some(u) = m.get_mut("Udvalg").and_then(|v| v.as_object_mut()) {
        u.insert("Navn".into(), rng.pick(&BODIES).0.into());
    }
    m
}

/// A `<Publication>` export of one meeting with `items` items of three fields each.
fn publication_xml(rng: &mut Lcg, i: usize, items: usize) -> String {
    let d = date_of(i);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Publication><PublicationTypeAsEnum>Final</PublicationTypeAsEnum><Agendas><Agenda><Name>Referat</Name>\
         <Committee><Name><![CDATA[{}]]></Name></Committee><Meeting><When>{} 16:30:00</When><Until>{} 18:00:00</Until><Where>Rådhuset</Where><Members>\
         <MeetingMember><Name>Anne Hansen (A)</Name></MeetingMember><MeetingMember><Name>Bo Berg (V)</Name></MeetingMember></Members></Meeting><Items>",
        rng.pick(&BODIES).0,
        d.format("%d-%m-%Y"),
        d.format("%d-%m-%Y")
    );
    for n in 1..=items {
        s.push_str(&format!(
            "<Item><Number>{n}</Number><Caption><![CDATA[Sag nummer {n} om lokalplan og budget]]></Caption><IsPublic>{}</IsPublic><Case><Number>{}-{n:04}</Number></Case><Fields>\
             <ItemField><Caption>Sagsfremstilling</Caption><Content><![CDATA[<p>{}</p>]]></Content></ItemField>\
             <ItemField><Caption>Indstilling</Caption><Content><![CDATA[<p>Forvaltningen indstiller, at sagen godkendes.</p>]]></Content></ItemField>\
             <ItemField><Caption>Beslutning</Caption><Content><![CDATA[<p>Godkendt.</p>]]></Content></ItemField></Fields></Item>",
            n % 7 != 0,
            d.format("%y"),
            "Området ligger ved stranden og planen giver mulighed for boliger. ".repeat(12)
        ));
    }
    s.push_str("</Items></Agenda></Agendas></Publication>");
    s
}

/// An eDoc export: the corpus's eDoc XML with another body and date.
fn edoc_xml(template: &str, rng: &mut Lcg, i: usize) -> String {
    let d = date_of(i);
    template
        .replace("02-05-2017", &d.format("%d-%m-%Y").to_string())
        .replace("Hennys testudvalg", rng.pick(&BODIES).0)
}

fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    std::fs::write(dir.join(name), text).with_context(|| format!("writing {name}"))
}

/// Imports the files of `dir` into a fresh store; (files, meetings, seconds, failed).
async fn import_dir(dir: &Path, db: &Path) -> Result<(usize, i64, f64, usize)> {
    let store = Store::open_for_bulk(&format!("sqlite://{}?mode=rwc", db.display())).await?;
    let files = collect_files(&[dir.to_path_buf()]).files;
    let t = Instant::now();
    let run = import_files(&store, &files, &Options::default(), |_| {}).await;
    let secs = t.elapsed().as_secs_f64();
    let meetings = store.meeting_count().await?;
    store.close().await;
    Ok((files.len(), meetings, secs, run.summary.failed))
}

fn report(what: &str, (files, meetings, secs, failed): (usize, i64, f64, usize), text_rate: f64) {
    let rate = meetings as f64 / secs.max(1e-9);
    println!(
        "  {what:<38} {files:>6} files, {meetings:>6} meetings, {failed} failed, {secs:>6.2} s: {rate:>6.0} meetings/s ({:.2}× the text path)",
        rate / text_rate.max(1e-9)
    );
}

/// The structured-source figures; `text_rate` is the text path's documents/s of this run.
pub async fn structured(tmp: &Path, n: usize, shared: &Path, text_rate: f64) -> Result<()> {
    println!(
        "\nStructured sources, each into a fresh SQLite store (text path: {text_rate:.0} documents/s in this run):"
    );
    let mut rng = Lcg(0x5eed);
    let greve = shared.join("corpus/firstagenda-greve");
    let mut templates = Vec::new();
    if greve.is_dir() {
        let real = import_dir(&greve, &tmp.join("greve.db")).await?;
        report("FirstAgenda JSON, Greve (real)", real, text_rate);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&greve)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p)?;
            templates.push(serde_json::from_str::<serde_json::Value>(&text)?);
        }
    } else {
        println!(
            "  (no {}: the real FirstAgenda meetings and the eDoc template are skipped)",
            greve.display()
        );
    }
    if !templates.is_empty() {
        let dir = tmp.join("firstagenda");
        std::fs::create_dir_all(&dir)?;
        for i in 0..n {
            let m = firstagenda(&templates[i % templates.len()], &mut rng, i);
            write(&dir, &format!("fa-{i:05}.json"), &m.to_string())?;
        }
        report(
            "FirstAgenda JSON, generated",
            import_dir(&dir, &tmp.join("fa.db")).await?,
            text_rate,
        );
    }
    let dir = tmp.join("publication");
    std::fs::create_dir_all(&dir)?;
    for i in 0..n {
        let items = 3 + (rng.next() as usize) % 15;
        write(
            &dir,
            &format!("p-{i:05}.xml"),
            &publication_xml(&mut rng, i, items),
        )?;
    }
    report(
        "<Publication> XML, generated",
        import_dir(&dir, &tmp.join("pub.db")).await?,
        text_rate,
    );
    let edoc = shared.join("corpus/edoc-fujitsu");
    let template = collect_files(&[edoc])
        .files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .max();
    if let Some(template) = template {
        let text = std::fs::read_to_string(template)?;
        let dir = tmp.join("edoc");
        std::fs::create_dir_all(&dir)?;
        for i in 0..n {
            write(
                &dir,
                &format!("e-{i:05}.xml"),
                &edoc_xml(&text, &mut rng, i),
            )?;
        }
        report(
            "eDoc XML, generated",
            import_dir(&dir, &tmp.join("edoc.db")).await?,
            text_rate,
        );
    }
    Ok(())
}
