//! Picks the guest ELF embedded in the runner and passes the linker script.
//!
//! `HVSIM_NATIVE_GUEST` names the guest ELF (absolute, or relative to the repository root);
//! the default is fixtures/riscv64/native-smoke.elf. The file is copied to OUT_DIR so
//! `include_bytes!` has a fixed path.

use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let repo = manifest.join("../..");
    println!("cargo:rerun-if-env-changed=HVSIM_NATIVE_GUEST");
    let guest = env::var("HVSIM_NATIVE_GUEST")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("fixtures/riscv64/native-smoke.elf"));
    let guest = if guest.is_absolute() {
        guest
    } else {
        repo.join(guest)
    };
    println!("cargo:rerun-if-changed={}", guest.display());
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    if let Err(e) = fs::copy(&guest, out.join("guest.elf")) {
        panic!(
            "HVSIM_NATIVE_GUEST: cannot read guest ELF {}: {e}",
            guest.display()
        );
    }
    let name = guest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    println!("cargo:rustc-env=HVSIM_NATIVE_GUEST_NAME={name}");

    let script = manifest.join("link.x");
    println!("cargo:rerun-if-changed={}", script.display());
    println!("cargo:rustc-link-arg=-T{}", script.display());
}
