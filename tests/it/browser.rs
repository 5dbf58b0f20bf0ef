//! The report as a person sees it: rendered by headless Chromium, screenshotted (not blank),
//! laid out without anything wider than its column, the answer table first and in the first
//! 1366×768 viewport, a table of contents whose links all land, folded sections, a hover
//! title on every chart point, and nothing fetched from the network. Skips, saying why, where Chromium is
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
        "--window-size=1366,768",
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
            r#"<!doctype html><body><iframe id="r" src="file://{}" style="width:1366px;height:768px"></iframe>
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
  const first = d.querySelector('table');
  const rows = first ? first.tBodies[0].rows : [];
  const answer = !!first && first.classList.contains('answer') && rows.length > 0
    && rows[0].getBoundingClientRect().bottom <= 768;
  const links = [...d.querySelectorAll('nav.toc a')];
  const dead = links.filter(a => !d.getElementById(a.getAttribute('href').slice(1))).map(a => a.getAttribute('href'));
  const svgs = [...d.querySelectorAll('figure svg')];
  const bare = svgs.filter(g => !g.querySelector('title')).length;
  const remote = performance.getEntriesByType('resource').length + d.defaultView.performance.getEntriesByType('resource').length;
  document.getElementById('out').textContent = 'overflow:' + JSON.stringify(bad)
    + ':answer-first-in-view:' + answer + ':details:' + d.querySelectorAll('details').length
    + ':toc:' + links.length + ':dead:' + JSON.stringify(dead) + ':charts:' + svgs.length
    + ':bare-charts:' + bare + ':fetches:' + remote + ':sections:' + d.querySelectorAll('section').length;
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
    let field = |name: &str| {
        verdict.split(&format!(":{name}:")).nth(1).and_then(|s| s.split(':').next()).unwrap_or("")
    };
    assert_eq!(field("answer-first-in-view"), "true", "answer table not first in view: {verdict}");
    assert!(field("details").parse::<usize>().unwrap_or(0) >= 1, "nothing folded: {verdict}");
    assert!(field("toc").parse::<usize>().unwrap_or(0) >= 3, "no table of contents: {verdict}");
    assert_eq!(field("dead"), "[]", "contents links without a target: {verdict}");
    assert!(field("charts").parse::<usize>().unwrap_or(0) >= 2, "charts missing: {verdict}");
    assert_eq!(field("bare-charts"), "0", "charts without hover titles: {verdict}");
    assert_eq!(field("fetches"), "0", "the report fetched something: {verdict}");
    let sections: usize =
        verdict.rsplit(":sections:").next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(sections >= 3, "too few sections rendered: {verdict}");
}
