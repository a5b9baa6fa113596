/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <linux/bits.h> for kernels before v4.19 ("locking/atomics, asm-generic:
 * Move some macros from <linux/bitops.h> to a new <linux/bits.h> file"),
 * where BIT() lives in <linux/bitops.h>.  Kbuild adds this directory to the
 * include path only when the kernel lacks the header.
 */
#ifndef APFINT_COMPAT_LINUX_BITS_H
#define APFINT_COMPAT_LINUX_BITS_H
#include <linux/bitops.h>
#endif
