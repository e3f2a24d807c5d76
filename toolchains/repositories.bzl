"""Public entry point for WORKSPACE users: the repositories WasmRust needs."""

load("//toolchains/private:crates_repository.bzl", _wasm_crates_repository = "wasm_crates_repository")
load("//toolchains/private:repository.bzl", _wasm_toolchain_repository = "wasm_toolchain_repository")

wasm_toolchain_repository = _wasm_toolchain_repository
wasm_crates_repository = _wasm_crates_repository

def wasm_rust_dependencies(lock = Label("//toolchains:toolchain.lock.json")):
    """Declares `@wasm_toolchain`, the pinned host toolchain checked against `lock`.

    Args:
      lock: the toolchain lock file; the default is the one WasmRust ships.
    """
    wasm_toolchain_repository(name = "wasm_toolchain", lock = lock)
