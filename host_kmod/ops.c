// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: route the guest's and userspace's MSR accesses through
 * msr.c by wrapping kvm_x86_ops' set_msr and get_msr (get_msr from 5.4:
 * before, guest reads bypass the table and msr.c hooks
 * kvm_get_msr_common() instead; see apfint_compat.h).
 *
 * Every MSR exit takes this path, so it is kept to one extra indirect
 * call, with no ftrace trampoline pass on it.
 * The vendor module (kvm_amd, kvm_intel) is pinned while we are loaded:
 * reloading it would make kvm call through a new table without us, and
 * our saved accessors would point into freed text.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/module.h>

#include "apfint_host.h"

/*
 * What msr.c's accessors fall back to: the vendor's set_msr and get_msr
 * (before 5.4, kvm_get_msr_common() past its ftrace call site).
 */
apfint_msr_fn apfint_orig_set_msr;
apfint_msr_fn apfint_orig_get_msr;

static struct kvm_x86_ops *apfint_vendor_table;	/* kvm's before us */
static struct kvm_x86_ops *apfint_table;	/* what kvm calls through */
static struct kvm_x86_ops apfint_table_copy;	/* before 5.7: ours */
static struct module *apfint_vendor_module;

/*
 * Takes a reference on the module whose text holds fn (none if built in).
 * __module_address() is not exported by every kernel we support (5.4.286
 * has it unexported), so it comes from kallsyms.
 */
static int apfint_pin_owner(void *fn, struct module **owner)
{
	struct module *(*module_address)(unsigned long addr);
	struct module *mod;
	int err = 0;

	*owner = NULL;
	module_address = (void *)apfint_kallsyms("__module_address");
	if (!module_address)
		return -ENOENT;
	preempt_disable();
	mod = module_address((unsigned long)fn);
	if (mod && !try_module_get(mod))
		err = -ENODEV;
	preempt_enable();
	if (!err)
		*owner = mod;
	return err;
}

int apfint_msr_ops_install(void)
{
	struct kvm_x86_ops *live = apfint_kvm_x86_ops();
	int err;

	if (!live || !live->get_msr || !live->set_msr) {
		pr_err("kvm has no vendor module (kvm_amd or kvm_intel) loaded, not loading\n");
		return -ENODEV;
	}
	err = apfint_pin_owner(live->set_msr, &apfint_vendor_module);
	if (err) {
		pr_err("cannot hold kvm's vendor module (error %d), not loading\n",
		       err);
		return err;
	}
	apfint_vendor_table = live;
	apfint_orig_set_msr = live->set_msr;
	if (APFINT_WRAP_GET_MSR)
		apfint_orig_get_msr = live->get_msr;
	if (APFINT_X86_OPS_IN_KVM) {
		apfint_table = live;
	} else {
		apfint_table_copy = *live;
		apfint_table = &apfint_table_copy;
	}
	WRITE_ONCE(apfint_table->set_msr, apfint_set_msr);
	if (APFINT_WRAP_GET_MSR)
		WRITE_ONCE(apfint_table->get_msr, apfint_get_msr);
	apfint_kvm_x86_ops_use(apfint_table);
	return 0;
}

/*
 * Puts kvm's accessors back.  Calls that already read ours are waited for
 * by apfint_hooks_drain(), which must follow.
 */
void apfint_msr_ops_remove(void)
{
	if (!apfint_table)
		return;
	if (apfint_kvm_x86_ops() != apfint_table ||
	    apfint_table->set_msr != apfint_set_msr) {
		/* not ours any more: leave it, we cannot know what is */
		pr_err("kvm_x86_ops changed under us; not restoring it\n");
	} else {
		WRITE_ONCE(apfint_table->set_msr, apfint_orig_set_msr);
		if (APFINT_WRAP_GET_MSR)
			WRITE_ONCE(apfint_table->get_msr, apfint_orig_get_msr);
		apfint_kvm_x86_ops_use(apfint_vendor_table);
	}
	/* a caller may have read our pointer and not yet entered: wait */
	apfint_sync_callers();
	apfint_table = NULL;
	module_put(apfint_vendor_module);
	apfint_vendor_module = NULL;
}

/* For the load-time self-test: does kvm call through us? */
bool apfint_msr_ops_active(void)
{
	struct kvm_x86_ops *live = apfint_kvm_x86_ops();

	return live && live->set_msr == apfint_set_msr &&
	       (!APFINT_WRAP_GET_MSR || live->get_msr == apfint_get_msr);
}
