"""The crate graph of the standard library for the wasm targets, as data.

Each crate becomes one rustc action. The table mirrors what cargo's
`-Zbuild-std` resolves for rust-web-src 1.96.0 (see shared/TOOLCHAIN.md §A.2):
build scripts are not run, their outputs are the `cfgs` and `env` below.
Vendored crate versions are pinned by the library tree hash in the lock.

Fields: `name` (key in this table), `crate_name` (`--crate-name`, defaults to `name`), `src` (relative to the library root), `edition`,
`deps` (dict: `--extern` name -> crate name), `features`, `cfgs`, `env`,
`targets` (None: every target; otherwise the triples that need it), `std`
(True: only for targets that have std).
"""

_ALL_WASM = None
_UNKNOWN = ["wasm32-unknown-unknown", "wasm32v1-none"]
_WC = {"core": "rustc_std_workspace_core"}
_WCA = {"core": "rustc_std_workspace_core", "alloc": "rustc_std_workspace_alloc"}

def _crate(name, src, edition, deps = {}, features = [], cfgs = [], env = {}, targets = _ALL_WASM, std = True, crate_name = None):
    return struct(name = name, crate_name = crate_name or name, src = src, edition = edition, deps = deps, features = features, cfgs = cfgs, env = env, targets = targets, std = std)

SYSROOT_CRATES = [
    _crate("core", "core/src/lib.rs", "2024", std = False),
    _crate(
        "compiler_builtins",
        "compiler-builtins/compiler-builtins/src/lib.rs",
        "2024",
        deps = {"core": "core"},
        features = ["compiler-builtins", "default", "unstable-intrinsics"],
        cfgs = ["f16_enabled", "f128_enabled", "intrinsics_enabled", "arch_enabled", "optimizations_enabled"],
        std = False,
    ),
    _crate("rustc_std_workspace_core", "rustc-std-workspace-core/lib.rs", "2024", deps = {"core": "core", "priv:compiler_builtins": "compiler_builtins"}, std = False),
    _crate("alloc", "alloc/src/lib.rs", "2024", deps = {"core": "core", "priv:compiler_builtins": "compiler_builtins"}, std = False),
    _crate("rustc_std_workspace_alloc", "rustc-std-workspace-alloc/lib.rs", "2024", deps = {"alloc": "alloc"}),
    _crate("cfg_if", "vendor/cfg-if-1.0.4/src/lib.rs", "2018", deps = _WC, features = ["core", "rustc-dep-of-std"]),
    _crate("libc", "vendor/libc-0.2.183/src/lib.rs", "2021", deps = {"rustc_std_workspace_core": "rustc_std_workspace_core"}, features = ["align", "rustc-dep-of-std", "rustc-std-workspace-core"]),
    _crate("rustc_demangle", "vendor/rustc-demangle-0.1.27/src/lib.rs", "2015", deps = _WC, features = ["core", "rustc-dep-of-std"]),
    _crate("unwind", "unwind/src/lib.rs", "2024", deps = {"core": "rustc_std_workspace_core", "libc": "libc"}),
    _crate("panic_abort", "panic_abort/src/lib.rs", "2024", deps = _WC),
    _crate("hashbrown", "vendor/hashbrown-0.16.1/src/lib.rs", "2021", deps = _WCA, features = ["alloc", "core", "nightly", "rustc-dep-of-std", "rustc-internal-api"]),
    _crate("std_detect", "std_detect/src/lib.rs", "2024", deps = {"core": "rustc_std_workspace_core", "alloc": "rustc_std_workspace_alloc", "libc": "libc"}),
    _crate("dlmalloc", "vendor/dlmalloc-0.2.11/src/lib.rs", "2021", deps = {"core": "rustc_std_workspace_core", "cfg_if": "cfg_if"}, features = ["core", "rustc-dep-of-std"], targets = ["wasm32-unknown-unknown"]),
    _crate("wasi", "vendor/wasi-0.11.1+wasi-snapshot-preview1/src/lib.rs", "2018", deps = {"core": "rustc_std_workspace_core", "rustc_std_workspace_alloc": "rustc_std_workspace_alloc"}, features = ["core", "rustc-dep-of-std", "rustc-std-workspace-alloc"], targets = ["wasm32-wasip1"]),
    # wit-bindgen 0.45.1 fails as edition 2024 (`extern blocks must be unsafe`).
    _crate("wit_bindgen", "vendor/wit-bindgen-0.45.1/src/lib.rs", "2021", deps = {"core": "rustc_std_workspace_core", "alloc": "rustc_std_workspace_alloc"}, features = ["rustc-dep-of-std"], targets = ["wasm32-wasip2"]),
    _crate("wasip2", "vendor/wasi-0.14.4+wasi-0.2.4/src/lib.rs", "2021", crate_name = "wasi", deps = {"core": "rustc_std_workspace_core", "alloc": "rustc_std_workspace_alloc", "wit_bindgen": "wit_bindgen"}, features = ["core", "alloc", "rustc-dep-of-std"], targets = ["wasm32-wasip2"]),
    _crate(
        "std",
        "std/src/lib.rs",
        "2024",
        deps = {
            "alloc": "alloc",
            "core": "core",
            "libc": "libc",
            "std_detect": "std_detect",
            "priv:cfg_if": "cfg_if",
            "priv:hashbrown": "hashbrown",
            "priv:panic_abort": "panic_abort",
            "priv:rustc_demangle": "rustc_demangle",
            "priv:unwind": "unwind",
            "priv:dlmalloc": "dlmalloc",
            "priv:wasi": "wasi",
            "priv:wasip2": "wasip2",
        },
        cfgs = ["backtrace_in_libstd"],
        env = {"STD_ENV_ARCH": "wasm32"},
    ),
]

# compiler_builtins provides memcpy & co. itself where no libc does.
MEM_FEATURE_TARGETS = _UNKNOWN

def sysroot_crates(triple, has_std):
    """The sysroot crates to build for a target.

    Args:
      triple: the target triple.
      has_std: whether the target has `std` (else the crates `std` needs are left out).

    Returns:
      The crates in dependency order, with target-specific features applied
      and dependencies on crates absent from this target dropped.
    """
    present = []
    for c in SYSROOT_CRATES:
        if c.std and not has_std:
            continue
        if c.targets != None and triple not in c.targets:
            continue
        present.append(c.name)
    out = []
    for c in SYSROOT_CRATES:
        if c.name not in present:
            continue
        features = list(c.features)
        if c.name == "compiler_builtins" and triple in MEM_FEATURE_TARGETS:
            features.append("mem")
        deps = {ext: dep for ext, dep in c.deps.items() if dep in present}
        out.append(struct(name = c.name, crate_name = c.crate_name, src = c.src, edition = c.edition, deps = deps, features = features, cfgs = c.cfgs, env = c.env))
    return out
