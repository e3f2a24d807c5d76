"""The compile action: one rustc invocation through `wasmrust rustc`."""

load("//toolchains/private:providers.bzl", "CargoBuildScriptInfo", "WasmCrateInfo")

HOST_TRIPLE = "x86_64-unknown-linux-gnu"

def crate_root(ctx, kind):
    """The crate root: `crate_root`, else lib.rs/main.rs among `srcs`, else the only source.

    Args:
      ctx: the rule context (`crate_root`, `srcs`).
      kind: `lib`, `cdylib`, `bin` or `proc-macro`.

    Returns:
      The root source File; fails naming the target when it is ambiguous.
    """
    if ctx.file.crate_root:
        return ctx.file.crate_root
    wanted = "main.rs" if kind == "bin" else "lib.rs"
    hits = [f for f in ctx.files.srcs if f.basename == wanted]
    if len(hits) == 1:
        return hits[0]
    if len(ctx.files.srcs) == 1:
        return ctx.files.srcs[0]
    fail("{}: cannot tell the crate root among {} sources; set `crate_root` (or name one of them {})".format(
        ctx.label,
        len(ctx.files.srcs),
        wanted,
    ))

def crate_name(ctx):
    name = ctx.attr.crate_name or ctx.label.name.replace("-", "_")
    if not name.replace("_", "a").isalnum() or name[0].isdigit():
        fail("{}: `{}` is not a valid crate name; set `crate_name` to letters, digits and underscores".format(ctx.label, name))
    return name

def _dirname(f):
    return f.dirname

def driver_args(ctx, tools, kind, triple, mode, name, edition, src, out, opt_level, metadata):
    """The `wasmrust rustc` arguments every compile action starts with.

    Args:
      ctx: the rule context.
      tools: `tools_of(ctx)` (a WasmToolsInfo).
      kind: `lib`, `cdylib`, `bin` or `proc-macro`.
      triple: the target triple.
      mode: `dev` or `release`.
      name: the crate name.
      edition: the Rust edition.
      src: the crate root File.
      out: the output File.
      opt_level: the profile's release opt-level, or None (the driver's default).
      metadata: the `-Cmetadata` value that keeps crate symbols apart.

    Returns:
      An Args object; callers add deps, cfgs and flags after these.
    """
    args = ctx.actions.args()
    args.add("rustc")
    args.add("--rustc", tools.rustc)
    args.add("--library-path", tools.library_path)
    args.add("--target", triple)
    args.add("--mode", mode)
    args.add("--kind", kind)
    args.add("--crate-name", name)
    args.add("--edition", edition)
    args.add("--src", src)
    args.add("--out", out)
    if opt_level:
        args.add("--opt-level", opt_level)
    args.add("--metadata", metadata)
    if tools.panic_messages:
        args.add("--panic-messages")
    args.add_all(tools.levers_off, before_each = "--lever-off")
    return args

# Compile actions of first-party crates in incremental dev and release-iteration
# builds: run by `wasmrust --persistent_worker`, which keeps rustc's incremental state, and
# never remote (their outputs may depend on that state). A mnemonic of their
# own, so `--strategy=WasmRustcIncremental=worker,...` (.bazelrc) leaves every
# other action to the build's strategy (sandboxed, or remote with --config=rexec).
_INCREMENTAL_REQUIREMENTS = {"supports-workers": "1", "no-remote": "1"}

def compile_crate(ctx, tools, kind, triple, mode, out, sysroot = None, opt_level = None, target_features = [], linker = None, memory = None, extra_inputs = [], extra_deps = [], forced_deps = [], cfgs = [], env = {}, context = None, first_party = False):
    """Registers the rustc action for the rule in `ctx`.

    The rule may also have `aliases` (dep target -> extern name) and
    `build_script` (a CargoBuildScriptInfo whose cfgs, env and OUT_DIR apply).

    Args:
      ctx: the rule context (srcs, deps, proc_macro_deps, edition, crate_features, rustc_flags, compile_data).
      tools: `tools_of(ctx)` (a WasmToolsInfo).
      kind: `lib`, `cdylib`, `bin` or `proc-macro`.
      triple: the target triple (the exec triple for proc macros).
      mode: `dev` or `release`.
      out: the declared output file.
      sysroot: a WasmSysrootInfo, or None for proc macros.
      opt_level: the profile's release opt-level, or None for the driver's
        default (`flags::DEFAULT_RELEASE_OPT_LEVEL`; host crates).
      target_features: the profile's extra wasm features.
      linker: the rust-lld File for crates that link.
      memory: for crates that link, a struct(stack_size, initial_memory, max_memory) in bytes (0: unset).
      extra_inputs: more files the action reads (linker files, host std).
      extra_deps: targets with WasmCrateInfo the rule adds to `deps` (the test harness).
      forced_deps: targets with WasmCrateInfo linked even though the source never names
        them (`--extern force:`): the global allocator crate.
      cfgs: `--cfg` values (`test` for test modules).
      env: rustc's environment for `env!` (`${pwd}` is the absolute working directory).
      context: added to the error when rustc fails (a third-party crate's dependency path).
      first_party: whether this is a first-party crate (wasm_rust_library, wasm_rust_binary,
        wasm_test), whose dev and release-iteration compiles keep incremental state when
        `--//platforms:incremental` is on, and whose release-iteration compiles
        (`--//platforms:release_iteration`) trade fat LTO for rebuild speed.

    Returns:
      The crate's WasmCrateInfo.
    """
    name = crate_name(ctx)
    root = crate_root(ctx, kind)
    deps = [d[WasmCrateInfo] for d in getattr(ctx.attr, "deps", []) + extra_deps + forced_deps]
    for d in deps:
        if d.is_proc_macro:
            fail("{}: `{}` is a proc macro; list it in `proc_macro_deps`, not `deps`".format(ctx.label, d.name))
        if (d.triple == HOST_TRIPLE) != (triple == HOST_TRIPLE):
            fail("{}: dependency `{}` is built for {}, but this crate is built for {}; host crates (proc macros, build scripts) and wasm crates cannot depend on each other".format(ctx.label, d.name, d.triple, triple))
    macros = [d[WasmCrateInfo] for d in getattr(ctx.attr, "proc_macro_deps", [])]
    aliases = {t.label: n for t, n in getattr(ctx.attr, "aliases", {}).items()}
    build_script = getattr(ctx.attr, "build_script", None)
    build_script = build_script[CargoBuildScriptInfo] if build_script else None

    # A crate loads its proc macros' .so when dependants compile: they are found like rlibs.
    transitive = depset([m.output for m in macros], transitive = [d.transitive_outputs for d in deps])

    args = driver_args(ctx, tools, kind, triple, mode, name, ctx.attr.edition, root, out, opt_level, "{}-{}".format(name, str(ctx.label)))
    args.add_all(target_features, before_each = "--target-feature")
    args.add_all(ctx.attr.crate_features, before_each = "--feature")
    args.add_all(cfgs, before_each = "--cfg")
    for target in getattr(ctx.attr, "deps", []) + extra_deps + getattr(ctx.attr, "proc_macro_deps", []):
        d = target[WasmCrateInfo]
        args.add("--extern", "{}={}".format(aliases.get(target.label, d.name), d.output.path))
    for target in forced_deps:
        d = target[WasmCrateInfo]
        args.add("--force-extern", "{}={}".format(d.name, d.output.path))
    args.add_all(transitive, map_each = _dirname, before_each = "--dependency-dir", uniquify = True)
    if sysroot:
        args.add("--sysroot", sysroot.root)
    if linker:
        args.add("--linker", linker)
    if memory:
        for flag, value in [("--stack-size", memory.stack_size), ("--initial-memory", memory.initial_memory), ("--max-memory", memory.max_memory)]:
            if value:
                args.add(flag, str(value))
    for k, v in sorted(env.items()):
        args.add("--env", "{}={}".format(k, v))
    script_files = []
    if build_script:
        args.add("--build-script-flags", build_script.flags)
        args.add("--out-dir", build_script.out_dir.path)
        script_files = [build_script.flags, build_script.out_dir]
    if context:
        args.add("--context", context)
    release_iteration = first_party and mode == "release" and tools.release_iteration
    if release_iteration:
        args.add("--release-iteration")
    incremental = first_party and tools.incremental and (mode == "dev" or release_iteration)
    if incremental:
        args.add("--incremental")

        # A worker takes its request's arguments from the trailing param file.
        args.use_param_file("@%s", use_always = True)
        args.set_param_file_format("multiline")
    args.add("--")
    args.add_all(ctx.attr.rustc_flags)

    inputs = [ctx.files.srcs, ctx.files.compile_data, tools.rustc_files, extra_inputs, [root], script_files]
    ctx.actions.run(
        executable = tools.driver,
        arguments = [args],
        inputs = depset(
            [f for group in inputs for f in group] + [d.output for d in macros],
            transitive = [transitive] + ([sysroot.files] if sysroot else []),
        ),
        outputs = [out],
        mnemonic = "WasmRustcIncremental" if incremental else "WasmRustc",
        execution_requirements = _INCREMENTAL_REQUIREMENTS if incremental else {},
        progress_message = "Compiling Rust {} {} ({}, {}{}{})".format(kind, ctx.label, triple, mode, ", iteration" if release_iteration else "", ", incremental" if incremental else ""),
    )
    return WasmCrateInfo(
        name = name,
        output = out,
        is_proc_macro = kind == "proc-macro",
        transitive_outputs = depset([out], transitive = [transitive]),
        triple = triple,
    )

# Attributes shared by every rule that compiles a crate; names follow rules_rust.
CRATE_ATTRS = {
    "srcs": attr.label_list(allow_files = [".rs"], mandatory = True, doc = "The crate's Rust sources."),
    "crate_root": attr.label(allow_single_file = [".rs"], doc = "The crate root; defaults to lib.rs / main.rs among `srcs`."),
    "crate_name": attr.string(doc = "The crate name; defaults to the target name with `-` replaced by `_`."),
    "edition": attr.string(default = "2024", values = ["2015", "2018", "2021", "2024"], doc = "The Rust edition."),
    "crate_features": attr.string_list(doc = "Cargo-style features, passed as `--cfg feature=\"...\"`."),
    "rustc_flags": attr.string_list(doc = "Extra rustc flags, appended after the toolchain's (prefer leaving flag policy to the toolchain)."),
    "compile_data": attr.label_list(allow_files = True, doc = "Files the sources read at compile time (`include_str!`, `include_bytes!`)."),
    "data": attr.label_list(allow_files = True, doc = "Files needed at run time."),
}
