#!/usr/bin/env python3
"""Finds WasmRust's pinned host toolchain, checks it against the lock, and
writes the lock.

    inspect_toolchain.py lock                  print a fresh lock (JSON) for this machine
    inspect_toolchain.py check LOCK [PLAN]     compare this machine with LOCK; write the
                                               symlink plan (JSON) to PLAN (default: stdout),
                                               or explain every mismatch and its fix (stderr)

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
LOCK = "toolchains/toolchain.lock.json"
INSTALL_HINT = "apt-get install -y --allow-downgrades {pkg}={version}"
REINSTALL_HINT = "apt-get install -y --reinstall {pkg}"
RELOCK_HINT = f"/usr/bin/python3 toolchains/private/inspect_toolchain.py lock > {LOCK}"
RESTORE_HINT = f"git checkout -- {LOCK}"
LOCK_DIFFERS = "fix: the lock file is what differs, see below."
LOCK_FIX = (f"The lock file differs from what the installed packages hold. If it was edited by mistake, restore it "
            f"(`git diff {LOCK}` shows the edit):\n    {RESTORE_HINT}\n"
            f"or, after a deliberate toolchain upgrade, regenerate it (ReadMe.md, \"Updating the toolchain\"):\n    {RELOCK_HINT}\n")


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


def apt_versions(pkg):
    """The versions of `pkg` this machine's apt sources offer; None when apt
    knows nothing of it (no apt-cache, or package lists never fetched)."""
    try:
        r = subprocess.run(["apt-cache", "madison", pkg], capture_output=True, text=True)
    except OSError:
        return None
    versions = [cols[1].strip() for cols in (line.split("|") for line in r.stdout.splitlines()) if len(cols) >= 3]
    return versions or None


def dpkg_md5sums(pkg):
    """{absolute path: md5} of the files dpkg recorded when it installed `pkg`."""
    r = subprocess.run(["dpkg-query", "--control-path", pkg, "md5sums"], capture_output=True, text=True)
    sums = {}
    for path in r.stdout.split():
        try:
            with open(path) as f:
                for line in f:
                    md5, _, rel = line.rstrip("\n").partition("  ")
                    sums["/" + rel] = md5
        except OSError:
            pass
    return sums


def md5_file(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dpkg_verdict(pkg, path, tree):
    """Whether `path` (a file, or with `tree` every file under it) is as dpkg
    installed it from `pkg`: "intact", "changed: WHAT" or None (dpkg keeps no
    record to compare with)."""
    sums = dpkg_md5sums(pkg)
    if not sums:
        return None

    def recorded(p):
        real = os.path.realpath(p)
        for c in (p, real, p.replace("/usr/lib/", "/lib/", 1), real.replace("/usr/lib/", "/lib/", 1)):
            if c in sums:
                return sums[c]
        return None

    if not tree:
        want = recorded(path)
        if want is None:
            return None
        return "intact" if md5_file(path) == want else f"changed: {path} is not the file {pkg} installed"
    changed, extra = [], []
    for dirpath, dirnames, filenames in os.walk(path):
        for name in filenames:
            p = os.path.join(dirpath, name)
            want = recorded(p)
            if want is None:
                extra.append(p)
            elif md5_file(p) != want:
                changed.append(p)
    prefix = path.rstrip("/") + "/"
    missing = [p for p in sorted(sums) if p.startswith(prefix) and not os.path.lexists(p)]
    if not (changed or extra or missing):
        return "intact"
    parts = []
    for what, paths in (("changed", changed), ("missing", missing), ("not installed by any package", extra)):
        if paths:
            more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
            parts.append(f"{what}: {', '.join(sorted(paths)[:3])}{more}")
    return "changed: " + "; ".join(parts)


def diagnose(lock, have, apt_versions, dpkg_verdict):
    """One line per difference between `lock` and what this machine has
    (`have`), each with the fix that works for its cause:

    * a package at another version than the lock's: install the lock's
      version with apt-get (when an apt source has it; otherwise the lock
      names a version this machine cannot get, so restore or regenerate it);
    * a package at the lock's version whose file differs from the lock: if
      the file is not what dpkg installed, reinstall the package; if it is,
      the lock file is what changed, so restore or regenerate it.

    `apt_versions(pkg)` and `dpkg_verdict(pkg, path, tree)` are injected so
    that every branch can be tested without changing this machine."""
    problems = []
    wrong = {}  # package -> installed version (None: not installed), when not the lock's
    for pkg, want in lock["packages"].items():
        got = have["packages"].get(pkg)
        if got == want:
            continue
        wrong[pkg] = got
        state = f"{got} is installed" if got else "it is not installed"
        offered = apt_versions(pkg)
        if offered is None:
            fix = (f"apt-get update && {INSTALL_HINT.format(pkg=pkg, version=want)}\n"
                   f"    (apt knows no versions of {pkg} yet; if no source has {want}, the lock file is what differs, see below)")
        elif want in offered:
            fix = INSTALL_HINT.format(pkg=pkg, version=want)
        else:
            fix = None
        if fix:
            problems.append(f"package {pkg}: the lock expects version {want}, but {state}.\n    fix: {fix}")
        else:
            problems.append(f"package {pkg}: the lock expects version {want}, but {state}; no apt source of this machine has "
                            f"{pkg} {want} (they have {', '.join(offered)}), so apt-get cannot install it.\n    {LOCK_DIFFERS}")
    for section in ("files", "trees"):
        for key, want in lock[section].items():
            got = have[section].get(key) or {}
            pkg = want["package"]
            if got.get("path") and got["sha256"] == want["sha256"]:
                continue
            if pkg in wrong:
                what = "not found" if not got.get("path") else f"the lock expects sha256 {want['sha256']}, found {got['sha256']}"
                problems.append(f"{key} ({want['path']}): {what}; it comes from package {pkg}, whose version differs (above): "
                                "the package's fix fixes it too.")
                continue
            version = lock["packages"].get(pkg, "?")
            if not got.get("path"):
                problems.append(f"{key}: {want['path']} is missing, though package {pkg} {version} is installed.\n"
                                f"    fix: {REINSTALL_HINT.format(pkg=pkg)}")
                continue
            head = f"{key} ({got['path']}): the lock expects sha256 {want['sha256']}, found {got['sha256']}"
            verdict = dpkg_verdict(pkg, got["path"], section == "trees")
            if verdict == "intact":
                problems.append(f"{head}; it is exactly what package {pkg} {version} installed.\n    {LOCK_DIFFERS}")
            elif verdict:
                problems.append(f"{head}; package {pkg} is at the lock's version {version}, but the files on disk changed "
                                f"({verdict[len('changed: '):]}).\n    fix: {REINSTALL_HINT.format(pkg=pkg)}"
                                + ("\n    (and remove the files no package installed)" if "not installed by any package" in verdict else ""))
            else:
                problems.append(f"{head}; dpkg keeps no checksums to tell whether the file or the lock changed.\n"
                                f"    fix: if the file changed, {REINSTALL_HINT.format(pkg=pkg)}; otherwise the lock file is what differs, see below.")
    for key, want in lock["versions"].items():
        got = have["versions"].get(key)
        if got == want:
            continue
        if wrong:
            problems.append(f"{key} --version: the lock expects `{want}`, found `{got}` (a package version differs, above).")
        else:
            problems.append(f"{key} --version: the lock expects `{want}`, found `{got}`.\n    {LOCK_DIFFERS}")
    return problems


def report(problems):
    """The error for `problems` (from `diagnose`): one entry per problem, then
    the lock file's fix once if any problem needs it."""
    text = f"WasmRust's pinned toolchain does not match {LOCK}:\n  - " + "\n  - ".join(problems) + "\n"
    if any("see below" in p for p in problems):
        text += LOCK_FIX
    return text


def check(lock_path, plan_path=None):
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
    problems = diagnose(lock, have, apt_versions, dpkg_verdict)
    if problems:
        sys.stderr.write(report(problems))
        sys.exit(1)
    links = {key: have["files"][key]["path"] for key in lock["files"]}
    links.update({key: have["trees"][key]["path"] for key in lock["trees"]})
    plan = {"links": links, "rustc_version": have["versions"].get("rustc")}
    if plan_path:
        with open(plan_path, "w") as f:
            json.dump(plan, f, indent=1, sort_keys=True)
    else:
        json.dump(plan, sys.stdout, indent=1, sort_keys=True)


def main(argv):
    if len(argv) == 2 and argv[1] == "lock":
        json.dump(inspect(), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    elif len(argv) in (3, 4) and argv[1] == "check":
        check(argv[2], argv[3] if len(argv) == 4 else None)
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
