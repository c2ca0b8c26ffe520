//! Reading protokol.meeting/1 JSON never panics, and what it accepts prints back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protokol_core::exchange::{parse_meeting, to_json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(m) = parse_meeting(text) {
        let printed = to_json(&m);
        assert_eq!(parse_meeting(&printed).ok(), Some(m));
    }
});
