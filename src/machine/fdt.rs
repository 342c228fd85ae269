//! The device tree the guest boots with (Devicetree Specification v0.4; RISC-V bindings from
//! Linux `Documentation/devicetree/bindings/riscv/cpus.yaml`), written with rust-vmm's
//! `vm-fdt`. The shape follows QEMU `virt`, so existing guests find what they expect.

use vm_fdt::{FdtWriter, FdtWriterNode};

use super::backend::ArchDefaults;
use super::devices::UART_WINDOW;

/// The UART input clock advertised in the tree (QEMU `virt`'s value). The model has no baud
/// timing, so it only feeds the guest's divisor arithmetic.
pub const UART_CLOCK_HZ: u32 = 3_686_400;
/// Test-finisher register window.
const FINISHER_WINDOW: u64 = 0x1000;
/// Finisher command values for the syscon-poweroff / syscon-reboot nodes (hw-models
/// `TestFinisher`: 0x5555 pass, 0x7777 reset).
const FINISHER_PASS: u32 = 0x5555;
const FINISHER_RESET: u32 = 0x7777;
/// phandle of the test finisher (referenced by `regmap`).
const PHANDLE_FINISHER: u32 = 1;
/// phandles of the per-CPU interrupt controllers start here.
const PHANDLE_CPU_INTC: u32 = 0x10;

/// What goes into the tree.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FdtInfo<'a> {
    pub arch: &'a ArchDefaults,
    pub vcpus: usize,
    pub timebase_hz: u64,
    pub ram_base: u64,
    pub ram_size: u64,
    pub bootargs: &'a str,
    pub uart_base: u64,
    pub finisher_base: u64,
}

fn err(e: vm_fdt::Error) -> String {
    e.to_string()
}

fn node(w: &mut FdtWriter, name: &str) -> Result<FdtWriterNode, String> {
    w.begin_node(name).map_err(err)
}

/// Builds the blob.
pub(crate) fn build(info: &FdtInfo<'_>) -> Result<Vec<u8>, String> {
    let mut w = FdtWriter::new().map_err(err)?;
    let root = node(&mut w, "")?;
    w.property_u32("#address-cells", 2).map_err(err)?;
    w.property_u32("#size-cells", 2).map_err(err)?;
    w.property_string("compatible", "hvsim,virt").map_err(err)?;
    w.property_string("model", "hvsim virtual machine")
        .map_err(err)?;

    let uart_path = format!("/soc/serial@{:x}", info.uart_base);
    let chosen = node(&mut w, "chosen")?;
    w.property_string("bootargs", info.bootargs).map_err(err)?;
    w.property_string("stdout-path", &uart_path).map_err(err)?;
    w.end_node(chosen).map_err(err)?;

    cpus(&mut w, info)?;

    let mem = node(&mut w, &format!("memory@{:x}", info.ram_base))?;
    w.property_string("device_type", "memory").map_err(err)?;
    w.property_array_u64("reg", &[info.ram_base, info.ram_size])
        .map_err(err)?;
    w.end_node(mem).map_err(err)?;

    let soc = node(&mut w, "soc")?;
    w.property_u32("#address-cells", 2).map_err(err)?;
    w.property_u32("#size-cells", 2).map_err(err)?;
    w.property_string("compatible", "simple-bus").map_err(err)?;
    w.property_null("ranges").map_err(err)?;

    let fin = node(&mut w, &format!("test@{:x}", info.finisher_base))?;
    w.property_string_list(
        "compatible",
        vec![
            "sifive,test1".into(),
            "sifive,test0".into(),
            "syscon".into(),
        ],
    )
    .map_err(err)?;
    w.property_array_u64("reg", &[info.finisher_base, FINISHER_WINDOW])
        .map_err(err)?;
    w.property_phandle(PHANDLE_FINISHER).map_err(err)?;
    w.end_node(fin).map_err(err)?;

    let uart = node(&mut w, &format!("serial@{:x}", info.uart_base))?;
    w.property_string("compatible", "ns16550a").map_err(err)?;
    w.property_array_u64("reg", &[info.uart_base, UART_WINDOW])
        .map_err(err)?;
    w.property_u32("clock-frequency", UART_CLOCK_HZ)
        .map_err(err)?;
    w.end_node(uart).map_err(err)?;
    w.end_node(soc).map_err(err)?;

    for (name, compat, value) in [
        ("poweroff", "syscon-poweroff", FINISHER_PASS),
        ("reboot", "syscon-reboot", FINISHER_RESET),
    ] {
        let n = node(&mut w, name)?;
        w.property_string("compatible", compat).map_err(err)?;
        w.property_u32("regmap", PHANDLE_FINISHER).map_err(err)?;
        w.property_u32("offset", 0).map_err(err)?;
        w.property_u32("value", value).map_err(err)?;
        w.end_node(n).map_err(err)?;
    }

    w.end_node(root).map_err(err)?;
    w.finish().map_err(err)
}

fn cpus(w: &mut FdtWriter, info: &FdtInfo<'_>) -> Result<(), String> {
    let cpus = node(w, "cpus")?;
    w.property_u32("#address-cells", 1).map_err(err)?;
    w.property_u32("#size-cells", 0).map_err(err)?;
    // A u32 cell when it fits (what every binding example uses), two cells otherwise.
    match u32::try_from(info.timebase_hz) {
        Ok(hz) => w.property_u32("timebase-frequency", hz),
        Err(_) => w.property_u64("timebase-frequency", info.timebase_hz),
    }
    .map_err(err)?;
    for id in 0..info.vcpus {
        let hart = u32::try_from(id).map_err(|_| format!("hart id {id} does not fit a cell"))?;
        let cpu = node(w, &format!("cpu@{id:x}"))?;
        w.property_string("device_type", "cpu").map_err(err)?;
        w.property_u32("reg", hart).map_err(err)?;
        w.property_string("status", "okay").map_err(err)?;
        w.property_string("compatible", "riscv").map_err(err)?;
        w.property_string("riscv,isa", info.arch.isa).map_err(err)?;
        w.property_string("riscv,isa-base", "rv64i").map_err(err)?;
        w.property_string_list(
            "riscv,isa-extensions",
            info.arch
                .isa_extensions
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        )
        .map_err(err)?;
        w.property_string("mmu-type", info.arch.mmu_type)
            .map_err(err)?;
        let intc = node(w, "interrupt-controller")?;
        w.property_u32("#interrupt-cells", 1).map_err(err)?;
        w.property_null("interrupt-controller").map_err(err)?;
        w.property_string("compatible", "riscv,cpu-intc")
            .map_err(err)?;
        w.property_phandle(PHANDLE_CPU_INTC.saturating_add(hart))
            .map_err(err)?;
        w.end_node(intc).map_err(err)?;
        w.end_node(cpu).map_err(err)?;
    }
    w.end_node(cpus).map_err(err)
}
