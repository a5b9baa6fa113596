// SPDX-License-Identifier: GPL-2.0
/*
 * One host CPU's timeline from the trace: guest entries and exits, IPIs,
 * and the page-ready dequeue (kvm_async_pf_ready) or interrupt injection.
 * The kick test and the latency bench use it to tell whether a page-ready
 * got a vCPU spinning in guest mode out through a kick or had to wait for
 * an unrelated exit.
 */
#include <string.h>
#include <unistd.h>

#include "probe.h"

struct tl_mark tl[TL_MAX];
int ntl;
bool tl_pinned;

/* uffd thread: the vCPU faulted, so its async work sits on TL_WORK_CPU */
static void timeline_on_fault(struct uffd *u, unsigned int n)
{
	struct vcpu *v = u->priv;

	(void)n;
	thread_pin(v->thread, TL_VCPU_CPU);
}

bool timeline_setup(struct vm *vm, struct vcpu *v)
{
	tl_pinned = sysconf(_SC_NPROCESSORS_ONLN) >= 2 && trace_available() &&
		    !trace_enable("irq_vectors/reschedule_entry") &&
		    !trace_enable("kvm/kvm_inj_virq") &&
		    !trace_enable("kvm/kvm_entry") &&
		    !trace_enable("kvm/kvm_exit");
	if (tl_pinned) {
		trace_enable("irq_vectors/call_function_single_entry");
		trace_enable("irq_vectors/call_function_entry");
		vm->uffd->priv = v;
		vm->uffd->on_fault = timeline_on_fault;
		thread_pin(vm->uffd->thread, TL_WORK_CPU);
	}
	return tl_pinned;
}

/* Records e if it happened on TL_VCPU_CPU and is one of the kinds above. */
void timeline_add(const struct tev *e)
{
	int type;

	if (e->cpu != TL_VCPU_CPU || ntl >= TL_MAX)
		return;
	if (!strcmp(e->name, "reschedule_entry") ||
	    !strcmp(e->name, "call_function_single_entry") ||
	    !strcmp(e->name, "call_function_entry"))
		type = TL_IPI;
	else if (!strcmp(e->name, "kvm_entry"))
		type = TL_ENTRY;
	else if (!strcmp(e->name, "kvm_exit"))
		type = TL_EXIT;
	else if (!strcmp(e->name, "kvm_inj_virq") ||
		 !strcmp(e->name, "kvm_async_pf_ready"))
		type = TL_READY;
	else
		return;
	tl[ntl].ns = e->ns;
	tl[ntl++].type = type;
}

/*
 * A sample resolved at host time c (the UFFDIO_COPY), its async work done
 * at d (the completion tracepoint, just after the kick).  Conclusive only
 * if the vCPU was in guest mode at c and did not leave it before
 * d - 100 us (an unrelated exit would have picked up the request); then
 * 1 if an IPI reached the CPU between c and the guest entry after that
 * first exit (the kick), 0 if not (the exit came from elsewhere, e.g. the
 * tick).  -1: inconclusive.
 */
int timeline_kicked(uint64_t c, uint64_t d)
{
	int i, last = -1;

	if (!d)
		return -1;
	for (i = 0; i < ntl && tl[i].ns < c; i++)
		if (tl[i].type == TL_ENTRY || tl[i].type == TL_EXIT)
			last = tl[i].type;
	if (last != TL_ENTRY)
		return -1;
	for (; i < ntl && tl[i].type != TL_EXIT; i++)
		if (tl[i].type == TL_IPI)
			return tl[i].ns + 100000 >= d ? 1 : -1;
	if (i == ntl || tl[i].ns + 100000 < d)
		return -1;
	for (; i < ntl && tl[i].type != TL_ENTRY; i++)
		if (tl[i].type == TL_IPI)
			return 1;
	return i == ntl ? -1 : 0;
}
