//! The device tree the Machine writes, read back with an independent DTB reader.

mod machine_support;

use hvsim::machine::mock::MockBackend;
use hvsim::machine::{MachineBuilder, UART_CLOCK_HZ};
use machine_support::{node, parse_fdt, tiny_raw};

fn dtb(vcpus: usize, append: &str, timebase: u64) -> (Vec<u8>, u64) {
    let m = MachineBuilder::new(MockBackend::new(2))
        .ram_size(64 << 20)
        .vcpus(vcpus)
        .append(append)
        .timebase(timebase)
        .image(tiny_raw())
        .build()
        .unwrap();
    (m.dtb().to_vec(), m.dtb_addr())
}

#[test]
fn root_chosen_memory() {
    let (b, _) = dtb(1, "console=ttyS0 earlycon", 10_000_000);
    let nodes = parse_fdt(&b);
    let root = node(&nodes, "/");
    assert_eq!(root.prop("#address-cells").u32(), 2);
    assert_eq!(root.prop("#size-cells").u32(), 2);
    let chosen = node(&nodes, "/chosen");
    assert_eq!(chosen.prop("bootargs").str(), "console=ttyS0 earlycon");
    assert_eq!(chosen.prop("stdout-path").str(), "/soc/serial@10000000");
    let mem = node(&nodes, "/memory@80000000");
    assert_eq!(mem.prop("device_type").str(), "memory");
    assert_eq!(mem.prop("reg").u64s(), vec![0x8000_0000, 64 << 20]);
}

#[test]
fn cpus_tell_the_truth_about_the_model() {
    let (b, _) = dtb(3, "", 1_000_000);
    let nodes = parse_fdt(&b);
    let cpus = node(&nodes, "/cpus");
    assert_eq!(cpus.prop("timebase-frequency").u32(), 1_000_000);
    assert_eq!(cpus.prop("#address-cells").u32(), 1);
    assert_eq!(cpus.prop("#size-cells").u32(), 0);
    let mut phandles = Vec::new();
    for id in 0..3u32 {
        let cpu = node(&nodes, &format!("/cpus/cpu@{id:x}"));
        assert_eq!(cpu.prop("device_type").str(), "cpu");
        assert_eq!(cpu.prop("reg").u32(), id);
        assert_eq!(cpu.prop("status").str(), "okay");
        let isa = cpu.prop("riscv,isa").str();
        assert!(isa.starts_with("rv64imac"), "{isa}");
        // No F/D: the hart model has no floating point.
        let base = isa.split('_').next().unwrap();
        assert!(!base.contains('f') && !base.contains('d'), "{isa}");
        for ext in ["zicsr", "zifencei"] {
            assert!(isa.contains(ext), "{isa} lacks {ext}");
        }
        let exts = cpu.prop("riscv,isa-extensions").strings();
        assert!(exts.iter().all(|e| e != "f" && e != "d"), "{exts:?}");
        assert!(["riscv,sv39", "riscv,sv48"].contains(&cpu.prop("mmu-type").str().as_str()));
        let intc = node(&nodes, &format!("/cpus/cpu@{id:x}/interrupt-controller"));
        assert_eq!(intc.prop("compatible").str(), "riscv,cpu-intc");
        assert_eq!(intc.prop("#interrupt-cells").u32(), 1);
        assert!(intc.has("interrupt-controller"));
        phandles.push(intc.prop("phandle").u32());
    }
    phandles.dedup();
    assert_eq!(phandles.len(), 3, "unique phandles");
    assert!(nodes.iter().all(|n| n.path != "/cpus/cpu@3"));
}

#[test]
fn uart_finisher_poweroff_reboot() {
    let (b, _) = dtb(1, "", 10_000_000);
    let nodes = parse_fdt(&b);
    let uart = node(&nodes, "/soc/serial@10000000");
    assert_eq!(uart.prop("compatible").str(), "ns16550a");
    assert_eq!(uart.prop("reg").u64s(), vec![0x1000_0000, 0x100]);
    assert_eq!(uart.prop("clock-frequency").u32(), UART_CLOCK_HZ);
    let fin = node(&nodes, "/soc/test@100000");
    assert_eq!(
        fin.prop("compatible").strings(),
        vec!["sifive,test1", "sifive,test0", "syscon"]
    );
    assert_eq!(fin.prop("reg").u64s(), vec![0x10_0000, 0x1000]);
    let ph = fin.prop("phandle").u32();
    for (path, compat, value) in [
        ("/poweroff", "syscon-poweroff", 0x5555),
        ("/reboot", "syscon-reboot", 0x7777),
    ] {
        let n = node(&nodes, path);
        assert_eq!(n.prop("compatible").str(), compat);
        assert_eq!(n.prop("regmap").u32(), ph);
        assert_eq!(n.prop("offset").u32(), 0);
        assert_eq!(n.prop("value").u32(), value);
    }
}

#[test]
fn dtb_sits_at_the_top_of_ram_and_in_guest_memory() {
    let mut m = MachineBuilder::new(MockBackend::new(1))
        .ram_size(64 << 20)
        .image(tiny_raw())
        .build()
        .unwrap();
    let addr = m.dtb_addr();
    let end = 0x8000_0000u64 + (64 << 20);
    assert_eq!(addr % (2 << 20), 0, "2 MiB aligned");
    assert!(addr + m.dtb().len() as u64 <= end);
    assert!(end - addr <= 2 << 20, "within the top 2 MiB");
    let mut copy = vec![0; m.dtb().len()];
    assert!(m.read_guest(addr, &mut copy));
    assert_eq!(copy, m.dtb());
    // a0 = hart id, a1 = DTB (Linux RISC-V boot protocol).
    let v = &m.vcpus()[0];
    assert_eq!(v.arch().gpr(10), Some(0));
    assert_eq!(v.arch().gpr(11), Some(addr));
}
