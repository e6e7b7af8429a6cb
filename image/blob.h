/* The open-member object shared by source.c and archive_in.c. */
#ifndef KAPSEL_IMAGE_BLOB_H
#define KAPSEL_IMAGE_BLOB_H

struct archive;

struct kblob {
	int fd;              /* layout member, or the archive file */
	struct archive *ar;  /* archive member: positioned at its data; else NULL */
	char *name;          /* for messages */
};

#endif
