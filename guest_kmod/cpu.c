// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_guest's delivery mode: the module state, switching one CPU or
 * every online CPU into and out of interrupt delivery, and the page-ready
 * interrupt handler.  The per-CPU parts run on the CPU concerned with
 * interrupts disabled.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/io.h>		/* phys_to_virt(), not implied by mm.h on 5.7 */
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/kvm_para.h>
#include <asm/msr.h>

#include "apfint_compat.h"
#include "apfint_abi.h"
#include "apfint_guest.h"

DEFINE_PER_CPU(struct apfint_cpu, apfint_cpu);

/*
 * apfint_state changes only under apfint_lock and cpus_read_lock(), so a
 * CPU coming online sees either the old state before the switch of all
 * online CPUs or the new one after it.
 */
DEFINE_MUTEX(apfint_lock);
static enum apfint_state apfint_state;

/*
 * The kernel's per-CPU area (apf_reason in arch/x86/kernel/kvm.c) is
 * static; EN holds its physical address.  It lives in the linear map.
 */
static u32 *apfint_token_slot(u64 en)
{
	phys_addr_t gpa = apfint_en_token_gpa(en);

	if (!pfn_valid(PHYS_PFN(gpa)))
		return NULL;
	return phys_to_virt(gpa);
}

/* Switch this CPU to interrupt delivery.  0 also when EN is off here. */
int apfint_cpu_enable(void)
{
	struct apfint_cpu *c = this_cpu_ptr(&apfint_cpu);
	u64 en, kernel_en, int_en;
	u32 *slot;

	BUILD_BUG_ON(!apfint_vector_ok(APFINT_GUEST_VECTOR));
	lockdep_assert_irqs_disabled();
	if (c->active)
		return 0;
	if (rdmsrl_safe(MSR_KVM_ASYNC_PF_EN, &en))
		return -EIO;
	/* The kernel keeps async PF off on this CPU: nothing to extend. */
	if (!(en & KVM_ASYNC_PF_ENABLED))
		return 0;
	if (!apfint_en_kernel_value(en, &kernel_en) ||
	    !apfint_en_with_int(kernel_en, &int_en))
		return -EINVAL;
	slot = apfint_token_slot(kernel_en);
	if (!slot)
		return -EFAULT;

	/* The host posts only into a free slot; a stale token blocks it. */
	WRITE_ONCE(*slot, 0);
	/* INT before EN: with bit 3 and no vector the host injects vector 0. */
	if (wrmsrl_safe(MSR_KVM_ASYNC_PF_INT,
			apfint_int_msr_value(APFINT_GUEST_VECTOR)))
		return -EIO;
	if (wrmsrl_safe(MSR_KVM_ASYNC_PF_EN, int_en)) {
		wrmsrl_safe(MSR_KVM_ASYNC_PF_INT, 0);
		return -EIO;
	}
	/*
	 * Interrupts are off, so the wake-all the host queues on enabling
	 * cannot arrive before this CPU is marked active.
	 */
	c->token = slot;
	c->kernel_en = kernel_en;
	c->active = true;
	c->err = 0;
	c->st.n[APFINT_CNT_enables]++;
	return 0;
}

/*
 * Back to the kernel's own mode on this CPU.  A 5.8+ host drops the
 * vCPU's queue when bit 3 goes away and never sends those page-readies,
 * so every task waiting on this CPU is woken here; each retries its access
 * and faults again.
 */
void apfint_cpu_disable(void)
{
	struct apfint_cpu *c = this_cpu_ptr(&apfint_cpu);
	u64 cur, restore;
	u32 token;

	lockdep_assert_irqs_disabled();
	if (!c->active)
		return;
	if (!rdmsrl_safe(MSR_KVM_ASYNC_PF_EN, &cur) &&
	    apfint_en_restore(cur, c->kernel_en, &restore))
		wrmsrl_safe(MSR_KVM_ASYNC_PF_EN, restore);
	/* Bit 3 is gone: clearing the vector cannot get vector 0 injected. */
	wrmsrl_safe(MSR_KVM_ASYNC_PF_INT, 0);
	c->active = false;

	/* A token posted before the switch, its interrupt not yet taken. */
	token = READ_ONCE(*c->token);
	WRITE_ONCE(*c->token, 0);
	if (token && token != APFINT_WAKE_ALL_TOKEN) {
		c->st.n[APFINT_CNT_drained]++;
		kvm_async_pf_task_wake(token);
	}
	/* Clears the host's page-ready-pending mark, which gates its kicks. */
	wrmsrl_safe(MSR_KVM_ASYNC_PF_ACK, APFINT_ACK_BIT);
	/* Wakes the waiters whose fault happened on this CPU (kvm.c rule). */
	kvm_async_pf_task_wake(APFINT_WAKE_ALL_TOKEN);
	c->st.n[APFINT_CNT_disables]++;
}

/*
 * POSTED_INTR_WAKEUP_VECTOR's handler, called by the kernel's
 * smp_kvm_posted_intr_wakeup_ipi() after irq_enter() and the APIC EOI.
 * No allocation and no sleeping here; kvm_async_pf_task_wake() takes a
 * raw spinlock and at most allocates GFP_ATOMIC, as in the #PF path.
 */
void apfint_irq_handler(void)
{
	struct apfint_cpu *c = this_cpu_ptr(&apfint_cpu);
	struct apfint_irq_step step;
	u32 token = 0;

	if (c->active)
		token = READ_ONCE(*c->token);
	apfint_irq_decide(&c->st, c->active, token, &step);
	if (step.wake)
		kvm_async_pf_task_wake(token);
	/* Free the slot before the ACK: the ACK makes the host post again. */
	if (step.clear)
		WRITE_ONCE(*c->token, 0);
	if (step.ack)
		wrmsrl(MSR_KVM_ASYNC_PF_ACK, APFINT_ACK_BIT);
}

enum apfint_state apfint_state_get(void)
{
	return READ_ONCE(apfint_state);
}

bool apfint_active(void)
{
	return apfint_state_get() == APFINT_ST_ACTIVE;
}

static void apfint_set_state(enum apfint_state to)
{
	WARN(!apfint_state_change_ok(apfint_state, to),
	     "illegal state change %s -> %s\n",
	     apfint_state_str(apfint_state), apfint_state_str(to));
	WRITE_ONCE(apfint_state, to);
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

/* Every online CPU into interrupt mode, or none: ACTIVE, or OFF and -EIO. */
int apfint_enter_all(void)
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

/* Every CPU back to the kernel's mode, state @to.  Caller holds apfint_lock. */
void apfint_leave_all(enum apfint_state to)
{
	lockdep_assert_held(&apfint_lock);
	cpus_read_lock();
	apfint_set_state(to);
	on_each_cpu(apfint_disable_ipi, NULL, 1);
	cpus_read_unlock();
}
