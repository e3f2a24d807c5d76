"""wasm_test: Rust tests run inside a wasm module, in the profile's real runtime."""

load("//platforms:profiles.bzl", "PROFILES")
load("//toolchains/private:providers.bzl", "TOOLCHAIN_TYPE")
load("//toolchains/private:settings.bzl", "test_transition")
load("//toolchains/private/actions:postlink.bzl", "componentize")
load("//toolchains/private/rules:rust.bzl", "LINK_ATTRS", "link_module")

# How each profile's runner is started; `{module}` is the test module.
_RUNNERS = {
    "chromium": ["node", "--no-warnings", "{browser}", "{module}"],
    "node": ["node", "--no-warnings", "{node}", "{module}"],
    "wasmi": ["{run}", "test", "--runtime", "wasmi", "--target", "{triple}", "{module}"],
    "wasmtime": ["{run}", "test", "--runtime", "wasmtime", "{module}"],
}

def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def _wasm_test_impl(ctx):
    tc = ctx.toolchains[TOOLCHAIN_TYPE]
    module, _, _ = link_module(ctx, "reactor", extra_deps = [ctx.attr._harness], cfgs = ["test"])
    if tc.component_model:
        module = componentize(
            ctx,
            tc.tools,
            module,
            ctx.files._harness_wit,
            "harness",
            ctx.actions.declare_file("{}/{}.component.wasm".format(ctx.label.name, ctx.label.name)),
        )
    runner = PROFILES[tc.profile].test_runner
    paths = {
        "browser": ctx.file._browser_runner.short_path,
        "module": module.short_path,
        "node": ctx.file._node_runner.short_path,
        "run": tc.runner.short_path,
        "triple": tc.triple,
    }
    command = [_shell_quote(arg.format(**paths)) for arg in _RUNNERS[runner]]
    if ctx.file.js_imports:
        if runner not in ("chromium", "node"):
            fail("{}: `js_imports` needs a JS host, but the `{}` profile runs tests in {}; set `profile` to browser or node".format(ctx.label, tc.profile, runner))
        command += ["--js-imports", _shell_quote(ctx.file.js_imports.short_path)]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        script,
        "#!/usr/bin/env bash\n# {} ({} profile, {})\nexec {} \"$@\"\n".format(ctx.label, tc.profile, runner, " ".join(command)),
        is_executable = True,
    )
    runfiles = ctx.runfiles(files = [module, tc.runner] + ctx.files._runner_files + ctx.files.js_imports + ctx.files.data)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

wasm_test = rule(
    implementation = _wasm_test_impl,
    doc = """Rust tests compiled into a wasm module and run in the profile's real
runtime: headless Chromium (browser), node (node), wasmtime (wasmtime, as a
component) or the wasmi interpreter (embedded, after a wasmparser check that
the module is MVP-only). The sources are compiled with `--cfg test` and the
`wasm_test` harness crate; tests are declared with `wasm_test::tests!`.
Output and exit status follow libtest; `--test_filter` and `--test_arg`
select tests by substring.

Example:

    wasm_test(
        name = "numbers_test",
        srcs = ["numbers/lib.rs"],
        profile = "node",   # or empty: the active --config=<profile>
    )
""",
    attrs = dict(LINK_ATTRS, **{
        "js_imports": attr.label(
            allow_single_file = [".mjs"],
            doc = "browser and node: an ES module whose default export `(state) => importObject` gives the module's JS imports (`state.instance` is the instance once it exists, for its memory). It may import helpers listed in `data` by relative path.",
        ),
        "_harness": attr.label(default = Label("//crates/wasm-test:wasm_test")),
        "_harness_wit": attr.label(default = Label("//crates/wasm-test:wit"), allow_files = True),
        "_node_runner": attr.label(default = Label("//toolchains/runners:node_test.mjs"), allow_single_file = True),
        "_browser_runner": attr.label(default = Label("//toolchains/runners:browser_test.mjs"), allow_single_file = True),
        "_runner_files": attr.label(default = Label("//toolchains/runners:files")),
    }),
    toolchains = [TOOLCHAIN_TYPE],
    incompatible_use_toolchain_transition = True,
    cfg = test_transition,
    test = True,
)
