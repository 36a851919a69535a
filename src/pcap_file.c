/* Writing pcap files that hold exactly what they claim (see pcap_file.h).
 *
 * Format (the classic libpcap file, as tcpdump and Wireshark read it): a
 * 24-byte header (magic a1b2c3d4 for microsecond timestamps, a1b23c4d for
 * nanosecond ones, version 2.4, snaplen, link type 1 = Ethernet), then per
 * frame a 16-byte record header (seconds, fraction, captured length,
 * original length) and the captured bytes, all in host byte order. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "pcap_file.h"

#define BUF_BYTES	(512u << 10)	/* > the largest record (16 + 262144) */
#define MAX_RECS	(BUF_BYTES / 16)

struct ixy_pcap_file {
	int fd;
	bool nano, regular;
	uint32_t snaplen;
	char path[256];
	uint8_t *buf;
	uint32_t used;
	uint32_t nrec;
	uint32_t *ends;		/* end offset in buf of each buffered record */
	uint64_t file_bytes;	/* header and whole records in the file */
	uint64_t frames, lost;
	int err;		/* first error, sticky */
	char msg[384];
};

static int fail(struct ixy_pcap_file *f, int err, const char *what)
{
	if (!f->err) {
		f->err = err;
		snprintf(f->msg, sizeof(f->msg), "%s %s: %s (errno %d); the file holds the first %llu frames", what,
			 f->path, strerror(-err), -err, (unsigned long long)f->frames);
	}
	return ixy_error(f->err, "%s", f->msg);
}

/* write(2) all of [p, p+n); returns the bytes written, *err on failure. */
static size_t write_all(int fd, const uint8_t *p, size_t n, int *err)
{
	size_t off = 0;
	*err = 0;
	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*err = w < 0 ? -errno : -ENOSPC;	/* 0 bytes written of a regular file: no room */
			break;
		}
		off += (size_t)w;
	}
	return off;
}

struct ixy_pcap_file *ixy_pcap_file_create(const char *path, uint32_t snaplen, bool nano)
{
	if (!path || !*path)
		return ixy_error_null(-EINVAL, "pcap file: no file name given");
	struct ixy_pcap_file *f = calloc(1, sizeof(*f));
	if (f) {
		f->buf = malloc(BUF_BYTES);
		f->ends = malloc(MAX_RECS * sizeof(*f->ends));
	}
	if (!f || !f->buf || !f->ends) {
		if (f) {
			free(f->buf);
			free(f->ends);
		}
		free(f);
		return ixy_error_null(-ENOMEM, "pcap file %s: out of memory", path);
	}
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->snaplen = snaplen;
	f->nano = nano;
	f->fd = strcmp(path, "-") == 0 ? STDOUT_FILENO : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct stat st;
	if (f->fd < 0) {
		int e = -errno;
		free(f->buf);
		free(f->ends);
		free(f);
		return ixy_error_null(e, "cannot create pcap file %s: %s (errno %d)", path, strerror(-e), -e);
	}
	f->regular = fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode);
	uint32_t hdr[6] = { nano ? 0xa1b23c4du : 0xa1b2c3d4u, 2 | 4u << 16, 0, 0, snaplen, 1 };
	int err;
	size_t n = write_all(f->fd, (const uint8_t *)hdr, sizeof(hdr), &err);
	f->file_bytes = n;
	if (err) {
		fail(f, err, "cannot write the header of pcap file");
		ixy_pcap_file_close(f);	/* keeps the first error's message */
		return NULL;
	}
	return f;
}

int ixy_pcap_file_flush(struct ixy_pcap_file *f)
{
	if (f->err)
		return ixy_error(f->err, "%s", f->msg);
	if (!f->used)
		return 0;
	int err;
	size_t n = write_all(f->fd, f->buf, f->used, &err);
	uint32_t whole = 0;
	while (whole < f->nrec && f->ends[whole] <= n)
		whole++;
	f->frames += whole;
	f->file_bytes += whole ? f->ends[whole - 1] : 0;
	if (err) {
		f->lost += f->nrec - whole;
		/* a record cut in the middle would make the rest of the file
		 * unreadable: cut the file back to the last whole one */
		bool cut = n == (whole ? f->ends[whole - 1] : 0) ||
			   (f->regular && ftruncate(f->fd, (off_t)f->file_bytes) == 0);
		f->used = f->nrec = 0;
		return fail(f, err, cut ? "writing pcap file" : "writing pcap file (a partial record remains at its end)");
	}
	f->used = f->nrec = 0;
	return 0;
}

int ixy_pcap_file_add(struct ixy_pcap_file *f, uint64_t ts_ns, const void *data, uint32_t caplen, uint32_t len)
{
	if (f->err) {
		f->lost++;
		return f->err;
	}
	if (caplen > f->snaplen)
		caplen = f->snaplen;
	if (f->used + 16 + caplen > BUF_BYTES || f->nrec == MAX_RECS) {
		int err = ixy_pcap_file_flush(f);
		if (err) {
			f->lost++;
			return err;
		}
	}
	uint32_t frac = f->nano ? (uint32_t)(ts_ns % 1000000000u) : (uint32_t)(ts_ns % 1000000000u / 1000);
	uint32_t rh[4] = { (uint32_t)(ts_ns / 1000000000u), frac, caplen, len };
	memcpy(f->buf + f->used, rh, sizeof(rh));
	memcpy(f->buf + f->used + 16, data, caplen);
	f->used += 16 + caplen;
	f->ends[f->nrec++] = f->used;
	return 0;
}

uint64_t ixy_pcap_file_frames(const struct ixy_pcap_file *f)
{
	return f->frames;
}

uint64_t ixy_pcap_file_lost(const struct ixy_pcap_file *f)
{
	return f->lost;
}

const char *ixy_pcap_file_error(const struct ixy_pcap_file *f)
{
	return f->err ? f->msg : NULL;
}

int ixy_pcap_file_close(struct ixy_pcap_file *f)
{
	if (!f)
		return 0;
	ixy_pcap_file_flush(f);
	if (!f->err && f->regular && fsync(f->fd) < 0)
		fail(f, -errno, "syncing pcap file");
	if (f->fd != STDOUT_FILENO && close(f->fd) < 0 && !f->err)
		fail(f, -errno, "closing pcap file");
	int err = f->err;
	if (err)
		ixy_error(err, "%s", f->msg);
	free(f->buf);
	free(f->ends);
	free(f);
	return err;
}
