// SPDX-License-Identifier: GPL-2.0
/* Counting events between the guest's step markers. */
#include "probe.h"

/* events of type (GEV_NONE: any page-ready) in [mark a, mark b) */
uint32_t ev_between(struct vcpu *v, int a, int b, uint32_t type)
{
	int i, from = ev_mark(v, a), to = ev_mark(v, b);
	uint32_t n = 0;

	if (from < 0 || to < 0)
		return ~0u;
	for (i = from; i < to; i++) {
		uint32_t t = v->g->ev[i].type;

		if (type == GEV_NONE ? (t == GEV_RDY_INT || t == GEV_RDY_PF) :
		    t == type)
			n++;
	}
	return n;
}
