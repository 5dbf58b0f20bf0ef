//! Build script: records the rustc version and the git revision gilbench is built from, as
//! `GILBENCH_RUSTC_VERSION` and `GILBENCH_GIT_REV`, for the machine fingerprint.
//!
//! It never fails: without git, or outside a repository, the revision is empty. It asks cargo to
//! rerun it only when the toolchain, the checked-out commit (HEAD and the branch it points to)
//! or the `GILBENCH_GIT_REV` override change, so ordinary edits do not rerun it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GILBENCH_GIT_REV");
    println!("cargo:rerun-if-env-changed=RUSTC");

    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = output(Command::new(rustc).arg("--version"))
        .filter(|v| v.starts_with("rustc"))
        .unwrap_or_else(|| "rustc (unknown version)".into());
    println!("cargo:rustc-env=GILBENCH_RUSTC_VERSION={version}");

    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let rev = match std::env::var("GILBENCH_GIT_REV") {
        Ok(rev) => rev.trim().to_string(),
        Err(_) => git_rev(&manifest).unwrap_or_default(),
    };
    println!("cargo:rustc-env=GILBENCH_GIT_REV={rev}");
}

/// The short HEAD revision, registering the files whose change means a new revision.
fn git_rev(manifest: &Path) -> Option<String> {
    let git = |args: &[&str]| output(Command::new("git").arg("-C").arg(manifest).args(args));
    let git_dir = absolute(manifest, &git(&["rev-parse", "--git-dir"])?);
    let common_dir = git(&["rev-parse", "--git-common-dir"])
        .map(|d| absolute(manifest, &d))
        .unwrap_or_else(|| git_dir.clone());
    watch(&git_dir.join("HEAD"));
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch(&common_dir.join(&branch));
        watch(&common_dir.join("packed-refs"));
    }
    git(&["rev-parse", "--short=12", "HEAD"])
}

/// Registers `path` for `rerun-if-changed` if it exists (a missing path would rerun every build).
fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn absolute(base: &Path, path: &str) -> PathBuf {
    let p = PathBuf::from(path);
    if p.is_absolute() { p } else { base.join(p) }
}

/// Trimmed stdout of a successful command, `None` on any failure or empty output.
fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    if text.is_empty() { None } else { Some(text) }
}
