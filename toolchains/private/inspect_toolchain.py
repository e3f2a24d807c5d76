#!/usr/bin/env python3
"""Finds WasmRust's pinned host toolchain, checks it against the lock, and
writes the lock.

    inspect_toolchain.py lock                  print a fresh lock (JSON) for this machine
    inspect_toolchain.py check LOCK            compare this machine with LOCK; print the
                                               symlink plan (JSON) or explain every mismatch

The repository rule in repository.bzl runs `check`; `lock` regenerates
toolchains/toolchain.lock.json after a deliberate toolchain upgrade:

    /usr/bin/python3 toolchains/private/inspect_toolchain.py lock > toolchains/toolchain.lock.json

What is pinned: each Debian package's exact version, and the sha256 of every
file an action runs or reads (rustc, the libraries it loads, rust-lld, the
component linker) and of whole trees (the library sources, wasi-libc, the
host std for proc macros), hashed as the sha256 of `sha256  relative/path`
lines sorted bytewise.
"""
import hashlib
import json
import os
import subprocess
import sys

# label path in the repository -> path on this machine. The shared libraries
# rustc and rust-lld load are added from `ldd` (glibc itself excepted: it is
# tied to the dynamic loader, which no action can replace).
FILES = {
    "bin/rustc": "/usr/bin/rustc",
    "bin/rust-lld": "/usr/lib/llvm-22/bin/lld",
    "bin/wasm-component-ld": "/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/wasm-component-ld",
}
TREES = {
    "library": "/usr/src/rustc-1.96.0/library",
    "wasi-libc": "/usr/lib/wasm32-wasi",
    "host/lib/rustlib/x86_64-unknown-linux-gnu/lib": "/usr/lib/rustlib/x86_64-unknown-linux-gnu/lib",
}
GLIBC = ("libc.so", "libm.so", "ld-linux", "linux-vdso", "libpthread.so", "libdl.so", "librt.so")
VERSIONS = {
    "rustc": ["/usr/bin/rustc", "--version"],
}
INSTALL_HINT = "apt-get install -y --allow-downgrades {pkg}={version}"
RELOCK_HINT = "/usr/bin/python3 toolchains/private/inspect_toolchain.py lock > toolchains/toolchain.lock.json"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_tree(root):
    lines = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            lines.append(f"{sha256_file(path)}  {rel}\n".encode())
    lines.sort()
    return hashlib.sha256(b"".join(lines)).hexdigest(), len(lines)


def package_version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else None


def owning_package(path):
    """The Debian package that installed `path` (usrmerge-aware)."""
    real = os.path.realpath(path)
    for candidate in (path, real, real.replace("/usr/lib/", "/lib/", 1)):
        r = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":")[0].strip()
    sys.exit(f"error: no Debian package owns {path}; install the toolchain first (see ReadMe.md)")


def loaded_libraries(binary):
    r = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True)
    libs = []
    for line in r.stdout.splitlines():
        if "=>" in line:
            name, rest = line.split("=>", 1)
            path = rest.split("(")[0].strip()
            if path and not name.strip().startswith(GLIBC):
                # Keep the SONAME the loader looks for; hash the file it resolves to.
                libs.append((name.strip(), os.path.realpath(path)))
    return libs


def inspect():
    """What this machine has, in the lock's shape."""
    out = {"schema": 1, "packages": {}, "files": {}, "trees": {}, "versions": {}}
    files = dict(FILES)
    for binary in ("/usr/bin/rustc", "/usr/lib/llvm-22/bin/lld"):
        for soname, lib in loaded_libraries(binary):
            files.setdefault("lib/" + soname, lib)
    for key, path in sorted(files.items()):
        if not os.path.exists(path):
            sys.exit(f"error: {path} is missing; install the toolchain first (see ReadMe.md)")
        pkg = owning_package(path)
        out["packages"][pkg] = package_version(pkg)
        out["files"][key] = {"package": pkg, "path": path, "sha256": sha256_file(path)}
    for key, path in sorted(TREES.items()):
        pkg = owning_package(path)
        out["packages"][pkg] = package_version(pkg)
        digest, count = sha256_tree(path)
        out["trees"][key] = {"package": pkg, "path": path, "sha256": digest, "files": count}
    for key, argv in VERSIONS.items():
        try:
            out["versions"][key] = subprocess.run(argv, capture_output=True, text=True).stdout.strip() or None
        except OSError:
            out["versions"][key] = None
    return out


def check(lock_path):
    with open(lock_path) as f:
        lock = json.load(f)
    have = {"packages": {}, "files": {}, "trees": {}, "versions": {}}
    for pkg in lock["packages"]:
        have["packages"][pkg] = package_version(pkg)
    for key, want in lock["files"].items():
        ok = os.path.isfile(want["path"])
        have["files"][key] = {"path": want["path"] if ok else None,
                              "sha256": sha256_file(want["path"]) if ok else None}
    for key, want in lock["trees"].items():
        ok = os.path.isdir(want["path"])
        have["trees"][key] = {"path": want["path"] if ok else None,
                              "sha256": sha256_tree(want["path"])[0] if ok else None}
    for key, argv in VERSIONS.items():
        try:
            have["versions"][key] = subprocess.run(argv, capture_output=True, text=True).stdout.strip() or None
        except OSError:
            have["versions"][key] = None
    problems = []
    for pkg, want in lock["packages"].items():
        got = have["packages"].get(pkg)
        if got != want:
            state = f"found {got}" if got else "not installed"
            problems.append(f"package {pkg}: expected version {want}, {state}.\n"
                            f"    fix: {INSTALL_HINT.format(pkg=pkg, version=want)}")
    for section in ("files", "trees"):
        for key, want in lock[section].items():
            got = have[section].get(key) or {}
            pkg = want["package"]
            fix = INSTALL_HINT.format(pkg=pkg, version=lock["packages"].get(pkg, "?"))
            if not got.get("path"):
                problems.append(f"{key}: not found (expected {want['path']} from package {pkg}).\n    fix: {fix}")
            elif got["sha256"] != want["sha256"]:
                problems.append(f"{key} ({got['path']}): expected sha256 {want['sha256']}, found {got['sha256']}.\n"
                                f"    fix: {fix}\n    or, after a deliberate upgrade: {RELOCK_HINT}")
    for key, want in lock["versions"].items():
        got = have["versions"].get(key)
        if got != want:
            problems.append(f"{key} --version: expected `{want}`, found `{got}`")
    if problems:
        sys.stderr.write("WasmRust's pinned toolchain does not match toolchains/toolchain.lock.json:\n  - "
                         + "\n  - ".join(problems) + "\n")
        sys.exit(1)
    links = {key: have["files"][key]["path"] for key in lock["files"]}
    links.update({key: have["trees"][key]["path"] for key in lock["trees"]})
    json.dump({"links": links, "rustc_version": have["versions"].get("rustc")}, sys.stdout, indent=1, sort_keys=True)


def main(argv):
    if len(argv) == 2 and argv[1] == "lock":
        json.dump(inspect(), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    elif len(argv) == 3 and argv[1] == "check":
        check(argv[2])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
