// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fuzz_dns.c - libFuzzer target: arbitrary bytes as a DNS message copied
 * from a resolver's buffer. The first two bytes choose the "true size" the
 * kernel side reported, so copies shorter and longer than it are covered.
 */
#include <stdint.h>
#include <string.h>

#include "lib/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_msg msg;
	size_t total;

	if (size < 2)
		return 0;
	total = (size_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	dns_parse(data, size, size, &msg);
	dns_parse(data, size, total, &msg);
	dns_header(data, size, "example.test", &msg);
	/* The wire's readers: the question, and the A/AAAA count. */
	dns_question(data, size, &msg);
	(void)dns_count_addrs(data, size);
	if (msg.header_only || msg.parsed)
		dns_header(data, size, msg.qname, &msg);
	return 0;
}
