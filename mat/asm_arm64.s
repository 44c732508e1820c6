//go:build gc && !purego

#include "textflag.h"
#include "neon_arm64.h"

// Go arm64 operand order is sources first, destination last:
// VFMLA Vm.S4, Vn.S4, Vd.S4 is fmla vd.4s, vn.4s, vm.4s. The WORD macros of
// neon_arm64.h take Arm order instead (destination first).
// Registers used: R0-R11 and V0-V31, all scratch in ABI0; never R18 or
// R26-R30.

// ---------------------------------------------------------------------------
// SGEMM, 8x12 tile.
//
// Accumulators: row r (0-7), column block j (0-2, four columns each) lives in
// V(8+3r+j), so each row of C is three consecutive registers. V0-V3 hold two
// A columns (8 floats each: rows 0-3, rows 4-7), V4-V7 rotate through B rows
// one four-float block at a time.

// GROUP multiplies B block j (in register b) by one A column (registers a0
// for rows 0-3, a1 for rows 4-7) into the eight accumulators of block j.
#define GROUP(j, b, a0, a1) \
	FMLA_ELEM_S4(8+(j), b, a0, 0)  \
	FMLA_ELEM_S4(11+(j), b, a0, 1) \
	FMLA_ELEM_S4(14+(j), b, a0, 2) \
	FMLA_ELEM_S4(17+(j), b, a0, 3) \
	FMLA_ELEM_S4(20+(j), b, a1, 0) \
	FMLA_ELEM_S4(23+(j), b, a1, 1) \
	FMLA_ELEM_S4(26+(j), b, a1, 2) \
	FMLA_ELEM_S4(29+(j), b, a1, 3)

// ROWBETA sets the C row at R3 to beta*C + acc (beta in every lane of V0),
// fused like the generic kernel, then moves R3 to the next row.
#define ROWBETA(c0, c1, c2) \
	VLD1  (R3), [V1.S4, V2.S4, V3.S4] \
	VFMLA V1.S4, V0.S4, c0.S4         \
	VFMLA V2.S4, V0.S4, c1.S4         \
	VFMLA V3.S4, V0.S4, c2.S4         \
	VST1  [c0.S4, c1.S4, c2.S4], (R3) \
	ADD   R4, R3, R3

// ROWSTORE overwrites the C row at R3 with acc (beta == 0: C is not read).
#define ROWSTORE(c0, c1, c2) \
	VST1 [c0.S4, c1.S4, c2.S4], (R3) \
	ADD  R4, R3, R3

// func gemmRowNEON8x12(k, n int, a, b, c *float32, ldc int, beta float32)
//
// The microKernel contract (see impl.go) for n consecutive 8x12 tiles of one
// row panel: A is packed a[p*8+i] and shared by all tiles; tile t reads the
// B panel b[t*k*12 + p*12+j] and writes C at c + t*12. Since each B panel
// follows the previous one, the B pointer simply runs on from tile to tile.
//
// The k loop runs four steps per iteration as twelve GROUPs g = 3*step + j,
// B block g in V(4 + g%4). The block for g+3 is loaded just before GROUP g,
// into the register GROUP g-1 has finished with, and the next A column into
// the pair the previous step has finished with, so loads run well ahead of
// their use even on in-order cores. Nothing past the panels is read.
TEXT ·gemmRowNEON8x12(SB), NOSPLIT, $0-52
	MOVD  k+0(FP), R10
	MOVD  n+8(FP), R8
	MOVD  a+16(FP), R9
	MOVD  b+24(FP), R2
	MOVD  c+32(FP), R11
	MOVD  ldc+40(FP), R4
	LSL   $2, R4, R4       // ldc in bytes
	MOVWU beta+48(FP), R6
	LSLW  $1, R6, R7       // beta without its sign: zero for +0 and -0
	CBZ   R8, gemmdone

gemmtile:
	MOVD R9, R1      // A panel
	MOVD R11, R3     // C tile
	LSR  $2, R10, R5 // four-step iterations
	AND  $3, R10, R0 // remaining steps

	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16

	CBZ R5, gemmtail

gemmloop4:
	PRFM   512(R1), PLDL1KEEP
	PRFM   768(R2), PLDL1KEEP
	VLD1.P 32(R1), [V0.S4, V1.S4]        // A, step 0
	VLD1.P 48(R2), [V4.S4, V5.S4, V6.S4] // B, g0-g2
	VLD1.P 32(R1), [V2.S4, V3.S4]        // A, step 1

	// step 0
	VLD1.P 16(R2), [V7.S4] // B g3
	GROUP(0, 4, 0, 1)
	VLD1.P 16(R2), [V4.S4] // B g4
	GROUP(1, 5, 0, 1)
	VLD1.P 16(R2), [V5.S4] // B g5
	GROUP(2, 6, 0, 1)

	// step 1
	VLD1.P 32(R1), [V0.S4, V1.S4] // A, step 2
	VLD1.P 16(R2), [V6.S4]        // B g6
	GROUP(0, 7, 2, 3)
	VLD1.P 16(R2), [V7.S4]        // B g7
	GROUP(1, 4, 2, 3)
	VLD1.P 16(R2), [V4.S4]        // B g8
	GROUP(2, 5, 2, 3)

	// step 2
	VLD1.P 32(R1), [V2.S4, V3.S4] // A, step 3
	VLD1.P 16(R2), [V5.S4]        // B g9
	GROUP(0, 6, 0, 1)
	VLD1.P 16(R2), [V6.S4]        // B g10
	GROUP(1, 7, 0, 1)
	VLD1.P 16(R2), [V7.S4]        // B g11
	GROUP(2, 4, 0, 1)

	// step 3
	GROUP(0, 5, 2, 3)
	GROUP(1, 6, 2, 3)
	GROUP(2, 7, 2, 3)

	SUBS $1, R5, R5
	BNE  gemmloop4

gemmtail:
	CBZ R0, gemmstore

gemmloop1:
	VLD1.P 32(R1), [V0.S4, V1.S4]
	VLD1.P 48(R2), [V4.S4, V5.S4, V6.S4]
	GROUP(0, 4, 0, 1)
	GROUP(1, 5, 0, 1)
	GROUP(2, 6, 0, 1)
	SUBS   $1, R0, R0
	BNE    gemmloop1

gemmstore:
	CBZW R7, gemmoverwrite
	VDUP R6, V0.S4
	ROWBETA(V8, V9, V10)
	ROWBETA(V11, V12, V13)
	ROWBETA(V14, V15, V16)
	ROWBETA(V17, V18, V19)
	ROWBETA(V20, V21, V22)
	ROWBETA(V23, V24, V25)
	ROWBETA(V26, V27, V28)
	ROWBETA(V29, V30, V31)
	B    gemmnext

gemmoverwrite:
	ROWSTORE(V8, V9, V10)
	ROWSTORE(V11, V12, V13)
	ROWSTORE(V14, V15, V16)
	ROWSTORE(V17, V18, V19)
	ROWSTORE(V20, V21, V22)
	ROWSTORE(V23, V24, V25)
	ROWSTORE(V26, V27, V28)
	ROWSTORE(V29, V30, V31)

gemmnext:
	ADD  $48, R11, R11 // next C tile, 12 floats along
	SUBS $1, R8, R8
	BNE  gemmtile

gemmdone:
	RET

// ---------------------------------------------------------------------------
// Panel packing (the panelPacker contract of impl.go): one full panel of
// width w = 8 (A) or 12 (B) and depth k, times alpha:
//
//	copy:  dst[p*w+i] = alpha * src[p*ld+i]
//	trans: dst[p*w+i] = alpha * src[i*ld+p]
//
// Exactly the panel is read and written. alpha is in every lane of V31 and
// is the first operand of each fmul, as in the Go packers.

// func packCopy8NEON(k int, src *float32, ld int, dst *float32, alpha float32)
TEXT ·packCopy8NEON(SB), NOSPLIT, $0-36
	MOVD  k+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  ld+16(FP), R2
	MOVD  dst+24(FP), R3
	MOVWU alpha+32(FP), R4
	LSL   $2, R2, R2
	VDUP  R4, V31.S4
	CBZ   R0, copy8done

copy8loop:
	VLD1.P (R1)(R2), [V0.S4, V1.S4]
	FMUL_S4(0, 31, 0)
	FMUL_S4(1, 31, 1)
	VST1.P [V0.S4, V1.S4], 32(R3)
	SUBS   $1, R0, R0
	BNE    copy8loop

copy8done:
	RET

// func packCopy12NEON(k int, src *float32, ld int, dst *float32, alpha float32)
TEXT ·packCopy12NEON(SB), NOSPLIT, $0-36
	MOVD  k+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  ld+16(FP), R2
	MOVD  dst+24(FP), R3
	MOVWU alpha+32(FP), R4
	LSL   $2, R2, R2
	VDUP  R4, V31.S4
	CBZ   R0, copy12done

copy12loop:
	VLD1.P (R1)(R2), [V0.S4, V1.S4, V2.S4]
	FMUL_S4(0, 31, 0)
	FMUL_S4(1, 31, 1)
	FMUL_S4(2, 31, 2)
	VST1.P [V0.S4, V1.S4, V2.S4], 48(R3)
	SUBS   $1, R0, R0
	BNE    copy12loop

copy12done:
	RET

// TRANSPOSE4 transposes the 4x4 block in rows r0-r3 into columns c0-c3
// (c_p = r0[p], r1[p], r2[p], r3[p]), using V24-V27 as scratch: TRN1/TRN2
// on 32-bit lanes pair up rows 0,1 and 2,3 (V24 = r0[0] r1[0] r0[2] r1[2],
// V25 = r0[1] r1[1] r0[3] r1[3], V26 and V27 likewise for r2, r3); TRN1/TRN2
// on 64-bit lanes then join the halves.
#define TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3) \
	VTRN1 r1.S4, r0.S4, V24.S4  \
	VTRN2 r1.S4, r0.S4, V25.S4  \
	VTRN1 r3.S4, r2.S4, V26.S4  \
	VTRN2 r3.S4, r2.S4, V27.S4  \
	VTRN1 V26.D2, V24.D2, c0.D2 \
	VTRN1 V27.D2, V25.D2, c1.D2 \
	VTRN2 V26.D2, V24.D2, c2.D2 \
	VTRN2 V27.D2, V25.D2, c3.D2

// func packTrans8NEON(k int, src *float32, ld int, dst *float32, alpha float32)
// Four steps at a time: eight rows of four floats are transposed into four
// 8-float steps; the last k%4 steps gather one float per row.
TEXT ·packTrans8NEON(SB), NOSPLIT, $0-36
	MOVD  k+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  ld+16(FP), R2
	MOVD  dst+24(FP), R3
	MOVWU alpha+32(FP), R4
	LSL   $2, R2, R2
	VDUP  R4, V31.S4
	LSR   $2, R0, R5  // blocks of four steps
	AND   $3, R0, R0  // remaining steps
	CBZ   R5, trans8tail

trans8loop:
	MOVD   R1, R6
	VLD1.P (R6)(R2), [V0.S4]
	VLD1.P (R6)(R2), [V1.S4]
	VLD1.P (R6)(R2), [V2.S4]
	VLD1.P (R6)(R2), [V3.S4]
	VLD1.P (R6)(R2), [V4.S4]
	VLD1.P (R6)(R2), [V5.S4]
	VLD1.P (R6)(R2), [V6.S4]
	VLD1.P (R6)(R2), [V7.S4]
	TRANSPOSE4(V0, V1, V2, V3, V16, V18, V20, V22) // rows 0-3 of steps 0-3
	TRANSPOSE4(V4, V5, V6, V7, V17, V19, V21, V23) // rows 4-7
	FMUL_S4(16, 31, 16)
	FMUL_S4(17, 31, 17)
	FMUL_S4(18, 31, 18)
	FMUL_S4(19, 31, 19)
	FMUL_S4(20, 31, 20)
	FMUL_S4(21, 31, 21)
	FMUL_S4(22, 31, 22)
	FMUL_S4(23, 31, 23)
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R3)
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R3)
	ADD    $16, R1, R1
	SUBS   $1, R5, R5
	BNE    trans8loop

trans8tail:
	CBZ R0, trans8done

trans8step:
	MOVD   R1, R6
	VLD1.P (R6)(R2), V16.S[0]
	VLD1.P (R6)(R2), V16.S[1]
	VLD1.P (R6)(R2), V16.S[2]
	VLD1.P (R6)(R2), V16.S[3]
	VLD1.P (R6)(R2), V17.S[0]
	VLD1.P (R6)(R2), V17.S[1]
	VLD1.P (R6)(R2), V17.S[2]
	VLD1.P (R6)(R2), V17.S[3]
	FMUL_S4(16, 31, 16)
	FMUL_S4(17, 31, 17)
	VST1.P [V16.S4, V17.S4], 32(R3)
	ADD    $4, R1, R1
	SUBS   $1, R0, R0
	BNE    trans8step

trans8done:
	RET

// func packTrans12NEON(k int, src *float32, ld int, dst *float32, alpha float32)
// As packTrans8NEON with twelve rows: three 4x4 blocks per four steps.
TEXT ·packTrans12NEON(SB), NOSPLIT, $0-36
	MOVD  k+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  ld+16(FP), R2
	MOVD  dst+24(FP), R3
	MOVWU alpha+32(FP), R4
	LSL   $2, R2, R2
	VDUP  R4, V31.S4
	LSR   $2, R0, R5
	AND   $3, R0, R0
	CBZ   R5, trans12tail

trans12loop:
	MOVD   R1, R6
	VLD1.P (R6)(R2), [V0.S4]
	VLD1.P (R6)(R2), [V1.S4]
	VLD1.P (R6)(R2), [V2.S4]
	VLD1.P (R6)(R2), [V3.S4]
	VLD1.P (R6)(R2), [V4.S4]
	VLD1.P (R6)(R2), [V5.S4]
	VLD1.P (R6)(R2), [V6.S4]
	VLD1.P (R6)(R2), [V7.S4]
	VLD1.P (R6)(R2), [V8.S4]
	VLD1.P (R6)(R2), [V9.S4]
	VLD1.P (R6)(R2), [V10.S4]
	VLD1.P (R6)(R2), [V11.S4]
	// step p of the block goes to V(12+3p), V(13+3p), V(14+3p)
	TRANSPOSE4(V0, V1, V2, V3, V12, V15, V18, V21)  // rows 0-3
	TRANSPOSE4(V4, V5, V6, V7, V13, V16, V19, V22)  // rows 4-7
	TRANSPOSE4(V8, V9, V10, V11, V14, V17, V20, V23) // rows 8-11
	FMUL_S4(12, 31, 12)
	FMUL_S4(13, 31, 13)
	FMUL_S4(14, 31, 14)
	FMUL_S4(15, 31, 15)
	FMUL_S4(16, 31, 16)
	FMUL_S4(17, 31, 17)
	FMUL_S4(18, 31, 18)
	FMUL_S4(19, 31, 19)
	FMUL_S4(20, 31, 20)
	FMUL_S4(21, 31, 21)
	FMUL_S4(22, 31, 22)
	FMUL_S4(23, 31, 23)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R3)
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R3)
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R3)
	ADD    $16, R1, R1
	SUBS   $1, R5, R5
	BNE    trans12loop

trans12tail:
	CBZ R0, trans12done

trans12step:
	MOVD   R1, R6
	VLD1.P (R6)(R2), V16.S[0]
	VLD1.P (R6)(R2), V16.S[1]
	VLD1.P (R6)(R2), V16.S[2]
	VLD1.P (R6)(R2), V16.S[3]
	VLD1.P (R6)(R2), V17.S[0]
	VLD1.P (R6)(R2), V17.S[1]
	VLD1.P (R6)(R2), V17.S[2]
	VLD1.P (R6)(R2), V17.S[3]
	VLD1.P (R6)(R2), V18.S[0]
	VLD1.P (R6)(R2), V18.S[1]
	VLD1.P (R6)(R2), V18.S[2]
	VLD1.P (R6)(R2), V18.S[3]
	FMUL_S4(16, 31, 16)
	FMUL_S4(17, 31, 17)
	FMUL_S4(18, 31, 18)
	VST1.P [V16.S4, V17.S4, V18.S4], 48(R3)
	ADD    $4, R1, R1
	SUBS   $1, R0, R0
	BNE    trans12step

trans12done:
	RET

// ---------------------------------------------------------------------------
// Element kernels. n is a multiple of 4 (the Go wrappers do the rest); each
// runs 16 floats per iteration, then 4. Results are bit-identical to the
// generic Go twins, whose compiled arm64 code uses the same operand order
// (which decides the payload when both operands are NaN).

// func reluNEONAsm(dst, src *float32, n int)
// dst = src where src < 0 is false (NaN and -0 pass through), else +0.
TEXT ·reluNEONAsm(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD n+16(FP), R2
	CMP  $16, R2
	BLT  relu4

relu16:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	FCMLTZ_S4(4, 0)
	FCMLTZ_S4(5, 1)
	FCMLTZ_S4(6, 2)
	FCMLTZ_S4(7, 3)
	BIC_B16(0, 0, 4)
	BIC_B16(1, 1, 5)
	BIC_B16(2, 2, 6)
	BIC_B16(3, 3, 7)
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUB    $16, R2, R2
	CMP    $16, R2
	BGE    relu16

relu4:
	CBZ R2, reludone

relu4loop:
	VLD1.P 16(R1), [V0.S4]
	FCMLTZ_S4(4, 0)
	BIC_B16(0, 0, 4)
	VST1.P [V0.S4], 16(R0)
	SUBS   $4, R2, R2
	BNE    relu4loop

reludone:
	RET

// func reluGradNEONAsm(dst, grad, x *float32, n int)
// dst = grad where x > 0, else +0 (NaN x gives +0).
TEXT ·reluGradNEONAsm(SB), NOSPLIT, $0-32
	MOVD dst+0(FP), R0
	MOVD grad+8(FP), R1
	MOVD x+16(FP), R2
	MOVD n+24(FP), R3
	CMP  $16, R3
	BLT  grad4

grad16:
	VLD1.P 64(R2), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	FCMGTZ_S4(0, 0)
	FCMGTZ_S4(1, 1)
	FCMGTZ_S4(2, 2)
	FCMGTZ_S4(3, 3)
	VAND   V0.B16, V4.B16, V4.B16
	VAND   V1.B16, V5.B16, V5.B16
	VAND   V2.B16, V6.B16, V6.B16
	VAND   V3.B16, V7.B16, V7.B16
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	SUB    $16, R3, R3
	CMP    $16, R3
	BGE    grad16

grad4:
	CBZ R3, graddone

grad4loop:
	VLD1.P 16(R2), [V0.S4]
	VLD1.P 16(R1), [V4.S4]
	FCMGTZ_S4(0, 0)
	VAND   V0.B16, V4.B16, V4.B16
	VST1.P [V4.S4], 16(R0)
	SUBS   $4, R3, R3
	BNE    grad4loop

graddone:
	RET

// func addNEONAsm(dst, x *float32, n int)
// dst = dst + x (fadd with dst first, as the generic code compiles).
TEXT ·addNEONAsm(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD x+8(FP), R1
	MOVD n+16(FP), R2
	MOVD R0, R3       // store cursor
	CMP  $16, R2
	BLT  add4

add16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	FADD_S4(0, 0, 4)
	FADD_S4(1, 1, 5)
	FADD_S4(2, 2, 6)
	FADD_S4(3, 3, 7)
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R3)
	SUB    $16, R2, R2
	CMP    $16, R2
	BGE    add16

add4:
	CBZ R2, adddone

add4loop:
	VLD1.P 16(R0), [V0.S4]
	VLD1.P 16(R1), [V4.S4]
	FADD_S4(0, 0, 4)
	VST1.P [V0.S4], 16(R3)
	SUBS   $4, R2, R2
	BNE    add4loop

adddone:
	RET

// func axpyNEONAsm(alpha float32, x, y *float32, n int)
// y = y + (alpha * x), rounded after the multiply: fmul then fadd, never fmla.
TEXT ·axpyNEONAsm(SB), NOSPLIT, $0-32
	MOVWU alpha+0(FP), R4
	MOVD  x+8(FP), R0
	MOVD  y+16(FP), R1
	MOVD  n+24(FP), R2
	MOVD  R1, R3       // store cursor
	VDUP  R4, V31.S4
	CMP   $16, R2
	BLT   axpy4

axpy16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	FMUL_S4(0, 31, 0)
	FMUL_S4(1, 31, 1)
	FMUL_S4(2, 31, 2)
	FMUL_S4(3, 31, 3)
	FADD_S4(4, 4, 0)
	FADD_S4(5, 5, 1)
	FADD_S4(6, 6, 2)
	FADD_S4(7, 7, 3)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R3)
	SUB    $16, R2, R2
	CMP    $16, R2
	BGE    axpy16

axpy4:
	CBZ R2, axpydone

axpy4loop:
	VLD1.P 16(R0), [V0.S4]
	VLD1.P 16(R1), [V4.S4]
	FMUL_S4(0, 31, 0)
	FADD_S4(4, 4, 0)
	VST1.P [V4.S4], 16(R3)
	SUBS   $4, R2, R2
	BNE    axpy4loop

axpydone:
	RET

// func scaleNEONAsm(alpha float32, x *float32, n int)
// x = x * alpha.
TEXT ·scaleNEONAsm(SB), NOSPLIT, $0-24
	MOVWU alpha+0(FP), R4
	MOVD  x+8(FP), R0
	MOVD  n+16(FP), R2
	MOVD  R0, R3       // store cursor
	VDUP  R4, V31.S4
	CMP   $16, R2
	BLT   scale4

scale16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMUL_S4(0, 0, 31)
	FMUL_S4(1, 1, 31)
	FMUL_S4(2, 2, 31)
	FMUL_S4(3, 3, 31)
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R3)
	SUB    $16, R2, R2
	CMP    $16, R2
	BGE    scale16

scale4:
	CBZ R2, scaledone

scale4loop:
	VLD1.P 16(R0), [V0.S4]
	FMUL_S4(0, 0, 31)
	VST1.P [V0.S4], 16(R3)
	SUBS   $4, R2, R2
	BNE    scale4loop

scaledone:
	RET

// ---------------------------------------------------------------------------
// func peakNEON(n int)
// n iterations of 16 independent 4-wide FMAs (128 flops each), registers
// only: the machine's FMA peak, for PeakGFLOPS. Sixteen chains cover a
// 4-cycle FMLA latency on up to four pipes.
TEXT ·peakNEON(SB), NOSPLIT, $0-8
	MOVD n+0(FP), R0
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	CBZ  R0, peakdone

peakloop:
	VFMLA V16.S4, V17.S4, V0.S4
	VFMLA V16.S4, V17.S4, V1.S4
	VFMLA V16.S4, V17.S4, V2.S4
	VFMLA V16.S4, V17.S4, V3.S4
	VFMLA V16.S4, V17.S4, V4.S4
	VFMLA V16.S4, V17.S4, V5.S4
	VFMLA V16.S4, V17.S4, V6.S4
	VFMLA V16.S4, V17.S4, V7.S4
	VFMLA V16.S4, V17.S4, V8.S4
	VFMLA V16.S4, V17.S4, V9.S4
	VFMLA V16.S4, V17.S4, V10.S4
	VFMLA V16.S4, V17.S4, V11.S4
	VFMLA V16.S4, V17.S4, V12.S4
	VFMLA V16.S4, V17.S4, V13.S4
	VFMLA V16.S4, V17.S4, V14.S4
	VFMLA V16.S4, V17.S4, V15.S4
	SUBS $1, R0, R0
	BNE  peakloop

peakdone:
	RET
