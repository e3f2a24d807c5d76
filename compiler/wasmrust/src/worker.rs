//! `wasmrust --persistent_worker`: a Bazel persistent worker for the compile
//! actions of first-party crates in dev builds, so that rustc's incremental
//! state survives from one build to the next (docs/dev-loop.md).
//!
//! Bazel starts the worker once per executable and mnemonic, with the
//! action's arguments up to its flag file plus `--persistent_worker`, and
//! then sends it one `WorkRequest` per action on stdin: length-delimited
//! protobuf messages of Bazel's `worker_protocol.proto` (the proto form works
//! on Bazel 4 without flags and on every later version; JSON needs a flag on
//! Bazel 4). Each request is one `wasmrust rustc` invocation. The worker runs
//! it in a child `wasmrust` process with stdout and stderr captured into the
//! `WorkResponse`, so a request that fails, panics or is killed cannot take
//! the worker, or the requests after it, down with it.
//!
//! The children find the directory for incremental state in
//! [`INCREMENTAL_ROOT_ENV`]; outside the worker (a sandboxed or remote run of
//! the same action) it is unset and rustc compiles from scratch.
//! [`IncrementalSession`] keeps that state per output file, so per target and
//! configuration, and discards it when the compile that last used it did not
//! finish.

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The flag Bazel adds to a worker's start-up arguments.
pub const PERSISTENT_WORKER_FLAG: &str = "--persistent_worker";

/// The environment variable through which the worker tells its children where
/// incremental state lives (an absolute directory).
pub const INCREMENTAL_ROOT_ENV: &str = "WASMRUST_INCREMENTAL_ROOT";

/// Where, under the execution root, the worker keeps incremental state: inside
/// `bazel-out`, so `bazel clean` removes it with the outputs it was built for.
pub const INCREMENTAL_DIR: &str = "bazel-out/_wasmrust_incremental";

/// Expands a trailing `@FILE` argument (Bazel's param file, one argument per
/// line) in place; other arguments are returned unchanged.
pub fn expand_param_file(mut args: Vec<OsString>) -> Result<Vec<OsString>> {
    let Some(last) = args
        .last()
        .and_then(|a| a.to_str())
        .and_then(|a| a.strip_prefix('@'))
        .map(PathBuf::from)
    else {
        return Ok(args);
    };
    args.pop();
    let text = fs::read_to_string(&last)
        .with_context(|| format!("failed to read the param file `{}`", last.display()))?;
    args.extend(text.lines().map(OsString::from));
    Ok(args)
}

/// One `WorkRequest`, the fields this worker uses.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WorkRequest {
    /// The action's arguments (the param file's contents).
    pub arguments: Vec<String>,
    /// 0 for singleplex workers, as this one is.
    pub request_id: i32,
    /// A cancel request: only sent to workers that declare support, which this one does not.
    pub cancel: bool,
}

/// Reads a base-128 varint; `Ok(None)` at a clean end of input before its first byte.
fn read_varint(r: &mut impl Read) -> io::Result<Option<u64>> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let mut byte = [0u8];
        if r.read(&mut byte)? == 0 {
            if shift == 0 {
                return Ok(None);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "end of input inside a varint",
            ));
        }
        value |= u64::from(byte[0] & 0x7f) << shift;
        if byte[0] & 0x80 == 0 {
            return Ok(Some(value));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "varint longer than 10 bytes",
    ))
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads the next length-delimited message; `None` when Bazel closed stdin.
pub fn read_message(r: &mut impl Read) -> Result<Option<Vec<u8>>> {
    let Some(len) = read_varint(r)? else {
        return Ok(None);
    };
    let len = usize::try_from(len).context("message length overflows")?;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)
        .context("end of input inside a WorkRequest")?;
    Ok(Some(buf))
}

/// Decodes a `WorkRequest`: `arguments` (1), `request_id` (3) and `cancel` (4);
/// `inputs` (2), `verbosity` (5), `sandbox_dir` (6) and unknown fields are skipped.
pub fn decode_request(mut buf: &[u8]) -> Result<WorkRequest> {
    let mut req = WorkRequest::default();
    while !buf.is_empty() {
        let key = read_varint(&mut buf)?.context("truncated field key")?;
        let (field, wire) = (key >> 3, key & 7);
        match wire {
            0 => {
                let v = read_varint(&mut buf)?.context("truncated varint field")?;
                match field {
                    3 => req.request_id = v as i32,
                    4 => req.cancel = v != 0,
                    _ => {}
                }
            }
            2 => {
                let len = usize::try_from(read_varint(&mut buf)?.context("truncated length")?)?;
                if len > buf.len() {
                    bail!("field {field} is {len} bytes but only {} remain", buf.len());
                }
                let (value, rest) = buf.split_at(len);
                if field == 1 {
                    req.arguments.push(
                        String::from_utf8(value.to_vec()).context("an argument is not UTF-8")?,
                    );
                }
                buf = rest;
            }
            1 => buf = buf.get(8..).context("truncated 64-bit field")?,
            5 => buf = buf.get(4..).context("truncated 32-bit field")?,
            _ => bail!("unsupported protobuf wire type {wire} (field {field})"),
        }
    }
    Ok(req)
}

/// Encodes a length-delimited `WorkResponse`: `exit_code` (1), `output` (2), `request_id` (3).
pub fn encode_response(exit_code: i32, output: &str, request_id: i32) -> Vec<u8> {
    let mut msg = Vec::new();
    if exit_code != 0 {
        msg.push(1 << 3);
        // int32: negative values are sign-extended to 64 bits, as protobuf does.
        write_varint(&mut msg, i64::from(exit_code) as u64);
    }
    if !output.is_empty() {
        msg.push((2 << 3) | 2);
        write_varint(&mut msg, output.len() as u64);
        msg.extend_from_slice(output.as_bytes());
    }
    if request_id != 0 {
        msg.push(3 << 3);
        write_varint(&mut msg, i64::from(request_id) as u64);
    }
    let mut out = Vec::with_capacity(msg.len() + 5);
    write_varint(&mut out, msg.len() as u64);
    out.extend_from_slice(&msg);
    out
}

/// Serves WorkRequests from stdin until Bazel closes it. `startup` are the
/// arguments the worker was started with, less `--persistent_worker`; each
/// request runs `wasmrust STARTUP... ARGUMENTS...` as a child process.
pub fn serve(startup: &[OsString]) -> Result<()> {
    let exe = std::env::current_exe().context("failed to find the wasmrust executable")?;
    let cwd = std::env::current_dir().context("failed to read the working directory")?;
    let root = cwd.join(INCREMENTAL_DIR);
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut stdout = io::stdout().lock();
    while let Some(buf) = read_message(&mut input)? {
        let req = decode_request(&buf)?;
        if req.cancel {
            continue;
        }
        let (code, output) = match run_child(&exe, &root, startup, &req.arguments) {
            Ok(r) => r,
            Err(e) => (
                1,
                format!("error: the wasmrust worker could not run the request: {e:#}\n"),
            ),
        };
        stdout.write_all(&encode_response(code, &output, req.request_id))?;
        stdout.flush()?;
    }
    Ok(())
}

fn run_child(
    exe: &Path,
    root: &Path,
    startup: &[OsString],
    arguments: &[String],
) -> Result<(i32, String)> {
    let out = Command::new(exe)
        .args(startup)
        .args(arguments)
        .env(INCREMENTAL_ROOT_ENV, root)
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("failed to start `{}`", exe.display()))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    // A child killed by a signal has no code: report it as a failure with the signal named.
    let code = out.status.code().unwrap_or_else(|| {
        text.push_str(&format!("error: wasmrust was stopped ({})\n", out.status));
        1
    });
    Ok((code, text))
}

/// rustc's incremental state for one output file, held for the duration of
/// one compile: an exclusive lock (a second compile of the same crate, for
/// example one orphaned by a killed worker, waits for the first to finish)
/// and a marker that is removed only when rustc has finished. State whose
/// marker is still there was left by a compile that was killed, and is
/// discarded rather than trusted.
pub struct IncrementalSession {
    dir: PathBuf,
    marker: PathBuf,
    _lock: File,
    /// Whether state left by an unfinished compile was discarded.
    pub discarded: bool,
}

impl IncrementalSession {
    /// Opens (creating it if needed) the state of the crate whose output is
    /// `out` (an execroot-relative `bazel-out/...` path) under `root`.
    pub fn open(root: &Path, out: &str) -> Result<Self> {
        let rel = out.strip_prefix("bazel-out/").unwrap_or(out);
        if Path::new(rel).is_absolute() || rel.split('/').any(|c| c == ".." || c.is_empty()) {
            bail!(
                "cannot keep incremental state for output `{out}`: expected a relative `bazel-out/...` path"
            );
        }
        let base = root.join(format!("{rel}.incremental"));
        fs::create_dir_all(&base)
            .with_context(|| format!("failed to create `{}`", base.display()))?;
        let lock = File::create(base.join("lock"))
            .with_context(|| format!("failed to create the lock in `{}`", base.display()))?;
        lock.lock()
            .with_context(|| format!("failed to lock `{}`", base.display()))?;
        let dir = base.join("rustc");
        let marker = base.join("unfinished");
        let discarded = marker.exists() && dir.exists();
        if discarded {
            fs::remove_dir_all(&dir)
                .with_context(|| format!("failed to discard `{}`", dir.display()))?;
        }
        File::create(&marker)
            .with_context(|| format!("failed to create `{}`", marker.display()))?;
        Ok(IncrementalSession {
            dir,
            marker,
            _lock: lock,
            discarded,
        })
    }

    /// The directory to pass to rustc's `-Cincremental`.
    pub fn rustc_dir(&self) -> &Path {
        &self.dir
    }

    /// Marks the state as left by a compile that finished (whether or not it
    /// succeeded: a compile error is a finished compile), and unlocks it.
    pub fn finish(self) -> Result<()> {
        fs::remove_file(&self.marker)
            .with_context(|| format!("failed to remove `{}`", self.marker.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;

    fn read_requests(mut r: impl BufRead) -> Result<Vec<WorkRequest>> {
        let mut out = Vec::new();
        while let Some(buf) = read_message(&mut r)? {
            out.push(decode_request(&buf)?);
        }
        Ok(out)
    }

    /// A length-delimited WorkRequest as Bazel writes it.
    fn request(args: &[&str], id: i32, extra: &[u8]) -> Vec<u8> {
        let mut msg = Vec::new();
        for a in args {
            msg.push((1 << 3) | 2);
            write_varint(&mut msg, a.len() as u64);
            msg.extend_from_slice(a.as_bytes());
        }
        msg.extend_from_slice(extra);
        if id != 0 {
            msg.push(3 << 3);
            write_varint(&mut msg, id as u64);
        }
        let mut out = Vec::new();
        write_varint(&mut out, msg.len() as u64);
        out.extend(msg);
        out
    }

    #[test]
    fn decodes_requests_and_skips_inputs_and_unknown_fields() {
        // An `inputs` entry (field 2: path + digest), verbosity (5) and a 64-bit unknown field (9).
        let mut extra = vec![
            (2 << 3) | 2,
            8,
            (1 << 3) | 2,
            2,
            b'a',
            b'b',
            (2 << 3) | 2,
            2,
            1,
            2,
        ];
        extra.extend_from_slice(&[5 << 3, 10, (9 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]);
        let mut stream = request(&["rustc", "--mode", "dev"], 0, &extra);
        stream.extend(request(&["é", ""], 300, &[]));
        let reqs = read_requests(&stream[..]).unwrap();
        assert_eq!(reqs.len(), 2);
        assert_eq!(
            reqs[0],
            WorkRequest {
                arguments: vec!["rustc".into(), "--mode".into(), "dev".into()],
                request_id: 0,
                cancel: false
            }
        );
        assert_eq!(reqs[1].arguments, vec!["é".to_string(), String::new()]);
        assert_eq!(reqs[1].request_id, 300);
    }

    #[test]
    fn rejects_truncated_requests() {
        let stream = request(&["rustc"], 0, &[]);
        assert!(read_requests(&stream[..stream.len() - 1]).is_err());
        // A field that claims more bytes than the message has.
        assert!(decode_request(&[(1 << 3) | 2, 5, b'a']).is_err());
        assert!(read_requests(&[0x80u8][..]).is_err());
    }

    #[test]
    fn encodes_responses_as_bazel_reads_them() {
        assert_eq!(encode_response(0, "", 0), vec![0]);
        let r = encode_response(1, "error: x\n", 7);
        let mut expected = vec![1 << 3, 1, (2 << 3) | 2, 9];
        expected.extend_from_slice(b"error: x\n");
        expected.extend_from_slice(&[3 << 3, 7]);
        assert_eq!(r[0] as usize, expected.len());
        assert_eq!(&r[1..], &expected[..]);
        // Negative int32 values take ten bytes, as protobuf encodes them.
        assert_eq!(encode_response(-1, "", 0).len(), 1 + 1 + 10);
    }

    #[test]
    fn expands_a_trailing_param_file_only() {
        let dir = std::env::temp_dir().join(format!("wasmrust-worker-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let params = dir.join("a.params");
        fs::write(&params, "rustc\n--mode\ndev\n").unwrap();
        let at = OsString::from(format!("@{}", params.display()));
        assert_eq!(
            expand_param_file(vec!["x".into(), at]).unwrap(),
            ["x", "rustc", "--mode", "dev"].map(OsString::from)
        );
        assert_eq!(
            expand_param_file(vec!["@a".into(), "b".into()]).unwrap(),
            ["@a", "b"].map(OsString::from)
        );
        assert!(
            expand_param_file(vec![format!("@{}", dir.join("missing").display()).into()]).is_err()
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn incremental_state_of_an_unfinished_compile_is_discarded() {
        let root = std::env::temp_dir().join(format!("wasmrust-incr-{}", std::process::id()));
        let out = "bazel-out/k8-fastbuild/bin/app/libapp.rlib";
        let s = IncrementalSession::open(&root, out).unwrap();
        assert!(!s.discarded);
        fs::create_dir_all(s.rustc_dir()).unwrap();
        fs::write(s.rustc_dir().join("state"), "x").unwrap();
        s.finish().unwrap();
        // A finished compile's state is kept.
        let s = IncrementalSession::open(&root, out).unwrap();
        assert!(!s.discarded && s.rustc_dir().join("state").exists());
        // This one is "killed": dropped without finish().
        drop(s);
        let s = IncrementalSession::open(&root, out).unwrap();
        assert!(s.discarded && !s.rustc_dir().exists());
        assert_eq!(
            s.rustc_dir(),
            root.join("k8-fastbuild/bin/app/libapp.rlib.incremental/rustc")
        );
        s.finish().unwrap();
        assert!(IncrementalSession::open(&root, "../escape").is_err());
        assert!(IncrementalSession::open(&root, "/abs/out").is_err());
        fs::remove_dir_all(&root).unwrap();
    }
}
