//! A minimal device tree for test guests that follow the RISC-V boot protocol (a0 = hart
//! id, a1 = device tree): root, /chosen, /memory and /cpus. The full Machine writes a
//! richer one (docs/machine.md, "Device tree").

use vm_fdt::{Error, FdtWriter};

/// The blob for `harts` harts and RAM `[ram_base, ram_base + ram_size)`.
pub(crate) fn minimal(
    harts: usize,
    ram_base: u64,
    ram_size: u64,
    timebase: u32,
) -> Result<Vec<u8>, Error> {
    let mut w = FdtWriter::new()?;
    let root = w.begin_node("")?;
    w.property_u32("#address-cells", 2)?;
    w.property_u32("#size-cells", 2)?;
    w.property_string("compatible", "hvsim,testkit")?;
    let chosen = w.begin_node("chosen")?;
    w.end_node(chosen)?;
    let mem = w.begin_node(&format!("memory@{ram_base:x}"))?;
    w.property_string("device_type", "memory")?;
    w.property_array_u64("reg", &[ram_base, ram_size])?;
    w.end_node(mem)?;
    let cpus = w.begin_node("cpus")?;
    w.property_u32("#address-cells", 1)?;
    w.property_u32("#size-cells", 0)?;
    w.property_u32("timebase-frequency", timebase)?;
    for h in 0..harts {
        let cpu = w.begin_node(&format!("cpu@{h}"))?;
        w.property_string("device_type", "cpu")?;
        w.property_u32("reg", h as u32)?;
        w.property_string("compatible", "riscv")?;
        w.property_string("riscv,isa", "rv64imac_zicntr_zicsr_zifencei")?;
        w.end_node(cpu)?;
    }
    w.end_node(cpus)?;
    w.end_node(root)?;
    w.finish()
}
