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
 * Whether the kernel has the feature itself is decided once, at build
 * time, by include/compat/kbuild.mk: such kernels never compile the files
 * that include this header.
 */

/* ---- host module (apfint_host) blocks below ---- */

/*
 * v5.7 ("kallsyms: unexport kallsyms_lookup_name() and
 * kallsyms_on_each_symbol()"): modules must find it themselves; a kprobe
 * on it reports its address (apfint_kallsyms() in host_kmod/hook.c).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 7, 0)
#define HAVE_KALLSYMS_LOOKUP_NAME_EXPORTED	1
#else
#define HAVE_KALLSYMS_LOOKUP_NAME_EXPORTED	0
#endif

/*
 * v5.11 ("ftrace: Reverse what the RECURSION flag
 * means in the ftrace_ops"): FTRACE_OPS_FL_RECURSION_SAFE is gone; ops are
 * recursion-safe by default.  Define it away where it no longer exists.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
#define APFINT_FTRACE_OPS_FL_RECURSION	0
#else
#define APFINT_FTRACE_OPS_FL_RECURSION	FTRACE_OPS_FL_RECURSION_SAFE
#endif

/*
 * v5.3 introduced CONFIG_PREEMPTION (selected by PREEMPT and PREEMPT_RT);
 * before it, CONFIG_PREEMPT alone meant "kernel code is preemptible".
 */
#if defined(CONFIG_PREEMPTION) || defined(CONFIG_PREEMPT)
#define APFINT_KERNEL_PREEMPTIBLE	1
#else
#define APFINT_KERNEL_PREEMPTIBLE	0
#endif

/*
 * kvm calls the vendor's MSR accessors through kvm_x86_ops.  Before 5.7
 * that is a pointer to the vendor module's table, read-only after init,
 * so a copy of the table goes in its place; from 5.7 (commit afaf0b2f9b80)
 * kvm.ko holds its own writable copy, whose members are replaced.
 */
/*
 * Guest RDMSR exits reach kvm_x86_ops->get_msr from 5.4 on (through
 * kvm_emulate_rdmsr()); 4.14 and 4.19 svm/vmx call their own get_msr
 * directly, so there reads are caught in kvm_get_msr_common() with ftrace.
 * (Writes go through kvm_set_msr() everywhere.)
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 4, 0)
#define APFINT_WRAP_GET_MSR		1
#else
#define APFINT_WRAP_GET_MSR		0
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 7, 0)
#define APFINT_X86_OPS_IN_KVM		1
#define apfint_kvm_x86_ops()		(&kvm_x86_ops)
#define apfint_kvm_x86_ops_use(t)	((void)(t))
#else
#define APFINT_X86_OPS_IN_KVM		0
#define apfint_kvm_x86_ops()		(kvm_x86_ops)
#define apfint_kvm_x86_ops_use(t)	WRITE_ONCE(kvm_x86_ops, (t))
#endif

/*
 * v5.6 ("KVM: Introduce kvm_vcpu_destroy()") folded
 * kvm_arch_vcpu_uninit() into kvm_arch_vcpu_destroy().  Up to 5.5 every
 * vCPU teardown (VM destruction and failed creation alike) passes through
 * kvm_vcpu_uninit() -> kvm_arch_vcpu_uninit(), a cross-file call that gcc
 * cannot inline, so it is the hook for freeing per-vCPU state.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 6, 0)
#define APFINT_VCPU_TEARDOWN_SYM	"kvm_arch_vcpu_uninit"
#else
#define APFINT_VCPU_TEARDOWN_SYM	"kvm_arch_vcpu_destroy"
#endif

/*
 * v5.8 ("KVM: x86: acknowledgment mechanism for async
 * pf page ready notifications") added KVM_REQ_APF_READY: a completion
 * queued by the work item makes the vCPU loop rescan its queue.  Old
 * kernels only rescan after each exit, so apfint raises a request bit of
 * its own (unknown to old kvm, hence never consumed there; apfint clears
 * it itself) to make vcpu_enter_guest() bail out and the loop rescan.
 * v4.18 ("KVM: Make vcpu->requests as 64 bit bitmap") doubled the room:
 * 4.14 allows arch requests 0-23 and uses up to 22; later kernels use up
 * to 25 (5.7) of 0-55.  include/compat/kbuild.mk picks the number (23,
 * or 30 from 4.18) and refuses a kernel whose kvm defines it itself.
 */
#define APFINT_REQ_APF_READY		KVM_ARCH_REQ(APFINT_REQ_NR)

/*
 * v4.16 ("kvm: whitelist struct kvm_vcpu_arch"): kvm_init() creates
 * kvm_vcpu_cache with kmem_cache_create_usercopy(), passing
 * offsetof(struct kvm_vcpu, arch) and sizeof(struct kvm_vcpu_arch) as
 * kvm.ko was compiled: host_kmod/layout.c reads them from that call.
 * include/compat/kbuild.mk finds the function in the slab header
 * (APFINT_HAVE_USERCOPY); without it there is no such call to read.
 */
#include <linux/slab.h>
#if APFINT_HAVE_USERCOPY
#define APFINT_VCPU_CACHE_CREATE	((unsigned long)kmem_cache_create_usercopy)
#else
#define APFINT_VCPU_CACHE_CREATE	0UL
#endif

/* ---- guest module (apfint_guest) blocks below ---- */

/*
 * v4.2 (commit bf9f6ac8d749 "KVM: Update Posted-Interrupts Descriptor when
 * vCPU is blocked"): POSTED_INTR_WAKEUP_VECTOR gets an IDT entry and
 * kvm_set_posted_intr_wakeup_handler() an export, both under
 * CONFIG_HAVE_KVM, which every x86 kernel selects.  apfint_guest borrows
 * this system vector: a KVM guest leaves it unused unless kvm_intel loads.
 * Kbuild builds the real apfint_guest only with CONFIG_HAVE_KVM.
 */
#include <asm/irq_vectors.h>
#define APFINT_GUEST_VECTOR		POSTED_INTR_WAKEUP_VECTOR

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

/*
 * v4.15 ("locking/lockdep: Add IRQs disabled/enabled assertion APIs:
 * lockdep_assert_irqs_enabled()/disabled()"): 4.14 lacks the assertion.
 */
#include <linux/lockdep.h>
#ifndef lockdep_assert_irqs_disabled
#define lockdep_assert_irqs_disabled()	WARN_ON_ONCE(!irqs_disabled())
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
