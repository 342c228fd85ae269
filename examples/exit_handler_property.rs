//! A property test of a user's own MMIO exit handler with `hvsim::testkit`
//! (docs/testing-guide.md walks through it).
//!
//! The handler emulates a device of eight 64-bit registers. The property: a guest store of
//! any width followed by a load of the same width at the same address reads back what was
//! stored (zero- or sign-extended by the load). `BuggyDevice` ignores stores narrower
//! than 64 bits; proptest finds that and shrinks it to a minimal case.
//!
//! Run: `cargo run --example exit_handler_property`.

use hvsim::testkit::strategies::{MmioAccess, MmioInsn, mmio_access};
use hvsim::testkit::{Program, TestMachine, TestkitError};
use hw_models::riscv::isa::encode::{self, Reg};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sim_core::AccessWidth;
use vcpu::ExitReason;

const WINDOW: u64 = 0x4000_0000;
const SIZE: u64 = 64;

/// The user's exit handler: what a VMM does with an MMIO exit.
trait Device {
    fn read(&mut self, offset: u64, width: AccessWidth) -> u64;
    fn write(&mut self, offset: u64, width: AccessWidth, data: u64);
}

/// Eight little-endian 64-bit registers; narrow accesses touch their byte lanes.
struct RegisterFile([u8; SIZE as usize]);

impl Default for RegisterFile {
    fn default() -> Self {
        Self([0; SIZE as usize])
    }
}

impl Device for RegisterFile {
    fn read(&mut self, offset: u64, width: AccessWidth) -> u64 {
        let mut b = [0u8; 8];
        let (o, n) = (offset as usize, width.size());
        b[..n].copy_from_slice(&self.0[o..o + n]);
        u64::from_le_bytes(b)
    }
    fn write(&mut self, offset: u64, width: AccessWidth, data: u64) {
        let (o, n) = (offset as usize, width.size());
        self.0[o..o + n].copy_from_slice(&data.to_le_bytes()[..n]);
    }
}

/// The same device with a bug: stores narrower than 64 bits are dropped.
#[derive(Default)]
struct BuggyDevice(RegisterFile);

impl Device for BuggyDevice {
    fn read(&mut self, offset: u64, width: AccessWidth) -> u64 {
        self.0.read(offset, width)
    }
    fn write(&mut self, offset: u64, width: AccessWidth, data: u64) {
        if width == AccessWidth::Qword {
            self.0.write(offset, width, data);
        }
    }
}

/// The load that reads back what `store` wrote (same width and address; lb/lh/lw/ld).
fn load_for(store: &MmioAccess) -> MmioAccess {
    let insn = match store.insn.width() {
        AccessWidth::Byte => MmioInsn::Lb,
        AccessWidth::Word => MmioInsn::Lh,
        AccessWidth::Dword => MmioInsn::Lw,
        AccessWidth::Qword => MmioInsn::Ld,
    };
    MmioAccess {
        insn,
        addr: store.addr,
        data_reg: 6, // t1
        base_reg: 7, // t2
        offset: 0,
    }
}

/// The property, over any device: store `value` with `store`, load it back.
fn store_then_load<D: Device + Default>(
    store: MmioAccess,
    value: u64,
) -> Result<(), TestCaseError> {
    let load = load_for(&store);
    let run = || -> Result<(u64, u64), TestkitError> {
        let prog = Program::riscv(0x8000_0000, |a| {
            a.bytes(&store.encode()?);
            a.li(Reg::T2, store.addr as i64);
            a.bytes(&load.encode()?);
            a.put(encode::wfi());
            Ok(())
        })?
        .mmio_window(WINDOW, SIZE);
        let mut m = TestMachine::riscv().ram_mib(4).program(prog).build()?;
        m.set_gpr(usize::from(store.data_reg), value)?;
        m.set_gpr(usize::from(store.base_reg), store.base_value())?;
        let stored = m.gpr(usize::from(store.data_reg));
        let mut dev = D::default();
        loop {
            match m.run_to_exit()? {
                ExitReason::MmioWrite { addr, width, data } => {
                    dev.write(addr.as_u64() - WINDOW, width, data)
                }
                ExitReason::MmioRead { addr, width, .. } => {
                    let v = dev.read(addr.as_u64() - WINDOW, width);
                    m.complete_mmio_read(v)?;
                }
                ExitReason::Halt => return Ok((m.gpr(6), stored)),
                _ => {}
            }
        }
    };
    // `stored` is what the register held at the store (x0 reads 0; the base register
    // holds the address), read back from the vCPU before the run.
    let (got, stored) = run().map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        got,
        load.loaded_value(stored),
        "{:?} then {:?}",
        store,
        load
    );
    Ok(())
}

fn check<D: Device + Default>(name: &str) {
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        mmio_access(WINDOW, SIZE).prop_filter("stores only, not sp-based", |a| {
            a.insn.is_store() && a.base_reg != 2
        }),
        any::<u64>(),
    );
    match runner.run(&strategy, |(s, v)| store_then_load::<D>(s, v)) {
        Ok(()) => println!("{name}: property holds for 64 cases"),
        Err(e) => println!("{name}: {e}"),
    }
}

fn main() {
    check::<RegisterFile>("RegisterFile");
    check::<BuggyDevice>("BuggyDevice");
}
