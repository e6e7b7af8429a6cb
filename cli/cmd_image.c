/* kapsel image unpack|ls|inspect|rm|release: the OCI image commands. Option
 * parsing and printing only; the work is in image/image.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/image.h"
#include "runtime/runtime.h"

int cmd_image(int argc, char **argv, const struct kglobal *g);

static const char usage[] =
	"Usage: kapsel image COMMAND [options]\n"
	"  unpack [--mode copy|overlay] [--rootless] IMAGE BUNDLE\n"
	"         write BUNDLE/rootfs and BUNDLE/config.json from IMAGE: an OCI layout\n"
	"         DIR[:TAG|@DIGEST], an oci-archive FILE[:TAG] or a docker save FILE[:TAG]\n"
	"  prepare [--mode copy|overlay] IMAGE BUNDLE\n"
	"         as unpack, but reuse BUNDLE if it was made from IMAGE (remounting\n"
	"         its overlay if needed): what `run --image` does\n"
	"  ls [--format table|json]        images in the layer store\n"
	"  inspect NAME|DIGEST             an image's store record as JSON\n"
	"  rm NAME|DIGEST                  forget an image and remove its unused layers\n"
	"  release [--rm] BUNDLE           unmount an overlay bundle's rootfs (--rm: and\n"
	"                                  remove the bundle)\n"
	"Every command takes --store DIR (default $KAPSEL_IMAGE_STORE, /var/lib/kapsel,\n"
	"or $XDG_DATA_HOME/kapsel rootless).\n";

static int fail(const char *sub, const struct kerr *err)
{
	fprintf(stderr, "kapsel: image %s: %s\n", sub, err->msg);
	return 1;
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "kapsel: image: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see kapsel image --help)\n");
	return 1;
}

struct image_args {
	struct kimage_opts o;
	const char *format;
	bool rm;
	int npos;
	char **pos;
};

/* Options may come anywhere among the positional arguments. */
static int parse(int argc, char **argv, const struct kglobal *g, struct image_args *a)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "rootless", no_argument, NULL, 'R' },
		{ "format", required_argument, NULL, 'f' },
		{ "rm", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 } };
	int c;

	a->o.rootless = g->rootless || geteuid() != 0;
	a->o.mode = KIMAGE_COPY;
	a->format = "table";
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:m:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': a->o.store = optarg; break;
		case 'R': a->o.rootless = true; break;
		case 'f': a->format = optarg; break;
		case 'x': a->rm = true; break;
		case 'm':
			if (strcmp(optarg, "copy") == 0)
				a->o.mode = KIMAGE_COPY;
			else if (strcmp(optarg, "overlay") == 0)
				a->o.mode = KIMAGE_OVERLAY;
			else
				return bad_usage("--mode: \"%s\" is not copy or overlay", optarg);
			break;
		case 'h': fputs(usage, stdout); return 2;
		default: return bad_usage("%s", "bad option");
		}
	}
	a->npos = argc - optind;
	a->pos = argv + optind;
	return 0;
}

static void print_table(json_t *list)
{
	json_t *img, *n;
	size_t i, k;

	printf("%-60s %-19s %6s %12s\n", "NAME", "DIGEST", "LAYERS", "SIZE");
	json_array_foreach(list, i, img) {
		const char *dg = json_string_value(json_object_get(img, "digest")) ?: "";
		const char *hex = strchr(dg, ':') ? strchr(dg, ':') + 1 : dg;

		json_array_foreach(json_object_get(img, "names"), k, n)
			printf("%-60s %-19.12s %6lld %12lld\n", json_string_value(n), hex,
			       (long long)json_integer_value(json_object_get(img, "layers")),
			       (long long)json_integer_value(json_object_get(img, "size")));
	}
}

static int print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2));

	puts(s ? s : "null");
	free(s);
	json_decref(j);
	return 0;
}

int cmd_image(int argc, char **argv, const struct kglobal *g)
{
	struct image_args a = { 0 };
	struct kerr err = { 0 };
	const char *sub;
	json_t *j = NULL;
	int r;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	sub = argv[1];
	r = parse(argc - 1, argv + 1, g, &a);
	if (r != 0)
		return r == 2 ? 0 : 1;
	if (strcmp(sub, "unpack") == 0) {
		if (a.npos != 2)
			return bad_usage("%s", "unpack needs IMAGE and BUNDLE");
		return image_unpack(a.pos[0], a.pos[1], &a.o, &err) < 0 ? fail(sub, &err) : 0;
	}
	if (strcmp(sub, "prepare") == 0) {
		if (a.npos != 2)
			return bad_usage("%s", "prepare needs IMAGE and BUNDLE");
		return image_prepare_bundle(a.pos[0], a.pos[1], &a.o, &err) < 0 ? fail(sub, &err)
										 : 0;
	}
	if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0) {
		if (a.npos != 0)
			return bad_usage("%s", "ls takes no arguments");
		if (image_list(&a.o, &j, &err) < 0)
			return fail(sub, &err);
		if (strcmp(a.format, "json") == 0)
			return print_json(j);
		print_table(j);
		json_decref(j);
		return 0;
	}
	if (strcmp(sub, "inspect") == 0) {
		if (a.npos != 1)
			return bad_usage("%s", "inspect needs NAME or DIGEST");
		return image_inspect(&a.o, a.pos[0], &j, &err) < 0 ? fail(sub, &err) : print_json(j);
	}
	if (strcmp(sub, "rm") == 0) {
		if (a.npos < 1)
			return bad_usage("%s", "rm needs NAME or DIGEST");
		for (int i = 0; i < a.npos; i++)
			if (image_remove(&a.o, a.pos[i], &err) < 0)
				return fail(sub, &err);
		return 0;
	}
	if (strcmp(sub, "release") == 0) {
		if (a.npos != 1)
			return bad_usage("%s", "release needs BUNDLE");
		return image_bundle_release(a.pos[0], &a.o, a.rm, &err) < 0 ? fail(sub, &err) : 0;
	}
	return bad_usage("unknown command \"%s\"", sub);
}
