#!/usr/bin/env python3
"""Materialises third-party crates for the `wasm_crates_repository` rule.

Given a dependencies-only Cargo package (Cargo.toml + Cargo.lock), this:

1. vendors every crate with cargo itself (`cargo vendor --locked`), from
   cargo's download cache when it has them (no network), else from the
   registry;
2. checks each vendored crate's sha256 against Cargo.lock;
3. asks cargo how it would build the package for each profile's wasm target
   (`cargo build --unit-graph`: the exact units, features, proc macros and
   build scripts after feature resolution, per target);
4. writes a BUILD file with one target per distinct unit, and a public alias
   per direct dependency (`@crates//:serde`).

Everything written is a pure function of the lock file and the profile table:
sorted, no absolute paths, no timestamps.

Usage (from the repository rule):
  crates_gen.py --manifest M --lockfile L --out DIR --cargo C --rustc R \
      --profile browser=wasm32-unknown-unknown=@//platforms:is_browser ... \
      --rules @//toolchains/private/rules:cargo.bzl --repo-name crates --source-label //third_party:Cargo.toml
"""

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

HOST = "x86_64-unknown-linux-gnu"


class GenError(Exception):
    pass


def run(cmd, cwd, env, what):
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise GenError(f"{what} failed ({' '.join(cmd[:3])} ...):\n{p.stderr.strip()}")
    return p.stdout


def cargo_env(rustc, cargo_home):
    env = {
        "PATH": "/usr/bin:/bin",
        "RUSTC": rustc,
        "RUSTC_BOOTSTRAP": "1",  # `--unit-graph` is unstable
        "CARGO_TERM_COLOR": "never",
        "CARGO_NET_RETRY": "3",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
    }
    if cargo_home:
        env["CARGO_HOME"] = cargo_home
    for k in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


def parse_lock(text):
    """[[package]] entries of a Cargo.lock: list of dicts with name, version, source, checksum."""
    pkgs, cur = [], None
    for line in text.splitlines():
        line = line.strip()
        if line == "[[package]]":
            cur = {}
            pkgs.append(cur)
        elif line.startswith("[") :
            cur = None
        elif cur is not None:
            m = re.match(r'^(name|version|source|checksum) = "(.*)"$', line)
            if m:
                cur[m.group(1)] = m.group(2)
    return pkgs


def vendor(args, ws, vendor_dir, env):
    base = [args.cargo, "vendor", "--locked", "--versioned-dirs", "--manifest-path", os.path.join(ws, "Cargo.toml"), vendor_dir]
    # Offline first: once cargo has downloaded the crates, nothing is fetched again.
    p = subprocess.run(base + ["--offline"], cwd=ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode == 0:
        return "offline"
    stderr = p.stderr
    if "--locked" not in stderr and "lock file" not in stderr:
        p = subprocess.run(base, cwd=ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode == 0:
            return "downloaded"
        stderr = p.stderr
    wrong = re.search(r"checksum for `(\S+) v(\S+)` changed between lock files|failed to verify the checksum of `(\S+) v(\S+)`", stderr)
    if wrong:
        name, version = (wrong.group(1), wrong.group(2)) if wrong.group(1) else (wrong.group(3), wrong.group(4))
        raise GenError(wrong_checksum(args, name, version))
    if "lock file" in stderr and ("needs to be updated" in stderr or "--locked" in stderr):
        raise GenError(
            f"{args.lock_label} is out of date with {args.manifest_label}: cargo would change it.\n"
            f"Fix: cargo update --workspace --manifest-path {args.manifest_label_path}  (or `cargo generate-lockfile`), then commit the new Cargo.lock.\n"
            f"cargo said:\n{stderr.strip()}"
        )
    raise GenError(f"cargo vendor failed for {args.manifest_label}:\n{stderr.strip()}\n"
                   "If the crates are not in cargo's cache yet, this needs the crate registry (crates.io) once.")


def cargo_home(args):
    return args.cargo_home or os.environ.get("CARGO_HOME") or os.path.join(os.environ.get("HOME", "/root"), ".cargo")


def registry_checksum(args, name, version):
    """The sha256 of crate `name` `version` as the registry publishes it, from
    cargo's caches: the downloaded `.crate` file, else the index entry.
    None when cargo has neither."""
    home = cargo_home(args)
    for crate in sorted(glob.glob(os.path.join(home, "registry", "cache", "*", f"{name}-{version}.crate"))):
        h = hashlib.sha256()
        with open(crate, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    # Index cache entries: NUL-separated, one JSON line per published version.
    lower = name.lower()
    shard = {1: ["1"], 2: ["2"], 3: ["3", lower[:1]]}.get(len(lower), [lower[:2], lower[2:4]])
    for entry in sorted(glob.glob(os.path.join(home, "registry", "index", "*", ".cache", *shard, lower))):
        try:
            with open(entry, "rb") as f:
                chunks = f.read().split(b"\0")
        except OSError:
            continue
        for chunk in chunks:
            if chunk.startswith(b"{"):
                try:
                    record = json.loads(chunk)
                except ValueError:
                    continue
                if record.get("name") == name and record.get("vers") == version and record.get("cksum"):
                    return record["cksum"]
    return None


def wrong_checksum(args, name, version):
    """The error for a Cargo.lock whose checksum for `name` `version` is not
    the registry's: the user's file, the crate, both checksums and the fix."""
    lock = args.lock_label_path
    with open(args.lockfile) as f:
        listed = next((p.get("checksum") for p in parse_lock(f.read()) if p.get("name") == name and p.get("version") == version), None)
    real = registry_checksum(args, name, version)
    head = f"{lock}: the checksum of crate {name} {version} is not the registry's:\n"
    mine, theirs = f"in {lock}:", "in the crate registry:"
    width = max(len(mine), len(theirs))
    head += f"    {mine:<{width}} {listed}\n"
    if real and real == listed:
        return (head.replace("is not the registry's", "does not match cargo's cached registry index")
                + f"    the cached {name}-{version}.crate agrees with the lock, so cargo's cache is what is damaged.\n"
                f"Fix: delete the cached index entry and crate of {name} ({cargo_home(args)}/registry/index/*/.cache/…/{name.lower()}, "
                f"{cargo_home(args)}/registry/cache/*/{name}-{version}.crate) and build again; cargo fetches them once more.")
    head += f"    {theirs:<{width}} {real}\n" if real else "    (cargo's cache does not hold the registry's checksum for it)\n"
    return (head
            + "The lock line was changed: a published crate's checksum never changes. Fix: restore the line with git "
            f"(`git diff {lock}` shows the change):\n    git checkout -- {lock}\n"
            f"or regenerate the lock (ReadMe.md):\n    cargo generate-lockfile --manifest-path {args.manifest_label_path}")


def check_checksums(lock_pkgs, vendor_dir, lock_label):
    checked = 0
    for p in lock_pkgs:
        src = p.get("source", "")
        if not src:
            continue  # the root package itself
        if not src.startswith("registry+"):
            raise GenError(f"{lock_label}: {p['name']} {p['version']} comes from `{src}`; only registry crates are supported (vendor it as a local crate or publish it)")
        d = os.path.join(vendor_dir, f"{p['name']}-{p['version']}")
        if not os.path.isdir(d):
            continue  # not needed on any platform cargo vendored for
        with open(os.path.join(d, ".cargo-checksum.json")) as f:
            got = json.load(f).get("package")
        if got != p.get("checksum"):
            raise GenError(f"{p['name']} {p['version']}: vendored crate sha256 {got} does not match {lock_label} ({p.get('checksum')}); "
                           "the download or cargo's cache is corrupt: delete ~/.cargo/registry/cache/*/" + f"{p['name']}-{p['version']}.crate and fetch again")
        checked += 1
    return checked


def unit_graph(args, ws, env, triple):
    out = run([args.cargo, "build", "--unit-graph", "-Z", "unstable-options", "--target", triple,
               "--release", "--locked", "--offline"], ws, env, f"cargo's build plan for {triple}")
    g = json.loads(out)
    if g.get("version") != 1:
        raise GenError(f"unexpected cargo unit-graph version {g.get('version')}")
    return g


def pkg_of(unit):
    # "registry+https://…#serde@1.0.229" or "path+file:///…#third_party@0.0.0"
    return unit["pkg_id"].rsplit("#", 1)[1].rsplit("@", 1)


class Graph:
    """The units of every profile's unit graph, deduplicated into Bazel targets."""

    def __init__(self, root_dir, vendor_dir, metadata):
        self.vendor_dir = vendor_dir
        self.root_dir = root_dir
        self.links = {(p["name"], p["version"]): p.get("links") for p in metadata["packages"]}
        self.scripts = {}  # build-script target name -> (rule, package, attrs)

    def rel(self, path):
        rel = os.path.relpath(path, self.root_dir)
        if rel.startswith(".."):
            raise GenError(f"{path} is outside the vendored crates")
        return rel


def unit_class(u):
    kinds = u["target"]["kind"]
    if u["mode"] == "run-custom-build":
        return "run"
    if "custom-build" in kinds:
        return "script"
    if "proc-macro" in kinds:
        return "proc_macro"
    return "host_lib" if u["platform"] is None else "lib"


def generate(args, graphs, metadata, root_dir):
    """Returns the BUILD file text for the per-profile unit graphs."""
    vendor_dir = os.path.join(root_dir, "vendor")
    g = Graph(root_dir, vendor_dir, metadata)

    # Signatures: everything a unit's generated target depends on, recursively.
    per_profile = {}  # profile -> (units, sigs, root index)
    for profile, (triple, graph) in graphs.items():
        units = graph["units"]
        roots = [i for i, u in enumerate(units) if u["pkg_id"].startswith("path+") and unit_class(u) not in ("script", "run")]
        if len(roots) != 1:
            raise GenError(f"expected one local package in cargo's plan for {triple}, found {len(roots)}")
        sigs = {}

        def sig(i, stack=()):
            if i in sigs:
                return sigs[i]
            u = units[i]
            deps = sorted((d["extern_crate_name"], sig(d["index"])) for d in u["dependencies"])
            s = json.dumps([u["pkg_id"], unit_class(u), u["target"]["name"], sorted(u["features"]), deps], sort_keys=True)
            sigs[i] = s
            return s

        for i in range(len(units)):
            sig(i)
        per_profile[profile] = (units, sigs, roots[0])

    # Name every distinct signature.
    seen = {}  # (base) -> {sig: set(profiles)}
    for profile, (units, sigs, root) in per_profile.items():
        for i, u in enumerate(units):
            if i == root or u["mode"] == "run-custom-build" or root_script(units, root, i):
                continue
            seen.setdefault(base_name(u), {}).setdefault(sigs[i], set()).add(profile)
    names = {}  # sig -> target name
    for base, variants in seen.items():
        if len(variants) == 1:
            names[next(iter(variants))] = base
        else:
            for s, profiles in variants.items():
                names[s] = base + "__" + "_".join(sorted(profiles))

    # Emit targets, once per name.
    targets = {}
    public = {}  # alias -> {profile: name}
    for profile, (units, sigs, root) in sorted(per_profile.items()):
        paths = dependency_paths(units, root)
        for d in units[root]["dependencies"]:
            u = units[d["index"]]
            if unit_class(u) == "run":
                # The root's build script: its dependencies are the host crates
                # of `[build-dependencies]`, the default branch of the aliases.
                for s_dep in u["dependencies"]:
                    for h in units[s_dep["index"]]["dependencies"]:
                        name, _ = pkg_of(units[h["index"]])
                        public.setdefault(name, {})["//conditions:default"] = names[sigs[h["index"]]]
                continue
            name, _ = pkg_of(u)
            public.setdefault(name, {})[profile] = names[sigs[d["index"]]]
        for i, u in enumerate(units):
            if i == root or unit_class(u) in ("run", "script"):
                continue
            tname = names[sigs[i]]
            if tname in targets:
                continue
            targets[tname] = emit_unit(g, units, sigs, names, i, paths.get(i, []))
    targets.update(g.scripts)
    return render(args, targets, public, sorted(graphs.keys()))


def root_script(units, root, i):
    """Whether unit `i` is the root package's own (stub) build script."""
    return unit_class(units[i]) == "script" and units[i]["pkg_id"] == units[root]["pkg_id"]


def base_name(u):
    name, version = pkg_of(u)
    cls = unit_class(u)
    suffix = {"lib": "", "proc_macro": "", "host_lib": "__host", "script": "__build_script"}[cls]
    return f"{name}-{version}{suffix}"


def dependency_paths(units, root):
    """Unit index -> the package names on a shortest path from the root (BFS)."""
    paths = {root: [pkg_of(units[root])[0]]}
    queue = [root]
    while queue:
        i = queue.pop(0)
        for d in units[i]["dependencies"]:
            j = d["index"]
            if j not in paths:
                u = units[j]
                label = pkg_of(u)[0]
                if unit_class(u) == "proc_macro":
                    label += " (proc macro)"
                elif unit_class(u) in ("script", "run"):
                    label += " (build script)"
                paths[j] = paths[i] + ([label] if label != paths[i][-1] else [])
                queue.append(j)
    return paths


def emit_unit(g, units, sigs, names, i, path):
    u = units[i]
    cls = unit_class(u)
    name, version = pkg_of(u)
    src = g.rel(u["target"]["src_path"])
    crate_dir = src.split("/")[0] + "/" + src.split("/")[1]  # vendor/<name>-<version>
    attrs = {
        "crate_name": u["target"]["name"].replace("-", "_"),
        "crate_root": src,
        "edition": u["target"]["edition"],
        "crate_features": sorted(u["features"]),
        "manifest": crate_dir + "/Cargo.toml",
        "package_dir": crate_dir,
        "version": version,
        "dependency_path": " -> ".join(path),
    }
    deps, macros, aliases = [], [], {}
    build_script = None
    for d in u["dependencies"]:
        dep = units[d["index"]]
        dcls = unit_class(dep)
        if dcls == "run":
            # The lib's build script: the run unit depends on the script's compile unit.
            # It runs in the lib's configuration: a wasm target's, or the exec platform's.
            script_idx = [x["index"] for x in dep["dependencies"] if unit_class(units[x["index"]]) == "script"][0]
            host = cls in ("host_lib", "proc_macro")
            build_script = names[sigs[script_idx]] + ("__host" if host else "")
            if build_script not in g.scripts:
                rule, _, sattrs = emit_unit(g, units, sigs, names, script_idx, path[:-1] + [name + " (build script)"])
                g.scripts[build_script] = ("cargo_host_build_script" if host else "cargo_build_script", name, sattrs)
            continue
        if dcls == "script":
            continue
        label = ":" + names[sigs[d["index"]]]
        (macros if dcls == "proc_macro" else deps).append(label)
        if d["extern_crate_name"] != dep["target"]["name"].replace("-", "_"):
            aliases[label] = d["extern_crate_name"]
    attrs["deps"] = sorted(deps)
    if cls != "script":
        attrs["proc_macro_deps"] = sorted(macros)
    attrs["aliases"] = aliases
    if build_script:
        attrs["build_script"] = ":" + build_script
    if cls == "script":
        attrs["crate_name"] = "build_script_build"
        links = g.links.get((name, version))
        if links:
            attrs["links"] = links
        rule = "cargo_build_script"
    else:
        rule = {"lib": "cargo_crate", "host_lib": "cargo_host_crate", "proc_macro": "cargo_proc_macro"}[cls]
    return rule, name, attrs


def starlark(v, indent="    "):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        if not v:
            return "[]"
        inner = "".join(f"{indent}    {starlark(x)},\n" for x in v)
        return "[\n" + inner + indent + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        inner = "".join(f"{indent}    {starlark(k)}: {starlark(x)},\n" for k, x in sorted(v.items()))
        return "{\n" + inner + indent + "}"
    raise TypeError(v)


def render(args, targets, public, profiles):
    out = [
        "# Generated by @wasmrust//toolchains/private:crates_gen.py from",
        f"# {args.manifest_label} and {args.lock_label}. Do not edit: change those and rebuild.",
        f'load("{args.rules}", "cargo_build_script", "cargo_crate", "cargo_host_crate", "cargo_host_build_script", "cargo_proc_macro")',
        "",
        'package(default_visibility = ["//visibility:public"])',
        "",
    ]
    for p in profiles:
        out += [
            "config_setting(",
            f'    name = "profile_{p}",',
            f'    constraint_values = ["{args.platform_labels[p]}"],',
            ")",
            "",
        ]
    out += [
        "# The crates Cargo.toml depends on directly: the wasm build for each profile,",
        "# and in the exec configuration (proc macros' deps) the host build of",
        "# `[build-dependencies]`.",
    ]
    for alias in sorted(public):
        by_profile = dict(public[alias])
        host = by_profile.pop("//conditions:default", None)
        choices = set(by_profile.values())
        if not by_profile:
            actual = starlark(":" + host)
        elif len(choices) == 1 and len(by_profile) == len(profiles) and not host:
            actual = starlark(":" + next(iter(choices)))
        else:
            sel = {f":profile_{p}": ":" + t for p, t in sorted(by_profile.items())}
            if host:
                sel["//conditions:default"] = ":" + host
            missing = [] if host else sorted(set(profiles) - set(by_profile))
            if missing:
                why = f"{alias} is not a dependency for profile(s) {', '.join(missing)} (a target-specific dependency in {args.manifest_label})"
            else:
                why = (f"@{args.repo_name}//:{alias} differs per profile: depend on it from a wasm target, or build it "
                       "with --config=<profile> --platforms=//platforms:<profile>")
            why = f'\n        no_match_error = "{why}",' if not host else ""
            actual = "select(\n        " + starlark(sel, "        ") + "," + why + "\n    )"
        out += ["alias(", f"    name = {starlark(alias)},", f"    actual = {actual},", ")", ""]
    for tname in sorted(targets):
        rule, pkg, attrs = targets[tname]
        d = attrs["package_dir"]
        lines = [f"{rule}(", f"    name = {starlark(tname)},"]
        lines.append(f'    srcs = glob([{starlark(d + "/**/*.rs")}]),')
        lines.append(f'    compile_data = glob([{starlark(d + "/**")}], exclude = [{starlark(d + "/**/*.rs")}]),')
        for k in ("crate_name", "crate_root", "edition", "manifest", "version", "links", "crate_features", "deps", "proc_macro_deps", "aliases", "build_script", "dependency_path"):
            if k in attrs and attrs[k] not in ([], {}, None):
                lines.append(f"    {k} = {starlark(attrs[k])},")
        lines.append(f"    package_name = {starlark(pkg)},")
        lines.append('    rustc_flags = ["--cap-lints=allow"],  # as cargo does for non-local crates')
        lines.append('    tags = ["manual"],')
        lines.append(")")
        out += lines + [""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--lockfile", required=True)
    ap.add_argument("--manifest-label", required=True)
    ap.add_argument("--lock-label", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cargo", required=True)
    ap.add_argument("--rustc", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--cargo-home", default="")
    ap.add_argument("--repo-name", default="crates")
    ap.add_argument("--profile", action="append", default=[], help="NAME=TRIPLE=PLATFORM_CONSTRAINT_LABEL")
    args = ap.parse_args()
    args.manifest_label_path = args.manifest_label.lstrip("@/").replace(":", "/")
    args.lock_label_path = args.lock_label.lstrip("@/").replace(":", "/")
    profiles = {}
    args.platform_labels = {}
    for p in args.profile:
        name, triple, label = p.split("=", 2)
        profiles[name] = triple
        args.platform_labels[name] = label

    out = os.path.abspath(args.out)
    ws = os.path.join(out, "cargo_workspace")
    vendor_dir = os.path.join(out, "vendor")
    for d in (ws, vendor_dir):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(ws, "src"))
    shutil.copyfile(args.manifest, os.path.join(ws, "Cargo.toml"))
    shutil.copyfile(args.lockfile, os.path.join(ws, "Cargo.lock"))
    for stub in ("lib.rs", "src/lib.rs"):  # the package's (unbuilt) lib target, wherever it points
        open(os.path.join(ws, stub), "w").close()
    # A build script makes cargo plan `[build-dependencies]` for the host:
    # they are the host crates users' own proc macros depend on.
    with open(os.path.join(ws, "build.rs"), "w") as f:
        f.write("fn main() {}\n")
    env = cargo_env(args.rustc, args.cargo_home)

    vendor(args, ws, vendor_dir, env)
    with open(args.lockfile) as f:
        lock_pkgs = parse_lock(f.read())
    check_checksums(lock_pkgs, vendor_dir, args.lock_label_path)

    os.makedirs(os.path.join(ws, ".cargo"))
    with open(os.path.join(ws, ".cargo", "config.toml"), "w") as f:
        f.write('[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "%s"\n' % vendor_dir)
    env["CARGO_TARGET_DIR"] = os.path.join(out, "cargo_target")
    metadata = json.loads(run([args.cargo, "metadata", "--format-version", "1", "--locked", "--offline"], ws, env, "cargo metadata"))
    graphs = {p: (t, unit_graph(args, ws, env, t)) for p, t in sorted(profiles.items())}
    build = generate(args, graphs, metadata, out)

    # Crates sometimes ship Bazel files; they would cut the globs above into packages.
    for dirpath, dirnames, filenames in os.walk(vendor_dir):
        for fn in filenames:
            if fn in ("BUILD", "BUILD.bazel", "WORKSPACE", "WORKSPACE.bazel", "MODULE.bazel", "REPO.bazel"):
                os.remove(os.path.join(dirpath, fn))
    shutil.rmtree(ws)
    shutil.rmtree(env["CARGO_TARGET_DIR"], ignore_errors=True)
    with open(os.path.join(out, "BUILD.bazel"), "w") as f:
        f.write(build)
    # Nothing on stdout: the repository rule streams this script's output to the terminal.


if __name__ == "__main__":
    try:
        main()
    except GenError as e:
        print(str(e), file=sys.stderr)
        sys.exit(1)
