//! Meetings to test with: the demo meetings and a council meeting that fills every field.

use std::path::PathBuf;

use protokol_core::Meeting;
use protokol_core::exchange::parse_meeting;

/// The folder of the demo meetings shipped with protokol (`data/demo`).
pub fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo")
}

/// The demo meetings: the four seed meetings of Norddjurs Kommune's Direktion, complete
/// with their texts, sorted by date.
pub fn demo_meetings() -> Vec<Meeting> {
    let mut files: Vec<_> = std::fs::read_dir(demo_dir())
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", demo_dir().display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            parse_meeting(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

/// A council meeting that uses every field of the model the demo meetings leave empty:
/// party letters, a substitute, absence with notice, a closed item with reason, public
/// title and public decision, votes by party and member, a dissent, a disqualified and an
/// absent member, an attachment with a file, follow-ups with status, next steps and
/// signatures with a reservation.
pub fn council_meeting() -> Meeting {
    parse_meeting(COUNCIL_MEETING).unwrap_or_else(|e| panic!("council fixture: {e}"))
}

const COUNCIL_MEETING: &str = r#"{
  "schema": "protokol.meeting/1",
  "body": {"name": "Kommunalbestyrelsen", "code": "KB"},
  "kind": "minutes",
  "status": "minutes_approved",
  "date": "2024-06-18",
  "start": "17:00",
  "end": "21:35",
  "location": "Byrådssalen, rådhuset",
  "members": [
    {"name": "Kasper Bjerregaard", "role": "Borgmester", "party": "V"},
    {"name": "Jan Petersen", "role": null, "party": "A"},
    {"name": "Ulla Mortensen", "role": null, "party": "O", "substitute_for": "Per Hansen"},
    {"name": null, "role": "Medlem", "party": "F", "vacant": true}
  ],
  "absent": [{"name": "Per Hansen", "role": null, "party": "O", "notice": true}],
  "items": [
    {
      "number": 1,
      "title": "Forenkling af politikker, strategier og planer",
      "access": "open",
      "route": ["DIR", "ØK", "KB"],
      "case": "Kommissoriet blev drøftet i Direktionen den 15. maj 2024.\n\n- Tidsplan\n- Kommissorium",
      "economy": "Ingen.",
      "recommendation": "Det indstilles, at kommissoriet godkendes.",
      "decision": "Godkendt.",
      "decision_date": "2024-06-18",
      "participants": ["Sekretariatschef Rikke Thind"],
      "followups": [{"owner": "Ledelsessekretariatet", "text": "Kortlægning i efteråret.", "status": "done"}],
      "next": [{"body": "Økonomiudvalget", "date": "2024-09-03", "kind": "continued"}],
      "schedule": [],
      "attachments": [
        {"number": 1, "title": "Kommissorium", "access": "open", "doc_id": "3701234", "journal": "52011/24",
         "file": {"name": "kommissorium.pdf", "media_type": "application/pdf", "sha256": null, "text": "Kommissorium for forenkling"}}
      ],
      "absent": ["Jan Petersen"],
      "votes": [
        {"option": "for", "members": [], "parties": ["V", "A"], "count": 19},
        {"option": "against", "members": ["Ulla Mortensen"], "parties": ["O"], "count": 2},
        {"option": "abstain", "members": [], "parties": [], "count": null}
      ],
      "dissents": [{"member": "Ulla Mortensen", "text": "Jeg ønsker ført til protokols, at O stemmer imod."}]
    },
    {
      "number": 2,
      "title": "Salg af ejendom på Havnevej 12",
      "access": "closed",
      "closed_reason": "Køb og salg af fast ejendom",
      "public_title": "Salg af ejendom",
      "public_decision": "Kommunalbestyrelsen godkendte salget.",
      "route": ["ØK", "KB"],
      "case": "Køber tilbyder 4,2 mio. kr.",
      "economy": null,
      "recommendation": "Det indstilles, at tilbuddet accepteres.",
      "decision": "Tilbuddet blev accepteret.",
      "decision_date": "2024-06-18",
      "participants": [],
      "followups": [],
      "next": [],
      "schedule": [
        {"time": "20:15", "title": "Forhandling", "text": "Mægler deltager.", "decision": null,
         "participants": ["Ejendomsmægler Lis Holm"], "followups": [{"owner": "Økonomi", "text": null, "status": "open"}],
         "next": [{"body": "Kommunalbestyrelsen", "date": "2024-08-20", "kind": "postponed"}]}
      ],
      "attachments": [{"number": 1, "title": "Købstilbud", "access": "closed", "doc_id": null, "journal": null}],
      "disqualified": ["Kasper Bjerregaard"]
    }
  ],
  "forward_plan": [{"date": "2024-08-20", "topics": ["Budget 2025, 1. behandling"]}],
  "awaiting_date": ["Skolestruktur"],
  "signatures": [
    {"member": "Kasper Bjerregaard", "signed_at": "2024-06-18T21:40:00+02:00", "reservation": null},
    {"member": "Ulla Mortensen", "signed_at": "2024-06-19T08:05:00+02:00", "reservation": "Med forbehold for punkt 1."}
  ],
  "sources": ["kb-2024-06-18.pdf"]
}"#;

/// A string planted in every closed field by [`with_closed_canaries`]; no public surface
/// may ever show it.
pub const CANARY: &str = "KANARIE-5b1d-LUKKET";

/// `meeting` with closed content added, each closed field carrying [`CANARY`]: a closed item
/// (internal title, case number, case, economy, recommendation, a further section, decision,
/// a timed sub-point with text,
/// decision, guest, follow-up; participants; a closed attachment with file text) whose
/// public title and decision are canary-free, and a closed attachment with a file in the
/// first open item.
pub fn with_closed_canaries(mut meeting: Meeting) -> Meeting {
    use protokol_core::{
        Access, Attachment, AttachmentFile, ClockTime, Followup, FollowupStatus, Item, SubPoint,
    };
    let file = |what: &str| AttachmentFile {
        name: format!("{what}.pdf"),
        media_type: "application/pdf".into(),
        sha256: None,
        text: Some(format!("Filtekst {what} {CANARY}").into()),
    };
    let next_number = meeting
        .items
        .iter()
        .filter_map(|i| i.number)
        .max()
        .unwrap_or(0)
        + 1;
    let mut closed = Item::new(Some(next_number), format!("Personalesag {CANARY}"));
    closed.access = Access::Closed;
    closed.closed_reason = Some("Personalesag".into());
    closed.public_title = Some("Ansættelse af direktør".into());
    closed.public_decision = Some("Indstillingen blev godkendt.".into());
    closed.route = meeting
        .items
        .first()
        .map(|i| i.route.clone())
        .unwrap_or_default();
    closed.case = Some(format!("Sagsfremstilling {CANARY}."));
    closed.economy = Some(format!("Økonomi {CANARY}."));
    closed.recommendation = Some(format!("Indstilling {CANARY}."));
    closed.case_number = Some(format!("24-{CANARY}"));
    closed.sections = vec![protokol_core::Section {
        heading: format!("Lovgrundlag {CANARY}"),
        text: format!("Afsnittets tekst {CANARY}."),
    }];
    closed.decision = Some(format!("Beslutning {CANARY}."));
    closed.participants = vec![format!("Gæst {CANARY}")];
    closed.followups = vec![Followup {
        id: None,
        owner: format!("Ejer {CANARY}"),
        text: Some(format!("Opgave {CANARY}.")),
        status: FollowupStatus::Open,
    }];
    closed.schedule = vec![SubPoint {
        id: None,
        time: "11:30".parse::<ClockTime>().ok(),
        title: format!("Underpunkt {CANARY}"),
        text: Some(format!("Underpunktets tekst {CANARY}.")),
        decision: Some(format!("Underpunktets beslutning {CANARY}.")),
        participants: vec![format!("Gæst i underpunkt {CANARY}")],
        followups: Vec::new(),
        next: Vec::new(),
    }];
    closed.attachments = vec![Attachment {
        id: None,
        number: 1,
        title: format!("Lukket bilag {CANARY}"),
        access: Access::Closed,
        doc_id: Some("9990001".into()),
        journal: Some("99/99".into()),
        file: Some(file("lukket")),
    }];
    meeting.items.push(closed);
    if let Some(open) = meeting.items.iter_mut().find(|i| !i.access.is_closed()) {
        let number = open.attachments.iter().map(|a| a.number).max().unwrap_or(0) + 1;
        open.attachments.push(Attachment {
            id: None,
            number,
            title: format!("Lukket bilag i åbent punkt {CANARY}"),
            access: Access::Closed,
            doc_id: Some("9990002".into()),
            journal: None,
            file: Some(file("notat")),
        });
    }
    meeting
}
