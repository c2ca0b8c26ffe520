//! The demo meetings, built into the binary so `serve --demo` works from any folder.

/// (file name, protokol.meeting/1 JSON) of the four seed meetings.
pub const MEETINGS: [(&str, &str); 4] = [
    (
        "DIR-2023-09-06.json",
        include_str!("../../../data/demo/DIR-2023-09-06.json"),
    ),
    (
        "DIR-2023-09-13.json",
        include_str!("../../../data/demo/DIR-2023-09-13.json"),
    ),
    (
        "DIR-2024-01-24.json",
        include_str!("../../../data/demo/DIR-2024-01-24.json"),
    ),
    (
        "DIR-2024-05-15.json",
        include_str!("../../../data/demo/DIR-2024-05-15.json"),
    ),
];
