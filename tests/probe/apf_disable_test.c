// SPDX-License-Identifier: GPL-2.0
/*
 * disable: EN = 0 while four faults are outstanding.  Upstream drops the
 * queue (kvm_clear_async_pf_completion_queue) and wakes nobody: no
 * page-ready ever comes for those tokens, no wake-all on disable.  The
 * VMM holds the faults until the guest is about to write EN = 0, then
 * resolves them 200 ms later (the write waits for the async work: upstream
 * cancels it synchronously); the guest's retries then read the pages
 * without any further #PF.
 * Enabling again sends one wake-all.
 */
#include "probe.h"
#include "guest.h"

#define PAGES	4

static void guest(struct gvcpu *g)
{
	uint32_t i, tok, refault = 0, bad = 0;
	uint64_t v;

	g_std_setup();
	for (i = 0; i < PAGES; i++)
		if (g_touch_safe(UFFD_PAGE_GPA(i), &v, &tok) != 14)
			guest_fail("no async #PF", i, 0);
	g_ev(GEV_MARK, 0, 1, 0);
	guest_ucall(UC_TEST, 1, 0, 0);		/* release in 200 ms */
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
	g_ev(GEV_MARK, 0, 2, 0);
	g_exits(5);
	g_ev(GEV_OBS, 0, 1, *g_area_token(g));
	for (i = 0; i < PAGES; i++) {
		if (g_touch_safe(UFFD_PAGE_GPA(i), &v, &tok))
			refault++;
		else if (v != UFFD_PATTERN(i))
			bad++;
	}
	g_exits(3);
	g_ev(GEV_MARK, 0, 3, 0);
	g_ev(GEV_OBS, 0, 2, refault);
	g_ev(GEV_OBS, 0, 3, bad);
	g_wrmsr(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_INT_FLAGS);
	g_exits(2);
	g_ev(GEV_MARK, 0, 4, 0);
}

static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	(void)sub;
	(void)arg;
	v->vm->uffd->hold_until_ns = now_ns() + 200000000ULL;
	return 0;
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	uint32_t i, lost = 0;

	probe_init("disable");
	vm = vm_simple(guest, PAGES);
	v = vm->vcpus[0];
	v->on_test = on_test;
	vm->uffd->hold_until_ns = ~0ULL;
	uffd_set_auto(vm->uffd, 0);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	check_num("np_count", ev_count(v, GEV_NP, 0), PAGES);
	for (i = 0; i < PAGES; i++) {
		struct gevent *np = ev_find(v, GEV_NP, i, 0);

		lost += np && ev_ready_count(v, np->token, 0) == 0;
	}
	check_num("readies_for_dropped_faults", PAGES - lost, 0);
	check_num("readies_after_disable", ev_between(v, 1, 3, GEV_NONE), 0);
	check_num("slot_after_disable", ev_obs(v, 1, ~0ULL), 0);
	check_num("refaults", ev_obs(v, 2, ~0ULL), 0);
	check_num("bad_data", ev_obs(v, 3, ~0ULL), 0);
	check_num("wakeall_on_reenable", ev_between(v, 3, 4, GEV_NONE), 1);
	check_num("wakeall_total", ev_ready_count(v, APFINT_WAKE_ALL_TOKEN, 0),
		  2);
	return probe_finish();
}
