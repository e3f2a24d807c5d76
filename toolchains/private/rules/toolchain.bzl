"""The wasm Rust toolchain (one per host profile) and the sysroot rule."""

load("//toolchains/private:providers.bzl", "TOOLCHAIN_TYPE", "WasmSysrootInfo", "WasmToolsInfo")
load("//toolchains/private:settings.bzl", "BoolFlagInfo", "LeversInfo", "build_mode")
load("//toolchains/private:sysroot_crates.bzl", "sysroot_crates")
load("//toolchains/private/actions:compile.bzl", "driver_args")

# Target features `--//platforms:use_threads` adds to the sysroot and every crate.
THREAD_FEATURES = ["atomics", "bulk-memory"]

def _lib_dir(files):
    for f in files:
        if f.basename.startswith("librustc_driver"):
            return f.dirname
    fail("the rustc filegroup has no librustc_driver; is @wasm_toolchain intact?")

def _wasm_tools_impl(ctx):
    rustc_files = ctx.files._rustc
    return [WasmToolsInfo(
        driver = ctx.executable._driver,
        rustc = [f for f in rustc_files if f.basename == "rustc"][0],
        rustc_files = rustc_files,
        library_path = _lib_dir(rustc_files),
        panic_messages = ctx.attr._panic_messages[BoolFlagInfo].value,
        levers_off = ctx.attr._levers_off[LeversInfo].off,
        incremental = ctx.attr._incremental[BoolFlagInfo].value,
        release_iteration = ctx.attr._release_iteration[BoolFlagInfo].value,
    )]

wasm_tools = rule(
    implementation = _wasm_tools_impl,
    doc = "The host tools and rustc every WasmRust action runs, with the build settings that change their flags (`//toolchains:tools`). Each profile's toolchain carries it; rules without a wasm toolchain (the sysroot, host crates, WIT bindings) depend on it directly.",
    attrs = {
        "_driver": attr.label(
            default = Label("//compiler/bin:driver"),
            executable = True,
            allow_single_file = True,
            cfg = "exec",
            doc = "The `wasmrust` host tool (built by the setup command from compiler/, checked against its sources).",
        ),
        "_rustc": attr.label(default = Label("@wasm_toolchain//:rustc"), cfg = "exec"),
        "_panic_messages": attr.label(default = Label("//platforms:panic_messages")),
        "_levers_off": attr.label(default = Label("//platforms:levers_off")),
        "_incremental": attr.label(default = Label("//platforms:incremental")),
        "_release_iteration": attr.label(default = Label("//platforms:release_iteration")),
    },
)

# For rules that run tools without a wasm toolchain: the sysroot (which the
# toolchain holds), host crates (built for the exec platform) and WIT bindings
# (the same source for every profile).
TOOLS_ATTRS = {
    "_tools": attr.label(default = Label("//toolchains:tools"), providers = [WasmToolsInfo]),
}

def tools_of(ctx):
    """The WasmToolsInfo a rule runs: its `_tools` attribute's (TOOLS_ATTRS), else its wasm toolchain's."""
    if hasattr(ctx.attr, "_tools"):
        return ctx.attr._tools[WasmToolsInfo]
    return ctx.toolchains[TOOLCHAIN_TYPE].tools

def _sysroot_impl(ctx):
    tools = tools_of(ctx)
    triple = ctx.attr.triple
    mode = build_mode(ctx)
    library_root = ctx.file._library_manifest.dirname
    libdir_rel = "{}/lib/rustlib/{}/lib".format(ctx.label.name, triple)
    built = {}
    all_rlibs = []

    # Shared memory links only if every object allows it: with threads on, the
    # standard library is compiled with atomics too.
    threads = ctx.attr._use_threads[BoolFlagInfo].value
    for c in sysroot_crates(triple, ctx.attr.has_std):
        out = ctx.actions.declare_file("{}/lib{}-wasmrust.rlib".format(libdir_rel, c.crate_name))
        src = library_root + "/" + c.src
        args = driver_args(ctx, tools, "sysroot", triple, mode, c.crate_name, c.edition, src, out, ctx.attr.opt_level, c.crate_name + "-wasmrust")
        args.add("--library-root", library_root)
        if threads:
            args.add_all(THREAD_FEATURES, before_each = "--target-feature")
        args.add_all(c.features, before_each = "--feature")
        args.add_all(c.cfgs, before_each = "--cfg")
        for ext, dep in c.deps.items():
            args.add("--extern", "{}={}".format(ext, built[dep].path))
        args.add("--dependency-dir", out.dirname)
        for k, v in c.env.items():
            args.add("--env", "{}={}".format(k, v))
        ctx.actions.run(
            executable = tools.driver,
            arguments = [args],
            inputs = depset(ctx.files._library + tools.rustc_files + all_rlibs),
            outputs = [out],
            mnemonic = "WasmSysroot",
            progress_message = "Compiling {} for {} ({}, sysroot)".format(c.crate_name, triple, mode),
        )
        built[c.name] = out
        all_rlibs.append(out)
    files = list(all_rlibs)
    if triple.startswith("wasm32-wasi"):
        # rustc links crt1 and libc.a from the sysroot's self-contained dir.
        for f in ctx.files._wasi_libc:
            link = ctx.actions.declare_file("{}/self-contained/{}".format(libdir_rel, f.basename))
            ctx.actions.symlink(output = link, target_file = f)
            files.append(link)
    root = all_rlibs[0].path[:-len("/lib/rustlib/{}/lib/{}".format(triple, all_rlibs[0].basename))]
    return [
        DefaultInfo(files = depset(files)),
        WasmSysrootInfo(root = root, files = depset(files), triple = triple, has_std = ctx.attr.has_std),
    ]

wasm_sysroot = rule(
    implementation = _sysroot_impl,
    doc = """The standard library (core, compiler_builtins, alloc, and std where the
target has it) compiled from the pinned library sources for one wasm target,
one rustc action per crate. Built once per (target, build mode, opt-level) and
cached like any other action.

Example:

    wasm_sysroot(name = "sysroot_wasmtime", triple = "wasm32-wasip2", opt_level = "s")
""",
    attrs = dict(TOOLS_ATTRS, **{
        "triple": attr.string(mandatory = True, doc = "The wasm target triple."),
        "has_std": attr.bool(default = True, doc = "Build std (False: core and alloc only)."),
        "opt_level": attr.string(mandatory = True, doc = "rustc opt-level in release mode (the profile's `release_opt`)."),
        "_library": attr.label(default = Label("@wasm_toolchain//:library")),
        "_library_manifest": attr.label(default = Label("@wasm_toolchain//:library/Cargo.toml"), allow_single_file = True),
        "_wasi_libc": attr.label(default = Label("@wasm_toolchain//:wasi_libc")),
        "_use_threads": attr.label(default = Label("//platforms:use_threads")),
    }),
)

def _toolchain_impl(ctx):
    sysroot = ctx.attr.sysroot[WasmSysrootInfo]
    features = list(ctx.attr.wasm_features)
    if ctx.attr._simd[BoolFlagInfo].value:
        if not ctx.attr.simd:
            fail("--//platforms:simd (--config=simd) asks for 128-bit SIMD, but the `{}` profile ({}) has no SIMD: its hosts run MVP WebAssembly. Drop --config=simd for this profile, or build the SIMD code for browser, node or wasmtime.".format(ctx.attr.profile, sysroot.triple))
        features.append("simd128")
    allocator = ctx.attr.allocator
    if ctx.attr._use_threads[BoolFlagInfo].value:
        if not ctx.attr.threads:
            fail("--//platforms:use_threads (--config=threads, or a target's `threads = True`) asks for threads, but the `{}` profile ({}) has none. Its threading: {}. Build threaded code for the browser profile (`--config=browser`), whose core modules also run on real threads in node and in wasmtime through wasmrust-run; `wasm::thread::scope` runs closures one after another here.".format(ctx.attr.profile, sysroot.triple, ctx.attr.threads_why))
        features += [f for f in THREAD_FEATURES if f not in features]

        # `wasm::alloc::Heap` is single-threaded; std's allocator takes a lock under atomics.
        allocator = "default"
    linker = [f for f in ctx.files._linker if f.basename == "rust-lld"][0]
    return [platform_common.ToolchainInfo(
        profile = ctx.attr.profile,
        triple = sysroot.triple,
        has_std = sysroot.has_std,
        sysroot = sysroot,
        release_opt = ctx.attr.release_opt,
        features = features,
        component_model = ctx.attr.component_model,
        stack_size = ctx.attr.stack_size,
        max_memory = ctx.attr.max_memory,
        allocator = allocator,
        linker = linker,
        linker_files = ctx.files._linker,
        tools = ctx.attr.tools[WasmToolsInfo],
        runner = ctx.executable._runner,
    )]

wasm_rust_toolchain = rule(
    implementation = _toolchain_impl,
    doc = "The toolchain of one host profile, as its ToolchainInfo: the sysroot, the linker, the host tools and rustc (`tools`, a WasmToolsInfo), the test runner, and the profile's settings as typed values (triple, features, component model, stack and memory defaults, allocator). Declared from platforms/profiles.bzl in toolchains/BUILD.bazel.",
    attrs = {
        "profile": attr.string(mandatory = True, doc = "The host profile's name."),
        "sysroot": attr.label(mandatory = True, providers = [WasmSysrootInfo], doc = "The profile's `wasm_sysroot`."),
        "release_opt": attr.string(mandatory = True, doc = "rustc opt-level in release mode (the profile's `release_opt`)."),
        "wasm_features": attr.string_list(doc = "WebAssembly features beyond the target's defaults."),
        "component_model": attr.bool(doc = "Whether the profile's hosts run components."),
        "simd": attr.bool(doc = "Whether `--//platforms:simd` may add `simd128`."),
        "_simd": attr.label(default = Label("//platforms:simd")),
        "threads": attr.bool(doc = "Whether `--//platforms:use_threads` may add atomics and shared memory."),
        "threads_why": attr.string(doc = "The profile's threading model, for the error when it has no threads."),
        "_use_threads": attr.label(default = Label("//platforms:use_threads")),
        "stack_size": attr.int(default = 0, doc = "Default stack size of linked modules in bytes (0: rustc's 1 MiB)."),
        "max_memory": attr.int(default = 0, doc = "Default maximum linear memory in bytes (0: unbounded)."),
        "allocator": attr.string(default = "default", values = ["default", "heap"], doc = "Default global allocator of linked modules: `heap` (`wasm::alloc::Heap`) or `default` (std's, or the crate's own)."),
        "_linker": attr.label(default = Label("@wasm_toolchain//:linker"), cfg = "exec"),
        "tools": attr.label(default = Label("//toolchains:tools"), providers = [WasmToolsInfo], doc = "The host tools and rustc (`wasm_tools`)."),
        "_runner": attr.label(default = Label("//compiler/bin:runner"), executable = True, allow_single_file = True, cfg = "exec", doc = "`wasmrust-run`, which runs `wasm_test` modules (wasmtime, wasmi)."),
    },
)
