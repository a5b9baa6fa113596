// SPDX-License-Identifier: GPL-2.0
/*
 * Many outstanding faults: each vCPU touches its own run of pages without
 * waiting (each touch gets its 'page not present' and moves on), then
 * halts until every page-ready came, then reads every page again.  The
 * VMM resolves each fault a fixed delay after the worker raised it.
 */
#include "probe.h"
#include "guest.h"

#define MANY_TOK(g)	((uint32_t *)(SHARED_GPA + (g)->id * 0x200))

void guest_many(struct gvcpu *g)
{
	uint32_t i, n = g->params[0], first = g->params[1];
	uint32_t *tok = MANY_TOK(g), bad = 0, refault = 0, got = 0;
	uint64_t v;

	g_std_setup();
	g_ev(GEV_MARK, 0, 1, 0);
	for (i = 0; i < n; i++) {
		if (g_touch_safe(UFFD_PAGE_GPA(first + i), &v, &tok[got]) == 14)
			got++;
	}
	g_ev(GEV_MARK, 0, 2, 0);
	/* every page-ready plus the wake-all; params[2]: how to wait */
	tok[got] = APFINT_WAKE_ALL_TOKEN;
	if (g_wait_tokens(tok, got + 1, g->params[2] ? WAIT_SPIN : WAIT_HLT))
		guest_fail("timeout waiting for page-readies", g->nr_ready,
			   got);
	g_ev(GEV_MARK, 0, 3, 0);
	for (i = 0; i < n; i++) {
		uint32_t t;

		if (g_touch_safe(UFFD_PAGE_GPA(first + i), &v, &t))
			refault++;
		else if (v != UFFD_PATTERN(first + i))
			bad++;
	}
	g_exits(2);	/* room for late duplicates */
	g_ev(GEV_OBS, 0, 1, got);
	g_ev(GEV_OBS, 0, 2, refault);
	g_ev(GEV_OBS, 0, 3, bad);
}

void check_many(struct vm *vm, unsigned int n)
{
	int i;
	uint32_t j, k;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		struct gvcpu *g = v->g;
		uint32_t np = 0, dup = 0, lost = 0, zero = 0, wrongcpu = 0;
		uint32_t stray = 0, nready = 0;
		char k1[64];

		for (j = 0; j < g->nr_ev; j++) {
			struct gevent *e = &g->ev[j];
			uint32_t c;

			if (e->type == GEV_NP) {
				np++;
				zero += e->token == 0;
				wrongcpu += (e->token & 0xfff) != (uint32_t)i;
				for (k = 0; k < j; k++)
					dup += g->ev[k].type == GEV_NP &&
					       g->ev[k].token == e->token;
				c = ev_ready_count(v, e->token, 0);
				lost += c == 0;
				dup += c > 1;
			} else if (e->type == GEV_RDY_INT ||
				   e->type == GEV_RDY_PF) {
				nready++;
				if (e->token == APFINT_WAKE_ALL_TOKEN)
					continue;
				for (k = 0; k < g->nr_ev; k++)
					if (g->ev[k].type == GEV_NP &&
					    g->ev[k].token == e->token)
						break;
				stray += k == g->nr_ev;
			}
		}
		printf("EV %s v%d NP x%u READY x%u (incl. wake-all) dup=%u "
		       "lost=%u stray=%u\n", probe_scenario(), i, np, nready,
		       dup, lost, stray);
		snprintf(k1, sizeof(k1), "v%d.np_count", i);
		check_num(k1, np, n);
		snprintf(k1, sizeof(k1), "v%d.ready_count", i);
		check_num(k1, nready, n + 1);
		snprintf(k1, sizeof(k1), "v%d.tokens_unique_once", i);
		check_num(k1, dup, 0);
		snprintf(k1, sizeof(k1), "v%d.tokens_lost", i);
		check_num(k1, lost, 0);
		snprintf(k1, sizeof(k1), "v%d.tokens_stray", i);
		check_num(k1, stray, 0);
		snprintf(k1, sizeof(k1), "v%d.tokens_nonzero", i);
		check_num(k1, zero, 0);
		snprintf(k1, sizeof(k1), "v%d.tokens_name_vcpu", i);
		check_num(k1, wrongcpu, 0);
		snprintf(k1, sizeof(k1), "v%d.refaults", i);
		check_num(k1, ev_obs(v, 2, ~0ULL), 0);
		snprintf(k1, sizeof(k1), "v%d.bad_data", i);
		check_num(k1, ev_obs(v, 3, ~0ULL), 0);
	}
}
