// SPDX-License-Identifier: GPL-2.0
/*
 * The places where the kernel rewrites MSR_KVM_ASYNC_PF_EN behind
 * apfint_guest's back: CPU hotplug, suspend and resume, reboot and kexec.
 * Each hook takes the CPU out of interrupt mode before the kernel's write,
 * or puts it back after, and does nothing unless the state is ACTIVE.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/cpuhotplug.h>
#include <linux/irqflags.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/sched/clock.h>
#include <linux/syscore_ops.h>

#include "apfint_compat.h"
#include "apfint_guest.h"

static int apfint_hp_state = -1;
static bool apfint_hooked;

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
	/* Timed for debugfs: how long this callback holds up a CPU online. */
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
 * stray vector.  A crash kexec skips notifiers (docs/ABI.md, "Differences
 * from upstream").
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

int apfint_rewrite_hook(void)
{
	int ret;

	ret = register_reboot_notifier(&apfint_reboot_nb);
	if (ret)
		return ret;
	register_syscore_ops(&apfint_syscore_ops);
	apfint_hooked = true;

	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					"apfint_guest:online",
					apfint_cpu_online, apfint_cpu_offline);
	if (ret < 0)
		return ret;
	apfint_hp_state = ret;
	return 0;
}

void apfint_rewrite_unhook(void)
{
	if (apfint_hp_state >= 0)
		cpuhp_remove_state_nocalls(apfint_hp_state);
	apfint_hp_state = -1;
	if (apfint_hooked) {
		unregister_syscore_ops(&apfint_syscore_ops);
		unregister_reboot_notifier(&apfint_reboot_nb);
	}
	apfint_hooked = false;
}
