// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_guest: switches a KVM guest kernel that takes 'page ready' as a #PF
 * (Linux 4.14 to 5.8) to interrupt-based delivery, which a 5.8+ host
 * requires before it sends any async page fault at all.
 *
 * Route: the posted-interrupt wake-up system vector.  Its IDT entry exists
 * in every x86 kernel (CONFIG_HAVE_KVM), the same vector on every CPU, and
 * its handler is set through the exported
 * kvm_set_posted_intr_wakeup_handler(); only kvm_intel uses it otherwise.
 * Per-CPU vectors from the x86 vector domain would need
 * __irq_domain_alloc_irqs(), which is not exported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <linux/syscore_ops.h>
#include <asm/irq.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "apfint_compat.h"
#include "apfint_abi.h"
#include "apfint_guest.h"

/*
 * apfint_state changes only under apfint_lock and cpus_read_lock(), so a
 * CPU coming online sees either the old state before the switch of all
 * online CPUs or the new one after it.
 */
static DEFINE_MUTEX(apfint_lock);
static enum apfint_state apfint_state;
static bool apfint_owns_handler;
static int apfint_hp_state = -1;
static struct dentry *apfint_dir;

static void apfint_set_state(enum apfint_state to)
{
	WARN(!apfint_state_change_ok(apfint_state, to),
	     "illegal state change %s -> %s\n",
	     apfint_state_str(apfint_state), apfint_state_str(to));
	WRITE_ONCE(apfint_state, to);
}

static bool apfint_active(void)
{
	return READ_ONCE(apfint_state) == APFINT_ST_ACTIVE;
}

static void apfint_enable_ipi(void *info)
{
	atomic_t *failed = info;
	int err = apfint_cpu_enable();

	if (err) {
		this_cpu_ptr(&apfint_cpu)->err = err;
		atomic_inc(failed);
	}
}

static void apfint_disable_ipi(void *unused)
{
	apfint_cpu_disable();
}

/* Caller holds apfint_lock. */
static void apfint_leave_all(enum apfint_state to)
{
	cpus_read_lock();
	apfint_set_state(to);
	on_each_cpu(apfint_disable_ipi, NULL, 1);
	cpus_read_unlock();
}

/* Caller holds apfint_lock; no CPU may be in interrupt mode any more. */
static void apfint_release_handler(void)
{
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

/*
 * Emulation offers only SVM, so the kvm_intel fallback cannot be reached
 * in the VM tests without pretending (tests/vm/guest-fake-kvm-intel/).
 */
static bool test_assume_vmx;
module_param(test_assume_vmx, bool, 0444);
MODULE_PARM_DESC(test_assume_vmx,
		 "testing only: act as if the CPU had VMX (kvm_intel fallback)");

/* kvm_intel's own test (cpu_has_vmx()) for getting to hardware_setup(). */
static bool apfint_cpu_has_vmx(void)
{
	return test_assume_vmx || (cpuid_ecx(1) & BIT(X86_FEATURE_VMX & 31));
}

/* ---- who owns POSTED_INTR_WAKEUP_VECTOR ---- */

#if HAVE_KALLSYMS_LOOKUP_NAME
/*
 * The handler pointer is static in arch/x86/kernel/irq.c; with
 * CONFIG_KALLSYMS_ALL its address is known.  kvm_intel (5.4 checked) never
 * resets it on unload, so a kvm_intel loaded and removed earlier leaves a
 * dangling pointer, which this catches and the module notifier cannot.
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
	if (strncmp(sym, "dummy_handler+0x0/", 18)) {
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
		apfint_release_handler();
		pr_warn("%s is loading and takes POSTED_INTR_WAKEUP_VECTOR (0x%x): every CPU is back in the kernel's own async PF mode, which a 5.8+ host does not serve (no async PF until reboot)\n",
			mod->name, APFINT_GUEST_VECTOR);
	}
	mutex_unlock(&apfint_lock);
	return NOTIFY_DONE;
}

static struct notifier_block apfint_module_nb = {
	.notifier_call = apfint_module_notify,
};

/* ---- paths where the kernel rewrites EN ---- */

/*
 * A dynamic state registered after the kernel's "x86/kvm:online": its
 * startup runs after kvm_cpu_online() rewrote EN, its teardown before
 * kvm_cpu_down_prepare() clears it.  Both run on the CPU concerned.
 */
static int apfint_cpu_online(unsigned int cpu)
{
	struct apfint_cpu *c;
	unsigned long flags;
	u64 t0;
	int err = 0;

	if (!apfint_active())
		return 0;
	/* Timed: a slow CPU online under emulation must not be blamed here. */
	t0 = local_clock();
	local_irq_save(flags);
	c = this_cpu_ptr(&apfint_cpu);
	err = apfint_cpu_enable();
	if (err)
		c->err = err;
	c->max_online_ns = max(c->max_online_ns, local_clock() - t0);
	local_irq_restore(flags);
	/* Never fail bringing a CPU up: it just keeps the kernel's mode. */
	if (err)
		pr_warn("CPU %u stays in the kernel's async PF mode (error %d)\n",
			cpu, err);
	return 0;
}

static int apfint_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	apfint_cpu_disable();
	local_irq_restore(flags);
	return 0;
}

/*
 * Syscore: boot CPU only, interrupts off, other CPUs already offline.
 * Suspend runs in reverse registration order, resume in order, so ours
 * leave before kvm_suspend() and come back after kvm_resume().  A kernel
 * that does not re-enable APF on resume leaves EN 0, and we stay off.
 */
static int apfint_suspend(void)
{
	apfint_cpu_disable();
	return 0;
}

static void apfint_resume(void)
{
	int err;

	if (!apfint_active())
		return;
	err = apfint_cpu_enable();
	if (err) {
		this_cpu_ptr(&apfint_cpu)->err = err;
		pr_warn("resume: boot CPU stays in the kernel's async PF mode (error %d)\n",
			err);
	}
}

static struct syscore_ops apfint_syscore_ops = {
	.suspend = apfint_suspend,
	.resume = apfint_resume,
};

/*
 * Reboot and kexec: the kernel sets EN to 0 on every CPU.  Leave first and
 * clear the vector too, so that the next kernel finds no bit 3 and no
 * stray vector.  A crash kexec skips notifiers: see README.
 */
static int apfint_reboot_notify(struct notifier_block *nb,
				unsigned long code, void *unused)
{
	mutex_lock(&apfint_lock);
	if (apfint_active()) {
		apfint_leave_all(APFINT_ST_SHUTDOWN);
		pr_info("shutdown (code %lu): every CPU back in the kernel's async PF mode, vector cleared\n",
			code);
	}
	mutex_unlock(&apfint_lock);
	return NOTIFY_DONE;
}

static struct notifier_block apfint_reboot_nb = {
	.notifier_call = apfint_reboot_notify,
	/* Before kvm_pv_reboot_notify(), though either order is safe. */
	.priority = 1,
};

/* ---- counters ---- */

static const char *const apfint_counter_names[APFINT_NR_COUNTERS] = {
#define APFINT_COUNTER(name) __stringify(name),
#include "counters.h"
};

/* " name=value" for each counter, in list order. */
static void apfint_counters_show(struct seq_file *m,
				 const struct apfint_cpu_stats *st)
{
	unsigned int i;

	for (i = 0; i < APFINT_NR_COUNTERS; i++)
		seq_printf(m, " %s=%llu", apfint_counter_names[i], st->n[i]);
}

static int apfint_stats_show(struct seq_file *m, void *unused)
{
	struct apfint_cpu_stats tot = {};
	unsigned int cpu, i;

	seq_printf(m, "state %s\n",
		   apfint_state_str(READ_ONCE(apfint_state)));
	seq_printf(m, "vector 0x%x\n", APFINT_GUEST_VECTOR);
	for_each_possible_cpu(cpu) {
		struct apfint_cpu *c = per_cpu_ptr(&apfint_cpu, cpu);
		struct apfint_cpu_stats s;

		/* Racy against the owning CPU, which is fine for counters. */
		for (i = 0; i < APFINT_NR_COUNTERS; i++)
			s.n[i] = READ_ONCE(c->st.n[i]);
		if (!cpu_online(cpu) && !s.n[APFINT_CNT_enables])
			continue;
		seq_printf(m, "cpu=%u online=%d active=%d err=%d", cpu,
			   cpu_online(cpu), READ_ONCE(c->active),
			   READ_ONCE(c->err));
		apfint_counters_show(m, &s);
		seq_printf(m, " max_online_us=%llu\n",
			   READ_ONCE(c->max_online_ns) / 1000);
		for (i = 0; i < APFINT_NR_COUNTERS; i++)
			tot.n[i] += s.n[i];
	}
	seq_puts(m, "total");
	apfint_counters_show(m, &tot);
	seq_putc(m, '\n');
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(apfint_stats);

/* One file per counter, summed over CPUs, for scripts. */
static int apfint_total_get(void *data, u64 *val)
{
	unsigned int i = (uintptr_t)data;
	unsigned int cpu;
	u64 sum = 0;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(&apfint_cpu, cpu)->st.n[i]);
	*val = sum;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(apfint_total_fops, apfint_total_get, NULL, "%llu\n");

static void apfint_debugfs_init(void)
{
	unsigned int i;

	apfint_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0444, apfint_dir, NULL,
			    &apfint_stats_fops);
	for (i = 0; i < APFINT_NR_COUNTERS; i++)
		debugfs_create_file_unsafe(apfint_counter_names[i], 0444,
					   apfint_dir, (void *)(uintptr_t)i,
					   &apfint_total_fops);
}

/* ---- load and unload ---- */

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
		pr_err("not loading: %s\n", apfint_missing_str(why));
		return -ENODEV;
	}
	pr_info("KVM features 0x%x, boot CPU EN 0x%llx\n", features, boot_en);
	return 0;
}

static int apfint_enter_all(void)
{
	atomic_t failed = ATOMIC_INIT(0);
	unsigned int cpu, active = 0;
	int ret = 0;

	mutex_lock(&apfint_lock);
	cpus_read_lock();
	apfint_set_state(APFINT_ST_ACTIVE);
	on_each_cpu(apfint_enable_ipi, &failed, 1);
	if (atomic_read(&failed)) {
		for_each_online_cpu(cpu)
			if (per_cpu(apfint_cpu, cpu).err)
				pr_err("CPU %u: switching to interrupt delivery failed (error %d)\n",
				       cpu, per_cpu(apfint_cpu, cpu).err);
		apfint_set_state(APFINT_ST_OFF);
		on_each_cpu(apfint_disable_ipi, NULL, 1);
		ret = -EIO;
	} else {
		for_each_online_cpu(cpu)
			active += per_cpu(apfint_cpu, cpu).active;
	}
	cpus_read_unlock();
	mutex_unlock(&apfint_lock);
	if (!ret)
		pr_info("interrupt delivery on %u of %u online CPUs, vector 0x%x\n",
			active, num_online_cpus(), APFINT_GUEST_VECTOR);
	return ret;
}

static int __init apfint_guest_init(void)
{
	int ret;

	pr_info("version %s\n", APFINT_VERSION);
	ret = apfint_check_guest_now();
	if (ret)
		return ret;

	/* Before looking for kvm_intel, so that a racing load is seen. */
	ret = register_module_notifier(&apfint_module_nb);
	if (ret)
		return ret;
	ret = apfint_check_kvm_intel();
	if (ret)
		goto err_module_nb;
	ret = apfint_check_vector_free();
	if (ret)
		goto err_module_nb;

	mutex_lock(&apfint_lock);
	kvm_set_posted_intr_wakeup_handler(apfint_irq_handler);
	apfint_owns_handler = true;
	ret = apfint_check_vector_ours();
	mutex_unlock(&apfint_lock);
	if (ret)
		goto err_handler;

	apfint_debugfs_init();

	ret = register_reboot_notifier(&apfint_reboot_nb);
	if (ret)
		goto err_debugfs;
	register_syscore_ops(&apfint_syscore_ops);

	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					"apfint_guest:online",
					apfint_cpu_online, apfint_cpu_offline);
	if (ret < 0)
		goto err_syscore;
	apfint_hp_state = ret;

	ret = apfint_enter_all();
	if (ret)
		goto err_cpuhp;
	return 0;

err_cpuhp:
	cpuhp_remove_state_nocalls(apfint_hp_state);
err_syscore:
	unregister_syscore_ops(&apfint_syscore_ops);
	unregister_reboot_notifier(&apfint_reboot_nb);
err_debugfs:
	debugfs_remove_recursive(apfint_dir);
err_handler:
	mutex_lock(&apfint_lock);
	apfint_release_handler();
	mutex_unlock(&apfint_lock);
err_module_nb:
	unregister_module_notifier(&apfint_module_nb);
	return ret;
}

static void __exit apfint_guest_exit(void)
{
	debugfs_remove_recursive(apfint_dir);

	mutex_lock(&apfint_lock);
	if (READ_ONCE(apfint_state) != APFINT_ST_OFF)
		apfint_leave_all(APFINT_ST_OFF);
	/* Not after a fallback: kvm_intel's handler must stay. */
	apfint_release_handler();
	mutex_unlock(&apfint_lock);

	cpuhp_remove_state_nocalls(apfint_hp_state);
	unregister_syscore_ops(&apfint_syscore_ops);
	unregister_reboot_notifier(&apfint_reboot_nb);
	unregister_module_notifier(&apfint_module_nb);
	pr_info("unloaded; every CPU back in the kernel's async PF mode\n");
}

module_init(apfint_guest_init);
module_exit(apfint_guest_exit);
MODULE_DESCRIPTION("Interrupt-based async page fault 'page ready' for old KVM guests");
MODULE_LICENSE("GPL");
MODULE_VERSION(APFINT_VERSION);
