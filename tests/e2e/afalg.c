/*
 * afalg: a tiny AF_ALG skcipher client for the vtrust end-to-end guest (issue #5).
 *
 * Built on the host with `gcc -static` by build-initramfs.sh and run as /bin/afalg inside the
 * busybox initramfs, where no AF_ALG tool exists. It binds an AF_ALG "skcipher" socket to an
 * exact crypto driver name (e.g. "virtio_crypto_aes_cbc", so the kernel cannot pick another
 * cbc(aes) implementation), sets the key, and runs CBC encryption or decryption with
 * ALG_SET_OP / ALG_SET_IV control messages.
 *
 * Usage:
 *   afalg DRIVER enc|dec KEYHEX IVHEX DATAHEX   hex in, hex out (one line on stdout)
 *   afalg DRIVER enc|dec KEYHEX IVHEX           binary stdin -> binary stdout
 *   afalg DRIVER enc|dec KEYHEX IVHEX -t        same, and "bytes=N ns=T" on stderr
 *
 * Data is processed in requests of at most CHUNK bytes (AF_ALG's socket buffer is ~200 KiB,
 * so one huge sendmsg would block). The IV is chained between requests exactly as CBC does
 * (next IV = last ciphertext block), so the output equals one CBC pass over the whole input,
 * whatever CHUNK is. The input length must be a multiple of the 16-byte block. Exit status is
 * 0 on success, 1 on a usage or input error, 2 on an AF_ALG error (message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_alg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define BLOCK 16
#define CHUNK (64 * 1024)
#define MAX_KEY 64

static int fail(int code, const char *what)
{
	fprintf(stderr, "afalg: %s: %s\n", what, errno ? strerror(errno) : "invalid input");
	return code;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex into a new buffer; returns its length or -1. */
static long unhex(const char *hex, unsigned char **out)
{
	size_t n = strlen(hex);
	if (n % 2 != 0)
		return -1;
	unsigned char *buf = malloc(n / 2 + 1);
	if (!buf)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(buf);
			return -1;
		}
		buf[i] = (unsigned char)(hi << 4 | lo);
	}
	*out = buf;
	return (long)(n / 2);
}

/* Reads all of stdin; returns its length or -1. */
static long slurp(unsigned char **out)
{
	size_t cap = 1 << 20, len = 0;
	unsigned char *buf = malloc(cap);
	if (!buf)
		return -1;
	for (;;) {
		if (len == cap) {
			cap *= 2;
			unsigned char *bigger = realloc(buf, cap);
			if (!bigger) {
				free(buf);
				return -1;
			}
			buf = bigger;
		}
		ssize_t r = read(0, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*out = buf;
	return (long)len;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One AF_ALG request: op (ALG_OP_ENCRYPT/DECRYPT) over in[0..n) with iv, into out. */
static int one_request(int opfd, unsigned int op, const unsigned char *iv, const unsigned char *in,
		       unsigned char *out, size_t n)
{
	char cbuf[CMSG_SPACE(sizeof(unsigned int)) + CMSG_SPACE(sizeof(struct af_alg_iv) + BLOCK)];
	memset(cbuf, 0, sizeof(cbuf));
	struct iovec iov = {.iov_base = (void *)in, .iov_len = n};
	struct msghdr msg = {.msg_control = cbuf, .msg_controllen = sizeof(cbuf), .msg_iov = &iov,
			     .msg_iovlen = 1};

	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(unsigned int));
	memcpy(CMSG_DATA(c), &op, sizeof(op));

	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + BLOCK);
	struct af_alg_iv *aiv = (struct af_alg_iv *)CMSG_DATA(c);
	aiv->ivlen = BLOCK;
	memcpy(aiv->iv, iv, BLOCK);

	ssize_t s = sendmsg(opfd, &msg, 0);
	if (s < 0 || (size_t)s != n)
		return -1;
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(opfd, out + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5 || argc > 6 || (strcmp(argv[2], "enc") && strcmp(argv[2], "dec"))) {
		fprintf(stderr, "usage: afalg DRIVER enc|dec KEYHEX IVHEX [DATAHEX|-t]\n");
		return 1;
	}
	const char *driver = argv[1];
	int encrypt = strcmp(argv[2], "enc") == 0;
	int timed = argc == 6 && strcmp(argv[5], "-t") == 0;
	int hexmode = argc == 6 && !timed;

	unsigned char *key, *iv0, *in;
	long keylen = unhex(argv[3], &key);
	long ivlen = unhex(argv[4], &iv0);
	if (keylen <= 0 || keylen > MAX_KEY || ivlen != BLOCK)
		return errno = 0, fail(1, "key or iv");
	long len = hexmode ? unhex(argv[5], &in) : slurp(&in);
	if (len < 0 || len % BLOCK != 0)
		return errno = 0, fail(1, "data (must be whole 16-byte blocks)");
	unsigned char *out = malloc((size_t)len + 1);
	if (!out)
		return fail(1, "malloc");

	struct sockaddr_alg sa = {.salg_family = AF_ALG};
	strncpy((char *)sa.salg_type, "skcipher", sizeof(sa.salg_type) - 1);
	strncpy((char *)sa.salg_name, driver, sizeof(sa.salg_name) - 1);
	int tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0)
		return fail(2, "socket(AF_ALG)");
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail(2, "bind (no such skcipher driver?)");
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, (socklen_t)keylen) < 0)
		return fail(2, "setsockopt(ALG_SET_KEY)");
	int opfd = accept(tfm, NULL, 0);
	if (opfd < 0)
		return fail(2, "accept");

	unsigned char iv[BLOCK];
	memcpy(iv, iv0, BLOCK);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long off = 0; off < len; off += CHUNK) {
		size_t n = (size_t)(len - off < CHUNK ? len - off : CHUNK);
		if (one_request(opfd, encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT, iv, in + off, out + off,
				n) < 0)
			return fail(2, "sendmsg/read");
		/* CBC chaining: the next IV is the last ciphertext block of this request. */
		memcpy(iv, (encrypt ? out : in) + off + (long)n - BLOCK, BLOCK);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	if (hexmode) {
		for (long i = 0; i < len; i++)
			printf("%02x", out[i]);
		printf("\n");
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (write_all(1, out, (size_t)len) < 0)
		return fail(1, "write");
	if (timed) {
		long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
		fprintf(stderr, "bytes=%ld ns=%lld\n", len, ns);
	}
	return 0;
}
