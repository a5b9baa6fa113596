/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels apfint builds on lives here, as
 * HAVE_* / APFINT_* macros and small wrappers.  Logic files test only these
 * names, never LINUX_VERSION_CODE.  One block per change, each saying which
 * kernel changed what; prefer testing a symbol over a version number.
 */
#ifndef APFINT_COMPAT_H
#define APFINT_COMPAT_H

#include <linux/version.h>
#include <linux/kvm.h>		/* uapi: KVM_CAP_* */
#include <asm/kvm_para.h>	/* uapi: KVM_FEATURE_*, KVM_ASYNC_PF_* */

/*
 * v5.8 (commit 2635b5c4a0e4 "KVM: x86: interrupt based APF 'page ready'
 * event delivery"): the host implements the ABI itself.  Enterprise kernels
 * backport it, so test the uapi constant, not the version.
 */
#ifdef KVM_CAP_ASYNC_PF_INT
#define APFINT_HOST_IS_NATIVE		1
#else
#define APFINT_HOST_IS_NATIVE		0
#endif

/*
 * v5.9 (commit b1d405751cd5 "KVM: x86: Switch KVM guest to using interrupts
 * for page ready APF delivery"): the guest kernel takes 'page ready' as an
 * interrupt itself.  No uapi symbol marks it, so the version decides.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 9, 0)
#define APFINT_GUEST_IS_NATIVE		1
#else
#define APFINT_GUEST_IS_NATIVE		0
#endif

/* ---- host module (apfint_host) blocks below ---- */

/* ---- guest module (apfint_guest) blocks below ---- */

#endif /* APFINT_COMPAT_H */
