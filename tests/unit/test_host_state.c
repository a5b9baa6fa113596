// unit-sources: host_kmod/state.c
// SPDX-License-Identifier: GPL-2.0
/* Rules of apfint_host's MSR handling and per-vCPU delivery state. */
#include "unit.h"
#include "../../host_kmod/state.h"

static void test_int_msr(void)
{
	UNIT_EQ(apfint_check_int_msr(0xf3, true), 0, "INT: vector 0xf3 accepted");
	UNIT_EQ(apfint_check_int_msr(0, true), 0, "INT: 0 accepted (reset value restored by userspace)");
	UNIT_EQ(apfint_check_int_msr(0x100, true), 1, "INT: bit 8 reserved -> #GP");
	UNIT_EQ(apfint_check_int_msr(1ULL << 63, true), 1, "INT: bit 63 reserved -> #GP");
	UNIT_EQ(apfint_check_int_msr(0xf3, false), 1, "INT: no in-kernel LAPIC -> #GP");
}

static void test_en_msr(void)
{
	u64 gpa = 0x12340;
	u64 en_int = gpa | KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_DELIVERY_AS_INT;

	UNIT_EQ(apfint_check_en_msr(en_int, true), 0, "EN: bit 3 accepted");
	UNIT_EQ(apfint_check_en_msr(en_int | 0x10, true), 1, "EN: bit 4 reserved -> #GP");
	UNIT_EQ(apfint_check_en_msr(en_int | 0x20, true), 1, "EN: bit 5 reserved -> #GP");
	UNIT_EQ(apfint_check_en_msr(en_int, false), 1, "EN: bit 3 without in-kernel LAPIC -> #GP");
	UNIT_EQ(apfint_check_en_msr(gpa | KVM_ASYNC_PF_ENABLED, false), 0,
		"EN: legacy value untouched by our rules");
	UNIT_CHECK(apfint_en_wants_int(en_int), "EN: ENABLED|AS_INT wants interrupts");
	UNIT_CHECK(!apfint_en_wants_int(gpa | KVM_ASYNC_PF_DELIVERY_AS_INT), "EN: AS_INT without ENABLED is off");
	UNIT_CHECK(!apfint_en_wants_int(gpa | KVM_ASYNC_PF_ENABLED), "EN: ENABLED alone is legacy");
	UNIT_EQ(apfint_en_for_kvm(en_int | KVM_ASYNC_PF_SEND_ALWAYS),
		gpa | KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS, "EN: old kvm never sees bit 3");
}

static void test_state_machine(void)
{
	struct apfint_apf apf;

	apfint_apf_init(&apf);
	UNIT_CHECK(!apfint_armed(&apf), "init: IDLE");
	UNIT_CHECK(!apfint_mark_pending(&apf), "IDLE -> PENDING is illegal");
	UNIT_EQ(apfint_ack(&apf), APFINT_ACK_IGNORED, "ACK in IDLE is ignored");
	UNIT_CHECK(apfint_arm(&apf, 0x1009), "first arm asks for a module reference");
	UNIT_EQ(apf.mode, APFINT_ARMED, "armed");
	UNIT_CHECK(!apfint_arm(&apf, 0x2009), "re-arm takes no second reference");
	UNIT_EQ(apf.en, 0x2009, "re-arm stores the new EN");
	UNIT_CHECK(apfint_mark_pending(&apf), "ARMED -> PENDING");
	UNIT_CHECK(!apfint_arm(&apf, 0x2009), "re-arm while pending");
	UNIT_EQ(apf.mode, APFINT_ARMED, "re-arm drops a pending mark the new area never saw");
	UNIT_CHECK(apfint_mark_pending(&apf), "ARMED -> PENDING again");
	UNIT_EQ(apfint_ack(&apf), APFINT_ACK_PAIRED, "ACK: PENDING -> ARMED acknowledges the injection");
	UNIT_EQ(apf.mode, APFINT_ARMED, "ACK cleared pending");
	/* A second ACK (a guest forcing a rescan) acknowledges nothing. */
	UNIT_EQ(apfint_ack(&apf), APFINT_ACK_SPARE, "ACK without pending is spare, not a second acknowledgement");
	UNIT_EQ(apf.mode, APFINT_ARMED, "spare ACK stays armed");
	apf.int_msr = 0xf3;
	UNIT_CHECK(apfint_disarm(&apf), "disarm drops the module reference");
	UNIT_CHECK(!apfint_disarm(&apf), "second disarm drops nothing");
	UNIT_EQ(apfint_vector(&apf), 0xf3, "disarm keeps the vector (only reset clears INT)");
	UNIT_CHECK(apfint_vector_usable(0xf3) && !apfint_vector_usable(31) && apfint_vector_usable(32),
		   "vector rule: >= 32");
}

static void test_dequeue(void)
{
	struct apfint_apf apf;

	apfint_apf_init(&apf);
	apf.int_msr = 0xf3;
	UNIT_CHECK(!apfint_can_dequeue(&apf, true, 0), "IDLE never dequeues for us");
	apfint_arm(&apf, 0x1009);
	UNIT_CHECK(apfint_can_dequeue(&apf, true, 0), "armed, LAPIC on, slot free: dequeue");
	UNIT_CHECK(!apfint_can_dequeue(&apf, false, 0), "LAPIC disabled: keep queued");
	UNIT_CHECK(!apfint_can_dequeue(&apf, true, 0x1000), "slot busy: keep queued");
	apf.int_msr = 0x10;
	UNIT_CHECK(!apfint_can_dequeue(&apf, true, 0), "vector below 32: keep queued");
	apf.int_msr = 0xf3;
	apfint_mark_pending(&apf);
	UNIT_CHECK(!apfint_can_dequeue(&apf, true, 0), "slot cleared but not ACKed: keep queued");
	apfint_ack(&apf);
	UNIT_CHECK(apfint_can_dequeue(&apf, true, 0), "after ACK: dequeue");
}

static void test_halted(void)
{
	struct apfint_apf apf;
	unsigned int i;

	apfint_apf_init(&apf);
	UNIT_CHECK(!apfint_take_halted(&apf, 0x1000), "unknown token was injected");
	apfint_note_halted(&apf, 0x1000);
	apfint_note_halted(&apf, 0x2000);
	UNIT_CHECK(apfint_take_halted(&apf, 0x2000), "halted token found");
	UNIT_CHECK(!apfint_take_halted(&apf, 0x2000), "halted token forgotten after use");
	for (i = 0; i < APFINT_HALTED_SLOTS; i++)
		apfint_note_halted(&apf, 0x10000 + i);
	UNIT_CHECK(!apfint_take_halted(&apf, 0x1000), "full table overwrote the oldest token");
	UNIT_CHECK(apfint_take_halted(&apf, 0x10000 + APFINT_HALTED_SLOTS - 1), "newest token kept");
	apfint_arm(&apf, 0x1009);
	apfint_disarm(&apf);
	UNIT_CHECK(!apfint_take_halted(&apf, 0x10000), "disarm forgets halted tokens");
}

static void test_token(void)
{
	u32 id = 1u << 20;	/* (id << 12) wraps to 0 */
	u32 token = (id++ << 12) | 0;

	UNIT_EQ(token, 0, "old kvm's token generation does produce 0 for vCPU 0");
	token = apfint_fix_token(token, &id, 0);
	UNIT_CHECK(token != 0, "fixed token is not 0");
	UNIT_EQ(token, (((1u << 20) + 1) << 12), "fixed token is the next id");
	UNIT_EQ(id, (1u << 20) + 2, "id advanced past the skipped one");
	UNIT_EQ(apfint_fix_token(0x5003, &id, 3), 0x5003, "non-zero token untouched");
	UNIT_EQ(id, (1u << 20) + 2, "id untouched for a non-zero token");
}

int main(void)
{
	test_int_msr();
	test_en_msr();
	test_state_machine();
	test_dequeue();
	test_halted();
	test_token();
	return unit_done();
}
