#!/usr/bin/env bash
# Provenance: `tools/audit.py provenance` writes an in-toto Statement with a
# SLSA Provenance v1 predicate for //app:component --config=release (the
# same statement every time), and `audit.py verify` rebuilds from the
# recorded source tree with a cold output base and reports a match for the
# real artifact, and a mismatch for a tampered artifact and for a provenance
# whose subject digest was forged. Signed with `--sign-key`, the statement is
# a DSSE envelope that verify checks with the public key.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

S=$SCRATCH/provenance
rm -rf "$S" && mkdir -p "$S"
AUDIT=(python3 "$ROOT/tools/audit.py")
log=$S/out.log

if (cd "$ROOT" && "${AUDIT[@]}" provenance //app:component --config=release -o "$S/a.intoto.json") >"$log" 2>&1 \
   && (cd "$ROOT" && "${AUDIT[@]}" provenance //app:component --config=release -o "$S/b.intoto.json") >>"$log" 2>&1; then
  artifact=$(cd "$ROOT" && ls bazel-out/k8-opt-ST-*/bin/app/component.wasm | head -1)
  cp "$ROOT/$artifact" "$S/component.wasm"
  check=$(python3 - "$S/a.intoto.json" "$S/component.wasm" <<'PY'
import hashlib, json, sys
st = json.load(open(sys.argv[1]))
digest = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
p = st["predicate"]["buildDefinition"]
names = [d["name"] for d in p["resolvedDependencies"]]
problems = []
if st["_type"] != "https://in-toto.io/Statement/v1" or st["predicateType"] != "https://slsa.dev/provenance/v1":
    problems.append("wrong statement or predicate type")
if {"name": "app/component.wasm", "digest": {"sha256": digest}} not in st["subject"]:
    problems.append(f"no subject app/component.wasm with sha256 {digest}")
for want in ("source", "Cargo.lock", "toolchains/toolchain.lock.json", "toolchain:bin/rustc", "deb:rustc-web"):
    if want not in names:
        problems.append(f"resolvedDependencies lacks {want}")
if p["externalParameters"] != {"targets": ["//app:component"], "configs": ["--config=release"]}:
    problems.append(f"externalParameters {p['externalParameters']}")
print("; ".join(problems) or f"ok {len(names)}")
PY
)
  if [[ $check == ok* ]]; then
    pass "provenance_statement (subject app/component.wasm, ${check#ok } resolved dependencies)"
  else
    fail provenance_statement "$check"
  fi
  if cmp -s "$S/a.intoto.json" "$S/b.intoto.json"; then pass provenance_is_deterministic; else fail provenance_is_deterministic "$(diff "$S/a.intoto.json" "$S/b.intoto.json" | head)"; fi

  # The real artifact: rebuilt from the recorded source tree, bit for bit.
  "${AUDIT[@]}" verify "$S/component.wasm" "$S/a.intoto.json" --work "$S/verify" --keep >"$log" 2>&1
  status=$?
  if [ "$status" -eq 0 ]; then
    expect_contains verify_matches "$log" "  match     app/component.wasm" "MATCH: $S/component.wasm is app/component.wasm, rebuilt bit for bit"
  else
    fail verify_matches "exit $status" "$(tail -20 "$log")"
  fi

  # A tampered artifact is not a subject.
  python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[len(b)//2]^=1; open(sys.argv[2],'wb').write(b)" \
    "$S/component.wasm" "$S/tampered.wasm"
  "${AUDIT[@]}" verify "$S/tampered.wasm" "$S/a.intoto.json" --work "$S/verify" --keep >"$log" 2>&1
  status=$?
  if [ "$status" -eq 1 ]; then expect_contains verify_rejects_tampered_artifact "$log" "is not a subject of"; else fail verify_rejects_tampered_artifact "exit $status" "$(tail -20 "$log")"; fi

  # A forged provenance that claims the tampered bytes: the rebuild disagrees.
  python3 - "$S/a.intoto.json" "$S/tampered.wasm" "$S/forged.intoto.json" <<'PY'
import hashlib, json, sys
st = json.load(open(sys.argv[1]))
st["subject"] = [{"name": "app/component.wasm", "digest": {"sha256": hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()}}]
open(sys.argv[3], "w").write(json.dumps(st, indent=2, sort_keys=True))
PY
  "${AUDIT[@]}" verify "$S/tampered.wasm" "$S/forged.intoto.json" --work "$S/verify" --keep >"$log" 2>&1
  status=$?
  if [ "$status" -eq 1 ]; then
    expect_contains verify_rejects_forged_provenance "$log" "  MISMATCH  app/component.wasm" "MISMATCH: the rebuild from source tree"
  else
    fail verify_rejects_forged_provenance "exit $status" "$(tail -20 "$log")"
  fi

  # Signed provenance: a DSSE envelope, deterministic (Ed25519), verified with
  # the signer's public key before the rebuild; an edited payload or another
  # key is a mismatch, found without rebuilding; an envelope is never taken
  # without a key.
  if "${AUDIT[@]}" keygen "$S/release.key" >"$log" 2>&1 && "${AUDIT[@]}" keygen "$S/other.key" >>"$log" 2>&1 \
     && (cd "$ROOT" && "${AUDIT[@]}" provenance //app:component --config=release --sign-key "$S/release.key" -o "$S/a.dsse.json") >>"$log" 2>&1 \
     && (cd "$ROOT" && "${AUDIT[@]}" provenance //app:component --config=release --sign-key "$S/release.key" -o "$S/b.dsse.json") >>"$log" 2>&1; then
    if cmp -s "$S/a.dsse.json" "$S/b.dsse.json"; then pass signed_provenance_is_deterministic; else fail signed_provenance_is_deterministic "the two envelopes differ"; fi
    "${AUDIT[@]}" verify "$S/component.wasm" "$S/a.dsse.json" --public-key "$S/release.pub" --work "$S/verify" --keep >"$log" 2>&1
    status=$?
    if [ "$status" -eq 0 ]; then
      expect_contains verify_signed_matches "$log" "signature: ok (Ed25519" "MATCH: $S/component.wasm is app/component.wasm"
    else
      fail verify_signed_matches "exit $status" "$(tail -20 "$log")"
    fi
    python3 - "$S/a.dsse.json" "$S/tampered.wasm" "$S/edited.dsse.json" <<'PY'
import base64, hashlib, json, sys
env = json.load(open(sys.argv[1]))
st = json.loads(base64.b64decode(env["payload"]))
st["subject"][0]["digest"]["sha256"] = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
env["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
open(sys.argv[3], "w").write(json.dumps(env))
PY
    "${AUDIT[@]}" verify "$S/tampered.wasm" "$S/edited.dsse.json" --public-key "$S/release.pub" --work "$S/verify" --keep >"$log" 2>&1
    status=$?
    if [ "$status" -eq 1 ] && ! grep -q "rebuilding" "$log"; then
      expect_contains verify_rejects_edited_signed_payload "$log" "no signature verifies with $S/release.pub"
    else
      fail verify_rejects_edited_signed_payload "exit $status" "$(tail -20 "$log")"
    fi
    "${AUDIT[@]}" verify "$S/component.wasm" "$S/a.dsse.json" --public-key "$S/other.pub" --work "$S/verify" --keep >"$log" 2>&1
    status=$?
    if [ "$status" -eq 1 ]; then expect_contains verify_rejects_other_key "$log" "no signature verifies with $S/other.pub"; else fail verify_rejects_other_key "exit $status" "$(tail -20 "$log")"; fi
    "${AUDIT[@]}" verify "$S/component.wasm" "$S/a.dsse.json" --work "$S/verify" --keep >"$log" 2>&1
    status=$?
    if [ "$status" -eq 2 ]; then expect_contains verify_requires_key_for_envelope "$log" "pass --public-key"; else fail verify_requires_key_for_envelope "exit $status" "$(tail -20 "$log")"; fi
  else
    fail signed_provenance "keygen or signed provenance failed" "$(tail -20 "$log")"
  fi
else
  fail provenance_statement "audit.py provenance failed" "$(tail -20 "$log")"
fi
(cd "$S/verify/source" 2>/dev/null && bazel --output_base="$S/verify/output_base" shutdown) >/dev/null 2>&1 || true
chmod -R u+w "$S" 2>/dev/null; rm -rf "$S/verify"
finish
