//! Reading guest image files for any subcommand that takes one.

use std::path::Path;

use anyhow::Context;

/// Guest images larger than this are refused before reading them into memory.
const MAX_IMAGE_BYTES: u64 = 256 << 20;

/// The file's bytes, refusing directories and oversized files with a clear message.
pub fn read_image(path: &Path) -> anyhow::Result<Vec<u8>> {
    let shown = path.display();
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {shown}"))?;
    anyhow::ensure!(meta.is_file(), "{shown}: not a regular file");
    anyhow::ensure!(
        meta.len() <= MAX_IMAGE_BYTES,
        "{shown}: {} bytes is larger than the {} MiB guest image limit",
        meta.len(),
        MAX_IMAGE_BYTES >> 20
    );
    std::fs::read(path).with_context(|| format!("cannot read {shown}"))
}
