# gemvAVX2, 64-column strip: the inner loop of one step p (128 flops), as in mat/asm_amd64.s
.Lloop:
	vbroadcastss (%rsi), %ymm8
	vfmadd231ps 0(%rdi), %ymm8, %ymm0
	vfmadd231ps 32(%rdi), %ymm8, %ymm1
	vfmadd231ps 64(%rdi), %ymm8, %ymm2
	vfmadd231ps 96(%rdi), %ymm8, %ymm3
	vfmadd231ps 128(%rdi), %ymm8, %ymm4
	vfmadd231ps 160(%rdi), %ymm8, %ymm5
	vfmadd231ps 192(%rdi), %ymm8, %ymm6
	vfmadd231ps 224(%rdi), %ymm8, %ymm7
	addq $4, %rsi
	addq %r8, %rdi
	decq %r12
	jnz .Lloop
