//! Black-box tests live in `tests/`; what more than one of their binaries needs is here.

use std::time::{Duration, Instant};

/// Runs `check` every 50 ms until it holds, for at most `limit`; panics with its last word if
/// it never does. For what follows the writes a moment later: counts tallied from the table's
/// stream.
pub fn eventually(limit: Duration, mut check: impl FnMut() -> Result<(), String>) {
    let deadline = Instant::now() + limit;
    loop {
        match check() {
            Ok(()) => return,
            Err(problem) if Instant::now() >= deadline => {
                panic!("{problem}, {} s after the writes", limit.as_secs_f64())
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}
