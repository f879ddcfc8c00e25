//! The real binary as a child process, with every line it printed (logs and, on
//! standard error, anything else such as a panic message).

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;

/// The binary running as a child process, with every line it printed.
pub struct Running {
    child: Child,
    /// The address it listens on.
    pub addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Running {
    /// Starts `vinovoyant serve` with `args` on an ephemeral port and waits until it
    /// announces its address.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vinovoyant"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("LEPTOS_SITE_ADDR")
            .env_remove("RUST_LOG")
            .env("VINOVOYANT_LOG_FORMAT", "json")
            .env("VINOVOYANT_LOG_LEVEL", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the binary");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (address_tx, address_rx) = mpsc::channel();
        collect(stdout, Arc::clone(&lines), address_tx.clone());
        collect(stderr, Arc::clone(&lines), address_tx);
        let address = address_rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the server announced its address");
        Self {
            child,
            addr: address.parse().expect("a socket address"),
            lines,
        }
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), signal).expect("signal");
    }

    /// Waits for the process to exit, at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                panic!("the server did not exit within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every line printed so far, on standard output and standard error.
    pub fn lines(&self) -> Vec<String> {
        // Give the reader thread a moment to see the last lines.
        std::thread::sleep(Duration::from_millis(200));
        self.lines.lock().expect("lines").clone()
    }
}

/// Reads `stream` line by line into `lines` on a thread of its own, and sends the
/// address of the "listening" log line to `address`.
fn collect(
    stream: impl std::io::Read + Send + 'static,
    lines: Arc<Mutex<Vec<String>>>,
    address: mpsc::Sender<String>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Ok(event) = serde_json::from_str::<Value>(&line)
                && event["message"] == "listening"
                && let Some(announced) = event["address"].as_str()
            {
                let _ = address.send(announced.to_string());
            }
            lines.lock().expect("lines").push(line);
        }
    });
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
