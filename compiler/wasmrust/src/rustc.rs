//! Runs rustc for one crate, as one Bazel action.

use crate::flags::{self, Invocation};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// Runs `rustc` with the policy flags for `inv`. rustc's diagnostics are
/// passed through unchanged; a failed compile returns an error naming the
/// crate (followed by `context`, which Bazel supplies: e.g. which
/// third-party crate this is and who needs it), and a link that runs out of
/// the declared memory says so in WasmRust's terms (the setting to change
/// and the figures).
pub fn run(
    rustc: &Path,
    inv: &Invocation,
    extra_env: &[(String, String)],
    library_path: Option<&str>,
    context: Option<&str>,
) -> Result<()> {
    let args = flags::rustc_args(inv)?;
    let env = flags::rustc_env(inv, extra_env, library_path);
    let mut cmd = Command::new(rustc);
    cmd.args(&args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)));
    if std::env::var_os("WASMRUST_VERBOSE").is_some() {
        eprintln!("wasmrust: {} {}", rustc.display(), args.join(" "));
    }
    let output = cmd.output().with_context(|| {
        format!(
            "failed to run rustc at `{}` (is the pinned toolchain installed?)",
            rustc.display()
        )
    })?;
    std::io::stdout().write_all(&output.stdout)?;
    std::io::stderr().write_all(
        without_expected_warnings(inv, &String::from_utf8_lossy(&output.stderr)).as_bytes(),
    )?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let context = context.map(|c| format!("; {c}")).unwrap_or_default();
        if let Some(why) = memory_explanation(inv, &stderr)
            .or_else(|| linear_explanation(inv, &stderr))
            .or_else(|| allocator_explanation(inv, &stderr))
        {
            bail!("{why}{context}");
        }
        bail!(
            "rustc failed to compile crate `{}` ({}) for {}{context}",
            inv.crate_name,
            inv.src,
            inv.target
        );
    }
    if !Path::new(&inv.out).exists() {
        bail!("rustc succeeded but wrote no `{}`", inv.out);
    }
    Ok(())
}

/// rustc's warning for the unstable `atomics` target feature, which threaded builds enable on
/// purpose (flags.rs `threads`): printed for every crate, it would bury real warnings.
const ATOMICS_WARNING: &str =
    "warning: unstable feature specified for `-Ctarget-feature`: `atomics`\n";

/// `stderr` without the warnings the toolchain causes on purpose, and with rustc's warning count
/// adjusted to match.
fn without_expected_warnings(inv: &Invocation, stderr: &str) -> String {
    let Some(start) = stderr
        .find(ATOMICS_WARNING)
        .filter(|_| inv.target_features.contains(&flags::WasmFeature::Atomics))
    else {
        return stderr.to_string();
    };
    // The warning runs to the first blank line after it.
    let end = stderr[start..]
        .find("\n\n")
        .map_or(stderr.len(), |e| start + e + 2);
    let rest = format!("{}{}", &stderr[..start], &stderr[end..]);
    let counted = |n: usize| {
        if n == 1 {
            "warning: 1 warning emitted\n".to_string()
        } else {
            format!("warning: {n} warnings emitted\n")
        }
    };
    if let Some(i) = rest.find(&counted(1)) {
        // The only warning was ours: drop the count and its blank line.
        let end = (i + counted(1).len() + 1).min(rest.len());
        return format!("{}{}", &rest[..i], &rest[end..]);
    }
    (2..1000)
        .find(|&n| rest.contains(&counted(n)))
        .map_or(rest.clone(), |n| {
            rest.replacen(&counted(n), &counted(n - 1), 1)
        })
}

/// The symbol `#[wasm::linear]` drop glue references in release builds, so
/// that dropping a value without consuming it fails the link.
const LINEAR_DROPPED: &str = "undefined symbol: wasmrust_linear_value_dropped__";

/// Turns the link error of a dropped `#[linear]` value into one naming the
/// type and what to do.
fn linear_explanation(inv: &Invocation, stderr: &str) -> Option<String> {
    let mut types: Vec<&str> = stderr
        .match_indices(LINEAR_DROPPED)
        .map(|(i, _)| {
            stderr[i + LINEAR_DROPPED.len()..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
        })
        .filter(|t| !t.is_empty())
        .collect();
    types.sort();
    types.dedup();
    if types.is_empty() {
        return None;
    }
    let names: Vec<String> = types.iter().map(|t| format!("`{t}`")).collect();
    Some(format!(
        "module `{}` ({}) drops a `#[linear]` value of type {} without consuming it (for {}); \
         pass it to one of its consuming methods on every path, or remove `#[linear]` from the type \
         (dev builds panic at the drop instead, naming the type)",
        inv.crate_name,
        inv.src,
        names.join(", "),
        inv.target
    ))
}

/// Turns rustc's error for two global allocators, when one of them is the
/// allocator crate the rules linked (`allocator = "heap"`, the browser
/// profile's default), into one saying how to keep the crate's own.
fn allocator_explanation(inv: &Invocation, stderr: &str) -> Option<String> {
    let (forced, _) = inv.forced_externs.iter().find(|(name, _)| {
        stderr.contains(&format!("conflicts with global allocator in: {name}"))
    })?;
    Some(format!(
        "crate `{}` ({}) declares its own `#[global_allocator]`, but the target also gets `wasm::alloc::Heap` \
         (crate `{forced}`) from its `allocator` attribute, `heap` by default on the browser profile; \
         set `allocator = \"default\"` on the target to keep the crate's own",
        inv.crate_name, inv.src
    ))
}

/// Turns wasm-ld's "memory too small" errors into one naming the module, the
/// limit it hit and how much it needed.
fn memory_explanation(inv: &Invocation, stderr: &str) -> Option<String> {
    let (setting, limit) = if stderr.contains("maximum memory too small") {
        ("max_memory", inv.memory.max)
    } else if stderr.contains("initial memory too small") {
        ("initial_memory", inv.memory.initial)
    } else {
        return None;
    };
    let needed = stderr
        .split("too small, ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok());
    let limit = limit.map_or("the default".to_string(), |l| {
        format!("{l} bytes ({} pages)", l / flags::PAGE)
    });
    let needed = needed.map_or("more".to_string(), |n| {
        format!("{n} bytes ({} pages)", n.div_ceil(flags::PAGE))
    });
    let stack = inv
        .memory
        .stack_size
        .map_or("rustc's default 1048576".to_string(), |s| s.to_string());
    Some(format!(
        "module `{}` ({}) does not fit its linear memory for {}: {setting} is {limit}, but its stack ({stack} bytes) and data need {needed}; \
         raise `{setting}` on the target, or lower `stack_size` or the data it holds",
        inv.crate_name, inv.src, inv.target
    ))
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::flags::{CrateKind, Memory, Mode, Target};

    fn firmware() -> Invocation {
        Invocation {
            target: Target::Wasm32v1None,
            mode: Mode::Release,
            kind: CrateKind::Cdylib,
            crate_name: "firmware".into(),
            edition: "2024".into(),
            src: "fw/lib.rs".into(),
            out: "fw.wasm".into(),
            release_opt_level: "z".into(),
            target_features: vec![],
            metadata: "m".into(),
            features: vec![],
            cfgs: vec![],
            check_cfgs: vec![],
            externs: vec![],
            forced_externs: vec![],
            dependency_dirs: vec![],
            sysroot: None,
            linker: None,
            library_root: None,
            cwd: "/x".into(),
            memory: Memory {
                stack_size: Some(16384),
                initial: None,
                max: Some(131072),
            },
            panic_messages: false,
            levers_off: vec![],
            release_iteration: false,
            incremental: None,
            user_flags: vec![],
        }
    }

    #[test]
    fn the_atomics_warning_is_dropped_from_threaded_builds_only() {
        let ours = "warning: unstable feature specified for `-Ctarget-feature`: `atomics`\n  |\n  = note: this feature is not stably supported; its behavior can change in the future\n\n";
        let other = "warning: unused variable: `x`\n --> a.rs:1:5\n\n";
        let mut i = firmware();
        i.target_features = vec![flags::WasmFeature::Atomics];
        assert_eq!(
            without_expected_warnings(&i, &format!("{ours}warning: 1 warning emitted\n\n")),
            ""
        );
        assert_eq!(
            without_expected_warnings(&i, &format!("{ours}{other}warning: 2 warnings emitted\n\n")),
            format!("{other}warning: 1 warning emitted\n\n")
        );
        i.target_features = vec![];
        let kept = format!("{ours}warning: 1 warning emitted\n\n");
        assert_eq!(without_expected_warnings(&i, &kept), kept);
    }

    #[test]
    fn explains_a_module_too_large_for_its_memory() {
        let inv = firmware();
        let e = memory_explanation(
            &inv,
            "rust-lld: error: maximum memory too small, 213008 bytes needed\n",
        )
        .unwrap();
        assert!(e.contains("module `firmware`"), "{e}");
        assert!(e.contains("max_memory is 131072 bytes (2 pages)"), "{e}");
        assert!(e.contains("need 213008 bytes (4 pages)"), "{e}");
        assert!(e.contains("wasm32v1-none"), "{e}");
        assert!(memory_explanation(&inv, "error[E0308]: mismatched types").is_none());
        let e = linear_explanation(
            &inv,
            "rust-lld: error: a.o: undefined symbol: wasmrust_linear_value_dropped__Ticket\n\
             rust-lld: error: b.o: undefined symbol: wasmrust_linear_value_dropped__Ticket\n",
        )
        .unwrap();
        assert!(
            e.contains("drops a `#[linear]` value of type `Ticket` without consuming it"),
            "{e}"
        );
        assert!(linear_explanation(&inv, "undefined symbol: memcpy").is_none());
        assert!(allocator_explanation(&inv, "error: the `#[global_allocator]` in this crate conflicts with global allocator in: wasm_global_heap").is_none());
        let mut inv = inv;
        inv.forced_externs = vec![(
            "wasm_global_heap".into(),
            "h/libwasm_global_heap.rlib".into(),
        )];
        let e = allocator_explanation(&inv, "error: the `#[global_allocator]` in this crate conflicts with global allocator in: wasm_global_heap")
            .unwrap();
        assert!(
            e.contains("crate `firmware` (fw/lib.rs) declares its own `#[global_allocator]`"),
            "{e}"
        );
        assert!(e.contains("set `allocator = \"default\"`"), "{e}");
    }
}
