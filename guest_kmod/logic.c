// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_guest's kernel-independent decisions; see logic.h.  Kept free of
 * kernel APIs so that tests/unit/test_guest_logic.c compiles this file as
 * it is.
 */
#include <linux/types.h>
#include <linux/bits.h>

#include "apfint_abi.h"
#include "logic.h"

enum apfint_missing apfint_check_guest(bool on_kvm, u32 kvm_features,
				       u64 boot_en)
{
	u64 kernel_en;

	if (!on_kvm)
		return APFINT_MISSING_KVM;
	if (!(kvm_features & BIT(KVM_FEATURE_ASYNC_PF)))
		return APFINT_MISSING_ASYNC_PF;
	if (!(kvm_features & BIT(KVM_FEATURE_ASYNC_PF_INT)))
		return APFINT_MISSING_ASYNC_PF_INT;
	if (!(boot_en & KVM_ASYNC_PF_ENABLED))
		return APFINT_MISSING_KERNEL_APF;
	if (!apfint_en_kernel_value(boot_en, &kernel_en))
		return APFINT_MISSING_EN_LAYOUT;
	return APFINT_MISSING_NONE;
}

/*
 * Whether a refusal is this machine's normal state (not a KVM guest, a
 * host that offers no interrupt delivery, async PF turned off) rather
 * than something wrong.  Boot-time loading tries the module everywhere,
 * so the normal ones must not be logged as errors.
 */
bool apfint_missing_expected(enum apfint_missing why)
{
	return why != APFINT_MISSING_NONE && why != APFINT_MISSING_EN_LAYOUT;
}

const char *apfint_missing_str(enum apfint_missing why)
{
	switch (why) {
	case APFINT_MISSING_NONE:
		return "nothing";
	case APFINT_MISSING_KVM:
		return "not running on KVM (no KVMKVMKVM CPUID signature)";
	case APFINT_MISSING_ASYNC_PF:
		return "no KVM_FEATURE_ASYNC_PF (CPUID 0x40000001.EAX bit 4)";
	case APFINT_MISSING_ASYNC_PF_INT:
		return "no KVM_FEATURE_ASYNC_PF_INT (CPUID 0x40000001.EAX bit 14)";
	case APFINT_MISSING_KERNEL_APF:
		return "kernel's async PF off on the boot CPU (EN is 0: no-kvmapf?)";
	case APFINT_MISSING_EN_LAYOUT:
		return "MSR_KVM_ASYNC_PF_EN has reserved bits or no area address";
	default:
		return "unknown";
	}
}

bool apfint_en_kernel_value(u64 en, u64 *kernel_en)
{
	if (!(en & KVM_ASYNC_PF_ENABLED))
		return false;
	if (apfint_en_reserved(en))
		return false;
	if (!apfint_en_area_gpa(en))
		return false;
	*kernel_en = apfint_en_strip_int(en);
	return true;
}

bool apfint_en_with_int(u64 kernel_en, u64 *int_en)
{
	u64 clean;

	if (!apfint_en_kernel_value(kernel_en, &clean))
		return false;
	*int_en = apfint_en_add_int(clean);
	return true;
}

bool apfint_en_restore(u64 cur, u64 kernel_en, u64 *out)
{
	/* The usual case: EN is still what apfint wrote. */
	if (cur == apfint_en_add_int(kernel_en)) {
		*out = kernel_en;
		return true;
	}
	/*
	 * Someone rewrote EN but kept bit 3 (the kernel never sets it):
	 * strip only bit 3, never re-enable what was turned off.
	 */
	if (cur & KVM_ASYNC_PF_DELIVERY_AS_INT) {
		*out = apfint_en_strip_int(cur);
		return true;
	}
	return false;
}

void apfint_irq_decide(struct apfint_cpu_stats *st, bool active, u32 token,
		       struct apfint_irq_step *step)
{
	step->wake = false;
	step->clear = false;
	step->ack = false;

	/*
	 * Interrupt mode already left on this CPU: the switch back drained
	 * the slot and woke everyone, and an ACK would make a host rescan a
	 * queue it no longer keeps.  Only count it.
	 */
	if (!active) {
		st->n[APFINT_CNT_late]++;
		return;
	}

	st->n[APFINT_CNT_irqs]++;
	if (token == 0) {
		/* Nothing posted (tokens are never 0 when posted): no wake-up. */
		st->n[APFINT_CNT_spurious]++;
	} else {
		if (token == APFINT_WAKE_ALL_TOKEN)
			st->n[APFINT_CNT_wake_alls]++;
		else
			st->n[APFINT_CNT_wakes]++;
		step->wake = true;
		step->clear = true;
	}
	/* ACK even a spurious one: it costs nothing and unsticks the host. */
	step->ack = true;
	st->n[APFINT_CNT_acks]++;
}

bool apfint_state_change_ok(enum apfint_state from, enum apfint_state to)
{
	switch (to) {
	case APFINT_ST_ACTIVE:
		return from == APFINT_ST_OFF;
	case APFINT_ST_FALLBACK:
	case APFINT_ST_SHUTDOWN:
		return from == APFINT_ST_ACTIVE;
	case APFINT_ST_OFF:
		return from != APFINT_ST_OFF && from < APFINT_ST_MAX;
	default:
		return false;
	}
}

const char *apfint_state_str(enum apfint_state st)
{
	switch (st) {
	case APFINT_ST_OFF:
		return "off";
	case APFINT_ST_ACTIVE:
		return "active";
	case APFINT_ST_FALLBACK:
		return "fallback";
	case APFINT_ST_SHUTDOWN:
		return "shutdown";
	default:
		return "invalid";
	}
}

bool apfint_module_takes_vector(const char *name, bool cpu_has_vmx)
{
	static const char kvm_intel[] = "kvm_intel";
	unsigned int i;

	if (!name)
		return false;
	for (i = 0; i < sizeof(kvm_intel); i++)
		if (name[i] != kvm_intel[i])
			return false;
	/* Without VMX, kvm_intel's init fails before it touches the vector. */
	return cpu_has_vmx;
}
