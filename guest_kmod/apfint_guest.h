/* SPDX-License-Identifier: GPL-2.0 */
/* apfint_guest internals shared by its files; see each file for its job. */
#ifndef APFINT_GUEST_H
#define APFINT_GUEST_H

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include "logic.h"

/* One CPU's view of interrupt mode.  Written only on that CPU, irqs off. */
struct apfint_cpu {
	u32 *token;		/* the token slot of this CPU's APF area */
	u64 kernel_en;		/* MSR_KVM_ASYNC_PF_EN as the kernel wrote it */
	bool active;		/* bit 3 set by us and not yet taken back */
	int err;		/* last failed switch, for debugfs */
	u64 max_online_ns;	/* slowest hotplug online callback */
	struct apfint_cpu_stats st;
};

DECLARE_PER_CPU(struct apfint_cpu, apfint_cpu);

/* cpu.c: the delivery mode, of one CPU and of them all */
extern struct mutex apfint_lock;
enum apfint_state apfint_state_get(void);
bool apfint_active(void);
int apfint_cpu_enable(void);
void apfint_cpu_disable(void);
int apfint_enter_all(void);
void apfint_leave_all(enum apfint_state to);
void apfint_irq_handler(void);

/* vector.c: POSTED_INTR_WAKEUP_VECTOR, and kvm_intel loading later */
int apfint_vector_watch(void);
void apfint_vector_unwatch(void);
int apfint_vector_claim(void);
void apfint_vector_release(void);

/* rewrite.c: hotplug, syscore and reboot hooks around the kernel's EN */
int apfint_rewrite_hook(void);
void apfint_rewrite_unhook(void);

/* stats.c: debugfs */
void apfint_stats_init(void);
void apfint_stats_exit(void);

#endif /* APFINT_GUEST_H */
