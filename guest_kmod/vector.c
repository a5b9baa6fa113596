// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_guest's hold on POSTED_INTR_WAKEUP_VECTOR: taking it only when
 * nothing else routes it, giving it back, and giving it up to a kvm_intel
 * that loads later.
 *
 * Why this vector: its IDT entry exists in every x86 kernel
 * (CONFIG_HAVE_KVM), the same vector on every CPU, and its handler is set
 * through the exported kvm_set_posted_intr_wakeup_handler(); only
 * kvm_intel uses it otherwise.  Per-CPU vectors from the x86 vector domain
 * would need __irq_domain_alloc_irqs(), which is not exported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kallsyms.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/irq.h>
#include <asm/processor.h>

#include "apfint_compat.h"
#include "apfint_guest.h"

static bool apfint_owns_handler;	/* changed under apfint_lock */
static bool apfint_watching;

/*
 * The VM tests' CPUs have no VMX: this lets them reach the kvm_intel
 * fallback with a stand-in module of that name.  Only test builds
 * (APFINT_TESTING=1, include/compat/kbuild.mk) have it: what users load
 * has no testing knob.
 */
#ifdef APFINT_TESTING
static bool test_assume_vmx;
module_param(test_assume_vmx, bool, 0444);
MODULE_PARM_DESC(test_assume_vmx,
		 "testing only: act as if the CPU had VMX (kvm_intel fallback)");
#else
#define test_assume_vmx false
#endif

/* kvm_intel's own test (cpu_has_vmx()) for getting to hardware_setup(). */
static bool apfint_cpu_has_vmx(void)
{
	return test_assume_vmx || (cpuid_ecx(1) & BIT(X86_FEATURE_VMX & 31));
}

#if HAVE_KALLSYMS_LOOKUP_NAME
/*
 * The handler pointer is static in arch/x86/kernel/irq.c; with
 * CONFIG_KALLSYMS_ALL its address is known.  kvm_intel (5.4 at least)
 * never resets it on unload, so a kvm_intel loaded and removed earlier
 * leaves a dangling pointer, which this catches and the module notifier
 * cannot.
 */
static void (**apfint_pi_handler_ptr(void))(void)
{
	return (void (**)(void))
		kallsyms_lookup_name("kvm_posted_intr_wakeup_handler");
}

static int apfint_check_vector_free(void)
{
	void (**ptr)(void) = apfint_pi_handler_ptr();
	char sym[KSYM_SYMBOL_LEN];

	if (!ptr) {
		pr_info("kvm_posted_intr_wakeup_handler not in kallsyms (no CONFIG_KALLSYMS_ALL): relying on the module notifier\n");
		return 0;
	}
	sprint_symbol(sym, (unsigned long)READ_ONCE(*ptr));
	if (!strstarts(sym, "dummy_handler+0x0/")) {
		pr_err("POSTED_INTR_WAKEUP_VECTOR (0x%x) is taken: its handler is %s, not the kernel's dummy_handler\n",
		       APFINT_GUEST_VECTOR, sym);
		return -EBUSY;
	}
	return 0;
}

static int apfint_check_vector_ours(void)
{
	void (**ptr)(void) = apfint_pi_handler_ptr();

	if (ptr && READ_ONCE(*ptr) != apfint_irq_handler) {
		pr_err("kvm_set_posted_intr_wakeup_handler() did not install our handler (%ps found)\n",
		       READ_ONCE(*ptr));
		return -EBUSY;
	}
	return 0;
}
#else
static int apfint_check_vector_free(void)
{
	return 0;
}

static int apfint_check_vector_ours(void)
{
	return 0;
}
#endif

static int apfint_check_kvm_intel(void)
{
#if HAVE_FIND_MODULE
	bool loaded;

	mutex_lock(&module_mutex);
	loaded = find_module("kvm_intel");
	mutex_unlock(&module_mutex);
	if (loaded && apfint_module_takes_vector("kvm_intel",
						 apfint_cpu_has_vmx())) {
		pr_err("kvm_intel is loaded and owns POSTED_INTR_WAKEUP_VECTOR (0x%x); unload it first\n",
		       APFINT_GUEST_VECTOR);
		return -EBUSY;
	}
#endif
	return 0;
}

/*
 * kvm_intel installs its own wake-up handler in hardware_setup(), during
 * its init, which runs after MODULE_STATE_COMING.  Give the vector back
 * before that, loudly: the kernel's own mode gets no async PF from a 5.8+
 * host, but nothing waits forever.
 */
static int apfint_module_notify(struct notifier_block *nb,
				unsigned long action, void *data)
{
	struct module *mod = data;

	if (action != MODULE_STATE_COMING ||
	    !apfint_module_takes_vector(mod->name, apfint_cpu_has_vmx()))
		return NOTIFY_DONE;

	mutex_lock(&apfint_lock);
	if (apfint_active()) {
		apfint_leave_all(APFINT_ST_FALLBACK);
		apfint_vector_release();
		pr_warn("%s is loading and takes POSTED_INTR_WAKEUP_VECTOR (0x%x): every CPU is back in the kernel's own async PF mode, which a 5.8+ host does not serve (no async PF until reboot)\n",
			mod->name, APFINT_GUEST_VECTOR);
	}
	mutex_unlock(&apfint_lock);
	return NOTIFY_DONE;
}

static struct notifier_block apfint_module_nb = {
	.notifier_call = apfint_module_notify,
};

/* Before looking for kvm_intel, so that a racing load is seen. */
int apfint_vector_watch(void)
{
	int ret = register_module_notifier(&apfint_module_nb);

	if (!ret)
		apfint_watching = true;
	return ret;
}

void apfint_vector_unwatch(void)
{
	if (apfint_watching)
		unregister_module_notifier(&apfint_module_nb);
	apfint_watching = false;
}

/* Route the vector to apfint_irq_handler() if nothing else routes it. */
int apfint_vector_claim(void)
{
	int ret;

	ret = apfint_check_kvm_intel();
	if (ret)
		return ret;
	ret = apfint_check_vector_free();
	if (ret)
		return ret;

	mutex_lock(&apfint_lock);
	kvm_set_posted_intr_wakeup_handler(apfint_irq_handler);
	apfint_owns_handler = true;
	ret = apfint_check_vector_ours();
	mutex_unlock(&apfint_lock);
	return ret;
}

/* Caller holds apfint_lock; no CPU may be in interrupt mode any more. */
void apfint_vector_release(void)
{
	lockdep_assert_held(&apfint_lock);
	if (!apfint_owns_handler)
		return;
	kvm_set_posted_intr_wakeup_handler(NULL);
	/*
	 * No CPU may still run apfint_irq_handler() when the module goes.
	 * It runs with interrupts off, so once every CPU took an IPI after
	 * the pointer changed, none is inside it.  Unlike synchronize_rcu(),
	 * this holds before the v4.20 RCU flavour consolidation too.
	 */
	kick_all_cpus_sync();
	apfint_owns_handler = false;
}
