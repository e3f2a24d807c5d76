#!/usr/bin/env python3
"""Reproducibility audits and provenance for WasmRust builds.

    python3 tools/audit.py check [--config=release] [--json FILE] TARGET...
    python3 tools/audit.py provenance [--config=release] [--sign-key KEY] -o FILE TARGET...
    python3 tools/audit.py verify [--public-key PUB] ARTIFACT PROVENANCE
    python3 tools/audit.py keygen KEY

`check` builds the targets twice under different conditions and proves every
output is byte-identical, or shows where and why it is not. Build A is the
reference. Build B varies everything a build must not depend on, at once:
the checkout path, the output base, TZ, LANG/LC_ALL, umask, HOME and USER,
-j2 vs -j1, no disk cache vs a disk cache, and (when libfaketime is
installed) the actions' clock, shifted by three years. Both run from copies
of this checkout's tracked files (uncommitted edits included) and its
installed host tools, with cold output bases, so every action runs twice.
It compares the digest of every output of every action, from Bazel's own
execution log (--execution_log_json_file). When outputs differ it names the
root-cause actions (outputs differ although all inputs are identical), and
for each differing .wasm shows `wasmrust diff`: the section, the function
with its demangled name and the offset of the first differing byte. It
prints a report and, with --json, writes it as JSON. Exit status: 0 all
identical, 1 something differs, 2 the audit could not run.

`provenance` builds the targets in this checkout and writes an in-toto
Statement with a SLSA Provenance v1 predicate: the subjects are the
top-level outputs with their sha256; the resolved dependencies are the
source tree (its git tree id), Cargo.lock, the toolchain lock and every
locked toolchain file and package; the build definition is the targets and
configs. No timestamps, paths or hostnames: the same build gives the same
statement.

With `--sign-key` (an Ed25519 private key in PEM, made by `keygen`), the
statement is wrapped in a signed DSSE envelope (payloadType
application/vnd.in-toto+json), the format in-toto attestations and Sigstore
use; Ed25519 signatures are deterministic, so the envelope is too. Signing
and checking use the `openssl` command.

`verify` first checks an envelope's signature against `--public-key` (a
wrong key or an edited payload fails before anything is rebuilt; an
envelope without `--public-key` is refused), then that ARTIFACT is a
subject of PROVENANCE, rebuilds the
recorded targets from the recorded source tree (taken from this repository's
git objects) with a cold output base, and reports whether every rebuilt
subject matches. Exit status: 0 match, 1 mismatch, 2 could not verify.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAKETIME_LIB = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
TOOLS = ["compiler/bin/wasmrust", "compiler/bin/wasmrust-run"]


class AuditError(Exception):
    pass


class SignatureError(AuditError):
    """A signature that does not verify: a mismatch, not a failure to run."""


def snapshot(dest: Path) -> None:
    """The tracked tree (as a fresh clone has it, uncommitted edits included) and the host tools."""
    files = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, capture_output=True,
    ).stdout.split(b"\0")
    dest.mkdir(parents=True)
    for name in [f.decode() for f in files if f] + TOOLS:
        src = ROOT / name
        if not src.exists():
            if name in TOOLS:
                raise AuditError(f"{name} is missing: run `bash tools/setup.sh tools` first")
            continue  # deleted in the working tree
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / name, follow_symlinks=False)


def variations(work: Path) -> dict:
    """Build A's and build B's conditions."""
    a = {
        "checkout": work / "a" / "wasmrust",
        "output_base": work / "a" / "output_base",
        "env": {"TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": str(work / "a" / "home"), "USER": "builder"},
        "umask": 0o022,
        "flags": ["--jobs=2"],
        "clock": "real",
    }
    b = {
        "checkout": work / "b-elsewhere" / "deeper" / "checkout",
        "output_base": work / "b-elsewhere" / "ob",
        "env": {"TZ": "Asia/Kathmandu", "LANG": "fr_FR.UTF-8", "LC_ALL": "tr_TR.UTF-8", "HOME": str(work / "b-elsewhere" / "home"), "USER": "auditor"},
        "umask": 0o077,
        "flags": ["--jobs=1", f"--disk_cache={work / 'b-elsewhere' / 'disk_cache'}"],
        "clock": "real (libfaketime not installed: apt-get install faketime)",
    }
    if FAKETIME_LIB.exists():
        b["flags"] += [
            f"--action_env=LD_PRELOAD={FAKETIME_LIB}",
            "--action_env=FAKETIME=+3y",
            "--action_env=FAKETIME_DONT_FAKE_MONOTONIC=1",
        ]
        b["clock"] = "shifted +3 years for the actions (libfaketime; rustc itself runs with the driver's cleared environment)"
    return {"A": a, "B": b}


def run_build(checkout: Path, output_base, targets: list, configs: list, flags=(), env=None, umask=None,
              allow_failure=False):
    """`bazel build` in `checkout` (with its own output base when given); returns
    Bazel's stderr, or raises AuditError with its tail when the build fails.
    With `allow_failure`, returns (stderr, exit status) instead of raising."""
    startup = [f"--output_base={output_base}"] if output_base else []
    cmd = ["bazel", *startup, "build", *configs, *flags, "--color=no", "--curses=no", "--show_result=1000", *targets]
    old = os.umask(umask) if umask is not None else None
    try:
        proc = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True)
    finally:
        if old is not None:
            os.umask(old)
    if allow_failure:
        return proc.stderr, proc.returncode
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.splitlines()[-25:])
        raise AuditError(f"the build of {' '.join(targets)} failed (exit {proc.returncode}) in {checkout}:\n{tail}")
    return proc.stderr


def top_level_outputs(stderr: str) -> list:
    """The output paths Bazel lists under `Target //x up-to-date:` (relative to the checkout)."""
    return [line.strip() for line in stderr.splitlines() if line.startswith("  bazel-") and not line.strip().endswith(":")]


def shutdown(checkout: Path, output_base: Path, env=None) -> None:
    subprocess.run(["bazel", f"--output_base={output_base}", "shutdown"], cwd=checkout, env=env, capture_output=True)


def build(name: str, v: dict, targets: list, configs: list, log_dir: Path, allow_failure=False) -> dict:
    """Builds `targets` under `v`; returns the spawns of Bazel's execution log, the
    top-level outputs and (with `allow_failure`, which keeps a failed build's
    log instead of raising) the exit status and Bazel's ERROR lines."""
    exec_log = log_dir / f"exec-{name}.json"
    v["output_base"].parent.mkdir(parents=True, exist_ok=True)
    Path(v["env"]["HOME"]).mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **v["env"]}
    status = 0
    try:
        result = run_build(v["checkout"], v["output_base"], targets, configs,
                           flags=[*v["flags"], f"--execution_log_json_file={exec_log}"], env=env, umask=v["umask"],
                           allow_failure=allow_failure)
        stderr, status = result if allow_failure else (result, 0)
    finally:
        shutdown(v["checkout"], v["output_base"], env)
    (log_dir / f"build-{name}.log").write_text(stderr)
    return {"spawns": read_exec_log(exec_log) if exec_log.exists() else [], "top_level": top_level_outputs(stderr),
            "status": status, "errors": [line for line in stderr.splitlines() if line.startswith("ERROR: ")]}


def read_exec_log(path: Path) -> list:
    """Bazel's JSON execution log: a stream of SpawnExec objects."""
    text = path.read_text()
    decoder = json.JSONDecoder()
    spawns, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return spawns
        obj, i = decoder.raw_decode(text, i)
        spawns.append(obj)


def sized_digests(files: list) -> dict:
    """path -> (sha256, size) of every file in an execution log's list."""
    return {f["path"]: (f.get("digest", {}).get("hash", ""), int(f.get("digest", {}).get("sizeBytes", 0) or 0))
            for f in files or []}


def digests(files: list) -> dict:
    return {path: sha for path, (sha, _) in sized_digests(files).items()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wasm_diff(a: Path, b: Path, json_out: Path):
    proc = subprocess.run([str(ROOT / "compiler/bin/wasmrust"), "diff", str(a), str(b), "--json", str(json_out)],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        return {"error": proc.stderr.strip()}, proc.stderr.strip()
    return json.loads(json_out.read_text()), proc.stdout.rstrip()


def byte_diff(a: Path, b: Path) -> dict:
    x, y = a.read_bytes(), b.read_bytes()
    first = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
    return {"first_offset": first, "size_a": len(x), "size_b": len(y)}


def compare(builds: dict, v: dict, log_dir: Path) -> dict:
    a_spawns, b_spawns = builds["A"]["spawns"], builds["B"]["spawns"]
    b_by_output = {}
    for s in b_spawns:
        for path in digests(s.get("actualOutputs")):
            b_by_output[path] = s
    differences, outputs = [], 0
    for s in a_spawns:
        a_out = digests(s.get("actualOutputs"))
        for path, digest in sorted(a_out.items()):
            outputs += 1
            other = b_by_output.get(path)
            if other is None:
                differences.append({"path": path, "mnemonic": s.get("mnemonic"), "target": s.get("targetLabel"),
                                    "problem": "build B produced no such output"})
                continue
            b_digest = digests(other.get("actualOutputs"))[path]
            if b_digest == digest:
                continue
            same_inputs = digests(s.get("inputs")) == digests(other.get("inputs"))
            entry = {"path": path, "mnemonic": s.get("mnemonic"), "target": s.get("targetLabel"),
                     "root_cause": same_inputs, "sha256_a": digest, "sha256_b": b_digest}
            fa, fb = v["A"]["output_base"] / "execroot" / "wasmrust" / path, v["B"]["output_base"] / "execroot" / "wasmrust" / path
            if fa.exists() and fb.exists():
                if path.endswith(".wasm"):
                    entry["wasm_diff"], text = wasm_diff(fa, fb, log_dir / (path.replace("/", "_") + ".diff.json"))
                    entry["report"] = text.replace(str(fa), "A").replace(str(fb), "B")
                else:
                    entry["byte_diff"] = byte_diff(fa, fb)
            differences.append(entry)
    # Root causes first, each group in build A's action order.
    differences.sort(key=lambda d: not d.get("root_cause", True))
    top = []
    for path in builds["A"]["top_level"]:
        fa = v["A"]["checkout"] / path
        fb = v["B"]["checkout"] / path
        top.append({"path": path, "sha256_a": sha256(fa) if fa.exists() else None,
                    "sha256_b": sha256(fb) if fb.exists() else None})
    return {"actions": len(a_spawns), "outputs": outputs, "differences": differences, "top_level": top}


def report(result: dict) -> str:
    lines = [f"audit of {' '.join(result['targets'])} ({' '.join(result['configs']) or 'no --config'})", ""]
    lines.append("build B differs from build A in:")
    for k, val in result["variations"].items():
        lines.append(f"  {k:12} {val['A']}  ->  {val['B']}")
    lines.append("")
    lines.append(f"{result['actions']} actions, {result['outputs']} outputs compared")
    for t in result["top_level"]:
        state = "identical" if t["sha256_a"] == t["sha256_b"] else "DIFFERENT"
        lines.append(f"  {state:9}  {t['sha256_a']}  {t['path']}")
    if not result["differences"]:
        lines.append("")
        lines.append("result: REPRODUCIBLE: every output of every action is byte-identical")
        return "\n".join(lines)
    lines.append("")
    roots = [d for d in result["differences"] if d.get("root_cause")]
    lines.append(f"result: NOT REPRODUCIBLE: {len(result['differences'])} output(s) differ; "
                 f"{len(roots)} from actions whose inputs are identical (the first differing actions):")
    for d in result["differences"]:
        tag = "root cause" if d.get("root_cause") else "follows"
        owner = f" {d['target']}" if d.get("target") else ""
        lines.append(f"  [{tag}] {d.get('mnemonic')}{owner}: {d['path']}")
        if d.get("problem"):
            lines.append(f"      {d['problem']}")
        if d.get("report"):
            lines.extend("      " + line for line in d["report"].splitlines())
        if d.get("byte_diff"):
            b = d["byte_diff"]
            lines.append(f"      first differing byte {b['first_offset']:#x}; sizes {b['size_a']} vs {b['size_b']}")
    return "\n".join(lines)


def fresh_dir(work: Path) -> None:
    if work.exists():
        subprocess.run(["chmod", "-R", "u+w", str(work)], check=False)
        shutil.rmtree(work)
    work.mkdir(parents=True)


def finish_audit(args, work: Path, text: str, result: dict) -> None:
    """Prints the report, writes it as JSON with --json, and removes the scratch directory unless --keep."""
    print(text)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    if not args.keep:
        subprocess.run(["chmod", "-R", "u+w", str(work)], check=False)
        shutil.rmtree(work, ignore_errors=True)


def cmd_check(args) -> int:
    configs = [f"--config={c}" for c in args.config]
    work = args.work.resolve()
    log_dir = work / "logs"
    try:
        fresh_dir(work)
        log_dir.mkdir(parents=True)
        v = variations(work)
        builds = {}
        for name in ("A", "B"):
            snapshot(v[name]["checkout"])
            print(f"audit: build {name} in {v[name]['checkout']} ...", file=sys.stderr, flush=True)
            builds[name] = build(name, v[name], args.targets, configs, log_dir)
        result = {"targets": args.targets, "configs": configs,
                  "variations": {
                      "checkout": {n: str(v[n]["checkout"]) for n in v},
                      "output base": {n: str(v[n]["output_base"]) for n in v},
                      "TZ": {n: v[n]["env"]["TZ"] for n in v},
                      "LANG/LC_ALL": {n: f"{v[n]['env']['LANG']}/{v[n]['env']['LC_ALL']}" for n in v},
                      "umask": {n: f"{v[n]['umask']:03o}" for n in v},
                      "HOME/USER": {n: f"{v[n]['env']['HOME']}/{v[n]['env']['USER']}" for n in v},
                      "jobs": {"A": "2", "B": "1"},
                      "disk cache": {"A": "off", "B": "on (cold)"},
                      "clock": {n: v[n]["clock"] for n in v},
                  }}
        result.update(compare(builds, v, log_dir))
        result["reproducible"] = not result["differences"]
    except (AuditError, subprocess.CalledProcessError, OSError) as e:
        print(f"audit: error: {e}", file=sys.stderr)
        return 2
    finish_audit(args, work, report(result), result)
    return 0 if result["reproducible"] else 1


# ---- Recheck: the remote cache's answers against running the actions here

REPAIR_HINT = ("overwrite them from a machine you trust: rerun with --repair, or run "
               "`bazel build TARGET... --config=cache-writer --noremote_accept_cached` there; "
               "then close the cache to other writers (docs/remote-cache.md, \"Who may write\")")


def spawn_key(spawn: dict) -> tuple:
    """An action, across builds: its declared outputs (paths carry the configuration)."""
    return tuple(sorted(spawn.get("listedOutputs") or []))


def recheck_compare(cached: list, local: list) -> dict:
    """Every action the cached build took from the remote cache, against the same
    action run here: the files it declares, their digests, and nothing else."""
    local_by_key = {spawn_key(s): s for s in local}
    hits = [s for s in cached if s.get("remoteCacheHit")]
    bad, unchecked, agree = [], [], 0
    for s in hits:
        name = s.get("progressMessage") or s.get("mnemonic") or "an action"
        other = local_by_key.get(spawn_key(s))
        if other is None:
            unchecked.append(name)
            continue
        got, want = sized_digests(s.get("actualOutputs")), sized_digests(other.get("actualOutputs"))
        problems = []
        for path in sorted(set(got) | set(want)):
            if path not in got:
                problems.append({"path": path, "problem": "missing",
                                 "text": f"{path}: missing from the cache's result, which therefore names other "
                                         "files than this action declares (an entry written for another action?)"})
            elif path not in want:
                problems.append({"path": path, "problem": "undeclared",
                                 "text": f"{path}: in the cache's result, but running the action does not write it"})
            elif got[path] != want[path]:
                (ha, na), (hb, nb) = got[path], want[path]
                problems.append({"path": path, "problem": "differs", "sha256_cache": ha, "sha256_local": hb,
                                 "text": f"{path}: the cache gives sha256 {ha} ({na} B), "
                                         f"running the action gives {hb} ({nb} B)"})
        if problems:
            bad.append({"action": name, "mnemonic": s.get("mnemonic"), "problems": problems})
        else:
            agree += 1
    return {"cache_hits": len(hits), "agree": agree, "bad": bad, "unchecked": unchecked,
            "ran_locally_in_cached_build": sum(1 for s in cached if not s.get("remoteCacheHit"))}


def recheck_report(r: dict) -> str:
    cached = r["cached_build"]
    lines = [f"cache recheck of {' '.join(r['targets'])} ({' '.join(r['configs']) or 'no --config'}) "
             f"against {r['remote_cache']}", ""]
    state = "succeeded" if cached["status"] == 0 else f"FAILED (exit {cached['status']})"
    lines.append(f"build with the cache:    {state}; {r['cache_hits']} actions taken from the cache, "
                 f"{r['ran_locally_in_cached_build']} run here (cache misses)")
    lines.extend(f"    {e}" for e in cached["errors"][:10])
    lines.append(f"build without the cache: {r['local_actions']} actions run here"
                 + (", their results uploaded over the cache's (--repair)" if r["repair"] else ""))
    lines.append("")
    lines.append(f"{r['cache_hits']} cached results checked against a local run: {r['agree']} agree, "
                 f"{len(r['bad'])} BAD, {len(r['unchecked'])} not run locally")
    for b in r["bad"]:
        lines.append(f"  [BAD] {b['action']} ({b['mnemonic']})")
        lines.extend(f"      {p['text']}" for p in b["problems"])
    for name in r["unchecked"]:
        lines.append(f"  [not checked] {name}: the build without the cache did not run it")
    lines.append("")
    if r["bad"]:
        lines.append(f"result: BAD CACHE ENTRIES: {len(r['bad'])} action result(s) in the cache differ from what "
                     "their actions produce. Either a writer you did not intend put them there, or the actions are "
                     "not reproducible (`python3 tools/audit.py check TARGET...` tells which).")
        if r["repair"]:
            v = r["after_repair"]
            verdict = ("every one equal to the local run's" if v["ok"]
                       else f"STILL BAD: {len(v['bad'])} differ, build exit {v['status']}")
            lines.append(f"repaired: a fresh build with the cache now takes {v['cache_hits']} results from it, {verdict}")
        else:
            lines.append(f"fix: {REPAIR_HINT}")
    elif cached["status"] != 0:
        lines.append("result: the build fails with the cache and succeeds without it, but every cached result "
                     "checked agrees: see the errors above")
    else:
        lines.append("result: CACHE AGREES: every result taken from the cache equals running its action here")
    return "\n".join(lines)


def cmd_recheck(args) -> int:
    configs = [f"--config={c}" for c in args.config]
    cache = [f"--remote_cache={args.remote_cache}", *args.flag]
    work = args.work.resolve()
    log_dir = work / "logs"

    def conditions(name: str, flags: list) -> dict:
        return {"checkout": work / name / "wasmrust", "output_base": work / name / "output_base", "umask": None,
                "env": {"TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": str(work / name / "home"),
                        "USER": "auditor"},
                "flags": flags}

    try:
        fresh_dir(work)
        log_dir.mkdir(parents=True)
        # Reads only: the audit never writes the cache unless asked to repair it.
        read_only = [*cache, "--noremote_upload_local_results", "--keep_going"]
        v = {"cached": conditions("cached", read_only),
             # Every action run here; with --repair its results replace the cache's.
             "local": conditions("local", [*cache, "--noremote_accept_cached", "--remote_upload_local_results"]
                                 if args.repair else [])}
        builds = {}
        for name in ("cached", "local"):
            snapshot(v[name]["checkout"])
            print(f"audit: build {'with' if name == 'cached' else 'without'} the cache in {v[name]['checkout']} ...",
                  file=sys.stderr, flush=True)
            builds[name] = build(name, v[name], args.targets, configs, log_dir, allow_failure=(name == "cached"))
        prefix = f"{v['cached']['checkout']}/"
        cached = {"status": builds["cached"]["status"],
                  "errors": [e.replace(prefix, "") for e in builds["cached"]["errors"]]}
        result = {"targets": args.targets, "configs": configs, "remote_cache": args.remote_cache,
                  "repair": args.repair, "cached_build": cached,
                  "local_actions": sum(1 for s in builds["local"]["spawns"] if not s.get("remoteCacheHit"))}
        result.update(recheck_compare(builds["cached"]["spawns"], builds["local"]["spawns"]))
        if args.repair and result["bad"]:
            v["after"] = conditions("after", read_only)
            v["after"]["checkout"] = v["cached"]["checkout"]
            print("audit: build with the repaired cache ...", file=sys.stderr, flush=True)
            after = build("after", v["after"], args.targets, configs, log_dir, allow_failure=True)
            check = recheck_compare(after["spawns"], builds["local"]["spawns"])
            result["after_repair"] = {"status": after["status"], "cache_hits": check["cache_hits"],
                                      "bad": check["bad"], "ok": after["status"] == 0 and not check["bad"]}
    except (AuditError, subprocess.CalledProcessError, OSError) as e:
        print(f"audit: error: {e}", file=sys.stderr)
        return 2
    finish_audit(args, work, recheck_report(result), result)
    if result["bad"] or cached["status"] != 0:
        return 1
    return 0


# ---- Provenance (in-toto Statement v1, SLSA Provenance v1)

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
DSSE_PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "urn:wasmrust:buildtype:bazel-build:v1"
BUILDER_ID = "urn:wasmrust:builder:tools-audit-py:v1"


def git(*args, env=None) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def source_tree() -> dict:
    """The git tree id of the checkout as it is (tracked files and untracked, not ignored ones)."""
    dirty = bool(git("status", "--porcelain"))
    if not dirty:
        return {"tree": git("rev-parse", "HEAD^{tree}"), "commit": git("rev-parse", "HEAD"), "dirty": False}
    # Write the working tree to the object store through a scratch index, so
    # `verify` can check it out again from this repository.
    index = ROOT / ".git" / "wasmrust-audit-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    try:
        git("read-tree", "HEAD", env=env)
        git("add", "-A", env=env)
        tree = git("write-tree", env=env)
    finally:
        index.unlink(missing_ok=True)
    return {"tree": tree, "commit": git("rev-parse", "HEAD"), "dirty": True}


def subject_name(path: str) -> str:
    """`bazel-out/k8-opt-ST-…/bin/app/component.wasm` -> `app/component.wasm`."""
    return path.split("/bin/", 1)[1] if "/bin/" in path else path


def resolved_dependencies(tree_root: Path, source: dict) -> list:
    deps = [{"name": "source", "digest": {"gitTree": source["tree"]},
             "annotations": {"gitCommit": source["commit"], "dirty": source["dirty"]}}]
    for name in ("Cargo.lock", "toolchains/toolchain.lock.json"):
        deps.append({"name": name, "digest": {"sha256": sha256(tree_root / name)}})
    lock = json.loads((tree_root / "toolchains/toolchain.lock.json").read_text())
    for name, f in sorted(lock["files"].items()):
        deps.append({"name": f"toolchain:{name}", "digest": {"sha256": f["sha256"]},
                     "annotations": {"package": f["package"]}})
    for name, version in sorted(lock["packages"].items()):
        deps.append({"name": f"deb:{name}", "annotations": {"version": version}})
    return deps


def default_work_dir() -> Path:
    return Path(os.environ.get("WASMRUST_AUDIT_TMP", "/tmp/wasmrust-audit"))


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding: what the signature covers."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def openssl(*args, data: bytes = b"") -> bytes:
    p = subprocess.run(["openssl", *args], input=data, capture_output=True)
    if p.returncode != 0:
        raise AuditError(f"openssl {args[0]} failed: {p.stderr.decode(errors='replace').strip()}")
    return p.stdout


def key_id(public_pem: Path) -> str:
    """sha256 of the public key's DER encoding."""
    return hashlib.sha256(openssl("pkey", "-pubin", "-in", str(public_pem), "-outform", "DER")).hexdigest()


def sign_envelope(statement_json: bytes, key: Path, work: Path) -> dict:
    import base64
    work.mkdir(parents=True, exist_ok=True)
    (work / "pae").write_bytes(pae(DSSE_PAYLOAD_TYPE, statement_json))
    openssl("pkey", "-in", str(key), "-pubout", "-out", str(work / "key.pub"))
    sig = openssl("pkeyutl", "-sign", "-rawin", "-inkey", str(key), "-in", str(work / "pae"))
    return {
        "payloadType": DSSE_PAYLOAD_TYPE,
        "payload": base64.b64encode(statement_json).decode(),
        "signatures": [{"keyid": key_id(work / "key.pub"), "sig": base64.b64encode(sig).decode()}],
    }


def open_envelope(envelope: dict, public_key, path: Path, work: Path) -> dict:
    """The statement inside a DSSE envelope, once one signature verifies with `public_key`."""
    import base64
    if public_key is None:
        raise AuditError(f"{path} is a signed envelope: pass --public-key to check its signature")
    if envelope.get("payloadType") != DSSE_PAYLOAD_TYPE:
        raise AuditError(f"{path}: payloadType {envelope.get('payloadType')!r} is not {DSSE_PAYLOAD_TYPE}")
    payload = base64.b64decode(envelope["payload"])
    work.mkdir(parents=True, exist_ok=True)
    (work / "pae").write_bytes(pae(DSSE_PAYLOAD_TYPE, payload))
    want = key_id(public_key)
    for sig in envelope.get("signatures", []):
        if sig.get("keyid") not in (None, "", want):
            continue
        (work / "sig").write_bytes(base64.b64decode(sig["sig"]))
        p = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", str(public_key),
                            "-in", str(work / "pae"), "-sigfile", str(work / "sig")], capture_output=True)
        if p.returncode == 0:
            print(f"signature: ok (Ed25519, key {want[:16]}…)")
            return json.loads(payload)
    raise SignatureError(f"{path}: no signature verifies with {public_key} (key {want[:16]}…): "
                         "the provenance was changed after signing, or signed with another key")


def cmd_keygen(args) -> int:
    try:
        if args.key.exists():
            raise AuditError(f"{args.key} exists; not overwriting a key")
        openssl("genpkey", "-algorithm", "ed25519", "-out", str(args.key))
        args.key.chmod(0o600)
        pub = args.key.with_suffix(".pub")
        openssl("pkey", "-in", str(args.key), "-pubout", "-out", str(pub))
    except (AuditError, OSError) as e:
        print(f"audit keygen: error: {e}", file=sys.stderr)
        return 2
    print(f"private key: {args.key} (keep it secret)\npublic key:  {pub} (key id {key_id(pub)})")
    return 0


def cmd_provenance(args) -> int:
    configs = [f"--config={c}" for c in args.config]
    try:
        source = source_tree()
        outputs = top_level_outputs(run_build(ROOT, None, args.targets, configs))
        if not outputs:
            raise AuditError("the build reported no outputs")
        statement = {
            "_type": STATEMENT_TYPE,
            "subject": [{"name": subject_name(o), "digest": {"sha256": sha256(ROOT / o)}} for o in sorted(outputs)],
            "predicateType": PREDICATE_TYPE,
            "predicate": {
                "buildDefinition": {
                    "buildType": BUILD_TYPE,
                    "externalParameters": {"targets": args.targets, "configs": configs},
                    "internalParameters": {
                        "bazel": subprocess.run(["bazel", "--version"], capture_output=True, text=True).stdout.strip(),
                        "hostTools": {t: sha256(ROOT / t) for t in TOOLS},
                    },
                    "resolvedDependencies": resolved_dependencies(ROOT, source),
                },
                "runDetails": {"builder": {"id": BUILDER_ID}},
            },
        }
    except (AuditError, subprocess.CalledProcessError, OSError, KeyError) as e:
        print(f"audit provenance: error: {e}", file=sys.stderr)
        return 2
    text = json.dumps(statement, indent=2, sort_keys=True) + "\n"
    if args.sign_key:
        try:
            text = json.dumps(sign_envelope(text.encode(), args.sign_key, default_work_dir() / "sign"), indent=2, sort_keys=True) + "\n"
        except (AuditError, OSError) as e:
            print(f"audit provenance: error: signing failed: {e}", file=sys.stderr)
            return 2
    args.output.write_text(text)
    for s in statement["subject"]:
        print(f"{s['digest']['sha256']}  {s['name']}")
    signed = " signed DSSE envelope," if args.sign_key else ""
    print(f"provenance:{signed} {args.output} (source tree {source['tree']}{', uncommitted changes included' if source['dirty'] else ''})")
    return 0


def cmd_verify(args) -> int:
    try:
        statement = json.loads(args.provenance.read_text())
        if "payloadType" in statement:
            statement = open_envelope(statement, args.public_key, args.provenance, args.work.resolve() / "signature")
        elif args.public_key:
            raise SignatureError(f"{args.provenance} is not signed, but --public-key asks for a signature")
        if statement.get("_type") != STATEMENT_TYPE or statement.get("predicateType") != PREDICATE_TYPE:
            raise AuditError(f"{args.provenance} is not an in-toto Statement with a SLSA Provenance v1 predicate")
        definition = statement["predicate"]["buildDefinition"]
        if definition.get("buildType") != BUILD_TYPE:
            raise AuditError(f"{args.provenance}: unknown buildType {definition.get('buildType')!r}")
        subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
        digest = sha256(args.artifact)
        name = next((n for n, d in subjects.items() if d == digest), None)
        if name is None:
            print(f"MISMATCH: {args.artifact} (sha256 {digest}) is not a subject of {args.provenance}")
            for n, d in sorted(subjects.items()):
                print(f"  subject {d}  {n}")
            return 1
        source = next(d for d in definition["resolvedDependencies"] if d["name"] == "source")
        tree = source["digest"]["gitTree"]
        if subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{tree}^{{tree}}"], capture_output=True).returncode != 0:
            raise AuditError(f"source tree {tree} is not in this repository (fetch commit {source['annotations']['gitCommit']})")
        # A fresh checkout each time; the output base is kept (`--keep`) so
        # verifying more artifacts of one provenance does not rebuild.
        work = args.work.resolve()
        checkout = work / "source"
        fresh_dir(checkout)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", tree], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-xf", "-", "-C", str(checkout)], input=archive, check=True)
        recorded = {d["name"]: d.get("digest", {}).get("sha256") for d in definition["resolvedDependencies"]}
        for lock in ("Cargo.lock", "toolchains/toolchain.lock.json"):
            if sha256(checkout / lock) != recorded[lock]:
                raise AuditError(f"{lock} in source tree {tree} does not match the provenance's digest: the provenance is inconsistent")
        for tool in TOOLS:
            (checkout / tool).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / tool, checkout / tool)
            want = definition["internalParameters"]["hostTools"].get(tool)
            if want and sha256(checkout / tool) != want:
                print(f"note: {tool} differs from the one the provenance records (the rebuild shows whether it matters)")
        print(f"verify: rebuilding {' '.join(definition['externalParameters']['targets'])} from source tree {tree} ...",
              file=sys.stderr, flush=True)
        try:
            outputs = top_level_outputs(run_build(checkout, work / "output_base", definition["externalParameters"]["targets"],
                                                  definition["externalParameters"]["configs"]))
        finally:
            shutdown(checkout, work / "output_base")
        rebuilt = {subject_name(o): sha256(checkout / o) for o in outputs}
        ok = True
        for n, d in sorted(subjects.items()):
            got = rebuilt.get(n)
            state = "match" if got == d else "MISMATCH"
            ok &= got == d
            print(f"  {state:8}  {n}: provenance {d}, rebuilt {got}")
        if not args.keep:
            subprocess.run(["chmod", "-R", "u+w", str(work)], check=False)
            shutil.rmtree(work, ignore_errors=True)
    except SignatureError as e:
        print(f"MISMATCH: {e}")
        return 1
    except (AuditError, subprocess.CalledProcessError, OSError, KeyError, StopIteration, json.JSONDecodeError, ValueError) as e:
        print(f"audit verify: error: {e}", file=sys.stderr)
        return 2
    if ok:
        print(f"MATCH: {args.artifact} is {name}, rebuilt bit for bit from source tree {tree}")
        return 0
    print(f"MISMATCH: the rebuild from source tree {tree} does not reproduce the provenance's subjects")
    return 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    default_work = default_work_dir()

    c = sub.add_parser("check", help="build twice under every variation and compare every output")
    c.add_argument("targets", nargs="+", metavar="TARGET")
    c.add_argument("--config", action="append", default=[], help="a .bazelrc config for both builds (repeatable)")
    c.add_argument("--json", type=Path, help="also write the result as JSON here")
    c.add_argument("--work", type=Path, default=default_work, help="scratch directory (default /tmp/wasmrust-audit)")
    c.add_argument("--keep", action="store_true", help="keep the checkouts and output bases")
    c.set_defaults(run=cmd_check)

    r = sub.add_parser("recheck", help="build with a remote cache and without it; flag every cached result "
                                       "that differs from running its action here")
    r.add_argument("targets", nargs="+", metavar="TARGET")
    r.add_argument("--remote_cache", "--remote-cache", dest="remote_cache", required=True, metavar="URL",
                   help="the cache to check (http://, grpc://, grpcs://)")
    r.add_argument("--flag", action="append", default=[], metavar="FLAG",
                   help="another Bazel flag the cache needs, e.g. --flag=--remote_instance_name=main (repeatable)")
    r.add_argument("--config", action="append", default=[], help="a .bazelrc config for every build (repeatable)")
    r.add_argument("--repair", action="store_true",
                   help="upload the local run's results over the cache's, then check a fresh cached build")
    r.add_argument("--json", type=Path, help="also write the result as JSON here")
    r.add_argument("--work", type=Path, default=default_work / "recheck", help="scratch directory")
    r.add_argument("--keep", action="store_true", help="keep the checkouts and output bases")
    r.set_defaults(run=cmd_recheck)

    pr = sub.add_parser("provenance", help="build and write an in-toto SLSA v1 provenance statement")
    pr.add_argument("targets", nargs="+", metavar="TARGET")
    pr.add_argument("--config", action="append", default=[], help="a .bazelrc config (repeatable)")
    pr.add_argument("-o", "--output", type=Path, required=True, help="where to write the statement")
    pr.add_argument("--sign-key", type=Path, help="sign: write a DSSE envelope signed with this Ed25519 key (PEM, from `keygen`)")
    pr.set_defaults(run=cmd_provenance)

    v = sub.add_parser("verify", help="rebuild from a provenance's source and compare with an artifact")
    v.add_argument("artifact", type=Path)
    v.add_argument("provenance", type=Path)
    v.add_argument("--work", type=Path, default=default_work / "verify", help="scratch directory")
    v.add_argument("--keep", action="store_true", help="keep the checkout and output base")
    v.add_argument("--public-key", type=Path, help="the signer's Ed25519 public key (PEM); required for a signed envelope")
    v.set_defaults(run=cmd_verify)

    k = sub.add_parser("keygen", help="make an Ed25519 signing key (KEY) and its public key (KEY with .pub)")
    k.add_argument("key", type=Path)
    k.set_defaults(run=cmd_keygen)

    args = p.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
