//! `gilbench completions SHELL` and `gilbench man`: shell completions (clap_complete) and the
//! man page (clap_mangen), both generated from the command-line definition, on stdout. The
//! internal subcommands (worker processes and peers gilbench starts itself) are left out.

use std::io::Write;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, EXIT_OK};

/// The command line without its hidden subcommands.
fn public_command() -> clap::Command {
    let full = Cli::command();
    let visible: Vec<clap::Command> =
        full.get_subcommands().filter(|c| !c.is_hide_set()).cloned().collect();
    let mut cmd = clap::Command::new("gilbench")
        .about(full.get_about().cloned().unwrap_or_default())
        .version(env!("CARGO_PKG_VERSION"))
        .after_help(full.get_after_help().cloned().unwrap_or_default())
        .subcommands(visible);
    for arg in full.get_arguments() {
        cmd = cmd.arg(arg.clone());
    }
    cmd
}

/// Writes the completion script for `shell` to stdout.
pub(crate) fn completions(shell: Shell) -> Result<u8> {
    clap_complete::generate(shell, &mut public_command(), "gilbench", &mut std::io::stdout());
    Ok(EXIT_OK)
}

/// Writes the man page (roff) to stdout: the command, then a subsection per subcommand with
/// its synopsis, options and examples.
pub(crate) fn man() -> Result<u8> {
    let mut cmd = public_command();
    cmd.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page).context("rendering the man page")?;
    for sub in cmd.get_subcommands().filter(|c| c.get_name() != "help") {
        let man = clap_mangen::Man::new(sub.clone());
        let mut part = Vec::new();
        writeln!(part, ".SH \"GILBENCH {}\"", sub.get_name().to_uppercase())?;
        man.render_description_section(&mut part)?;
        man.render_synopsis_section(&mut part)?;
        man.render_options_section(&mut part)?;
        man.render_extra_section(&mut part)?;
        let part = String::from_utf8_lossy(&part);
        // The subcommand's own sections become subsections of its section.
        let mut lines = part.lines();
        if let Some(head) = lines.next() {
            writeln!(page, "{head}")?;
        }
        for line in lines {
            match line.strip_prefix(".SH ") {
                Some(title) => writeln!(page, ".SS {title}")?,
                None => writeln!(page, "{line}")?,
            }
        }
    }
    std::io::stdout().write_all(&page).context("writing the man page")?;
    Ok(EXIT_OK)
}
