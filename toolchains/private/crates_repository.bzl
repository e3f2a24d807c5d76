"""`wasm_crates_repository`: third-party crates from Cargo.lock, as Bazel targets.

The work is done by crates_gen.py (vendoring with cargo, checksum checks, cargo's
own per-target build plan, BUILD generation); this rule gives it the pinned
cargo and rustc, the profile table, and reports its errors.
"""

load("//platforms:profiles.bzl", "PROFILES")

def _label_text(label):
    # `@//pkg:name` names the main repository under Bazel 4 and 7+ alike.
    return "@{}//{}:{}".format(label.workspace_name if label.workspace_name != "wasmrust" else "", label.package, label.name)

def _impl(rctx):
    python = rctx.which("python3")
    if python == None:
        fail("{}: python3 is needed to generate the crates' BUILD file; run `apt-get install -y python3`".format(rctx.name))
    cargo = rctx.attr.cargo
    if not rctx.path(cargo).exists:
        fail("{}: no cargo at {}; run `bash tools/setup.sh` (it installs Debian's cargo-web, pinned with rustc-web)".format(rctx.name, cargo))
    args = [
        python,
        rctx.path(rctx.attr._gen),
        "--manifest",
        rctx.path(rctx.attr.manifest),
        "--lockfile",
        rctx.path(rctx.attr.lockfile),
        "--manifest-label",
        str(rctx.attr.manifest),
        "--lock-label",
        str(rctx.attr.lockfile),
        "--out",
        ".",
        "--cargo",
        cargo,
        "--rustc",
        rctx.attr.rustc,
        "--rules",
        _label_text(Label("//toolchains/private/rules:cargo.bzl")),
        "--cargo-home",
        rctx.os.environ.get("CARGO_HOME", ""),
        "--repo-name",
        rctx.name,
    ]
    for name in sorted(PROFILES):
        args += ["--profile", "{}={}={}".format(name, PROFILES[name].triple, _label_text(Label("//platforms:is_" + name)))]
    rctx.report_progress("vendoring crates with cargo")

    # crates_gen.py's error (what is wrong and the fix) streams to the terminal
    # once: Bazel repeats a fetch failure's message for every target that
    # needs the repository, so fail() gets a one-line summary only.
    result = rctx.execute(args, quiet = False, timeout = 1200)
    if result.return_code != 0:
        fail("@{}: could not materialise the crates of {} and {} (the error and its fix are printed above)".format(rctx.name, rctx.attr.manifest, rctx.attr.lockfile))
    rctx.file("WORKSPACE.bazel", "workspace(name = \"{}\")\n".format(rctx.name))

wasm_crates_repository = repository_rule(
    implementation = _impl,
    doc = """Third-party crates for wasm targets, from a Cargo.toml and its Cargo.lock.

Vendors every crate with cargo (from cargo's download cache when possible),
checks each against the sha256 in Cargo.lock, and generates one target per
crate with the features, proc macros and build scripts cargo would use for
each profile's wasm target. Depend on `@<name>//:<package>`.

Re-runs only when the manifest, the lock file or this rule change.

Example (WORKSPACE.bazel):

    load("//toolchains:repositories.bzl", "wasm_crates_repository")
    wasm_crates_repository(
        name = "crates",
        manifest = "//third_party/crates:Cargo.toml",
        lockfile = "//third_party/crates:Cargo.lock",
    )
""",
    attrs = {
        "manifest": attr.label(allow_single_file = ["Cargo.toml"], mandatory = True, doc = "A dependencies-only Cargo package (`[package]` + `[dependencies]`)."),
        "lockfile": attr.label(allow_single_file = ["Cargo.lock"], mandatory = True, doc = "Its Cargo.lock; never updated by the build."),
        "cargo": attr.string(default = "/usr/bin/cargo", doc = "Debian's cargo-web, pinned by the setup command with rustc-web."),
        "rustc": attr.string(default = "/usr/bin/rustc", doc = "The rustc cargo plans with (the same rustc-web the toolchain pins)."),
        "_gen": attr.label(default = Label("//toolchains/private:crates_gen.py"), allow_single_file = True),
    },
    environ = ["CARGO_HOME"],
)
