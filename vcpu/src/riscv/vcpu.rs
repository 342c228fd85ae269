//! [`RiscvVCpu`]: one guest hart, and its lifecycle (new, setup, set_entry, set_ept_root,
//! bind, unbind). Running it and handling exits live in `run.rs` and `trap.rs`.

use core::marker::PhantomData;

use hw_models::riscv::csr_num;
use hw_models::riscv::hw::RiscvHardware;
use sim_core::{AccessWidth, GuestPhysAddr, HostPhysAddr};

use super::bits::{hgatp, hstatus};
use super::config::RiscvVCpuConfig;
use super::csr;
use super::error::{Result, RiscvVCpuError};
use super::irq::{PendingHvip, hvip_bit};
use super::regs::{GPR_COUNT, GprIndex, VmCpuRegisters};
use super::sbi::hsm::HartTable;
use super::timer::{GuestTimer, NEVER};

/// A load exit waiting for its value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PendingLoad {
    pub rd: usize,
    pub width: AccessWidth,
    pub signed: bool,
}

/// What `set_return_value` completes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum Completion {
    /// Nothing: the value goes to a0 (axvcpu's meaning of set_return_value).
    #[default]
    None,
    /// An MMIO load: the value goes to rd with the load's extension.
    Load(PendingLoad),
    /// A hypercall: a0 = SBI_SUCCESS stays, the value goes to a1.
    Hypercall,
}

/// A RISC-V vCPU driven through the hardware trait `H` (upstream `RISCVVCpu`).
///
/// The hardware handle is passed to each call that touches the hart, because a handle
/// stands for "the physical hart this code runs on" and vCPUs migrate between harts.
#[derive(Debug)]
pub struct RiscvVCpu<H> {
    pub(crate) regs: VmCpuRegisters,
    pub(crate) config: RiscvVCpuConfig,
    pub(crate) set_up: bool,
    pub(crate) bound: bool,
    pub(crate) has_sstc: bool,
    pub(crate) pending_hvip: PendingHvip,
    pub(crate) timer: GuestTimer,
    pub(crate) completion: Completion,
    pub(crate) harts: HartTable,
    _hw: PhantomData<fn(&mut H)>,
}

impl<H: RiscvHardware> RiscvVCpu<H> {
    /// A vCPU for guest hart `config.hart_id`, with a0 = hart id and a1 = device tree
    /// address (RISC-V Linux boot protocol), in VS-mode, not yet set up.
    ///
    /// ```
    /// use vcpu::riscv::{RiscvVCpu, RiscvVCpuConfig};
    /// # type Hart = vcpu::riscv::doc_support::NoHart;
    /// let cfg = RiscvVCpuConfig { hart_id: 1, hart_count: 2, dtb_addr: 0x8200_0000, ..Default::default() };
    /// let v = RiscvVCpu::<Hart>::new(cfg).unwrap();
    /// assert_eq!(v.gpr(10), 1);
    /// assert_eq!(v.gpr(11), 0x8200_0000);
    /// ```
    pub fn new(config: RiscvVCpuConfig) -> Result<Self> {
        config.validate().map_err(RiscvVCpuError::BadConfig)?;
        let mut regs = VmCpuRegisters::default();
        regs.guest_regs.set_abi(GprIndex::A0, config.hart_id);
        regs.guest_regs.set_abi(GprIndex::A1, config.dtb_addr);
        regs.guest_regs.in_vs = true;
        let harts = HartTable::new(config.hart_id);
        Ok(Self {
            regs,
            config,
            set_up: false,
            bound: false,
            has_sstc: false,
            pending_hvip: PendingHvip::default(),
            timer: GuestTimer::default(),
            completion: Completion::None,
            harts,
            _hw: PhantomData,
        })
    }

    /// Prepares the guest's hstatus: SRET enters V=1 (SPV) in VS-mode (SPVP), VSXLEN=64
    /// (norm:hstatus_vsxl_64), and WFI in VS traps as virtual-instruction (VTW,
    /// norm:H_virtinst_wfi_vtw1_tw0) so an idle guest becomes a `Halt` exit.
    pub fn setup(&mut self) -> Result<()> {
        self.regs.guest_regs.ctx.hstatus =
            hstatus::SPV | hstatus::SPVP | hstatus::VSXL_64 | hstatus::VTW;
        self.set_up = true;
        Ok(())
    }

    /// Sets the guest pc (a guest-physical address: the guest starts with vsatp Bare).
    pub fn set_entry(&mut self, entry: GuestPhysAddr) {
        self.regs.guest_regs.ctx.sepc = entry.as_u64();
    }

    /// Records the G-stage root table: hgatp = MODE (from the configuration) | VMID | PPN.
    /// The hart checks the value when the vCPU is bound.
    pub fn set_ept_root(&mut self, root: HostPhysAddr) -> Result<()> {
        let root = root.as_u64();
        if root % hgatp::ROOT_ALIGN != 0 {
            return Err(RiscvVCpuError::MisalignedRoot { root });
        }
        let ppn = (root >> hgatp::PAGE_SHIFT) & hgatp::PPN_MASK;
        self.regs.virtual_hs_csrs.hgatp = (self.config.gstage.hgatp_mode() << hgatp::MODE_SHIFT)
            | (u64::from(self.config.vmid) << hgatp::VMID_SHIFT)
            | ppn;
        Ok(())
    }

    /// Loads this vCPU onto the hart: hgatp (checked: the hart must keep MODE and VMID,
    /// norm:hgatp_mode_warl, norm:hgatp_vmid), HFENCE.GVMA for the VMID
    /// (norm:hgatp_op_hfence_gvma), the VS CSRs, hvip, and the guest's timer deadline.
    pub fn bind(&mut self, hw: &mut H) -> Result<()> {
        if self.bound {
            return Err(RiscvVCpuError::AlreadyBound);
        }
        let want = self.regs.virtual_hs_csrs.hgatp;
        if want == 0 {
            return Err(RiscvVCpuError::NoEptRoot);
        }
        csr::write(hw, csr_num::HGATP, want)?;
        let got = csr::read(hw, csr_num::HGATP)?;
        let want_mode = want >> hgatp::MODE_SHIFT;
        let got_mode = got >> hgatp::MODE_SHIFT;
        if got_mode != want_mode {
            return Err(RiscvVCpuError::UnsupportedGStageMode {
                mode: self.config.gstage,
                read_back: got_mode,
            });
        }
        let got_vmid = (got >> hgatp::VMID_SHIFT) & hgatp::VMID_MASK;
        if got_vmid != u64::from(self.config.vmid) {
            return Err(RiscvVCpuError::UnsupportedVmid {
                vmid: self.config.vmid,
                read_back: got_vmid,
            });
        }
        hw.hfence_gvma(None, Some(u64::from(self.config.vmid)));
        // HFENCE.GVMA need not flush VS-stage (guest-virtual) translations (priv spec,
        // HFENCE.GVMA note): remote fence requests are performed here, under the new hgatp.
        self.apply_remote_fences(hw);

        let vs = self.regs.vs_csrs;
        csr::write(hw, csr_num::VSSTATUS, vs.vsstatus)?;
        csr::write(hw, csr_num::VSIE, vs.vsie)?;
        csr::write(hw, csr_num::VSTVEC, vs.vstvec)?;
        csr::write(hw, csr_num::VSSCRATCH, vs.vsscratch)?;
        csr::write(hw, csr_num::VSEPC, vs.vsepc)?;
        csr::write(hw, csr_num::VSCAUSE, vs.vscause)?;
        csr::write(hw, csr_num::VSTVAL, vs.vstval)?;
        csr::write(hw, csr_num::VSATP, vs.vsatp)?;
        // Sstc is optional: a hart without it refuses vstimecmp, and the guest then only
        // has the SBI timer.
        self.has_sstc = hw
            .csr_write(csr_num::VSTIMECMP, vs.vstimecmp.unwrap_or(NEVER))
            .is_ok();
        csr::write(hw, csr_num::HVIP, self.regs.virtual_hs_csrs.hvip)?;
        // HS code between exits runs with hstatus.SPVP = 1 (VS), the privilege of almost
        // every exit, so HLV/HLVX need no hstatus write per exit (`run`). SPVP only
        // matters to HLV/HLVX/HSV, which only the vCPU issues.
        csr::set(hw, csr_num::HSTATUS, hstatus::SPVP)?;
        let hyp_hstatus = csr::read(hw, csr_num::HSTATUS)?;
        let hyp_sstatus = csr::read(hw, csr_num::SSTATUS)?;
        self.regs.hyp_regs.hstatus = hyp_hstatus;
        self.regs.hyp_regs.sstatus = hyp_sstatus;
        // The guest runs with the hypervisor's sstatus (its MXR also governs the G-stage,
        // norm:sstatus_mxr_vm); `run` sets SPP per entry.
        self.regs.guest_regs.ctx.sstatus = hyp_sstatus;
        // The hart timer serves whichever vCPU is bound: give it this guest's deadline.
        self.forward_timer(hw, self.timer.deadline.unwrap_or(NEVER));
        self.bound = true;
        Ok(())
    }

    /// Saves the VS CSRs and hvip and clears hvip, so the next vCPU on this hart starts
    /// with no pending VS interrupt.
    pub fn unbind(&mut self, hw: &mut H) -> Result<()> {
        if !self.bound {
            return Err(RiscvVCpuError::NotBound);
        }
        let vs = &mut self.regs.vs_csrs;
        vs.vsstatus = csr::read(hw, csr_num::VSSTATUS)?;
        vs.vsie = csr::read(hw, csr_num::VSIE)?;
        vs.vstvec = csr::read(hw, csr_num::VSTVEC)?;
        vs.vsscratch = csr::read(hw, csr_num::VSSCRATCH)?;
        vs.vsepc = csr::read(hw, csr_num::VSEPC)?;
        vs.vscause = csr::read(hw, csr_num::VSCAUSE)?;
        vs.vstval = csr::read(hw, csr_num::VSTVAL)?;
        vs.vsatp = csr::read(hw, csr_num::VSATP)?;
        vs.vstimecmp = if self.has_sstc {
            Some(csr::read(hw, csr_num::VSTIMECMP)?)
        } else {
            None
        };
        self.regs.virtual_hs_csrs.hvip = csr::read(hw, csr_num::HVIP)?;
        csr::write(hw, csr_num::HVIP, 0)?;
        self.bound = false;
        Ok(())
    }

    /// Whether the vCPU is bound to a hart.
    pub fn is_bound(&self) -> bool {
        self.bound
    }

    /// Reads x`idx` (x0 reads 0).
    pub fn gpr(&self, idx: usize) -> u64 {
        self.regs.guest_regs.gpr(idx)
    }

    /// Writes x`idx` (writes to x0 are discarded, as the hardware does).
    ///
    /// Right after a [`crate::ExitReason::MmioRead`], writing the load's destination
    /// register completes the load: the value gets the load's sign or zero extension (the
    /// axvcpu completion path; extending an already extended value changes nothing).
    /// Any other write is raw.
    pub fn set_gpr(&mut self, idx: usize, value: u64) -> Result<()> {
        if idx >= GPR_COUNT {
            return Err(RiscvVCpuError::BadGpr { idx });
        }
        let value = match self.completion {
            Completion::Load(l) if l.rd == idx => {
                self.completion = Completion::None;
                l.width.extend(value, l.signed)
            }
            _ => value,
        };
        self.regs.guest_regs.set_gpr(idx, value);
        Ok(())
    }

    /// The guest pc (where the next `run` enters).
    pub fn pc(&self) -> u64 {
        self.regs.guest_regs.ctx.sepc
    }

    /// The register state.
    pub fn regs(&self) -> &VmCpuRegisters {
        &self.regs
    }

    /// The configuration.
    pub fn config(&self) -> &RiscvVCpuConfig {
        &self.config
    }

    /// Completes the last exit with `value`:
    /// - after [`crate::ExitReason::MmioRead`]: writes the destination register with the load's
    ///   sign or zero extension (LB/LH/LW sign-extend, LBU/LHU/LWU zero-extend, LD full);
    /// - after [`crate::ExitReason::Hypercall`]: a1 = `value` (a0 already holds SBI_SUCCESS);
    /// - otherwise: a0 = `value` (axvcpu's meaning).
    ///
    /// Each exit is completed at most once; a second call writes a0.
    pub fn set_return_value(&mut self, value: u64) {
        match core::mem::take(&mut self.completion) {
            Completion::Load(l) => {
                let v = l.width.extend(value, l.signed);
                self.regs.guest_regs.set_gpr(l.rd, v);
            }
            Completion::Hypercall => self.regs.guest_regs.set_abi(GprIndex::A1, value),
            Completion::None => self.regs.guest_regs.set_abi(GprIndex::A0, value),
        }
    }

    /// Queues VS-level interrupt `vector` (see [`super::irq::hvip_bit`] for the accepted
    /// vectors); it is applied to hvip at the next `run`.
    pub fn inject_interrupt(&mut self, vector: usize) -> Result<()> {
        let bit = hvip_bit(vector)?;
        self.pending_hvip.assert(bit);
        Ok(())
    }

    /// Queues the deassertion of `vector` (a level-triggered external interrupt that the
    /// device dropped); applied at the next `run`.
    pub fn retract_interrupt(&mut self, vector: usize) -> Result<()> {
        let bit = hvip_bit(vector)?;
        self.pending_hvip.deassert(bit);
        Ok(())
    }

    /// The hvip value the guest will see at the next entry (saved value plus the queue),
    /// when not bound; when bound the hart holds the truth.
    pub fn pending_hvip(&self) -> u64 {
        self.pending_hvip.apply_to(self.regs.virtual_hs_csrs.hvip)
    }

    /// The guest's armed SBI timer deadline.
    pub fn timer_deadline(&self) -> Option<u64> {
        self.timer.deadline
    }
}
