// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host as the probe sees it in L1, for the lifecycle scenarios:
 * is it loaded, its debugfs counters, unloading and loading it again
 * (run-in-l1.sh loads it from ../kmod next to the probe binaries).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
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

static void *unload_thread(void *arg)
{
	struct unload_try *t = arg;
	uint64_t t0 = now_ns();

	t->err = -host_module_unload();
	t->took_ns = now_ns() - t0;
	t->done = 1;
	return NULL;
}

/*
 * Asks for the unload on a thread of its own and gives it ms to return:
 * the lifecycle scenarios' question is whether it returns while a fault
 * is held, not only how it ends.
 */
void unload_try(struct unload_try *t, int ms)
{
	struct timespec dl;

	t->ms = ms;
	t->started = !pthread_create(&t->thread, NULL, unload_thread, t);
	if (!t->started)
		return;
	deadline_in_ms(&dl, ms);
	t->joined = !pthread_timedjoin_np(t->thread, NULL, &dl);
	t->loaded_after = host_module_loaded();
}

/* Waits for an unload that outlived unload_try() (the fault released). */
void unload_try_end(struct unload_try *t)
{
	if (t->started && !t->joined)
		pthread_join(t->thread, NULL);
}

/* The check that it returned in time, with how it ended. */
void unload_try_check_prompt(const struct unload_try *t)
{
	check("rmmod_prompt", t->joined,
	      "the unload returned within %d ms with the fault held (%s, %llu ms)",
	      t->ms, t->done ? strerror(t->err) : "still waiting",
	      (unsigned long long)(t->took_ns / 1000000));
}

/* apfint_host loaded again, as the next scenario expects it. */
void host_module_restore(void)
{
	if (host_module_loaded())
		check_eq("rmmod_after_errno", -host_module_unload(), 0);
	if (!host_module_loaded())
		check_eq("reload_errno", -host_module_reload(), 0);
}
