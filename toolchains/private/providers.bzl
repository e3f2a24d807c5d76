"""Providers of the WasmRust rules, and the toolchain type they resolve."""

TOOLCHAIN_TYPE = "//toolchains:toolchain_type"

WasmCrateInfo = provider(
    doc = "A compiled Rust crate: a wasm `.rlib`, or a host `.so` for a proc macro.",
    fields = {
        "name": "str: the crate name, as `--extern NAME=` uses it.",
        "output": "File: the `.rlib` (or the proc macro's `.so`).",
        "is_proc_macro": "bool: True for proc-macro crates built for the exec platform.",
        "transitive_outputs": "depset[File]: `output` and those of every dependency, inputs of every dependant.",
        "triple": "str: the target triple it was compiled for (the exec triple for proc macros).",
    },
)

WasmSysrootInfo = provider(
    doc = "The standard library built for one wasm target and build mode.",
    fields = {
        "root": "str: execroot-relative path of the sysroot (`--sysroot`).",
        "files": "depset[File]: every rlib, plus wasi-libc's self-contained objects on WASI targets.",
        "triple": "str: the target triple.",
        "has_std": "bool: False when only core and alloc exist (wasm32v1-none).",
    },
)

WasmModuleInfo = provider(
    doc = "A linked core WebAssembly module.",
    fields = {
        "wasm": "File: the post-linked module (optimized and normalized per build mode).",
        "kind": "str: `reactor` (exports only) or `command` (has `_start`).",
        "profile": "str: the host profile it was built for.",
        "triple": "str: the target triple.",
    },
)

WasmComponentInfo = provider(
    doc = "A WebAssembly component.",
    fields = {
        "wasm": "File: the component.",
        "wit": "depset[File]: the WIT files of its world.",
        "world": "str: the world it implements.",
        "profile": "str: the host profile it was built for.",
    },
)

CargoBuildScriptInfo = provider(
    doc = "What a Cargo build script told rustc, from `wasmrust build-script`.",
    fields = {
        "flags": "File: one `cfg=`, `check-cfg=` or `env=` line per directive (`${pwd}` for the working directory).",
        "out_dir": "File: the OUT_DIR tree the script wrote.",
    },
)

WasmToolsInfo = provider(
    doc = "The tools every action runs, and the settings that change their flags: part of the toolchain's ToolchainInfo (`tools`).",
    fields = {
        "driver": "File: the checked `wasmrust` (//compiler/bin:driver).",
        "rustc": "File: the pinned rustc.",
        "rustc_files": "list of File: rustc and its libraries.",
        "library_path": "str: the directory of librustc_driver, for LD_LIBRARY_PATH.",
        "panic_messages": "bool: `--//platforms:panic_messages`.",
        "levers_off": "list of str: `--//platforms:levers_off`.",
        "incremental": "bool: `--//platforms:incremental`.",
        "release_iteration": "bool: `--//platforms:release_iteration`.",
    },
)
