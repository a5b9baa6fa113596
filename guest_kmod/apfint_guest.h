/* SPDX-License-Identifier: GPL-2.0 */
/* apfint_guest internals shared by main.c and irq.c. */
#ifndef APFINT_GUEST_H
#define APFINT_GUEST_H

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

int apfint_cpu_enable(void);
void apfint_cpu_disable(void);
void apfint_irq_handler(void);

#endif /* APFINT_GUEST_H */
