// SPDX-License-Identifier: GPL-2.0
/*
 * p3g LABEL LOOPS MIB: P3's guest-side workload (tests/tiers/bench/bench), run in
 * an L2 that never takes an async PF.  Times a CPU loop of LOOPS
 * iterations, then MIB MiB of fresh anonymous memory touched page by page
 * (ordinary #PFs, each through the guest's #PF entry that apfint_guest
 * sits beside).  Prints "P3G LABEL <cpu ns> <fault ns>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long loops, t0, t1, t2, i;
	unsigned long long x = 0;
	size_t len, page = sysconf(_SC_PAGESIZE), o;
	char *p;

	if (argc != 4) {
		fprintf(stderr, "usage: p3g LABEL LOOPS MIB\n");
		return 2;
	}
	loops = strtoull(argv[2], NULL, 0);
	len = strtoull(argv[3], NULL, 0) << 20;
	t0 = now_ns();
	for (i = 0; i < loops; i++) {
		x += i ^ (x >> 3);
		asm volatile("" : "+r"(x));	/* keep the loop */
	}
	t1 = now_ns();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (o = 0; o < len; o += page)
		p[o] = 1;
	t2 = now_ns();
	munmap(p, len);
	printf("P3G %s %llu %llu\n", argv[1], t1 - t0, t2 - t1);
	return 0;
}
