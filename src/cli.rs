// SPDX-License-Identifier: BSD-3-Clause
//! The mptcpd(8) command line: same options, abbreviations and error
//! messages as the C daemon's argp parser, plus `--config=FILE`.
//!
//! Pure: takes an argument list, returns what to do. Printing and exiting
//! are the caller's job, so every case is unit-testable.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use lexopt::prelude::*;

use crate::flags::{AddrFlags, FlagError, NotifyFlags};
use crate::logging::LogDest;

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cli {
    Run(CliOptions),
    Help,
    Usage,
    Version,
    /// `--status[=json|text]`: ask the running daemon (our addition).
    Status(crate::control::Format),
}

/// Options given on the command line; `None` = not given, so the config
/// file or the built-in default decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CliOptions {
    pub debug: bool,
    pub log: Option<LogDest>,
    pub plugin_dir: Option<String>,
    pub path_manager: Option<String>,
    pub load_plugins: Option<Vec<String>>,
    pub addr_flags: Option<AddrFlags>,
    pub notify_flags: Option<NotifyFlags>,
    pub config: Option<PathBuf>,
}

/// A usage error: printed on stderr, then the `--help` hint, exit 64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Long options, sorted as `--help` lists them. `true` = takes a value.
const LONG_OPTIONS: &[(&str, bool)] = &[
    ("addr-flags", true),
    ("config", true),
    ("debug", false),
    ("help", false),
    ("load-plugins", true),
    ("log", true),
    ("notify-flags", true),
    ("path-manager", true),
    ("plugin-dir", true),
    ("status", false),
    ("usage", false),
    ("version", false),
];

/// argp semantics: an exact name wins, otherwise a prefix must match
/// exactly one option (`--vers`, `--plug=DIR`).
fn resolve_long(argv0: &str, given: &str) -> Result<&'static str, UsageError> {
    if let Some((name, _)) = LONG_OPTIONS.iter().find(|(n, _)| *n == given) {
        return Ok(name);
    }
    let matches: Vec<&'static str> = LONG_OPTIONS
        .iter()
        .filter(|(n, _)| !given.is_empty() && n.starts_with(given))
        .map(|(n, _)| *n)
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(UsageError(format!(
            "{argv0}: unrecognized option '--{given}'"
        ))),
        many => {
            let list: Vec<String> = many.iter().map(|n| format!("'--{n}'")).collect();
            Err(UsageError(format!(
                "{argv0}: option '--{given}' is ambiguous; possibilities: {}",
                list.join(" ")
            )))
        }
    }
}

/// Parses `args` (without argv[0]); `argv0` is used in messages the way
/// argp does (as typed).
pub fn parse<I>(argv0: &str, args: I) -> Result<Cli, UsageError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut p = lexopt::Parser::from_args(args);
    let mut o = CliOptions::default();
    let mut early: Option<Cli> = None;
    loop {
        let arg = match p.next() {
            Ok(Some(a)) => a,
            Ok(None) => break,
            Err(e) => return Err(lexopt_error(argv0, e)),
        };
        let is_long = matches!(arg, Long(_));
        let name: &'static str = match arg {
            Short('d') => "debug",
            Short('l') => "log",
            Short('?') => "help",
            Short('V') => "version",
            Short(c) => return Err(UsageError(format!("{argv0}: invalid option -- '{c}'"))),
            Long(l) => resolve_long(argv0, l)?,
            Value(_) => return Err(UsageError("mptcpd: Too many arguments".into())),
        };
        let takes_value = LONG_OPTIONS.iter().any(|(n, v)| *n == name && *v);
        if !takes_value {
            // Only `--debug=x` can carry a value; in `-dl…` the rest of the
            // cluster is more short options.
            let attached = if is_long { p.optional_value() } else { None };
            if name == "status" {
                // The one option with an optional value, attached only.
                let format = match attached.as_ref().map(|v| v.to_string_lossy()) {
                    None => crate::control::Format::Text,
                    Some(v) if v == "text" => crate::control::Format::Text,
                    Some(v) if v == "json" => crate::control::Format::Json,
                    Some(v) => {
                        return Err(UsageError(format!(
                            "mptcpd: --status: expected \"json\" or \"text\", found \"{v}\""
                        )));
                    }
                };
                early = early.or(Some(Cli::Status(format)));
                continue;
            }
            if attached.is_some() {
                return Err(UsageError(format!(
                    "{argv0}: option '--{name}' doesn't allow an argument"
                )));
            }
            match name {
                "debug" => o.debug = true,
                // argp acts on the first of --help/--usage/--version.
                "help" => early = early.or(Some(Cli::Help)),
                "usage" => early = early.or(Some(Cli::Usage)),
                _ => early = early.or(Some(Cli::Version)),
            }
            continue;
        }
        let value = match p.value() {
            Ok(v) => v.to_string_lossy().into_owned(),
            Err(lexopt::Error::MissingValue { .. }) => {
                return Err(UsageError(format!(
                    "{argv0}: option '--{name}' requires an argument"
                )));
            }
            Err(e) => return Err(lexopt_error(argv0, e)),
        };
        set_option(&mut o, name, value)?;
    }
    Ok(early.unwrap_or(Cli::Run(o)))
}

/// Applies one valued option; the last occurrence wins, like mptcpd.
fn set_option(o: &mut CliOptions, name: &str, value: String) -> Result<(), UsageError> {
    match name {
        "log" => {
            o.log = Some(LogDest::parse(&value).ok_or_else(|| {
                UsageError(format!("mptcpd: Unknown logging option: \"{value}\""))
            })?)
        }
        "plugin-dir" => {
            if value.is_empty() {
                return Err(UsageError(
                    "mptcpd: Empty plugin directory command line option.".into(),
                ));
            }
            o.plugin_dir = Some(value)
        }
        "path-manager" => {
            if value.is_empty() {
                return Err(UsageError(
                    "mptcpd: Empty default path manager plugin command line option.".into(),
                ));
            }
            o.path_manager = Some(value)
        }
        "load-plugins" => {
            let list = split_list(&value);
            if list.is_empty() {
                return Err(UsageError(
                    "mptcpd: Empty load plugins command line option.".into(),
                ));
            }
            o.load_plugins = Some(list)
        }
        "addr-flags" => {
            let f = AddrFlags::parse_list(&value).map_err(|e| flag_error("addr-flags", &e))?;
            if let Some(why) = f.conflict() {
                return Err(UsageError(format!("mptcpd: --addr-flags: {why}")));
            }
            o.addr_flags = Some(f)
        }
        "notify-flags" => {
            o.notify_flags =
                Some(NotifyFlags::parse_list(&value).map_err(|e| flag_error("notify-flags", &e))?)
        }
        "config" => {
            if value.is_empty() {
                return Err(UsageError(
                    "mptcpd: Empty config file command line option.".into(),
                ));
            }
            o.config = Some(PathBuf::from(value))
        }
        _ => unreachable!("option table and match disagree: {name}"),
    }
    Ok(())
}

fn flag_error(option: &str, e: &FlagError) -> UsageError {
    UsageError(format!("mptcpd: --{option}: {e}"))
}

/// Comma-separated names; empty items are skipped as mptcpd does.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn lexopt_error(argv0: &str, e: lexopt::Error) -> UsageError {
    match e {
        lexopt::Error::UnexpectedValue { option, .. } => UsageError(format!(
            "{argv0}: option '{option}' doesn't allow an argument"
        )),
        lexopt::Error::NonUnicodeValue(v) => UsageError(format!("{argv0}: invalid argument {v:?}")),
        other => UsageError(format!("{argv0}: {other}")),
    }
}

/// The second line of every usage error, as argp prints it.
pub fn try_help(argv0: &str) -> String {
    format!("Try `{argv0} --help' or `{argv0} --usage' for more information.")
}

/// `--version`: one line, package name and version.
pub fn version_text() -> String {
    format!("mptcpd {}\n", env!("CARGO_PKG_VERSION"))
}

/// `--help`, laid out like argp's output.
pub fn help_text(policies: &[&str]) -> String {
    let mut s = String::from(
        "Usage: mptcpd [OPTION...]\n\
Start the Multipath TCP daemon.\n\
\n\
      --addr-flags=FLAGS     Set flags for announced address, where FLAGS\n\
                             is a comma-separated list of: subflow, signal,\n\
                             backup, fullmesh, laminar (e.g. subflow,backup)\n\
      --config=FILE          Read FILE instead of /etc/mptcpd/mptcpd.conf\n\
  -d, --debug                Enable debug log messages\n\
      --load-plugins=PLUGINS Policies that may be selected, a comma-separated\n\
                             list (e.g. addr_adv,sspi)\n\
  -l, --log=DEST             Log to DEST: stderr, syslog, journal or null\n\
                             (e.g. --log=journal)\n\
      --notify-flags=FLAGS   Address notification flags, where FLAGS is a\n\
                             comma-separated list of: existing,\n\
                             skip_link_local, skip_loopback, check_route\n\
      --path-manager=PLUGIN  Path management policy to run (e.g. addr_adv)\n\
      --plugin-dir=DIR       Accepted for compatibility; policies are\n\
                             compiled in, so it has no effect\n\
      --status[=FORMAT]      Print what the running daemon is doing, as\n\
                             text (default) or json, and exit\n\
  -?, --help                 Give this help list\n\
      --usage                Give a short usage message\n\
  -V, --version              Print program version\n\
\n\
Mandatory or optional arguments to long options are also mandatory or\n\
optional for any corresponding short options.\n\
\n",
    );
    s.push_str(&format!("Compiled-in policies: {}\n", policies.join(", ")));
    s.push_str("Supported Linux kernel: upstream\n");
    s
}

/// `--usage`, wrapped at 79 columns like argp.
pub fn usage_text() -> String {
    let words = [
        "[-d?V]",
        "[-l DEST]",
        "[--addr-flags=FLAGS]",
        "[--config=FILE]",
        "[--debug]",
        "[--load-plugins=PLUGINS]",
        "[--log=DEST]",
        "[--notify-flags=FLAGS]",
        "[--path-manager=PLUGIN]",
        "[--plugin-dir=DIR]",
        "[--status[=FORMAT]]",
        "[--help]",
        "[--usage]",
        "[--version]",
    ];
    let mut out = String::new();
    let mut line = String::from("Usage: mptcpd");
    for w in words {
        if line.len() + 1 + w.len() > 79 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("            ");
        }
        line.push(' ');
        line.push_str(w);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Cli, UsageError> {
        parse("mptcpd", args.iter().copied())
    }
    fn opts(args: &[&str]) -> CliOptions {
        match run(args) {
            Ok(Cli::Run(o)) => o,
            other => panic!("{args:?} gave {other:?}"),
        }
    }
    fn err(args: &[&str]) -> String {
        match run(args) {
            Err(e) => e.0,
            other => panic!("{args:?} should fail, gave {other:?}"),
        }
    }

    #[test]
    fn all_options_both_value_forms() {
        let o = opts(&[
            "-d",
            "--log=syslog",
            "--addr-flags",
            "subflow,backup",
            "--notify-flags=existing,check_route",
            "--plugin-dir",
            "/usr/lib/mptcpd",
            "--path-manager=sspi",
            "--load-plugins=sspi,addr_adv",
            "--config=/tmp/x.conf",
        ]);
        assert!(o.debug);
        assert_eq!(o.log, Some(LogDest::Syslog));
        assert_eq!(o.addr_flags, Some(AddrFlags::SUBFLOW | AddrFlags::BACKUP));
        assert_eq!(
            o.notify_flags,
            Some(NotifyFlags::EXISTING | NotifyFlags::CHECK_ROUTE)
        );
        assert_eq!(o.plugin_dir.as_deref(), Some("/usr/lib/mptcpd"));
        assert_eq!(o.path_manager.as_deref(), Some("sspi"));
        assert_eq!(o.load_plugins, Some(vec!["sspi".into(), "addr_adv".into()]));
        assert_eq!(o.config, Some(PathBuf::from("/tmp/x.conf")));
    }

    #[test]
    fn short_log_attached_and_separate() {
        assert_eq!(opts(&["-ljournal"]).log, Some(LogDest::Journal));
        assert_eq!(opts(&["-l", "null"]).log, Some(LogDest::Null));
        assert_eq!(opts(&["-dlstderr"]).log, Some(LogDest::Stderr));
    }

    #[test]
    fn prefixes() {
        assert_eq!(run(&["--vers"]), Ok(Cli::Version));
        assert_eq!(opts(&["--plug=/x"]).plugin_dir.as_deref(), Some("/x"));
        assert_eq!(
            opts(&["--path", "sspi"]).path_manager.as_deref(),
            Some("sspi")
        );
        assert!(opts(&["--deb"]).debug);
        assert!(err(&["--lo=null"]).contains("ambiguous"));
        assert_eq!(
            opts(&["--no=existing"]).notify_flags,
            Some(NotifyFlags::EXISTING)
        );
        // "--l" is both --load-plugins and --log.
        let e = err(&["--l=null"]);
        assert!(e.contains("ambiguous") && e.contains("--log") && e.contains("--load-plugins"));
        let e = err(&["--p=x"]);
        assert!(
            e.contains("'--path-manager'") && e.contains("'--plugin-dir'"),
            "{e}"
        );
    }

    #[test]
    fn help_usage_version() {
        assert_eq!(run(&["--help"]), Ok(Cli::Help));
        assert_eq!(run(&["-?"]), Ok(Cli::Help));
        assert_eq!(run(&["--usage"]), Ok(Cli::Usage));
        assert_eq!(run(&["-V"]), Ok(Cli::Version));
        assert!(version_text().starts_with("mptcpd "));
        assert_eq!(version_text().lines().count(), 1);
        assert!(usage_text().lines().all(|l| l.len() <= 79));
    }

    #[test]
    fn errors_name_the_culprit() {
        assert_eq!(err(&["--foo"]), "mptcpd: unrecognized option '--foo'");
        assert_eq!(err(&["-x"]), "mptcpd: invalid option -- 'x'");
        assert_eq!(
            err(&["--log"]),
            "mptcpd: option '--log' requires an argument"
        );
        assert_eq!(err(&["-l"]), "mptcpd: option '--log' requires an argument");
        assert_eq!(err(&["extra"]), "mptcpd: Too many arguments");
        assert_eq!(
            err(&["--log=foo"]),
            "mptcpd: Unknown logging option: \"foo\""
        );
        assert_eq!(err(&["--log="]), "mptcpd: Unknown logging option: \"\"");
        assert!(err(&["--plugin-dir="]).contains("Empty plugin directory"));
        assert!(err(&["--path-manager="]).contains("Empty default path manager"));
        assert!(err(&["--load-plugins=,"]).contains("Empty load plugins"));
        assert!(err(&["--debug=1"]).contains("'--debug' doesn't allow an argument"));
        assert!(err(&["--config="]).contains("Empty config file"));
    }

    #[test]
    fn flag_lists_rejected_whole() {
        let e = err(&["--addr-flags=subflow,bogus"]);
        assert!(e.contains("--addr-flags") && e.contains("\"bogus\""), "{e}");
        let e = err(&["--notify-flags=existing,skip_lo"]);
        assert!(
            e.contains("--notify-flags") && e.contains("\"skip_lo\""),
            "{e}"
        );
        let e = err(&["--addr-flags=signal,fullmesh"]);
        assert!(e.contains("signal and fullmesh"), "{e}");
        assert_eq!(
            opts(&["--addr-flags="]).addr_flags,
            Some(AddrFlags::empty())
        );
    }

    #[test]
    fn status_option() {
        use crate::control::Format;
        assert_eq!(run(&["--status"]), Ok(Cli::Status(Format::Text)));
        assert_eq!(run(&["--status=json"]), Ok(Cli::Status(Format::Json)));
        assert_eq!(run(&["--stat=text"]), Ok(Cli::Status(Format::Text)));
        assert!(err(&["--status=yaml"]).contains("\"yaml\""));
    }

    #[test]
    fn last_one_wins() {
        let o = opts(&[
            "--path-manager=sspi",
            "--path-manager=addr_adv",
            "-lnull",
            "-lsyslog",
        ]);
        assert_eq!(o.path_manager.as_deref(), Some("addr_adv"));
        assert_eq!(o.log, Some(LogDest::Syslog));
    }
}
