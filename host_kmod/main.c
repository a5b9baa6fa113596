// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: interrupt-based async page fault 'page ready' delivery for
 * KVM hosts that lack it (Linux 4.14 to 5.7), by redirecting kvm.ko
 * functions at run time.  The protocol is upstream 5.8's
 * (Documentation/virt/kvm/msr.rst; docs/ABI.md in our words);
 * include/apfint_abi.h has its bits.
 *
 * kvm.ko stays loaded while we are: we use its exported symbols, which
 * makes the module loader count us as its user.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "apfint_compat.h"
#include "apfint_abi.h"

#include "apfint_host.h"

/*
 * Registration can report success after ftrace gave up on a patch site
 * (kpatch #385), so ask kvm itself: KVM_CHECK_EXTENSION for our cap goes
 * through kvm_dev_ioctl() -> kvm_vm_ioctl_check_extension(), and only our
 * replacement answers 1.  kvm_dev_ioctl() does not touch the file for it.
 * The MSR accessors are checked in kvm_x86_ops itself.
 */
static int apfint_selftest(void)
{
	long (*dev_ioctl)(struct file *filp, unsigned int ioctl,
			  unsigned long arg);
	long r;

	if (!apfint_msr_ops_active()) {
		pr_err("kvm_x86_ops' MSR accessors not ours after wrapping them\n");
		return -EIO;
	}
	dev_ioctl = (void *)apfint_lookup("kvm_dev_ioctl");
	if (!dev_ioctl) {
		pr_warn("kvm_dev_ioctl not found: hooks installed but not verified\n");
		return 0;
	}
	r = dev_ioctl(NULL, KVM_CHECK_EXTENSION, KVM_CAP_ASYNC_PF_INT);
	if (r != 1) {
		pr_err("hooks registered but not effective (KVM_CHECK_EXTENSION(%d) = %ld)\n",
		       KVM_CAP_ASYNC_PF_INT, r);
		return -EIO;
	}
	return 0;
}

/*
 * The load order.  Each step's exit undoes its init (a hook set: install,
 * remove); exit-only steps order the unload.  Unloading, and a load that
 * fails at a step, run the exits of the steps before it, bottom-up: one
 * teardown for both.
 */
struct apfint_step {
	int (*init)(void);
	void (*exit)(void);
	struct apfint_hook_set *hooks;
};

static const struct apfint_step apfint_steps[] = {
	/* whether this kvm can be worked with: its layout, then its code */
	{ .init = apfint_layout_check },
	{ .init = apfint_deliver_resolve },
	/* unloading: free the state left, once no replacement runs */
	{ .exit = apfint_vcpu_free_all },
	{ .exit = apfint_hooks_drain },
	/* first in, last out: vCPU teardown frees what the others create */
	{ .hooks = &apfint_vcpu_hooks },
	/* unloading: clear our request, once the sets below have returned */
	{ .exit = apfint_vcpu_quiesce_all },
	{ .exit = apfint_hooks_drain },
	{ .hooks = &apfint_arm_hooks },
	{ .hooks = &apfint_deliver_hooks },
	{ .hooks = &apfint_msr_hooks },
	/* guests may enable the feature from here */
	{ .init = apfint_msr_wrap, .exit = apfint_msr_ops_remove },
	{ .init = apfint_selftest },
	{ .init = apfint_stats_init, .exit = apfint_stats_exit },
};

/* Undoes the first n steps, last first. */
static void apfint_host_teardown(size_t n)
{
	const struct apfint_step *step;

	while (n--) {
		step = &apfint_steps[n];
		if (step->hooks)
			apfint_hooks_remove(step->hooks);
		else if (step->exit)
			step->exit();
	}
}

static int apfint_host_start(void)
{
	const struct apfint_step *step;
	size_t i, now = 0, lazy = 0;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(apfint_steps); i++) {
		step = &apfint_steps[i];
		if (step->hooks)
			err = apfint_hooks_install(step->hooks);
		else if (step->init)
			err = step->init();
		if (err) {
			apfint_host_teardown(i);
			return err;
		}
		if (step->hooks && step->hooks->lazy)
			lazy += step->hooks->n;
		else if (step->hooks)
			now += step->hooks->n;
	}
	pr_info("MSR accessors wrapped, %zu kvm functions redirected (%zu more once a guest enables it); guests may now enable interrupt delivery (KVM_CAP_ASYNC_PF_INT)\n",
		now, lazy);
	return 0;
}

/*
 * Whether this kvm can be worked with is decided by reading it: each load
 * step checks what it relies on (layout.c, deliver.c, hook.c, ops.c) and
 * refuses, naming the difference.  No version number decides.
 */
static int __init apfint_host_init(void)
{
	pr_info("version %s\n", APFINT_VERSION);
	return apfint_host_start();
}

/*
 * Reached only with no vCPU in interrupt mode (each holds a module
 * reference); legacy vCPUs keep running on the originals.
 */
static void __exit apfint_host_exit(void)
{
	apfint_host_teardown(ARRAY_SIZE(apfint_steps));
	pr_info("unloaded\n");
}

module_init(apfint_host_init);
module_exit(apfint_host_exit);
MODULE_DESCRIPTION("Interrupt-based async page fault 'page ready' for old KVM hosts");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("apfint maintainers");
/* kvm must be there to be hooked; the vendor module is checked at load. */
MODULE_SOFTDEP("pre: kvm");
MODULE_VERSION(APFINT_VERSION);
