#![allow(clippy::unwrap_used)]
//! The `certify-local` binary's own command line: every failure to start is one line on
//! stderr and exit code 2. (The server as someone runs it, end to end, is tested in the
//! workspace's `tests/local.rs`.)

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_certify-local");

fn one_line_failure(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("certify-local: "), "{stderr:?}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr:?}"
    );
    stderr
}

#[test]
fn a_busy_port_fails_in_one_line_with_code_2() {
    let data = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let out = Command::new(BIN)
        .args(["serve", "--listen", &address, "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    let message = one_line_failure(&out);
    assert!(message.contains(&address), "{message}");
}

#[test]
fn an_unknown_flag_fails_in_one_line_with_code_2() {
    let out = Command::new(BIN).args(["serve", "--bogus"]).output().unwrap();
    let message = one_line_failure(&out);
    assert!(message.contains("--bogus"), "{message}");
}

#[test]
fn a_data_folder_that_is_a_file_fails_in_one_line_with_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&file)
        .output()
        .unwrap();
    let message = one_line_failure(&out);
    assert!(message.contains("data folder"), "{message}");
}
