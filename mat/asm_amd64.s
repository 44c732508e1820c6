//go:build gc && !purego

#include "textflag.h"

// ZEROZ4 clears four 512-bit registers.
#define ZEROZ4(a, b, c, d) \
	VPXORD a, a, a \
	VPXORD b, b, b \
	VPXORD c, c, c \
	VPXORD d, d, d

#define EACHROW6x64(op) \
	op(Z0, Z1, Z2, Z3)     \
	op(Z4, Z5, Z6, Z7)     \
	op(Z8, Z9, Z10, Z11)   \
	op(Z12, Z13, Z14, Z15) \
	op(Z16, Z17, Z18, Z19) \
	op(Z20, Z21, Z22, Z23)

#define EACHROW4x64(op) \
	op(Z0, Z1, Z2, Z3)     \
	op(Z4, Z5, Z6, Z7)     \
	op(Z8, Z9, Z10, Z11)   \
	op(Z12, Z13, Z14, Z15)

// ROW64KERNEL is the body of gemmRow6x64AVX512 and gemmRow4x64AVX512 (see
// there): step is STEP6x64 or STEP4x64, and each applies a macro to the
// accumulators of every row (EACHROW6x64 or EACHROW4x64). It is defined up
// here, outside every function, like DOTREDUCESTORE.
#define ROW64KERNEL(step, each) \
	MOVQ k+0(FP), BX                 \
	MOVQ n+8(FP), R10                \
	MOVQ b+40(FP), AX                \
	MOVQ stepStride+48(FP), R13      \
	SHLQ $2, R13                     \
	LEAQ (R13)(R13*2), R14           \
	MOVQ tileStride+56(FP), DX       \
	SHLQ $2, DX                      \
	MOVQ c+64(FP), R12               \
tile:                                \
	MOVQ a+16(FP), SI                \
	MOVQ aRow+24(FP), R8             \
	SHLQ $2, R8                      \
	LEAQ (SI)(R8*2), R9              \
	ADDQ R8, R9                      \
	MOVQ aStep+32(FP), R11           \
	SHLQ $2, R11                     \
	MOVQ AX, DI                      \
	MOVQ BX, CX                      \
	each(ZEROZ4)                     \
	CMPQ CX, $4                      \
	JLT  ktail                       \
kloop4:                              \
	PREFETCHT0 (DI)(R13*8)           \
	step((DI), 64(DI), 128(DI), 192(DI)) \
	step((DI)(R13*1), 64(DI)(R13*1), 128(DI)(R13*1), 192(DI)(R13*1)) \
	step((DI)(R13*2), 64(DI)(R13*2), 128(DI)(R13*2), 192(DI)(R13*2)) \
	step((DI)(R14*1), 64(DI)(R14*1), 128(DI)(R14*1), 192(DI)(R14*1)) \
	LEAQ (DI)(R13*4), DI             \
	SUBQ $4, CX                      \
	CMPQ CX, $4                      \
	JGE  kloop4                      \
ktail:                               \
	TESTQ CX, CX                     \
	JEQ   store                      \
kloop1:                              \
	step((DI), 64(DI), 128(DI), 192(DI)) \
	ADDQ R13, DI                     \
	DECQ CX                          \
	JNZ  kloop1                      \
store:                               \
	MOVQ R12, R9                     \
	MOVQ ldc+72(FP), R8              \
	SHLQ $2, R8                      \
	MOVL beta+80(FP), R11            \
	ANDL $0x7fffffff, R11            \
	JEQ  store0                      \
	VBROADCASTSS beta+80(FP), Z31    \
	each(STORE64BETA)                \
	JMP  next                        \
store0:                              \
	each(STORE64)                    \
next:                                \
	ADDQ DX, AX                      \
	ADDQ $256, R12                   \
	DECQ R10                         \
	JNZ  tile                        \
	VZEROUPPER                       \
	RET

// DOTSTART loads the argument block into AX, the bytes of K's whole blocks
// of block bytes (32 or 64, given negated: the mask) into BX, the mask of
// the first k%8 lanes into Y15 (none when k%8 == 0), and i = 0 into SI.
#define DOTSTART(blockmask) \
	MOVQ    p+0(FP), AX        \
	MOVQ    FA_K(AX), BX       \
	MOVQ    BX, R8             \
	ANDQ    $7, R8             \
	SHLQ    $2, BX             \
	ANDQ    blockmask, BX      \
	MOVQ    $8, R9             \
	SUBQ    R8, R9             \
	LEAQ    tailMask<>+0(SB), R10 \
	VMOVDQU (R10)(R9*4), Y15   \
	XORQ    SI, SI

// DOTSETUP points R8..R13 at A rows i..i+5 and R14, DX at b rows j, j+1,
// clamped to the last valid ones. DOTREDUCESTORE sums the accumulators
// Y0..Y11 (8 lanes each) into the 6×2 tile, stores it (beta, edges) and
// steps to the next tile, jumping back to dotcols and dotrows. Both are
// shared by dotAVX2 and dotAVX512, which differ only in the loop along K.
#define DOTSETUP \
	MOVQ FA_M(AX), R14 \
	DECQ R14 \
	MOVQ FA_LDA(AX), DX \
	SHLQ $2, DX \
	DOTAROW(0, R8) \
	DOTAROW(1, R9) \
	DOTAROW(2, R10) \
	DOTAROW(3, R11) \
	DOTAROW(4, R12) \
	DOTAROW(5, R13) \
	MOVQ  FA_LDB(AX), DX \
	SHLQ  $2, DX \
	MOVQ  DI, R14 \
	IMULQ DX, R14 \
	ADDQ  FA_B(AX), R14 \
	LEAQ  1(DI), CX \
	CMPQ  CX, FA_N(AX) \
	JLT   dotskip1 \
	XORQ  DX, DX \
dotskip1: \
	ADDQ  R14, DX

#define DOTREDUCESTORE \
dotreduce: \
	VHADDPS    Y1, Y0, Y0 \
	VHADDPS    Y3, Y2, Y2 \
	VHADDPS    Y5, Y4, Y4 \
	VHADDPS    Y7, Y6, Y6 \
	VHADDPS    Y9, Y8, Y8 \
	VHADDPS    Y11, Y10, Y10 \
	VHADDPS    Y2, Y0, Y0 \
	VHADDPS    Y6, Y4, Y4 \
	VHADDPS    Y10, Y8, Y8 \
	VPERM2F128 $0x20, Y4, Y0, Y1 \
	VPERM2F128 $0x31, Y4, Y0, Y2 \
	VADDPS     Y2, Y1, Y0 \
	VEXTRACTF128 $1, Y8, X9 \
	VADDPS     X9, X8, X8 \
	VBROADCASTSS FA_ALPHA(AX), Y1 \
	VMULPS     Y1, Y0, Y0 \
	VMULPS     X1, X8, X8 \
	VBROADCASTSS FA_BETA(AX), X2 \
	MOVQ  FA_LDC(AX), DX \
	SHLQ  $2, DX \
	MOVQ  SI, R14 \
	IMULQ DX, R14 \
	ADDQ  FA_C(AX), R14 \
	LEAQ  (R14)(DI*4), R14 \
	MOVQ FA_M(AX), R12 \
	SUBQ SI, R12 \
	MOVQ FA_N(AX), R13 \
	SUBQ DI, R13 \
	CMPQ R12, $6 \
	JLT  dotslow \
	CMPQ R13, $2 \
	JLT  dotslow \
	VEXTRACTF128 $1, Y0, X1 \
	LEAQ  (R14)(DX*2), CX \
	LEAQ  (CX)(DX*2), R12 \
	TESTL $0x7fffffff, FA_BETA(AX) \
	JEQ   dotstore0 \
	VMOVQ   (R14), X3 \
	VMOVHPS (R14)(DX*1), X3, X3 \
	VMOVQ   (CX), X4 \
	VMOVHPS (CX)(DX*1), X4, X4 \
	VMOVQ   (R12), X5 \
	VMOVHPS (R12)(DX*1), X5, X5 \
	VFMADD231PS X3, X2, X0 \
	VFMADD231PS X4, X2, X1 \
	VFMADD231PS X5, X2, X8 \
dotstore0: \
	VMOVQ   X0, (R14) \
	VMOVHPS X0, (R14)(DX*1) \
	VMOVQ   X1, (CX) \
	VMOVHPS X1, (CX)(DX*1) \
	VMOVQ   X8, (R12) \
	VMOVHPS X8, (R12)(DX*1) \
	JMP     dotnext \
dotslow: \
	VMOVUPS Y0, 0(SP) \
	VMOVUPS X8, 32(SP) \
	CMPQ    R12, $6 \
	JLE     dotskip2 \
	MOVQ    $6, R12 \
dotskip2: \
	XORQ    CX, CX \
dotslowrow: \
	VMOVSS 0(SP)(CX*8), X0 \
	TESTL  $0x7fffffff, FA_BETA(AX) \
	JEQ    dotskip3 \
	VFMADD231SS (R14), X2, X0 \
dotskip3: \
	VMOVSS X0, (R14) \
	CMPQ   R13, $2 \
	JLT    dotslownext \
	VMOVSS 4(SP)(CX*8), X0 \
	TESTL  $0x7fffffff, FA_BETA(AX) \
	JEQ    dotskip4 \
	VFMADD231SS 4(R14), X2, X0 \
dotskip4: \
	VMOVSS X0, 4(R14) \
dotslownext: \
	ADDQ DX, R14 \
	INCQ CX \
	CMPQ CX, R12 \
	JLT  dotslowrow \
dotnext: \
	ADDQ $2, DI \
	CMPQ DI, FA_N(AX) \
	JLT  dotcols \
	ADDQ $6, SI \
	CMPQ SI, FA_M(AX) \
	JLT  dotrows

// AVX2+FMA kernels. Go assembler operand order is the reverse of Intel's:
// sources first, destination last ("VFMADD231PS Y12, Y14, Y0" is Intel
// "vfmadd231ps ymm0, ymm14, ymm12", ymm0 += ymm14*ymm12). Every function
// ends with VZEROUPPER so that the SSE code Go generates around the call
// does not pay for dirty upper halves.

// ---------------------------------------------------------------------------
// GEMM row kernels: n consecutive tiles of one row panel, 6×16 or 4×16.
// The A panel is packed (mr floats per step). The B panel of tile t starts
// at b + t·tileStride and step p of it at + p·stepStride (in elements), so
// that B may be a packed panel (stepStride 16, tileStride 16·k) or read in
// place from a row-major matrix (stepStride ldb, tileStride 16).
//
// Registers: SI A, DI B (step), AX B (tile), R13 = step stride in bytes,
// R14 = 3·R13, CX steps left, R12 C tile, R8 = ldc bytes, R9 C row,
// R10 tiles left, R11 != 0 iff beta != 0, BX = k, DX = tile stride bytes.
// Accumulators: row r in Y(2r), Y(2r+1); B step in Y12:Y13, A broadcasts in
// Y14/Y15.

#define STEP6(aoff, blo, bhi) \
	VMOVUPS      blo, Y12             \
	VMOVUPS      bhi, Y13             \
	VBROADCASTSS (aoff+0)(SI), Y14    \
	VBROADCASTSS (aoff+4)(SI), Y15    \
	VFMADD231PS  Y12, Y14, Y0         \
	VFMADD231PS  Y13, Y14, Y1         \
	VFMADD231PS  Y12, Y15, Y2         \
	VFMADD231PS  Y13, Y15, Y3         \
	VBROADCASTSS (aoff+8)(SI), Y14    \
	VBROADCASTSS (aoff+12)(SI), Y15   \
	VFMADD231PS  Y12, Y14, Y4         \
	VFMADD231PS  Y13, Y14, Y5         \
	VFMADD231PS  Y12, Y15, Y6         \
	VFMADD231PS  Y13, Y15, Y7         \
	VBROADCASTSS (aoff+16)(SI), Y14   \
	VBROADCASTSS (aoff+20)(SI), Y15   \
	VFMADD231PS  Y12, Y14, Y8         \
	VFMADD231PS  Y13, Y14, Y9         \
	VFMADD231PS  Y12, Y15, Y10        \
	VFMADD231PS  Y13, Y15, Y11

#define STEP4(aoff, blo, bhi) \
	VMOVUPS      blo, Y12             \
	VMOVUPS      bhi, Y13             \
	VBROADCASTSS (aoff+0)(SI), Y14    \
	VBROADCASTSS (aoff+4)(SI), Y15    \
	VFMADD231PS  Y12, Y14, Y0         \
	VFMADD231PS  Y13, Y14, Y1         \
	VFMADD231PS  Y12, Y15, Y2         \
	VFMADD231PS  Y13, Y15, Y3         \
	VBROADCASTSS (aoff+8)(SI), Y14    \
	VBROADCASTSS (aoff+12)(SI), Y15   \
	VFMADD231PS  Y12, Y14, Y4         \
	VFMADD231PS  Y13, Y14, Y5         \
	VFMADD231PS  Y12, Y15, Y6         \
	VFMADD231PS  Y13, Y15, Y7

// Four steps from DI with stride R13, then advance DI and SI.
#define STEPS4(STEP, mrb) \
	PREFETCHT0 (DI)(R13*8)                   \
	STEP(0, (DI), 32(DI))                    \
	STEP(mrb, (DI)(R13*1), 32(DI)(R13*1))    \
	STEP(2*mrb, (DI)(R13*2), 32(DI)(R13*2))  \
	STEP(3*mrb, (DI)(R14*1), 32(DI)(R14*1))  \
	LEAQ (DI)(R13*4), DI                     \
	ADDQ $(4*mrb), SI

// C row (at R9) = beta(Y15)·C + acc, then R9 += ldc bytes.
#define STOREBETA(lo, hi) \
	VFMADD231PS (R9), Y15, lo   \
	VFMADD231PS 32(R9), Y15, hi \
	VMOVUPS     lo, (R9)        \
	VMOVUPS     hi, 32(R9)      \
	ADDQ        R8, R9

// C row (at R9) = acc, then R9 += ldc bytes.
#define STORE0(lo, hi) \
	VMOVUPS lo, (R9)   \
	VMOVUPS hi, 32(R9) \
	ADDQ    R8, R9

#define ROWSETUP \
	MOVQ k+0(FP), BX                  \
	MOVQ n+8(FP), R10                 \
	MOVQ b+24(FP), AX                 \
	MOVQ stepStride+32(FP), R13       \
	SHLQ $2, R13                      \
	LEAQ (R13)(R13*2), R14            \
	MOVQ tileStride+40(FP), DX        \
	SHLQ $2, DX                       \
	MOVQ c+48(FP), R12                \
	MOVQ ldc+56(FP), R8               \
	SHLQ $2, R8                       \
	MOVL beta+64(FP), R11             \
	ANDL $0x7fffffff, R11

#define ZERO8 \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VXORPS Y2, Y2, Y2 \
	VXORPS Y3, Y3, Y3 \
	VXORPS Y4, Y4, Y4 \
	VXORPS Y5, Y5, Y5 \
	VXORPS Y6, Y6, Y6 \
	VXORPS Y7, Y7, Y7

// func gemmRow6x16AVX2(k, n int, a, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32)
TEXT ·gemmRow6x16AVX2(SB), NOSPLIT, $0-68
	ROWSETUP

r6tile:
	MOVQ a+16(FP), SI
	MOVQ AX, DI
	MOVQ BX, CX
	ZERO8
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	CMPQ CX, $4
	JLT  r6ktail

r6kloop4:
	STEPS4(STEP6, 24)
	SUBQ $4, CX
	CMPQ CX, $4
	JGE  r6kloop4

r6ktail:
	TESTQ CX, CX
	JEQ   r6store

r6kloop1:
	STEP6(0, (DI), 32(DI))
	ADDQ $24, SI
	ADDQ R13, DI
	DECQ CX
	JNZ  r6kloop1

r6store:
	MOVQ  R12, R9
	TESTL R11, R11
	JEQ   r6store0
	VBROADCASTSS beta+64(FP), Y15
	STOREBETA(Y0, Y1)
	STOREBETA(Y2, Y3)
	STOREBETA(Y4, Y5)
	STOREBETA(Y6, Y7)
	STOREBETA(Y8, Y9)
	STOREBETA(Y10, Y11)
	JMP r6next

r6store0:
	STORE0(Y0, Y1)
	STORE0(Y2, Y3)
	STORE0(Y4, Y5)
	STORE0(Y6, Y7)
	STORE0(Y8, Y9)
	STORE0(Y10, Y11)

r6next:
	ADDQ DX, AX
	ADDQ $64, R12
	DECQ R10
	JNZ  r6tile
	VZEROUPPER
	RET

// func gemmRow4x16AVX2(k, n int, a, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32)
TEXT ·gemmRow4x16AVX2(SB), NOSPLIT, $0-68
	ROWSETUP

r4tile:
	MOVQ a+16(FP), SI
	MOVQ AX, DI
	MOVQ BX, CX
	ZERO8
	CMPQ CX, $4
	JLT  r4ktail

r4kloop4:
	STEPS4(STEP4, 16)
	SUBQ $4, CX
	CMPQ CX, $4
	JGE  r4kloop4

r4ktail:
	TESTQ CX, CX
	JEQ   r4store

r4kloop1:
	STEP4(0, (DI), 32(DI))
	ADDQ $16, SI
	ADDQ R13, DI
	DECQ CX
	JNZ  r4kloop1

r4store:
	MOVQ  R12, R9
	TESTL R11, R11
	JEQ   r4store0
	VBROADCASTSS beta+64(FP), Y15
	STOREBETA(Y0, Y1)
	STOREBETA(Y2, Y3)
	STOREBETA(Y4, Y5)
	STOREBETA(Y6, Y7)
	JMP r4next

r4store0:
	STORE0(Y0, Y1)
	STORE0(Y2, Y3)
	STORE0(Y4, Y5)
	STORE0(Y6, Y7)

r4next:
	ADDQ DX, AX
	ADDQ $64, R12
	DECQ R10
	JNZ  r4tile
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// Panel packing. Y15 holds alpha.

// func packCopy16AVX2(k int, src *float32, ld int, dst *float32, alpha float32)
// dst[p*16+j] = alpha*src[p*ld+j], j < 16.
TEXT ·packCopy16AVX2(SB), NOSPLIT, $0-36
	MOVQ         k+0(FP), CX
	MOVQ         src+8(FP), SI
	MOVQ         ld+16(FP), R8
	SHLQ         $2, R8
	MOVQ         dst+24(FP), DI
	VBROADCASTSS alpha+32(FP), Y15
	TESTQ        CX, CX
	JEQ          c16done

c16loop:
	VMULPS  (SI), Y15, Y0
	VMULPS  32(SI), Y15, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    R8, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     c16loop

c16done:
	VZEROUPPER
	RET

// func packCopy6AVX2(k int, src *float32, ld int, dst *float32, alpha float32)
// dst[p*6+i] = alpha*src[p*ld+i], i < 6.
TEXT ·packCopy6AVX2(SB), NOSPLIT, $0-36
	MOVQ         k+0(FP), CX
	MOVQ         src+8(FP), SI
	MOVQ         ld+16(FP), R8
	SHLQ         $2, R8
	MOVQ         dst+24(FP), DI
	VBROADCASTSS alpha+32(FP), X15
	TESTQ        CX, CX
	JEQ          c6done

c6loop:
	VMULPS  (SI), X15, X0
	VMOVQ   16(SI), X1
	VMULPS  X1, X15, X1
	VMOVUPS X0, (DI)
	VMOVQ   X1, 16(DI)
	ADDQ    R8, SI
	ADDQ    $24, DI
	DECQ    CX
	JNZ     c6loop

c6done:
	VZEROUPPER
	RET

// TRANSPOSE8 transposes an 8×8 block held as row pairs: on entry Y(r) =
// [row r, steps 0..3 | row r+4, steps 0..3] and Y(r+4) = the same for
// steps 4..7, for r < 4; on exit Y(s) = step s, [rows 0..3 | rows 4..7],
// for s < 8. Y8..Y15 are clobbered.
#define TRANSPOSE8 \
	VUNPCKLPS Y1, Y0, Y8          \
	VUNPCKHPS Y1, Y0, Y9          \
	VUNPCKLPS Y3, Y2, Y10         \
	VUNPCKHPS Y3, Y2, Y11         \
	VUNPCKLPS Y5, Y4, Y12         \
	VUNPCKHPS Y5, Y4, Y13         \
	VUNPCKLPS Y7, Y6, Y14         \
	VUNPCKHPS Y7, Y6, Y15         \
	VSHUFPS   $0x44, Y10, Y8, Y0  \
	VSHUFPS   $0xEE, Y10, Y8, Y1  \
	VSHUFPS   $0x44, Y11, Y9, Y2  \
	VSHUFPS   $0xEE, Y11, Y9, Y3  \
	VSHUFPS   $0x44, Y14, Y12, Y4 \
	VSHUFPS   $0xEE, Y14, Y12, Y5 \
	VSHUFPS   $0x44, Y15, Y13, Y6 \
	VSHUFPS   $0xEE, Y15, Y13, Y7

// SCALE8 multiplies Y0..Y7 by alpha (the argument at alpha+32(FP)).
#define SCALE8 \
	VBROADCASTSS alpha+32(FP), Y8 \
	VMULPS       Y8, Y0, Y0       \
	VMULPS       Y8, Y1, Y1       \
	VMULPS       Y8, Y2, Y2       \
	VMULPS       Y8, Y3, Y3       \
	VMULPS       Y8, Y4, Y4       \
	VMULPS       Y8, Y5, Y5       \
	VMULPS       Y8, Y6, Y6       \
	VMULPS       Y8, Y7, Y7

// func packTrans16AVX2(k int, src *float32, ld int, dst *float32, alpha float32)
// dst[p*16+j] = alpha*src[j*ld+p], j < 16.
TEXT ·packTrans16AVX2(SB), NOSPLIT, $0-36
	MOVQ k+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8               // ld bytes
	LEAQ (R8)(R8*2), R9       // 3·ld
	LEAQ (R8)(R8*4), R10      // 5·ld
	LEAQ (R9)(R8*4), R11      // 7·ld
	MOVQ dst+24(FP), DI

t16block:
	CMPQ CX, $8
	JLT  t16tail

	// Rows 0..7: lower lanes rows 0..3, upper lanes rows 4..7.
	MOVQ        SI, DX
	LEAQ        (SI)(R8*4), R12         // row 4
	VMOVUPS     (DX), X0
	VINSERTF128 $1, (R12), Y0, Y0
	VMOVUPS     (DX)(R8*1), X1
	VINSERTF128 $1, (R12)(R8*1), Y1, Y1
	VMOVUPS     (DX)(R8*2), X2
	VINSERTF128 $1, (R12)(R8*2), Y2, Y2
	VMOVUPS     (DX)(R9*1), X3
	VINSERTF128 $1, (R12)(R9*1), Y3, Y3
	VMOVUPS     16(DX), X4
	VINSERTF128 $1, 16(R12), Y4, Y4
	VMOVUPS     16(DX)(R8*1), X5
	VINSERTF128 $1, 16(R12)(R8*1), Y5, Y5
	VMOVUPS     16(DX)(R8*2), X6
	VINSERTF128 $1, 16(R12)(R8*2), Y6, Y6
	VMOVUPS     16(DX)(R9*1), X7
	VINSERTF128 $1, 16(R12)(R9*1), Y7, Y7
	TRANSPOSE8
	SCALE8
	VMOVUPS     Y0, (DI)
	VMOVUPS     Y1, 64(DI)
	VMOVUPS     Y2, 128(DI)
	VMOVUPS     Y3, 192(DI)
	VMOVUPS     Y4, 256(DI)
	VMOVUPS     Y5, 320(DI)
	VMOVUPS     Y6, 384(DI)
	VMOVUPS     Y7, 448(DI)

	// Rows 8..15.
	LEAQ        (SI)(R8*8), DX          // row 8
	LEAQ        (DX)(R8*4), R12         // row 12
	VMOVUPS     (DX), X0
	VINSERTF128 $1, (R12), Y0, Y0
	VMOVUPS     (DX)(R8*1), X1
	VINSERTF128 $1, (R12)(R8*1), Y1, Y1
	VMOVUPS     (DX)(R8*2), X2
	VINSERTF128 $1, (R12)(R8*2), Y2, Y2
	VMOVUPS     (DX)(R9*1), X3
	VINSERTF128 $1, (R12)(R9*1), Y3, Y3
	VMOVUPS     16(DX), X4
	VINSERTF128 $1, 16(R12), Y4, Y4
	VMOVUPS     16(DX)(R8*1), X5
	VINSERTF128 $1, 16(R12)(R8*1), Y5, Y5
	VMOVUPS     16(DX)(R8*2), X6
	VINSERTF128 $1, 16(R12)(R8*2), Y6, Y6
	VMOVUPS     16(DX)(R9*1), X7
	VINSERTF128 $1, 16(R12)(R9*1), Y7, Y7
	TRANSPOSE8
	SCALE8
	VMOVUPS     Y0, 32(DI)
	VMOVUPS     Y1, 96(DI)
	VMOVUPS     Y2, 160(DI)
	VMOVUPS     Y3, 224(DI)
	VMOVUPS     Y4, 288(DI)
	VMOVUPS     Y5, 352(DI)
	VMOVUPS     Y6, 416(DI)
	VMOVUPS     Y7, 480(DI)

	ADDQ $32, SI
	ADDQ $512, DI
	SUBQ $8, CX
	JMP  t16block

t16tail:
	TESTQ CX, CX
	JEQ   t16done
	VMOVSS alpha+32(FP), X15

t16step:
	// One step: gather column p of the 16 rows.
	MOVQ  SI, DX
	MOVQ  DI, R12
	MOVQ  $16, R13

t16row:
	VMULSS (DX), X15, X0
	VMOVSS X0, (R12)
	ADDQ   R8, DX
	ADDQ   $4, R12
	DECQ   R13
	JNZ    t16row
	ADDQ   $4, SI
	ADDQ   $64, DI
	DECQ   CX
	JNZ    t16step

t16done:
	VZEROUPPER
	RET

// func packTrans6AVX2(k int, src *float32, ld int, dst *float32, alpha float32)
// dst[p*6+i] = alpha*src[i*ld+p], i < 6. Each step is stored as 8 floats,
// the last 2 being overwritten by the next step: dst needs 2 floats of
// slack after the panel.
TEXT ·packTrans6AVX2(SB), NOSPLIT, $0-36
	MOVQ k+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8               // ld bytes
	LEAQ (R8)(R8*2), R9       // 3·ld
	MOVQ dst+24(FP), DI

t6block:
	CMPQ CX, $8
	JLT  t6tail

	// Lower lanes rows 0..3, upper lanes rows 4, 5 and zeros.
	LEAQ        (SI)(R8*4), R12         // row 4
	VMOVUPS     (SI), X0
	VINSERTF128 $1, (R12), Y0, Y0
	VMOVUPS     (SI)(R8*1), X1
	VINSERTF128 $1, (R12)(R8*1), Y1, Y1
	VMOVUPS     (SI)(R8*2), X2
	VMOVUPS     (SI)(R9*1), X3
	VMOVUPS     16(SI), X4
	VINSERTF128 $1, 16(R12), Y4, Y4
	VMOVUPS     16(SI)(R8*1), X5
	VINSERTF128 $1, 16(R12)(R8*1), Y5, Y5
	VMOVUPS     16(SI)(R8*2), X6
	VMOVUPS     16(SI)(R9*1), X7
	TRANSPOSE8
	SCALE8
	VMOVUPS     Y0, (DI)
	VMOVUPS     Y1, 24(DI)
	VMOVUPS     Y2, 48(DI)
	VMOVUPS     Y3, 72(DI)
	VMOVUPS     Y4, 96(DI)
	VMOVUPS     Y5, 120(DI)
	VMOVUPS     Y6, 144(DI)
	VMOVUPS     Y7, 168(DI)

	ADDQ $32, SI
	ADDQ $192, DI
	SUBQ $8, CX
	JMP  t6block

t6tail:
	TESTQ  CX, CX
	JEQ    t6done
	VMOVSS alpha+32(FP), X15
	LEAQ   (SI)(R8*4), R12

t6step:
	VMULSS (SI), X15, X0
	VMULSS (SI)(R8*1), X15, X1
	VMULSS (SI)(R8*2), X15, X2
	VMULSS (SI)(R9*1), X15, X3
	VMULSS (R12), X15, X4
	VMULSS (R12)(R8*1), X15, X5
	VMOVSS X0, (DI)
	VMOVSS X1, 4(DI)
	VMOVSS X2, 8(DI)
	VMOVSS X3, 12(DI)
	VMOVSS X4, 16(DI)
	VMOVSS X5, 20(DI)
	ADDQ   $4, SI
	ADDQ   $4, R12
	ADDQ   $24, DI
	DECQ   CX
	JNZ    t6step

t6done:
	VZEROUPPER
	RET

// func packCopy4AVX2(k int, src *float32, ld int, dst *float32, alpha float32)
// dst[p*4+i] = alpha*src[p*ld+i], i < 4.
TEXT ·packCopy4AVX2(SB), NOSPLIT, $0-36
	MOVQ         k+0(FP), CX
	MOVQ         src+8(FP), SI
	MOVQ         ld+16(FP), R8
	SHLQ         $2, R8
	MOVQ         dst+24(FP), DI
	VBROADCASTSS alpha+32(FP), X15
	TESTQ        CX, CX
	JEQ          c4done

c4loop:
	VMULPS  (SI), X15, X0
	VMOVUPS X0, (DI)
	ADDQ    R8, SI
	ADDQ    $16, DI
	DECQ    CX
	JNZ     c4loop

c4done:
	VZEROUPPER
	RET

// func packTrans4AVX2(k int, src *float32, ld int, dst *float32, alpha float32)
// dst[p*4+i] = alpha*src[i*ld+p], i < 4: 4×8 blocks as two in-lane 4×4
// transposes, the last k%8 steps one at a time.
TEXT ·packTrans4AVX2(SB), NOSPLIT, $0-36
	MOVQ         k+0(FP), CX
	MOVQ         src+8(FP), SI
	MOVQ         ld+16(FP), R8
	SHLQ         $2, R8
	LEAQ         (R8)(R8*2), R9
	MOVQ         dst+24(FP), DI
	VBROADCASTSS alpha+32(FP), Y15

t4block:
	CMPQ CX, $8
	JLT  t4tail
	VMOVUPS   (SI), Y0          // row 0, steps 0..7
	VMOVUPS   (SI)(R8*1), Y1
	VMOVUPS   (SI)(R8*2), Y2
	VMOVUPS   (SI)(R9*1), Y3
	VUNPCKLPS Y1, Y0, Y4        // r0 r1, steps 0 1 | 4 5
	VUNPCKHPS Y1, Y0, Y5        // steps 2 3 | 6 7
	VUNPCKLPS Y3, Y2, Y6
	VUNPCKHPS Y3, Y2, Y7
	VSHUFPS   $0x44, Y6, Y4, Y0 // step 0 | step 4
	VSHUFPS   $0xEE, Y6, Y4, Y1 // step 1 | step 5
	VSHUFPS   $0x44, Y7, Y5, Y2 // step 2 | step 6
	VSHUFPS   $0xEE, Y7, Y5, Y3 // step 3 | step 7
	VMULPS    Y15, Y0, Y0
	VMULPS    Y15, Y1, Y1
	VMULPS    Y15, Y2, Y2
	VMULPS    Y15, Y3, Y3
	VMOVUPS   X0, (DI)
	VMOVUPS   X1, 16(DI)
	VMOVUPS   X2, 32(DI)
	VMOVUPS   X3, 48(DI)
	VEXTRACTF128 $1, Y0, 64(DI)
	VEXTRACTF128 $1, Y1, 80(DI)
	VEXTRACTF128 $1, Y2, 96(DI)
	VEXTRACTF128 $1, Y3, 112(DI)
	ADDQ      $32, SI
	ADDQ      $128, DI
	SUBQ      $8, CX
	JMP       t4block

t4tail:
	TESTQ CX, CX
	JEQ   t4done

t4step:
	VMULSS (SI), X15, X0
	VMULSS (SI)(R8*1), X15, X1
	VMULSS (SI)(R8*2), X15, X2
	VMULSS (SI)(R9*1), X15, X3
	VMOVSS X0, (DI)
	VMOVSS X1, 4(DI)
	VMOVSS X2, 8(DI)
	VMOVSS X3, 12(DI)
	ADDQ   $4, SI
	ADDQ   $16, DI
	DECQ   CX
	JNZ    t4step

t4done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// Fast-path kernels. They take a *fastArgs (see fast.go); its field offsets:
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

// tailMask<>+4·(8-r) is a mask whose first r lanes are set.
DATA tailMask<>+0(SB)/4, $0xffffffff
DATA tailMask<>+4(SB)/4, $0xffffffff
DATA tailMask<>+8(SB)/4, $0xffffffff
DATA tailMask<>+12(SB)/4, $0xffffffff
DATA tailMask<>+16(SB)/4, $0xffffffff
DATA tailMask<>+20(SB)/4, $0xffffffff
DATA tailMask<>+24(SB)/4, $0xffffffff
DATA tailMask<>+28(SB)/4, $0xffffffff
DATA tailMask<>+32(SB)/4, $0
DATA tailMask<>+36(SB)/4, $0
DATA tailMask<>+40(SB)/4, $0
DATA tailMask<>+44(SB)/4, $0
DATA tailMask<>+48(SB)/4, $0
DATA tailMask<>+52(SB)/4, $0
DATA tailMask<>+56(SB)/4, $0
DATA tailMask<>+60(SB)/4, $0
GLOBL tailMask<>(SB), RODATA|NOPTR, $64

// y (at DX, offset off) = alpha(Y14)·acc [+ beta(Y15)·y]; R11 != 0 iff beta != 0.
// done is a label unique to each use.
#define GEMV_STORE(acc, off, done) \
	VMULPS      Y14, acc, acc     \
	TESTL       R11, R11          \
	JEQ         done              \
	VFMADD231PS off(DX), Y15, acc \
done:                             \
	VMOVUPS     acc, off(DX)

// func gemvAVX2(p *fastArgs)
// One row of C: c[j] = alpha·Σ_p a[p]·b[p*ldb+j] + beta·c[j], j < n.
TEXT ·gemvAVX2(SB), NOSPLIT, $0-8
	MOVQ         p+0(FP), AX
	MOVQ         FA_K(AX), BX
	MOVQ         FA_N(AX), CX
	MOVQ         FA_A(AX), SI
	MOVQ         FA_B(AX), DI
	MOVQ         FA_LDB(AX), R8
	SHLQ         $2, R8
	LEAQ         (R8)(R8*2), R13
	MOVQ         FA_C(AX), DX
	VBROADCASTSS FA_ALPHA(AX), Y14
	VBROADCASTSS FA_BETA(AX), Y15
	MOVL         FA_BETA(AX), R11
	ANDL         $0x7fffffff, R11

gv64:
	CMPQ   CX, $64
	JLT    gv8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ   SI, R9
	MOVQ   DI, R10
	MOVQ   BX, R12
	TESTQ  R12, R12
	JEQ    gv64store

gv64loop:
	VBROADCASTSS (R9), Y8
	VFMADD231PS  (R10), Y8, Y0
	VFMADD231PS  32(R10), Y8, Y1
	VFMADD231PS  64(R10), Y8, Y2
	VFMADD231PS  96(R10), Y8, Y3
	VFMADD231PS  128(R10), Y8, Y4
	VFMADD231PS  160(R10), Y8, Y5
	VFMADD231PS  192(R10), Y8, Y6
	VFMADD231PS  224(R10), Y8, Y7
	ADDQ         $4, R9
	ADDQ         R8, R10
	DECQ         R12
	JNZ          gv64loop

gv64store:
	GEMV_STORE(Y0, 0, gemvstore0)
	GEMV_STORE(Y1, 32, gemvstore1)
	GEMV_STORE(Y2, 64, gemvstore2)
	GEMV_STORE(Y3, 96, gemvstore3)
	GEMV_STORE(Y4, 128, gemvstore4)
	GEMV_STORE(Y5, 160, gemvstore5)
	GEMV_STORE(Y6, 192, gemvstore6)
	GEMV_STORE(Y7, 224, gemvstore7)
	ADDQ $256, DI
	ADDQ $256, DX
	SUBQ $64, CX
	JMP  gv64

gv8:
	// Blocks of 8 columns, then a masked block of fewer: four partial sums
	// over p mod 4 hide the FMA latency.
	TESTQ   CX, CX
	JEQ     gvdone
	VMOVDQU tailMask<>+0(SB), Y13
	CMPQ    CX, $8
	JGE     gv8go
	MOVQ    $8, R9
	SUBQ    CX, R9
	LEAQ    tailMask<>+0(SB), R10
	VMOVDQU (R10)(R9*4), Y13

gv8go:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   SI, R9
	MOVQ   DI, R10
	MOVQ   BX, R12
	CMPQ   R12, $4
	JLT    gv8one

gv8four:
	VMASKMOVPS   (R10), Y13, Y4
	VMASKMOVPS   (R10)(R8*1), Y13, Y5
	VMASKMOVPS   (R10)(R8*2), Y13, Y6
	VMASKMOVPS   (R10)(R13*1), Y13, Y7
	VBROADCASTSS (R9), Y8
	VBROADCASTSS 4(R9), Y9
	VBROADCASTSS 8(R9), Y10
	VBROADCASTSS 12(R9), Y11
	VFMADD231PS  Y4, Y8, Y0
	VFMADD231PS  Y5, Y9, Y1
	VFMADD231PS  Y6, Y10, Y2
	VFMADD231PS  Y7, Y11, Y3
	ADDQ         $16, R9
	LEAQ         (R10)(R8*4), R10
	SUBQ         $4, R12
	CMPQ         R12, $4
	JGE          gv8four

gv8one:
	TESTQ R12, R12
	JEQ   gv8sum

gv8oneloop:
	VMASKMOVPS   (R10), Y13, Y4
	VBROADCASTSS (R9), Y8
	VFMADD231PS  Y4, Y8, Y0
	ADDQ         $4, R9
	ADDQ         R8, R10
	DECQ         R12
	JNZ          gv8oneloop

gv8sum:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VMULPS Y14, Y0, Y0
	TESTL  R11, R11
	JEQ    gv8nobeta
	VMASKMOVPS  (DX), Y13, Y1
	VFMADD231PS Y1, Y15, Y0

gv8nobeta:
	VMASKMOVPS Y0, Y13, (DX)
	ADDQ       $32, DI
	ADDQ       $32, DX
	SUBQ       $8, CX
	JG         gv8

gvdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// dotAVX2: C[i][j] = alpha·Σ_p a[i*lda+p]·b[j*ldb+p] + beta·C[i][j], for a
// narrow C: dot products along K of A's rows with the rows of b (the
// columns of op(B)). Tiles of 6 rows × 2 columns, twelve accumulators
// Y0..Y11 (row r, column c in Y(2r+c)), enough independent sums to cover
// the FMA latency; a K tail under 8 is loaded masked. Rows and columns past
// the edge reuse the last valid one (so every load is in bounds) and are
// not stored.
//
// Registers: AX args, BX = 4·(k rounded down to 8), CX offset along K,
// R8..R13 the six A rows, R14/DX the two b rows (then the C tile and ldc),
// SI = i, DI = j, Y12/Y13 the b steps, Y14 an A step, Y15 the K-tail mask.

// One step along K of the 6×2 tile, 8 or 16 lanes wide.
#define DOTSTEP(b0, b1, a, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11) \
	VMOVUPS     (R14)(CX*1), b0 \
	VMOVUPS     (DX)(CX*1), b1 \
	VMOVUPS     (R8)(CX*1), a \
	VFMADD231PS b0, a, c0 \
	VFMADD231PS b1, a, c1 \
	VMOVUPS     (R9)(CX*1), a \
	VFMADD231PS b0, a, c2 \
	VFMADD231PS b1, a, c3 \
	VMOVUPS     (R10)(CX*1), a \
	VFMADD231PS b0, a, c4 \
	VFMADD231PS b1, a, c5 \
	VMOVUPS     (R11)(CX*1), a \
	VFMADD231PS b0, a, c6 \
	VFMADD231PS b1, a, c7 \
	VMOVUPS     (R12)(CX*1), a \
	VFMADD231PS b0, a, c8 \
	VFMADD231PS b1, a, c9 \
	VMOVUPS     (R13)(CX*1), a \
	VFMADD231PS b0, a, c10 \
	VFMADD231PS b1, a, c11

#define DOT8 DOTSTEP(Y12, Y13, Y14, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11)

#define DOT8MASKED \
	VMASKMOVPS  (R14)(CX*1), Y15, Y12 \
	VMASKMOVPS  (DX)(CX*1), Y15, Y13  \
	VMASKMOVPS  (R8)(CX*1), Y15, Y14  \
	VFMADD231PS Y12, Y14, Y0          \
	VFMADD231PS Y13, Y14, Y1          \
	VMASKMOVPS  (R9)(CX*1), Y15, Y14  \
	VFMADD231PS Y12, Y14, Y2          \
	VFMADD231PS Y13, Y14, Y3          \
	VMASKMOVPS  (R10)(CX*1), Y15, Y14 \
	VFMADD231PS Y12, Y14, Y4          \
	VFMADD231PS Y13, Y14, Y5          \
	VMASKMOVPS  (R11)(CX*1), Y15, Y14 \
	VFMADD231PS Y12, Y14, Y6          \
	VFMADD231PS Y13, Y14, Y7          \
	VMASKMOVPS  (R12)(CX*1), Y15, Y14 \
	VFMADD231PS Y12, Y14, Y8          \
	VFMADD231PS Y13, Y14, Y9          \
	VMASKMOVPS  (R13)(CX*1), Y15, Y14 \
	VFMADD231PS Y12, Y14, Y10         \
	VFMADD231PS Y13, Y14, Y11

// reg = address of A row i+off, the row clamped to m-1 (in R14; DX = lda
// bytes).
#define DOTAROW(off, reg) \
	LEAQ    off(SI), reg  \
	CMPQ    reg, R14      \
	CMOVQGT R14, reg      \
	IMULQ   DX, reg       \
	ADDQ    FA_A(AX), reg

// func dotAVX2(p *fastArgs)
TEXT ·dotAVX2(SB), NOSPLIT, $48-8
	DOTSTART($-32)

dotrows:
	XORQ DI, DI

dotcols:
	DOTSETUP
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	XORQ   CX, CX
	CMPQ   CX, BX
	JGE    dottail

dotloop:
	DOT8
	ADDQ $32, CX
	CMPQ CX, BX
	JLT  dotloop

dottail:
	TESTQ $7, FA_K(AX)
	JEQ   dotreduce
	DOT8MASKED

	DOTREDUCESTORE
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// dot1AVX2: the dot kernel for one row of C (batch 1 with op(B) = Bᵀ):
// tiles of 1 row × 8 columns, accumulators Y0..Y7 (column c in Yc).
// Registers: AX args, BX = 4·(k rounded down to 8), CX offset along K,
// SI the A row, R9..R13, DX, R14, R8 the eight b rows, DI = j.

#define DOT1FMA \
	VFMADD231PS (R9)(CX*1), Y8, Y0  \
	VFMADD231PS (R10)(CX*1), Y8, Y1 \
	VFMADD231PS (R11)(CX*1), Y8, Y2 \
	VFMADD231PS (R12)(CX*1), Y8, Y3 \
	VFMADD231PS (R13)(CX*1), Y8, Y4 \
	VFMADD231PS (DX)(CX*1), Y8, Y5  \
	VFMADD231PS (R14)(CX*1), Y8, Y6 \
	VFMADD231PS (R8)(CX*1), Y8, Y7

// reg = address of b row j+off, the row index clamped to n-1 (in SI).
#define DOT1ROW(off, reg) \
	LEAQ    off(DI), reg   \
	CMPQ    reg, SI        \
	CMOVQGT SI, reg        \
	IMULQ   FA_LDB(AX), reg \
	SHLQ    $2, reg        \
	ADDQ    FA_B(AX), reg

// func dot1AVX2(p *fastArgs)
TEXT ·dot1AVX2(SB), NOSPLIT, $0-8
	MOVQ    p+0(FP), AX
	MOVQ    FA_K(AX), BX
	MOVQ    BX, R8
	ANDQ    $7, R8
	SHLQ    $2, BX
	ANDQ    $~31, BX
	MOVQ    $8, R9
	SUBQ    R8, R9
	LEAQ    tailMask<>+0(SB), R10
	VMOVDQU (R10)(R9*4), Y15
	XORQ    DI, DI

dot1cols:
	MOVQ FA_N(AX), SI
	DECQ SI                   // last column, for clamping
	DOT1ROW(0, R9)
	DOT1ROW(1, R10)
	DOT1ROW(2, R11)
	DOT1ROW(3, R12)
	DOT1ROW(4, R13)
	DOT1ROW(5, DX)
	DOT1ROW(6, R14)
	DOT1ROW(7, R8)
	MOVQ FA_A(AX), SI

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   CX, CX
	CMPQ   CX, BX
	JGE    dot1tail

dot1loop:
	VMOVUPS (SI)(CX*1), Y8
	DOT1FMA
	ADDQ $32, CX
	CMPQ CX, BX
	JLT  dot1loop

dot1tail:
	TESTQ $7, FA_K(AX)
	JEQ   dot1reduce
	// Masked: the A lanes past k are zero, and so must the b lanes be
	// (they may hold anything, NaN included).
	VMASKMOVPS (SI)(CX*1), Y15, Y8
	VMASKMOVPS (R9)(CX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y0
	VMASKMOVPS (R10)(CX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y1
	VMASKMOVPS (R11)(CX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y2
	VMASKMOVPS (R12)(CX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y3
	VMASKMOVPS (R13)(CX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y4
	VMASKMOVPS (DX)(CX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y5
	VMASKMOVPS (R14)(CX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y6
	VMASKMOVPS (R8)(CX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y7

dot1reduce:
	// Y0 = [c0 .. c7], times alpha.
	VHADDPS    Y1, Y0, Y0
	VHADDPS    Y3, Y2, Y2
	VHADDPS    Y5, Y4, Y4
	VHADDPS    Y7, Y6, Y6
	VHADDPS    Y2, Y0, Y0
	VHADDPS    Y6, Y4, Y4
	VPERM2F128 $0x20, Y4, Y0, Y1
	VPERM2F128 $0x31, Y4, Y0, Y2
	VADDPS     Y2, Y1, Y0
	VBROADCASTSS FA_ALPHA(AX), Y1
	VMULPS     Y1, Y0, Y0
	VBROADCASTSS FA_BETA(AX), Y2

	MOVQ FA_C(AX), DX
	LEAQ (DX)(DI*4), DX
	MOVQ FA_N(AX), R9
	SUBQ DI, R9               // columns left
	CMPQ R9, $8
	JLT  dot1partial
	TESTL $0x7fffffff, FA_BETA(AX)
	JEQ   dot1skip1
	VFMADD231PS (DX), Y2, Y0
dot1skip1:
	VMOVUPS Y0, (DX)
	ADDQ $8, DI
	CMPQ DI, FA_N(AX)
	JLT  dot1cols
	VZEROUPPER
	RET

dot1partial:
	LEAQ    tailMask<>+0(SB), R10
	MOVQ    $8, R11
	SUBQ    R9, R11
	VMOVDQU (R10)(R11*4), Y3
	TESTL   $0x7fffffff, FA_BETA(AX)
	JEQ     dot1skip2
	VMASKMOVPS  (DX), Y3, Y4
	VFMADD231PS Y4, Y2, Y0
dot1skip2:
	VMASKMOVPS Y0, Y3, (DX)
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// colAVX2: C[i][j] = alpha·Σ_p a[p*lda+i]·b[p*ldb+j] + beta·C[i][j] for a
// narrow C whose op(A) is Aᵀ: C's columns as vectors along M. Tiles of 32
// rows × 2 columns: Y0..Y3 column j, Y4..Y7 column j+1, rows 8v..8v+7 in
// Y(v). A tile with fewer than 32 rows loads A masked (the four masks in
// the frame); a second column past n reuses the first and is not stored.
//
// Registers: AX args, SI = i, DI = j, R9 A at (p, i), R10 b at (p, j),
// R11 = offset of column j+1 from j (4, or 0 at the edge), CX p count,
// R8 = 4·lda, R12 = 4·ldb.

#define COLFMA \
	VBROADCASTSS (R10), Y12      \
	VBROADCASTSS (R10)(R11*1), Y13 \
	VFMADD231PS  Y8, Y12, Y0     \
	VFMADD231PS  Y9, Y12, Y1     \
	VFMADD231PS  Y10, Y12, Y2    \
	VFMADD231PS  Y11, Y12, Y3    \
	VFMADD231PS  Y8, Y13, Y4     \
	VFMADD231PS  Y9, Y13, Y5     \
	VFMADD231PS  Y10, Y13, Y6    \
	VFMADD231PS  Y11, Y13, Y7

// Rows (at rA, rB) of C, as a column pair in the low and high halves of x,
// = x [+ beta(X15)·C]; beta variant and plain variant.
#define COLPAIRB(x, rA, rB) \
	VMOVQ       rA, X14       \
	VMOVHPS     rB, X14, X14  \
	VFMADD231PS X14, X15, x   \
	VMOVQ       x, rA         \
	VMOVHPS     x, rB

#define COLPAIR0(x, rA, rB) \
	VMOVQ   x, rA \
	VMOVHPS x, rB

// Store the 8 rows of vector v (Y(v), Y(v+4)) at DX; R8 = ldc bytes,
// R13 = 3·ldc bytes. Clobbers Y8, Y9, Y12, Y13 (a VEX op on an X register
// clears the upper half, so both halves are taken apart first).
#define COLSTORE(lo, hi, PAIR) \
	VUNPCKLPS    hi, lo, Y12          \
	VUNPCKHPS    hi, lo, Y13          \
	VEXTRACTF128 $1, Y12, X8          \
	VEXTRACTF128 $1, Y13, X9          \
	PAIR(X12, (DX), (DX)(R8*1))       \
	PAIR(X13, (DX)(R8*2), (DX)(R13*1)) \
	LEAQ         (DX)(R8*4), DX       \
	PAIR(X8, (DX), (DX)(R8*1))        \
	PAIR(X9, (DX)(R8*2), (DX)(R13*1)) \
	LEAQ         (DX)(R8*4), DX

// func colAVX2(p *fastArgs)
TEXT ·colAVX2(SB), NOSPLIT, $384-8
	MOVQ p+0(FP), AX
	XORQ SI, SI

colrows:
	// Masks for this row block: 8 per vector, in the frame at 256(SP).
	MOVQ FA_M(AX), BX
	SUBQ SI, BX               // rows left
	XORQ CX, CX

colmask:
	MOVQ    BX, R9
	SUBQ    CX, R9            // lanes left from vector start
	CMPQ    R9, $8
	JLE     colskip1
	MOVQ    $8, R9
colskip1:
	CMPQ    R9, $0
	JGE     colskip2
	XORQ    R9, R9
colskip2:
	MOVQ    $8, R10
	SUBQ    R9, R10
	LEAQ    tailMask<>+0(SB), R11
	VMOVDQU (R11)(R10*4), Y14
	MOVQ    CX, R10
	SHLQ    $2, R10
	VMOVDQU Y14, 256(SP)(R10*1)
	ADDQ    $8, CX
	CMPQ    CX, $32
	JLT     colmask
	XORQ    DI, DI

colcols:
	MOVQ FA_LDA(AX), R8
	SHLQ $2, R8
	MOVQ FA_LDB(AX), R12
	SHLQ $2, R12
	MOVQ FA_A(AX), R9
	LEAQ (R9)(SI*4), R9
	MOVQ FA_B(AX), R10
	LEAQ (R10)(DI*4), R10
	MOVQ $4, R11
	LEAQ 1(DI), CX
	CMPQ CX, FA_N(AX)
	JLT  colskip3
	XORQ R11, R11

colskip3:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ   FA_K(AX), CX
	TESTQ  CX, CX
	JEQ    colreduce
	CMPQ   BX, $32
	JLT    colmasked

colloop:
	VMOVUPS (R9), Y8
	VMOVUPS 32(R9), Y9
	VMOVUPS 64(R9), Y10
	VMOVUPS 96(R9), Y11
	COLFMA
	ADDQ R8, R9
	ADDQ R12, R10
	DECQ CX
	JNZ  colloop
	JMP  colreduce

colmasked:
	VMOVDQU    256(SP), Y14
	VMASKMOVPS (R9), Y14, Y8
	VMOVDQU    288(SP), Y14
	VMASKMOVPS 32(R9), Y14, Y9
	VMOVDQU    320(SP), Y14
	VMASKMOVPS 64(R9), Y14, Y10
	VMOVDQU    352(SP), Y14
	VMASKMOVPS 96(R9), Y14, Y11
	COLFMA
	ADDQ R8, R9
	ADDQ R12, R10
	DECQ CX
	JNZ  colmasked

colreduce:
	VBROADCASTSS FA_ALPHA(AX), Y8
	VMULPS Y8, Y0, Y0
	VMULPS Y8, Y1, Y1
	VMULPS Y8, Y2, Y2
	VMULPS Y8, Y3, Y3
	VMULPS Y8, Y4, Y4
	VMULPS Y8, Y5, Y5
	VMULPS Y8, Y6, Y6
	VMULPS Y8, Y7, Y7
	VBROADCASTSS FA_BETA(AX), X15

	// C tile at DX = c + i·ldc + j.
	MOVQ  FA_LDC(AX), R8
	SHLQ  $2, R8
	LEAQ  (R8)(R8*2), R13
	MOVQ  SI, DX
	IMULQ R8, DX
	ADDQ  FA_C(AX), DX
	LEAQ  (DX)(DI*4), DX
	CMPQ  BX, $32
	JLT   colslow
	TESTQ R11, R11
	JEQ   colslow
	TESTL $0x7fffffff, FA_BETA(AX)
	JEQ   colstore0
	COLSTORE(Y0, Y4, COLPAIRB)
	COLSTORE(Y1, Y5, COLPAIRB)
	COLSTORE(Y2, Y6, COLPAIRB)
	COLSTORE(Y3, Y7, COLPAIRB)
	JMP   colnext

colstore0:
	COLSTORE(Y0, Y4, COLPAIR0)
	COLSTORE(Y1, Y5, COLPAIR0)
	COLSTORE(Y2, Y6, COLPAIR0)
	COLSTORE(Y3, Y7, COLPAIR0)
	JMP   colnext

colslow:
	// Edge tile: column j at 0(SP), column j+1 at 128(SP), then one
	// element at a time.
	VMOVUPS Y0, 0(SP)
	VMOVUPS Y1, 32(SP)
	VMOVUPS Y2, 64(SP)
	VMOVUPS Y3, 96(SP)
	VMOVUPS Y4, 128(SP)
	VMOVUPS Y5, 160(SP)
	VMOVUPS Y6, 192(SP)
	VMOVUPS Y7, 224(SP)
	MOVQ    BX, R9
	CMPQ    R9, $32
	JLE     colskip4
	MOVQ    $32, R9           // rows to store
colskip4:
	XORQ    CX, CX

colslowrow:
	VMOVSS 0(SP)(CX*4), X0
	TESTL  $0x7fffffff, FA_BETA(AX)
	JEQ    colskip5
	VFMADD231SS (DX), X15, X0
colskip5:
	VMOVSS X0, (DX)
	TESTQ  R11, R11
	JEQ    colslownext
	VMOVSS 128(SP)(CX*4), X0
	TESTL  $0x7fffffff, FA_BETA(AX)
	JEQ    colskip6
	VFMADD231SS 4(DX), X15, X0
colskip6:
	VMOVSS X0, 4(DX)

colslownext:
	ADDQ R8, DX
	INCQ CX
	CMPQ CX, R9
	JLT  colslowrow

colnext:
	ADDQ $2, DI
	CMPQ DI, FA_N(AX)
	JLT  colcols
	ADDQ $32, SI
	CMPQ SI, FA_M(AX)
	JLT  colrows
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func transposeAVX2(rows, cols int, src *float32, lds int, dst *float32, ldd int)
// dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols: 8×8 blocks through
// TRANSPOSE8; when rows or cols is not a multiple of 8, the last block
// overlaps the one before it (rewriting the same values), and only a
// matrix with fewer than 8 rows or columns goes element by element.
TEXT ·transposeAVX2(SB), NOSPLIT, $0-48
	MOVQ lds+24(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9       // 3·lds
	MOVQ ldd+40(FP), R10
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R11    // 3·ldd
	CMPQ rows+0(FP), $8
	JLT  trsmall
	CMPQ cols+8(FP), $8
	JLT  trsmall
	XORQ SI, SI               // i

trrows:
	XORQ DI, DI               // j

trcols:
	// Block at src (i, j) → dst (j, i).
	MOVQ        SI, DX
	IMULQ       R8, DX
	ADDQ        src+16(FP), DX
	LEAQ        (DX)(DI*4), DX
	LEAQ        (DX)(R8*4), R12
	VMOVUPS     (DX), X0
	VINSERTF128 $1, (R12), Y0, Y0
	VMOVUPS     (DX)(R8*1), X1
	VINSERTF128 $1, (R12)(R8*1), Y1, Y1
	VMOVUPS     (DX)(R8*2), X2
	VINSERTF128 $1, (R12)(R8*2), Y2, Y2
	VMOVUPS     (DX)(R9*1), X3
	VINSERTF128 $1, (R12)(R9*1), Y3, Y3
	VMOVUPS     16(DX), X4
	VINSERTF128 $1, 16(R12), Y4, Y4
	VMOVUPS     16(DX)(R8*1), X5
	VINSERTF128 $1, 16(R12)(R8*1), Y5, Y5
	VMOVUPS     16(DX)(R8*2), X6
	VINSERTF128 $1, 16(R12)(R8*2), Y6, Y6
	VMOVUPS     16(DX)(R9*1), X7
	VINSERTF128 $1, 16(R12)(R9*1), Y7, Y7
	TRANSPOSE8
	MOVQ        DI, DX
	IMULQ       R10, DX
	ADDQ        dst+32(FP), DX
	LEAQ        (DX)(SI*4), DX
	LEAQ        (DX)(R10*4), R12
	VMOVUPS     Y0, (DX)
	VMOVUPS     Y1, (DX)(R10*1)
	VMOVUPS     Y2, (DX)(R10*2)
	VMOVUPS     Y3, (DX)(R11*1)
	VMOVUPS     Y4, (R12)
	VMOVUPS     Y5, (R12)(R10*1)
	VMOVUPS     Y6, (R12)(R10*2)
	VMOVUPS     Y7, (R12)(R11*1)

	// Next column block; the last one ends at cols.
	MOVQ cols+8(FP), AX
	SUBQ $8, AX               // last block start
	CMPQ DI, AX
	JGE  trnextrows
	ADDQ $8, DI
	CMPQ DI, AX
	JLE  trcols
	MOVQ AX, DI
	JMP  trcols

trnextrows:
	MOVQ rows+0(FP), AX
	SUBQ $8, AX
	CMPQ SI, AX
	JGE  trdone
	ADDQ $8, SI
	CMPQ SI, AX
	JLE  trrows
	MOVQ AX, SI
	JMP  trrows

trsmall:
	// Fewer than 8 rows or columns: element by element, row by row.
	XORQ SI, SI

trsmallrow:
	CMPQ SI, rows+0(FP)
	JGE  trdone
	MOVQ SI, DX
	IMULQ R8, DX
	ADDQ src+16(FP), DX
	MOVQ dst+32(FP), R12
	LEAQ (R12)(SI*4), R12
	MOVQ cols+8(FP), CX

trsmallcol:
	MOVL (DX), AX
	MOVL AX, (R12)
	ADDQ $4, DX
	ADDQ R10, R12
	DECQ CX
	JNZ  trsmallcol
	INCQ SI
	JMP  trsmallrow

trdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// Element kernels, equal to their Go twins (generic.go) under the package's
// NaN rule (doc.go): a NaN wherever Go's arithmetic gives one, any payload;
// every other element bit for bit. They do the same operations with no fused
// multiply-add. n is a multiple of 8; the Go wrappers do the tail.

// func reluAVX2(dst, src *float32, n int)
// dst = src < 0 ? 0 : src. VMAXPS returns its second source (Intel order;
// Go's first operand) when the comparison is false, so NaN and -0 pass
// through as in Go.
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   src+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0
	CMPQ   CX, $32
	JLT    relu8

relu32:
	VMAXPS  (SI), Y0, Y1
	VMAXPS  32(SI), Y0, Y2
	VMAXPS  64(SI), Y0, Y3
	VMAXPS  96(SI), Y0, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     relu32

relu8:
	TESTQ   CX, CX
	JEQ     reludone
	VMAXPS  (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     relu8

reludone:
	VZEROUPPER
	RET

// func reluGradAVX2(dst, grad, x *float32, n int)
// dst = x > 0 ? grad : 0, as grad AND (0 < x); the comparison is false for NaN.
TEXT ·reluGradAVX2(SB), NOSPLIT, $0-32
	MOVQ   dst+0(FP), DI
	MOVQ   grad+8(FP), SI
	MOVQ   x+16(FP), DX
	MOVQ   n+24(FP), CX
	VXORPS Y0, Y0, Y0
	CMPQ   CX, $16
	JLT    rg8

rg16:
	VCMPPS  $1, (DX), Y0, Y1     // 0 < x, ordered
	VCMPPS  $1, 32(DX), Y0, Y2
	VANDPS  (SI), Y1, Y1
	VANDPS  32(SI), Y2, Y2
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     rg16

rg8:
	TESTQ   CX, CX
	JEQ     rgdone
	VCMPPS  $1, (DX), Y0, Y1
	VANDPS  (SI), Y1, Y1
	VMOVUPS Y1, (DI)

rgdone:
	VZEROUPPER
	RET

// func addAVX2(dst, x *float32, n int)
// dst = dst + x (dst the first operand, as Go's ADDSS).
TEXT ·addAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	CMPQ CX, $32
	JLT  add8

add32:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VADDPS  (SI), Y0, Y0
	VADDPS  32(SI), Y1, Y1
	VADDPS  64(SI), Y2, Y2
	VADDPS  96(SI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     add32

add8:
	TESTQ   CX, CX
	JEQ     adddone
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     add8

adddone:
	VZEROUPPER
	RET

// func axpyAVX2(alpha float32, x, y *float32, n int)
// y = (x·alpha) + y, rounded after each operation, operands in Go's order.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y15
	MOVQ         x+8(FP), SI
	MOVQ         y+16(FP), DI
	MOVQ         n+24(FP), CX
	CMPQ         CX, $32
	JLT          axpy8

axpy32:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS  Y15, Y0, Y0
	VMULPS  Y15, Y1, Y1
	VMULPS  Y15, Y2, Y2
	VMULPS  Y15, Y3, Y3
	VADDPS  (DI), Y0, Y0
	VADDPS  32(DI), Y1, Y1
	VADDPS  64(DI), Y2, Y2
	VADDPS  96(DI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     axpy32

axpy8:
	TESTQ   CX, CX
	JEQ     axpydone
	VMOVUPS (SI), Y0
	VMULPS  Y15, Y0, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     axpy8

axpydone:
	VZEROUPPER
	RET

// func scaleAVX2(alpha float32, x *float32, n int)
// x = x·alpha (x the first operand).
TEXT ·scaleAVX2(SB), NOSPLIT, $0-24
	VBROADCASTSS alpha+0(FP), Y15
	MOVQ         x+8(FP), DI
	MOVQ         n+16(FP), CX
	CMPQ         CX, $32
	JLT          scale8

scale32:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VMULPS  Y15, Y0, Y0
	VMULPS  Y15, Y1, Y1
	VMULPS  Y15, Y2, Y2
	VMULPS  Y15, Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     scale32

scale8:
	TESTQ   CX, CX
	JEQ     scaledone
	VMOVUPS (DI), Y0
	VMULPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     scale8

scaledone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// ---------------------------------------------------------------------------
// func expAVX2(dst, src *float32, n int)
// dst = e^src for n > 0 elements: expGeneric's float32 operations in the
// same order, eight lanes at a time (no fused multiply-add; VCVTPS2DQ rounds
// to nearest even, as math.RoundToEven). Every lane is computed; the ones
// below expUnderflow, above expOverflow or NaN are replaced at the end. The
// last n mod 8 elements are loaded and stored under a mask (tailMask), so
// that a softmax row of 10 is two passes, with no scalar tail.
// expConst holds each constant eight times: log2e, ln2Hi, ln2Lo, C0..C5, 1,
// the exponent bias 127, the underflow and overflow bounds, +Inf.
DATA expConst<>+0(SB)/4, $0x3fb8aa3b
DATA expConst<>+4(SB)/4, $0x3fb8aa3b
DATA expConst<>+8(SB)/4, $0x3fb8aa3b
DATA expConst<>+12(SB)/4, $0x3fb8aa3b
DATA expConst<>+16(SB)/4, $0x3fb8aa3b
DATA expConst<>+20(SB)/4, $0x3fb8aa3b
DATA expConst<>+24(SB)/4, $0x3fb8aa3b
DATA expConst<>+28(SB)/4, $0x3fb8aa3b
DATA expConst<>+32(SB)/4, $0x3f318000
DATA expConst<>+36(SB)/4, $0x3f318000
DATA expConst<>+40(SB)/4, $0x3f318000
DATA expConst<>+44(SB)/4, $0x3f318000
DATA expConst<>+48(SB)/4, $0x3f318000
DATA expConst<>+52(SB)/4, $0x3f318000
DATA expConst<>+56(SB)/4, $0x3f318000
DATA expConst<>+60(SB)/4, $0x3f318000
DATA expConst<>+64(SB)/4, $0xb95e8083
DATA expConst<>+68(SB)/4, $0xb95e8083
DATA expConst<>+72(SB)/4, $0xb95e8083
DATA expConst<>+76(SB)/4, $0xb95e8083
DATA expConst<>+80(SB)/4, $0xb95e8083
DATA expConst<>+84(SB)/4, $0xb95e8083
DATA expConst<>+88(SB)/4, $0xb95e8083
DATA expConst<>+92(SB)/4, $0xb95e8083
DATA expConst<>+96(SB)/4, $0x39506967
DATA expConst<>+100(SB)/4, $0x39506967
DATA expConst<>+104(SB)/4, $0x39506967
DATA expConst<>+108(SB)/4, $0x39506967
DATA expConst<>+112(SB)/4, $0x39506967
DATA expConst<>+116(SB)/4, $0x39506967
DATA expConst<>+120(SB)/4, $0x39506967
DATA expConst<>+124(SB)/4, $0x39506967
DATA expConst<>+128(SB)/4, $0x3ab743ce
DATA expConst<>+132(SB)/4, $0x3ab743ce
DATA expConst<>+136(SB)/4, $0x3ab743ce
DATA expConst<>+140(SB)/4, $0x3ab743ce
DATA expConst<>+144(SB)/4, $0x3ab743ce
DATA expConst<>+148(SB)/4, $0x3ab743ce
DATA expConst<>+152(SB)/4, $0x3ab743ce
DATA expConst<>+156(SB)/4, $0x3ab743ce
DATA expConst<>+160(SB)/4, $0x3c088908
DATA expConst<>+164(SB)/4, $0x3c088908
DATA expConst<>+168(SB)/4, $0x3c088908
DATA expConst<>+172(SB)/4, $0x3c088908
DATA expConst<>+176(SB)/4, $0x3c088908
DATA expConst<>+180(SB)/4, $0x3c088908
DATA expConst<>+184(SB)/4, $0x3c088908
DATA expConst<>+188(SB)/4, $0x3c088908
DATA expConst<>+192(SB)/4, $0x3d2aa9c1
DATA expConst<>+196(SB)/4, $0x3d2aa9c1
DATA expConst<>+200(SB)/4, $0x3d2aa9c1
DATA expConst<>+204(SB)/4, $0x3d2aa9c1
DATA expConst<>+208(SB)/4, $0x3d2aa9c1
DATA expConst<>+212(SB)/4, $0x3d2aa9c1
DATA expConst<>+216(SB)/4, $0x3d2aa9c1
DATA expConst<>+220(SB)/4, $0x3d2aa9c1
DATA expConst<>+224(SB)/4, $0x3e2aaaaa
DATA expConst<>+228(SB)/4, $0x3e2aaaaa
DATA expConst<>+232(SB)/4, $0x3e2aaaaa
DATA expConst<>+236(SB)/4, $0x3e2aaaaa
DATA expConst<>+240(SB)/4, $0x3e2aaaaa
DATA expConst<>+244(SB)/4, $0x3e2aaaaa
DATA expConst<>+248(SB)/4, $0x3e2aaaaa
DATA expConst<>+252(SB)/4, $0x3e2aaaaa
DATA expConst<>+256(SB)/4, $0x3f000000
DATA expConst<>+260(SB)/4, $0x3f000000
DATA expConst<>+264(SB)/4, $0x3f000000
DATA expConst<>+268(SB)/4, $0x3f000000
DATA expConst<>+272(SB)/4, $0x3f000000
DATA expConst<>+276(SB)/4, $0x3f000000
DATA expConst<>+280(SB)/4, $0x3f000000
DATA expConst<>+284(SB)/4, $0x3f000000
DATA expConst<>+288(SB)/4, $0x3f800000
DATA expConst<>+292(SB)/4, $0x3f800000
DATA expConst<>+296(SB)/4, $0x3f800000
DATA expConst<>+300(SB)/4, $0x3f800000
DATA expConst<>+304(SB)/4, $0x3f800000
DATA expConst<>+308(SB)/4, $0x3f800000
DATA expConst<>+312(SB)/4, $0x3f800000
DATA expConst<>+316(SB)/4, $0x3f800000
DATA expConst<>+320(SB)/4, $0x0000007f
DATA expConst<>+324(SB)/4, $0x0000007f
DATA expConst<>+328(SB)/4, $0x0000007f
DATA expConst<>+332(SB)/4, $0x0000007f
DATA expConst<>+336(SB)/4, $0x0000007f
DATA expConst<>+340(SB)/4, $0x0000007f
DATA expConst<>+344(SB)/4, $0x0000007f
DATA expConst<>+348(SB)/4, $0x0000007f
DATA expConst<>+352(SB)/4, $0xc2aea8f6
DATA expConst<>+356(SB)/4, $0xc2aea8f6
DATA expConst<>+360(SB)/4, $0xc2aea8f6
DATA expConst<>+364(SB)/4, $0xc2aea8f6
DATA expConst<>+368(SB)/4, $0xc2aea8f6
DATA expConst<>+372(SB)/4, $0xc2aea8f6
DATA expConst<>+376(SB)/4, $0xc2aea8f6
DATA expConst<>+380(SB)/4, $0xc2aea8f6
DATA expConst<>+384(SB)/4, $0x42b17218
DATA expConst<>+388(SB)/4, $0x42b17218
DATA expConst<>+392(SB)/4, $0x42b17218
DATA expConst<>+396(SB)/4, $0x42b17218
DATA expConst<>+400(SB)/4, $0x42b17218
DATA expConst<>+404(SB)/4, $0x42b17218
DATA expConst<>+408(SB)/4, $0x42b17218
DATA expConst<>+412(SB)/4, $0x42b17218
DATA expConst<>+416(SB)/4, $0x7f800000
DATA expConst<>+420(SB)/4, $0x7f800000
DATA expConst<>+424(SB)/4, $0x7f800000
DATA expConst<>+428(SB)/4, $0x7f800000
DATA expConst<>+432(SB)/4, $0x7f800000
DATA expConst<>+436(SB)/4, $0x7f800000
DATA expConst<>+440(SB)/4, $0x7f800000
DATA expConst<>+444(SB)/4, $0x7f800000
GLOBL expConst<>(SB), RODATA|NOPTR, $448

#define EXP8 \
	VMULPS    expConst<>+0(SB), Y0, Y1 \
	VCVTPS2DQ Y1, Y2 \
	VCVTDQ2PS Y2, Y3 \
	VMULPS    expConst<>+32(SB), Y3, Y4 \
	VSUBPS    Y4, Y0, Y5 \
	VMULPS    expConst<>+64(SB), Y3, Y4 \
	VSUBPS    Y4, Y5, Y5 \
	VMULPS    Y5, Y5, Y6 \
	VMULPS    expConst<>+96(SB), Y5, Y7 \
	VADDPS    expConst<>+128(SB), Y7, Y7 \
	VMULPS    Y5, Y7, Y7 \
	VADDPS    expConst<>+160(SB), Y7, Y7 \
	VMULPS    Y5, Y7, Y7 \
	VADDPS    expConst<>+192(SB), Y7, Y7 \
	VMULPS    Y5, Y7, Y7 \
	VADDPS    expConst<>+224(SB), Y7, Y7 \
	VMULPS    Y5, Y7, Y7 \
	VADDPS    expConst<>+256(SB), Y7, Y7 \
	VMULPS    Y6, Y7, Y7 \
	VADDPS    Y5, Y7, Y7 \
	VADDPS    expConst<>+288(SB), Y7, Y7 \
	VPSRAD    $1, Y2, Y8 \
	VPSUBD    Y8, Y2, Y9 \
	VPADDD    expConst<>+320(SB), Y8, Y8 \
	VPSLLD    $23, Y8, Y8 \
	VPADDD    expConst<>+320(SB), Y9, Y9 \
	VPSLLD    $23, Y9, Y9 \
	VMULPS    Y8, Y7, Y7 \
	VMULPS    Y9, Y7, Y7 \
	VCMPPS    $0x11, expConst<>+352(SB), Y0, Y10 \
	VANDNPS   Y7, Y10, Y7 \
	VCMPPS    $0x1e, expConst<>+384(SB), Y0, Y10 \
	VBLENDVPS Y10, expConst<>+416(SB), Y7, Y7 \
	VCMPPS    $3, Y0, Y0, Y10 \
	VBLENDVPS Y10, Y0, Y7, Y7

TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	CMPQ CX, $8
	JLT  exptail

exploop:
	VMOVUPS   (SI), Y0
	EXP8
	VMOVUPS   Y7, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $8, CX
	CMPQ      CX, $8
	JGE       exploop

exptail:
	TESTQ      CX, CX
	JEQ        expdone
	MOVQ       $8, R8
	SUBQ       CX, R8
	LEAQ       tailMask<>+0(SB), R9
	VMOVDQU    (R9)(R8*4), Y11
	VMASKMOVPS (SI), Y11, Y0
	EXP8
	VMASKMOVPS Y7, Y11, (DI)

expdone:
	VZEROUPPER
	RET

// func peakAVX2(n int)
// n iterations of 12 independent 8-wide FMAs (192 flops each), registers
// only: the machine's FMA peak, for PeakGFLOPS.
TEXT ·peakAVX2(SB), NOSPLIT, $0-8
	MOVQ   n+0(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	TESTQ  CX, CX
	JEQ    peakdone

peakloop:
	VFMADD231PS Y12, Y13, Y0
	VFMADD231PS Y12, Y13, Y1
	VFMADD231PS Y12, Y13, Y2
	VFMADD231PS Y12, Y13, Y3
	VFMADD231PS Y12, Y13, Y4
	VFMADD231PS Y12, Y13, Y5
	VFMADD231PS Y12, Y13, Y6
	VFMADD231PS Y12, Y13, Y7
	VFMADD231PS Y12, Y13, Y8
	VFMADD231PS Y12, Y13, Y9
	VFMADD231PS Y12, Y13, Y10
	VFMADD231PS Y12, Y13, Y11
	DECQ        CX
	JNZ         peakloop

peakdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// AVX-512 kernels. They gain in two ways: cores that execute 512-bit FMAs
// at full width (Zen 5, Intel server cores) do twice the arithmetic per
// instruction (on Zen 4, which splits them in two, they would not), and all
// cores get 32 registers: the GEMV below keeps 256 columns of C in sixteen
// accumulators and so reads each row of B as one contiguous kilobyte, where
// the AVX2 kernel's 64 columns read B in 256-byte pieces with a stride.

// y (at DX, offset off) = alpha(Z30)·acc [+ beta(Z31)·y]; R11 != 0 iff
// beta != 0; done is a label unique to each use.
#define GEMV512_STORE(acc, off, done) \
	VMULPS      Z30, acc, acc     \
	TESTL       R11, R11          \
	JEQ         done              \
	VFMADD231PS off(DX), Z31, acc \
done:                             \
	VMOVUPS     acc, off(DX)

// func gemv16AVX512(p *fastArgs)
// One row of C with 1 <= n <= 16 columns (a network's last layer at batch
// 1): each step of B is one load under the column mask K1, into four
// accumulators in turn (Z0..Z3) so that the FMAs do not wait on each other;
// C is read and written under the same mask. The AVX2 GEMV did the 10
// columns of 784-256-10's last layer in a 8-wide strip and a scalar tail.
// One step: acc += a[off/4]·(B's row at DI under K1); DI to the next row.
#define G16STEP(off, bc, row, acc) \
	VBROADCASTSS off(SI), bc    \
	VMOVUPS.Z    (DI), K1, row  \
	VFMADD231PS  row, bc, acc   \
	ADDQ         R8, DI

TEXT ·gemv16AVX512(SB), NOSPLIT, $0-8
	MOVQ         p+0(FP), AX
	MOVQ         FA_K(AX), BX
	MOVQ         FA_N(AX), CX
	MOVL         $1, R8
	SHLL         CX, R8
	DECL         R8
	KMOVW        R8, K1
	MOVQ         FA_A(AX), SI
	MOVQ         FA_B(AX), DI
	MOVQ         FA_LDB(AX), R8
	SHLQ         $2, R8
	MOVQ         FA_C(AX), DX
	ZEROZ4(Z0, Z1, Z2, Z3)
	CMPQ         BX, $4
	JLT          g16tail

g16loop4:
	G16STEP(0, Z4, Z5, Z0)
	G16STEP(4, Z6, Z7, Z1)
	G16STEP(8, Z8, Z9, Z2)
	G16STEP(12, Z10, Z11, Z3)
	ADDQ         $16, SI
	SUBQ         $4, BX
	CMPQ         BX, $4
	JGE          g16loop4

g16tail:
	TESTQ        BX, BX
	JEQ          g16sum

g16loop1:
	G16STEP(0, Z4, Z5, Z0)
	ADDQ         $4, SI
	DECQ         BX
	JNZ          g16loop1

g16sum:
	VADDPS       Z1, Z0, Z0
	VADDPS       Z3, Z2, Z2
	VADDPS       Z2, Z0, Z0
	VBROADCASTSS FA_ALPHA(AX), Z30
	VMULPS       Z30, Z0, Z0
	MOVL         FA_BETA(AX), R11
	ANDL         $0x7fffffff, R11
	JEQ          g16store
	VBROADCASTSS FA_BETA(AX), Z31
	VMOVUPS.Z    (DX), K1, Z1
	VFMADD231PS  Z1, Z31, Z0

g16store:
	VMOVUPS      Z0, K1, (DX)
	VZEROUPPER
	RET

// func gemv256AVX512(p *fastArgs)
// One row of C, for n a positive multiple of 256: c[j] = alpha·Σ_p
// a[p]·b[p*ldb+j] + beta·c[j] (C not read when beta == 0).
TEXT ·gemv256AVX512(SB), NOSPLIT, $0-8
	MOVQ         p+0(FP), AX
	MOVQ         FA_K(AX), BX
	MOVQ         FA_N(AX), CX
	MOVQ         FA_A(AX), SI
	MOVQ         FA_B(AX), DI
	MOVQ         FA_LDB(AX), R8
	SHLQ         $2, R8
	MOVQ         FA_C(AX), DX
	VBROADCASTSS FA_ALPHA(AX), Z30
	VBROADCASTSS FA_BETA(AX), Z31
	MOVL         FA_BETA(AX), R11
	ANDL         $0x7fffffff, R11

gv512strip:
	ZEROZ4(Z0, Z1, Z2, Z3)
	ZEROZ4(Z4, Z5, Z6, Z7)
	ZEROZ4(Z8, Z9, Z10, Z11)
	ZEROZ4(Z12, Z13, Z14, Z15)
	MOVQ   SI, R9
	MOVQ   DI, R10
	MOVQ   BX, R12
	TESTQ  R12, R12
	JEQ    gv512store

gv512loop:
	VBROADCASTSS (R9), Z16
	VFMADD231PS  (R10), Z16, Z0
	VFMADD231PS  64(R10), Z16, Z1
	VFMADD231PS  128(R10), Z16, Z2
	VFMADD231PS  192(R10), Z16, Z3
	VFMADD231PS  256(R10), Z16, Z4
	VFMADD231PS  320(R10), Z16, Z5
	VFMADD231PS  384(R10), Z16, Z6
	VFMADD231PS  448(R10), Z16, Z7
	VFMADD231PS  512(R10), Z16, Z8
	VFMADD231PS  576(R10), Z16, Z9
	VFMADD231PS  640(R10), Z16, Z10
	VFMADD231PS  704(R10), Z16, Z11
	VFMADD231PS  768(R10), Z16, Z12
	VFMADD231PS  832(R10), Z16, Z13
	VFMADD231PS  896(R10), Z16, Z14
	VFMADD231PS  960(R10), Z16, Z15
	ADDQ         $4, R9
	ADDQ         R8, R10
	DECQ         R12
	JNZ          gv512loop

gv512store:
	GEMV512_STORE(Z0, 0, gv512s0)
	GEMV512_STORE(Z1, 64, gv512s1)
	GEMV512_STORE(Z2, 128, gv512s2)
	GEMV512_STORE(Z3, 192, gv512s3)
	GEMV512_STORE(Z4, 256, gv512s4)
	GEMV512_STORE(Z5, 320, gv512s5)
	GEMV512_STORE(Z6, 384, gv512s6)
	GEMV512_STORE(Z7, 448, gv512s7)
	GEMV512_STORE(Z8, 512, gv512s8)
	GEMV512_STORE(Z9, 576, gv512s9)
	GEMV512_STORE(Z10, 640, gv512s10)
	GEMV512_STORE(Z11, 704, gv512s11)
	GEMV512_STORE(Z12, 768, gv512s12)
	GEMV512_STORE(Z13, 832, gv512s13)
	GEMV512_STORE(Z14, 896, gv512s14)
	GEMV512_STORE(Z15, 960, gv512s15)
	ADDQ $1024, DI
	ADDQ $1024, DX
	SUBQ $256, CX
	JG   gv512strip
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func gemmRow6x64AVX512(k, n int, a *float32, aRow, aStep int, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32)
// func gemmRow4x64AVX512(the same arguments)
// n consecutive 6×64 (4×64) tiles of one row panel, as gemmRow6x16AVX2 but
// with A read through strides: row i, step p at a + i*aRow + p*aStep. A
// packed panel has aRow 1 and aStep 6 (4); A read in place has aRow lda
// and aStep 1. B step p of tile t at b + t*tileStride + p*stepStride; C
// tile t at c + t*64. On cores that execute 512-bit FMAs at full width (Zen
// 5, Intel server cores) a step does twice the arithmetic of the AVX2
// kernel's. Accumulators: row r in Z(4r)..Z(4r+3); the B step in Z24..Z27;
// A broadcasts in Z28/Z29. A's rows are addressed from SI (rows 0-2) and R9
// (rows 3-5, SI + 3·aRow) with R8 = aRow bytes, both advanced by R11 =
// aStep bytes; the store reloads R8 with ldc and R11 with beta's bits.

// One step: the B step into Z24..Z27, A rows times it, A advanced.
#define ROWS4x64(b0, b1, b2, b3) \
	VMOVUPS      b0, Z24 \
	VMOVUPS      b1, Z25 \
	VMOVUPS      b2, Z26 \
	VMOVUPS      b3, Z27 \
	VBROADCASTSS (SI), Z28 \
	VFMADD231PS  Z24, Z28, Z0 \
	VFMADD231PS  Z25, Z28, Z1 \
	VFMADD231PS  Z26, Z28, Z2 \
	VFMADD231PS  Z27, Z28, Z3 \
	VBROADCASTSS (SI)(R8*1), Z29 \
	VFMADD231PS  Z24, Z29, Z4 \
	VFMADD231PS  Z25, Z29, Z5 \
	VFMADD231PS  Z26, Z29, Z6 \
	VFMADD231PS  Z27, Z29, Z7 \
	VBROADCASTSS (SI)(R8*2), Z28 \
	VFMADD231PS  Z24, Z28, Z8 \
	VFMADD231PS  Z25, Z28, Z9 \
	VFMADD231PS  Z26, Z28, Z10 \
	VFMADD231PS  Z27, Z28, Z11 \
	VBROADCASTSS (R9), Z29 \
	VFMADD231PS  Z24, Z29, Z12 \
	VFMADD231PS  Z25, Z29, Z13 \
	VFMADD231PS  Z26, Z29, Z14 \
	VFMADD231PS  Z27, Z29, Z15

#define STEP6x64(b0, b1, b2, b3) \
	ROWS4x64(b0, b1, b2, b3) \
	VBROADCASTSS (R9)(R8*1), Z28 \
	VFMADD231PS  Z24, Z28, Z16 \
	VFMADD231PS  Z25, Z28, Z17 \
	VFMADD231PS  Z26, Z28, Z18 \
	VFMADD231PS  Z27, Z28, Z19 \
	VBROADCASTSS (R9)(R8*2), Z29 \
	VFMADD231PS  Z24, Z29, Z20 \
	VFMADD231PS  Z25, Z29, Z21 \
	VFMADD231PS  Z26, Z29, Z22 \
	VFMADD231PS  Z27, Z29, Z23 \
	ADDQ         R11, SI \
	ADDQ         R11, R9

#define STEP4x64(b0, b1, b2, b3) \
	ROWS4x64(b0, b1, b2, b3) \
	ADDQ         R11, SI \
	ADDQ         R11, R9

// C row (at R9) = beta(Z31)·C + acc, then R9 += ldc bytes.
#define STORE64BETA(r0, r1, r2, r3) \
	VFMADD231PS (R9), Z31, r0    \
	VFMADD231PS 64(R9), Z31, r1  \
	VFMADD231PS 128(R9), Z31, r2 \
	VFMADD231PS 192(R9), Z31, r3 \
	VMOVUPS     r0, (R9)         \
	VMOVUPS     r1, 64(R9)       \
	VMOVUPS     r2, 128(R9)      \
	VMOVUPS     r3, 192(R9)      \
	ADDQ        R8, R9

// C row (at R9) = acc, then R9 += ldc bytes.
#define STORE64(r0, r1, r2, r3) \
	VMOVUPS r0, (R9)    \
	VMOVUPS r1, 64(R9)  \
	VMOVUPS r2, 128(R9) \
	VMOVUPS r3, 192(R9) \
	ADDQ    R8, R9

TEXT ·gemmRow6x64AVX512(SB), NOSPLIT, $0-84
	ROW64KERNEL(STEP6x64, EACHROW6x64)

TEXT ·gemmRow4x64AVX512(SB), NOSPLIT, $0-84
	ROW64KERNEL(STEP4x64, EACHROW4x64)

// ---------------------------------------------------------------------------
// func dotAVX512(p *fastArgs)
// dotAVX2 with the whole 16-step blocks of K in 512-bit accumulators
// Z0..Z11, folded to 8 lanes for an 8-step block and the masked tail that
// remain, then DOTREDUCESTORE: on cores with full-width 512-bit FMAs it
// does twice the arithmetic per step.

#define DOT16 DOTSTEP(Z12, Z13, Z14, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)

TEXT ·dotAVX512(SB), NOSPLIT, $48-8
	DOTSTART($-64)

dotrows:
	XORQ DI, DI

dotcols:
	DOTSETUP
	ZEROZ4(Z0, Z1, Z2, Z3)
	ZEROZ4(Z4, Z5, Z6, Z7)
	ZEROZ4(Z8, Z9, Z10, Z11)
	XORQ CX, CX
	CMPQ CX, BX
	JGE  dotfold

dotloop16:
	DOT16
	ADDQ $64, CX
	CMPQ CX, BX
	JLT  dotloop16

dotfold:
	VEXTRACTF64X4 $1, Z0, Y16
	VADDPS        Y16, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y16
	VADDPS        Y16, Y1, Y1
	VEXTRACTF64X4 $1, Z2, Y16
	VADDPS        Y16, Y2, Y2
	VEXTRACTF64X4 $1, Z3, Y16
	VADDPS        Y16, Y3, Y3
	VEXTRACTF64X4 $1, Z4, Y16
	VADDPS        Y16, Y4, Y4
	VEXTRACTF64X4 $1, Z5, Y16
	VADDPS        Y16, Y5, Y5
	VEXTRACTF64X4 $1, Z6, Y16
	VADDPS        Y16, Y6, Y6
	VEXTRACTF64X4 $1, Z7, Y16
	VADDPS        Y16, Y7, Y7
	VEXTRACTF64X4 $1, Z8, Y16
	VADDPS        Y16, Y8, Y8
	VEXTRACTF64X4 $1, Z9, Y16
	VADDPS        Y16, Y9, Y9
	VEXTRACTF64X4 $1, Z10, Y16
	VADDPS        Y16, Y10, Y10
	VEXTRACTF64X4 $1, Z11, Y16
	VADDPS        Y16, Y11, Y11
	TESTQ $8, FA_K(AX)
	JEQ   dottail
	DOT8
	ADDQ  $32, CX

dottail:
	TESTQ $7, FA_K(AX)
	JEQ   dotreduce
	DOT8MASKED
	DOTREDUCESTORE
	VZEROUPPER
	RET

// The four stages of a 16×16 transpose (packTrans64AVX512). TR16PAIRS
// interleaves two rows by 32-bit elements, TR16QUADS two such pairs by
// 64-bit elements (u0..u3 then hold columns 0..3 of four rows in each
// 128-bit lane), TR16HALVES and TR16LANES gather the 128-bit lanes of the
// four row groups: column q and 4+q, 8+q, 12+q of all 16 rows.
#define TR16PAIRS(a, b, lo, hi) \
	VUNPCKLPS b, a, lo \
	VUNPCKHPS b, a, hi

#define TR16QUADS(lo01, hi01, lo23, hi23, u0, u1, u2, u3) \
	VUNPCKLPD lo23, lo01, u0 \
	VUNPCKHPD lo23, lo01, u1 \
	VUNPCKLPD hi23, hi01, u2 \
	VUNPCKHPD hi23, hi01, u3

#define TR16HALVES(u0, u4, u8, u12, v, w, v2, w2) \
	VSHUFF32X4 $0x44, u4, u0, v   \
	VSHUFF32X4 $0xEE, u4, u0, w   \
	VSHUFF32X4 $0x44, u12, u8, v2 \
	VSHUFF32X4 $0xEE, u12, u8, w2

#define TR16LANES(v, v2, w, w2, c0, c4, c8, c12) \
	VSHUFF32X4 $0x88, v2, v, c0  \
	VSHUFF32X4 $0xDD, v2, v, c4  \
	VSHUFF32X4 $0x88, w2, w, c8  \
	VSHUFF32X4 $0xDD, w2, w, c12

// TR16X16 transposes the 16×16 block in Z0..Z15 (row r in Zr) in place,
// through Z16..Z31: afterwards Zc holds column c.
#define TR16X16 \
	TR16PAIRS(Z0, Z1, Z16, Z17) \
	TR16PAIRS(Z2, Z3, Z18, Z19) \
	TR16PAIRS(Z4, Z5, Z20, Z21) \
	TR16PAIRS(Z6, Z7, Z22, Z23) \
	TR16PAIRS(Z8, Z9, Z24, Z25) \
	TR16PAIRS(Z10, Z11, Z26, Z27) \
	TR16PAIRS(Z12, Z13, Z28, Z29) \
	TR16PAIRS(Z14, Z15, Z30, Z31) \
	TR16QUADS(Z16, Z17, Z18, Z19, Z0, Z1, Z2, Z3) \
	TR16QUADS(Z20, Z21, Z22, Z23, Z4, Z5, Z6, Z7) \
	TR16QUADS(Z24, Z25, Z26, Z27, Z8, Z9, Z10, Z11) \
	TR16QUADS(Z28, Z29, Z30, Z31, Z12, Z13, Z14, Z15) \
	TR16HALVES(Z0, Z4, Z8, Z12, Z16, Z20, Z24, Z28) \
	TR16HALVES(Z1, Z5, Z9, Z13, Z17, Z21, Z25, Z29) \
	TR16HALVES(Z2, Z6, Z10, Z14, Z18, Z22, Z26, Z30) \
	TR16HALVES(Z3, Z7, Z11, Z15, Z19, Z23, Z27, Z31) \
	TR16LANES(Z16, Z24, Z20, Z28, Z0, Z4, Z8, Z12) \
	TR16LANES(Z17, Z25, Z21, Z29, Z1, Z5, Z9, Z13) \
	TR16LANES(Z18, Z26, Z22, Z30, Z2, Z6, Z10, Z14) \
	TR16LANES(Z19, Z27, Z23, Z31, Z3, Z7, Z11, Z15)

// TR16LOAD4 loads four rows at base, base+ld, +2ld, +3ld (R8 = ld bytes,
// R9 = 3·ld bytes); TR16STORE4 stores four columns at DI + off, 256 bytes
// (one 64-wide step) apart.
#define TR16LOAD4(base, a, b, c, d) \
	VMOVUPS (base), a        \
	VMOVUPS (base)(R8*1), b  \
	VMOVUPS (base)(R8*2), c  \
	VMOVUPS (base)(R9*1), d

#define TR16STORE4(off, a, b, c, d) \
	VMOVUPS a, (off)(DI)     \
	VMOVUPS b, (off+256)(DI) \
	VMOVUPS c, (off+512)(DI) \
	VMOVUPS d, (off+768)(DI)

// func packTrans64AVX512(k int, src *float32, ld int, dst *float32)
// dst[p*64+i] = src[i*ld+p], i < 64, p < k &^ 15: the whole 16-step blocks
// of a B panel of op(B) = Bᵀ for the 6×64 kernels, in 16×16 blocks
// transposed in registers (rows in Z0..Z15; VUNPCKLPS/HPS, VUNPCKLPD/HPD,
// then VSHUFF32X4 twice; Z16..Z31 hold every other stage's results).
// packTrans64AVX512Go does the rest of the steps and alpha.
// Registers: SI, R10, R11, R12 the rows 16b, +4, +8, +12 of the group at
// step p; R8 = ld bytes, R9 = 3·ld bytes; DI = dst + p*256 + 64·b; CX the
// 16-step blocks left; BX the blocks in all; DX the group's first row.
TEXT ·packTrans64AVX512(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), BX
	SHRQ $4, BX
	JEQ  t64done
	MOVQ ld+16(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	XORQ DX, DX

t64group:
	// SI = the group's first row (16·DX), DI = dst + 64·DX floats.
	MOVQ  DX, AX
	SHLQ  $4, AX
	IMULQ R8, AX
	MOVQ  src+8(FP), SI
	ADDQ  AX, SI
	MOVQ  DX, DI
	SHLQ  $6, DI
	ADDQ  dst+24(FP), DI
	MOVQ  BX, CX

t64block:
	LEAQ (SI)(R8*4), R10
	LEAQ (R10)(R8*4), R11
	LEAQ (R11)(R8*4), R12
	TR16LOAD4(SI, Z0, Z1, Z2, Z3)
	TR16LOAD4(R10, Z4, Z5, Z6, Z7)
	TR16LOAD4(R11, Z8, Z9, Z10, Z11)
	TR16LOAD4(R12, Z12, Z13, Z14, Z15)
	TR16X16
	TR16STORE4(0, Z0, Z1, Z2, Z3)
	TR16STORE4(1024, Z4, Z5, Z6, Z7)
	TR16STORE4(2048, Z8, Z9, Z10, Z11)
	TR16STORE4(3072, Z12, Z13, Z14, Z15)
	ADDQ $64, SI
	ADDQ $4096, DI
	DECQ CX
	JNZ  t64block
	INCQ DX
	CMPQ DX, $4
	JLT  t64group

t64done:
	VZEROUPPER
	RET

// TR16STORE4S stores four rows at base, base+ldd, +2ldd, +3ldd (R10 = ldd
// bytes, R11 = 3·ldd bytes).
#define TR16STORE4S(base, a, b, c, d) \
	VMOVUPS a, (base)        \
	VMOVUPS b, (base)(R10*1) \
	VMOVUPS c, (base)(R10*2) \
	VMOVUPS d, (base)(R11*1)

// func transpose16AVX512(rows, cols int, src *float32, lds int, dst *float32, ldd int)
// dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols, both multiples of
// 16: 16×16 blocks transposed in registers as in packTrans64AVX512, a band
// of 16 rows of src at a time, so that each block stores 16 whole rows of
// 64 bytes. transposeAVX512 does the edges.
// Registers: SI, R12, R13, R14 the rows 0, 4, 8, 12 of the block in src,
// then DI, R12, R13, R14 those of the block in dst; DX the band's first
// row in src, AX its column in dst; R8/R9 lds and 3·lds bytes, R10/R11 ldd
// and 3·ldd bytes; CX the blocks left in the band, BX the bands left.
TEXT ·transpose16AVX512(SB), NOSPLIT, $0-48
	MOVQ lds+24(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ ldd+40(FP), R10
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R11
	MOVQ src+16(FP), DX
	MOVQ dst+32(FP), AX
	MOVQ rows+0(FP), BX
	SHRQ $4, BX
	JEQ  tr16done
	CMPQ cols+8(FP), $16
	JLT  tr16done

tr16band:
	MOVQ cols+8(FP), CX
	SHRQ $4, CX
	MOVQ DX, SI
	MOVQ AX, DI

tr16block:
	LEAQ (SI)(R8*4), R12
	LEAQ (R12)(R8*4), R13
	LEAQ (R13)(R8*4), R14
	TR16LOAD4(SI, Z0, Z1, Z2, Z3)
	TR16LOAD4(R12, Z4, Z5, Z6, Z7)
	TR16LOAD4(R13, Z8, Z9, Z10, Z11)
	TR16LOAD4(R14, Z12, Z13, Z14, Z15)
	TR16X16
	LEAQ (DI)(R10*4), R12
	LEAQ (R12)(R10*4), R13
	LEAQ (R13)(R10*4), R14
	TR16STORE4S(DI, Z0, Z1, Z2, Z3)
	TR16STORE4S(R12, Z4, Z5, Z6, Z7)
	TR16STORE4S(R13, Z8, Z9, Z10, Z11)
	TR16STORE4S(R14, Z12, Z13, Z14, Z15)
	ADDQ $64, SI
	LEAQ (R14)(R10*4), DI
	DECQ CX
	JNZ  tr16block
	LEAQ (DX)(R8*8), DX
	LEAQ (DX)(R8*8), DX
	ADDQ $64, AX
	DECQ BX
	JNZ  tr16band

tr16done:
	VZEROUPPER
	RET

// func packCopy64AVX512(k int, src *float32, ld int, dst *float32, alpha float32)
// dst[p*64+i] = alpha*src[p*ld+i], i < 64: a B panel for gemmRow6x64AVX512.
TEXT ·packCopy64AVX512(SB), NOSPLIT, $0-36
	MOVQ         k+0(FP), CX
	MOVQ         src+8(FP), SI
	MOVQ         ld+16(FP), R8
	SHLQ         $2, R8
	MOVQ         dst+24(FP), DI
	VBROADCASTSS alpha+32(FP), Z31
	TESTQ        CX, CX
	JEQ          c64done

c64loop:
	VMULPS  (SI), Z31, Z0
	VMULPS  64(SI), Z31, Z1
	VMULPS  128(SI), Z31, Z2
	VMULPS  192(SI), Z31, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ    R8, SI
	ADDQ    $256, DI
	DECQ    CX
	JNZ     c64loop

c64done:
	VZEROUPPER
	RET

// func peakAVX512(n int)
// n iterations of twelve independent 512-bit FMAs on registers only.
TEXT ·peakAVX512(SB), NOSPLIT, $0-8
	MOVQ   n+0(FP), CX
	ZEROZ4(Z0, Z1, Z2, Z3)
	ZEROZ4(Z4, Z5, Z6, Z7)
	ZEROZ4(Z8, Z9, Z10, Z11)
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	TESTQ  CX, CX
	JEQ    peak512done

peak512loop:
	VFMADD231PS Z12, Z13, Z0
	VFMADD231PS Z12, Z13, Z1
	VFMADD231PS Z12, Z13, Z2
	VFMADD231PS Z12, Z13, Z3
	VFMADD231PS Z12, Z13, Z4
	VFMADD231PS Z12, Z13, Z5
	VFMADD231PS Z12, Z13, Z6
	VFMADD231PS Z12, Z13, Z7
	VFMADD231PS Z12, Z13, Z8
	VFMADD231PS Z12, Z13, Z9
	VFMADD231PS Z12, Z13, Z10
	VFMADD231PS Z12, Z13, Z11
	DECQ        CX
	JNZ         peak512loop

peak512done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func prefetchAMD64(p []float32)
// PREFETCHT0 for every cache line p touches: a hint, which reads nothing
// into registers and cannot fault.
TEXT ·prefetchAMD64(SB), NOSPLIT, $0-24
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	TESTQ CX, CX
	JLE  pfdone
	LEAQ (SI)(CX*4), CX       // end
	ANDQ $-64, SI             // the first line

pfloop:
	PREFETCHT0 (SI)
	ADDQ       $64, SI
	CMPQ       SI, CX
	JLT        pfloop

pfdone:
	RET
