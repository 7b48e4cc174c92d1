// SPDX-License-Identifier: BSD-3-Clause
//! Start-up checks of the environment, with mptcpd's messages.

use std::path::Path;

/// Per network namespace: the one of the process reading it.
pub const MPTCP_ENABLED_SYSCTL: &str = "/proc/sys/net/mptcp/enabled";

/// Fails with the lines to log when MPTCP cannot be used. mptcpd never
/// writes the sysctl; neither do we (it is the administrator's choice).
pub fn check_mptcp_enabled(path: &Path) -> Result<(), Vec<String>> {
    let fail = |first: String| {
        let mut v = vec![first];
        v.push("Required kernel MPTCP support not available.".to_owned());
        Err(v)
    };
    match std::fs::read_to_string(path) {
        Ok(s) => match s.trim() {
            "0" => fail(
                "MPTCP is not enabled in the kernel. Try 'sysctl -w net.mptcp.enabled=1'.".into(),
            ),
            v if v.parse::<u32>().is_ok() => Ok(()),
            _ => fail("Unable to determine if MPTCP is enabled.".into()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fail(format!(
            "{}: not present: kernel without MPTCP support.",
            path.display()
        )),
        Err(_) => fail("Unable to determine if MPTCP is enabled.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(content: Option<&str>) -> Result<(), Vec<String>> {
        let dir = std::env::temp_dir().join(format!("mptcpd-startup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join(format!("enabled-{}", content.unwrap_or("missing").len()));
        let _ = std::fs::remove_file(&f);
        if let Some(c) = content {
            std::fs::write(&f, c).unwrap();
        }
        let r = check_mptcp_enabled(&f);
        let _ = std::fs::remove_file(&f);
        let _ = std::fs::remove_dir(&dir);
        r
    }

    #[test]
    fn enabled_values() {
        assert_eq!(with(Some("1\n")), Ok(()));
        let e = with(Some("0\n")).unwrap_err();
        assert!(e[0].contains("not enabled") && e[1].contains("not available"));
        assert!(with(None).unwrap_err()[0].contains("without MPTCP"));
        assert!(with(Some("garbage")).unwrap_err()[0].contains("Unable to determine"));
    }
}
