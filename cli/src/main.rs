//! `kubeplay`: runs kubectl-style scripts against the simulated cluster.

use kubeplay_core::kubectl::{script, FileSource};
use kubeplay_core::World;
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "kubeplay — a simulated Kubernetes cluster

Usage:
  kubeplay run FILE|- [--seed N] [--empty] [--echo]
      Start the default cluster (control-plane, worker-1, worker-2; --empty for no nodes)
      and run FILE one command per line (`#` comments, `<<EOF` here-documents).
      Output goes to standard output, errors to standard error; the exit code is 1 if any
      command failed. --echo prints each command before its output.
  kubeplay help
      Show this text and the commands scripts can use.
";

/// Reads files relative to the working directory for `apply -f PATH`.
struct Disk;

impl FileSource for Disk {
    fn read(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| format!("the path {path:?} cannot be read: {e}"))
    }
}

struct Options {
    file: String,
    seed: u64,
    empty: bool,
    echo: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        file: String::new(),
        seed: 1,
        empty: false,
        echo: false,
    };
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        match a.as_str() {
            "--empty" => o.empty = true,
            "--echo" => o.echo = true,
            "--seed" => {
                let v = args.get(i).ok_or("--seed needs a number")?;
                i += 1;
                o.seed = v
                    .parse()
                    .map_err(|_| format!("--seed: {v:?} is not a number"))?;
            }
            s if s.starts_with("--seed=") => {
                o.seed = s[7..]
                    .parse()
                    .map_err(|_| format!("--seed: {:?} is not a number", &s[7..]))?
            }
            s if s.starts_with("--") => return Err(format!("unknown flag {s}")),
            s if o.file.is_empty() => o.file = s.to_string(),
            s => return Err(format!("unexpected argument {s:?}")),
        }
    }
    if o.file.is_empty() {
        return Err("run needs a script file (or - for standard input)".into());
    }
    Ok(o)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => {}
        Some("help") | Some("--help") | Some("-h") | None => {
            print!("{USAGE}\n{}", kubeplay_core::kubectl::HELP);
            return if args.is_empty() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
        Some("--version") | Some("version") => {
            println!("kubeplay {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("kubeplay: unknown command {other:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let opts = match parse(&args[1..]) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("kubeplay: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let text = if opts.file == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("kubeplay: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        s
    } else {
        match std::fs::read_to_string(&opts.file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kubeplay: cannot read {}: {e}", opts.file);
                return ExitCode::from(2);
            }
        }
    };
    let mut world = if opts.empty {
        World::empty(opts.seed)
    } else {
        World::new(opts.seed)
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let result = script::run_script(&mut world, &text, &Disk, |cmd, out| {
        let mut so = stdout.lock();
        if opts.echo {
            let _ = writeln!(so, "$ {}", cmd.text);
        }
        let _ = so.write_all(out.stdout.as_bytes());
        let _ = so.flush();
        let _ = stderr.lock().write_all(out.stderr.as_bytes());
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("kubeplay: {}: {e}", opts.file);
            ExitCode::from(2)
        }
    }
}
