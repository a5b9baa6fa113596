/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apfint_guest's per-CPU counters, in the order debugfs shows them: the one
 * list that enum apfint_counter, the stats lines and the per-counter files
 * are generated from.  Include it with APFINT_COUNTER(name) defined; it is
 * undefined at the end (the pattern of upstream's asm/kvm-x86-ops.h).
 */
#ifndef APFINT_COUNTER
#error "define APFINT_COUNTER(name) before including counters.h"
#endif

APFINT_COUNTER(irqs)		/* page-ready interrupts taken in interrupt mode */
APFINT_COUNTER(wakes)		/* single-token wake-ups */
APFINT_COUNTER(wake_alls)	/* 0xffffffff tokens from the host */
APFINT_COUNTER(acks)		/* MSR_KVM_ASYNC_PF_ACK writes */
APFINT_COUNTER(spurious)	/* interrupts that found token 0 */
APFINT_COUNTER(late)		/* interrupts after this CPU left interrupt mode */
APFINT_COUNTER(enables)		/* switches into interrupt mode */
APFINT_COUNTER(disables)	/* switches back to the kernel's mode */
APFINT_COUNTER(drained)		/* tokens found in the slot while switching back */

#undef APFINT_COUNTER
