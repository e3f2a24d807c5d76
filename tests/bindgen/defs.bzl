"""bindgen_component and bindgen_test: a WIT world's generated bindings, a Rust component on them, and its calls checked in wasmtime."""

load("//toolchains:defs.bzl", "wasm_component", "wasm_rust_binary", "wasm_rust_wit_bindings")

def bindgen_component(name, wit, world, srcs):
    """`<name>_bindings`, `<name>_core` and the component `<name>`.

    Args:
      name: the component.
      wit: the WIT files (one directory plus its deps/).
      world: the world.
      srcs: the Rust sources, which implement the world on `<name>_bindings`.
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

def component_check(name, component, expect, wasi_only = False):
    """`name`: the calls in the `expect` spec files, run against `component` in wasmtime.

    Args:
      name: the test.
      component: the component target.
      expect: the spec files of calls and answers for `wasmrust-run check`, run in order on one instance.
      wasi_only: the host provides WASI 0.2 alone (not `wasmrust:test-host`).
    """
    native.sh_test(
        name = name,
        size = "small",
        srcs = ["//app:tests/check_component.sh"],
        args = [
            "$(location //compiler/bin:runner)",
            "$(location {})".format(component),
        ] + ["$(location {})".format(e) for e in expect] + (["--wasi-only"] if wasi_only else []),
        data = expect + [
            component,
            "//compiler/bin:runner",
        ],
    )

def bindgen_test(name, wit, world, srcs, expect):
    """`bindgen_component(name, ...)` and the test `<name>_test`.

    Args:
      name: the component; the test is `<name>_test`.
      wit: the WIT files (one directory plus its deps/).
      world: the world.
      srcs: the Rust sources, which implement the world on `<name>_bindings`.
      expect: the spec files of calls and answers for `wasmrust-run check`.
    """
    bindgen_component(name, wit, world, srcs)
    component_check(name + "_test", ":" + name, expect)
