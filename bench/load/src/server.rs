//! The `certify-local` process under load: started on a port of its own choosing on
//! 127.0.0.1 over a data folder, its tokens minted by its `token` command, killed with
//! SIGKILL and started again on the same folder.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use anyhow::{bail, Context};

/// How much of the server's log is kept to explain a failure.
const LOG_KEPT: usize = 64 * 1024;

/// How long a server may take to open its data folder and listen (a debug build after
/// a crash repairs its database first).
const START_LIMIT: Duration = Duration::from_secs(120);

/// Where the server binary is, its data folder, and what it logs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub bin: PathBuf,
    pub data: PathBuf,
    /// `RUST_LOG` of the server: the default keeps the startup line and warnings, not
    /// one line per request (writing those would be part of what is measured).
    pub log: String,
}

/// A running `certify-local serve`; killed (SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts the server and waits for the line naming its URL.
    pub fn start(config: &ServerConfig) -> anyhow::Result<Server> {
        let mut child = Command::new(&config.bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--sweep-every", "1s", "--data-dir"])
            .arg(&config.data)
            .env("RUST_LOG", &config.log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", config.bin.display()))?;
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().context("the server's stderr")?;
        drain(stderr, log.clone(), tx);
        let mut server = Server {
            child,
            url: String::new(),
            log,
        };
        match rx.recv_timeout(START_LIMIT) {
            Ok(url) => server.url = url,
            Err(e) => bail!("the server did not start ({e}); its log:\n{}", server.log()),
        }
        Ok(server)
    }

    /// SIGKILL: no shutdown of any kind, as a power cut or the OOM killer would end it.
    pub fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill().context("killing the server")?;
        self.child.wait().context("reaping the killed server")?;
        Ok(())
    }

    /// The last part of what the server logged.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Keeps the tail of the server's stderr in `log`; the URL of the startup line goes to
/// `url`.
fn drain(pipe: impl Read + Send + 'static, log: Arc<Mutex<String>>, url: mpsc::Sender<String>) {
    thread::spawn(move || {
        let mut url = Some(url);
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if line.contains("certify-local is serving") {
                let found = line.split_whitespace().find_map(|w| w.strip_prefix("url="));
                if let (Some(tx), Some(found)) = (url.take(), found) {
                    let _ = tx.send(found.to_string());
                }
            }
            let Ok(mut text) = log.lock() else { break };
            text.push_str(&line);
            text.push('\n');
            if text.len() > 2 * LOG_KEPT {
                let cut = text.len() - LOG_KEPT;
                let cut = (cut..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                text.drain(..cut);
            }
        }
    });
}

/// A bearer token from the server's own `token` command (`bin`), signed with the data
/// folder's key; the tests of `certify-local` mint theirs here too.
pub fn token(bin: &Path, data: &Path, workspace: &str, user: &str, role: &str) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .args([
            "token",
            "--workspace",
            workspace,
            "--user",
            user,
            "--role",
            role,
            "--data-dir",
        ])
        .arg(data)
        .output()
        .with_context(|| format!("running {} token", bin.display()))?;
    if !out.status.success() {
        bail!("minting a token: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

/// The local outbox: the recipient of every email sent, one entry per `.eml` file.
pub fn outbox_recipients(data: &Path) -> anyhow::Result<Vec<String>> {
    let dir = match std::fs::read_dir(data.join("outbox")) {
        Ok(dir) => dir,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).context("reading the outbox"),
    };
    let mut recipients = Vec::new();
    for entry in dir {
        let path = entry?.path();
        if path.extension().is_none_or(|x| x != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let to = mail_parser::MessageParser::default()
            .parse(&raw)
            .and_then(|m| {
                m.to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .map(str::to_string)
            })
            .with_context(|| format!("{} names no recipient", path.display()))?;
        recipients.push(to);
    }
    Ok(recipients)
}

/// Certificate PDFs in the data folder's files (`files/certificates/{ws}/{id}.pdf`).
pub fn pdfs(data: &Path) -> usize {
    let Ok(workspaces) = std::fs::read_dir(data.join("files").join("certificates")) else {
        return 0;
    };
    workspaces
        .flatten()
        .filter_map(|ws| std::fs::read_dir(ws.path()).ok())
        .flat_map(|files| files.flatten())
        .filter(|f| f.path().extension().is_some_and(|x| x == "pdf"))
        .count()
}
