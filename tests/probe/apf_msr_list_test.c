// SPDX-License-Identifier: GPL-2.0
/*
 * msr_list: KVM_GET_MSR_INDEX_LIST, where userspace looks for the MSRs it
 * must save and restore.  Upstream (6.1: emulated_msrs_all) lists
 * MSR_KVM_ASYNC_PF_EN, _INT and _ACK.  The whole list is printed.
 */
#include <sys/ioctl.h>
#include <unistd.h>
#include "probe.h"

static const uint32_t apf_msrs[] = {
	MSR_KVM_ASYNC_PF_EN, MSR_KVM_ASYNC_PF_INT, MSR_KVM_ASYNC_PF_ACK,
};

static bool listed(struct kvm_msr_list *l, uint32_t msr)
{
	uint32_t i;

	for (i = 0; i < l->nmsrs; i++)
		if (l->indices[i] == msr)
			return true;
	return false;
}

int main(void)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *l;
	uint32_t i;
	int fd, r;

	probe_init("msr_list");
	fd = kvm_open();
	r = ioctl(fd, KVM_GET_MSR_INDEX_LIST, &probe);
	TEST_ASSERT(r < 0 && errno == E2BIG, "KVM_GET_MSR_INDEX_LIST size");
	l = calloc(1, sizeof(*l) + probe.nmsrs * sizeof(l->indices[0]));
	TEST_ASSERT(l, "calloc");
	l->nmsrs = probe.nmsrs;
	TEST_ASSERT(!ioctl(fd, KVM_GET_MSR_INDEX_LIST, l),
		    "KVM_GET_MSR_INDEX_LIST: %s", strerror(errno));
	printf("# %u MSRs:", l->nmsrs);
	for (i = 0; i < l->nmsrs; i++)
		printf(" %#x", l->indices[i]);
	printf("\n");
	/*
	 * The async PF MSRs listed, in index order.  The other KVM PV MSRs
	 * differ between releases (POLL_CONTROL is 5.2+) and are no part
	 * of this ABI: the list above shows them.
	 */
	for (i = 0; i < sizeof(apf_msrs) / sizeof(apf_msrs[0]); i++)
		if (listed(l, apf_msrs[i]))
			printf("EV msr_list host LISTED %#x\n", apf_msrs[i]);
	check_bool("listed_en", listed(l, MSR_KVM_ASYNC_PF_EN), true);
	check_bool("listed_int", listed(l, MSR_KVM_ASYNC_PF_INT), true);
	check_bool("listed_ack", listed(l, MSR_KVM_ASYNC_PF_ACK), true);
	close(fd);
	return probe_finish();
}
