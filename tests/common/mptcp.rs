// SPDX-License-Identifier: BSD-3-Clause
//! MPTCP traffic for kernel tests: a client and a server namespace joined
//! by N veth links, MPTCP sockets made with libc inside a namespace, an
//! accepting server on a thread, many connections at once, and the
//! subflows of each connection as the kernel lists them (`ss`).

use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Netns, veth_between};

/// `IPPROTO_MPTCP`.
pub const IPPROTO_MPTCP: libc::c_int = 262;
/// `SOL_MPTCP`.
pub const SOL_MPTCP: libc::c_int = 284;
/// `MPTCP_INFO` (struct mptcp_info; byte 0 is `mptcpi_subflows`).
pub const MPTCP_INFO: libc::c_int = 1;

/// Raises the soft open-file limit (tests hold thousands of sockets).
pub fn raise_nofile(want: u64) {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain getrlimit/setrlimit on a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) == 0 && r.rlim_cur < want {
            r.rlim_cur = want.min(r.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &r);
        }
    }
}

/// A client and a server namespace joined by `n` veth links: link `i`
/// (0-based) is `c{i}` – `s{i}` with `10.NET.{i+1}.2/24` on the client
/// and `10.NET.{i+1}.1/24` on the server.
pub struct Paths {
    pub srv: Netns,
    pub cli: Netns,
    pub net: u8,
}

impl Paths {
    pub fn new(tag: &str, net: u8, n: usize) -> Paths {
        let srv = Netns::new(&format!("{tag}-s"));
        let cli = Netns::new(&format!("{tag}-c"));
        let p = Paths { srv, cli, net };
        for i in 0..n {
            p.add_path(i);
        }
        p
    }

    pub fn cli_ip(&self, i: usize) -> IpAddr {
        format!("10.{}.{}.2", self.net, i + 1).parse().unwrap()
    }

    pub fn srv_ip(&self, i: usize) -> IpAddr {
        format!("10.{}.{}.1", self.net, i + 1).parse().unwrap()
    }

    pub fn add_path(&self, i: usize) {
        veth_between(&self.cli, &format!("c{i}"), &self.srv, &format!("s{i}"));
        self.cli
            .add_addr(&format!("c{i}"), &format!("{}/24", self.cli_ip(i)));
        self.srv
            .add_addr(&format!("s{i}"), &format!("{}/24", self.srv_ip(i)));
    }

    /// Deletes link `i` (both ends go).
    pub fn del_path(&self, i: usize) {
        self.cli.ip(&format!("link del c{i}"));
    }
}

fn sockaddr(a: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: all-zero is a valid sockaddr_storage.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let SocketAddr::V4(v4) = a else {
        panic!("IPv4 only here: {a}");
    };
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: v4.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes(v4.ip().octets()),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
    unsafe { std::ptr::write((&raw mut ss).cast(), sin) };
    (
        ss,
        std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
    )
}

/// A non-blocking IPv4 MPTCP socket, made in the calling thread's
/// namespace.
fn socket_here() -> OwnedFd {
    let ty = libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK;
    // SAFETY: plain socket(2).
    let fd = unsafe { libc::socket(libc::AF_INET, ty, IPPROTO_MPTCP) };
    assert!(fd >= 0, "MPTCP socket: {}", std::io::Error::last_os_error());
    // SAFETY: a fresh fd nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// A non-blocking MPTCP listener in `ns` on `addr`.
pub fn listen(ns: &Netns, addr: SocketAddr, backlog: i32) -> TcpListener {
    ns.enter(|| {
        let fd = socket_here();
        let one: libc::c_int = 1;
        let (ss, len) = sockaddr(addr);
        // SAFETY: valid fd, option and sockaddr of length len.
        unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_REUSEADDR,
                (&raw const one).cast(),
                4,
            );
            assert_eq!(
                libc::bind(fd.as_raw_fd(), (&raw const ss).cast(), len),
                0,
                "bind {addr}: {}",
                std::io::Error::last_os_error()
            );
            assert_eq!(libc::listen(fd.as_raw_fd(), backlog), 0, "listen");
        }
        TcpListener::from(fd)
    })
}

/// Accepts on a thread and keeps every accepted socket open (reading
/// nothing) until dropped.
pub struct Server {
    stop: Arc<AtomicBool>,
    pub accepted: Arc<AtomicUsize>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(l: TcpListener) -> Server {
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let (s, a, c) = (stop.clone(), accepted.clone(), conns.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match l.accept() {
                    Ok((sock, _)) => {
                        c.lock().unwrap().push(sock);
                        a.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(1))
                    }
                    Err(e) => panic!("accept: {e}"),
                }
            }
        });
        Server {
            stop,
            accepted,
            conns,
            thread: Some(thread),
        }
    }

    /// Closes the accepted sockets (the listener stays).
    pub fn close_all(&self) {
        self.conns.lock().unwrap().clear();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Opens `n` MPTCP connections from `ns` to `to` at once (non-blocking
/// connects, then one poll for all), bounded by `timeout`, and writes one
/// byte on each: a client's ESTABLISHED needs a data exchange. Returns
/// the connected sockets (blocking), in the order they were opened.
pub fn connect_many(ns: &Netns, to: SocketAddr, n: usize, timeout: Duration) -> Vec<TcpStream> {
    let fds: Vec<OwnedFd> = ns.enter(|| {
        let (ss, len) = sockaddr(to);
        (0..n)
            .map(|_| {
                let fd = socket_here();
                // SAFETY: ss holds a sockaddr of length len.
                let r = unsafe { libc::connect(fd.as_raw_fd(), (&raw const ss).cast(), len) };
                let e = std::io::Error::last_os_error();
                assert!(
                    r == 0 || e.raw_os_error() == Some(libc::EINPROGRESS),
                    "connect {to}: {e}"
                );
                fd
            })
            .collect()
    });
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<usize> = (0..n).collect();
    while !pending.is_empty() {
        let mut pfds: Vec<libc::pollfd> = pending
            .iter()
            .map(|&i| libc::pollfd {
                fd: fds[i].as_raw_fd(),
                events: libc::POLLOUT,
                revents: 0,
            })
            .collect();
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "{} of {n} connects unanswered",
            pending.len()
        );
        // SAFETY: pfds is a valid array of pollfd.
        unsafe {
            libc::poll(
                pfds.as_mut_ptr(),
                pfds.len() as libc::nfds_t,
                left.as_millis() as i32,
            )
        };
        let done: Vec<usize> = pfds
            .iter()
            .zip(&pending)
            .filter(|(p, _)| p.revents != 0)
            .map(|(_, &i)| i)
            .collect();
        pending.retain(|i| !done.contains(i));
    }
    fds.into_iter()
        .map(|fd| {
            let mut s = TcpStream::from(fd);
            if let Some(e) = s.take_error().unwrap() {
                panic!("connect {to}: {e}");
            }
            s.set_nonblocking(false).unwrap();
            s.write_all(b"x").unwrap();
            s
        })
        .collect()
}

/// `mptcpi_subflows` of a connection: its subflows besides the first
/// (as the path manager counts them).
pub fn extra_subflows(s: &TcpStream) -> u8 {
    let mut buf = [0u8; 64];
    let mut len = buf.len() as libc::socklen_t;
    // SAFETY: buf is valid for len bytes.
    let r = unsafe {
        libc::getsockopt(
            s.as_raw_fd(),
            SOL_MPTCP,
            MPTCP_INFO,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    assert_eq!(r, 0, "MPTCP_INFO: {}", std::io::Error::last_os_error());
    buf[0]
}

/// The established subflows of every MPTCP connection in `ns`, by local
/// token: (local, remote) addresses, from `ss -tni` ("tcp-ulp-mptcp …
/// token:REMOTE(id:N)/LOCAL(id:M)").
pub fn subflows(ns: &Netns) -> HashMap<u32, Vec<(SocketAddr, SocketAddr)>> {
    let out = ns.run(&["ss", "-H", "-t", "-n", "-i", "state", "established"]);
    let mut map: HashMap<u32, Vec<(SocketAddr, SocketAddr)>> = HashMap::new();
    let mut ends = None;
    for line in out.lines() {
        if !line.starts_with(char::is_whitespace) {
            let f: Vec<&str> = line.split_whitespace().collect();
            ends = (f.len() >= 4)
                .then(|| Some((parse_ss_addr(f[2])?, parse_ss_addr(f[3])?)))
                .flatten();
            continue;
        }
        let Some(tok) = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("token:"))
            .and_then(|t| t.split('/').nth(1))
            .and_then(|t| t.split('(').next())
            .and_then(|t| u32::from_str_radix(t, 16).ok())
        else {
            continue;
        };
        if let Some(e) = ends.take() {
            map.entry(tok).or_default().push(e);
        }
    }
    map
}

/// "10.1.2.2%c1:41349" or "10.1.1.1:7000".
fn parse_ss_addr(s: &str) -> Option<SocketAddr> {
    let (host, port) = s.rsplit_once(':')?;
    let host = host.split('%').next()?;
    Some(SocketAddr::new(host.parse().ok()?, port.parse().ok()?))
}

/// Kills (`ss -K`) the TCP sockets with this local address in `ns`.
pub fn kill_subflows_from(ns: &Netns, local: IpAddr) {
    ns.run(&["ss", "-K", "-t", "src", &local.to_string()]);
}
