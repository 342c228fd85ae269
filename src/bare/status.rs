//! How a run's outcome becomes the process exit status (docs/bare-machine.md, "Exit
//! statuses").
//!
//! Exit statuses are 8 bits wide, so a guest failure code cannot always pass through: a code
//! whose low byte is 0 (256, 512 ...) would read as success. Codes 1..=255 pass through
//! unchanged except the two statuses hvsim reserves; every other failure code becomes
//! [`EXIT_GUEST_CODE_UNREPRESENTABLE`], and the CLI prints the real code on stderr.

use hw_models::riscv::board::ExitSource;

/// The guest passed (HTIF `tohost` = 1, SYS_exit(0), finisher PASS).
pub const EXIT_PASS: u8 = 0;
/// `--max-insns` was reached before the guest finished (the `timeout(1)` convention).
pub const EXIT_INSN_LIMIT: u8 = 124;
/// The guest failed with a code that is not in 1..=255 or is one of the reserved statuses
/// (124, 125).
pub const EXIT_GUEST_CODE_UNREPRESENTABLE: u8 = 125;
/// hvsim could not run or finish the guest (bad image, hart idle for good, unsupported
/// request); the CLI prints one `error:` line.
pub const EXIT_ERROR: u8 = 1;

/// How a bare run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The guest ended the run with `code` (0 = pass).
    Exit {
        /// HTIF (exit command or SYS_exit) or the test finisher.
        source: ExitSource,
        /// The guest's exit code.
        code: u64,
    },
    /// The instruction limit was reached.
    InsnLimit {
        /// The limit.
        limit: u64,
    },
    /// The hart waits in WFI and nothing can wake it.
    Idle {
        /// Where it waits.
        pc: u64,
    },
    /// The guest asked the test finisher for a reset, which the bare board does not model.
    ResetRequested,
}

impl Outcome {
    /// The process exit status for this outcome.
    pub fn exit_status(&self) -> u8 {
        match *self {
            Outcome::Exit { code, .. } => guest_exit_status(code),
            Outcome::InsnLimit { .. } => EXIT_INSN_LIMIT,
            Outcome::Idle { .. } | Outcome::ResetRequested => EXIT_ERROR,
        }
    }
}

/// The exit status for guest exit code `code`: 0 for 0, `code` for 1..=255 other than 124 and
/// 125, [`EXIT_GUEST_CODE_UNREPRESENTABLE`] otherwise. Never 0 for a non-zero code.
///
/// ```
/// use hvsim::bare::{EXIT_GUEST_CODE_UNREPRESENTABLE, guest_exit_status};
/// assert_eq!(guest_exit_status(0), 0);
/// assert_eq!(guest_exit_status(3), 3);
/// assert_eq!(guest_exit_status(256), EXIT_GUEST_CODE_UNREPRESENTABLE);
/// ```
pub fn guest_exit_status(code: u64) -> u8 {
    match u8::try_from(code) {
        Ok(EXIT_PASS) => EXIT_PASS,
        Ok(EXIT_INSN_LIMIT | EXIT_GUEST_CODE_UNREPRESENTABLE) | Err(_) => {
            EXIT_GUEST_CODE_UNREPRESENTABLE
        }
        Ok(status) => status,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn small_codes_pass_through_and_reserved_ones_do_not() {
        for code in 1..=255u64 {
            let want = if code == 124 || code == 125 {
                125
            } else {
                code as u8
            };
            assert_eq!(guest_exit_status(code), want, "{code}");
        }
        assert_eq!(guest_exit_status(0), 0);
    }

    proptest! {
        /// Every non-zero guest code is a non-zero exit status, and never the instruction-limit
        /// status (issue requirement: exit statuses are 8 bits, so truncation must not turn a
        /// failure into a pass).
        #[test]
        fn failures_never_look_like_success(code in 1u64..) {
            let s = guest_exit_status(code);
            prop_assert_ne!(s, EXIT_PASS);
            prop_assert_ne!(s, EXIT_INSN_LIMIT);
        }

        /// Multiples of 256 (low byte zero) in particular.
        #[test]
        fn low_byte_zero_codes_fail(k in 1u64..(1 << 40)) {
            prop_assert_eq!(guest_exit_status(k << 8), EXIT_GUEST_CODE_UNREPRESENTABLE);
        }
    }
}
