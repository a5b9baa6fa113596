// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts.  Every check of a scenario goes through record(); the
 * scenario passes only if it made at least one check and all passed.
 *
 * Expectations are upstream's (Debian 6.1 native is the reference).
 * Those that differ by design on old hosts are written once, in
 * expect.tbl: "<scenario> <key> <hosts> <value> <why>", hosts being
 * "<5.8", ">=5.8", "all" or a release prefix.
 *
 * PROBE_BREAK=<item>[,<item>...] with items "all", "<scenario>" or
 * "<scenario>:<check>" inverts every expectation of the named scenarios,
 * or just the named check, so that a conforming host makes them fail:
 * that is how we show each scenario (and each key check) can fail.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "probe.h"

static const char *scen;
static int nr_checks, nr_failed;
static bool broken;
static char first_fail[256];
static char release[128];
static int kmaj, kmin;

struct tbl_entry {
	char scen[48], key[48], hosts[32], why[160];
	long value;
};
static struct tbl_entry tbl[64];
static int nr_tbl;

static void noop(int sig)
{
	(void)sig;
}

void probe_abort(const char *file, int line, const char *cond,
		 const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("# %s:%d: assertion '%s' failed: %s (errno %d)\n", file, line,
	       cond, msg, errno);
	printf("not ok - %s # %s\n", scen ? scen : "?", msg);
	printf("RESULT %s fail %s:%d %s\n", scen ? scen : "?", file, line,
	       msg);
	fflush(stdout);
	exit(1);
}

static void load_table(void)
{
	const char *path = getenv("PROBE_EXPECT");
	char line[512], exe[256];
	FILE *f;

	if (!path) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 16);

		if (n > 0) {
			exe[n] = 0;
			*(strrchr(exe, '/') + 1) = 0;
			strcat(exe, "expect.tbl");
			path = exe;
		}
	}
	f = path ? fopen(path, "r") : NULL;
	if (!f) {
		printf("# no expectations table (%s): upstream only\n",
		       path ? path : "?");
		return;
	}
	while (fgets(line, sizeof(line), f) && nr_tbl < 64) {
		struct tbl_entry *e = &tbl[nr_tbl];
		int off = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%47s %47s %31s %ld %n", e->scen, e->key,
			   e->hosts, &e->value, &off) < 4)
			continue;
		snprintf(e->why, sizeof(e->why), "%s", line + off);
		e->why[strcspn(e->why, "\n")] = 0;
		nr_tbl++;
	}
	fclose(f);
}

const char *probe_scenario(void)
{
	return scen;
}

const char *host_release(void)
{
	return release;
}

bool host_is_old(void)
{
	return kmaj < 5 || (kmaj == 5 && kmin < 8);
}

static bool hosts_match(const char *h)
{
	int ma = 0, mi = 0;

	if (!strcmp(h, "all"))
		return true;
	if (sscanf(h, "<%d.%d", &ma, &mi) == 2)
		return kmaj < ma || (kmaj == ma && kmin < mi);
	if (sscanf(h, ">=%d.%d", &ma, &mi) == 2)
		return kmaj > ma || (kmaj == ma && kmin >= mi);
	return !strncmp(release, h, strlen(h));
}

static char break_list[512];

/* is check "what" of this scenario (what == NULL: all of it) broken? */
static bool in_break(const char *what)
{
	char buf[512], *t, *save, *colon;

	snprintf(buf, sizeof(buf), "%s", break_list);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "all") || !strcmp(t, scen))
			return true;
		colon = strchr(t, ':');
		if (what && colon && !strncmp(t, scen, colon - t) &&
		    !scen[colon - t] && !strcmp(colon + 1, what))
			return true;
	}
	return false;
}

void probe_init(const char *scenario)
{
	struct sigaction sa = { .sa_handler = noop };
	struct utsname u;
	const char *b = getenv("PROBE_BREAK");

	scen = scenario;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: kicks KVM_RUN */
	uname(&u);
	snprintf(release, sizeof(release), "%s", u.release);
	if (sscanf(release, "%d.%d", &kmaj, &kmin) != 2)
		kmaj = kmin = 0;
	load_table();
	snprintf(break_list, sizeof(break_list), "%s", b ? b : "");
	broken = in_break(NULL);
	printf("# scenario %s on %s%s\n", scen, release,
	       broken ? " (PROBE_BREAK: expectations inverted)" : "");
	if (trace_init())
		printf("# tracefs unavailable: completion waits will fail\n");
}

long expect_num(const char *key, long dflt)
{
	int i;

	for (i = 0; i < nr_tbl; i++)
		if (!strcmp(tbl[i].scen, scen) && !strcmp(tbl[i].key, key) &&
		    hosts_match(tbl[i].hosts)) {
			printf("# expect %s.%s = %ld on %s (table: %s)\n",
			       scen, key, tbl[i].value, release, tbl[i].why);
			return tbl[i].value;
		}
	return dflt;
}

bool expect_bool(const char *key, bool dflt)
{
	return expect_num(key, dflt) != 0;
}

static bool record(const char *what, bool ok, const char *detail)
{
	bool inv = broken || in_break(what);

	if (inv)
		ok = !ok;
	nr_checks++;
	printf("# check %-40s %s%s%s%s\n", what, ok ? "ok" : "FAIL",
	       detail[0] ? ": " : "", detail,
	       inv ? " [expectation inverted: PROBE_BREAK]" : "");
	if (!ok && !nr_failed++)
		snprintf(first_fail, sizeof(first_fail), "%s%s%s%s", what,
			 detail[0] ? ": " : "", detail,
			 inv ? " [inverted]" : "");
	return ok;
}

bool check(const char *what, bool ok, const char *fmt, ...)
{
	char d[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d, sizeof(d), fmt, ap);
	va_end(ap);
	return record(what, ok, d);
}

bool check_eq(const char *what, long long got, long long want)
{
	return check(what, got == want, "got %#llx, want %#llx", got, want);
}

bool check_num(const char *key, long long got, long long upstream)
{
	return check_eq(key, got, expect_num(key, upstream));
}

bool check_bool(const char *key, bool got, bool upstream)
{
	bool want = expect_bool(key, upstream);

	return check(key, got == want, "got %s, want %s",
		     got ? "yes" : "no", want ? "yes" : "no");
}

void probe_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int probe_fail(const char *fmt, ...)
{
	char d[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d, sizeof(d), fmt, ap);
	va_end(ap);
	/* a run-time failure is not an expectation: never inverted */
	nr_checks++;
	if (!nr_failed++)
		snprintf(first_fail, sizeof(first_fail), "%s", d);
	printf("# error: %s\n", d);
	return probe_finish();
}

int probe_finish(void)
{
	if (!nr_checks && !nr_failed) {
		nr_failed = 1;
		snprintf(first_fail, sizeof(first_fail), "no checks made");
	}
	if (nr_failed) {
		printf("not ok - %s # %s\n", scen, first_fail);
		printf("RESULT %s fail %s\n", scen, first_fail);
		return 1;
	}
	printf("ok - %s # %d checks\n", scen, nr_checks);
	printf("RESULT %s ok %d checks\n", scen, nr_checks);
	return 0;
}

int probe_skip(const char *why)
{
	printf("ok - %s # SKIP %s\n", scen, why);
	printf("RESULT %s skip %s\n", scen, why);
	return KSFT_SKIP;
}
