// SPDX-License-Identifier: BSD-3-Clause
//! MPTCP traffic for kernel tests and benches, the one home of the socket
//! helpers: a client and a server namespace joined by N veth links, MPTCP
//! sockets made with libc inside a namespace and then handed to the std
//! types (an MPTCP socket is a stream socket to them), listen, connect
//! and accept bounded in time, an accepting server on a thread, many
//! connections at once, `MPTCP_INFO`, and what `ss` lists.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Netns, veth_between, wait_until};

/// `IPPROTO_MPTCP`.
pub const IPPROTO_MPTCP: libc::c_int = 262;
/// `SOL_MPTCP`.
pub const SOL_MPTCP: libc::c_int = 284;
/// `MPTCP_INFO` (struct mptcp_info; byte 0 is `mptcpi_subflows`).
pub const MPTCP_INFO: libc::c_int = 1;

/// Bound of each blocking read in [`ping_pong`].
pub const IO_WAIT: Duration = Duration::from_secs(5);

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

/// A client and a server namespace joined by veth links on
/// `10.NET.SUBNET.0/24`, client `.2`, server `.1`. [`Paths::new`] makes
/// links `c{i}` – `s{i}` on subnet `i + 1` (`i` 0-based); [`Paths::link`]
/// adds one with other names.
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

    /// The client's address on link `i`.
    pub fn cli_ip(&self, i: usize) -> IpAddr {
        format!("10.{}.{}.2", self.net, i + 1).parse().unwrap()
    }

    /// The server's address on link `i`.
    pub fn srv_ip(&self, i: usize) -> IpAddr {
        format!("10.{}.{}.1", self.net, i + 1).parse().unwrap()
    }

    /// Link `i`: `c{i}` – `s{i}` on subnet `i + 1`.
    pub fn add_path(&self, i: usize) {
        let subnet = u8::try_from(i + 1).expect("at most 255 links");
        self.link(&format!("c{i}"), &format!("s{i}"), subnet);
    }

    /// A link `cli_dev` (client) – `srv_dev` (server) on
    /// 10.NET.`subnet`.0/24.
    pub fn link(&self, cli_dev: &str, srv_dev: &str, subnet: u8) {
        let net = self.net;
        veth_between(&self.cli, cli_dev, &self.srv, srv_dev);
        self.cli
            .add_addr(cli_dev, &format!("10.{net}.{subnet}.2/24"));
        self.srv
            .add_addr(srv_dev, &format!("10.{net}.{subnet}.1/24"));
    }

    /// Deletes link `i` (both ends go).
    pub fn del_path(&self, i: usize) {
        self.cli.ip(&format!("link del c{i}"));
    }
}

/// `a` as the kernel's socket address, with its length.
pub fn sockaddr(a: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: all-zero is a valid sockaddr_storage (and sockaddr_in6).
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match a {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for
            // every sockaddr type.
            unsafe { std::ptr::write((&raw mut ss).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            // SAFETY: as above.
            let mut sin6: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = a.port().to_be();
            sin6.sin6_addr.s6_addr = a.ip().octets();
            // SAFETY: as for sockaddr_in.
            unsafe { std::ptr::write((&raw mut ss).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}

/// A non-blocking stream socket of `protocol` ([`IPPROTO_MPTCP`], or 0
/// for plain TCP) for `family`'s address family, made in the calling
/// thread's namespace.
fn socket_here(family: IpAddr, protocol: libc::c_int) -> OwnedFd {
    let af = if family.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    let ty = libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK;
    // SAFETY: plain socket(2).
    let fd = unsafe { libc::socket(af, ty, protocol) };
    assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    // SAFETY: a fresh fd nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// [`socket_here`] in `ns`: the socket stays in `ns` for its life.
pub fn socket(ns: &Netns, family: IpAddr, protocol: libc::c_int) -> OwnedFd {
    ns.enter(|| socket_here(family, protocol))
}

/// bind(2) to `addr` and listen(2); panics on failure.
pub fn bind_listen(fd: &OwnedFd, addr: SocketAddr, backlog: i32) {
    let (ss, len) = sockaddr(addr);
    // SAFETY: ss holds a sockaddr of length len.
    unsafe {
        assert_eq!(
            libc::bind(fd.as_raw_fd(), (&raw const ss).cast(), len),
            0,
            "bind {addr}: {}",
            std::io::Error::last_os_error()
        );
        assert_eq!(libc::listen(fd.as_raw_fd(), backlog), 0, "listen {addr}");
    }
}

/// A non-blocking MPTCP listener in `ns` on `addr`, with `SO_REUSEADDR`
/// (port 0: the kernel picks one; read it with `local_addr`).
pub fn listen(ns: &Netns, addr: SocketAddr, backlog: i32) -> TcpListener {
    let fd = socket(ns, addr.ip(), IPPROTO_MPTCP);
    let one: libc::c_int = 1;
    // SAFETY: valid fd and option value.
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            (&raw const one).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
    bind_listen(&fd, addr, backlog);
    TcpListener::from(fd)
}

/// Connects one MPTCP socket from `ns` to `to`, bounded by `timeout`, and
/// returns it blocking with `timeout` as its read timeout. Sends nothing:
/// the client's ESTABLISHED waits for a data exchange ([`ping_pong`]).
pub fn connect(ns: &Netns, to: SocketAddr, timeout: Duration) -> TcpStream {
    let s = connected(ns, to, 1, timeout).pop().unwrap();
    s.set_read_timeout(Some(timeout)).unwrap();
    s
}

/// Opens `n` MPTCP connections from `ns` to `to` at once (non-blocking
/// connects, then one poll for all), bounded by `timeout`, and writes one
/// byte on each: a client's ESTABLISHED needs a data exchange. Returns
/// the connected sockets (blocking), in the order they were opened.
pub fn connect_many(ns: &Netns, to: SocketAddr, n: usize, timeout: Duration) -> Vec<TcpStream> {
    let mut socks = connected(ns, to, n, timeout);
    for s in &mut socks {
        s.write_all(b"x").unwrap();
    }
    socks
}

/// `n` connections from `ns` to `to`, established within `timeout`,
/// blocking.
fn connected(ns: &Netns, to: SocketAddr, n: usize, timeout: Duration) -> Vec<TcpStream> {
    let fds: Vec<OwnedFd> = ns.enter(|| {
        let (ss, len) = sockaddr(to);
        (0..n)
            .map(|_| {
                let fd = socket_here(to.ip(), IPPROTO_MPTCP);
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
            "connect {to}: {} of {n} unanswered within {timeout:?}",
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
            let s = TcpStream::from(fd);
            if let Some(e) = s.take_error().unwrap() {
                panic!("connect {to}: {e}");
            }
            s.set_nonblocking(false).unwrap();
            s
        })
        .collect()
}

/// Accepts one connection on the non-blocking `l` within `timeout`, and
/// returns it blocking with `timeout` as its read timeout.
pub fn accept(l: &TcpListener, timeout: Duration) -> TcpStream {
    let mut got = None;
    let ok = wait_until(timeout, || match l.accept() {
        Ok((s, _)) => {
            got = Some(s);
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
        Err(e) => panic!("accept: {e}"),
    });
    assert!(ok, "no connection to accept within {timeout:?}");
    let s = got.unwrap();
    s.set_nonblocking(false).unwrap();
    s.set_read_timeout(Some(timeout)).unwrap();
    s
}

/// One round trip of data, each read bounded by [`IO_WAIT`]: the
/// client's ESTABLISHED comes only after it.
pub fn ping_pong(client: &mut TcpStream, server: &mut TcpStream) {
    client.set_read_timeout(Some(IO_WAIT)).unwrap();
    server.set_read_timeout(Some(IO_WAIT)).unwrap();
    let mut buf = [0u8; 4];
    client.write_all(b"ping").unwrap();
    server.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
    server.write_all(b"pong").unwrap();
    client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"pong");
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

/// `mptcpi_subflows` of `MPTCP_INFO`: the connection's subflows besides
/// the initial one, as the path manager counts them (the first byte of
/// `struct mptcp_info`).
pub fn extra_subflows(sock: &impl AsRawFd) -> u8 {
    let mut info = [0u8; 256];
    let mut len = info.len() as libc::socklen_t;
    // SAFETY: the buffer holds `len` bytes; the kernel writes at most that.
    let r = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            SOL_MPTCP,
            MPTCP_INFO,
            info.as_mut_ptr().cast(),
            &mut len,
        )
    };
    assert_eq!(r, 0, "MPTCP_INFO: {}", std::io::Error::last_os_error());
    assert!(len >= 1, "MPTCP_INFO answered {len} bytes");
    info[0]
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

/// The local address of every listening MPTCP socket in `ns`, as
/// `ss -H -M -l -n` prints it ("192.0.2.1:7000", "[2001:db8::1]:7000",
/// "0.0.0.0:7002"), one per socket.
pub fn mptcp_listeners(ns: &Netns) -> Vec<String> {
    ns.run(&["ss", "-H", "-M", "-l", "-n"])
        .lines()
        .filter_map(|l| l.split_whitespace().nth(3).map(str::to_owned))
        .collect()
}

/// Kills (`ss -K`) the TCP sockets with this local address in `ns`.
pub fn kill_subflows_from(ns: &Netns, local: IpAddr) {
    ns.run(&["ss", "-K", "-t", "src", &local.to_string()]);
}
