//! The report as a person sees it: rendered by headless Chromium, screenshotted (not blank),
//! and laid out without anything wider than its column. Skips, saying why, where Chromium is
//! not installed (`.ci/run` installs Debian's `chromium`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{exe, shared};

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        let out = Command::new("which").arg(name).output().ok()?;
        out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    })
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--allow-file-access-from-files",
        "--window-size=1280,2400",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn the_report_renders_and_nothing_overflows_its_column() {
    let _machine = shared();
    let Some(browser) = chromium() else {
        crate::skip::skip("no chromium on this machine (apt-get install chromium)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scenarios/tiny.toml");
    let run = tmp.path().join("run");
    let o = Command::new(exe())
        .args(["run", scenario.to_str().unwrap(), "--no-wait", "--out"])
        .arg(&run)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let index = run.join("index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    for fetch in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(fetch), "the report fetches something from the network: {fetch}");
    }

    let shot = tmp.path().join("report.png");
    let o = headless(&browser, &tmp.path().join("profile-a"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", index.display()))
        .output()
        .unwrap();
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 30_000,
        "screenshot is {size} bytes: blank? {}",
        String::from_utf8_lossy(&o.stderr)
    );

    // A wrapper page loads the report in a frame and measures every block against its parent.
    let probe = tmp.path().join("probe.html");
    std::fs::write(
        &probe,
        format!(
            r#"<!doctype html><body><iframe id="r" src="file://{}" style="width:1200px;height:2000px"></iframe>
<pre id="out">pending</pre>
<script>
document.getElementById('r').onload = () => {{
  const d = document.getElementById('r').contentDocument;
  const bad = [];
  if (d.documentElement.scrollWidth > d.documentElement.clientWidth + 1) bad.push('page ' + d.documentElement.scrollWidth);
  for (const el of d.querySelectorAll('main, section, table, figure, svg, .card, p, ul')) {{
    const parent = el.parentElement;
    if (!parent) continue;
    const over = el.getBoundingClientRect().right - parent.getBoundingClientRect().right;
    if (over > 2) bad.push(el.tagName + (el.id ? '#' + el.id : '') + ' +' + Math.round(over) + 'px');
  }}
  document.getElementById('out').textContent = 'overflow:' + JSON.stringify(bad) + ':sections:' + d.querySelectorAll('section').length;
}};
</script></body>"#,
            index.display()
        ),
    )
    .unwrap();
    let o = headless(&browser, &tmp.path().join("profile-b"))
        .args(["--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("file://{}", probe.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    let verdict = dom
        .split("<pre id=\"out\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or("")
        .to_string();
    assert!(verdict.starts_with("overflow:[]"), "layout problems: {verdict}");
    let sections: usize =
        verdict.rsplit(":sections:").next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(sections >= 3, "too few sections rendered: {verdict}");
}
