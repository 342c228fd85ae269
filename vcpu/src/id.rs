//! Identities of vCPUs as the per-CPU bookkeeping sees them.

use core::fmt;

/// Names a vCPU within one VMM: the VM it belongs to and its index in that VM.
///
/// A [`crate::PerCpu`] records the key of the vCPU bound to it. Keys must be unique among
/// the vCPUs that share a set of `PerCpu` objects (one Machine); nothing global enforces
/// it, because hvsim has no process-wide state.
///
/// ```
/// use vcpu::VCpuKey;
/// let k = VCpuKey::new(1, 3);
/// assert_eq!((k.vm_id, k.vcpu_id), (1, 3));
/// assert_eq!(k.to_string(), "vm1.vcpu3");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct VCpuKey {
    /// The VM.
    pub vm_id: usize,
    /// The vCPU within the VM.
    pub vcpu_id: usize,
}

impl VCpuKey {
    /// A key from its parts.
    pub const fn new(vm_id: usize, vcpu_id: usize) -> Self {
        Self { vm_id, vcpu_id }
    }
}

impl fmt::Display for VCpuKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vm{}.vcpu{}", self.vm_id, self.vcpu_id)
    }
}
