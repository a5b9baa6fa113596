// SPDX-License-Identifier: GPL-2.0
/*
 * lapic_off: APF enabled while the LAPIC is software-disabled (SVR bit 8
 * clear, the reset state).  'Page not present' still comes (a #PF needs
 * no LAPIC), but no page-ready is dequeued: offset 4 stays 0 and nothing
 * is injected, however often the vCPU exits.  Turning the LAPIC on
 * delivers at once the wake-all, then (after its ACK) the page-ready.
 * Upstream had to add the LAPIC condition later; without it such a guest
 * spins.
 */
#include "probe.h"
#include "guest.h"

static void guest(struct gvcpu *g)
{
	uint32_t tok = 0;
	uint64_t v;

	g_sti();
	g_apf_enable(EN_INT_FLAGS);
	g_ev(GEV_MARK, 0, 1, 0);
	g_exits(3);
	g_ev(GEV_OBS, 0, 1, *g_area_token(g));
	g_ev(GEV_OBS, 0, 2, g_touch_safe(UFFD_PAGE_GPA(0), &v, &tok));
	g_ev(GEV_OBS, 0, 5, tok);
	if (tok) {
		g_resolve(0);
		g_wait_done(0);
	}
	g_exits(3);
	g_ev(GEV_OBS, 0, 3, *g_area_token(g));
	g_ev(GEV_MARK, 0, 2, 0);
	g_lapic_enable();
	g_ev(GEV_MARK, 0, 3, 0);
	g_exits(2);
	g_ev(GEV_MARK, 0, 4, 0);
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	struct gevent *w, *r;
	uint32_t tok;

	probe_init("lapic_off");
	vm = vm_simple(guest, 1);
	v = vm->vcpus[0];
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);
	tok = ev_obs(v, 5, 0);
	check_num("np_while_off", ev_obs(v, 2, ~0ULL), 14);
	check_num("readies_while_off", ev_between(v, 1, 2, GEV_NONE), 0);
	check_num("interrupts_while_off", ev_between(v, 1, 2, GEV_INT), 0);
	check_num("slot_empty_after_enable", ev_obs(v, 1, ~0ULL), 0);
	check_num("slot_empty_after_completion", ev_obs(v, 3, ~0ULL), 0);
	check_num("readies_at_once_on_lapic_enable",
		  ev_between(v, 2, 3, GEV_NONE), 2);
	w = ev_find(v, GEV_RDY_INT, 0, 0);
	r = ev_find(v, GEV_RDY_INT, 1, 0);
	if (check("two_readies", w && r, "wake-all and page-ready")) {
		check_eq("first_is_wakeall", w->token, APFINT_WAKE_ALL_TOKEN);
		check_eq("second_is_fault", r->token, tok);
	}
	check_num("readies_total", ev_between(v, 1, 4, GEV_NONE), 2);
	return probe_finish();
}
