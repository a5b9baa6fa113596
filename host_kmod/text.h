/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apfint_host: reading kvm's machine code, for the facts no header or
 * version number tells (which rule keeps the VM alive in the async work
 * item).  Only <linux/types.h> may be used here, so that tests/unit
 * compiles this very code in userspace on hand-made byte buffers.
 */
#ifndef APFINT_HOST_TEXT_H
#define APFINT_HOST_TEXT_H

#include <linux/types.h>

/*
 * The direct calls and jumps (e8/e9 with a 32-bit displacement, the only
 * form gcc emits for a call into another object file) in the len bytes
 * at text, loaded at address addr, whose target is target.  A byte scan,
 * not a decoder: an e8 or e9 byte inside another instruction counts only
 * if the four bytes after it happen to point at target.
 */
unsigned int apfint_text_branches_to(const u8 *text, size_t len,
				     unsigned long addr, unsigned long target);
/*
 * The same, calls (e8) only: a call whose return address lies in the
 * function, which a tail jump's does not.
 */
unsigned int apfint_text_calls_to(const u8 *text, size_t len,
				  unsigned long addr, unsigned long target);

/*
 * How many memory operands in the len bytes at text have a 32-bit
 * displacement equal to disp: a ModRM byte with mod 10 right before it,
 * or with mod 10 and a SIB byte (rm 100) before that.  This is how gcc
 * addresses a field past the first 128 bytes of a structure, such as
 * vcpu->arch.apic_base, whatever register holds the structure.  A byte
 * scan like the one above: four bytes after such a byte count even when
 * they are part of another instruction, so a use can be found that is not
 * one; a use is never missed.
 */
unsigned int apfint_text_disp32_uses(const u8 *text, size_t len, u32 disp);
/*
 * The distinct such displacements from min up to APFINT_TEXT_DISP_MAX (at
 * most max of them, in the order met) into found; returns how many.  What
 * a refusal names when a function does not use the displacement the
 * headers give.  The bound leaves out most of the byte scan's false
 * finds (an opcode such as 8b, mov, reads as a ModRM byte too): struct
 * kvm_vcpu is far smaller.
 */
#define APFINT_TEXT_DISP_MAX	0x10000
size_t apfint_text_disp32_list(const u8 *text, size_t len, u32 min,
			       u32 *found, size_t max);

/*
 * The value the first direct call to target in the len bytes at text,
 * loaded at addr, gets as its 5th (arg 5, %r8) or 6th (arg 6, %r9)
 * argument, when a constant: the 32-bit immediate of the last
 * `mov $imm32,%r8d` (41 b8) or `mov $imm32,%r9d` (41 b9) in the
 * APFINT_TEXT_ARG_WINDOW bytes before the call, which is where gcc sets
 * up a constant argument.  Returns false when there is no such call, or
 * no such mov before it (the argument came some other way).
 */
#define APFINT_TEXT_ARG_WINDOW	64
bool apfint_text_call_arg(const u8 *text, size_t len, unsigned long addr,
			  unsigned long target, unsigned int arg, u32 *value);

/*
 * Who keeps the VM alive while kvm's async work item runs:
 *   WORK_REF   kvm_setup_async_pf() takes a VM reference for the work
 *              item and async_pf_execute() drops it as its last act
 *              (kernels without CVE-2024-26976's fix);
 *   FLUSHED    neither does: vCPU teardown flushes the work item
 *              (upstream 3d75b8aa5c29, 4.19.312+, 5.4.274+);
 *   UNKNOWN    one does and the other does not: a kvm we do not know.
 */
enum apfint_ref_rule {
	APFINT_REF_UNKNOWN,
	APFINT_REF_WORK_REF,
	APFINT_REF_FLUSHED,
};

enum apfint_ref_rule apfint_ref_rule(unsigned int gets_in_setup,
				     unsigned int puts_in_execute);

#endif /* APFINT_HOST_TEXT_H */
