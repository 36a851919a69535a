/* Writing pcap files that hold exactly what they claim: the sim's pcap wire
 * and ixy-pcap's capture both write through this.
 *
 * libpcap's pcap_dump has no error return and writes through stdio, so after
 * a full disk nobody knows how many frames made it. Here records are
 * buffered and written with write(2); after a failed or short write the file
 * is cut back to its last whole record, so ixy_pcap_file_frames() is what a
 * reader will find, and the error (file, errno) is kept and returned by
 * every later call. Internal to the library, like num.h; the in-tree apps
 * use it through the static library. */
#ifndef IXY_SRC_PCAP_FILE_H
#define IXY_SRC_PCAP_FILE_H

#include <stdbool.h>
#include <stdint.h>

struct ixy_pcap_file;

/* Create (truncate) path, or standard output for "-", and write the file
 * header: Ethernet, snaplen, nanosecond or microsecond timestamps. NULL
 * and an ixy_error naming the file on failure. */
struct ixy_pcap_file *ixy_pcap_file_create(const char *path, uint32_t snaplen, bool nano);

/* Add one frame (caplen bytes of a frame of len bytes, caplen is cut to the
 * snaplen) taken at ts_ns (CLOCK_REALTIME nanoseconds). Buffered: written
 * when the buffer fills or at flush. 0, or the file's error (negative
 * errno) once writing has failed; the frame is then counted as lost. */
int ixy_pcap_file_add(struct ixy_pcap_file *f, uint64_t ts_ns, const void *data, uint32_t caplen, uint32_t len);

/* Write out what is buffered. 0 or the file's error (ixy_error says which
 * file, which errno and how many frames the file holds). */
int ixy_pcap_file_flush(struct ixy_pcap_file *f);

/* Frames the file holds (whole records written), and frames handed to
 * ixy_pcap_file_add that are not in it (after an error). */
uint64_t ixy_pcap_file_frames(const struct ixy_pcap_file *f);
uint64_t ixy_pcap_file_lost(const struct ixy_pcap_file *f);

/* The text of the file's error (file, errno, frames it holds), or NULL. */
const char *ixy_pcap_file_error(const struct ixy_pcap_file *f);

/* Flush, sync (regular files) and close; frees f. 0 or the first error of
 * the file's life (with ixy_error set for it). */
int ixy_pcap_file_close(struct ixy_pcap_file *f);

#endif
