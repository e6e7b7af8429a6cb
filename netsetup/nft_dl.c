#include <nftables/libnftables.h>

#include "common/dlib.h"
#include "netsetup/nft_dl.h"

struct knet_nft_api knet_nft;

static const char *const names[] = {
#define X(f) #f,
	KNET_NFT_FUNCS(X)
#undef X
};

static struct dlib lib = {
	.soname = "libnftables.so.1", .package = "libnftables1", .names = names,
	.n = sizeof(names) / sizeof(names[0]), .table = (void **)&knet_nft,
};

int knet_nft_load(struct kerr *err)
{
	_Static_assert(sizeof(knet_nft) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
		       "one pointer per name");
	return dlib_load(&lib, err);
}
