//! The `yusuan` binary: parses the command line and runs it.

use clap::Parser;

fn main() {
    let cli = yusuan::cli::Cli::parse();
    std::process::exit(yusuan::cli::run(cli));
}
