"""WasmRust's public Bazel API: load everything from here.

    load("//toolchains:defs.bzl", "wasm_rust_library", "wasm_rust_binary", "wasm_rust_wit_bindings", "wasm_component", "wasm_compose", "wasm_test")

Implementation lives in toolchains/private/ and may change freely.
"""

load(
    "//toolchains/private:providers.bzl",
    _WasmComponentInfo = "WasmComponentInfo",
    _WasmCrateInfo = "WasmCrateInfo",
    _WasmModuleInfo = "WasmModuleInfo",
    _WasmSysrootInfo = "WasmSysrootInfo",
)
load("//toolchains/private/rules:bindgen.bzl", _wasm_rust_wit_bindings = "wasm_rust_wit_bindings")
load("//toolchains/private/rules:component.bzl", _wasm_component = "wasm_component", _wasm_compose = "wasm_compose")
load(
    "//toolchains/private/rules:rust.bzl",
    _wasm_rust_binary = "wasm_rust_binary",
    _wasm_rust_library = "wasm_rust_library",
    _wasm_rust_proc_macro = "wasm_rust_proc_macro",
)
load("//toolchains/private/rules:test.bzl", _wasm_test = "wasm_test")

wasm_rust_library = _wasm_rust_library
wasm_rust_binary = _wasm_rust_binary
wasm_rust_proc_macro = _wasm_rust_proc_macro
wasm_rust_wit_bindings = _wasm_rust_wit_bindings
wasm_component = _wasm_component
wasm_compose = _wasm_compose
wasm_test = _wasm_test

WasmCrateInfo = _WasmCrateInfo
WasmModuleInfo = _WasmModuleInfo
WasmComponentInfo = _WasmComponentInfo
WasmSysrootInfo = _WasmSysrootInfo
