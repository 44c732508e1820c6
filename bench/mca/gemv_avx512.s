# gemv256AVX512, 256-column strip: the inner loop of one step p (512 flops), as in mat/asm_amd64.s
.Lloop:
	vbroadcastss (%rsi), %zmm16
	vfmadd231ps 0(%rdi), %zmm16, %zmm0
	vfmadd231ps 64(%rdi), %zmm16, %zmm1
	vfmadd231ps 128(%rdi), %zmm16, %zmm2
	vfmadd231ps 192(%rdi), %zmm16, %zmm3
	vfmadd231ps 256(%rdi), %zmm16, %zmm4
	vfmadd231ps 320(%rdi), %zmm16, %zmm5
	vfmadd231ps 384(%rdi), %zmm16, %zmm6
	vfmadd231ps 448(%rdi), %zmm16, %zmm7
	vfmadd231ps 512(%rdi), %zmm16, %zmm8
	vfmadd231ps 576(%rdi), %zmm16, %zmm9
	vfmadd231ps 640(%rdi), %zmm16, %zmm10
	vfmadd231ps 704(%rdi), %zmm16, %zmm11
	vfmadd231ps 768(%rdi), %zmm16, %zmm12
	vfmadd231ps 832(%rdi), %zmm16, %zmm13
	vfmadd231ps 896(%rdi), %zmm16, %zmm14
	vfmadd231ps 960(%rdi), %zmm16, %zmm15
	addq $4, %rsi
	addq %r8, %rdi
	decq %r12
	jnz .Lloop
