// SPDX-License-Identifier: BSD-3-Clause
//! `/etc/mptcpd/mptcpd.conf`: mptcpd's `[core]` keys plus our
//! `[interface PATTERN]` rules, and the merge with the command line.
//!
//! The parser is pure (`parse_str`); `load` adds the file checks mptcpd
//! makes. Unlike mptcpd, which silently ignores a whole file with one bad
//! line, every syntax error or bad value is reported as `file:line:
//! problem` and refuses the file.

use std::fmt;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::cli::{CliOptions, split_list};
use crate::flags::{AddrFlags, NotifyFlags};
use crate::logging::LogDest;
use crate::rules::{IfaceRule, InterfaceRules, Unlisted, check_pattern};

pub const DEFAULT_CONFIG_PATH: &str = "/etc/mptcpd/mptcpd.conf";

/// What the file says; `None` = key absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileConfig {
    pub log: Option<LogDest>,
    pub plugin_dir: Option<String>,
    pub path_manager: Option<String>,
    pub addr_flags: Option<AddrFlags>,
    pub notify_flags: Option<NotifyFlags>,
    pub load_plugins: Option<Vec<String>>,
    pub unlisted: Option<Unlisted>,
    pub interfaces: Vec<IfaceRule>,
    /// `[sspi] max-connections`.
    pub max_connections: Option<usize>,
}

/// A config problem and how the process must end because of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// Syntax error or bad value (exit 78).
    Invalid {
        path: PathBuf,
        line: usize,
        msg: String,
    },
    /// Not a regular file, writable by others, or unreadable (exit 1).
    Unsafe { path: PathBuf, msg: String },
}

impl ConfigError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ConfigError::Invalid { .. } => crate::exit::EX_CONFIG,
            ConfigError::Unsafe { .. } => crate::exit::EXIT_FAILURE,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Invalid { path, line, msg } => {
                write!(f, "{}:{line}: {msg}", path.display())
            }
            ConfigError::Unsafe { path, msg } => write!(f, "{}: {msg}", path.display()),
        }
    }
}

enum Group {
    None,
    Core,
    Sspi,
    Interface(usize),
    Unknown,
}

/// Parses config text. Warnings (unknown keys and groups) are returned
/// for the caller to log; they do not refuse the file.
pub fn parse_str(text: &str, path: &Path) -> Result<(FileConfig, Vec<String>), ConfigError> {
    let mut cfg = FileConfig::default();
    let mut warnings = Vec::new();
    let mut group = Group::None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let bad = |msg: String| ConfigError::Invalid {
            path: path.to_owned(),
            line,
            msg,
        };
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(rest) = l.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| bad(format!("group header without ']': {l}")))?
                .trim();
            group = open_group(&mut cfg, name, &mut warnings, path, line).map_err(bad)?;
            continue;
        }
        let (key, value) = l
            .split_once('=')
            .ok_or_else(|| bad(format!("expected key=value or [group], found \"{l}\"")))?;
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(bad("empty key before '='".into()));
        }
        match group {
            Group::None => return Err(bad(format!("key \"{key}\" outside of any group"))),
            Group::Unknown => {}
            Group::Sspi => {
                if let Some(w) = sspi_key(&mut cfg, key, value).map_err(bad)? {
                    warnings.push(format!("{}:{line}: {w}", path.display()));
                }
            }
            Group::Core => {
                if let Some(w) = core_key(&mut cfg, key, value).map_err(bad)? {
                    warnings.push(format!("{}:{line}: {w}", path.display()));
                }
            }
            Group::Interface(idx) => {
                let rule = &mut cfg.interfaces[idx];
                if let Some(w) = interface_key(rule, key, value).map_err(bad)? {
                    warnings.push(format!("{}:{line}: {w}", path.display()));
                }
            }
        }
    }
    Ok((cfg, warnings))
}

fn open_group(
    cfg: &mut FileConfig,
    name: &str,
    warnings: &mut Vec<String>,
    path: &Path,
    line: usize,
) -> Result<Group, String> {
    if name == "core" {
        return Ok(Group::Core);
    }
    if name == "sspi" {
        return Ok(Group::Sspi);
    }
    if let Some(pattern) = name.strip_prefix("interface") {
        let pattern = pattern.trim();
        if !name["interface".len()..].starts_with(char::is_whitespace) || pattern.is_empty() {
            return Err("expected [interface NAME-OR-PATTERN]".into());
        }
        check_pattern(pattern).map_err(|e| format!("[interface {pattern}]: {e}"))?;
        if cfg.interfaces.iter().any(|r| r.pattern == pattern) {
            return Err(format!("[interface {pattern}] given twice"));
        }
        cfg.interfaces.push(IfaceRule {
            pattern: pattern.to_owned(),
            exclude: false,
            addr_flags: None,
        });
        return Ok(Group::Interface(cfg.interfaces.len() - 1));
    }
    warnings.push(format!(
        "{}:{line}: unknown group [{name}], its keys are ignored",
        path.display()
    ));
    Ok(Group::Unknown)
}

/// Returns a warning for an unknown key, an error for a bad value.
fn core_key(cfg: &mut FileConfig, key: &str, value: &str) -> Result<Option<String>, String> {
    match key {
        "log" => {
            cfg.log = Some(
                LogDest::parse(value)
                    .ok_or_else(|| format!("log: unknown destination \"{value}\""))?,
            )
        }
        "plugin-dir" => cfg.plugin_dir = Some(non_empty(key, value)?),
        "path-manager" => cfg.path_manager = Some(non_empty(key, value)?),
        "load-plugins" => {
            let list = split_list(value);
            if list.is_empty() {
                return Err("load-plugins: empty list".into());
            }
            cfg.load_plugins = Some(list)
        }
        "addr-flags" => cfg.addr_flags = Some(addr_flags(value)?),
        "notify-flags" => {
            cfg.notify_flags =
                Some(NotifyFlags::parse_list(value).map_err(|e| format!("notify-flags: {e}"))?)
        }
        "unlisted-interfaces" => {
            cfg.unlisted = Some(Unlisted::parse(value).ok_or_else(|| {
                format!("unlisted-interfaces: expected \"use\" or \"ignore\", found \"{value}\"")
            })?)
        }
        _ => return Ok(Some(format!("unknown key \"{key}\" in [core], ignored"))),
    }
    Ok(None)
}

/// Keys of the `[sspi]` group (our addition).
fn sspi_key(cfg: &mut FileConfig, key: &str, value: &str) -> Result<Option<String>, String> {
    match key {
        "max-connections" => {
            let n: usize = value
                .parse()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| {
                    format!("max-connections: expected 1 to 1000000, found \"{value}\"")
                })?;
            cfg.max_connections = Some(n);
            Ok(None)
        }
        _ => Ok(Some(format!("unknown key \"{key}\" in [sspi], ignored"))),
    }
}

fn interface_key(rule: &mut IfaceRule, key: &str, value: &str) -> Result<Option<String>, String> {
    match key {
        "exclude" => {
            rule.exclude = parse_bool(value)
                .ok_or_else(|| format!("exclude: expected yes or no, found \"{value}\""))?
        }
        "addr-flags" => rule.addr_flags = Some(addr_flags(value)?),
        _ => {
            return Ok(Some(format!(
                "unknown key \"{key}\" in [interface {}], ignored",
                rule.pattern
            )));
        }
    }
    Ok(None)
}

fn addr_flags(value: &str) -> Result<AddrFlags, String> {
    let f = AddrFlags::parse_list(value).map_err(|e| format!("addr-flags: {e}"))?;
    match f.conflict() {
        Some(why) => Err(format!("addr-flags: {why}")),
        None => Ok(f),
    }
}

fn non_empty(key: &str, value: &str) -> Result<String, String> {
    if value.is_empty() {
        Err(format!("{key}: empty value"))
    } else {
        Ok(value.to_owned())
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "yes" | "true" | "1" | "on" => Some(true),
        "no" | "false" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// Reads and checks the file. A missing file is an empty configuration
/// unless `required` (the user named it with `--config`).
pub fn load(path: &Path, required: bool) -> Result<(FileConfig, Vec<String>), ConfigError> {
    let unsafe_file = |msg: String| ConfigError::Unsafe {
        path: path.to_owned(),
        msg,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound && !required => {
            return Ok((FileConfig::default(), Vec::new()));
        }
        Err(e) => return Err(unsafe_file(e.to_string())),
    };
    // mptcpd's rule and message: anyone who can edit the file can make
    // the daemon (CAP_NET_ADMIN) change the kernel's MPTCP state.
    if !meta.is_file() || meta.permissions().mode() & 0o002 != 0 {
        return Err(unsafe_file(
            "should be a file that is not world writable.".into(),
        ));
    }
    let text = std::fs::read(path).map_err(|e| unsafe_file(e.to_string()))?;
    let text = String::from_utf8(text).map_err(|_| ConfigError::Invalid {
        path: path.to_owned(),
        line: 0,
        msg: "not valid UTF-8".into(),
    })?;
    parse_str(&text, path)
}

/// The effective configuration: command line > file > default, key by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub path: PathBuf,
    pub debug: bool,
    pub log: LogDest,
    pub plugin_dir: Option<String>,
    pub path_manager: Option<String>,
    pub load_plugins: Option<Vec<String>>,
    pub addr_flags: AddrFlags,
    pub notify_flags: NotifyFlags,
    pub rules: InterfaceRules,
    pub max_connections: Option<usize>,
}

pub fn merge(cli: &CliOptions, file: FileConfig) -> Config {
    Config {
        path: cli
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_PATH)),
        debug: cli.debug,
        log: cli.log.or(file.log).unwrap_or(LogDest::Stderr),
        plugin_dir: cli.plugin_dir.clone().or(file.plugin_dir),
        path_manager: cli.path_manager.clone().or(file.path_manager),
        load_plugins: cli.load_plugins.clone().or(file.load_plugins),
        addr_flags: cli.addr_flags.or(file.addr_flags).unwrap_or_default(),
        notify_flags: cli.notify_flags.or(file.notify_flags).unwrap_or_default(),
        rules: InterfaceRules {
            unlisted: file.unlisted.unwrap_or_default(),
            rules: file.interfaces,
        },
        max_connections: file.max_connections,
    }
}

/// Reads the file named by the command line (or the default) and merges.
pub fn load_effective(cli: &CliOptions) -> Result<(Config, Vec<String>), ConfigError> {
    let path = cli
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_PATH));
    let (file, warnings) = load(&path, cli.config.is_some())?;
    Ok((merge(cli, file), warnings))
}

impl Config {
    /// One line per setting that differs, for the SIGHUP log.
    pub fn describe_changes(&self, new: &Config) -> Vec<String> {
        let mut v = Vec::new();
        let mut diff = |name: &str, a: String, b: String| {
            if a != b {
                v.push(format!("{name}: {a} -> {b}"));
            }
        };
        diff("log", self.log.name().into(), new.log.name().into());
        diff(
            "path-manager",
            format!("{:?}", self.path_manager),
            format!("{:?}", new.path_manager),
        );
        diff(
            "load-plugins",
            format!("{:?}", self.load_plugins),
            format!("{:?}", new.load_plugins),
        );
        diff(
            "plugin-dir",
            format!("{:?}", self.plugin_dir),
            format!("{:?}", new.plugin_dir),
        );
        diff(
            "addr-flags",
            self.addr_flags.to_string(),
            new.addr_flags.to_string(),
        );
        diff(
            "notify-flags",
            self.notify_flags.to_string(),
            new.notify_flags.to_string(),
        );
        diff(
            "unlisted-interfaces",
            self.rules.unlisted.name().into(),
            new.rules.unlisted.name().into(),
        );
        let rules = |r: &InterfaceRules| {
            let v: Vec<String> = r.rules.iter().map(|x| x.to_string()).collect();
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(" ")
            }
        };
        diff("interface rules", rules(&self.rules), rules(&new.rules));
        diff(
            "[sspi] max-connections (at restart)",
            format!("{:?}", self.max_connections),
            format!("{:?}", new.max_connections),
        );
        v
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;

impl Config {
    /// The policy to run. `load-plugins` restricts the choice (mptcpd
    /// loaded those and picked `path-manager` among them); without
    /// `path-manager` the first candidate runs. Unknown names are errors,
    /// where mptcpd silently fell back to another plugin.
    pub fn policy_name<'a>(&self, compiled: &[&'a str]) -> Result<&'a str, String> {
        let list = compiled.join(", ");
        let known = |n: &str| compiled.iter().copied().find(|c| *c == n);
        let mut candidates: Vec<&'a str> = Vec::new();
        match &self.load_plugins {
            Some(names) => {
                for n in names {
                    let c = known(n).ok_or_else(|| {
                        format!("load-plugins: unknown policy \"{n}\"; compiled in: {list}")
                    })?;
                    candidates.push(c);
                }
            }
            None => candidates.extend_from_slice(compiled),
        }
        match &self.path_manager {
            Some(pm) => {
                let c = known(pm).ok_or_else(|| {
                    format!("path-manager: unknown policy \"{pm}\"; compiled in: {list}")
                })?;
                if !candidates.contains(&c) {
                    return Err(format!(
                        "path-manager \"{pm}\" is not listed in load-plugins"
                    ));
                }
                Ok(c)
            }
            None => candidates
                .first()
                .copied()
                .ok_or_else(|| "no path-management policy compiled in".to_owned()),
        }
    }
}
