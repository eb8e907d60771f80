// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * labels.c - the names of the correlator's facts: results (as a person reads
 * them and as JSON keys), group classes, resolver functions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/correlate_int.h"

enum result result_of(enum ft_outcome o, int err)
{
	if (o == FT_OUT_CONNECTED)
		return RES_CONNECTED;
	if (o == FT_OUT_ABANDONED)
		return RES_ABANDONED;
	if (o == FT_OUT_PENDING)
		return RES_IN_PROGRESS;
	switch (err) {
	case ECONNREFUSED:
		return RES_REFUSED;
	case ENETUNREACH:
		return RES_NET_UNREACH;
	case EHOSTUNREACH:
		return RES_HOST_UNREACH;
	case ETIMEDOUT:
		return RES_TIMEOUT;
	case EADDRNOTAVAIL:
		return RES_NO_ADDR;
	case EAFNOSUPPORT:
		return RES_NO_FAMILY;
	case EACCES:
	case EPERM:
		return RES_DENIED;
	case ERR_UNSEEN:
		return RES_UNSEEN;
	default:
		return RES_OTHER;
	}
}

static const char *const result_names[RES_N][2] = {
	[RES_CONNECTED] = { "connected", "connected" },
	[RES_REFUSED] = { "refused", "refused" },
	[RES_NET_UNREACH] = { "net unreachable", "net_unreachable" },
	[RES_HOST_UNREACH] = { "host unreachable", "host_unreachable" },
	[RES_TIMEOUT] = { "timed out", "timeout" },
	[RES_ABANDONED] = { "abandoned", "abandoned" },
	[RES_NO_ADDR] = { "no source address", "no_source_address" },
	[RES_NO_FAMILY] = { "family not supported", "family_not_supported" },
	[RES_DENIED] = { "denied by policy", "denied" },
	[RES_OTHER] = { "failed", "other_error" },
	[RES_UNSEEN] = { "failed before the SYN, errno not seen", "failed_errno_unseen" },
	[RES_IN_PROGRESS] = { "still connecting", "in_progress" },
};

const char *result_name(enum result r)
{
	return r < RES_N ? result_names[r][0] : "?";
}

const char *result_key(enum result r)
{
	return r < RES_N ? result_names[r][1] : "unknown";
}

static const char *const class_names[GC_N][2] = {
	[GC_CONNECTED_FIRST] = { "connected first time", "connected_first" },
	[GC_FALLBACK] = { "fallback", "fallback" },
	[GC_RETRIED] = { "retried in the same family", "retried_same_family" },
	[GC_ALL_FAILED] = { "all attempts failed", "all_failed" },
	[GC_NO_FALLBACK] = { "NO FALLBACK", "no_fallback" },
	[GC_FAMILY_UNREACHABLE] = { "family unreachable", "family_unreachable" },
	[GC_NO_USABLE_ADDRESS] = { "NO USABLE ADDRESS", "no_usable_address" },
	[GC_FIRST_ANSWER_EMPTY] = { "FIRST ANSWER EMPTY, NOTHING TRIED", "first_answer_empty" },
};

const char *api_name(enum ft_api a)
{
	static const char *const names[FT_API_MAX + 1] = {
		"?", "getaddrinfo", "gethostbyname", "gethostbyname2", "gethostbyname_r",
		"gethostbyname2_r", "res_query", "res_search", "res_nquery", "res_nsearch",
		"res_send", "res_nsend", "res_querydomain", "res_nquerydomain", "dns",
	};

	return a <= FT_API_MAX ? names[a] : "?";
}

const char *attempt_via(const struct attempt *a)
{
	if (a->flags & FT_F_TFO)
		return "tfo";
	if (a->flags & FT_F_IOURING)
		return "io_uring";
	if (a->flags & FT_F_NOCONNECT)
		return "other";
	return "connect";
}

const char *attempt_tfo(const struct attempt *a)
{
	if (!(a->flags & FT_F_TFO) || a->res != RES_CONNECTED)
		return NULL;
	if (a->flags & FT_F_TFO_DATA_ACKED)
		return "data_in_syn";
	if (a->flags & FT_F_TFO_SYN_DATA)
		return "syn_data_refused";
	return "plain_handshake";
}

const char *group_class_name(enum group_class g)
{
	return g < GC_N ? class_names[g][0] : "?";
}

const char *group_class_key(enum group_class g)
{
	return g < GC_N ? class_names[g][1] : "unknown";
}
