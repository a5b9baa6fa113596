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
 * stamps the exit.  Each sample so includes one exit to the VMM, the
 * same in both cases.  Two spans are printed: from the
 * copy, and from the async work's completion (the host's
 * kvm_async_pf_completed tracepoint with trace_clock=mono), which is
 * where the kick starts.  Only ratios between the two cases are judged,
 * never absolute times.
 *
 * The kick itself: the async work runs on the CPU that queued it (the
 * vCPU's), and there a waking worker preempts the spinning vCPU anyway.
 * So with two or more L1 CPUs each sample pins the vCPU thread to CPU 0
 * for the touch, and moves it to CPU 1 once the worker's fault arrived;
 * the VMM's uffd thread stays on CPU 0.  The completion then happens on
 * CPU 0 while the vCPU spins on CPU 1 and only a kick (an IPI to CPU 1)
 * gets it out at once.  From the host's trace (trace_clock mono): for
 * each spinning sample that was in guest mode at the copy, did an IPI
 * reach CPU 1 before the page-ready was dequeued there?  Upstream:
 * (nearly) always (86-93% seen, some exits coincide).  A host without
 * the kick: never (0 of 17 on 5.4's legacy path); the tick delivers.
 * The verdict wants half of at least 3 conclusive samples.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>
#include "probe.h"
#include "guest.h"

#define SAMPLES		32	/* per mode */
#define MAX_RATIO	3.0

static void guest(struct gvcpu *g)
{
	/* params[3]: PROBE_KICK_LEGACY, the pre-5.8 protocol on old hosts */
	g_ready_samples(SAMPLES, g->params[3]);
}

static uint64_t ready_ns[2 * SAMPLES];
static int nready;

static int on_test(struct vcpu *v, uint64_t sub, uint64_t arg)
{
	uint64_t now = now_ns();

	if (sub == 3) {
		if (tl_pinned)
			thread_pin(pthread_self(), TL_WORK_CPU);
		return 0;
	}

	if (sub == 1 && nready < 2 * SAMPLES) {
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

/* The host's trace on TL_VCPU_CPU (lib/timeline.c), and each sample's. */
static int dbg_cpu_done[2 * SAMPLES], dbg_cpu_ready[2 * SAMPLES];
static uint64_t dbg_done_ns[2 * SAMPLES];

static void collect(const struct tev *e, void *arg)
{
	unsigned long long gva;

	(void)arg;
	if (sscanf(e->rest, " gva %llx", &gva) == 1 && gva >= UFFD_GPA &&
	    gva < UFFD_PAGE_GPA(2 * SAMPLES) &&
	    !strcmp(e->name, "kvm_async_pf_completed")) {
		dbg_cpu_done[(gva - UFFD_GPA) / PAGE_SIZE_4K] = e->cpu;
		dbg_done_ns[(gva - UFFD_GPA) / PAGE_SIZE_4K] = e->ns;
	}
	if (sscanf(e->rest, " token %*x gva %llx", &gva) == 1 &&
	    gva >= UFFD_GPA && gva < UFFD_PAGE_GPA(2 * SAMPLES) &&
	    !strcmp(e->name, "kvm_async_pf_ready"))
		dbg_cpu_ready[(gva - UFFD_GPA) / PAGE_SIZE_4K] = e->cpu;
	timeline_add(e);
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
	int nlat[2] = { 0, 0 }, nclat[2] = { 0, 0 }, neg = 0, i;
	int nk[2][3] = { { 0 } };	/* [mode][not kicked, kicked, unknown] */
	struct vm *vm;
	struct vcpu *v;

	probe_init("kick");
	vm = vm_simple(guest, 2 * SAMPLES);
	v = vm->vcpus[0];
	v->on_test = on_test;
	v->g->params[3] = getenv("PROBE_KICK_LEGACY") != NULL;
	uffd_set_auto(vm->uffd, 3000);
	if (!timeline_setup(vm, v)) {
		probe_note("one CPU or no irq_vectors/kvm_inj_virq trace "
			   "events: the kick itself is not checked");
	}
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", v->why);
	ev_print(vm, true);

	printf("LAT kick (each span includes one guest exit to the VMM)\n");
	for (i = 0; i < nready; i++) {
		struct uffd_page *p = &vm->uffd->pg[i];
		uint64_t done = trace_completed_ns(UFFD_PAGE_GPA(i));
		double us;

		if (!p->resolved)
			continue;
		us = (double)(int64_t)(ready_ns[i] - p->copy_ns) / 1000.0;
		neg += us < 0;
		lat[i & 1][nlat[i & 1]++] = us;
		if (done)
			clat[i & 1][nclat[i & 1]++] =
				(double)(int64_t)(ready_ns[i] - done) / 1000.0;
		if (tl_pinned) {
			int k;

			if (i == 0)
				trace_for_each(collect, NULL);
			k = timeline_kicked(p->copy_ns, dbg_done_ns[i]);
			nk[i & 1][k < 0 ? 2 : k]++;
			if (getenv("PROBE_KICK_DEBUG"))
				printf("# sample %d %s: work on cpu %d, dequeued on cpu "
			       "%d, copy->completion %.1f us, kicked %d\n", i,
			       i & 1 ? "spin" : "halt", dbg_cpu_done[i],
			       dbg_cpu_ready[i],
			       (double)(int64_t)(dbg_done_ns[i] - p->copy_ns) /
			       1000.0, k);
			if (getenv("PROBE_KICK_DEBUG") && (i == 3 || i == 5)) {
				static const char *tn[] = { "IPI", "entry",
							    "exit", "ready" };

				for (int x = 0; x < ntl; x++)
					if (tl[x].ns + 4000000 > p->copy_ns &&
					    tl[x].ns < p->copy_ns + 3000000)
						printf("#   %+.1f %s\n",
						       ((double)tl[x].ns -
							p->copy_ns) / 1000.0,
						       tn[tl[x].type]);
			}
		}
	}
	if (tl_pinned) {
		int in_guest = nk[1][0] + nk[1][1];

		printf("LAT kick spinning samples in guest mode from the copy "
		       "to the completion: %d of %d; of those, kicked (an IPI "
		       "took the vCPU out): %d\n", in_guest, SAMPLES, nk[1][1]);
		printf("METRIC kick_ipi spinning_in_guest=%d kicked=%d of=%d\n",
		       in_guest, nk[1][1], SAMPLES);
		check("spinning_kicked", in_guest >= 3 &&
		      nk[1][1] * 2 >= in_guest,
		      "%d of %d spinning samples in guest mode at the "
		      "completion were kicked out by an IPI (need half, of "
		      "at least 3)", nk[1][1], in_guest);
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
	check("spinning_not_slower", cp50[1] <= MAX_RATIO * cp50[0] ||
	      cp50[1] < 1000.0,
	      "p50 spinning %.1f us vs halted %.1f us (ratio %.2f, max %.1f "
	      "or under 1 ms)",
	      cp50[1], cp50[0], cp50[1] / cp50[0], MAX_RATIO);
	return probe_finish();
}
