"""Post-link actions: `wasmrust opt`, `componentize`, `compose`, `normalize`, `size`."""

load("//platforms:profiles.bzl", "PROFILES")

def _run(ctx, tools, subcommand, args_list, inputs, output, what):
    args = ctx.actions.args()
    args.add(subcommand)
    args.add_all(args_list)
    args.add("-o", output)
    ctx.actions.run(
        executable = tools.driver,
        arguments = [args],
        inputs = inputs,
        outputs = [output],
        mnemonic = "Wasm" + subcommand.capitalize(),
        progress_message = "{} {} ({})".format(what, ctx.label, output.basename),
    )
    return output

def optimize(ctx, tools, module, triple, features, out, profile = None):
    """wasm-opt with the release policy (`optimize::RELEASE`), with exactly the module's features.

    With `profile`, the `#[wasm::effect]` declarations are checked first and
    the `wasmrust.fx.*` exports that kept undeclared-export functions alive
    for the check are stripped, so wasm-opt removes what only they kept.

    Args:
      ctx: the rule context.
      tools: `tools_of(ctx)` (a WasmToolsInfo).
      module: the linked module File.
      triple: the target triple.
      features: the profile's extra wasm features.
      out: the optimized module File.
      profile: the host profile whose effect rules apply, or None.

    Returns:
      `out`.
    """
    extra = ["--target", triple, "--mode", "release"]
    for f in features:
        extra += ["--feature", f]
    if profile:
        extra += ["--check-effects", "--label", str(ctx.label)]
        if PROFILES[profile].has_js:
            extra.append("--js-host")
    return _run(ctx, tools, "opt", extra + [module.path], [module], out, "Optimizing")

def normalize(ctx, tools, wasm, mode, out, triple = None, features = [], profile = None):
    """The custom-section policy: names kept in dev, dropped in release.

    With `triple`, the module must also use only that target's WebAssembly
    features plus `features` (the profile's), and import WASI only on WASI
    targets, and its functions may do only what their `#[wasm::effect]`
    records declare: a post-MVP instruction in an embedded module, a WASI
    import in a browser module, or an undeclared effect fails the build here,
    naming the target and `profile`.

    Args:
      ctx: the rule context.
      tools: `tools_of(ctx)` (a WasmToolsInfo).
      wasm: the module or component File.
      mode: `dev` or `release`.
      out: the normalized File.
      triple: the target triple whose features and imports are checked, or None.
      features: the profile's extra wasm features.
      profile: the host profile, named in errors and whose effect rules apply.

    Returns:
      `out`.
    """
    extra = ["--mode", mode]
    if triple:
        extra += ["--target", triple, "--label", str(ctx.label)]
        if profile:
            extra += ["--profile", profile]
            if PROFILES[profile].has_js:
                extra.append("--js-host")
        for f in features:
            extra += ["--feature", f]
    return _run(ctx, tools, "normalize", extra + [wasm.path], [wasm], out, "Normalizing")

def componentize(ctx, tools, module, wit_files, world, out):
    """wit-component: the core module plus its WIT world becomes a component.

    Args:
      ctx: the rule context.
      tools: `tools_of(ctx)` (a WasmToolsInfo).
      module: the core module File.
      wit_files: the WIT Files (one directory plus its deps/).
      world: the world to target, or None for the package's only world.
      out: the component File.

    Returns:
      `out`.
    """
    extra = [module.path]
    if wit_files:
        extra += _wit_args(ctx, wit_files, world)
    return _run(ctx, tools, "componentize", extra, [module] + wit_files, out, "Componentizing")

def compose(ctx, tools, root, plugs, out):
    """wasm-compose: the plugs' exports satisfy the root component's imports.

    Args:
      ctx: the rule context.
      tools: `tools_of(ctx)` (a WasmToolsInfo).
      root: the root component File; the result exports what it exports.
      plugs: the component Files plugged into its imports.
      out: the composed component File.

    Returns:
      `out`.
    """
    extra = [root.path]
    for plug in plugs:
        extra += ["--plug", plug.path]
    return _run(ctx, tools, "compose", extra, [root] + plugs, out, "Composing")

def _wit_args(ctx, wit_files, world):
    """`--wit DIR [--world W]`: the package directory of `wit_files` (plus its deps/)."""
    dirs = {f.dirname: True for f in wit_files if "/deps/" not in f.path}
    if len(dirs) != 1:
        fail("{}: the `wit` files must be in one directory (plus its deps/), found: {}".format(ctx.label, ", ".join(sorted(dirs.keys())) or "none"))
    return ["--wit", dirs.keys()[0]] + (["--world", world] if world else [])

def bindgen(ctx, tools, wit_files, world, crate_name, out):
    """`wasmrust bindgen`: the Rust bindings crate of a WIT world, as one source file.

    Args:
      ctx: the rule context.
      tools: `tools_of(ctx)` (a WasmToolsInfo).
      wit_files: the WIT Files (one directory plus its deps/).
      world: the world, or None for the package's only world.
      crate_name: the name the crate is compiled under (its `export!` macro names it).
      out: the `.rs` File.

    Returns:
      `out`.
    """
    extra = _wit_args(ctx, wit_files, world) + ["--crate-name", crate_name]
    return _run(ctx, tools, "bindgen", extra, wit_files, out, "Generating Rust bindings for")

def size_report(ctx, tools, wasm, out_text, out_json, out_html = None):
    """Registers `wasmrust size`, the size report of a module.

    Sections, code by kind, the largest functions, retained sizes (the call
    graph's dominator tree) and what pulled in panics, formatting and the
    allocator; as text, JSON and (with `out_html`) one self-contained HTML
    page with a treemap and a sortable table.

    Args:
      ctx: the rule context.
      tools: `tools_of(ctx)` (a WasmToolsInfo).
      wasm: the module File.
      out_text: the text report File.
      out_json: the JSON report File.
      out_html: the HTML report File, or None.
    """
    args = ctx.actions.args()
    args.add("size", wasm)
    args.add("-o", out_text)
    args.add("--json", out_json)
    outputs = [out_text, out_json]
    if out_html:
        args.add("--html", out_html)
        outputs.append(out_html)
    ctx.actions.run(
        executable = tools.driver,
        arguments = [args],
        inputs = [wasm],
        outputs = outputs,
        mnemonic = "WasmSize",
        progress_message = "Measuring {} ({})".format(ctx.label, wasm.basename),
    )
