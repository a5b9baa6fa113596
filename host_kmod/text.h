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
