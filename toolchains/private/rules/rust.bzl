"""wasm_rust_library, wasm_rust_binary and wasm_rust_proc_macro."""

load("//platforms:profiles.bzl", "PROFILES")
load("//toolchains/private:providers.bzl", "TOOLCHAIN_TYPE", "WasmCrateInfo", "WasmModuleInfo")
load("//toolchains/private:settings.bzl", "build_mode", "profile_transition")
load("//toolchains/private/actions:compile.bzl", "CRATE_ATTRS", "HOST_TRIPLE", "compile_crate", "crate_name")
load("//toolchains/private/actions:postlink.bzl", "normalize", "optimize", "size_report")
load("//toolchains/private/rules:toolchain.bzl", "TOOLS_ATTRS", "tools_of")

_PROFILE_ATTRS = {
    "profile": attr.string(
        values = [""] + sorted(PROFILES.keys()),
        doc = "Build for this host profile whatever `--config=<profile>` says; empty: the active profile (default wasmtime).",
    ),
    "threads": attr.bool(
        doc = "Build this target and its dependencies with threads (`atomics`, shared memory) whatever `--config=threads` says; the profile must have threads (browser).",
    ),
    "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
}

def _wasm_deps_attrs():
    return {
        "deps": attr.label_list(providers = [WasmCrateInfo], doc = "Rust library dependencies (`wasm_rust_library`)."),
        "proc_macro_deps": attr.label_list(providers = [WasmCrateInfo], cfg = "exec", doc = "`wasm_rust_proc_macro` dependencies, built for the exec platform."),
    }

# Attributes of a wasm library (also those of generated third-party crates).
WASM_LIBRARY_ATTRS = dict(CRATE_ATTRS, **dict(_PROFILE_ATTRS, **_wasm_deps_attrs()))

def library_impl(ctx, **kwargs):
    """Compiles a wasm library for the active profile.

    Args:
      ctx: the rule context.
      **kwargs: passed on to `compile_crate`.

    Returns:
      The rule's providers: DefaultInfo and WasmCrateInfo.
    """
    tc = ctx.toolchains[TOOLCHAIN_TYPE]
    tools = tools_of(ctx)
    out = ctx.actions.declare_file("{}/lib{}.rlib".format(ctx.label.name, crate_name(ctx)))
    info = compile_crate(
        ctx,
        tools,
        "lib",
        tc.triple,
        build_mode(ctx),
        out,
        sysroot = tc.sysroot,
        opt_level = tc.release_opt,
        target_features = tc.features,
        **kwargs
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = ctx.files.data)),
        info,
    ]

def _library_impl(ctx):
    return library_impl(ctx, first_party = True)

wasm_rust_library = rule(
    implementation = _library_impl,
    doc = """A Rust library compiled for the active host profile's wasm target.

Example:

    wasm_rust_library(
        name = "text",
        srcs = ["src/lib.rs", "src/words.rs"],
        deps = [":util"],
    )
""",
    attrs = WASM_LIBRARY_ATTRS,
    toolchains = [TOOLCHAIN_TYPE],
    incompatible_use_toolchain_transition = True,
    cfg = profile_transition,
)

# Linear-memory settings of linked modules (docs/memory.md).
_MEMORY_ATTRS = {
    "stack_size": attr.int(default = -1, doc = "Stack size in bytes, a multiple of 16 (-1: the profile's default, see docs/memory.md). The stack sits first in memory, so an overflow traps."),
    "initial_memory": attr.int(default = 0, doc = "Initial linear memory in bytes, a multiple of 65536 (0: just what stack and data need)."),
    "max_memory": attr.int(default = -1, doc = "Maximum linear memory in bytes, a multiple of 65536 (-1: the profile's default; 0: unbounded). A module whose stack and data exceed it fails to link."),
}

# The global allocator of linked modules (docs/memory.md).
_ALLOCATOR_ATTRS = {
    "allocator": attr.string(
        default = "auto",
        values = ["auto", "heap", "default"],
        doc = "The module's global allocator. `heap`: `wasm::alloc::Heap` (crates/wasm), which starts in the free tail of the initial memory and merges freed blocks; linked in without any code in the crate. `default`: std's allocator, or the crate's own `#[global_allocator]` (choose it when the crate has one). `auto`: the profile's choice (browser: `heap`; node, wasmtime: `default`, whose wasi-libc dlmalloc already starts at `__heap_base`, and where `heap` is refused; embedded: `default`, i.e. the crate's own). With `heap`, do not also use `wasm::alloc::Heap` in the crate: declare it yourself with `default`. docs/memory.md has the figures.",
    ),
    "_global_heap": attr.label(default = Label("//crates/wasm:global_heap"), providers = [WasmCrateInfo]),
}

# Everything a rule that links a module (`link_module`) reads.
LINK_ATTRS = dict(CRATE_ATTRS, **dict(_PROFILE_ATTRS, **dict(_wasm_deps_attrs(), **dict(_MEMORY_ATTRS, **_ALLOCATOR_ATTRS))))

def link_module(ctx, kind, extra_deps = [], cfgs = []):
    """Compiles and links the rule's crate into a post-linked core module.

    Args:
      ctx: the rule context (LINK_ATTRS; the toolchain gives the tools).
      kind: `reactor` or `command`.
      extra_deps: crates the rule adds to `deps` (the test harness).
      cfgs: `--cfg` values.

    Returns:
      (final File, unoptimized linked File, WasmModuleInfo).
    """
    tc = ctx.toolchains[TOOLCHAIN_TYPE]
    tools = tools_of(ctx)
    mode = build_mode(ctx)
    crate_kind = "cdylib" if kind == "reactor" else "bin"
    memory = struct(
        stack_size = ctx.attr.stack_size if ctx.attr.stack_size >= 0 else tc.stack_size,
        initial_memory = ctx.attr.initial_memory,
        max_memory = ctx.attr.max_memory if ctx.attr.max_memory >= 0 else tc.max_memory,
    )
    allocator = tc.allocator if ctx.attr.allocator == "auto" else ctx.attr.allocator
    if allocator == "heap" and tc.triple.startswith("wasm32-wasi"):
        fail("{}: `allocator = \"heap\"` is for the browser and embedded profiles; on {} ({}) std's allocator (wasi-libc's dlmalloc) already starts at `__heap_base`. To use `wasm::alloc::Heap` there, declare it as the crate's `#[global_allocator]` (it then also serves C's `malloc`) and remove `allocator`.".format(ctx.label, tc.profile, tc.triple))
    if allocator == "heap" and "atomics" in tc.features:
        fail("{}: `allocator = \"heap\"` needs non-shared memory, but the {} profile builds with atomics; use `allocator = \"default\"`".format(ctx.label, tc.profile))
    linked = ctx.actions.declare_file("{}/{}.linked.wasm".format(ctx.label.name, ctx.label.name))
    compile_crate(
        ctx,
        tools,
        crate_kind,
        tc.triple,
        mode,
        linked,
        sysroot = tc.sysroot,
        opt_level = tc.release_opt,
        target_features = tc.features,
        linker = tc.linker,
        memory = memory,
        extra_inputs = tc.linker_files,
        extra_deps = extra_deps,
        forced_deps = [ctx.attr._global_heap] if allocator == "heap" else [],
        cfgs = cfgs,
        first_party = True,
    )
    wasm = linked
    if mode == "release":
        wasm = optimize(ctx, tools, wasm, tc.triple, tc.features, ctx.actions.declare_file("{}/{}.opt.wasm".format(ctx.label.name, ctx.label.name)), profile = tc.profile)
    final = normalize(ctx, tools, wasm, mode, ctx.actions.declare_file(ctx.label.name + ".wasm"), triple = tc.triple, features = tc.features, profile = tc.profile)
    return final, linked, WasmModuleInfo(wasm = final, kind = kind, profile = tc.profile, triple = tc.triple)

def _binary_impl(ctx):
    final, linked, info = link_module(ctx, ctx.attr.kind)
    tools = tools_of(ctx)
    reports = []
    for wasm, suffix in [(final, ""), (linked, ".linked")]:
        text = ctx.actions.declare_file("{}/{}{}.size.txt".format(ctx.label.name, ctx.label.name, suffix))
        data = ctx.actions.declare_file("{}/{}{}.size.json".format(ctx.label.name, ctx.label.name, suffix))
        page = ctx.actions.declare_file("{}/{}{}.size.html".format(ctx.label.name, ctx.label.name, suffix))
        size_report(ctx, tools, wasm, text, data, page)
        reports += [text, data, page]
    return [
        DefaultInfo(files = depset([final]), runfiles = ctx.runfiles(files = [final] + ctx.files.data)),
        OutputGroupInfo(linked = depset([linked]), size_report = depset(reports)),
        info,
    ]

wasm_rust_binary = rule(
    implementation = _binary_impl,
    doc = """A linked core WebAssembly module: a reactor (exports, `cdylib`) or a
command (`_start`, `bin`), post-linked for the build mode: release runs
wasm-opt -Oz to convergence and drops names and producers; dev keeps names.
The unoptimized link is in output group `linked`; output group `size_report`
has `wasmrust size` reports (text, JSON and a self-contained HTML page with
a treemap) of the final module and of the link, which keeps function names:
sections, code by kind (panics, formatting, allocator), the largest
functions, retained sizes and what pulled in each kind (docs/size.md).

Example:

    wasm_rust_binary(
        name = "app_core",
        srcs = ["src/lib.rs"],
        kind = "reactor",
        deps = [":text"],
    )
""",
    attrs = dict(LINK_ATTRS, **{
        "kind": attr.string(default = "reactor", values = ["reactor", "command"], doc = "`reactor`: exports only; `command`: a program with `_start`."),
    }),
    toolchains = [TOOLCHAIN_TYPE],
    incompatible_use_toolchain_transition = True,
    cfg = profile_transition,
)

def host_sysroot(ctx):
    """The host standard library (`_host_std`) as a `--sysroot` for exec-platform crates."""
    host_std = ctx.files._host_std
    return struct(
        root = host_std[0].path[:-len("/lib/rustlib/{}/lib/{}".format(HOST_TRIPLE, host_std[0].basename))],
        files = depset(host_std),
    )

HOST_ATTRS = {
    "deps": attr.label_list(providers = [WasmCrateInfo], doc = "Host library dependencies (built for the exec platform)."),
    "_host_std": attr.label(default = Label("@wasm_toolchain//:host_std"), cfg = "exec"),
}

def proc_macro_impl(ctx, **kwargs):
    """Compiles a proc macro for the exec platform.

    Args:
      ctx: the rule context.
      **kwargs: passed on to `compile_crate`.

    Returns:
      The rule's providers: DefaultInfo and WasmCrateInfo.
    """
    tools = tools_of(ctx)
    out = ctx.actions.declare_file("{}/lib{}.so".format(ctx.label.name, crate_name(ctx)))
    info = compile_crate(ctx, tools, "proc-macro", HOST_TRIPLE, "release", out, sysroot = host_sysroot(ctx), **kwargs)
    return [DefaultInfo(files = depset([out])), info]

def _proc_macro_impl(ctx):
    return proc_macro_impl(ctx)

wasm_rust_proc_macro = rule(
    implementation = _proc_macro_impl,
    doc = """A proc-macro crate, compiled for the exec platform by the same pinned rustc.
Wasm crates list it in `proc_macro_deps`.

Example:

    wasm_rust_proc_macro(name = "macros", srcs = ["macros/lib.rs"])
""",
    attrs = dict(CRATE_ATTRS, **dict(TOOLS_ATTRS, **HOST_ATTRS)),
)
