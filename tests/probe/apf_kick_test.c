// SPDX-License-Identifier: GPL-2.0
/*
 * kick: page-ready delivery while the vCPU spins in the guest without
 * exits.  Upstream kicks the vCPU when the async work completes, so the
 * spinning vCPU gets the interrupt about as fast as a halted one is
 * woken.  Without the kick it waits for an unrelated exit (the host's
 * next timer tick).  Samples alternate halted/spinning.
 *
 * Latency: from the VMM's UFFDIO_COPY (host CLOCK_MONOTONIC) to the
 * guest's interrupt handler.  TSCs of the L1 CPUs are not in sync under
 * emulation, so the guest time is carried over by an exit: right after
 * the wait the guest reports (now - handler TSC) in a ucall and the host
 * stamps the exit; half an exit round trip (calibrated from pairs of
 * back-to-back exits) is taken off.  Two spans are printed: from the
 * copy, and from the async work's completion (the host's
 * kvm_async_pf_completed tracepoint with trace_clock=mono), which is
 * where the kick starts; the verdict uses the second.  Only ratios
 * between the two cases are judged, never absolute times.
 */
#include "probe.h"
#include "guest.h"

#define SAMPLES		24	/* per mode */
#define MAX_RATIO	3.0
#define CAL		9

static void guest(struct gvcpu *g)
{
	uint32_t i, tok;
	uint64_t v;

	g_std_setup();
	for (i = 0; i < CAL; i++)
		guest_ucall(UC_TEST, 2, rdtsc_g(), 0);
	for (i = 0; i < 2 * SAMPLES; i++) {
		enum wait_mode mode = (i & 1) ? WAIT_SPIN : WAIT_HLT;
		uint32_t from = g->nr_ev, j;

		if (g_touch_safe(UFFD_PAGE_GPA(i), &v, &tok) != 14)
			guest_fail("no async #PF", i, 0);
		if (g_wait_ready(tok, mode, from))
			guest_fail("no page ready", i, tok);
		for (j = from; j < g->nr_ev; j++)
			if (g->ev[j].type == GEV_RDY_INT &&
			    g->ev[j].token == tok)
				break;
		guest_ucall(UC_TEST, 1, rdtsc_g() - g->ev[j].tsc, 0);
	}
}

static uint64_t cal_ns[CAL], cal_tsc[CAL], ready_ns[2 * SAMPLES];
static int ncal, nready;

static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	uint64_t now = now_ns();

	if (sub == 2 && ncal < CAL) {
		cal_ns[ncal] = now;
		cal_tsc[ncal++] = arg;
	} else if (sub == 1 && nready < 2 * SAMPLES) {
		ready_ns[nready++] = now - arg * 1000000ULL / v->vm->tsc_khz;
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *s, int n, double p)
{
	return s[(int)(p * (n - 1) + 0.5)];
}

static void dist(const char *what, double lat[2][SAMPLES], double *p50)
{
	static const char *mname[2] = { "halted", "spinning" };
	double p90[2];
	int m;

	for (m = 0; m < 2; m++) {
		qsort(lat[m], SAMPLES, sizeof(double), cmp);
		p50[m] = pct(lat[m], SAMPLES, 0.5);
		p90[m] = pct(lat[m], SAMPLES, 0.9);
		printf("LAT kick %s->handler %s n=%d min=%.1f p10=%.1f "
		       "p50=%.1f p90=%.1f max=%.1f us\n", what, mname[m],
		       SAMPLES, lat[m][0], pct(lat[m], SAMPLES, 0.1), p50[m],
		       p90[m], lat[m][SAMPLES - 1]);
		printf("METRIC kick_%s_%s p50_us=%.1f p90_us=%.1f "
		       "max_us=%.1f\n", what, mname[m], p50[m], p90[m],
		       lat[m][SAMPLES - 1]);
	}
	printf("LAT kick %s->handler ratio spinning/halted p50=%.2f "
	       "p90=%.2f\n", what, p50[1] / p50[0], p90[1] / p90[0]);
	printf("METRIC kick_%s_ratio p50=%.2f p90=%.2f\n", what,
	       p50[1] / p50[0], p90[1] / p90[0]);
}

int main(void)
{
	double lat[2][SAMPLES], clat[2][SAMPLES], p50[2], cp50[2];
	double rt[CAL - 1], oneway;
	int nlat[2] = { 0, 0 }, nclat[2] = { 0, 0 }, neg = 0, i;
	struct vm *vm;
	struct vcpu *v;

	probe_init("kick");
	vm = vm_simple(guest, 2 * SAMPLES);
	v = vm->vcpus[0];
	v->on_test = on_test;
	uffd_set_auto(vm->uffd, 3000);
	if (vm_run_report(vm, 120))
		return probe_fail("%s", v->why);
	ev_print(vm, true);

	for (i = 0; i + 1 < ncal; i++)
		rt[i] = (double)(cal_ns[i + 1] - cal_ns[i]) / 1000.0 -
			(double)(cal_tsc[i + 1] - cal_tsc[i]) * 1000.0 /
			vm->tsc_khz;
	qsort(rt, ncal - 1, sizeof(double), cmp);
	oneway = ncal > 1 ? pct(rt, ncal - 1, 0.5) / 2 : 0;
	if (oneway < 0)
		oneway = 0;
	printf("LAT kick exit round trip p50=%.1f us (one way %.1f us "
	       "taken off each sample)\n", 2 * oneway, oneway);
	for (i = 0; i < nready; i++) {
		struct uffd_page *p = &vm->uffd->pg[i];
		uint64_t done = trace_completed_ns(UFFD_PAGE_GPA(i));
		double us;

		if (!p->resolved)
			continue;
		us = (double)(int64_t)(ready_ns[i] - p->copy_ns) / 1000.0 -
		     oneway;
		neg += us < 0;
		lat[i & 1][nlat[i & 1]++] = us;
		if (done)
			clat[i & 1][nclat[i & 1]++] =
				(double)(int64_t)(ready_ns[i] - done) / 1000.0 -
				oneway;
	}
	check_num("samples_halted", nlat[0], SAMPLES);
	check_num("samples_spinning", nlat[1], SAMPLES);
	check_num("ready_before_copy", neg, 0);
	if (nlat[0] != SAMPLES || nlat[1] != SAMPLES)
		return probe_finish();
	dist("copy", lat, p50);
	if (nclat[0] != SAMPLES || nclat[1] != SAMPLES) {
		probe_note("no completion timestamps (trace_clock mono): "
			   "judging copy->handler");
		memcpy(cp50, p50, sizeof(cp50));
	} else {
		dist("completion", clat, cp50);
	}
	check("spinning_not_slower", cp50[1] <= MAX_RATIO * cp50[0],
	      "p50 spinning %.1f us vs halted %.1f us (ratio %.2f, max %.1f)",
	      cp50[1], cp50[0], cp50[1] / cp50[0], MAX_RATIO);
	return probe_finish();
}
