"""Generates the host-profile table of docs/host-profiles.md from platforms/profiles.bzl."""

load("//platforms:profiles.bzl", "PROFILES")

_COLUMNS = [
    ("profile", None),
    ("target triple", "triple"),
    ("extra wasm features", "features"),
    ("SIMD (`--config=simd`)", "simd"),
    ("release opt-level", "release_opt"),
    ("std", "std"),
    ("threads", "threads"),
    ("JS interop", "js"),
    ("Component Model", "component_model"),
    ("memory", "memory"),
    ("stack", "stack_size"),
    ("max memory", "max_memory"),
    ("global allocator", "allocator"),
    ("tests run in", "runtime"),
]

def _cell(name, p, field):
    if field == None:
        return "`{}`".format(name)
    v = getattr(p, field)
    if field == "features":
        return ", ".join(v) if v else "none (rustc's defaults)"
    if field in ("stack_size", "max_memory"):
        return "unbounded" if v == 0 else "{} KiB".format(v // 1024)
    if field == "simd":
        return "opt-in" if v else "no (MVP)"
    if field == "std":
        return "yes" if v else "no (`core` + `alloc`)"
    if field == "allocator":
        return "`wasm::alloc::Heap`" if v == "heap" else "std's (wasi-libc dlmalloc)" if p.std and p.triple.startswith("wasm32-wasi") else "the crate's own" if not p.std else "std's"
    if field in ("triple", "release_opt"):
        return "`{}`".format(v)
    return v

def profile_table_markdown():
    """The profile table as Markdown.

    Returns:
      The table, one row per profile, as a string.
    """
    lines = [
        "| " + " | ".join([c[0] for c in _COLUMNS]) + " |",
        "|" + "---|" * len(_COLUMNS),
    ]
    for name, p in PROFILES.items():
        lines.append("| " + " | ".join([_cell(name, p, c[1]) for c in _COLUMNS]) + " |")
    return "\n".join(lines) + "\n"

def _profile_table_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".md")
    ctx.actions.write(out, profile_table_markdown())
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

profile_table = rule(
    implementation = _profile_table_impl,
    doc = "Writes `<name>.md`: the host-profile table generated from platforms/profiles.bzl.",
)
