// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_guest: switches a KVM guest kernel that takes 'page ready' as a #PF
 * (Linux 4.14 to 5.8) to interrupt-based delivery, which a 5.8+ host
 * requires before it sends any async page fault at all.
 *
 * This file holds the load checks and the order of load and unload; the
 * jobs are elsewhere: cpu.c the delivery mode, vector.c the vector,
 * rewrite.c the kernel's own EN writes, stats.c debugfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "apfint_compat.h"
#include "apfint_abi.h"
#include "apfint_guest.h"

/* As arch/x86/kernel/kvm.c does; kvm_arch_para_features() is not exported. */
static u32 apfint_kvm_cpuid_base(void)
{
	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return 0;
	return hypervisor_cpuid_base("KVMKVMKVM\0\0\0", 0);
}

static int apfint_check_guest_now(void)
{
	u32 base = apfint_kvm_cpuid_base();
	u32 features = base ? cpuid_eax(base | KVM_CPUID_FEATURES) : 0;
	enum apfint_missing why;
	u64 boot_en = 0;

	/* EN exists only with bit 4; x86 numbers the boot CPU 0. */
	if (features & BIT(KVM_FEATURE_ASYNC_PF) &&
	    rdmsrl_safe_on_cpu(0, MSR_KVM_ASYNC_PF_EN, &boot_en))
		boot_en = 0;
	why = apfint_check_guest(base != 0, features, boot_en);
	if (why != APFINT_MISSING_NONE) {
		if (apfint_missing_expected(why))
			pr_info("not loading: %s\n", apfint_missing_str(why));
		else
			pr_err("not loading: %s\n", apfint_missing_str(why));
		return -ENODEV;
	}
	pr_info("KVM features 0x%x, boot CPU EN 0x%llx\n", features, boot_en);
	return 0;
}

/*
 * Undoes what apfint_guest_init() did, all of it or a part: the init error
 * path and module exit share it.  CPUs leave interrupt mode and the vector
 * is given back under one hold of apfint_lock, so that a kvm_intel loading
 * meanwhile finds both done; the hooks removed after it do nothing once the
 * state is OFF.
 */
static void apfint_guest_teardown(void)
{
	apfint_stats_exit();

	mutex_lock(&apfint_lock);
	if (apfint_state_get() != APFINT_ST_OFF)
		apfint_leave_all(APFINT_ST_OFF);
	/* Not after a fallback: kvm_intel's handler must stay. */
	apfint_vector_release();
	mutex_unlock(&apfint_lock);

	apfint_rewrite_unhook();
	apfint_vector_unwatch();
}

static int __init apfint_guest_init(void)
{
	int ret;

	pr_info("version %s\n", APFINT_VERSION);
	ret = apfint_check_guest_now();
	if (ret)
		return ret;

	ret = apfint_vector_watch();
	if (ret)
		goto fail;
	ret = apfint_vector_claim();
	if (ret)
		goto fail;
	apfint_stats_init();
	ret = apfint_rewrite_hook();
	if (ret)
		goto fail;
	ret = apfint_enter_all();
	if (ret)
		goto fail;
	return 0;

fail:
	apfint_guest_teardown();
	return ret;
}

static void __exit apfint_guest_exit(void)
{
	apfint_guest_teardown();
	pr_info("unloaded; every CPU back in the kernel's async PF mode\n");
}

module_init(apfint_guest_init);
module_exit(apfint_guest_exit);
MODULE_DESCRIPTION("Interrupt-based async page fault 'page ready' for old KVM guests");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("apfint maintainers");
MODULE_VERSION(APFINT_VERSION);
