"""bindgen_test: a WIT world's generated bindings, a Rust component on them, and its calls checked in wasmtime."""

load("//toolchains:defs.bzl", "wasm_component", "wasm_rust_binary", "wasm_rust_wit_bindings")

def bindgen_test(name, wit, world, srcs, expect):
    """`<name>_bindings`, `<name>_core`, the component `<name>` and `<name>_test`.

    Args:
      name: the component; the test is `<name>_test`.
      wit: the WIT files (one directory plus its deps/).
      world: the world.
      srcs: the Rust sources, which implement the world on `<name>_bindings`.
      expect: the spec of calls and answers for `wasmrust-run check`.
    """
    wasm_rust_wit_bindings(
        name = name + "_bindings",
        wit = wit,
        world = world,
    )
    wasm_rust_binary(
        name = name + "_core",
        srcs = srcs,
        kind = "reactor",
        # The component's profile, whatever `--config` says: the world may import WASI.
        profile = "wasmtime",
        deps = [":" + name + "_bindings"],
    )
    wasm_component(
        name = name,
        module = ":" + name + "_core",
        profile = "wasmtime",
        wit = wit,
        world = world,
    )
    native.sh_test(
        name = name + "_test",
        size = "small",
        srcs = ["//app:tests/check_component.sh"],
        args = [
            "$(location //compiler/bin:wasmrust-run)",
            "$(location :{})".format(name),
            "$(location {})".format(expect),
        ],
        data = [
            expect,
            ":" + name,
            "//compiler/bin:wasmrust-run",
        ],
    )
