//! The QEMU `virt` layout both RISC-V boards share: the physical address map of the devices
//! they have (`map`) and the bus the harts reach RAM, the devices and virtual time through
//! (`bus`). The bare board ([`crate::riscv::board`]) and the hypervisor platform
//! ([`crate::riscv::platform`]) differ in what sits around it (one hart in M-mode with HTIF,
//! or several harts in HS-host mode with the firmware model), not in this.

pub mod bus;
pub mod map;
