"""wasm_component: a core module and a WIT world become a component; wasm_compose plugs components together."""

load("//platforms:profiles.bzl", "PROFILES")
load("//toolchains/private:providers.bzl", "TOOLCHAIN_TYPE", "WasmComponentInfo", "WasmModuleInfo")
load("//toolchains/private:settings.bzl", "build_mode", "profile_transition")
load("//toolchains/private/actions:postlink.bzl", "componentize", "compose", "normalize")
load("//toolchains/private/rules:toolchain.bzl", "TOOLS_ATTRS", "tools_of")

def _component_impl(ctx):
    tc = ctx.toolchains[TOOLCHAIN_TYPE]
    if not tc.component_model:
        fail("{}: the `{}` profile has no Component Model support, so it cannot build a component; build it with --config=wasmtime or set `profile = \"wasmtime\"`".format(ctx.label, tc.profile))
    if WasmModuleInfo not in ctx.attr.module:
        fail(("{}: `module` takes a `wasm_rust_binary` target, but `{}` is not one ({}); " +
              "build the core module with `wasm_rust_binary` (kind = \"reactor\") and pass its label, e.g. `module = \":app_core\"`").format(
            ctx.label,
            ctx.attr.module.label,
            "a `.wasm` file is not accepted: the rule needs the module's target, profile and build mode" if ctx.attr.module.label.name.endswith(".wasm") else "it provides no WasmModuleInfo",
        ))
    tools = tools_of(ctx)
    module = ctx.attr.module[WasmModuleInfo]
    raw = componentize(ctx, tools, module.wasm, ctx.files.wit, ctx.attr.world, ctx.actions.declare_file("{}/{}.raw.wasm".format(ctx.label.name, ctx.label.name)))
    final = normalize(ctx, tools, raw, build_mode(ctx), ctx.actions.declare_file(ctx.label.name + ".wasm"))
    return [
        DefaultInfo(files = depset([final]), runfiles = ctx.runfiles(files = [final])),
        WasmComponentInfo(wasm = final, wit = depset(ctx.files.wit), world = ctx.attr.world, profile = tc.profile),
    ]

wasm_component = rule(
    implementation = _component_impl,
    doc = """A WebAssembly component made from a `wasm_rust_binary` and the WIT world it
implements, with wit-component. WASI preview 1 imports are adapted with the
pinned preview-1 adapter. Only profiles with Component Model support may
build components.

Example:

    wasm_component(
        name = "component",
        module = ":app_core",
        wit = glob(["wit/*.wit"]),
        world = "demo",
    )
""",
    attrs = {
        # Files are let through to the implementation, which names what `module`
        # takes: Bazel's own error for a file here ("misplaced here") does not.
        "module": attr.label(mandatory = True, allow_files = True, doc = "The core module: a `wasm_rust_binary` target (not a `.wasm` file)."),
        "wit": attr.label_list(allow_files = [".wit"], doc = "The WIT files of the world (one directory, plus deps/)."),
        "world": attr.string(doc = "The world to target; optional when the package has one."),
        "profile": attr.string(values = [""] + sorted(PROFILES.keys()), doc = "Host profile; empty: the active profile."),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
    },
    toolchains = [TOOLCHAIN_TYPE],
    incompatible_use_toolchain_transition = True,
    cfg = profile_transition,
)

def _compose_impl(ctx):
    root = ctx.attr.root[WasmComponentInfo]
    plugs = [p[WasmComponentInfo].wasm for p in ctx.attr.plugs]
    tools = tools_of(ctx)
    raw = compose(ctx, tools, root.wasm, plugs, ctx.actions.declare_file("{}/{}.raw.wasm".format(ctx.label.name, ctx.label.name)))
    final = normalize(ctx, tools, raw, build_mode(ctx), ctx.actions.declare_file(ctx.label.name + ".wasm"))
    return [
        DefaultInfo(files = depset([final]), runfiles = ctx.runfiles(files = [final])),
        # It exports what the root's world exports; of the root's imports, the
        # ones no plug satisfies remain.
        WasmComponentInfo(wasm = final, wit = root.wit, world = root.world, profile = root.profile),
    ]

wasm_compose = rule(
    implementation = _compose_impl,
    doc = """A component made of `root` with `plugs` instantiated inside it: every
import of the root (or of another plug) that a plug exports under the same
name (`package:name/interface@version`) is satisfied by that plug; the others
stay imports of the result, which exports what the root exports. Composition
is wasm-compose's, run by `wasmrust compose` as one cached action; a plug that
satisfies no import fails the build, naming what it exports and what is
imported.

Example:

    wasm_compose(
        name = "app_with_host",
        root = ":app",
        plugs = [":host_impl"],
    )
""",
    attrs = dict(TOOLS_ATTRS, **{
        "root": attr.label(mandatory = True, providers = [WasmComponentInfo], doc = "The component whose imports are satisfied: a `wasm_component` (or `wasm_compose`) target."),
        "plugs": attr.label_list(mandatory = True, allow_empty = False, providers = [WasmComponentInfo], doc = "The components plugged in: `wasm_component` (or `wasm_compose`) targets."),
    }),
)
