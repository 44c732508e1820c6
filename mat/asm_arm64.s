//go:build gc && !purego

#include "textflag.h"
#include "neon_arm64.h"

// Go arm64 operand order is sources first, destination last:
// VFMLA Vm.S4, Vn.S4, Vd.S4 is fmla vd.4s, vn.4s, vm.4s. The WORD macros of
// neon_arm64.h take Arm order instead (destination first).
// Registers used: R0-R17, R19-R25 and V0-V31, all scratch in ABI0; never
// R18 (platform) or R26-R30 (closure context, assembler temporary, g, frame
// pointer, link register).

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

// func gemmRow8x12NEON(k, n int, a, b, c *float32, ldc int, beta float32)
//
// The rowKernel contract (see impl.go) for n consecutive 8x12 tiles of one
// row panel: A is packed a[p*8+i] and shared by all tiles; tile t reads the
// B panel b[t*k*12 + p*12+j] and writes C at c + t*12. Since each B panel
// follows the previous one, the B pointer simply runs on from tile to tile.
//
// The k loop runs four steps per iteration as twelve GROUPs g = 3*step + j,
// B block g in V(4 + g%4). The block for g+3 is loaded just before GROUP g,
// into the register GROUP g-1 has finished with, and the next A column into
// the pair the previous step has finished with, so loads run well ahead of
// their use even on in-order cores. Nothing past the panels is read.
TEXT ·gemmRow8x12NEON(SB), NOSPLIT, $0-52
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
// runs 16 floats per iteration, then 4. The loops test the count that is
// left (BGE, not BNE), so an n that is not a multiple of 4, or negative,
// leaves the last n mod 4 floats untouched instead of running past them. Results are bit-identical to the
// generic Go twins, whose compiled arm64 code uses the same operand order
// (which decides the payload when both operands are NaN).

// func reluNEON(dst, src *float32, n int)
// dst = src where src < 0 is false (NaN and -0 pass through), else +0.
TEXT ·reluNEON(SB), NOSPLIT, $0-24
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
	SUBS $4, R2, R2
	BLT  reludone

relu4loop:
	VLD1.P 16(R1), [V0.S4]
	FCMLTZ_S4(4, 0)
	BIC_B16(0, 0, 4)
	VST1.P [V0.S4], 16(R0)
	SUBS   $4, R2, R2
	BGE    relu4loop

reludone:
	RET

// func reluGradNEON(dst, grad, x *float32, n int)
// dst = grad where x > 0, else +0 (NaN x gives +0).
TEXT ·reluGradNEON(SB), NOSPLIT, $0-32
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
	SUBS $4, R3, R3
	BLT  graddone

grad4loop:
	VLD1.P 16(R2), [V0.S4]
	VLD1.P 16(R1), [V4.S4]
	FCMGTZ_S4(0, 0)
	VAND   V0.B16, V4.B16, V4.B16
	VST1.P [V4.S4], 16(R0)
	SUBS   $4, R3, R3
	BGE    grad4loop

graddone:
	RET

// func addNEON(dst, x *float32, n int)
// dst = dst + x (fadd with dst first, as the generic code compiles).
TEXT ·addNEON(SB), NOSPLIT, $0-24
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
	SUBS $4, R2, R2
	BLT  adddone

add4loop:
	VLD1.P 16(R0), [V0.S4]
	VLD1.P 16(R1), [V4.S4]
	FADD_S4(0, 0, 4)
	VST1.P [V0.S4], 16(R3)
	SUBS   $4, R2, R2
	BGE    add4loop

adddone:
	RET

// func axpyNEON(alpha float32, x, y *float32, n int)
// y = y + (alpha * x), rounded after the multiply: fmul then fadd, never fmla.
TEXT ·axpyNEON(SB), NOSPLIT, $0-32
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
	SUBS $4, R2, R2
	BLT  axpydone

axpy4loop:
	VLD1.P 16(R0), [V0.S4]
	VLD1.P 16(R1), [V4.S4]
	FMUL_S4(0, 31, 0)
	FADD_S4(4, 4, 0)
	VST1.P [V4.S4], 16(R3)
	SUBS   $4, R2, R2
	BGE    axpy4loop

axpydone:
	RET

// func scaleNEON(alpha float32, x *float32, n int)
// x = x * alpha.
TEXT ·scaleNEON(SB), NOSPLIT, $0-24
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
	SUBS $4, R2, R2
	BLT  scaledone

scale4loop:
	VLD1.P 16(R0), [V0.S4]
	FMUL_S4(0, 0, 31)
	VST1.P [V0.S4], 16(R3)
	SUBS   $4, R2, R2
	BGE    scale4loop

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

// ---------------------------------------------------------------------------
// Fast-path kernels (see fastKernels in fast.go). Each reads its arguments
// from a fastArgs block, at these offsets (checked by TestFastArgsLayout):
#define FA_K     0
#define FA_M     8
#define FA_N     16
#define FA_A     24
#define FA_LDA   32
#define FA_B     40
#define FA_LDB   48
#define FA_C     56
#define FA_LDC   64
#define FA_ALPHA 72
#define FA_BETA  76

// A tile that is only partly inside C is written through a scratch copy
// in the frame: the kernel stores its alpha-scaled tile there (row stride
// 1<<shift bytes) and MERGE copies the part inside C, rows [R0, R1) and
// columns [R2, R3) of the tile (R2 < R3), adding beta·C when R22 != 0 (beta in
// F29). R24 is the scratch tile, R23 the tile's origin in C, R14 ldc in
// bytes. Clobbers R4-R7, R15, F0, F1. Full tiles take the vector stores.
#define MERGE(shift, rowloop, colloop, done) \
	MOVD    R0, R5             \
rowloop:                           \
	CMP     R1, R5             \
	BGE     done               \
	ADD     R5<<shift, R24, R6 \
	MUL     R5, R14, R7        \
	ADD     R23, R7, R7        \
	ADD     R2<<2, R6, R6      \
	ADD     R2<<2, R7, R7      \
	SUB     R2, R3, R15        \
	ADD     $1, R5, R5         \
colloop:                           \
	FMOVS.P 4(R6), F0          \
	CBZW    R22, 3(PC)         \
	FMOVS   (R7), F1           \
	FMADDS  F29, F0, F1, F0    \
	FMOVS.P F0, 4(R7)          \
	SUBS    $1, R15, R15       \
	BGT     colloop            \
	B       rowloop

// CLAMPPTR sets dst = base + min(idx+q, last)*ld (bytes): the address of
// row idx+q, or of the last row for tile rows past the edge, so that every
// load stays inside the operand. Clobbers R20.
#define CLAMPPTR(q, idx, last, base, ld, dst) \
	ADD  $(q), idx, R20        \
	CMP  last, R20             \
	CSEL GT, last, R20, R20    \
	MUL  ld, R20, R20          \
	ADD  base, R20, dst

// LOADARGS loads, from the argument block at R8, what every fast kernel
// needs: R9 k, R10 m, R11 n, R12-R14 lda, ldb, ldc in bytes.
#define LOADARGS \
	MOVD FA_K(R8), R9   \
	MOVD FA_M(R8), R10  \
	MOVD FA_N(R8), R11  \
	MOVD FA_LDA(R8), R12 \
	MOVD FA_LDB(R8), R13 \
	MOVD FA_LDC(R8), R14 \
	LSL  $2, R12, R12   \
	LSL  $2, R13, R13   \
	LSL  $2, R14, R14

// LOADAB loads alpha into every lane of V28 and beta into every lane of V29
// (F29 is beta too), and R22 = beta's bits without the sign (zero for ±0:
// C is then not read).
#define LOADAB \
	FMOVS FA_ALPHA(R8), F28 \
	FMOVS FA_BETA(R8), F29  \
	VDUP  V28.S[0], V28.S4  \
	VDUP  V29.S[0], V29.S4  \
	MOVWU FA_BETA(R8), R22  \
	LSLW  $1, R22, R22

// STOREROW stores the four floats of vector v at (addr), plus beta·C.
#define STOREROW(v, addr) \
	CBZW  R22, 3(PC)                  \
	VLD1  (addr), [V30.S4]            \
	VFMLA V29.S4, V30.S4, v.S4        \
	VST1  [v.S4], (addr)

// func gemvNEON(p *fastArgs)
// One row of C: c[j] = alpha·Σ_p a[p]·b[p*ldb+j] + beta·c[j], for n >= 4
// (the Go wrapper does smaller n). Blocks of 32 columns keep eight
// accumulators V0-V7 and stream B's rows once, four steps per iteration
// with a[p..p+3] in V31 and B in V8-V15 / V16-V23 alternately, each half
// of the next step's B loaded between halves of this step's FMAs; the
// 4-byte loads of B equal the fused multiply-adds, so the loop is
// balanced between the two load and the two FMA pipes of a Neoverse N1. Then blocks
// of four columns with four partial sums (over p mod 4); a last partial
// block is computed at n-4 (overlapping the one before) and merged.
TEXT ·gemvNEON(SB), NOSPLIT, $256-8
	MOVD p+0(FP), R8
	LOADARGS
	LOADAB
	MOVD FA_A(R8), R16   // a
	MOVD FA_B(R8), R17   // b at column j
	MOVD FA_C(R8), R23   // c at column j
	MOVD ZR, R19         // j
	MOVD $scratch-256(SP), R24

gv32:
	SUB  R19, R11, R21
	CMP  $32, R21
	BLT  gv4
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	MOVD R16, R0         // a[p]
	MOVD R17, R1         // B row p, columns 0-15 of the block
	ADD  $64, R17, R2    // columns 16-31
	LSR  $2, R9, R3      // four-step iterations
	AND  $3, R9, R4      // remaining steps
	CBZ  R3, gv32tail

gv32loop:
	VLD1.P 16(R0), [V31.S4]
	VLD1.P (R1)(R13), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P (R2)(R13), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1.P (R1)(R13), [V16.S4, V17.S4, V18.S4, V19.S4]
	FMLA_ELEM_S4(0, 8, 31, 0)
	FMLA_ELEM_S4(1, 9, 31, 0)
	FMLA_ELEM_S4(2, 10, 31, 0)
	FMLA_ELEM_S4(3, 11, 31, 0)
	VLD1.P (R2)(R13), [V20.S4, V21.S4, V22.S4, V23.S4]
	FMLA_ELEM_S4(4, 12, 31, 0)
	FMLA_ELEM_S4(5, 13, 31, 0)
	FMLA_ELEM_S4(6, 14, 31, 0)
	FMLA_ELEM_S4(7, 15, 31, 0)
	VLD1.P (R1)(R13), [V8.S4, V9.S4, V10.S4, V11.S4]
	FMLA_ELEM_S4(0, 16, 31, 1)
	FMLA_ELEM_S4(1, 17, 31, 1)
	FMLA_ELEM_S4(2, 18, 31, 1)
	FMLA_ELEM_S4(3, 19, 31, 1)
	VLD1.P (R2)(R13), [V12.S4, V13.S4, V14.S4, V15.S4]
	FMLA_ELEM_S4(4, 20, 31, 1)
	FMLA_ELEM_S4(5, 21, 31, 1)
	FMLA_ELEM_S4(6, 22, 31, 1)
	FMLA_ELEM_S4(7, 23, 31, 1)
	VLD1.P (R1)(R13), [V16.S4, V17.S4, V18.S4, V19.S4]
	FMLA_ELEM_S4(0, 8, 31, 2)
	FMLA_ELEM_S4(1, 9, 31, 2)
	FMLA_ELEM_S4(2, 10, 31, 2)
	FMLA_ELEM_S4(3, 11, 31, 2)
	VLD1.P (R2)(R13), [V20.S4, V21.S4, V22.S4, V23.S4]
	FMLA_ELEM_S4(4, 12, 31, 2)
	FMLA_ELEM_S4(5, 13, 31, 2)
	FMLA_ELEM_S4(6, 14, 31, 2)
	FMLA_ELEM_S4(7, 15, 31, 2)
	FMLA_ELEM_S4(0, 16, 31, 3)
	FMLA_ELEM_S4(1, 17, 31, 3)
	FMLA_ELEM_S4(2, 18, 31, 3)
	FMLA_ELEM_S4(3, 19, 31, 3)
	FMLA_ELEM_S4(4, 20, 31, 3)
	FMLA_ELEM_S4(5, 21, 31, 3)
	FMLA_ELEM_S4(6, 22, 31, 3)
	FMLA_ELEM_S4(7, 23, 31, 3)
	SUBS $1, R3, R3
	BGT  gv32loop

gv32tail:
	CBZ R4, gv32store

gv32step:
	FMOVS.P 4(R0), F31
	VLD1.P  (R1)(R13), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P  (R2)(R13), [V12.S4, V13.S4, V14.S4, V15.S4]
	FMLA_ELEM_S4(0, 8, 31, 0)
	FMLA_ELEM_S4(1, 9, 31, 0)
	FMLA_ELEM_S4(2, 10, 31, 0)
	FMLA_ELEM_S4(3, 11, 31, 0)
	FMLA_ELEM_S4(4, 12, 31, 0)
	FMLA_ELEM_S4(5, 13, 31, 0)
	FMLA_ELEM_S4(6, 14, 31, 0)
	FMLA_ELEM_S4(7, 15, 31, 0)
	SUBS $1, R4, R4
	BGT  gv32step

gv32store:
	FMUL_S4(0, 0, 28)
	FMUL_S4(1, 1, 28)
	FMUL_S4(2, 2, 28)
	FMUL_S4(3, 3, 28)
	FMUL_S4(4, 4, 28)
	FMUL_S4(5, 5, 28)
	FMUL_S4(6, 6, 28)
	FMUL_S4(7, 7, 28)
	CBZW  R22, gv32put
	ADD   $64, R23, R5
	VLD1  (R23), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1  (R5), [V12.S4, V13.S4, V14.S4, V15.S4]
	VFMLA V29.S4, V8.S4, V0.S4
	VFMLA V29.S4, V9.S4, V1.S4
	VFMLA V29.S4, V10.S4, V2.S4
	VFMLA V29.S4, V11.S4, V3.S4
	VFMLA V29.S4, V12.S4, V4.S4
	VFMLA V29.S4, V13.S4, V5.S4
	VFMLA V29.S4, V14.S4, V6.S4
	VFMLA V29.S4, V15.S4, V7.S4

gv32put:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R23)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R23)
	ADD    $128, R17, R17
	ADD    $32, R19, R19
	B      gv32

gv4:
	// R21 = columns left (0-31). A block of four at column j, or, for
	// the last one to three columns, at n-4 with only the new ones kept.
	CBZ  R21, gvdone
	MOVD ZR, R2          // first column of the block to keep
	CMP  $4, R21
	BGE  gv4go
	MOVD $4, R2
	SUB  R21, R2, R2     // 4 - left: columns already done
	SUB  R2, R19, R19    // the block starts at n-4
	SUB  R2<<2, R17, R17
	SUB  R2<<2, R23, R23

gv4go:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVD R16, R0
	MOVD R17, R1
	LSR  $2, R9, R3
	AND  $3, R9, R4
	CBZ  R3, gv4tail

gv4loop:
	VLD1.P 16(R0), [V31.S4]
	VLD1.P (R1)(R13), [V16.S4]
	VLD1.P (R1)(R13), [V17.S4]
	VLD1.P (R1)(R13), [V18.S4]
	VLD1.P (R1)(R13), [V19.S4]
	FMLA_ELEM_S4(0, 16, 31, 0)
	FMLA_ELEM_S4(1, 17, 31, 1)
	FMLA_ELEM_S4(2, 18, 31, 2)
	FMLA_ELEM_S4(3, 19, 31, 3)
	SUBS $1, R3, R3
	BGT  gv4loop

gv4tail:
	CBZ R4, gv4sum

gv4step:
	FMOVS.P 4(R0), F31
	VLD1.P  (R1)(R13), [V16.S4]
	FMLA_ELEM_S4(0, 16, 31, 0)
	SUBS $1, R4, R4
	BGT  gv4step

gv4sum:
	FADD_S4(0, 0, 1)
	FADD_S4(2, 2, 3)
	FADD_S4(0, 0, 2)
	FMUL_S4(0, 0, 28)
	CBNZ R2, gv4part
	STOREROW(V0, R23)
	ADD  $16, R17, R17
	ADD  $16, R23, R23
	ADD  $4, R19, R19
	SUB  R19, R11, R21
	B    gv4

gv4part:
	VST1 [V0.S4], (R24)
	MOVD ZR, R0
	MOVD $1, R1
	MOVD $4, R3
	MERGE(4, gvmrow, gvmcol, gvdone)

gvdone:
	RET

// DOTFMA adds to each accumulator V(4r+c) the lane-wise products of A
// row r's vector (a0-a3) and b row c's vector (b0-b3).
#define DOTFMA(a0, a1, a2, a3, b0, b1, b2, b3) \
	VFMLA b0.S4, a0.S4, V0.S4  \
	VFMLA b1.S4, a0.S4, V1.S4  \
	VFMLA b2.S4, a0.S4, V2.S4  \
	VFMLA b3.S4, a0.S4, V3.S4  \
	VFMLA b0.S4, a1.S4, V4.S4  \
	VFMLA b1.S4, a1.S4, V5.S4  \
	VFMLA b2.S4, a1.S4, V6.S4  \
	VFMLA b3.S4, a1.S4, V7.S4  \
	VFMLA b0.S4, a2.S4, V8.S4  \
	VFMLA b1.S4, a2.S4, V9.S4  \
	VFMLA b2.S4, a2.S4, V10.S4 \
	VFMLA b3.S4, a2.S4, V11.S4 \
	VFMLA b0.S4, a3.S4, V12.S4 \
	VFMLA b1.S4, a3.S4, V13.S4 \
	VFMLA b2.S4, a3.S4, V14.S4 \
	VFMLA b3.S4, a3.S4, V15.S4

// func dotNEON(p *fastArgs)
// C[i][j] = alpha·Σ_p a[i*lda+p]·b[j*ldb+p] + beta·C[i][j] for a narrow C:
// dot products along K of A's rows with b's rows (the columns of op(B)).
// Tiles of 4 rows × 4 columns: sixteen accumulators V0-V15 (row r, column
// c in V(4r+c)) hold partial sums over p mod 4, enough independent chains
// for the FMA latency. The main loop takes eight steps: two vectors from
// each of four A rows (V16-V23) and four b rows (V24-V31) feed 32 FMAs,
// pair loads being cheaper per float than single ones. Then four steps
// once if k mod 8 >= 4, then single steps (single floats, the other lanes
// zero). Rows and columns past the edge reuse the last valid one, so
// every load is in bounds, and the tile goes through MERGE. Pairwise adds
// reduce each row to one vector. alpha and beta are loaded after the loops,
// which need all 32 registers.
TEXT ·dotNEON(SB), NOSPLIT, $256-8
	MOVD p+0(FP), R8
	LOADARGS
	MOVD ZR, R16         // i
	MOVD $scratch-256(SP), R24

dotrow:
	MOVD ZR, R17         // j

dotcol:
	MOVD FA_A(R8), R25
	SUB  $1, R10, R21
	CLAMPPTR(0, R16, R21, R25, R12, R0)
	CLAMPPTR(1, R16, R21, R25, R12, R1)
	CLAMPPTR(2, R16, R21, R25, R12, R2)
	CLAMPPTR(3, R16, R21, R25, R12, R3)
	MOVD FA_B(R8), R25
	SUB  $1, R11, R21
	CLAMPPTR(0, R17, R21, R25, R13, R4)
	CLAMPPTR(1, R17, R21, R25, R13, R5)
	CLAMPPTR(2, R17, R21, R25, R13, R6)
	CLAMPPTR(3, R17, R21, R25, R13, R7)
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
	LSR  $3, R9, R19
	CBZ  R19, dot4

dotloop:
	VLD1.P 32(R0), [V16.S4, V17.S4]
	VLD1.P 32(R1), [V18.S4, V19.S4]
	VLD1.P 32(R2), [V20.S4, V21.S4]
	VLD1.P 32(R3), [V22.S4, V23.S4]
	VLD1.P 32(R4), [V24.S4, V25.S4]
	VLD1.P 32(R5), [V26.S4, V27.S4]
	VLD1.P 32(R6), [V28.S4, V29.S4]
	VLD1.P 32(R7), [V30.S4, V31.S4]
	DOTFMA(V16, V18, V20, V22, V24, V26, V28, V30)
	DOTFMA(V17, V19, V21, V23, V25, V27, V29, V31)
	SUBS $1, R19, R19
	BGT  dotloop

dot4:
	TBZ    $2, R9, dottail // k mod 8 < 4
	VLD1.P 16(R0), [V16.S4]
	VLD1.P 16(R1), [V17.S4]
	VLD1.P 16(R2), [V18.S4]
	VLD1.P 16(R3), [V19.S4]
	VLD1.P 16(R4), [V20.S4]
	VLD1.P 16(R5), [V21.S4]
	VLD1.P 16(R6), [V22.S4]
	VLD1.P 16(R7), [V23.S4]
	DOTFMA(V16, V17, V18, V19, V20, V21, V22, V23)

dottail:
	ANDS $3, R9, R15
	BEQ  dotreduce

dotstep:
	FMOVS.P 4(R0), F16
	FMOVS.P 4(R1), F17
	FMOVS.P 4(R2), F18
	FMOVS.P 4(R3), F19
	FMOVS.P 4(R4), F20
	FMOVS.P 4(R5), F21
	FMOVS.P 4(R6), F22
	FMOVS.P 4(R7), F23
	DOTFMA(V16, V17, V18, V19, V20, V21, V22, V23)
	SUBS $1, R15, R15
	BGT  dotstep

dotreduce:
	LOADAB
	FADDP_S4(24, 0, 1)
	FADDP_S4(25, 2, 3)
	FADDP_S4(16, 24, 25)
	FADDP_S4(24, 4, 5)
	FADDP_S4(25, 6, 7)
	FADDP_S4(17, 24, 25)
	FADDP_S4(24, 8, 9)
	FADDP_S4(25, 10, 11)
	FADDP_S4(18, 24, 25)
	FADDP_S4(24, 12, 13)
	FADDP_S4(25, 14, 15)
	FADDP_S4(19, 24, 25)
	FMUL_S4(16, 16, 28)
	FMUL_S4(17, 17, 28)
	FMUL_S4(18, 18, 28)
	FMUL_S4(19, 19, 28)

	// C tile at c + i*ldc + 4j; rows [0, R1), columns [0, R3) inside C
	MOVD FA_C(R8), R23
	MUL  R16, R14, R20
	ADD  R20, R23, R23
	ADD  R17<<2, R23, R23
	MOVD $4, R20
	SUB  R16, R10, R1
	CMP  $4, R1
	CSEL GT, R20, R1, R1
	SUB  R17, R11, R3
	CMP  $4, R3
	CSEL GT, R20, R3, R3
	AND  R1, R3, R20     // both 4 (the only values with bit 2 set)
	TBZ  $2, R20, dotpart
	MOVD R23, R0
	STOREROW(V16, R0)
	ADD  R14, R0, R0
	STOREROW(V17, R0)
	ADD  R14, R0, R0
	STOREROW(V18, R0)
	ADD  R14, R0, R0
	STOREROW(V19, R0)
	B    dotnext

dotpart:
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R24)
	MOVD ZR, R0
	MOVD ZR, R2
	MERGE(4, dotmrow, dotmcol, dotnext)

dotnext:
	ADD $4, R17, R17
	CMP R11, R17
	BLT dotcol
	ADD $4, R16, R16
	CMP R10, R16
	BLT dotrow
	RET

// TRANSPOSE4 is defined with the packers above.

// func colNEON(p *fastArgs)
// C[i][j] = alpha·Σ_p a[p*lda+i]·b[p*ldb+j] + beta·C[i][j] for a narrow C
// whose op(A) is Aᵀ, for m >= 16 and n >= 4 (the Go wrapper does the
// rest). C's columns are vectors along M: tiles of 16 rows × 4 columns,
// accumulator V(4v+c) holding rows 4v..4v+3 of column c; per step, four
// loads of A (16 rows) and one of b (4 columns) feed sixteen FMAs by
// element. A last partial tile is computed flush with the edge (at m-16
// or n-4, overlapping the tile before) and merged, keeping only what the
// tiles before did not write; 4×4 transposes turn columns into rows.
TEXT ·colNEON(SB), NOSPLIT, $256-8
	MOVD p+0(FP), R8
	LOADARGS
	LOADAB
	MOVD ZR, R16         // i
	MOVD $scratch-256(SP), R24

colrow:
	MOVD ZR, R17         // j

colcol:
	// tile origin (s, t) = (min(i, m-16), min(j, n-4))
	SUB  $16, R10, R21
	CMP  R21, R16
	CSEL LT, R16, R21, R25   // s
	SUB  $4, R11, R21
	CMP  R21, R17
	CSEL LT, R17, R21, R19   // t
	MOVD FA_A(R8), R0
	ADD  R25<<2, R0, R0
	MOVD FA_B(R8), R1
	ADD  R19<<2, R1, R1
	MOVD FA_C(R8), R23
	MUL  R25, R14, R20
	ADD  R20, R23, R23
	ADD  R19<<2, R23, R23
	SUB  R25, R16, R2        // first row to keep
	SUB  R19, R17, R3        // first column to keep
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
	MOVD R9, R4
	CBZ  R4, colreduce

colloop:
	VLD1.P (R0)(R12), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P (R1)(R13), [V20.S4]
	FMLA_ELEM_S4(0, 16, 20, 0)
	FMLA_ELEM_S4(1, 16, 20, 1)
	FMLA_ELEM_S4(2, 16, 20, 2)
	FMLA_ELEM_S4(3, 16, 20, 3)
	FMLA_ELEM_S4(4, 17, 20, 0)
	FMLA_ELEM_S4(5, 17, 20, 1)
	FMLA_ELEM_S4(6, 17, 20, 2)
	FMLA_ELEM_S4(7, 17, 20, 3)
	FMLA_ELEM_S4(8, 18, 20, 0)
	FMLA_ELEM_S4(9, 18, 20, 1)
	FMLA_ELEM_S4(10, 18, 20, 2)
	FMLA_ELEM_S4(11, 18, 20, 3)
	FMLA_ELEM_S4(12, 19, 20, 0)
	FMLA_ELEM_S4(13, 19, 20, 1)
	FMLA_ELEM_S4(14, 19, 20, 2)
	FMLA_ELEM_S4(15, 19, 20, 3)
	SUBS $1, R4, R4
	BGT  colloop

colreduce:
	// V(4v+c) holds rows 4v..4v+3 of column c: transposed in place, V(4v+r)
	// holds row 4v+r, columns 0-3.
	TRANSPOSE4(V0, V1, V2, V3, V0, V1, V2, V3)
	TRANSPOSE4(V4, V5, V6, V7, V4, V5, V6, V7)
	TRANSPOSE4(V8, V9, V10, V11, V8, V9, V10, V11)
	TRANSPOSE4(V12, V13, V14, V15, V12, V13, V14, V15)
	FMUL_S4(0, 0, 28)
	FMUL_S4(1, 1, 28)
	FMUL_S4(2, 2, 28)
	FMUL_S4(3, 3, 28)
	FMUL_S4(4, 4, 28)
	FMUL_S4(5, 5, 28)
	FMUL_S4(6, 6, 28)
	FMUL_S4(7, 7, 28)
	FMUL_S4(8, 8, 28)
	FMUL_S4(9, 9, 28)
	FMUL_S4(10, 10, 28)
	FMUL_S4(11, 11, 28)
	FMUL_S4(12, 12, 28)
	FMUL_S4(13, 13, 28)
	FMUL_S4(14, 14, 28)
	FMUL_S4(15, 15, 28)
	ORR  R2, R3, R20
	CBNZ R20, colpart
	MOVD R23, R0
	STOREROW(V0, R0)
	ADD  R14, R0, R0
	STOREROW(V1, R0)
	ADD  R14, R0, R0
	STOREROW(V2, R0)
	ADD  R14, R0, R0
	STOREROW(V3, R0)
	ADD  R14, R0, R0
	STOREROW(V4, R0)
	ADD  R14, R0, R0
	STOREROW(V5, R0)
	ADD  R14, R0, R0
	STOREROW(V6, R0)
	ADD  R14, R0, R0
	STOREROW(V7, R0)
	ADD  R14, R0, R0
	STOREROW(V8, R0)
	ADD  R14, R0, R0
	STOREROW(V9, R0)
	ADD  R14, R0, R0
	STOREROW(V10, R0)
	ADD  R14, R0, R0
	STOREROW(V11, R0)
	ADD  R14, R0, R0
	STOREROW(V12, R0)
	ADD  R14, R0, R0
	STOREROW(V13, R0)
	ADD  R14, R0, R0
	STOREROW(V14, R0)
	ADD  R14, R0, R0
	STOREROW(V15, R0)
	B    colnext

colpart:
	MOVD R24, R0
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R0)
	VST1   [V12.S4, V13.S4, V14.S4, V15.S4], (R0)
	MOVD   R2, R0
	MOVD   $16, R1
	MOVD   R3, R2
	MOVD   $4, R3
	MERGE(4, colmrow, colmcol, colnext)

colnext:
	ADD $4, R17, R17
	CMP R11, R17
	BLT colcol
	ADD $16, R16, R16
	CMP R10, R16
	BLT colrow
	RET

// func col5NEON(p *fastArgs)
// colNEON with tiles of 16 rows × 5 columns, for m >= 16 and n >= 5: twenty
// accumulators V0-V19 (rows 4v..4v+3 of column c in V(5v+c)), per step four
// loads of A, one of b's columns 0-3 and one of its column 4, twenty FMAs
// by element. Five columns make a 10-column C two whole tiles. After the
// loop, 4×4 transposes turn columns 0-3 into rows (V(5v+r) holds row
// 4v+r); column 4 goes through the frame and is stored by a scalar loop.
TEXT ·col5NEON(SB), NOSPLIT, $320-8
	MOVD p+0(FP), R8
	LOADARGS
	LOADAB
	MOVD ZR, R16         // i
	MOVD $scratch-320(SP), R24

c5row:
	MOVD ZR, R17         // j

c5col:
	// tile origin (s, t) = (min(i, m-16), min(j, n-5))
	SUB  $16, R10, R21
	CMP  R21, R16
	CSEL LT, R16, R21, R25   // s
	SUB  $5, R11, R21
	CMP  R21, R17
	CSEL LT, R17, R21, R19   // t
	MOVD FA_A(R8), R0
	ADD  R25<<2, R0, R0
	MOVD FA_B(R8), R1
	ADD  R19<<2, R1, R1
	MOVD FA_C(R8), R23
	MUL  R25, R14, R20
	ADD  R20, R23, R23
	ADD  R19<<2, R23, R23
	SUB  R25, R16, R2        // first row to keep
	SUB  R19, R17, R3        // first column to keep
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
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	MOVD R9, R4
	CBZ  R4, c5reduce

c5loop:
	VLD1.P (R0)(R12), [V20.S4, V21.S4, V22.S4, V23.S4]
	FMOVS  16(R1), F25
	VLD1.P (R1)(R13), [V24.S4]
	FMLA_ELEM_S4(0, 20, 24, 0)
	FMLA_ELEM_S4(1, 20, 24, 1)
	FMLA_ELEM_S4(2, 20, 24, 2)
	FMLA_ELEM_S4(3, 20, 24, 3)
	FMLA_ELEM_S4(4, 20, 25, 0)
	FMLA_ELEM_S4(5, 21, 24, 0)
	FMLA_ELEM_S4(6, 21, 24, 1)
	FMLA_ELEM_S4(7, 21, 24, 2)
	FMLA_ELEM_S4(8, 21, 24, 3)
	FMLA_ELEM_S4(9, 21, 25, 0)
	FMLA_ELEM_S4(10, 22, 24, 0)
	FMLA_ELEM_S4(11, 22, 24, 1)
	FMLA_ELEM_S4(12, 22, 24, 2)
	FMLA_ELEM_S4(13, 22, 24, 3)
	FMLA_ELEM_S4(14, 22, 25, 0)
	FMLA_ELEM_S4(15, 23, 24, 0)
	FMLA_ELEM_S4(16, 23, 24, 1)
	FMLA_ELEM_S4(17, 23, 24, 2)
	FMLA_ELEM_S4(18, 23, 24, 3)
	FMLA_ELEM_S4(19, 23, 25, 0)
	SUBS $1, R4, R4
	BGT  c5loop

c5reduce:
	TRANSPOSE4(V0, V1, V2, V3, V0, V1, V2, V3)
	TRANSPOSE4(V5, V6, V7, V8, V5, V6, V7, V8)
	TRANSPOSE4(V10, V11, V12, V13, V10, V11, V12, V13)
	TRANSPOSE4(V15, V16, V17, V18, V15, V16, V17, V18)
	FMUL_S4(0, 0, 28)
	FMUL_S4(1, 1, 28)
	FMUL_S4(2, 2, 28)
	FMUL_S4(3, 3, 28)
	FMUL_S4(4, 4, 28)
	FMUL_S4(5, 5, 28)
	FMUL_S4(6, 6, 28)
	FMUL_S4(7, 7, 28)
	FMUL_S4(8, 8, 28)
	FMUL_S4(9, 9, 28)
	FMUL_S4(10, 10, 28)
	FMUL_S4(11, 11, 28)
	FMUL_S4(12, 12, 28)
	FMUL_S4(13, 13, 28)
	FMUL_S4(14, 14, 28)
	FMUL_S4(15, 15, 28)
	FMUL_S4(16, 16, 28)
	FMUL_S4(17, 17, 28)
	FMUL_S4(18, 18, 28)
	FMUL_S4(19, 19, 28)
	ADD    $256, R24, R5     // column 4 of the 16 rows, in the frame
	VST1.P [V4.S4], 16(R5)
	VST1.P [V9.S4], 16(R5)
	VST1.P [V14.S4], 16(R5)
	VST1   [V19.S4], (R5)
	ORR    R2, R3, R20
	CBNZ   R20, c5part
	MOVD   R23, R0
	STOREROW(V0, R0)
	ADD  R14, R0, R0
	STOREROW(V1, R0)
	ADD  R14, R0, R0
	STOREROW(V2, R0)
	ADD  R14, R0, R0
	STOREROW(V3, R0)
	ADD  R14, R0, R0
	STOREROW(V5, R0)
	ADD  R14, R0, R0
	STOREROW(V6, R0)
	ADD  R14, R0, R0
	STOREROW(V7, R0)
	ADD  R14, R0, R0
	STOREROW(V8, R0)
	ADD  R14, R0, R0
	STOREROW(V10, R0)
	ADD  R14, R0, R0
	STOREROW(V11, R0)
	ADD  R14, R0, R0
	STOREROW(V12, R0)
	ADD  R14, R0, R0
	STOREROW(V13, R0)
	ADD  R14, R0, R0
	STOREROW(V15, R0)
	ADD  R14, R0, R0
	STOREROW(V16, R0)
	ADD  R14, R0, R0
	STOREROW(V17, R0)
	ADD  R14, R0, R0
	STOREROW(V18, R0)
	MOVD ZR, R0
	MOVD $16, R1
	B    c5col4

c5part:
	MOVD   R24, R0
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	VST1.P [V5.S4, V6.S4, V7.S4, V8.S4], 64(R0)
	VST1.P [V10.S4, V11.S4, V12.S4, V13.S4], 64(R0)
	VST1   [V15.S4, V16.S4, V17.S4, V18.S4], (R0)
	MOVD   R2, R0
	MOVD   $16, R1
	MOVD   R3, R2
	MOVD   $4, R3
	CMP    R3, R2
	BGE    c5col4            // only column 4 is new
	MERGE(4, c5mrow, c5mcol, c5col4)

c5col4:
	// column 4 of rows [R0, R1): C = tile (+ beta·C)
	ADD  $256, R24, R6
	ADD  R0<<2, R6, R6
	MUL  R0, R14, R7
	ADD  R23, R7, R7
	ADD  $16, R7, R7
	SUB  R0, R1, R15

c5c4loop:
	FMOVS.P 4(R6), F0
	CBZW    R22, 3(PC)
	FMOVS   (R7), F1
	FMADDS  F29, F0, F1, F0
	FMOVS   F0, (R7)
	ADD     R14, R7, R7
	SUBS    $1, R15, R15
	BGT     c5c4loop

c5next:
	ADD $5, R17, R17
	CMP R11, R17
	BLT c5col
	ADD $16, R16, R16
	CMP R10, R16
	BLT c5row
	RET

// D5COL4 stores the scalar f (column 4 of a row) at 16(addr), plus beta·C.
#define D5COL4(f, addr) \
	CBZW   R22, 3(PC)        \
	FMOVS  16(addr), F1      \
	FMADDS F29, f, F1, f     \
	FMOVS  f, 16(addr)

// func dot5NEON(p *fastArgs)
// dotNEON with tiles of 3 rows × 5 columns (a 10-column C in two whole
// tiles): fifteen accumulators V0-V14 (row r, column c in V(5r+c)); per
// eight steps, pairs of vectors from three A rows (V15-V20) and five b rows
// (V21-V30) feed 30 FMAs. A row's sums end as a vector of columns 0-3 in
// V(15+r) and column 4 in lane 0 of V(18+r); partial tiles are merged from
// the frame with a row stride of 32 bytes.
TEXT ·dot5NEON(SB), NOSPLIT, $256-8
	MOVD p+0(FP), R8
	LOADARGS
	MOVD ZR, R16         // i
	MOVD $scratch-256(SP), R24

d5row:
	MOVD ZR, R17         // j

d5col:
	MOVD FA_A(R8), R25
	SUB  $1, R10, R21
	CLAMPPTR(0, R16, R21, R25, R12, R0)
	CLAMPPTR(1, R16, R21, R25, R12, R1)
	CLAMPPTR(2, R16, R21, R25, R12, R2)
	MOVD FA_B(R8), R25
	SUB  $1, R11, R21
	CLAMPPTR(0, R17, R21, R25, R13, R3)
	CLAMPPTR(1, R17, R21, R25, R13, R4)
	CLAMPPTR(2, R17, R21, R25, R13, R5)
	CLAMPPTR(3, R17, R21, R25, R13, R6)
	CLAMPPTR(4, R17, R21, R25, R13, R7)
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
	LSR  $3, R9, R19
	CBZ  R19, d54

d5loop:
	VLD1.P 32(R0), [V15.S4, V16.S4]
	VLD1.P 32(R1), [V17.S4, V18.S4]
	VLD1.P 32(R2), [V19.S4, V20.S4]
	VLD1.P 32(R3), [V21.S4, V22.S4]
	VLD1.P 32(R4), [V23.S4, V24.S4]
	VLD1.P 32(R5), [V25.S4, V26.S4]
	VLD1.P 32(R6), [V27.S4, V28.S4]
	VLD1.P 32(R7), [V29.S4, V30.S4]
	VFMLA V21.S4, V15.S4, V0.S4
	VFMLA V23.S4, V15.S4, V1.S4
	VFMLA V25.S4, V15.S4, V2.S4
	VFMLA V27.S4, V15.S4, V3.S4
	VFMLA V29.S4, V15.S4, V4.S4
	VFMLA V21.S4, V17.S4, V5.S4
	VFMLA V23.S4, V17.S4, V6.S4
	VFMLA V25.S4, V17.S4, V7.S4
	VFMLA V27.S4, V17.S4, V8.S4
	VFMLA V29.S4, V17.S4, V9.S4
	VFMLA V21.S4, V19.S4, V10.S4
	VFMLA V23.S4, V19.S4, V11.S4
	VFMLA V25.S4, V19.S4, V12.S4
	VFMLA V27.S4, V19.S4, V13.S4
	VFMLA V29.S4, V19.S4, V14.S4
	VFMLA V22.S4, V16.S4, V0.S4
	VFMLA V24.S4, V16.S4, V1.S4
	VFMLA V26.S4, V16.S4, V2.S4
	VFMLA V28.S4, V16.S4, V3.S4
	VFMLA V30.S4, V16.S4, V4.S4
	VFMLA V22.S4, V18.S4, V5.S4
	VFMLA V24.S4, V18.S4, V6.S4
	VFMLA V26.S4, V18.S4, V7.S4
	VFMLA V28.S4, V18.S4, V8.S4
	VFMLA V30.S4, V18.S4, V9.S4
	VFMLA V22.S4, V20.S4, V10.S4
	VFMLA V24.S4, V20.S4, V11.S4
	VFMLA V26.S4, V20.S4, V12.S4
	VFMLA V28.S4, V20.S4, V13.S4
	VFMLA V30.S4, V20.S4, V14.S4
	SUBS $1, R19, R19
	BGT  d5loop

d54:
	TBZ    $2, R9, d5tail // k mod 8 < 4
	VLD1.P 16(R0), [V15.S4]
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R2), [V17.S4]
	VLD1.P 16(R3), [V21.S4]
	VLD1.P 16(R4), [V22.S4]
	VLD1.P 16(R5), [V23.S4]
	VLD1.P 16(R6), [V24.S4]
	VLD1.P 16(R7), [V25.S4]
	VFMLA V21.S4, V15.S4, V0.S4
	VFMLA V22.S4, V15.S4, V1.S4
	VFMLA V23.S4, V15.S4, V2.S4
	VFMLA V24.S4, V15.S4, V3.S4
	VFMLA V25.S4, V15.S4, V4.S4
	VFMLA V21.S4, V16.S4, V5.S4
	VFMLA V22.S4, V16.S4, V6.S4
	VFMLA V23.S4, V16.S4, V7.S4
	VFMLA V24.S4, V16.S4, V8.S4
	VFMLA V25.S4, V16.S4, V9.S4
	VFMLA V21.S4, V17.S4, V10.S4
	VFMLA V22.S4, V17.S4, V11.S4
	VFMLA V23.S4, V17.S4, V12.S4
	VFMLA V24.S4, V17.S4, V13.S4
	VFMLA V25.S4, V17.S4, V14.S4

d5tail:
	ANDS $3, R9, R15
	BEQ  d5reduce

d5step:
	FMOVS.P 4(R0), F15
	FMOVS.P 4(R1), F16
	FMOVS.P 4(R2), F17
	FMOVS.P 4(R3), F21
	FMOVS.P 4(R4), F22
	FMOVS.P 4(R5), F23
	FMOVS.P 4(R6), F24
	FMOVS.P 4(R7), F25
	VFMLA V21.S4, V15.S4, V0.S4
	VFMLA V22.S4, V15.S4, V1.S4
	VFMLA V23.S4, V15.S4, V2.S4
	VFMLA V24.S4, V15.S4, V3.S4
	VFMLA V25.S4, V15.S4, V4.S4
	VFMLA V21.S4, V16.S4, V5.S4
	VFMLA V22.S4, V16.S4, V6.S4
	VFMLA V23.S4, V16.S4, V7.S4
	VFMLA V24.S4, V16.S4, V8.S4
	VFMLA V25.S4, V16.S4, V9.S4
	VFMLA V21.S4, V17.S4, V10.S4
	VFMLA V22.S4, V17.S4, V11.S4
	VFMLA V23.S4, V17.S4, V12.S4
	VFMLA V24.S4, V17.S4, V13.S4
	VFMLA V25.S4, V17.S4, V14.S4
	SUBS $1, R15, R15
	BGT  d5step

d5reduce:
	FADDP_S4(26, 0, 1)
	FADDP_S4(27, 2, 3)
	FADDP_S4(15, 26, 27)
	FADDP_S4(30, 4, 4)
	FADDP_S4(18, 30, 30)
	FADDP_S4(26, 5, 6)
	FADDP_S4(27, 7, 8)
	FADDP_S4(16, 26, 27)
	FADDP_S4(30, 9, 9)
	FADDP_S4(19, 30, 30)
	FADDP_S4(26, 10, 11)
	FADDP_S4(27, 12, 13)
	FADDP_S4(17, 26, 27)
	FADDP_S4(30, 14, 14)
	FADDP_S4(20, 30, 30)
	LOADAB
	FMUL_S4(15, 15, 28)
	FMUL_S4(16, 16, 28)
	FMUL_S4(17, 17, 28)
	FMUL_S4(18, 18, 28)
	FMUL_S4(19, 19, 28)
	FMUL_S4(20, 20, 28)

	// C tile at c + i*ldc + 4j; rows [0, R1), columns [0, R3) inside C
	MOVD FA_C(R8), R23
	MUL  R16, R14, R20
	ADD  R20, R23, R23
	ADD  R17<<2, R23, R23
	MOVD $3, R20
	SUB  R16, R10, R1
	CMP  $3, R1
	CSEL GT, R20, R1, R1
	MOVD $5, R20
	SUB  R17, R11, R3
	CMP  $5, R3
	CSEL GT, R20, R3, R3
	CMP  $3, R1
	BNE  d5part
	CMP  $5, R3
	BNE  d5part
	MOVD R23, R0
	STOREROW(V15, R0)
	D5COL4(F18, R0)
	ADD  R14, R0, R0
	STOREROW(V16, R0)
	D5COL4(F19, R0)
	ADD  R14, R0, R0
	STOREROW(V17, R0)
	D5COL4(F20, R0)
	B    d5next

d5part:
	MOVD  R24, R0
	VST1  [V15.S4], (R0)
	FMOVS F18, 16(R0)
	ADD   $32, R0, R0
	VST1  [V16.S4], (R0)
	FMOVS F19, 16(R0)
	ADD   $32, R0, R0
	VST1  [V17.S4], (R0)
	FMOVS F20, 16(R0)
	MOVD  ZR, R0
	MOVD  ZR, R2
	MERGE(5, d5mrow, d5mcol, d5next)

d5next:
	ADD $5, R17, R17
	CMP R11, R17
	BLT d5col
	ADD $3, R16, R16
	CMP R10, R16
	BLT d5row
	RET

// func transposeNEON(rows, cols int, src *float32, lds int, dst *float32, ldd int)
// dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols, both multiples of 4
// (the Go wrapper does the edges): 4×4 blocks through TRANSPOSE4.
TEXT ·transposeNEON(SB), NOSPLIT, $0-48
	MOVD rows+0(FP), R0
	MOVD cols+8(FP), R1
	MOVD src+16(FP), R2
	MOVD lds+24(FP), R3
	MOVD dst+32(FP), R4
	MOVD ldd+40(FP), R5
	LSL  $2, R3, R3
	LSL  $2, R5, R5
	MOVD ZR, R6          // i

trrow:
	CMP  R0, R6
	BGE  trdone
	MUL  R6, R3, R8
	ADD  R2, R8, R8      // src row i
	LSL  $2, R6, R9
	ADD  R4, R9, R9      // dst column i, row 0
	MOVD ZR, R7          // j

trloop:
	CMP  R1, R7
	BGE  trnext
	MOVD R8, R10
	VLD1 (R10), [V0.S4]
	ADD  R3, R10, R10
	VLD1 (R10), [V1.S4]
	ADD  R3, R10, R10
	VLD1 (R10), [V2.S4]
	ADD  R3, R10, R10
	VLD1 (R10), [V3.S4]
	TRANSPOSE4(V0, V1, V2, V3, V4, V5, V6, V7)
	MOVD R9, R11
	VST1 [V4.S4], (R11)
	ADD  R5, R11, R11
	VST1 [V5.S4], (R11)
	ADD  R5, R11, R11
	VST1 [V6.S4], (R11)
	ADD  R5, R11, R11
	VST1 [V7.S4], (R11)
	ADD  $16, R8, R8     // four columns of src along
	ADD  R5<<2, R9, R9   // four rows of dst down
	ADD  $4, R7, R7
	B    trloop

trnext:
	ADD $4, R6, R6
	B   trrow

trdone:
	RET

// func prefetchARM64(p []float32)
// PRFM PLDL1KEEP for every cache line p touches: a hint, which reads
// nothing into registers and cannot fault.
TEXT ·prefetchARM64(SB), NOSPLIT, $0-24
	MOVD p_base+0(FP), R0
	MOVD p_len+8(FP), R1
	CMP  $0, R1
	BLE  pfdone
	ADD  R1<<2, R0, R1 // end
	AND  $~63, R0      // the first line

pfloop:
	PRFM (R0), PLDL1KEEP
	ADD  $64, R0
	CMP  R1, R0
	BLO  pfloop

pfdone:
	RET
