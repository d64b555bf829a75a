//! `kubeplay`: runs kubectl-style scripts against the simulated cluster.

use kubeplay_core::kubectl::{script, FileSource};
use kubeplay_core::lesson::{builtin, progress, Lesson};
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
  kubeplay lesson list
      The built-in lessons, one per line: id and title.
  kubeplay lesson check LESSON --run SCRIPT|-
      Grade a solution: start LESSON's cluster (a built-in lesson's id, or a lesson file),
      run SCRIPT, evaluating the lesson's checks after every command and once more after
      the cluster settles, and print a JSON report of which steps and checks passed and
      when. Exit code 0 if every step passed, 1 if not, 2 if the lesson or script is bad.
  kubeplay lesson validate FILE
      Check a lesson file; problems are printed with their line, column and field.
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
        Some("lesson") => return lesson(&args[1..]),
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

/// Reads a file, or standard input for `-`.
fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

/// A lesson by file path, or else by built-in id.
fn load_lesson(which: &str) -> Result<Lesson, String> {
    if std::path::Path::new(which).is_file() {
        let text = read_input(which)?;
        return Lesson::parse(&text).map_err(|e| format!("{which}:\n{e}"));
    }
    builtin::find(which).ok_or_else(|| {
        let ids: Vec<&str> = builtin::SOURCES.iter().map(|(id, _)| *id).collect();
        format!(
            "no lesson file or built-in lesson {which:?} (built-in: {})",
            ids.join(", ")
        )
    })
}

fn lesson(args: &[String]) -> ExitCode {
    let fail = |e: String| {
        eprintln!("kubeplay lesson: {e}");
        ExitCode::from(2)
    };
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["list"] => {
            for l in builtin::all() {
                println!("{}\t{}", l.id, l.title);
            }
            ExitCode::SUCCESS
        }
        ["validate", file] => match read_input(file) {
            Err(e) => fail(e),
            Ok(text) => match Lesson::parse(&text) {
                Ok(l) => {
                    println!(
                        "{file}: lesson {:?} is valid ({} steps, {} checks)",
                        l.id,
                        l.steps.len(),
                        l.steps.iter().map(|s| s.checks.len()).sum::<usize>()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format!("{file}:\n{e}")),
            },
        },
        ["check", which, "--run", script] => {
            let lesson = match load_lesson(which) {
                Ok(l) => l,
                Err(e) => return fail(e),
            };
            let text = match read_input(script) {
                Ok(t) => t,
                Err(e) => return fail(e),
            };
            match progress::grade(&lesson, &text) {
                Ok(report) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&report).expect("a report serializes")
                    );
                    if report.passed {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => fail(format!("{script}: {e}")),
            }
        }
        ["check", which, run] if run.starts_with("--run=") => lesson(&[
            "check".to_string(),
            which.to_string(),
            "--run".to_string(),
            run["--run=".len()..].to_string(),
        ]),
        _ => {
            eprintln!("kubeplay lesson: expected `list`, `check LESSON --run SCRIPT` or `validate FILE`\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
