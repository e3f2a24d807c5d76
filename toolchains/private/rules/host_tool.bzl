"""The host tools (`wasmrust`, `wasmrust-run`) as Bazel sees them: checked against their sources."""

load("//toolchains/private:settings.bzl", "host_tool_transition")

def _host_tool_impl(ctx):
    binary = ctx.file.binary
    out = ctx.actions.declare_file("checked/" + binary.basename)
    args = ctx.actions.args()
    args.add("check-sources")
    args.add(binary)
    args.add("--label", str(ctx.label))
    args.add("--root", ctx.label.workspace_root)
    args.add("-o", out)
    args.add_all(ctx.files.srcs)
    ctx.actions.run(
        executable = binary,
        arguments = [args],
        inputs = ctx.files.srcs,
        outputs = [out],
        mnemonic = "WasmHostTool",
        progress_message = "Checking {} against its sources".format(binary.short_path),
    )
    return [DefaultInfo(executable = out, files = depset([out]))]

host_tool = rule(
    implementation = _host_tool_impl,
    doc = """A host tool built by the setup command (`cargo build`, outside Bazel),
checked against the sources it embeds a manifest of. The one action fails,
naming each file that differs and the command that rebuilds the tools, when
the binary in compiler/bin was built from other sources than the checkout
holds; otherwise it outputs a copy of the binary, which is what every other
action runs. So an edit to a tool's sources is never silently ignored, and a
rebuilt tool reruns exactly the actions that run it.

Example:

    host_tool(name = "driver", binary = "wasmrust", srcs = ["//:wasmrust_sources"])
""",
    attrs = {
        "binary": attr.label(allow_single_file = True, mandatory = True, doc = "The prebuilt tool."),
        "srcs": attr.label_list(allow_files = True, mandatory = True, doc = "Every file the tool is built from (compiler/wasmrust/src/sources/manifest.rs lists them)."),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
    },
    cfg = host_tool_transition,
    executable = True,
)
