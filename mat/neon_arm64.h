// NEON instructions the Go arm64 assembler has no mnemonic for. Each macro
// emits the instruction as a WORD whose encoding the assembler computes from
// the register numbers, so no hex is written by hand.
//
// Arguments are register NUMBERS (V7 is 7), in Arm order: destination first,
// as in "fmla vd.4s, vn.4s, vm.s[i]". Expressions such as 8+(j) are fine.
// testdata/neoncheck.sh compares every macro's encoding with llvm-mc.

// fmla vd.4s, vn.4s, vm.s[i]: vd += vn * vm[i] (fused, one rounding).
// For 32-bit lanes m may be any of v0-v31; i (0-3) goes into the H:L bits.
#define FMLA_ELEM_S4(d, n, m, i) WORD $(0x4F801000 | (((i)>>1)<<11) | (((i)&1)<<21) | ((m)<<16) | ((n)<<5) | (d))

// fadd vd.4s, vn.4s, vm.4s: vd = vn + vm.
#define FADD_S4(d, n, m) WORD $(0x4E20D400 | ((m)<<16) | ((n)<<5) | (d))

// fmul vd.4s, vn.4s, vm.4s: vd = vn * vm.
#define FMUL_S4(d, n, m) WORD $(0x6E20DC00 | ((m)<<16) | ((n)<<5) | (d))

// fcmlt vd.4s, vn.4s, #0.0: all ones where vn < 0, else zero (NaN gives zero).
#define FCMLTZ_S4(d, n) WORD $(0x4EA0E800 | ((n)<<5) | (d))

// fcmgt vd.4s, vn.4s, #0.0: all ones where vn > 0, else zero (NaN gives zero).
#define FCMGTZ_S4(d, n) WORD $(0x4EA0C800 | ((n)<<5) | (d))

// bic vd.16b, vn.16b, vm.16b: vd = vn AND NOT vm.
#define BIC_B16(d, n, m) WORD $(0x4E601C00 | ((m)<<16) | ((n)<<5) | (d))

// faddp vd.4s, vn.4s, vm.4s: pairwise sums, vd = (n0+n1, n2+n3, m0+m1, m2+m3).
#define FADDP_S4(d, n, m) WORD $(0x6E20D400 | ((m)<<16) | ((n)<<5) | (d))
