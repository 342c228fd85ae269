//! Register operands.

use super::EncodeError;

/// An integer register x0..=x31 (valid by construction).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reg(u8);

macro_rules! regs {
    ($($name:ident = $n:expr;)*) => {
        impl Reg {
            $(#[doc = concat!("x", stringify!($n), " (ABI name `", stringify!($name), "`).")]
              pub const $name: Reg = Reg($n);)*
        }
    };
}

regs! {
    ZERO = 0; RA = 1; SP = 2; GP = 3; TP = 4; T0 = 5; T1 = 6; T2 = 7;
    S0 = 8; S1 = 9; A0 = 10; A1 = 11; A2 = 12; A3 = 13; A4 = 14; A5 = 15;
    A6 = 16; A7 = 17; S2 = 18; S3 = 19; S4 = 20; S5 = 21; S6 = 22; S7 = 23;
    S8 = 24; S9 = 25; S10 = 26; S11 = 27; T3 = 28; T4 = 29; T5 = 30; T6 = 31;
}

impl Reg {
    /// Frame pointer, the same register as [`Reg::S0`].
    pub const FP: Reg = Reg(8);

    /// Register `xn`; an error if `n > 31`.
    pub const fn new(n: u8) -> Result<Reg, EncodeError> {
        if n < 32 {
            Ok(Reg(n))
        } else {
            Err(EncodeError::BadRegister(n))
        }
    }

    /// Register `x(n & 31)`: for callers that already hold a 5-bit field.
    pub const fn from_field(n: u8) -> Reg {
        Reg(n & 0x1f)
    }

    /// The register number.
    pub const fn num(self) -> u8 {
        self.0
    }

    /// Whether the register is one of x8..x15, the only ones the 3-bit fields of the
    /// CIW/CL/CS/CA/CB compressed formats can name (norm:Zca_regs8).
    pub const fn is_compressible(self) -> bool {
        self.0 >= 8 && self.0 <= 15
    }
}

impl TryFrom<u8> for Reg {
    type Error = EncodeError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Reg::new(n)
    }
}
