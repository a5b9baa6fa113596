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

/*
 * v4.2 (commit bf9f6ac8d749 "KVM: Update Posted-Interrupts Descriptor when
 * vCPU is blocked"): POSTED_INTR_WAKEUP_VECTOR gets an IDT entry and
 * kvm_set_posted_intr_wakeup_handler() an export, both under
 * CONFIG_HAVE_KVM, which every x86 kernel selects.  apfint_guest borrows
 * this system vector: a KVM guest leaves it unused unless kvm_intel loads.
 * Checked in 5.4 (arch/x86/kernel/{idt,irq}.c); 4.14, 4.19 and 5.8 to be
 * checked by their sessions.
 */
#if !APFINT_GUEST_IS_NATIVE
#include <asm/irq_vectors.h>
#if defined(CONFIG_HAVE_KVM) && defined(POSTED_INTR_WAKEUP_VECTOR)
#define HAVE_PI_WAKEUP_HANDLER		1
#define APFINT_GUEST_VECTOR		POSTED_INTR_WAKEUP_VECTOR
#else
#define HAVE_PI_WAKEUP_HANDLER		0
#endif
#else
#define HAVE_PI_WAKEUP_HANDLER		0
#endif

/*
 * v4.20 (RCU flavour consolidation, "rcu: Define
 * RCU-sched API in terms of RCU for Tree RCU PREEMPT builds"):
 * synchronize_rcu() also waits for interrupt handlers and other
 * irq-disabled regions.  Before it, only synchronize_sched() did.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 20, 0)
#define apfint_sync_irq_handlers()	synchronize_rcu()
#else
#define apfint_sync_irq_handlers()	synchronize_sched()
#endif

/*
 * v5.7 ("kallsyms: unexport kallsyms_lookup_name() and
 * kallsyms_on_each_symbol()"): without it apfint_guest cannot read who owns
 * the wake-up vector's handler and relies on its module notifier alone.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 7, 0) && defined(CONFIG_KALLSYMS)
#define HAVE_KALLSYMS_LOOKUP_NAME	1
#else
#define HAVE_KALLSYMS_LOOKUP_NAME	0
#endif

/*
 * v4.16 ("seq_file: introduce DEFINE_SHOW_ATTRIBUTE()
 * helper macro"): older kernels spell out the debugfs fops themselves.
 */
#if !APFINT_GUEST_IS_NATIVE
#include <linux/fs.h>
#include <linux/seq_file.h>
#ifndef DEFINE_SHOW_ATTRIBUTE
#define DEFINE_SHOW_ATTRIBUTE(__name)					\
static int __name ## _open(struct inode *inode, struct file *file)	\
{									\
	return single_open(file, __name ## _show, inode->i_private);	\
}									\
static const struct file_operations __name ## _fops = {			\
	.owner		= THIS_MODULE,					\
	.open		= __name ## _open,				\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= single_release,				\
}
#endif
#endif

/*
 * v5.12 ("module: unexport find_module and
 * module_mutex"): used at load to see whether kvm_intel is already there.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 12, 0)
#define HAVE_FIND_MODULE		1
#else
#define HAVE_FIND_MODULE		0
#endif

#endif /* APFINT_COMPAT_H */
