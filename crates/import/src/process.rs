//! Running a helper program under limits: its output read while it runs (so a full pipe
//! never blocks it) and capped, a deadline after which it is killed. Used for the PDF text
//! reader (`pdftotext`) and the server's PDF layout worker.

use std::io::Read;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// How a run ended.
#[derive(Debug)]
pub enum Ended {
    /// The program exited: its status, its output and the start of its error output.
    Exited(ExitStatus, Vec<u8>, String),
    /// Killed at the deadline.
    TimedOut,
    /// More output than allowed (the program was stopped).
    TooMuchOutput,
}

/// Waits for `child` (spawned with piped stdout and stderr) for at most `time`, reading at
/// most `cap` bytes of its output; a program that is not done by then is killed and
/// reaped. Blocking: call from a blocking thread.
pub fn run_bounded(child: &mut Child, time: Duration, cap: usize) -> Ended {
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Ended::TimedOut;
    };
    // Reading ends at the cap: the pipe closes, and the reader is killed below.
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.take(cap as u64 + 1).read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = stderr.take(4096).read_to_string(&mut buf);
        buf
    });
    let deadline = Instant::now() + time;
    // Once the text has ended (or reached the cap, which closes the pipe), the process has
    // a moment to exit by itself before it is stopped.
    let mut grace: Option<Instant> = None;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Err(_) => break None,
            Ok(None) => {}
        }
        let now = Instant::now();
        if now >= deadline {
            break None;
        }
        if out.is_finished() && now >= *grace.get_or_insert(now + Duration::from_secs(2)) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        let text = out.join().unwrap_or_default();
        return if text.len() > cap {
            Ended::TooMuchOutput
        } else {
            Ended::TimedOut
        };
    };
    let text = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if text.len() > cap {
        return Ended::TooMuchOutput;
    }
    Ended::Exited(status, text, err)
}
