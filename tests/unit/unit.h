/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP producer for the userspace unit tests.  Each test file is one
 * binary: it names the module sources it compiles in a line
 *   unit-sources: host_kmod/foo.c
 * and calls UNIT_CHECK() once per assertion, then unit_done().
 */
#ifndef APFINT_UNIT_H
#define APFINT_UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_n, unit_failed;

#define UNIT_CHECK(cond, ...) do {					\
	int __ok = !!(cond);						\
	printf("%sok %d - ", __ok ? "" : "not ", ++unit_n);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!__ok) {							\
		unit_failed++;						\
		printf("#   %s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

#define UNIT_EQ(a, b, ...) do {						\
	unsigned long long __a = (a), __b = (b);			\
	UNIT_CHECK(__a == __b, __VA_ARGS__);				\
	if (__a != __b)							\
		printf("#   got 0x%llx, want 0x%llx\n", __a, __b);	\
} while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_n);
	if (!unit_n) {
		printf("# no assertion ran\n");
		return 1;
	}
	return unit_failed ? 1 : 0;
}

#endif /* APFINT_UNIT_H */
