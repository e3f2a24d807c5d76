"""wasm_rust_wit_bindings: Rust bindings generated from a WIT world, as a crate."""

load("//toolchains/private/actions:postlink.bzl", "bindgen")
load("//toolchains/private/rules:rust.bzl", "wasm_rust_library")
load("//toolchains/private/rules:toolchain.bzl", "TOOLS_ATTRS", "tools_of")

def _wit_rust_source_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".rs")
    bindgen(ctx, tools_of(ctx), ctx.files.wit, ctx.attr.world, ctx.attr.crate_name, out)
    return [DefaultInfo(files = depset([out]))]

# One action per world, whatever the profile: the generated source is the same for every target.
_wit_rust_source = rule(
    implementation = _wit_rust_source_impl,
    attrs = dict(TOOLS_ATTRS, **{
        "wit": attr.label_list(allow_files = [".wit"], mandatory = True),
        "world": attr.string(),
        "crate_name": attr.string(mandatory = True),
    }),
)

def wasm_rust_wit_bindings(name, wit, world = None, crate_name = None, **kwargs):
    """Rust bindings for a WIT world, generated at build time and compiled as a library crate.

    The crate holds the world's types (records as structs, variants and enums as
    enums, flags, `Option`, `Result`, `String`, `Vec`), one `Guest` trait per
    exported interface (and for the world's own functions), functions for the
    imported ones, the canonical-ABI glue with its post-return hooks, and an
    `export!` macro. A `wasm_rust_binary` lists it in `deps`, implements the
    traits and calls `<crate>::export!(Type);`. Nothing generated is committed:
    the source is a cached action output (`wasmrust bindgen`, wit-bindgen-rust).

    Example:

        wasm_rust_wit_bindings(
            name = "demo_bindings",
            wit = glob(["wit/*.wit"]),
            world = "demo",
        )

    Args:
      name: the target, and the crate name unless `crate_name` is given.
      wit: the WIT files (one directory, plus deps/).
      world: the world; optional when the package has one.
      crate_name: the crate name; defaults to `name` with `-` replaced by `_`.
      **kwargs: passed on to `wasm_rust_library` (`visibility`, `profile`, `tags`, ...).
        `target_compatible_with` defaults to the profiles with `std` (the
        generated code and its runtime use `alloc` and `std`; the embedded
        profile has neither, so `bazel build //... --config=embedded` skips it).
    """
    crate = crate_name or name.replace("-", "_")
    _wit_rust_source(
        name = name + "_rs",
        wit = wit,
        world = world,
        crate_name = crate,
        visibility = ["//visibility:private"],
        tags = kwargs.get("tags"),
    )
    kwargs.setdefault("target_compatible_with", [Label("//platforms:std")])
    wasm_rust_library(
        name = name,
        srcs = [":" + name + "_rs"],
        crate_name = crate,
        **kwargs
    )
