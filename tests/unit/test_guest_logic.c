// unit-sources: guest_kmod/logic.c
// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_guest's pure decisions: load checks, EN arithmetic, the
 * page-ready step per token, the state machine, the vector-taker test.
 */
#include <stdio.h>
#include <string.h>
#include <linux/bits.h>

#include "unit.h"
#include "apfint_abi.h"
#include "../../guest_kmod/logic.h"

#define AREA		0x7fc1e040ULL	/* 64-byte aligned, like apf_reason */
#define FEAT_APF	((u32)BIT(KVM_FEATURE_ASYNC_PF))
#define FEAT_INT	((u32)BIT(KVM_FEATURE_ASYNC_PF_INT))

static void test_check_guest(void)
{
	u64 en = AREA | KVM_ASYNC_PF_ENABLED;

	UNIT_EQ(apfint_check_guest(false, FEAT_APF | FEAT_INT, en),
		APFINT_MISSING_KVM, "not on KVM is refused first");
	UNIT_EQ(apfint_check_guest(true, FEAT_INT, en),
		APFINT_MISSING_ASYNC_PF, "no CPUID bit 4 is refused");
	UNIT_EQ(apfint_check_guest(true, FEAT_APF, en),
		APFINT_MISSING_ASYNC_PF_INT, "a 5.4 host (no bit 14) is refused");
	UNIT_EQ(apfint_check_guest(true, FEAT_APF | FEAT_INT, 0),
		APFINT_MISSING_KERNEL_APF, "EN 0 (no-kvmapf) is refused");
	UNIT_EQ(apfint_check_guest(true, FEAT_APF | FEAT_INT, AREA),
		APFINT_MISSING_KERNEL_APF, "EN with an area but no ENABLED is refused");
	UNIT_EQ(apfint_check_guest(true, FEAT_APF | FEAT_INT,
				   en | APFINT_EN_RESERVED_BITS),
		APFINT_MISSING_EN_LAYOUT, "EN with reserved bits is refused");
	UNIT_EQ(apfint_check_guest(true, FEAT_APF | FEAT_INT,
				   KVM_ASYNC_PF_ENABLED),
		APFINT_MISSING_EN_LAYOUT, "EN without an area address is refused");
	UNIT_EQ(apfint_check_guest(true, FEAT_APF | FEAT_INT | (u32)BIT(10), en),
		APFINT_MISSING_NONE, "a 6.1 host's CPUID and a 5.4 EN load");
	UNIT_CHECK(apfint_missing_expected(APFINT_MISSING_KVM) &&
		   apfint_missing_expected(APFINT_MISSING_ASYNC_PF_INT) &&
		   apfint_missing_expected(APFINT_MISSING_KERNEL_APF),
		   "not a KVM guest, no bit 14, no-kvmapf: this machine's normal state");
	UNIT_CHECK(!apfint_missing_expected(APFINT_MISSING_EN_LAYOUT) &&
		   !apfint_missing_expected(APFINT_MISSING_NONE),
		   "a bad EN layout is an error; loading is no refusal");
	UNIT_CHECK(strstr(apfint_missing_str(APFINT_MISSING_ASYNC_PF_INT),
			  "bit 14") != NULL, "the refusal names bit 14");
	UNIT_CHECK(strstr(apfint_missing_str(APFINT_MISSING_KERNEL_APF),
			  "no-kvmapf") != NULL, "the refusal names no-kvmapf");
	UNIT_CHECK(strcmp(apfint_missing_str(APFINT_MISSING_MAX), "unknown") == 0,
		   "an out-of-range reason still has a string");
}

static void test_en(void)
{
	u64 kernel_en, int_en, out;
	u64 en = AREA | KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS |
		 KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT;

	UNIT_CHECK(apfint_en_kernel_value(en, &kernel_en), "kernel EN accepted");
	UNIT_EQ(kernel_en, en, "kernel EN kept bit for bit");
	UNIT_CHECK(apfint_en_with_int(kernel_en, &int_en), "bit 3 can be added");
	UNIT_EQ(int_en, en | KVM_ASYNC_PF_DELIVERY_AS_INT,
		"only bit 3 is added, SEND_ALWAYS and VMEXIT kept");
	UNIT_EQ(apfint_en_area_gpa(int_en), AREA, "area GPA is bits 63:6");

	UNIT_CHECK(apfint_en_kernel_value(en | KVM_ASYNC_PF_DELIVERY_AS_INT,
					  &kernel_en), "stale bit 3 accepted");
	UNIT_EQ(kernel_en, en, "stale bit 3 is stripped from the kernel's value");

	UNIT_CHECK(!apfint_en_kernel_value(0, &kernel_en),
		   "EN 0 cannot be switched");
	UNIT_CHECK(!apfint_en_with_int(AREA | KVM_ASYNC_PF_ENABLED | 0x10,
				       &int_en),
		   "reserved bit 4 is never written back (the host #GPs)");
	UNIT_CHECK(!apfint_en_with_int(AREA | KVM_ASYNC_PF_ENABLED | 0x20,
				       &int_en),
		   "reserved bit 5 is never written back");

	/* Restore decisions. */
	kernel_en = AREA | KVM_ASYNC_PF_ENABLED;
	UNIT_CHECK(apfint_en_restore(kernel_en | KVM_ASYNC_PF_DELIVERY_AS_INT,
				     kernel_en, &out), "our EN is restored");
	UNIT_EQ(out, kernel_en, "restored to the kernel's exact value");
	UNIT_CHECK(!apfint_en_restore(0, kernel_en, &out),
		   "EN the kernel cleared (reboot, offline) stays 0");
	UNIT_CHECK(!apfint_en_restore(kernel_en, kernel_en, &out),
		   "EN already in the kernel's mode is left alone");
	UNIT_CHECK(apfint_en_restore(0x1000 | KVM_ASYNC_PF_ENABLED |
				     KVM_ASYNC_PF_DELIVERY_AS_INT,
				     kernel_en, &out),
		   "a foreign EN with bit 3 still loses bit 3");
	UNIT_EQ(out, 0x1000 | KVM_ASYNC_PF_ENABLED,
		"and keeps everything else");
}

static void test_irq_step(void)
{
	struct apfint_cpu_stats st = { 0 };
	struct apfint_irq_step s;

	apfint_irq_decide(&st, true, 0x1234, &s);
	UNIT_CHECK(s.wake && s.clear && s.ack, "a token is woken, cleared, ACKed");
	UNIT_EQ(st.n[APFINT_CNT_wakes], 1, "counted as a single wake");

	apfint_irq_decide(&st, true, APFINT_WAKE_ALL_TOKEN, &s);
	UNIT_CHECK(s.wake && s.clear && s.ack, "wake-all is passed on, cleared, ACKed");
	UNIT_EQ(st.n[APFINT_CNT_wake_alls], 1, "counted as a wake-all");

	apfint_irq_decide(&st, true, 0, &s);
	UNIT_CHECK(!s.wake && !s.clear && s.ack,
		   "token 0 wakes nobody (no dummy entry) but is ACKed");
	UNIT_EQ(st.n[APFINT_CNT_spurious], 1, "counted as spurious");

	apfint_irq_decide(&st, false, 0x55, &s);
	UNIT_CHECK(!s.wake && !s.clear && !s.ack,
		   "after leaving interrupt mode nothing is touched");
	UNIT_EQ(st.n[APFINT_CNT_late], 1, "counted as late");

	UNIT_EQ(st.n[APFINT_CNT_irqs], 3, "irqs counts active interrupts only");
	UNIT_EQ(st.n[APFINT_CNT_acks], 3, "one ACK per active interrupt");
	UNIT_EQ(st.n[APFINT_CNT_irqs], st.n[APFINT_CNT_wakes] +
		st.n[APFINT_CNT_wake_alls] + st.n[APFINT_CNT_spurious],
		"irqs = wakes + wake-alls + spurious");
}

/*
 * The debugfs stats lines print " name=value" per counter in list order
 * (tests parse them): the list must give the very names and order of the
 * format it replaced.
 */
static void test_counter_list(void)
{
	static const char *const names[] = {
#define APFINT_COUNTER(name) #name,
#include "../../guest_kmod/counters.h"
	};
	char got[512] = "total", want[512];
	unsigned int i;
	size_t len;

	UNIT_EQ(APFINT_NR_COUNTERS, 9, "nine counters");
	UNIT_EQ(sizeof(names) / sizeof(names[0]), APFINT_NR_COUNTERS,
		"one name per enum apfint_counter");
	UNIT_EQ(sizeof(struct apfint_cpu_stats), 9 * sizeof(u64),
		"the per-CPU stats are the counters and nothing else");
	for (i = 0; i < APFINT_NR_COUNTERS; i++) {
		len = strlen(got);
		snprintf(got + len, sizeof(got) - len, " %s=%u", names[i], i);
	}
	snprintf(want, sizeof(want),
		 "total irqs=%u wakes=%u wake_alls=%u acks=%u spurious=%u late=%u enables=%u disables=%u drained=%u",
		 APFINT_CNT_irqs, APFINT_CNT_wakes, APFINT_CNT_wake_alls,
		 APFINT_CNT_acks, APFINT_CNT_spurious, APFINT_CNT_late,
		 APFINT_CNT_enables, APFINT_CNT_disables, APFINT_CNT_drained);
	UNIT_CHECK(strcmp(got, want) == 0,
		   "the 'total' line is the one tests/vm parse");
	if (strcmp(got, want))
		printf("#   got  '%s'\n#   want '%s'\n", got, want);
}

static void test_states(void)
{
	UNIT_CHECK(apfint_state_change_ok(APFINT_ST_OFF, APFINT_ST_ACTIVE), "load");
	UNIT_CHECK(apfint_state_change_ok(APFINT_ST_ACTIVE, APFINT_ST_FALLBACK),
		   "kvm_intel fallback");
	UNIT_CHECK(apfint_state_change_ok(APFINT_ST_ACTIVE, APFINT_ST_SHUTDOWN),
		   "reboot");
	UNIT_CHECK(apfint_state_change_ok(APFINT_ST_ACTIVE, APFINT_ST_OFF), "unload");
	UNIT_CHECK(apfint_state_change_ok(APFINT_ST_FALLBACK, APFINT_ST_OFF),
		   "unload after fallback");
	UNIT_CHECK(apfint_state_change_ok(APFINT_ST_SHUTDOWN, APFINT_ST_OFF),
		   "unload after shutdown");
	UNIT_CHECK(!apfint_state_change_ok(APFINT_ST_FALLBACK, APFINT_ST_ACTIVE),
		   "no way back to active after a fallback");
	UNIT_CHECK(!apfint_state_change_ok(APFINT_ST_SHUTDOWN, APFINT_ST_ACTIVE),
		   "no way back to active after shutdown");
	UNIT_CHECK(!apfint_state_change_ok(APFINT_ST_OFF, APFINT_ST_FALLBACK),
		   "nothing to fall back from when off");
	UNIT_CHECK(!apfint_state_change_ok(APFINT_ST_OFF, APFINT_ST_OFF),
		   "off to off is a bug");
	UNIT_CHECK(!apfint_state_change_ok(APFINT_ST_ACTIVE, APFINT_ST_MAX),
		   "out-of-range target rejected");
	UNIT_CHECK(strcmp(apfint_state_str(APFINT_ST_FALLBACK), "fallback") == 0,
		   "state names for debugfs");
}

static void test_vector_taker(void)
{
	UNIT_CHECK(apfint_module_takes_vector("kvm_intel", true),
		   "kvm_intel with VMX takes the vector");
	UNIT_CHECK(!apfint_module_takes_vector("kvm_intel", false),
		   "kvm_intel without VMX fails before hardware_setup()");
	UNIT_CHECK(!apfint_module_takes_vector("kvm_amd", true), "kvm_amd does not");
	UNIT_CHECK(!apfint_module_takes_vector("kvm", true), "kvm does not");
	UNIT_CHECK(!apfint_module_takes_vector("kvm_intel2", true),
		   "a longer name does not match");
	UNIT_CHECK(!apfint_module_takes_vector("kvm_inte", true),
		   "a prefix does not match");
	UNIT_CHECK(!apfint_module_takes_vector(NULL, true), "NULL is safe");
}

int main(void)
{
	test_check_guest();
	test_en();
	test_irq_step();
	test_counter_list();
	test_states();
	test_vector_taker();
	return unit_done();
}
