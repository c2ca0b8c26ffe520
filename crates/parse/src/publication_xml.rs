//! ESDH publishing exports in the `<Publication>` XML family (as OS2dagsorden received them
//! from SBSYS, Acadre and others): one `<Agenda>` with its `<Committee>`, its `<Meeting>`
//! (`When`, `Until`, `Where`, `Members`), and `<Items>` with `Number`, `Caption`,
//! `IsPublic`, `Case/Number`, `Fields/ItemField` (`Caption` + HTML `Content`) and
//! `Enclosures/Enclosure` (the attachment files, named relative to the XML).
//!
//! The XML is parsed by roxmltree, which refuses DTDs (no entity expansion, no external
//! entities). This module reads the XML only; the import crate finds, stores and reads the
//! enclosure files it names.

use protokol_core::exchange::SchemaTag;
use protokol_core::{
    Absence, Access, Attachment, Item, Meeting, MeetingKind, MeetingStatus, SubPoint,
};
use roxmltree::Node;

use crate::html::html_text;
use crate::loose::Confidence;
use crate::sections::{SectionKind, append_paragraph, classify, file_section};
use crate::xml::{child, children, clock, meeting_start, moment, name_case, raw, text, yes};
use crate::{Layout, ParseError, Parsed, Warning};

/// An attachment file the XML names: which item and attachment of the meeting it belongs
/// to, and where it is relative to the XML file ('/' separated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enclosure {
    pub item: usize,
    pub attachment: usize,
    pub path: String,
    pub file_name: Option<String>,
}

/// A publication: the meeting, its enclosures, and whether it is a draft.
#[derive(Clone, Debug)]
pub struct Publication {
    pub parsed: Parsed,
    pub enclosures: Vec<Enclosure>,
    pub draft: bool,
}

/// Whether an XML text is a `<Publication>` export (a cheap look; the parser decides).
pub fn looks_like_publication_xml(xml: &str) -> bool {
    xml.contains("<Publication")
}

/// Reads a `<Publication>` XML export; `source` names the file.
pub fn parse_publication_xml(xml: &str, source: &str) -> Result<Publication, ParseError> {
    let doc = crate::xml::parse(xml)?;
    let root = doc.root_element();
    if root.tag_name().name() != "Publication" {
        return Err(ParseError::Source(format!(
            "not a <Publication> export: the XML's root element is <{}>",
            root.tag_name().name()
        )));
    }
    let agenda = root
        .descendants()
        .find(|n| n.has_tag_name("Agenda"))
        .ok_or_else(|| ParseError::Source("the publication holds no <Agenda>".into()))?;
    let mut warnings = Vec::new();
    let draft = [root, agenda].iter().any(|n| {
        text(child(*n, "PublicationTypeAsEnum")).is_some_and(|t| t.eq_ignore_ascii_case("draft"))
    });
    let meeting_node = child(agenda, "Meeting")
        .ok_or_else(|| ParseError::Source("the agenda has no <Meeting>".into()))?;
    let body = text(child(agenda, "Committee").and_then(|c| child(c, "Name")))
        .or_else(|| text(child(agenda, "Name")))
        .map(|n| name_case(&n))
        .ok_or_else(|| ParseError::Source("the agenda names no committee".into()))?;
    let (begin, date) = meeting_start(text(child(meeting_node, "When")), "Meeting/When")?;
    let body = crate::bodies::body_ref(body)?;
    let mut meeting = Meeting::new(body, MeetingKind::Agenda, date);
    meeting.schema = SchemaTag;
    meeting.start = clock(begin);
    meeting.end = moment(text(child(meeting_node, "Until")))
        .filter(|t| t.date() == date)
        .and_then(clock);
    meeting.location = text(child(meeting_node, "Where"));
    if let Some(members) = child(meeting_node, "Members") {
        for mm in children(members, "MeetingMember") {
            let Some(written) = text(child(mm, "Name")) else {
                continue;
            };
            let Some(member) = crate::front::member(&written) else {
                continue;
            };
            let status = text(child(mm, "ParticipationStatusAsText")).unwrap_or_default();
            if matches!(
                status.to_lowercase().as_str(),
                "absent" | "notparticipating" | "cancelled" | "declined"
            ) && let Some(name) = member.name.clone()
            {
                meeting.absent.push(Absence {
                    name,
                    role: None,
                    party: member.party.clone(),
                    notice: status.eq_ignore_ascii_case("cancelled"),
                });
            }
            meeting.members.push(member);
        }
    }

    let mut enclosures = Vec::new();
    let items_node = child(agenda, "Items");
    for it in items_node.iter().flat_map(|n| children(*n, "Item")) {
        let number_text = text(child(it, "Number")).unwrap_or_default();
        let caption = text(child(it, "Caption")).unwrap_or_else(|| "Punkt".into());
        let public = yes(text(child(it, "IsPublic"))).unwrap_or(false);
        // "1.1": a sub-point of item 1.
        if let Some((main, _)) = number_text.split_once('.')
            && let Ok(main) = main.trim().parse::<u32>()
            && let Some(parent) = meeting.items.iter_mut().find(|i| i.number == Some(main))
        {
            let mut sp = SubPoint {
                id: None,
                time: None,
                title: caption,
                text: None,
                decision: None,
                participants: Vec::new(),
                followups: Vec::new(),
                next: Vec::new(),
            };
            for f in fields(it) {
                match classify(&f.0) {
                    SectionKind::Decision => append_paragraph(&mut sp.decision, &f.1),
                    _ => append_paragraph(&mut sp.text, &f.1),
                }
            }
            parent.schedule.push(sp);
            continue;
        }
        let number = number_text.parse::<u32>().ok().filter(|n| *n > 0);
        let mut item = Item::new(number, caption);
        if !public {
            // A closed item's caption is internal: the public sees "Lukket punkt".
            item.access = Access::Closed;
        }
        item.case_number = text(child(it, "Case").and_then(|c| child(c, "Number")));
        for (heading, body) in fields(it) {
            if heading.is_empty() {
                append_paragraph(&mut item.case, &body);
            } else {
                file_section(&mut item, &name_case(&heading), &body);
            }
        }
        if item.decision.is_some() {
            item.decision_date = Some(date);
        }
        let index = meeting.items.len();
        for (k, e) in children(child(it, "Enclosures").unwrap_or(it), "Enclosure").enumerate() {
            let title = text(child(e, "Name"))
                .or_else(|| text(child(e, "FileName")))
                .unwrap_or_else(|| format!("Bilag {}", k + 1));
            let enclosure_public = yes(text(child(e, "IsPublic"))).unwrap_or(true);
            let path = text(child(e, "InstantiationFilePathRelative"))
                .or_else(|| text(child(e, "FileName")))
                .map(|p| p.replace('\\', "/"));
            let attachment = item.attachments.len();
            item.attachments.push(Attachment {
                id: None,
                number: u32::try_from(attachment + 1).unwrap_or(u32::MAX),
                title,
                access: if public && enclosure_public {
                    Access::Open
                } else {
                    Access::Closed
                },
                doc_id: None,
                journal: None,
                file: None,
            });
            match path {
                Some(path) => enclosures.push(Enclosure {
                    item: index,
                    attachment,
                    path,
                    // Some systems write the full path on the author's machine
                    // ("P:\\Direktionen\\…\\Bilag\\x.pdf"): the name is its last part.
                    file_name: text(child(e, "FileName")).and_then(|f| {
                        f.rsplit(['\\', '/'])
                            .next()
                            .map(str::trim)
                            .filter(|n| !n.is_empty())
                            .map(str::to_string)
                    }),
                }),
                None => warnings.push(Warning {
                    line: 0,
                    message: format!(
                        "item {}: attachment {} names no file",
                        number.map_or(index + 1, |n| n as usize),
                        attachment + 1
                    ),
                }),
            }
        }
        meeting.items.push(item);
    }
    let minutes_named =
        text(child(agenda, "Name")).is_some_and(|n| n.to_lowercase().contains("referat"));
    if minutes_named || meeting.items.iter().any(|i| i.decision.is_some()) {
        meeting.kind = MeetingKind::Minutes;
    }
    if draft {
        meeting.status = Some(MeetingStatus::Planned);
        warnings.push(Warning {
            line: 0,
            message: "a draft publication: imported as a draft, not published".into(),
        });
    }
    let parsed = crate::finish(
        meeting,
        source,
        Layout::PublicationXml,
        warnings,
        Confidence::High,
    )?;
    Ok(Publication {
        parsed,
        enclosures,
        draft,
    })
}

/// An item's fields as (caption, text), empty ones left out.
fn fields(item: Node) -> Vec<(String, String)> {
    let Some(fs) = child(item, "Fields") else {
        return Vec::new();
    };
    children(fs, "ItemField")
        .filter_map(|f| {
            let body = html_text(&raw(child(f, "Content"))?);
            (!body.trim().is_empty()).then(|| (text(child(f, "Caption")).unwrap_or_default(), body))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Publication><PublicationTypeAsEnum><![CDATA[Final]]></PublicationTypeAsEnum><Agendas><Agenda ID="1">
<Name><![CDATA[Referat]]></Name><Committee><Name><![CDATA[BØRNE- OG UNGEUDVALGET]]></Name></Committee>
<Meeting><When><![CDATA[15-05-2013 16:30:00]]></When><Until><![CDATA[15-05-2013 18:00:00]]></Until>
<Where><![CDATA[Rådhuset]]></Where><Members>
<MeetingMember><Name><![CDATA[Doris Børger (A)]]></Name><ParticipationStatusAsText>Absent</ParticipationStatusAsText></MeetingMember>
<MeetingMember><Name><![CDATA[John Madsen]]></Name><ParticipationStatusAsText>NotDecided</ParticipationStatusAsText></MeetingMember>
</Members></Meeting><Items>
<Item><Number>1</Number><Caption><![CDATA[Skolestruktur]]></Caption><IsPublic>True</IsPublic><Case><Number>13/42</Number></Case>
<Fields><ItemField><Caption>Sammendrag</Caption><Content><![CDATA[<p>Kort&nbsp;om sagen.</p>]]></Content></ItemField>
<ItemField><Caption>ADMINISTRATIONENS INDSTILLING</Caption><Content><![CDATA[<p>At planen godkendes.</p>]]></Content></ItemField>
<ItemField><Caption>BØRNE- OG UNGEUDVALGETS BESLUTNING</Caption><Content><![CDATA[<p>Godkendt.</p>]]></Content></ItemField></Fields>
<Enclosures><Enclosure><Name>Plan</Name><FileName>plan.pdf</FileName><InstantiationFilePathRelative>Enclosures\1.pdf</InstantiationFilePathRelative></Enclosure></Enclosures></Item>
<Item><Number>1.1</Number><Caption>Delpunkt</Caption><IsPublic>true</IsPublic><Fields><ItemField><Caption>Delpunkt</Caption><Content>&lt;p&gt;Tekst.&lt;/p&gt;</Content></ItemField></Fields></Item>
<Item><Number>2</Number><Caption><![CDATA[Personalesag KANARIE]]></Caption><IsPublic>False</IsPublic><Enclosures><Enclosure><Name>Notat</Name><FileName>notat.pdf</FileName></Enclosure></Enclosures></Item>
</Items></Agenda></Agendas></Publication>"#;

    #[test]
    fn a_publication_with_fields_sub_points_closed_items_and_enclosures() {
        let p = parse_publication_xml(XML, "p.xml").unwrap();
        let m = &p.parsed.meeting;
        assert!(!p.draft);
        assert_eq!(m.body.name, "Børne- og ungeudvalget");
        assert_eq!(m.date.to_string(), "2013-05-15");
        assert_eq!(m.start.map(|t| t.to_string()).as_deref(), Some("16:30"));
        assert_eq!(m.end.map(|t| t.to_string()).as_deref(), Some("18:00"));
        assert_eq!(m.location.as_deref(), Some("Rådhuset"));
        assert_eq!(m.kind, MeetingKind::Minutes);
        assert_eq!(m.members.len(), 2);
        assert_eq!(m.members[0].party.as_deref(), Some("A"));
        assert_eq!(m.absent.len(), 1);
        let first = &m.items[0];
        assert_eq!(first.case_number.as_deref(), Some("13/42"));
        assert_eq!(first.sections[0].heading, "Sammendrag");
        assert_eq!(first.sections[0].text, "Kort om sagen.");
        assert_eq!(
            first.recommendation.as_deref(),
            Some("At planen godkendes.")
        );
        assert_eq!(first.decision.as_deref(), Some("Godkendt."));
        assert_eq!(first.schedule[0].title, "Delpunkt");
        assert_eq!(first.schedule[0].text.as_deref(), Some("Tekst."));
        let closed = &m.items[1];
        assert!(closed.access.is_closed());
        assert_eq!(closed.public_title, None);
        assert!(closed.attachments[0].access.is_closed());
        assert_eq!(
            p.enclosures,
            [
                Enclosure {
                    item: 0,
                    attachment: 0,
                    path: "Enclosures/1.pdf".into(),
                    file_name: Some("plan.pdf".into())
                },
                Enclosure {
                    item: 1,
                    attachment: 0,
                    path: "notat.pdf".into(),
                    file_name: Some("notat.pdf".into())
                }
            ]
        );
    }

    #[test]
    fn drafts_broken_xml_and_other_roots() {
        let draft = XML.replace("Final", "Draft");
        let p = parse_publication_xml(&draft, "p.xml").unwrap();
        assert!(p.draft);
        assert_eq!(p.parsed.meeting.status, Some(MeetingStatus::Planned));
        assert!(matches!(
            parse_publication_xml("<Publication><Agendas>", "x").unwrap_err(),
            ParseError::Invalid { .. }
        ));
        assert!(
            parse_publication_xml("<Other/>", "x")
                .unwrap_err()
                .to_string()
                .contains("<Other>")
        );
        let entity = "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><Publication/>";
        assert!(parse_publication_xml(entity, "x").is_err());
    }
}
