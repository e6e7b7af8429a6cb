/* libnftables, loaded on first use (common/dlib.h says why). Include after
 * <nftables/libnftables.h>; call knet_nft_load() before any nft_* call. */
#ifndef KAPSEL_NETSETUP_NFT_DL_H
#define KAPSEL_NETSETUP_NFT_DL_H

#include <nftables/libnftables.h>

#include "common/error.h"

#define KNET_NFT_FUNCS(X) \
	X(nft_ctx_new) X(nft_ctx_free) X(nft_ctx_buffer_output) X(nft_ctx_buffer_error) \
	X(nft_ctx_get_error_buffer) X(nft_run_cmd_from_buffer)

struct knet_nft_api {
#define X(f) __typeof__(f) *f;
	KNET_NFT_FUNCS(X)
#undef X
};

extern struct knet_nft_api knet_nft;
int knet_nft_load(struct kerr *err);

#define nft_ctx_new (knet_nft.nft_ctx_new)
#define nft_ctx_free (knet_nft.nft_ctx_free)
#define nft_ctx_buffer_output (knet_nft.nft_ctx_buffer_output)
#define nft_ctx_buffer_error (knet_nft.nft_ctx_buffer_error)
#define nft_ctx_get_error_buffer (knet_nft.nft_ctx_get_error_buffer)
#define nft_run_cmd_from_buffer (knet_nft.nft_run_cmd_from_buffer)

#endif
