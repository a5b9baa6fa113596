// SPDX-License-Identifier: GPL-2.0
/*
 * not_present: touching a page the host must fetch gives the guest a #PF
 * with flags = 1 at offset 0 of its area, error code 0, CR2 = a token;
 * the token is never 0 and names the vCPU in its low 12 bits.
 */
#include "probe.h"
#include "guest.h"

static void guest(struct gvcpu *g)
{
	uint64_t val = 0;
	uint32_t tok = 0;
	int vec;

	(void)g;
	g_std_setup();
	g_ev(GEV_MARK, 0, 1, 0);
	vec = g_touch_safe(UFFD_PAGE_GPA(0), &val, &tok);
	g_ev(GEV_OBS, 0, 1, vec);
	g_ev(GEV_OBS, 0, 2, *g_area_flags(g));	/* cleared by the handler */
	if (vec != 14)
		return;
	g_resolve(0);
	if (g_wait_ready(tok, WAIT_HLT, 0))
		guest_fail("no page ready", tok, 0);
	vec = g_touch_safe(UFFD_PAGE_GPA(0), &val, &tok);
	g_ev(GEV_OBS, 0, 3, vec);
	g_ev(GEV_OBS, 0, 4, val);
}

int main(void)
{
	struct vm *vm;
	struct vcpu *v;
	struct gevent *np;
	int mark;

	probe_init("not_present");
	vm = vm_simple(guest, 4);
	v = vm->vcpus[0];
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, false);

	mark = ev_mark(v, 1);
	np = ev_find(v, GEV_NP, 0, mark < 0 ? 0 : mark);
	check_num("touch_vector", ev_obs(v, 1, 0), 14);
	check_num("np_count", ev_count(v, GEV_NP, 0), 1);
	check("np_event", np != NULL, "a #PF with flags=1");
	if (np) {
		check_num("np_flags", np->a, KVM_PV_REASON_PAGE_NOT_PRESENT);
		check_num("np_error_code", np->b, 0);
		check_bool("np_token_nonzero", np->token != 0, true);
		check_num("np_token_vcpu", np->token & 0xfff, 0);
	}
	check_num("flags_cleared", ev_obs(v, 2, ~0ULL), 0);
	check_num("retry_vector", ev_obs(v, 3, ~0ULL), 0);
	check_eq("retry_data", ev_obs(v, 4, 0), UFFD_PATTERN(0));
	return probe_finish();
}
