/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-side IDT stubs and entry point.  Runs in the guest only (the VMM
 * copies this binary's image into guest memory at the same addresses).
 * Every vector gets a stub that pushes a dummy error code when the CPU
 * pushes none, then the vector, and jumps to the common frame builder,
 * which hands a struct ex_regs to guest_exception().
 */
	.text

	.align 16
	.globl	guest_idt_stubs
guest_idt_stubs:
	vec = 0
	.rept 256
	.align 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	common_stub
	vec = vec + 1
	.endr

common_stub:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	guest_exception
	movq	%rbx, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp
	iretq

/* rdi = struct gvcpu *, rsi = the test's guest function, rsp set up. */
	.globl	guest_start
guest_start:
	andq	$-16, %rsp
	call	*%rsi
	call	guest_done
1:	hlt
	jmp	1b

	.section .note.GNU-stack,"",@progbits
