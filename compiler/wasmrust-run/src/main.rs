//! `wasmrust-run`: runs WasmRust components in wasmtime, for tests.
//!
//! `check COMPONENT SPEC...` calls the exports listed in the SPEC files, in
//! order and on one instance, and compares each result with the expected
//! value, reporting like libtest. Each SPEC line is
//!
//! ```text
//! INTERFACE CALL == EXPECTED
//! wasmrust:demo/text@0.1.0 reverse-words("a b") == "b a"
//! ```
//!
//! with CALL and EXPECTED in WAVE syntax (as `wasmtime run --invoke` takes).
//! Use `-` as INTERFACE for a function the world exports directly, and
//! `trap` as EXPECTED for a call that must trap (the next call then gets a
//! fresh instance, as a trapped instance cannot be entered again).
//! Resources are named handles: `let NAME = INTERFACE CALL` keeps the `own`
//! handle a call returns (a constructor, a static function), `$NAME` passes it
//! as an `own` or `borrow` argument, and `drop NAME` drops it (the
//! component's destructor runs):
//!
//! ```text
//! let key = wasmrust:resources/crypto@0.1.0 [constructor]key-pair("ed25519")
//! wasmrust:resources/crypto@0.1.0 [method]key-pair.algorithm($key) == "ed25519"
//! drop key
//! ```
//!
//! The components may import `wasmrust:test-host/host` ([`test_host`]) and
//! WASI 0.2; their stdout is captured for `host.stdout-text`. With
//! `--wasi-only` the host provides WASI 0.2 alone, so a component still
//! importing anything else (say, a composition that left `wasmrust:test-host`
//! unsatisfied) fails to instantiate.
//! `test MODULE --runtime wasmtime|wasmi` runs a `wasm_test` module's tests.
//! `invoke COMPONENT INTERFACE CALL` prints one call's result; `run COMPONENT
//! ARGS...` runs a command component (`wasi:cli/run`) with stdio inherited.

mod externref;
mod harness;
mod host;
mod test;
mod test_host;
mod threads;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use host::Host;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wasmtime::component::{Component, Instance, Linker, ResourceAny, Val};
use wasmtime::{Engine, Store};
use wasmtime_wasi::WasiCtx;

#[derive(Parser)]
#[command(name = "wasmrust-run", about = "Run WasmRust components in wasmtime")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Call the exports listed in spec files (in order, on one instance) and check their results.
    Check {
        component: PathBuf,
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// Provide WASI 0.2 only (not `wasmrust:test-host` nor the externref table).
        #[arg(long)]
        wasi_only: bool,
    },
    /// Call one export and print its result in WAVE syntax.
    Invoke {
        component: PathBuf,
        interface: String,
        call: String,
    },
    /// Run the tests of a `wasm_test` module; report like libtest, exit 101 on failure.
    Test {
        module: PathBuf,
        /// wasmtime (test components, and threaded core modules on host threads) or wasmi (core modules).
        #[arg(long, value_enum)]
        runtime: test::Runtime,
        /// The module's target: validate it against that target's features first.
        #[arg(long)]
        target: Option<wasmrust::flags::Target>,
        #[command(flatten)]
        selection: test::Selection,
    },
    /// Run a command component (`wasi:cli/run`) with ARGS, stdio inherited; exit with its status.
    Run {
        component: PathBuf,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Check that this binary was built from the given sources, and copy it to -o
    /// (the runner tests use); fail naming each file that differs.
    CheckSources(wasmrust::sources::CheckArgs),
}

/// The manifest of the sources this `wasmrust-run` was built from (build.rs).
const SOURCES: &str = include_str!(concat!(env!("OUT_DIR"), "/sources.manifest"));

struct Runner {
    store: Store<Host>,
    instance: Instance,
    /// The resource handles `let` lines named.
    handles: BTreeMap<String, ResourceAny>,
}

/// Runs the command component at `path`; returns whether `run` succeeded.
fn run_command(path: &Path, args: &[String]) -> Result<bool> {
    let (engine, component, linker) = load(path, false)?;
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut argv = vec![name];
    argv.extend(args.iter().cloned());
    let wasi = WasiCtx::builder().inherit_stdio().args(&argv).build();
    let mut store = Store::new(&engine, Host::new(wasi));
    let command =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, &linker)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("`{}` is not a runnable command component", path.display()))?;
    let result = command
        .wasi_cli_run()
        .call_run(&mut store)
        .map_err(anyhow::Error::from)?;
    Ok(result.is_ok())
}

/// The component at `path`, with WASI 0.2 and, unless `wasi_only`, the
/// externref table and `wasmrust:test-host`.
fn load(path: &Path, wasi_only: bool) -> Result<(Engine, Component, Linker<Host>)> {
    let caps = host::Capabilities {
        externref: !wasi_only,
        test_host: !wasi_only,
        report_panic: false,
    };
    host::load(path, "component", caps)
}

impl Runner {
    fn new(path: &Path, wasi_only: bool) -> Result<Self> {
        let (engine, component, linker) = load(path, wasi_only)?;
        let stdout = wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(1 << 20);
        let wasi = WasiCtx::builder()
            .inherit_stderr()
            .stdout(stdout.clone())
            .build();
        let mut host = Host::new(wasi);
        host.test_host.stdout = Some(stdout);
        let mut store = Store::new(&engine, host);
        let instance = linker
            .instantiate(&mut store, &component)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("failed to instantiate `{}`", path.display()))?;
        Ok(Runner {
            store,
            instance,
            handles: BTreeMap::new(),
        })
    }

    /// Calls `interface`'s function as `call` says; returns its results.
    fn call(
        &mut self,
        interface: &str,
        call: &str,
    ) -> Result<(Vec<Val>, Vec<wasmtime::component::Type>)> {
        let (name, args) = split_call(call)?;
        let parent = if interface == "-" {
            None
        } else {
            Some(
                self.instance
                    .get_export_index(&mut self.store, None, interface)
                    .ok_or_else(|| anyhow!("the component exports no interface `{interface}`"))?,
            )
        };
        let index = self
            .instance
            .get_export_index(&mut self.store, parent.as_ref(), name)
            .ok_or_else(|| anyhow!("`{interface}` exports no function `{name}`"))?;
        let func = self
            .instance
            .get_func(&mut self.store, index)
            .ok_or_else(|| anyhow!("`{interface}#{name}` is not a function"))?;
        let ty = func.ty(&self.store);
        let param_types: Vec<_> = ty.params().map(|(_, t)| t).collect();
        let result_types: Vec<_> = ty.results().collect();
        if args.len() != param_types.len() {
            bail!(
                "`{call}` passes {} arguments, but `{name}` takes {}",
                args.len(),
                param_types.len()
            );
        }
        let params = args
            .iter()
            .zip(&param_types)
            .map(|(arg, ty)| self.arg(arg, ty))
            .collect::<Result<Vec<Val>>>()
            .with_context(|| format!("arguments of `{call}` do not match the signature"))?;
        let mut results = vec![Val::Bool(false); result_types.len()];
        func.call(&mut self.store, &params, &mut results)?;
        Ok((results, result_types))
    }

    /// One argument: `$NAME` for a handle, else a WAVE value of type `ty`.
    fn arg(&self, arg: &str, ty: &wasmtime::component::Type) -> Result<Val> {
        match arg.strip_prefix('$') {
            Some(handle) => self
                .handles
                .get(handle)
                .map(|r| Val::Resource(*r))
                .ok_or_else(|| anyhow!("no handle `{handle}`: name it with a `let` line first")),
            None => wasm_wave::from_str(ty, arg).map_err(|e| anyhow!("`{arg}`: {e}")),
        }
    }

    /// `let NAME = INTERFACE CALL`: keeps the handle CALL returns as NAME.
    fn bind(&mut self, name: &str, interface: &str, call: &str) -> Result<()> {
        let (got, _) = self.call(interface, call)?;
        let [Val::Resource(handle)] = got.as_slice() else {
            bail!(
                "`let` takes a call that returns one resource, got {}",
                show(&got)?
            )
        };
        self.handles.insert(name.to_owned(), *handle);
        Ok(())
    }

    /// `drop NAME`: drops the handle (the owner's destructor runs).
    fn drop_handle(&mut self, name: &str) -> Result<()> {
        let handle = self
            .handles
            .remove(name)
            .ok_or_else(|| anyhow!("no handle `{name}` to drop"))?;
        handle
            .resource_drop(&mut self.store)
            .map_err(anyhow::Error::from)
    }
}

/// `NAME(ARG, ...)`: the function name and its arguments' text, split at the
/// top-level commas (not those inside brackets, strings or chars).
fn split_call(call: &str) -> Result<(&str, Vec<&str>)> {
    let malformed = || anyhow!("cannot parse call `{call}`: expected `NAME(ARG, ...)`");
    let open = call.find('(').ok_or_else(malformed)?;
    let inner = call[open + 1..].strip_suffix(')').ok_or_else(malformed)?;
    let (mut args, mut depth, mut start) = (Vec::new(), 0usize, 0);
    let mut quote: Option<char> = None;
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.checked_sub(1).ok_or_else(malformed)?,
            (None, ',') if depth == 0 => {
                args.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() || depth != 0 {
        return Err(malformed());
    }
    let last = inner[start..].trim();
    if !last.is_empty() || !args.is_empty() {
        args.push(last);
    }
    Ok((call[..open].trim(), args))
}

/// `text` split at the first `sep`, or an error that a line has the form `form`.
fn split_once<'a>(text: &'a str, sep: &str, form: &str) -> Result<(&'a str, &'a str)> {
    text.split_once(sep)
        .ok_or_else(|| anyhow!("expected `{form}`"))
}

fn show(vals: &[Val]) -> Result<String> {
    let parts: Result<Vec<String>> = vals
        .iter()
        .map(|v| wasm_wave::to_string(v).map_err(|e| anyhow!("{e}")))
        .collect();
    Ok(parts?.join(", "))
}

/// `v` with every `flags` value's names sorted: a set of flags has no order,
/// but `Val`'s equality compares the lists.
fn sorted_flags(v: Val) -> Val {
    let boxed = |b: Option<Box<Val>>| b.map(|v| Box::new(sorted_flags(*v)));
    match v {
        Val::Flags(mut names) => {
            names.sort();
            Val::Flags(names)
        }
        Val::List(items) => Val::List(items.into_iter().map(sorted_flags).collect()),
        Val::Tuple(items) => Val::Tuple(items.into_iter().map(sorted_flags).collect()),
        Val::Record(fields) => Val::Record(
            fields
                .into_iter()
                .map(|(n, v)| (n, sorted_flags(v)))
                .collect(),
        ),
        Val::Variant(case, payload) => Val::Variant(case, boxed(payload)),
        Val::Option(payload) => Val::Option(boxed(payload)),
        Val::Result(Ok(payload)) => Val::Result(Ok(boxed(payload))),
        Val::Result(Err(payload)) => Val::Result(Err(boxed(payload))),
        other => other,
    }
}

/// Runs the calls of `specs`, in order, against one instance of `component`
/// (a new one after a trap); returns whether every answer was the expected one.
fn check(component: &Path, specs: &[PathBuf], wasi_only: bool) -> Result<bool> {
    let texts = specs
        .iter()
        .map(|spec| {
            std::fs::read_to_string(spec)
                .with_context(|| format!("failed to read `{}`", spec.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut cases: Vec<(String, usize, &str)> = Vec::new();
    for (spec, text) in specs.iter().zip(&texts) {
        let file = spec.file_name().unwrap_or_default().to_string_lossy();
        let before = cases.len();
        cases.extend(
            text.lines()
                .enumerate()
                .map(|(i, l)| (file.to_string(), i + 1, l.trim()))
                .filter(|(_, _, l)| !l.is_empty() && !l.starts_with('#')),
        );
        if cases.len() == before {
            bail!("`{}` lists no calls", spec.display());
        }
    }
    let mut runner = Runner::new(component, wasi_only)?;
    let mut trapped = false;
    println!("\nrunning {} tests", cases.len());
    let mut failures = Vec::new();
    for (file, line, case) in &cases {
        let outcome = (|| -> Result<()> {
            if let Some(name) = case.strip_prefix("drop ") {
                return runner.drop_handle(name.trim());
            }
            if let Some(binding) = case.strip_prefix("let ") {
                const FORM: &str = "let NAME = INTERFACE CALL";
                let (name, rest) = split_once(binding, " = ", FORM)?;
                let (interface, call) = split_once(rest, " ", FORM)?;
                return runner.bind(name.trim(), interface, call.trim());
            }
            const FORM: &str = "INTERFACE CALL == EXPECTED";
            let (interface, rest) = split_once(case, " ", FORM)?;
            let (call, expected) = split_once(rest, " == ", FORM)?;
            if std::mem::take(&mut trapped) {
                runner = Runner::new(component, wasi_only)?;
            }
            if expected.trim() == "trap" {
                return match runner.call(interface, call.trim()) {
                    Ok((got, _)) => bail!("expected a trap, got {}", show(&got)?),
                    Err(e) if e.downcast_ref::<wasmtime::Trap>().is_some() => {
                        trapped = true;
                        Ok(())
                    }
                    Err(e) => Err(e.context("expected a trap, got another error")),
                };
            }
            let (got, types) = runner.call(interface, call.trim())?;
            let [ty] = types.as_slice() else {
                bail!("only single-result functions can be checked")
            };
            let want: Val = wasm_wave::from_str(ty, expected.trim())
                .map_err(|e| anyhow!("cannot parse expected value: {e}"))?;
            if sorted_flags(got[0].clone()) != sorted_flags(want.clone()) {
                bail!("expected {}, got {}", show(&[want])?, show(&got)?);
            }
            Ok(())
        })();
        let name = format!(
            "{file}:{line} {}",
            case.split(" == ").next().unwrap_or(case)
        );
        match outcome {
            Ok(()) => println!("test {name} ... ok"),
            Err(e) => {
                println!("test {name} ... FAILED");
                failures.push((name, format!("{e:#}")));
            }
        }
    }
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, why) in &failures {
            println!("---- {name} ----\n{why}\n");
        }
    }
    let passed = cases.len() - failures.len();
    let status = if failures.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {status}. {passed} passed; {} failed; 0 ignored; 0 measured; 0 filtered out\n",
        failures.len()
    );
    Ok(failures.is_empty())
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::CheckSources(args) => wasmrust::sources::check("wasmrust-run", SOURCES, &args)?,
        Command::Check {
            component,
            specs,
            wasi_only,
        } => {
            if !check(&component, &specs, wasi_only)? {
                std::process::exit(101);
            }
        }
        Command::Invoke {
            component,
            interface,
            call,
        } => {
            let (results, _) = Runner::new(&component, false)?.call(&interface, &call)?;
            println!("{}", show(&results)?);
        }
        Command::Test {
            module,
            runtime,
            target,
            selection,
        } => {
            if !test::run(&module, runtime, target, selection)? {
                std::process::exit(101);
            }
        }
        Command::Run { component, args } => {
            if !run_command(&component, &args)? {
                std::process::exit(1);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_call;

    #[test]
    fn split_call_keeps_nested_commas_and_quotes() {
        let (name, args) =
            split_call(r#"[method]k.sign($key, [1, 2], "a, \"b\")", ',', {x: (1, 2)})"#).unwrap();
        assert_eq!(name, "[method]k.sign");
        assert_eq!(
            args,
            ["$key", "[1, 2]", r#""a, \"b\")""#, "','", "{x: (1, 2)}"]
        );
        assert_eq!(split_call("live-keys()").unwrap(), ("live-keys", vec![]));
        for bad in ["f(", "f", "f([1, 2)", r#"f("x)"#] {
            assert!(split_call(bad).is_err(), "{bad}");
        }
    }
}
