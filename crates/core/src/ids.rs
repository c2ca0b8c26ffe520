//! Newtype identifiers. Each kind of record has its own ID type so that an item ID can never
//! be passed where a meeting ID is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new identifier: a UUID version 7, whose leading bits are the time of
            /// creation, so rows created together sit together in the database's indexes
            /// (random version-4 keys scatter every insert across the whole index, and a
            /// bulk import then rewrites most index pages at each commit).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies a body (udvalg, direktion, kommunalbestyrelse).
    BodyId
);
id_type!(
    /// Identifies one meeting of a body.
    MeetingId
);
id_type!(
    /// Identifies one agenda item (dagsordenspunkt) of a meeting.
    ItemId
);
id_type!(
    /// Identifies a stored document; one document can be attached to several meetings.
    DocumentId
);
id_type!(
    /// Identifies a timed sub-point of an item; it survives edits and re-imports.
    SubPointId
);
id_type!(
    /// Identifies an attachment of an item; it survives edits and re-imports.
    AttachmentId
);
id_type!(
    /// Identifies a follow-up; it survives edits and re-imports.
    FollowupId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_version_7_and_sort_in_creation_order() {
        let ids: Vec<ItemId> = (0..1000).map(|_| ItemId::new()).collect();
        assert!(ids.iter().all(|i| i.as_uuid().get_version_num() == 7));
        // Their text form (the stored key) sorts the same way.
        let text: Vec<String> = ids.iter().map(ToString::to_string).collect();
        assert!(
            text.windows(2).all(|w| w[0] < w[1]),
            "not in creation order"
        );
    }

    #[test]
    fn id_round_trips_through_its_text_form() {
        let id = MeetingId::new();
        let back: MeetingId = id.to_string().parse().unwrap();
        assert_eq!(id, back);
    }

    #[test]
    fn malformed_id_is_rejected() {
        assert!("not-a-uuid".parse::<ItemId>().is_err());
    }
}
