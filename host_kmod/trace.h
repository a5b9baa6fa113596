/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apfint_host's tracepoints: what it adds to kvm, in the shape of kvm's
 * own kvm_async_pf_* events (events/apfint_host/ in tracefs), so that
 * perf and trace-cmd users see interrupt delivery next to kvm's events.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM apfint_host

#if !defined(APFINT_HOST_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define APFINT_HOST_TRACE_H

#include <linux/tracepoint.h>

/* A page-ready went out as an interrupt: the token is in the slot. */
TRACE_EVENT(apfint_async_pf_ready_irq,
	TP_PROTO(unsigned int vcpu_id, u32 token, u8 vector),
	TP_ARGS(vcpu_id, token, vector),

	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u32, token)
		__field(u8, vector)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->token = token;
		__entry->vector = vector;
	),

	TP_printk("vcpu %u token %#x vector %u",
		  __entry->vcpu_id, __entry->token, __entry->vector)
);

/* MSR_KVM_ASYNC_PF_ACK: paired with a pending page-ready, or spare. */
TRACE_EVENT(apfint_async_pf_ack,
	TP_PROTO(unsigned int vcpu_id, u8 paired),
	TP_ARGS(vcpu_id, paired),

	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u8, paired)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->paired = paired;
	),

	TP_printk("vcpu %u %s", __entry->vcpu_id,
		  __entry->paired ? "paired" : "spare")
);

/* A completion found an idle queue: the vCPU was kicked to rescan. */
TRACE_EVENT(apfint_async_pf_kick,
	TP_PROTO(unsigned int vcpu_id),
	TP_ARGS(vcpu_id),

	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
	),

	TP_printk("vcpu %u", __entry->vcpu_id)
);

/* A guest or VMM write of EN or INT that apfint_host answered with #GP. */
TRACE_EVENT(apfint_msr_refused,
	TP_PROTO(unsigned int vcpu_id, u32 msr, u64 data),
	TP_ARGS(vcpu_id, msr, data),

	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u32, msr)
		__field(u64, data)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->msr = msr;
		__entry->data = data;
	),

	TP_printk("vcpu %u msr %#x data %#llx", __entry->vcpu_id,
		  __entry->msr, __entry->data)
);

#endif /* APFINT_HOST_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
