// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's event log in a stable, comparable form.  One line per
 * event: "EV <scenario> v<n> <type> <token> <details> | raw=.. t=..".
 * Left of the '|' is what two hosts must agree on: tokens are named
 * T1, T2, ... in order of first appearance (WAKEALL for 0xffffffff);
 * right of it the raw token and the guest TSC time in microseconds
 * since the test's first event.
 */
#include "probe.h"



const char *ev_name(uint32_t type)
{
	switch (type) {
	case GEV_NP: return "NP";
	case GEV_RDY_INT: return "RDY_INT";
	case GEV_RDY_PF: return "RDY_PF";
	case GEV_INT: return "INT";
	case GEV_MARK: return "MARK";
	case GEV_OBS: return "OBS";
	}
	return "?";
}

uint32_t ev_count(struct vcpu *v, uint32_t type, uint32_t from)
{
	uint32_t i, c = 0;

	for (i = from; i < v->g->nr_ev && i < MAX_EV; i++)
		if (v->g->ev[i].type == type)
			c++;
	return c;
}

static uint32_t names[4 * MAX_EV];
static int nr_names;

/* a value that is a token already named prints as its name */
static bool known_token(uint64_t v, char *buf, size_t sz)
{
	int i;

	if (v == APFINT_WAKE_ALL_TOKEN) {
		snprintf(buf, sz, "WAKEALL");
		return true;
	}
	for (i = 0; i < nr_names; i++)
		if (names[i] == v) {
			snprintf(buf, sz, "T%d", i + 1);
			return true;
		}
	return false;
}

static void tok_name(uint32_t tok, char *buf, size_t sz)
{
	int i;

	if (tok == APFINT_WAKE_ALL_TOKEN) {
		snprintf(buf, sz, "WAKEALL");
		return;
	}
	for (i = 0; i < nr_names; i++)
		if (names[i] == tok)
			break;
	if (i == nr_names && nr_names < (int)(sizeof(names) / 4))
		names[nr_names++] = tok;
	snprintf(buf, sz, "T%d", i + 1);
}

void ev_print(struct vm *vm, bool summary_only)
{
	const char *scen = probe_scenario();
	uint64_t t0 = ~0ULL;
	int i;
	uint32_t j;

	nr_names = 0;
	/* the VMM's side: when each uffd fault came and was resolved */
	if (vm->uffd && !summary_only) {
		uint64_t h0 = ~0ULL;
		unsigned int p;

		for (p = 0; p < vm->uffd->pages; p++)
			if (vm->uffd->pg[p].faulted &&
			    vm->uffd->pg[p].fault_ns < h0)
				h0 = vm->uffd->pg[p].fault_ns;
		for (p = 0; p < vm->uffd->pages; p++) {
			struct uffd_page *pg = &vm->uffd->pg[p];

			if (!pg->faulted)
				continue;
			printf("HOST %s page=%u fault t=%.1f copy t=%.1f us "
			       "(host clock) by tid %d%s\n", scen, p,
			       (pg->fault_ns - h0) / 1000.0,
			       pg->resolved ? (pg->copy_ns - h0) / 1000.0 : -1.0,
			       pg->fault_tid,
			       pg->copy_errno == EEXIST ? " (EEXIST)" : "");
		}
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct gvcpu *g = vm->vcpus[i]->g;

		if (g->nr_ev && g->ev[0].tsc < t0)
			t0 = g->ev[0].tsc;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		struct gvcpu *g = v->g;
		uint32_t n = g->nr_ev < MAX_EV ? g->nr_ev : MAX_EV;

		if (summary_only) {
			uint32_t wake = 0, np = ev_count(v, GEV_NP, 0);

			for (j = 0; j < n; j++)
				wake += g->ev[j].token ==
					APFINT_WAKE_ALL_TOKEN &&
					g->ev[j].type != GEV_NP;
			printf("EV %s v%d NP x%u RDY_INT x%u RDY_PF x%u "
			       "WAKEALL x%u INT x%u\n", scen, i, np,
			       ev_count(v, GEV_RDY_INT, 0),
			       ev_count(v, GEV_RDY_PF, 0), wake,
			       ev_count(v, GEV_INT, 0));
			continue;
		}
		for (j = 0; j < n; j++) {
			struct gevent *e = &g->ev[j];
			char tok[16] = "-", det[64] = "";

			switch (e->type) {
			case GEV_NP:
				tok_name(e->token, tok, sizeof(tok));
				snprintf(det, sizeof(det), " flags=%llu err=%llu",
					 (unsigned long long)e->a,
					 (unsigned long long)e->b);
				break;
			case GEV_RDY_INT:
				tok_name(e->token, tok, sizeof(tok));
				snprintf(det, sizeof(det), " vec=%#llx flags=%llu",
					 (unsigned long long)e->a,
					 (unsigned long long)e->b);
				break;
			case GEV_RDY_PF:
				tok_name(e->token, tok, sizeof(tok));
				break;
			case GEV_INT:
				snprintf(det, sizeof(det), " vec=%#llx",
					 (unsigned long long)e->a);
				break;
			case GEV_MARK:
				snprintf(det, sizeof(det), " %llu",
					 (unsigned long long)e->a);
				break;
			case GEV_OBS: {
				char nm[16];

				if (e->b && known_token(e->b, nm, sizeof(nm)))
					snprintf(det, sizeof(det), " %llu=%s",
						 (unsigned long long)e->a, nm);
				else
					snprintf(det, sizeof(det), " %llu=%#llx",
						 (unsigned long long)e->a,
						 (unsigned long long)e->b);
				break;
			}
			}
			printf("EV %s v%d %s %s%s | raw=%#llx t=%.1f\n", scen,
			       i, ev_name(e->type), tok, det,
			       (unsigned long long)(e->type == GEV_OBS ? e->b :
						    e->token),
			       vm->tsc_khz ? (e->tsc - t0) * 1000.0 /
			       vm->tsc_khz : 0.0);
		}
	}
}

struct gevent *ev_find(struct vcpu *v, uint32_t type, uint32_t nth,
		       uint32_t from)
{
	uint32_t i;

	for (i = from; i < v->g->nr_ev && i < MAX_EV; i++)
		if (v->g->ev[i].type == type && !nth--)
			return &v->g->ev[i];
	return NULL;
}

uint32_t ev_ready_count(struct vcpu *v, uint32_t token, uint32_t from)
{
	uint32_t i, c = 0;

	for (i = from; i < v->g->nr_ev && i < MAX_EV; i++)
		if ((v->g->ev[i].type == GEV_RDY_INT ||
		     v->g->ev[i].type == GEV_RDY_PF) &&
		    v->g->ev[i].token == token)
			c++;
	return c;
}

bool ev_has_obs(struct vcpu *v, uint64_t id)
{
	uint32_t i;

	for (i = 0; i < v->g->nr_ev && i < MAX_EV; i++)
		if (v->g->ev[i].type == GEV_OBS && v->g->ev[i].a == id)
			return true;
	return false;
}

uint64_t ev_obs(struct vcpu *v, uint64_t id, uint64_t def)
{
	uint32_t i;

	for (i = 0; i < v->g->nr_ev && i < MAX_EV; i++)
		if (v->g->ev[i].type == GEV_OBS && v->g->ev[i].a == id)
			def = v->g->ev[i].b;
	return def;
}

int ev_mark(struct vcpu *v, uint64_t id)
{
	int i, r = -1;

	for (i = 0; i < (int)v->g->nr_ev && i < MAX_EV; i++)
		if (v->g->ev[i].type == GEV_MARK && v->g->ev[i].a == id)
			r = i;
	return r;
}
