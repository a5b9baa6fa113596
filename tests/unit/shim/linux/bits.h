/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/bits.h>, for the unit tests only. */
#ifndef APFINT_SHIM_BITS_H
#define APFINT_SHIM_BITS_H
#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#endif
