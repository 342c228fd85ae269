//! The architecture-independent vCPU manager and its checked state machine.

use sim_core::{GuestPhysAddr, HostPhysAddr};

use crate::affinity::PCpuSet;
use crate::arch::ArchVCpu;
use crate::error::VCpuError;
use crate::exit::ExitReason;
use crate::id::VCpuKey;
use crate::percpu::PerCpu;
use crate::state::{VCpuOp, VCpuState};

/// Identity and placement of a new vCPU.
///
/// ```
/// use vcpu::{PCpuSet, VCpuParams};
/// let p = VCpuParams::new(0, 1).favor_pcpu(1).affinity(PCpuSet::from_mask(0b10));
/// assert!(!p.bsp);
/// assert!(VCpuParams::new(0, 0).bsp);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VCpuParams {
    /// The VM the vCPU belongs to.
    pub vm_id: usize,
    /// The vCPU's index in its VM.
    pub vcpu_id: usize,
    /// The physical CPU the scheduler should prefer. Must be in `affinity`.
    pub favor_pcpu: usize,
    /// The physical CPUs the vCPU may be bound on. Must not be empty.
    pub affinity: PCpuSet,
    /// Whether this is the bootstrap processor, the one that starts the guest.
    pub bsp: bool,
}

impl VCpuParams {
    /// Defaults: favours physical CPU 0, may run anywhere, and is the BSP exactly when
    /// `vcpu_id == 0` (as axvcpu decides).
    pub const fn new(vm_id: usize, vcpu_id: usize) -> Self {
        Self {
            vm_id,
            vcpu_id,
            favor_pcpu: 0,
            affinity: PCpuSet::ALL,
            bsp: vcpu_id == 0,
        }
    }

    /// Sets the favoured physical CPU.
    pub const fn favor_pcpu(self, favor_pcpu: usize) -> Self {
        Self { favor_pcpu, ..self }
    }

    /// Sets the allowed physical CPUs.
    pub const fn affinity(self, affinity: PCpuSet) -> Self {
        Self { affinity, ..self }
    }

    /// Overrides the BSP flag.
    pub const fn bsp(self, bsp: bool) -> Self {
        Self { bsp, ..self }
    }
}

/// Whether `op` may be called in `state`. This is the state machine's guard table; the
/// target states are set by the methods themselves. See `docs/vcpu.md` for the table.
const fn legal(op: VCpuOp, state: VCpuState) -> bool {
    use VCpuState::{Blocked, Created, Free, Ready};
    match op {
        VCpuOp::Setup => matches!(state, Created),
        // The entry and the stage-2 root are loaded into hardware at bind, so they may only
        // change while the vCPU is unbound.
        VCpuOp::SetEntry | VCpuOp::SetEptRoot => matches!(state, Created | Free | Blocked),
        VCpuOp::Bind => matches!(state, Free),
        VCpuOp::Run | VCpuOp::Unbind => matches!(state, Ready),
        VCpuOp::Block => matches!(state, Free),
        VCpuOp::Unblock => matches!(state, Blocked),
        VCpuOp::Release => matches!(state, VCpuState::Invalid),
        // Guest registers and pending interrupts live in software between runs on every
        // architecture, so they may change in any live state.
        VCpuOp::SetGpr | VCpuOp::SetReturnValue | VCpuOp::InjectInterrupt => {
            matches!(state, Created | Free | Ready | Blocked)
        }
    }
}

/// A vCPU: an architecture vCPU `A` behind a checked lifecycle, after axvcpu's `AxVCpu`.
///
/// | operation | legal in | on success | on failure |
/// |---|---|---|---|
/// | `setup` | Created | Free | Invalid |
/// | `bind` | Free | Ready | Invalid |
/// | `run` | Ready | Ready (Running inside) | Invalid, unbound |
/// | `unbind` | Ready | Free | Invalid, unbound |
/// | `block` | Free | Blocked | — |
/// | `unblock` | Blocked | Free | — |
/// | `set_entry`, `set_ept_root` | Created, Free, Blocked | unchanged | Invalid |
/// | `set_gpr`, `set_return_value`, `inject_interrupt` | Created, Free, Ready, Blocked | unchanged | Invalid |
///
/// | `release` | Invalid, still recorded on the pCPU | Invalid, unbound | — |
///
/// A call in any other state returns [`VCpuError::InvalidState`] and changes nothing. An
/// error that is a rejection ([`VCpuError::is_rejection`]) changes nothing either; any other
/// error ("failure") leaves the vCPU [`VCpuState::Invalid`] for good. A failure in `run` or
/// `unbind` also releases the physical CPU. A failure in `set_gpr` or `inject_interrupt`
/// while Ready cannot (those calls do not get the [`PerCpu`]); the vCPU then stays recorded
/// on its physical CPU until the VMM calls [`VCpu::release`].
///
/// ```
/// use sim_core::{GuestPhysAddr, HostPhysAddr};
/// use vcpu::mock::{MockConfig, MockHardware, MockVCpu};
/// use vcpu::{ExitReason, PerCpu, VCpu, VCpuParams, VCpuState};
///
/// let mut hw = MockHardware::new(0);
/// let mut pcpu = PerCpu::new(0, &mut hw)?;
/// pcpu.hardware_enable(&mut hw)?;
///
/// let exits = MockConfig::with_exits([ExitReason::Hypercall { nr: 1, args: [0; 6] }]);
/// let mut v = VCpu::<MockVCpu>::new(VCpuParams::new(0, 0), exits)?;
/// v.setup(GuestPhysAddr::new(0x8020_0000), HostPhysAddr::new(0x9000_0000), ())?;
/// v.bind(&mut pcpu, &mut hw)?;
/// let exit = v.run(&mut pcpu, &mut hw)?;
/// assert!(matches!(exit, ExitReason::Hypercall { nr: 1, .. }));
/// v.set_return_value(0)?;
/// v.unbind(&mut pcpu, &mut hw)?;
/// assert_eq!(v.state(), VCpuState::Free);
/// # Ok::<(), vcpu::VCpuError>(())
/// ```
#[derive(Debug)]
pub struct VCpu<A> {
    key: VCpuKey,
    favor_pcpu: usize,
    affinity: PCpuSet,
    bsp: bool,
    state: VCpuState,
    bound_pcpu: Option<usize>,
    arch: A,
}

impl<A: ArchVCpu> VCpu<A> {
    /// Creates the architecture vCPU; the result is in state Created.
    /// Fails with [`VCpuError::BadConfig`] if the affinity set is empty or does not hold the
    /// favoured physical CPU, or with the architecture's error.
    pub fn new(params: VCpuParams, config: A::CreateConfig) -> Result<Self, VCpuError> {
        if params.affinity.is_empty() {
            return Err(VCpuError::BadConfig("empty physical-CPU affinity set"));
        }
        if !params.affinity.contains(params.favor_pcpu) {
            return Err(VCpuError::BadConfig(
                "favoured physical CPU is outside the affinity set",
            ));
        }
        Ok(Self {
            key: VCpuKey::new(params.vm_id, params.vcpu_id),
            favor_pcpu: params.favor_pcpu,
            affinity: params.affinity,
            bsp: params.bsp,
            state: VCpuState::Created,
            bound_pcpu: None,
            arch: A::new(config)?,
        })
    }

    /// The vCPU's key (VM id and vCPU id).
    pub fn key(&self) -> VCpuKey {
        self.key
    }

    /// The vCPU's index in its VM.
    pub fn id(&self) -> usize {
        self.key.vcpu_id
    }

    /// The VM's id.
    pub fn vm_id(&self) -> usize {
        self.key.vm_id
    }

    /// Whether this is the bootstrap processor.
    pub fn is_bsp(&self) -> bool {
        self.bsp
    }

    /// The physical CPU the scheduler should prefer.
    pub fn favor_pcpu(&self) -> usize {
        self.favor_pcpu
    }

    /// The physical CPUs the vCPU may be bound on.
    pub fn affinity(&self) -> PCpuSet {
        self.affinity
    }

    /// The lifecycle state.
    pub fn state(&self) -> VCpuState {
        self.state
    }

    /// The physical CPU the vCPU is bound on (`Some` exactly in state Ready).
    pub fn bound_pcpu(&self) -> Option<usize> {
        self.bound_pcpu
    }

    /// The architecture vCPU, for architecture-specific queries.
    pub fn arch(&self) -> &A {
        &self.arch
    }

    /// The architecture vCPU, mutably: an escape hatch for architecture-specific setup.
    /// Calls made through it bypass the state machine; do not bind, run or unbind with it.
    pub fn arch_mut(&mut self) -> &mut A {
        &mut self.arch
    }

    fn check(&self, op: VCpuOp) -> Result<(), VCpuError> {
        if legal(op, self.state) {
            Ok(())
        } else {
            Err(VCpuError::InvalidState {
                op,
                state: self.state,
            })
        }
    }

    /// Applies the error rule to an architecture result: a failure invalidates the vCPU.
    /// Returns whether the vCPU just became invalid, so the caller can release its pCPU.
    fn note<R>(&mut self, r: &Result<R, VCpuError>) -> bool {
        match r {
            Err(e) if !e.is_rejection() => {
                self.state = VCpuState::Invalid;
                true
            }
            _ => false,
        }
    }

    /// Runs an architecture call that does not change the lifecycle state.
    fn arch_call<R>(
        &mut self,
        op: VCpuOp,
        f: impl FnOnce(&mut A) -> Result<R, VCpuError>,
    ) -> Result<R, VCpuError> {
        self.check(op)?;
        let r = f(&mut self.arch);
        self.note(&r);
        r
    }

    fn check_bound_here(&self, pcpu: &PerCpu<A::PerCpu>) -> Result<(), VCpuError> {
        if self.bound_pcpu == Some(pcpu.cpu_id()) && pcpu.current() == Some(self.key) {
            Ok(())
        } else {
            Err(VCpuError::NotBoundHere {
                pcpu: pcpu.cpu_id(),
            })
        }
    }

    fn release_pcpu(&mut self, pcpu: &mut PerCpu<A::PerCpu>) {
        pcpu.set_current(None);
        self.bound_pcpu = None;
    }

    /// Sets the entry point and the stage-2 root, then runs the architecture's setup:
    /// Created → Free.
    pub fn setup(
        &mut self,
        entry: GuestPhysAddr,
        ept_root: HostPhysAddr,
        config: A::SetupConfig,
    ) -> Result<(), VCpuError> {
        self.check(VCpuOp::Setup)?;
        let r = self
            .arch
            .set_entry(entry)
            .and_then(|()| self.arch.set_ept_root(ept_root))
            .and_then(|()| self.arch.setup(config));
        // A rejection from a later step leaves the earlier steps' edits behind, but all
        // three are overwrites of software state that a retried `setup` repeats, so the
        // usual rule (rejection: stay Created) is safe.
        if r.is_ok() {
            self.state = VCpuState::Free;
        }
        self.note(&r);
        r
    }

    /// Changes the entry point (for example when the guest starts a secondary CPU).
    /// Legal in Created, Free and Blocked.
    pub fn set_entry(&mut self, entry: GuestPhysAddr) -> Result<(), VCpuError> {
        self.arch_call(VCpuOp::SetEntry, |a| a.set_entry(entry))
    }

    /// Changes the stage-2 root. Legal in Created, Free and Blocked.
    pub fn set_ept_root(&mut self, root: HostPhysAddr) -> Result<(), VCpuError> {
        self.arch_call(VCpuOp::SetEptRoot, |a| a.set_ept_root(root))
    }

    /// Binds the vCPU to the physical CPU `pcpu` whose hardware handle is `hw`:
    /// Free → Ready.
    ///
    /// Checks, in this order, each failing with a rejection that changes nothing: the state
    /// ([`VCpuError::InvalidState`]), virtualization enabled on `pcpu`
    /// ([`VCpuError::HardwareDisabled`]), `pcpu` in the affinity set
    /// ([`VCpuError::AffinityViolation`]), no other vCPU bound on `pcpu`
    /// ([`VCpuError::PCpuBusy`]).
    pub fn bind(
        &mut self,
        pcpu: &mut PerCpu<A::PerCpu>,
        hw: &mut A::Hardware,
    ) -> Result<(), VCpuError> {
        self.check(VCpuOp::Bind)?;
        let id = pcpu.cpu_id();
        if !pcpu.is_enabled() {
            return Err(VCpuError::HardwareDisabled { pcpu: id });
        }
        if !self.affinity.contains(id) {
            return Err(VCpuError::AffinityViolation { pcpu: id });
        }
        if let Some(current) = pcpu.current() {
            return Err(VCpuError::PCpuBusy { pcpu: id, current });
        }
        let r = self.arch.bind(hw);
        if r.is_ok() {
            self.state = VCpuState::Ready;
            self.bound_pcpu = Some(id);
            pcpu.set_current(Some(self.key));
        }
        self.note(&r);
        r
    }

    /// Runs the guest until the next exit: Ready → Running → Ready. `pcpu` must be the
    /// physical CPU the vCPU is bound on ([`VCpuError::NotBoundHere`] otherwise).
    pub fn run(
        &mut self,
        pcpu: &mut PerCpu<A::PerCpu>,
        hw: &mut A::Hardware,
    ) -> Result<ExitReason, VCpuError> {
        self.check(VCpuOp::Run)?;
        self.check_bound_here(pcpu)?;
        self.state = VCpuState::Running;
        let r = self.arch.run(hw);
        self.state = VCpuState::Ready;
        if self.note(&r) {
            self.release_pcpu(pcpu);
        }
        r
    }

    /// Unbinds the vCPU from `pcpu`: Ready → Free. `pcpu` must be the physical CPU the vCPU
    /// is bound on ([`VCpuError::NotBoundHere`] otherwise).
    pub fn unbind(
        &mut self,
        pcpu: &mut PerCpu<A::PerCpu>,
        hw: &mut A::Hardware,
    ) -> Result<(), VCpuError> {
        self.check(VCpuOp::Unbind)?;
        self.check_bound_here(pcpu)?;
        let r = self.arch.unbind(hw);
        if r.is_ok() {
            self.state = VCpuState::Free;
            self.release_pcpu(pcpu);
        } else if self.note(&r) {
            self.release_pcpu(pcpu);
        }
        r
    }

    /// Frees the physical CPU an Invalid vCPU still occupies (after a failure in `set_gpr`
    /// or `inject_interrupt` while Ready). Makes no architecture call: the vCPU's hardware
    /// state is abandoned, and the next `bind` on `pcpu` overwrites it.
    /// Fails with [`VCpuError::InvalidState`] unless Invalid, and with
    /// [`VCpuError::NotBoundHere`] unless recorded on `pcpu`.
    ///
    /// ```
    /// use sim_core::{GuestPhysAddr, HostPhysAddr};
    /// use vcpu::mock::{MockConfig, MockHardware, MockOp, MockVCpu};
    /// use vcpu::{ArchError, PerCpu, VCpu, VCpuParams, VCpuState};
    ///
    /// let mut hw = MockHardware::new(0);
    /// let mut pcpu = PerCpu::new(0, &mut hw)?;
    /// pcpu.hardware_enable(&mut hw)?;
    /// let mut v = VCpu::<MockVCpu>::new(VCpuParams::new(0, 0), MockConfig::default())?;
    /// v.setup(GuestPhysAddr::new(0x8000_0000), HostPhysAddr::new(0x9000_0000), ())?;
    /// v.bind(&mut pcpu, &mut hw)?;
    /// v.arch_mut().fail_next(MockOp::SetGpr, ArchError::new("mock", "boom").into());
    /// assert!(v.set_gpr(1, 2).is_err());
    /// assert_eq!(v.state(), VCpuState::Invalid);
    /// assert_eq!(pcpu.current(), Some(v.key()));
    /// v.release(&mut pcpu)?;
    /// assert_eq!(pcpu.current(), None);
    /// # Ok::<(), vcpu::VCpuError>(())
    /// ```
    pub fn release(&mut self, pcpu: &mut PerCpu<A::PerCpu>) -> Result<(), VCpuError> {
        self.check(VCpuOp::Release)?;
        self.check_bound_here(pcpu)?;
        self.release_pcpu(pcpu);
        Ok(())
    }

    /// Parks an unbound vCPU (for example after a `Halt` exit): Free → Blocked. A blocked
    /// vCPU cannot be bound until [`VCpu::unblock`].
    ///
    /// ```
    /// use sim_core::{GuestPhysAddr, HostPhysAddr};
    /// use vcpu::mock::{MockConfig, MockVCpu};
    /// use vcpu::{VCpu, VCpuParams, VCpuState};
    ///
    /// let mut v = VCpu::<MockVCpu>::new(VCpuParams::new(0, 0), MockConfig::default())?;
    /// v.setup(GuestPhysAddr::new(0x8000_0000), HostPhysAddr::new(0x9000_0000), ())?;
    /// v.block()?;
    /// v.inject_interrupt(9)?; // the wake-up interrupt, queued while parked
    /// v.unblock()?;
    /// assert_eq!(v.state(), VCpuState::Free);
    /// # Ok::<(), vcpu::VCpuError>(())
    /// ```
    pub fn block(&mut self) -> Result<(), VCpuError> {
        self.check(VCpuOp::Block)?;
        self.state = VCpuState::Blocked;
        Ok(())
    }

    /// Makes a parked vCPU schedulable again (an interrupt arrived): Blocked → Free.
    pub fn unblock(&mut self) -> Result<(), VCpuError> {
        self.check(VCpuOp::Unblock)?;
        self.state = VCpuState::Free;
        Ok(())
    }

    /// Writes general-purpose register `idx` (for example the destination of an
    /// `MmioRead`). Legal in every live state.
    pub fn set_gpr(&mut self, idx: usize, val: u64) -> Result<(), VCpuError> {
        self.arch_call(VCpuOp::SetGpr, |a| a.set_gpr(idx, val))
    }

    /// Sets a hypercall's return value. Legal in every live state.
    pub fn set_return_value(&mut self, val: u64) -> Result<(), VCpuError> {
        self.arch_call(VCpuOp::SetReturnValue, |a| {
            a.set_return_value(val);
            Ok(())
        })
    }

    /// Queues an interrupt for the next entry. Legal in every live state, so a VMM can
    /// queue a wake-up interrupt before it unblocks a parked vCPU.
    pub fn inject_interrupt(&mut self, vector: usize) -> Result<(), VCpuError> {
        self.arch_call(VCpuOp::InjectInterrupt, |a| a.inject_interrupt(vector))
    }
}
