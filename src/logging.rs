// SPDX-License-Identifier: BSD-3-Clause
//! The `log` backend: stderr, syslog, the systemd journal, or nothing.
//!
//! One global logger whose destination and level can be switched at run
//! time (SIGHUP re-reads `log=`). The daemon is single-threaded; the mutex
//! only satisfies `log::Log: Sync` and is never contended.

use std::ffi::CString;
use std::io::Write;
use std::os::unix::net::UnixDatagram;
use std::sync::Mutex;

use log::{Level, LevelFilter, Log, Metadata, Record};

/// `-l/--log` and the `log` config key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogDest {
    Stderr,
    Syslog,
    Journal,
    Null,
}

impl LogDest {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "stderr" => Some(LogDest::Stderr),
            "syslog" => Some(LogDest::Syslog),
            "journal" => Some(LogDest::Journal),
            "null" => Some(LogDest::Null),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            LogDest::Stderr => "stderr",
            LogDest::Syslog => "syslog",
            LogDest::Journal => "journal",
            LogDest::Null => "null",
        }
    }
}

/// Where the systemd journal's native protocol listens.
const JOURNAL_SOCKET: &str = "/run/systemd/journal/socket";

enum Sink {
    Stderr,
    /// openlog(3) has been called; syslog(3) owns the socket and
    /// reconnects by itself when syslogd restarts.
    Syslog,
    Journal(UnixDatagram),
    Null,
}

struct Logger {
    sink: Mutex<Sink>,
}

static LOGGER: Logger = Logger {
    sink: Mutex::new(Sink::Stderr),
};

/// Installs the logger (stderr, info) once at start-up, so that messages
/// produced while the configuration is read have somewhere to go.
pub fn init() {
    // Only fails if a logger is already set, which means init ran before.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(LevelFilter::Info);
}

/// Switches destination and level. Returns a warning to log when the
/// journal was asked for but is not there (we then use stderr, unlike
/// mptcpd which silently logged nothing).
pub fn configure(dest: LogDest, debug: bool) -> Option<String> {
    let mut warning = None;
    let sink = match dest {
        LogDest::Stderr => Sink::Stderr,
        LogDest::Null => Sink::Null,
        LogDest::Syslog => {
            open_syslog();
            Sink::Syslog
        }
        LogDest::Journal => match journal_socket() {
            Ok(s) => Sink::Journal(s),
            Err(e) => {
                warning = Some(format!(
                    "journal socket {JOURNAL_SOCKET} unavailable ({e}); logging to stderr"
                ));
                Sink::Stderr
            }
        },
    };
    let mut g = LOGGER.sink.lock().unwrap_or_else(|p| p.into_inner());
    if matches!(*g, Sink::Syslog) && !matches!(sink, Sink::Syslog) {
        // SAFETY: closelog has no preconditions.
        unsafe { libc::closelog() };
    }
    *g = sink;
    drop(g);
    log::set_max_level(if debug {
        LevelFilter::Debug
    } else {
        LevelFilter::Info
    });
    warning
}

fn open_syslog() {
    // openlog keeps the pointer: it must live for the whole process.
    static IDENT: &[u8] = b"mptcpd\0";
    // SAFETY: IDENT is a static NUL-terminated string.
    unsafe {
        libc::openlog(
            IDENT.as_ptr().cast(),
            libc::LOG_PID | libc::LOG_NDELAY,
            libc::LOG_DAEMON,
        )
    };
}

fn journal_socket() -> std::io::Result<UnixDatagram> {
    let s = UnixDatagram::unbound()?;
    s.connect(JOURNAL_SOCKET)?;
    Ok(s)
}

fn syslog_priority(l: Level) -> libc::c_int {
    match l {
        Level::Error => libc::LOG_ERR,
        Level::Warn => libc::LOG_WARNING,
        Level::Info => libc::LOG_INFO,
        Level::Debug | Level::Trace => libc::LOG_DEBUG,
    }
}

/// Debug lines name the module they come from, as mptcpd's carry their
/// function; other levels are plain sentences users grep for.
fn format_line(record: &Record<'_>) -> String {
    match record.level() {
        Level::Error => format!("error: {}", record.args()),
        Level::Warn => format!("warning: {}", record.args()),
        Level::Info => format!("{}", record.args()),
        Level::Debug | Level::Trace => format!("debug: {}: {}", record.target(), record.args()),
    }
}

/// The journal's native protocol: KEY=value lines; a value containing a
/// newline needs the binary form (key, '\n', u64 LE length, bytes).
pub fn journal_datagram(priority: libc::c_int, message: &str) -> Vec<u8> {
    let mut d = Vec::with_capacity(message.len() + 64);
    d.extend_from_slice(format!("PRIORITY={priority}\nSYSLOG_IDENTIFIER=mptcpd\n").as_bytes());
    if message.contains('\n') {
        d.extend_from_slice(b"MESSAGE\n");
        d.extend_from_slice(&(message.len() as u64).to_le_bytes());
        d.extend_from_slice(message.as_bytes());
        d.push(b'\n');
    } else {
        d.extend_from_slice(b"MESSAGE=");
        d.extend_from_slice(message.as_bytes());
        d.push(b'\n');
    }
    d
}

impl Log for Logger {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        // -d turns on debug for every module of ours, not for the
        // netlink crates, whose debug output is per-packet noise.
        m.level() <= log::max_level()
            && (m.level() <= Level::Info || m.target().starts_with("mptcpd"))
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let g = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        match &*g {
            Sink::Null => {}
            Sink::Stderr => {
                let line = format_line(record);
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            Sink::Syslog => {
                let line = format_line(record);
                // Interior NULs cannot be passed to syslog(3); drop them.
                let c = CString::new(line.replace('\0', "")).unwrap_or_default();
                // SAFETY: "%s" with one valid C string argument.
                unsafe {
                    libc::syslog(syslog_priority(record.level()), c"%s".as_ptr(), c.as_ptr())
                };
            }
            Sink::Journal(sock) => {
                let d = journal_datagram(syslog_priority(record.level()), &format_line(record));
                let _ = sock.send(&d);
            }
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dest_names_round_trip() {
        for d in [
            LogDest::Stderr,
            LogDest::Syslog,
            LogDest::Journal,
            LogDest::Null,
        ] {
            assert_eq!(LogDest::parse(d.name()), Some(d));
        }
        assert_eq!(LogDest::parse("Stderr"), None);
        assert_eq!(LogDest::parse(""), None);
    }

    #[test]
    fn journal_fields() {
        let d = journal_datagram(libc::LOG_WARNING, "hello");
        assert_eq!(
            String::from_utf8(d).unwrap(),
            "PRIORITY=4\nSYSLOG_IDENTIFIER=mptcpd\nMESSAGE=hello\n"
        );
        let d = journal_datagram(libc::LOG_INFO, "a\nb");
        let tail = &d[d.len() - 8 - 3 - 1..];
        assert_eq!(&tail[..8], &3u64.to_le_bytes());
        assert_eq!(&tail[8..], b"a\nb\n");
    }
}
