// SPDX-License-Identifier: GPL-2.0
/*
 * wake_all: enabling APF (EN with bit 3) queues one page-ready with token
 * 0xffffffff; it arrives at once (before the instruction after the
 * wrmsr).  Disabling (EN = 0) sends nothing; enabling again sends one
 * more wake-all.
 */
#include "probe.h"
#include "guest.h"

static void guest(struct gvcpu *g)
{
	g_lapic_enable();
	g_sti();
	if (g_wrmsr_safe(MSR_KVM_ASYNC_PF_INT, g->vector))
		guest_fail("INT MSR #GP", 0, 0);
	g_ev(GEV_MARK, 0, 1, 0);
	if (g_wrmsr_safe(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_INT_FLAGS))
		guest_fail("EN MSR #GP", 0, 0);
	g_ev(GEV_MARK, 0, 2, 0);
	g_exits(3);
	g_ev(GEV_MARK, 0, 3, 0);
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
	g_exits(3);
	g_ev(GEV_MARK, 0, 4, 0);
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_INT_FLAGS);
	g_ev(GEV_MARK, 0, 5, 0);
	g_exits(3);
	g_ev(GEV_MARK, 0, 6, 0);
}

static uint32_t readies(struct vcpu *v, int from, int to)
{
	int i;
	uint32_t n = 0;

	for (i = from; i >= 0 && i < to; i++)
		n += v->g->ev[i].type == GEV_RDY_INT ||
		     v->g->ev[i].type == GEV_RDY_PF;
	return n;
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	struct gevent *e;
	int m1, m2, m3, m4, m5, m6;

	probe_init("wake_all");
	vm = vm_simple(guest, 1);
	v = vm->vcpus[0];
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	m1 = ev_mark(v, 1), m2 = ev_mark(v, 2), m3 = ev_mark(v, 3);
	m4 = ev_mark(v, 4), m5 = ev_mark(v, 5), m6 = ev_mark(v, 6);
	check("marks", m1 >= 0 && m6 > m1, "guest ran to the end");
	check_num("on_enable_at_once", readies(v, m1, m2), 1);
	check_num("on_enable_total", readies(v, m1, m3), 1);
	e = ev_find(v, GEV_RDY_INT, 0, m1);
	if (check("on_enable_is_interrupt", e != NULL, "RDY_INT")) {
		check_eq("on_enable_token", e->token, APFINT_WAKE_ALL_TOKEN);
		check_num("on_enable_vector", e->a, APF_VECTOR);
	}
	check_num("on_disable", readies(v, m3, m4), 0);
	check_num("on_reenable_at_once", readies(v, m4, m5), 1);
	check_num("on_reenable_total", readies(v, m4, m6), 1);
	check_num("wakeall_total", ev_ready_count(v, APFINT_WAKE_ALL_TOKEN, 0),
		  2);
	check_num("np_count", ev_count(v, GEV_NP, 0), 0);
	return probe_finish();
}
