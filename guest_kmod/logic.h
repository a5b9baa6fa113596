/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apfint_guest's kernel-independent decisions.  logic.c includes only
 * <linux/types.h>, <linux/errno.h>, <linux/bits.h>, "apfint_abi.h" and the
 * plain list counters.h, so the userspace unit tests
 * (tests/unit/test_guest_*.c) compile the very same source.
 */
#ifndef APFINT_GUEST_LOGIC_H
#define APFINT_GUEST_LOGIC_H

#include <linux/types.h>

/* What a guest lacks for apfint_guest to be useful; 0 when nothing. */
enum apfint_missing {
	APFINT_MISSING_NONE = 0,
	APFINT_MISSING_KVM,		/* not running on KVM */
	APFINT_MISSING_ASYNC_PF,	/* CPUID 0x40000001.EAX bit 4 */
	APFINT_MISSING_ASYNC_PF_INT,	/* CPUID 0x40000001.EAX bit 14 */
	APFINT_MISSING_KERNEL_APF,	/* boot CPU's EN is off (no-kvmapf?) */
	APFINT_MISSING_EN_LAYOUT,	/* EN has reserved bits or no area */
	APFINT_MISSING_MAX
};

enum apfint_missing apfint_check_guest(bool on_kvm, u32 kvm_features,
				       u64 boot_en);
bool apfint_missing_expected(enum apfint_missing why);
const char *apfint_missing_str(enum apfint_missing why);

/*
 * EN as the kernel left it, and EN with interrupt delivery added.  Both
 * return false when @en cannot be switched (disabled, reserved bits set,
 * no area address).  A stale bit 3 (an earlier instance that did not clean
 * up) is not the kernel's: it is stripped.
 */
bool apfint_en_kernel_value(u64 en, u64 *kernel_en);
bool apfint_en_with_int(u64 kernel_en, u64 *int_en);

/*
 * On the way back to the kernel's mode: which EN to write, given what EN
 * reads now (@cur) and what apfint found before switching (@kernel_en).
 * Returns true and sets *out when EN must be written; false when the kernel
 * already rewrote EN itself (then bit 3 is gone and nothing is to be done).
 */
bool apfint_en_restore(u64 cur, u64 kernel_en, u64 *out);

/* The per-CPU counters, APFINT_CNT_<name> each (counters.h). */
enum apfint_counter {
#define APFINT_COUNTER(name) APFINT_CNT_##name,
#include "counters.h"
	APFINT_NR_COUNTERS
};

/* One CPU's counters.  Only the owning CPU writes them. */
struct apfint_cpu_stats {
	u64 n[APFINT_NR_COUNTERS];
};

/* What one page-ready interrupt has to do, decided from the token. */
struct apfint_irq_step {
	bool wake;		/* call kvm_async_pf_task_wake(token) */
	bool clear;		/* write 0 to the token slot */
	bool ack;		/* write 1 to MSR_KVM_ASYNC_PF_ACK */
};

void apfint_irq_decide(struct apfint_cpu_stats *st, bool active, u32 token,
		       struct apfint_irq_step *step);

/*
 * The module's life:
 *
 *        load                  kvm_intel loads (takes the vector)
 *   OFF ------> ACTIVE ----------------------------------> FALLBACK
 *    ^            |  \  reboot/kexec notifier                 |
 *    |  unload    |   `------------------> SHUTDOWN           | unload
 *    `------------+-------------------------------------------'
 *
 * Only ACTIVE has CPUs in interrupt mode.  FALLBACK and SHUTDOWN are final
 * until unload: every CPU runs in the kernel's own mode.
 */
enum apfint_state {
	APFINT_ST_OFF = 0,
	APFINT_ST_ACTIVE,
	APFINT_ST_FALLBACK,
	APFINT_ST_SHUTDOWN,
	APFINT_ST_MAX
};

bool apfint_state_change_ok(enum apfint_state from, enum apfint_state to);
const char *apfint_state_str(enum apfint_state st);

/*
 * A module about to load that takes the posted-interrupt wake-up vector:
 * kvm_intel installs its handler in hardware_setup(), which it reaches only
 * when the CPU has VMX.
 */
bool apfint_module_takes_vector(const char *name, bool cpu_has_vmx);

#endif /* APFINT_GUEST_LOGIC_H */
