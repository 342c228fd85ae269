//! The HTIF syscall proxy: device 0 with an even, non-zero payload.
//!
//! The payload points to a block of eight little-endian doublewords (Spike's `magic_mem`):
//! the syscall number, then up to seven arguments. Numbers are the RISC-V Linux ones. The
//! host runs the call, writes the return value (negative errno on failure) into doubleword 0
//! of the block, then sets `fromhost` to 1. hvsim implements:
//! - `write` (64) to fd 1 (stdout) and fd 2 (stderr); other fds give `-EBADF`, a buffer
//!   outside RAM `-EFAULT`;
//! - `exit` (93) and `exit_group` (94): the run ends with the code in the first argument;
//! - everything else: `-ENOSYS`.

use sim_core::mem::PhysMem;
use sim_core::{AccessWidth, HostPhysAddr};

use super::HtifError;
use crate::riscv::board::console::{Console, Stream};

/// Doublewords in a syscall block.
pub const BLOCK_WORDS: usize = 8;
/// Bytes in a syscall block.
const BLOCK_BYTES: u64 = (BLOCK_WORDS * 8) as u64;
/// `write(fd, buf, count)`.
pub const SYS_WRITE: u64 = 64;
/// `exit(code)`.
pub const SYS_EXIT: u64 = 93;
/// `exit_group(code)`.
pub const SYS_EXIT_GROUP: u64 = 94;
/// Linux errno: bad file descriptor.
pub const EBADF: i64 = 9;
/// Linux errno: bad address.
pub const EFAULT: i64 = 14;
/// Linux errno: function not implemented.
pub const ENOSYS: i64 = 38;
/// Standard output's file descriptor.
const FD_STDOUT: u64 = 1;
/// Standard error's file descriptor.
const FD_STDERR: u64 = 2;
/// Bytes copied out of guest memory per console write.
const CHUNK: usize = 256;

/// How a syscall ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SyscallOutcome {
    /// The return value is in the block; the host must now set `fromhost`.
    Returned,
    /// `exit`/`exit_group` with this code.
    Exit(u64),
}

/// Runs the syscall whose block starts at `block`.
pub fn run(
    mem: &mut PhysMem,
    block: HostPhysAddr,
    console: &mut dyn Console,
) -> Result<SyscallOutcome, HtifError> {
    let bad_block = |_| HtifError::SyscallBlockNotRam(block);
    mem.check_ram(block, BLOCK_BYTES).map_err(bad_block)?;
    let mut words = [0u64; BLOCK_WORDS];
    let mut addr = block;
    for w in &mut words {
        *w = mem.read(addr, AccessWidth::Qword).map_err(bad_block)?;
        addr = addr
            .checked_add(8)
            .ok_or(HtifError::SyscallBlockNotRam(block))?;
    }
    let [num, a0, a1, a2, ..] = words;
    let ret = match num {
        SYS_EXIT | SYS_EXIT_GROUP => return Ok(SyscallOutcome::Exit(a0)),
        SYS_WRITE => write(mem, a0, HostPhysAddr::new(a1), a2, console),
        _ => -ENOSYS,
    };
    mem.write(block, AccessWidth::Qword, ret as u64)
        .map_err(bad_block)?;
    Ok(SyscallOutcome::Returned)
}

/// `write(fd, buf, count)`: returns `count` or a negative errno.
fn write(mem: &PhysMem, fd: u64, buf: HostPhysAddr, count: u64, console: &mut dyn Console) -> i64 {
    let stream = match fd {
        FD_STDOUT => Stream::Stdout,
        FD_STDERR => Stream::Stderr,
        _ => return -EBADF,
    };
    let Ok(ret) = i64::try_from(count) else {
        return -EFAULT;
    };
    if mem.check_ram(buf, count).is_err() {
        return -EFAULT;
    }
    let mut chunk = [0u8; CHUNK];
    let mut done = 0u64;
    while done < count {
        let n = (count - done).min(CHUNK as u64) as usize;
        let at = HostPhysAddr::new(buf.as_u64().wrapping_add(done));
        if mem.read_bytes(at, &mut chunk[..n]).is_err() {
            return -EFAULT;
        }
        console.write(stream, &chunk[..n]);
        done += n as u64;
    }
    ret
}
