//! Reading inputs and writing outputs without ever leaving a partial file,
//! and without touching any file the caller did not ask to write.
//!
//! * Outputs are written atomically: a temporary file with a random name is
//!   created exclusively (`O_EXCL`) in the output's own directory, written,
//!   flushed and renamed over the output. On any error it is removed and the
//!   output is left as it was.
//! * Scratch files (binaryen reads and writes paths, not memory) live in a
//!   [`scratch_dir`]: a private directory (mode 0700, random name) under the
//!   system temporary directory, removed with everything in it when dropped.
//!   They never sit next to the user's files, so no name a user may have
//!   chosen (`app.pre-opt.wasm`) is ever created, replaced or removed.
//! * An output that is one of the inputs is refused before anything is
//!   written ([`ensure_not_input`]): the tools never modify their inputs.
//!
//! Temporary names come from the `tempfile` crate (already built for the
//! `wasm-opt` crate, which uses it for `--converge`): random names created
//! with `O_EXCL`, owner-only scratch directories, cleanup on drop.

use anyhow::{Context, Result, bail};
use std::fs;
use std::path::Path;

/// Reads a whole file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))
}

/// Fails when `output` already exists and is the same file on disk as one of
/// `inputs` (the same path, or another name for it through a symlink or a
/// hard link). Call it before writing `output`: wasmrust never modifies or
/// replaces its inputs.
pub fn ensure_not_input(output: &Path, inputs: &[&Path]) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(out) = fs::metadata(output) else {
        return Ok(()); // nothing there yet, so it is no input
    };
    for input in inputs {
        if let Ok(i) = fs::metadata(input)
            && (i.dev(), i.ino()) == (out.dev(), out.ino())
        {
            let same = if *input == output {
                String::new()
            } else {
                format!(" (the same file as `{}`)", output.display())
            };
            bail!(
                "refusing to write `{}`: it is the input `{}`{same}, and wasmrust never modifies its inputs; \
                 write the output to another path (and move it over the input afterwards if that is what you want)",
                output.display(),
                input.display()
            );
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file with a random name
/// is created exclusively in the same directory, written, flushed and renamed
/// over `path`. On any error the temporary file is removed and `path` is left
/// untouched. The file gets the usual mode (0666 less the umask).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_from(path, &mut &bytes[..])
}

/// [`write_atomic`], streaming the contents from `reader` (a large file is
/// never held in memory whole).
pub fn write_atomic_from(path: &Path, reader: &mut impl std::io::Read) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Some(name) = path.file_name() else {
        bail!("output path `{}` has no file name", path.display());
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "failed to create a temporary file next to `{}`",
                path.display()
            )
        })?;
    std::io::copy(reader, &mut tmp)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    // On error `persist` hands the file back; dropping it removes it.
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("failed to move output into place at `{}`", path.display()))?;
    Ok(())
}

/// A private scratch directory (mode 0700, random name) under the system
/// temporary directory (`$TMPDIR`, else `/tmp`); it and everything in it are
/// removed when the returned value is dropped, on success and on error.
pub fn scratch_dir() -> Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    // tempfile's default mode for directories is 0777 less the umask: ask for owner-only.
    tempfile::Builder::new()
        .prefix("wasmrust-")
        .permissions(fs::Permissions::from_mode(0o700))
        .tempdir()
        .context("failed to create a scratch directory under the system temporary directory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporaries() {
        let dir = std::env::temp_dir().join(format!("wasmrust-io-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let out = dir.join("out.wasm");
        write_atomic(&out, b"first").unwrap();
        write_atomic(&out, b"second").unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "temporary files left behind: {names:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_write_into_missing_directory_fails_cleanly() {
        let out = std::env::temp_dir().join("wasmrust-no-such-dir/x/out.wasm");
        assert!(write_atomic(&out, b"x").is_err());
        assert!(!out.exists());
    }

    #[test]
    fn atomic_write_keeps_the_usual_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch_dir().unwrap();
        let out = dir.path().join("out.wasm");
        write_atomic(&out, b"x").unwrap();
        let plain = dir.path().join("plain");
        fs::write(&plain, b"x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), mode(&plain));
    }

    #[test]
    fn an_input_is_never_an_output() {
        let dir = scratch_dir().unwrap();
        let input = dir.path().join("in.wasm");
        fs::write(&input, b"input").unwrap();
        let link = dir.path().join("link.wasm");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        for out in [&input, &link] {
            let e = ensure_not_input(out, &[&input]).unwrap_err().to_string();
            assert!(
                e.contains("refusing to write") && e.contains("never modifies its inputs"),
                "{e}"
            );
        }
        ensure_not_input(&dir.path().join("new.wasm"), &[&input]).unwrap();
        let other = dir.path().join("other.wasm");
        fs::write(&other, b"other").unwrap();
        ensure_not_input(&other, &[&input]).unwrap();
        assert_eq!(fs::read(&input).unwrap(), b"input");
    }

    #[test]
    fn scratch_dirs_are_private_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch_dir().unwrap();
        let path = dir.path().to_path_buf();
        fs::write(path.join("f"), b"x").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o700
        );
        drop(dir);
        assert!(!path.exists());
    }
}
