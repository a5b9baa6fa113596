// SPDX-License-Identifier: GPL-2.0
/*
 * en_toggle: the guest switches interrupt delivery on and off (EN with
 * bit 3, then EN = 0) TOGGLES times in a row.  Nothing a guest does may
 * make the host print without bound: the host's log must grow by at most
 * one line that names apfint.  Upstream prints nothing.  After the usual
 * start, interrupts stay off during the storm; each enable's wake-all is
 * dropped by the next disable, as upstream does.
 */
#include <fcntl.h>
#include <unistd.h>
#include "probe.h"
#include "guest.h"

#define TOGGLES	2000

static void guest(struct gvcpu *g)
{
	uint64_t i;

	if (!g_std_setup())
		guest_fail("no wake-all after the first enable", 0, 0);
	g_cli();
	for (i = 0; i < TOGGLES; i++) {
		g_wrmsr(MSR_KVM_ASYNC_PF_EN, g->area_gpa | EN_INT_FLAGS);
		g_wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
	}
	g_ev(GEV_MARK, 0, 1, 0);
}

/* Lines in the kernel log from now on that name apfint. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static unsigned int kmsg_count_apfint(int fd)
{
	char rec[2048];
	unsigned int n = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (r <= 0)
			break;
		rec[r] = 0;
		n += strstr(rec, "apfint") != NULL;
	}
	return n;
}

int main(void)
{
	struct vm *vm;
	unsigned int lines;
	int fd;

	probe_init("en_toggle");
	fd = kmsg_open_at_end();
	if (fd < 0)
		return probe_fail("cannot read /dev/kmsg: %s", strerror(errno));
	vm = vm_simple(guest, 0);
	if (vm_run_report(vm, TEST_TIMEOUT_S))
		return probe_fail("%s", vm->vcpus[0]->why);
	printf("EV en_toggle v0 toggles=%d done=%d\n", TOGGLES,
	       ev_count(vm->vcpus[0], GEV_MARK, 0) > 0);
	vm_destroy(vm);
	lines = kmsg_count_apfint(fd);
	close(fd);
	probe_note("%u kernel log lines named apfint during %d toggles",
		   lines, TOGGLES);
	check_bool("log_bounded", lines <= 1, true);
	return probe_finish();
}
