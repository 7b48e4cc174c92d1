// SPDX-License-Identifier: BSD-3-Clause
//! mptcpd: parse the command line and the config file, check the kernel,
//! then hand over to the event loop. Every way out is a named exit code.

use std::ffi::OsString;

use mptcpd::cli::{self, Cli};
use mptcpd::exit::{EX_OK, EX_USAGE, EXIT_FAILURE};
use mptcpd::signals::Signals;
use mptcpd::{config, event_loop, logging, startup};

fn main() {
    std::process::exit(run());
}

fn run() -> i32 {
    logging::init();
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let argv0 = match args.first() {
        Some(a) => a.to_string_lossy().into_owned(),
        None => "mptcpd".to_owned(),
    };
    if !args.is_empty() {
        args.remove(0);
    }
    let opts = match cli::parse(&argv0, args) {
        Ok(Cli::Run(o)) => o,
        Ok(Cli::Help) => return print(&cli::help_text(mptcpd::policy::COMPILED_IN)),
        Ok(Cli::Usage) => return print(&cli::usage_text()),
        Ok(Cli::Version) => return print(&cli::version_text()),
        Ok(Cli::Status(format)) => return status(format),
        Err(e) => {
            eprintln!("{e}");
            eprintln!("{}", cli::try_help(&argv0));
            return EX_USAGE;
        }
    };

    // Before any socket exists, so that an early SIGTERM is queued for
    // the loop rather than killing a half-started daemon.
    let signals = match Signals::block() {
        Ok(s) => s,
        Err(e) => {
            log::error!("cannot set up signal handling: {e}");
            return EXIT_FAILURE;
        }
    };

    // Problems found while reading the configuration go to stderr: the
    // configured destination is only known once it has been read.
    let (config, warnings) = match config::load_effective(&opts) {
        Ok(c) => c,
        Err(e) => {
            log::error!("{e}");
            return e.exit_code();
        }
    };
    for w in &warnings {
        log::warn!("{w}");
    }
    if let Some(w) = logging::configure(config.log, config.debug) {
        log::warn!("{w}");
    }
    log::debug!("effective configuration: {config:?}");
    if let Some(dir) = &config.plugin_dir {
        log::info!("plugin-dir {dir} has no effect: policies are compiled in");
    }
    let policy = match config.policy_name(mptcpd::policy::COMPILED_IN) {
        Ok(p) => p,
        Err(e) => {
            log::error!("{e}");
            return EXIT_FAILURE;
        }
    };
    if let Err(lines) = startup::check_mptcp_enabled(startup::MPTCP_ENABLED_SYSCTL.as_ref()) {
        for l in lines {
            log::error!("{l}");
        }
        return EXIT_FAILURE;
    }
    event_loop::run(opts, config, policy, signals)
}

/// `--status`: ask the daemon of this network namespace.
fn status(format: mptcpd::control::Format) -> i32 {
    match mptcpd::control::query(format) {
        Ok(report) if report.starts_with("error:") => {
            eprint!("mptcpd: {report}");
            EXIT_FAILURE
        }
        Ok(report) => print(&report),
        Err(e) => {
            eprintln!("mptcpd: no running mptcpd answers in this network namespace: {e}");
            EXIT_FAILURE
        }
    }
}

fn print(text: &str) -> i32 {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return EXIT_FAILURE;
    }
    EX_OK
}
