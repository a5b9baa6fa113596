// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: redirect kvm_x86_ops' MSR accessors (set_msr, and get_msr
 * where guest reads go through it) to the ones msr.c gives.
 *
 * Every MSR exit takes this path, so it is kept to one extra indirect
 * call, with no ftrace trampoline pass on it.  The vendor module
 * (kvm_amd, kvm_intel) is pinned while we are loaded: reloading it would
 * make kvm call through a new table without us, and our saved accessors
 * would point into freed text.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/module.h>

#include "apfint_host.h"

static struct kvm_x86_ops *apfint_vendor_table;	/* kvm's before us */
static struct kvm_x86_ops *apfint_table;	/* what kvm calls through */
static struct kvm_x86_ops apfint_table_copy;	/* before 5.7: ours */
static struct module *apfint_vendor_module;
static const struct apfint_msr_ops *apfint_wrap;	/* installed */

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

/*
 * Points kvm_x86_ops' set_msr (and get_msr, unless ops->get_msr is NULL)
 * at ops', after storing the vendor's where ops says.
 */
int apfint_msr_ops_install(const struct apfint_msr_ops *ops)
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
	*ops->orig_set_msr = live->set_msr;
	if (ops->get_msr)
		*ops->orig_get_msr = live->get_msr;
	if (APFINT_X86_OPS_IN_KVM) {
		apfint_table = live;
	} else {
		apfint_table_copy = *live;
		apfint_table = &apfint_table_copy;
	}
	apfint_wrap = ops;
	WRITE_ONCE(apfint_table->set_msr, ops->set_msr);
	if (ops->get_msr)
		WRITE_ONCE(apfint_table->get_msr, ops->get_msr);
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
	    apfint_table->set_msr != apfint_wrap->set_msr) {
		/* not ours any more: leave it, we cannot know what is */
		pr_err("kvm_x86_ops changed under us; not restoring it\n");
	} else {
		WRITE_ONCE(apfint_table->set_msr, *apfint_wrap->orig_set_msr);
		if (apfint_wrap->get_msr)
			WRITE_ONCE(apfint_table->get_msr,
				   *apfint_wrap->orig_get_msr);
		apfint_kvm_x86_ops_use(apfint_vendor_table);
	}
	/* a caller may have read our pointer and not yet entered: wait */
	apfint_sync_callers();
	apfint_table = NULL;
	apfint_wrap = NULL;
	module_put(apfint_vendor_module);
	apfint_vendor_module = NULL;
}

/* For the load-time self-test: does kvm call through us? */
bool apfint_msr_ops_active(void)
{
	struct kvm_x86_ops *live = apfint_kvm_x86_ops();

	return live && apfint_wrap && live->set_msr == apfint_wrap->set_msr &&
	       (!apfint_wrap->get_msr || live->get_msr == apfint_wrap->get_msr);
}
