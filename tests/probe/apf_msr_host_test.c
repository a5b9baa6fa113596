// SPDX-License-Identifier: GPL-2.0
/*
 * msr_host: host-initiated KVM_GET_MSRS/KVM_SET_MSRS of EN, INT and ACK,
 * as QEMU does on save/restore (INT first, then EN).  Reserved bits are
 * refused for the host too.  Then the guest runs on the restored state:
 * the wake-all queued by the restore's EN write arrives on the restored
 * vector once the guest turns its LAPIC on, and a fault goes the whole
 * way.
 */
#include "probe.h"
#include "guest.h"

static void guest(struct gvcpu *g)
{
	uint64_t v = 0;
	uint32_t tok = 0;
	int i;

	(void)g;
	g_lapic_enable();
	g_sti();
	for (i = 0; i < 20 && !g_ready_seen(APFINT_WAKE_ALL_TOKEN, 0); i++)
		g_exits(1);
	g_ev(GEV_OBS, 0, 1, g_rdmsr_safe(MSR_KVM_ASYNC_PF_EN, &v));
	g_ev(GEV_OBS, 0, 2, v);
	g_ev(GEV_OBS, 0, 3, g_rdmsr_safe(MSR_KVM_ASYNC_PF_INT, &v));
	g_ev(GEV_OBS, 0, 4, v);
	if (g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok) != 14)
		return;
	g_resolve(0);
	if (g_wait_ready(tok, WAIT_HLT, 0))
		guest_fail("no page ready", tok, 0);
}

static void get(struct vcpu *v, const char *what, uint32_t msr,
		uint64_t want)
{
	char k[64];
	uint64_t val = ~0ULL;
	int r = __vcpu_get_msr(v, msr, &val);

	snprintf(k, sizeof(k), "%s_rc", what);
	check_num(k, r, 1);
	check_num(what, val, want);
}

static void set(struct vcpu *v, const char *what, uint32_t msr,
		uint64_t val, int want_rc)
{
	check_num(what, __vcpu_set_msr(v, msr, val), want_rc);
}

int main(void)
{
	uint64_t en = APF_AREA_GPA(0) | EN_INT_FLAGS;
	struct vm *vm;
	struct vcpu *v;
	struct gevent *e;

	probe_init("msr_host");
	vm = vm_simple(guest, 4);
	v = vm->vcpus[0];

	get(v, "get_en_reset", MSR_KVM_ASYNC_PF_EN, 0);
	get(v, "get_int_reset", MSR_KVM_ASYNC_PF_INT, 0);
	get(v, "get_ack_reset", MSR_KVM_ASYNC_PF_ACK, 0);
	/* restore order: INT, then EN */
	set(v, "set_int", MSR_KVM_ASYNC_PF_INT, APF_VECTOR, 1);
	get(v, "get_int", MSR_KVM_ASYNC_PF_INT, APF_VECTOR);
	set(v, "set_int_reserved", MSR_KVM_ASYNC_PF_INT, 0x100 | APF_VECTOR,
	    0);
	get(v, "get_int_after_reserved", MSR_KVM_ASYNC_PF_INT, APF_VECTOR);
	set(v, "set_en", MSR_KVM_ASYNC_PF_EN, en, 1);
	get(v, "get_en", MSR_KVM_ASYNC_PF_EN, en);
	set(v, "set_en_reserved", MSR_KVM_ASYNC_PF_EN, en | 0x10, 0);
	get(v, "get_en_after_reserved", MSR_KVM_ASYNC_PF_EN, en);
	set(v, "set_ack", MSR_KVM_ASYNC_PF_ACK, 1, 1);
	get(v, "get_ack", MSR_KVM_ASYNC_PF_ACK, 0);

	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	e = ev_find(v, GEV_RDY_INT, 0, 0);
	check("wakeall_first", e && e->token == APFINT_WAKE_ALL_TOKEN,
	      "first page-ready is the wake-all of the restore");
	check_num("wakeall_count", ev_ready_count(v, APFINT_WAKE_ALL_TOKEN, 0),
		  1);
	if (e)
		check_num("wakeall_vector", e->a, APF_VECTOR);
	check_num("guest_rdmsr_en_vector", ev_obs(v, 1, ~0ULL), 0);
	check_num("guest_rdmsr_en", ev_obs(v, 2, 0), en);
	check_num("guest_rdmsr_int_vector", ev_obs(v, 3, ~0ULL), 0);
	check_num("guest_rdmsr_int", ev_obs(v, 4, 0), APF_VECTOR);
	e = ev_find(v, GEV_NP, 0, 0);
	check_num("np_count", ev_count(v, GEV_NP, 0), 1);
	if (e)
		check_num("ready_for_np", ev_ready_count(v, e->token, 0), 1);
	return probe_finish();
}
