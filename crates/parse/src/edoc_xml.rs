//! eDoc (Fujitsu) publishing exports: a `<Root>` in the `edoc:` namespace with one
//! `Committee` (`Name`, `DefaultLocation`) and its `Meeting` (`MeetingDateTime`,
//! `EndDateTime`, `MeetingLocation`, `MeetingParticipants` with `RoleInMeeting`,
//! `Participate` and `PoliticalPartyList`), and the meeting's `Agenda` (`Type`: Dagsorden,
//! Referat, …) of `AgendaElements`. Each element holds its access (`AccessIsPublic`), the
//! item's absences and one `HandlingItem`: `SerialNo`, `Title`, `NeutralTitle` (the title
//! that may be shown for a closed item), `CaseNumber`, `CasePresentations` (the sections,
//! HTML, with `IsDecision`), the `HandlingPlan` (this treatment and the item's others, with
//! their meeting dates and decisions) and `Attachments` (`Title`, access, `Link` to the file
//! relative to the XML, `DocumentNumber`).
//!
//! An eDoc export folder holds one publication per publishing ("…/2017-04-21 12.24.03/
//! <id>.xml"); the importer lets the newest count (see the import crate's merge).

use protokol_core::exchange::SchemaTag;
use protokol_core::{Absence, Access, Attachment, Item, Meeting, MeetingKind, NextKind, NextStep};
use roxmltree::Node;

use crate::html::html_text;
use crate::loose::Confidence;
use crate::publication_xml::{Enclosure, Publication};
use crate::sections::{append_paragraph, file_section};
use crate::xml::{at, child, children, clock, meeting_start, moment, raw, text, yes};
use crate::{Layout, ParseError, Warning};

/// What eDoc writes where a decision has not been released yet.
const NOT_RELEASED: &str = "beslutning ikke frigivet";

/// Whether an XML text is an eDoc export (a cheap look; the parser decides).
pub fn looks_like_edoc_xml(xml: &str) -> bool {
    xml.contains("www.fujitsu.dk/agenda/xml") || xml.contains("<edoc:Committee")
}

/// A party list letter ("A", "SF", "Ø"); eDoc also writes represented organisations
/// ("Spejderforeninger") there, which are not parties.
fn party_letter(s: Option<String>) -> Option<String> {
    s.filter(|p| {
        let n = p.chars().count();
        (1..=3).contains(&n) && p.chars().all(char::is_uppercase)
    })
}

/// A decision text that says something (not eDoc's "Beslutning ikke frigivet").
fn released(decision: Option<String>) -> Option<String> {
    let d = html_text(&decision?);
    let d = d.trim();
    (!d.is_empty() && d.to_lowercase().trim_end_matches('.') != NOT_RELEASED).then(|| d.to_string())
}

/// Reads an eDoc publishing export; `source` names the file.
pub fn parse_edoc_xml(xml: &str, source: &str) -> Result<Publication, ParseError> {
    let doc = crate::xml::parse(xml)?;
    let root = doc.root_element();
    let committee = child(root, "Committee").ok_or_else(|| {
        ParseError::Source(format!(
            "not an eDoc export: the <{}> holds no <edoc:Committee>",
            root.tag_name().name()
        ))
    })?;
    let body = text(child(committee, "Name")).ok_or_else(|| {
        ParseError::Source("the export names no committee (Committee/Name)".into())
    })?;
    let meeting_node = child(committee, "Meeting")
        .ok_or_else(|| ParseError::Source("the committee holds no <edoc:Meeting>".into()))?;
    let (begin, date) = meeting_start(
        text(child(meeting_node, "MeetingDateTime")),
        "Meeting/MeetingDateTime",
    )?;
    let body = crate::bodies::body_ref(body)?;

    let agenda = child(meeting_node, "Agenda");
    let agenda_type = agenda
        .and_then(|a| text(child(a, "Type")))
        .or_else(|| text(child(root, "OutputTypeEnumName")))
        .unwrap_or_default()
        .to_lowercase();
    let minutes = ["referat", "protokol", "minutes", "summary"]
        .iter()
        .any(|w| agenda_type.contains(w));
    let mut meeting = Meeting::new(
        body,
        if minutes {
            MeetingKind::Minutes
        } else {
            MeetingKind::Agenda
        },
        date,
    );
    meeting.schema = SchemaTag;
    meeting.start = clock(begin);
    meeting.end = moment(text(child(meeting_node, "EndDateTime")))
        .filter(|t| t.date() == date && t.time() > begin.time())
        .and_then(clock);
    meeting.location = text(child(meeting_node, "MeetingLocation"))
        .or_else(|| text(child(committee, "DefaultLocation")));

    for p in child(meeting_node, "MeetingParticipants")
        .into_iter()
        .flat_map(|ps| children(ps, "MeetingParticipant"))
    {
        let Some(person) = text(child(p, "Name")) else {
            continue;
        };
        let role = text(child(p, "RoleInMeeting"))
            .filter(|r| !r.eq_ignore_ascii_case("medlem"))
            .or_else(|| {
                yes(text(child(p, "Secretary")))
                    .filter(|s| *s)
                    .map(|_| "Sekretær".to_string())
            });
        let party = party_letter(text(child(p, "PoliticalPartyList")));
        if yes(text(child(p, "Participate"))) == Some(false) {
            meeting.absent.push(Absence {
                name: person.clone(),
                role: None,
                party: party.clone(),
                notice: false,
            });
        }
        meeting.members.push(protokol_core::Member {
            name: Some(person),
            role,
            party,
            vacant: false,
            substitute_for: None,
        });
    }

    let mut warnings = Vec::new();
    let mut enclosures = Vec::new();
    for element in agenda
        .and_then(|a| child(a, "AgendaElements"))
        .into_iter()
        .flat_map(|es| children(es, "AgendaElement"))
    {
        let Some(handling) = child(element, "HandlingItem") else {
            continue;
        };
        let index = meeting.items.len();
        let number = text(child(handling, "SerialNo"))
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n > 0);
        let title = text(child(handling, "Title")).unwrap_or_else(|| "Punkt".into());
        let mut item = Item::new(number, title.clone());
        // Public unless the export says it is public: an element without the flag is
        // treated as closed.
        let public = yes(text(child(element, "AccessIsPublic"))).unwrap_or(false);
        if !public {
            item.access = Access::Closed;
            // The neutral title is the one eDoc shows the public; where it repeats the
            // internal title it is not neutral, and the public sees "Lukket punkt".
            item.public_title = text(child(handling, "NeutralTitle"))
                .filter(|n| n.to_lowercase() != title.to_lowercase());
        }
        item.case_number = text(child(handling, "CaseNumber"));
        for presentation in child(handling, "CasePresentations")
            .into_iter()
            .flat_map(|ps| children(ps, "CasePresentation"))
        {
            let Some(content) = raw(child(presentation, "Content")) else {
                continue;
            };
            let body = html_text(&content);
            if yes(text(child(presentation, "IsDecision"))) == Some(true) {
                append_paragraph(&mut item.decision, &body);
                continue;
            }
            match text(child(presentation, "Title")) {
                Some(heading) => file_section(&mut item, &heading, &body),
                None => append_paragraph(&mut item.case, &body),
            }
        }
        handling_plan(&mut item, handling, date, &meeting.body.name);
        if item.decision.is_some() {
            item.decision_date = Some(date);
            meeting.kind = MeetingKind::Minutes;
        }
        item.absent = child(element, "Absences")
            .into_iter()
            .flat_map(|a| a.children().filter(|c| c.is_element()))
            .filter_map(|a| text(child(a, "Name")).or_else(|| text(Some(a))))
            .collect();
        for (k, a) in child(handling, "Attachments")
            .into_iter()
            .flat_map(|a| children(a, "Attachment"))
            .enumerate()
        {
            let attachment = item.attachments.len();
            let number = text(child(a, "AttachmentNumber"))
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| *n > 0 && !item.attachments.iter().any(|x| x.number == *n))
                .unwrap_or(u32::try_from(k + 1).unwrap_or(u32::MAX));
            let open = text(child(a, "AccessEnumName"))
                .map(|s| s.eq_ignore_ascii_case("public"))
                .or_else(|| {
                    text(child(a, "AccessName")).map(|s| s.eq_ignore_ascii_case("offentlig"))
                })
                .unwrap_or(false);
            item.attachments.push(Attachment {
                id: None,
                number,
                title: text(child(a, "Title")).unwrap_or_else(|| format!("Bilag {number}")),
                access: if public && open {
                    Access::Open
                } else {
                    Access::Closed
                },
                doc_id: text(child(a, "DocumentNumber")),
                journal: None,
                file: None,
            });
            match text(child(a, "Link")) {
                Some(link) => {
                    let path = link.replace('\\', "/");
                    let file_name = path.rsplit('/').next().map(str::to_string);
                    enclosures.push(Enclosure {
                        item: index,
                        attachment,
                        path: path.trim_start_matches('/').to_string(),
                        file_name,
                    });
                }
                None => warnings.push(Warning {
                    line: 0,
                    message: format!(
                        "item {}: attachment {number} names no file",
                        item.number.map_or(index + 1, |n| n as usize)
                    ),
                }),
            }
        }
        meeting.items.push(item);
    }
    crate::unnumber_repeats(&mut meeting.items, &mut warnings);
    let parsed = crate::finish(meeting, source, Layout::EdocXml, warnings, Confidence::High)?;
    Ok(Publication {
        parsed,
        enclosures,
        draft: false,
    })
}

/// The item's handling plan: this meeting's released decision (where the presentations
/// held none), earlier treatments with their decisions as a section "Tidligere
/// behandling", and later ones as the item's next steps.
fn handling_plan(item: &mut Item, handling: Node, date: chrono::NaiveDate, body: &str) {
    for h in at(handling, &["HandlingPlan"])
        .into_iter()
        .flat_map(|p| children(p, "Handling"))
    {
        let this = text(child(h, "Placement")).is_some_and(|p| p.eq_ignore_ascii_case("this"));
        let when = moment(text(child(h, "MeetingDate"))).map(|t| t.date());
        let decision = released(raw(child(h, "Decision")));
        let committee = text(child(h, "CommitteeName")).unwrap_or_else(|| body.to_string());
        if this || when == Some(date) {
            if item.decision.is_none()
                && let Some(d) = decision
            {
                item.decision = Some(d);
            }
            continue;
        }
        let Some(when) = when else {
            continue;
        };
        if when < date {
            let Some(d) = decision else {
                continue;
            };
            let heading = format!(
                "Tidligere behandling: {committee} den {}",
                protokol_core::danish::day_month_year(when)
            );
            file_section(item, &heading, &d);
        } else if !item.next.iter().any(|n| n.date == when) {
            item.next.push(NextStep {
                body: committee,
                date: when,
                kind: NextKind::Continued,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<Root xmlns:edoc="http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/">
<edoc:OutputTypeEnumName>Agenda</edoc:OutputTypeEnumName>
<edoc:Committee><edoc:Name>Teknik- og Miljøudvalget</edoc:Name><edoc:DefaultLocation>Rådhuset</edoc:DefaultLocation>
<edoc:Meeting><edoc:MeetingDateTime>02-05-2017 10:00</edoc:MeetingDateTime><edoc:EndDateTime>02-05-2017 11:30</edoc:EndDateTime>
<edoc:MeetingLocation></edoc:MeetingLocation>
<edoc:MeetingParticipants>
<edoc:MeetingParticipant><edoc:Name>Allan  Buch</edoc:Name><edoc:RoleInMeeting>Formand</edoc:RoleInMeeting><edoc:Participate>true</edoc:Participate><edoc:PoliticalPartyList>A</edoc:PoliticalPartyList></edoc:MeetingParticipant>
<edoc:MeetingParticipant><edoc:Name>Niels Bebe </edoc:Name><edoc:RoleInMeeting>Medlem</edoc:RoleInMeeting><edoc:Participate>false</edoc:Participate><edoc:PoliticalPartyList>V</edoc:PoliticalPartyList></edoc:MeetingParticipant>
<edoc:MeetingParticipant><edoc:Name>Arne Tofterup</edoc:Name><edoc:RoleInMeeting>Medlem</edoc:RoleInMeeting><edoc:Participate>true</edoc:Participate><edoc:PoliticalPartyList>Spejderforeninger</edoc:PoliticalPartyList></edoc:MeetingParticipant>
</edoc:MeetingParticipants>
<edoc:Agenda><edoc:Type>Referat</edoc:Type><edoc:AgendaElements>
<edoc:AgendaElement><edoc:AccessIsPublic>true</edoc:AccessIsPublic><edoc:Absences />
<edoc:HandlingItem><edoc:SerialNo>1</edoc:SerialNo><edoc:Title>Cykelsti</edoc:Title><edoc:NeutralTitle>Cykelsti</edoc:NeutralTitle><edoc:CaseNumber>2017-0042</edoc:CaseNumber>
<edoc:HandlingPlan>
<edoc:Handling><edoc:Placement></edoc:Placement><edoc:CommitteeName>Økonomiudvalget</edoc:CommitteeName><edoc:MeetingDate>01-03-2017 10:00</edoc:MeetingDate><edoc:Decision><![CDATA[<p>Oversendt.</p>]]></edoc:Decision></edoc:Handling>
<edoc:Handling><edoc:Placement>This</edoc:Placement><edoc:MeetingDate>02-05-2017 10:00</edoc:MeetingDate><edoc:Decision><![CDATA[Beslutning ikke frigivet]]></edoc:Decision></edoc:Handling>
<edoc:Handling><edoc:Placement></edoc:Placement><edoc:CommitteeName>Byrådet</edoc:CommitteeName><edoc:MeetingDate>20-05-2017 17:00</edoc:MeetingDate><edoc:Decision></edoc:Decision></edoc:Handling>
</edoc:HandlingPlan>
<edoc:CasePresentations>
<edoc:CasePresentation><edoc:Title>Præsentation</edoc:Title><edoc:Content><![CDATA[<p>Kort om&nbsp;sagen.</p>]]></edoc:Content><edoc:IsDecision>false</edoc:IsDecision></edoc:CasePresentation>
<edoc:CasePresentation><edoc:Title>Forvaltningen foreslår</edoc:Title><edoc:Content><![CDATA[<ul><li>At stien anlægges.</li></ul>]]></edoc:Content><edoc:IsDecision>false</edoc:IsDecision></edoc:CasePresentation>
<edoc:CasePresentation><edoc:Title>Sagsbeskrivelse</edoc:Title><edoc:Content><![CDATA[]]></edoc:Content><edoc:IsDecision>false</edoc:IsDecision></edoc:CasePresentation>
<edoc:CasePresentation><edoc:Title>Beslutning</edoc:Title><edoc:Content><![CDATA[<p>Godkendt.</p>]]></edoc:Content><edoc:IsDecision>true</edoc:IsDecision></edoc:CasePresentation>
</edoc:CasePresentations>
<edoc:Attachments><edoc:Attachment><edoc:AttachmentNumber>1</edoc:AttachmentNumber><edoc:Title>Kort.pdf</edoc:Title><edoc:AccessEnumName>Public</edoc:AccessEnumName><edoc:Link>\Attachments\1-2-1.pdf</edoc:Link><edoc:DocumentNumber>2017-000516-1</edoc:DocumentNumber></edoc:Attachment></edoc:Attachments>
</edoc:HandlingItem></edoc:AgendaElement>
<edoc:AgendaElement><edoc:AccessIsPublic>false</edoc:AccessIsPublic>
<edoc:HandlingItem><edoc:SerialNo>2</edoc:SerialNo><edoc:Title>Personalesag KANARIE</edoc:Title><edoc:NeutralTitle>Personalesag KANARIE</edoc:NeutralTitle>
<edoc:CasePresentations><edoc:CasePresentation><edoc:Title>Sagsbeskrivelse</edoc:Title><edoc:Content>KANARIE</edoc:Content></edoc:CasePresentation></edoc:CasePresentations>
<edoc:Attachments><edoc:Attachment><edoc:AttachmentNumber>1</edoc:AttachmentNumber><edoc:Title>Notat</edoc:Title><edoc:AccessEnumName>Public</edoc:AccessEnumName><edoc:Link>\Attachments\9.pdf</edoc:Link></edoc:Attachment></edoc:Attachments>
</edoc:HandlingItem></edoc:AgendaElement>
<edoc:AgendaElement><edoc:AccessIsPublic>false</edoc:AccessIsPublic>
<edoc:HandlingItem><edoc:SerialNo>3</edoc:SerialNo><edoc:Title>Køb af ejendom, matr. 12a</edoc:Title><edoc:NeutralTitle>Køb af ejendom</edoc:NeutralTitle></edoc:HandlingItem></edoc:AgendaElement>
</edoc:AgendaElements></edoc:Agenda></edoc:Meeting></edoc:Committee></Root>"#;

    #[test]
    fn an_edoc_export_with_participants_sections_plan_and_closed_items() {
        assert!(looks_like_edoc_xml(XML));
        let p = parse_edoc_xml(XML, "x.xml").unwrap();
        let m = &p.parsed.meeting;
        assert_eq!(p.parsed.layout, Layout::EdocXml);
        assert_eq!(m.body.name, "Teknik- og Miljøudvalget");
        assert_eq!(m.date.to_string(), "2017-05-02");
        assert_eq!(m.start.map(|t| t.to_string()).as_deref(), Some("10:00"));
        assert_eq!(m.end.map(|t| t.to_string()).as_deref(), Some("11:30"));
        assert_eq!(m.location.as_deref(), Some("Rådhuset"));
        assert_eq!(m.kind, MeetingKind::Minutes);
        assert_eq!(m.members.len(), 3);
        assert_eq!(m.members[0].name.as_deref(), Some("Allan Buch"));
        assert_eq!(m.members[0].role.as_deref(), Some("Formand"));
        assert_eq!(m.members[0].party.as_deref(), Some("A"));
        assert_eq!(m.members[2].party, None);
        assert_eq!(m.absent.len(), 1);
        assert_eq!(m.absent[0].name, "Niels Bebe");

        let first = &m.items[0];
        assert_eq!(first.number, Some(1));
        assert_eq!(first.case_number.as_deref(), Some("2017-0042"));
        assert_eq!(first.sections[0].heading, "Præsentation");
        assert_eq!(first.sections[0].text, "Kort om sagen.");
        assert!(
            first
                .recommendation
                .as_deref()
                .unwrap()
                .contains("At stien anlægges.")
        );
        assert_eq!(first.case, None);
        assert_eq!(first.decision.as_deref(), Some("Godkendt."));
        let earlier = first
            .sections
            .iter()
            .find(|s| s.heading.starts_with("Tidligere behandling"))
            .unwrap();
        assert_eq!(
            earlier.heading,
            "Tidligere behandling: Økonomiudvalget den 1. marts 2017"
        );
        assert_eq!(earlier.text, "Oversendt.");
        assert_eq!(first.next.len(), 1);
        assert_eq!(first.next[0].body, "Byrådet");
        assert_eq!(
            first.attachments[0].doc_id.as_deref(),
            Some("2017-000516-1")
        );
        assert_eq!(first.attachments[0].access, Access::Open);

        let closed = &m.items[1];
        assert!(closed.access.is_closed());
        assert_eq!(
            closed.public_title, None,
            "a neutral title equal to the title is not neutral"
        );
        assert!(closed.attachments[0].access.is_closed());
        assert_eq!(m.items[2].public_title.as_deref(), Some("Køb af ejendom"));
        assert_eq!(
            p.enclosures[0],
            Enclosure {
                item: 0,
                attachment: 0,
                path: "Attachments/1-2-1.pdf".into(),
                file_name: Some("1-2-1.pdf".into())
            }
        );
    }

    #[test]
    fn broken_and_foreign_xml_are_refused_with_a_reason() {
        assert!(matches!(
            parse_edoc_xml("<Root><edoc:Committee>", "x").unwrap_err(),
            ParseError::Invalid { .. }
        ));
        assert!(
            parse_edoc_xml("<Root/>", "x")
                .unwrap_err()
                .to_string()
                .contains("Committee")
        );
        let bad_date = XML.replace(
            "02-05-2017 10:00</edoc:MeetingDateTime>",
            "31-02-2017 10:00</edoc:MeetingDateTime>",
        );
        assert!(
            parse_edoc_xml(&bad_date, "x")
                .unwrap_err()
                .to_string()
                .contains("31-02-2017")
        );
        let entity = "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><Root/>";
        assert!(parse_edoc_xml(entity, "x").is_err());
    }
}
