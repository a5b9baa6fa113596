// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host as the probe sees it in L1, for the lifecycle scenarios:
 * is it loaded, its debugfs counters, unloading and loading it again
 * (run-in-l1.sh loads it from ../kmod next to the probe binaries).
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "probe.h"

#define HOST_DEBUGFS	"/sys/kernel/debug/apfint_host/"

bool host_module_loaded(void)
{
	return !access("/sys/module/apfint_host", F_OK);
}

long host_counter(const char *name)
{
	char path[128];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), HOST_DEBUGFS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/*
 * Polls (1 ms) until counter name reads want or timeout_ms passed; returns
 * its last value.  Waits for a state, not for a time.
 */
long host_counter_wait(const char *name, long want, int timeout_ms)
{
	uint64_t end = now_ns() + timeout_ms * 1000000ULL;
	struct timespec ts = { .tv_nsec = 1000000 };
	long val;

	while ((val = host_counter(name)) != want && now_ns() < end)
		nanosleep(&ts, NULL);
	return val;
}

/* delete_module(O_NONBLOCK), as rmmod does: 0 or -errno. */
int host_module_unload(void)
{
	return syscall(SYS_delete_module, "apfint_host", O_NONBLOCK) ?
	       -errno : 0;
}

/* Loads ../kmod/apfint_host.ko again, with $HOST_MODULE_ARGS. */
int host_module_reload(void)
{
	char exe[512], ko[600], *slash;
	const char *args = getenv("HOST_MODULE_ARGS");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd, r;

	if (n <= 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(ko, sizeof(ko), "%s/../kmod/apfint_host.ko", exe);
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, args ? args : "", 0) ? -errno : 0;
	close(fd);
	return r;
}
