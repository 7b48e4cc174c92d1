// SPDX-License-Identifier: BSD-3-Clause
use super::*;

fn p(text: &str) -> Result<(FileConfig, Vec<String>), ConfigError> {
    parse_str(text, Path::new("/etc/mptcpd/mptcpd.conf"))
}

fn invalid_at(text: &str) -> (usize, String) {
    match p(text) {
        Err(ConfigError::Invalid { line, msg, .. }) => (line, msg),
        other => panic!("expected an error for {text:?}, got {other:?}"),
    }
}

#[test]
fn all_core_keys() {
    let (c, w) = p(
        "# comment\n\n[core]\nlog=syslog\nplugin-dir = /usr/lib/mptcpd \n\
        path-manager=sspi\naddr-flags=subflow,backup\nnotify-flags=existing,skip_loopback\n\
        load-plugins=sspi, addr_adv\nunlisted-interfaces=ignore\n",
    )
    .unwrap();
    assert!(w.is_empty());
    assert_eq!(c.log, Some(LogDest::Syslog));
    // Trailing blanks are dropped (mptcpd kept them and failed later).
    assert_eq!(c.plugin_dir.as_deref(), Some("/usr/lib/mptcpd"));
    assert_eq!(c.path_manager.as_deref(), Some("sspi"));
    assert_eq!(c.addr_flags, Some(AddrFlags::SUBFLOW | AddrFlags::BACKUP));
    assert_eq!(
        c.notify_flags,
        Some(NotifyFlags::EXISTING | NotifyFlags::SKIP_LOOPBACK)
    );
    assert_eq!(c.load_plugins, Some(vec!["sspi".into(), "addr_adv".into()]));
    assert_eq!(c.unlisted, Some(Unlisted::Ignore));
}

#[test]
fn errors_carry_line_numbers() {
    assert_eq!(invalid_at("[core]\nlog=syslog\nthis is not ini\n").0, 3);
    let (line, msg) = invalid_at("[core]\n\nlog=sylog\n");
    assert_eq!(line, 3);
    assert!(msg.contains("sylog"), "{msg}");
    let (line, msg) = invalid_at("[core]\naddr-flags=subflow,bogus\n");
    assert_eq!(line, 2);
    assert!(msg.contains("\"bogus\""), "{msg}");
    assert_eq!(invalid_at("log=stderr\n").0, 1);
    assert_eq!(invalid_at("[core\n").0, 1);
    assert_eq!(invalid_at("[core]\npath-manager=\n").0, 2);
    assert!(
        invalid_at("[core]\naddr-flags=signal,fullmesh\n")
            .1
            .contains("fullmesh")
    );
    assert_eq!(invalid_at("[core]\n=x\n").0, 2);
}

#[test]
fn unknown_keys_and_groups_warn() {
    let (c, w) = p("[core]\nlog=null\nfoo=bar\n[other]\nx=y\n").unwrap();
    assert_eq!(c.log, Some(LogDest::Null));
    assert_eq!(w.len(), 2);
    assert!(w[0].contains(":3:") && w[0].contains("foo"), "{w:?}");
    assert!(w[1].contains(":4:") && w[1].contains("[other]"), "{w:?}");
}

#[test]
fn interface_groups() {
    let (c, w) = p(
        "[core]\nunlisted-interfaces=ignore\n[interface wan1]\naddr-flags=subflow\n\
        [interface wwan*]\naddr-flags=subflow,backup\n[interface br-lan]\nexclude=yes\n",
    )
    .unwrap();
    assert!(w.is_empty());
    assert_eq!(c.interfaces.len(), 3);
    assert_eq!(c.interfaces[1].pattern, "wwan*");
    assert_eq!(
        c.interfaces[1].addr_flags,
        Some(AddrFlags::SUBFLOW | AddrFlags::BACKUP)
    );
    assert!(c.interfaces[2].exclude);
    assert!(
        invalid_at("[interface eth[0-]\n")
            .1
            .contains("unterminated")
    );
    assert_eq!(invalid_at("[interface]\n").0, 1);
    assert_eq!(invalid_at("[interfaceeth0]\n").0, 1);
    assert_eq!(invalid_at("[interface a]\n[interface a]\n").0, 2);
    assert_eq!(invalid_at("[interface a]\nexclude=maybe\n").0, 2);
    assert!(
        invalid_at("[interface a]\naddr-flags=signal,fullmesh\n")
            .1
            .contains("signal and fullmesh")
    );
    let (_, w) = p("[interface a]\ncolour=blue\n").unwrap();
    assert!(w[0].contains(":2:") && w[0].contains("colour"));
}

#[test]
fn precedence_key_by_key() {
    let (file, _) = p(
        "[core]\nlog=syslog\naddr-flags=subflow\nnotify-flags=existing\n\
        path-manager=addr_adv\n",
    )
    .unwrap();
    let cli = CliOptions {
        log: Some(LogDest::Null),
        notify_flags: Some(NotifyFlags::CHECK_ROUTE),
        ..Default::default()
    };
    let c = merge(&cli, file);
    assert_eq!(c.log, LogDest::Null); // command line
    assert_eq!(c.notify_flags, NotifyFlags::CHECK_ROUTE); // command line
    assert_eq!(c.addr_flags, AddrFlags::SUBFLOW); // file
    assert_eq!(c.path_manager.as_deref(), Some("addr_adv")); // file
    assert_eq!(c.load_plugins, None); // default
    let d = merge(&CliOptions::default(), FileConfig::default());
    assert_eq!(d.log, LogDest::Stderr);
    assert_eq!(d.addr_flags, AddrFlags::empty());
    assert_eq!(d.path, PathBuf::from(DEFAULT_CONFIG_PATH));
}

#[test]
fn empty_cli_flags_clear_the_file() {
    let (file, _) = p("[core]\naddr-flags=subflow\n").unwrap();
    let cli = CliOptions {
        addr_flags: Some(AddrFlags::empty()),
        ..Default::default()
    };
    assert_eq!(merge(&cli, file).addr_flags, AddrFlags::empty());
}

#[test]
fn change_description() {
    let a = merge(&CliOptions::default(), FileConfig::default());
    let mut b = a.clone();
    b.log = LogDest::Syslog;
    b.addr_flags = AddrFlags::SUBFLOW;
    let d = a.describe_changes(&b);
    assert_eq!(d, vec!["log: stderr -> syslog", "addr-flags:  -> subflow"]);
    b.rules.rules.push(IfaceRule {
        pattern: "wwan*".into(),
        exclude: false,
        addr_flags: Some(AddrFlags::SUBFLOW | AddrFlags::BACKUP),
    });
    let d = a.describe_changes(&b);
    assert_eq!(
        d[2],
        "interface rules: none -> [interface wwan*] addr-flags=subflow,backup"
    );
}

#[test]
fn policy_selection() {
    let compiled = ["addr_adv", "sspi"];
    let mut c = merge(&CliOptions::default(), FileConfig::default());
    assert_eq!(c.policy_name(&compiled), Ok("addr_adv"));
    c.path_manager = Some("sspi".into());
    assert_eq!(c.policy_name(&compiled), Ok("sspi"));
    c.path_manager = Some("zzz".into());
    let e = c.policy_name(&compiled).unwrap_err();
    assert!(e.contains("\"zzz\"") && e.contains("addr_adv, sspi"), "{e}");
    c.path_manager = None;
    c.load_plugins = Some(vec!["sspi".into()]);
    assert_eq!(c.policy_name(&compiled), Ok("sspi"));
    c.path_manager = Some("addr_adv".into());
    assert!(c.policy_name(&compiled).unwrap_err().contains("not listed"));
    c.load_plugins = Some(vec!["ndiffports".into()]);
    assert!(
        c.policy_name(&compiled)
            .unwrap_err()
            .contains("\"ndiffports\"")
    );
}

#[test]
fn sspi_group() {
    let (c, w) = p("[sspi]\nmax-connections=100\ncolour=red\n").unwrap();
    assert_eq!(c.max_connections, Some(100));
    assert!(w[0].contains(":3:") && w[0].contains("colour"));
    assert_eq!(invalid_at("[sspi]\nmax-connections=0\n").0, 2);
    assert_eq!(invalid_at("[sspi]\nmax-connections=lots\n").0, 2);
    let m = merge(&CliOptions::default(), c);
    assert_eq!(m.max_connections, Some(100));
}
