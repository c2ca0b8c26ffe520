//! The text parser never panics, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The layout readers and, behind them, the generic reader.
    if let Ok(parsed) = protokol_parse::read_document(&text, "fuzz.txt") {
        // What the parser returns is always a valid meeting.
        assert!(protokol_core::validate_meeting(&parsed.meeting).is_empty());
    }
});
