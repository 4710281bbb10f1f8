/* face: libface from the shell.
 *
 * Every result is one JSON object per line on stdout; diagnostics are JSON
 * lines on stderr. The exit code says what happened (see usage() and
 * docs/cli.md), so scripts can branch on it without parsing.
 *
 * Keys never appear on the command line, where any user could read them in
 * the process list and where they land in shell history: a raw key comes
 * from a file, a passphrase from a file or from an environment variable. */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <face/face.h>

#include "png_write.h"

/* Exit codes: part of the tool's interface, documented in usage() and
 * docs/cli.md. Never renumber. */
enum {
    EXIT_OK = 0,        /* success; verify: same person; scan: at least one alert */
    EXIT_NO_MATCH = 1,  /* verify: different; scan: no alert; no face; id not found */
    EXIT_USAGE = 2,     /* bad command line or option value */
    EXIT_IO = 3,        /* a file could not be read or written */
    EXIT_AUTH = 4,      /* wrong key, tampered or corrupt file, unsupported version */
    EXIT_MISMATCH = 5,  /* templates or watchlist of another model */
    EXIT_LIMIT = 6,     /* a documented limit was exceeded */
    EXIT_EXISTS = 7,    /* the id is enrolled already, or a key file exists */
    EXIT_FAILURE_ = 8   /* anything else: out of memory, unsupported CPU, internal */
};

#define MAX_DETECT 256
#define MAX_ENROLL_IMAGES FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY
#define PASSPHRASE_MAX 4096

static const char *const status_names[] = {
    "FACE_OK", "FACE_ERR_INVALID_ARGUMENT", "FACE_ERR_OUT_OF_MEMORY", "FACE_ERR_IO",
    "FACE_ERR_UNSUPPORTED_VERSION", "FACE_ERR_CORRUPT", "FACE_ERR_AUTH",
    "FACE_ERR_MODEL_MISMATCH", "FACE_ERR_LIMIT", "FACE_ERR_NOT_FOUND",
    "FACE_ERR_ISA_UNAVAILABLE", "FACE_ERR_BUFFER_TOO_SMALL", "FACE_ERR_EXISTS",
    "FACE_ERR_STATE", "FACE_ERR_INTERNAL"};

static const char *status_name(face_status s)
{
    if ((int)s >= 0 && (size_t)s < sizeof status_names / sizeof status_names[0])
        return status_names[s];
    return "FACE_ERR_UNKNOWN";
}

static int exit_code(face_status s)
{
    switch (s) {
    case FACE_OK: return EXIT_OK;
    case FACE_ERR_NOT_FOUND: return EXIT_NO_MATCH;
    case FACE_ERR_INVALID_ARGUMENT: return EXIT_USAGE;
    case FACE_ERR_IO: return EXIT_IO;
    case FACE_ERR_CORRUPT:
    case FACE_ERR_AUTH:
    case FACE_ERR_UNSUPPORTED_VERSION: return EXIT_AUTH;
    case FACE_ERR_MODEL_MISMATCH: return EXIT_MISMATCH;
    case FACE_ERR_LIMIT:
    case FACE_ERR_BUFFER_TOO_SMALL: return EXIT_LIMIT;
    case FACE_ERR_EXISTS: return EXIT_EXISTS;
    default: return EXIT_FAILURE_;
    }
}

/* ------------------------------------------------------------------ JSON */

static void json_str(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void json_cstr(FILE *f, const char *s) { json_str(f, s ? s : "", s ? strlen(s) : 0); }

/* Floats are finite everywhere the library hands them out; guard anyway so
 * a bug can never produce invalid JSON. */
static void json_num(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.6g", v);
    else fputs("null", f);
}

static void json_box(FILE *f, const face_rect *r)
{
    fputc('[', f);
    json_num(f, r->x);
    fputc(',', f);
    json_num(f, r->y);
    fputc(',', f);
    json_num(f, r->width);
    fputc(',', f);
    json_num(f, r->height);
    fputc(']', f);
}

/* An error as one JSON line on stderr; returns the exit code to use. */
static int report(face_status s, const face_ctx *ctx, const char *what, const char *subject)
{
    fputs("{\"error\":", stderr);
    json_cstr(stderr, what);
    if (subject) {
        fputs(",\"subject\":", stderr);
        json_cstr(stderr, subject);
    }
    fprintf(stderr, ",\"status\":\"%s\",\"code\":%d,\"message\":", status_name(s), (int)s);
    json_cstr(stderr, face_strerror(s));
    if (ctx && *face_ctx_last_error(ctx)) {
        fputs(",\"detail\":", stderr);
        json_cstr(stderr, face_ctx_last_error(ctx));
    }
    fputs("}\n", stderr);
    return exit_code(s);
}

static int usage_error(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fputs("{\"error\":\"usage\",\"message\":", stderr);
    json_cstr(stderr, msg);
    fputs(",\"hint\":\"face help\"}\n", stderr);
    return EXIT_USAGE;
}

static int io_error(const char *what, const char *path)
{
    fputs("{\"error\":", stderr);
    json_cstr(stderr, what);
    fputs(",\"subject\":", stderr);
    json_cstr(stderr, path);
    fputs(",\"message\":", stderr);
    json_cstr(stderr, strerror(errno));
    fputs("}\n", stderr);
    return EXIT_IO;
}

/* ------------------------------------------------------------------ options */

typedef struct options {
    const char *models;
    int detector;
    int min_face;
    double score;
    int threads;
    const char *annotate;
    int landmarks;
    double threshold;
    int threshold_set;
    int k;
    const char *key_file;
    const char *passphrase_file;
    const char *passphrase_env;
    uint64_t kdf_ops, kdf_mem;
    int int8;
    const char *audit;
    const char *sign_key;
    const char *public_key;
    const char *label;
    int64_t expires;
    int face_index;
    int64_t now;
    int use_stdin;
    int width, height, format;
    const char *watchlist;
    const char *camera;
    int pos_count;
    char **pos;
} options;

static int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    int64_t v;
    if (!parse_i64(s, lo, hi, &v)) return 0;
    *out = (int)v;
    return 1;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) return 0;
    *out = v;
    return 1;
}

static int parse_format(const char *s, int *out)
{
    static const struct {
        const char *name;
        int fmt;
    } t[] = {{"gray8", FACE_PIXEL_GRAY8},   {"rgb24", FACE_PIXEL_RGB24},
             {"bgr24", FACE_PIXEL_BGR24},   {"rgba32", FACE_PIXEL_RGBA32},
             {"bgra32", FACE_PIXEL_BGRA32}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(s, t[i].name)) {
            *out = t[i].fmt;
            return 1;
        }
    return 0;
}

/* Options accepted anywhere after the command. Each names the commands it
 * applies to, so a typo or a misplaced option is a usage error instead of
 * being silently ignored. */
enum {
    C_DETECT = 1 << 0,
    C_VERIFY = 1 << 1,
    C_CREATE = 1 << 2,
    C_ENROLL = 1 << 3,
    C_LIST = 1 << 4,
    C_REMOVE = 1 << 5,
    C_PURGE = 1 << 6,
    C_DESTROY = 1 << 7,
    C_SCAN = 1 << 8,
    C_AUDIT = 1 << 9,
    C_INFO = 1 << 10,
    C_KEYGEN = 1 << 11
};
#define C_ENGINE (C_DETECT | C_VERIFY | C_CREATE | C_ENROLL | C_SCAN)
#define C_KEYED (C_CREATE | C_ENROLL | C_LIST | C_REMOVE | C_PURGE | C_DESTROY | C_SCAN | C_AUDIT)
#define C_AUDITED (C_CREATE | C_ENROLL | C_LIST | C_REMOVE | C_PURGE | C_DESTROY | C_SCAN)

static int parse_options(int cmd, int argc, char **argv, options *o)
{
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || !a[2]) {
            if (!strcmp(a, "--")) { /* everything after is positional */
                for (i++; i < argc; i++) o->pos[o->pos_count++] = argv[i];
                break;
            }
            o->pos[o->pos_count++] = a;
            continue;
        }
        const char *name = a + 2;
        const char *val = NULL;
        char namebuf[64];
        const char *eq = strchr(name, '=');
        if (eq) {
            size_t n = (size_t)(eq - name);
            if (n >= sizeof namebuf) return usage_error("unknown option %s", a);
            memcpy(namebuf, name, n);
            namebuf[n] = 0;
            name = namebuf;
            val = eq + 1;
        }
        static const struct {
            const char *name;
            int takes_value;
            int cmds;
        } table[] = {
            {"models", 1, C_ENGINE},          {"detector", 1, C_ENGINE},
            {"min-face", 1, C_ENGINE},        {"score", 1, C_ENGINE},
            {"threads", 1, C_ENGINE},         {"annotate", 1, C_DETECT},
            {"landmarks", 0, C_DETECT},       {"threshold", 1, C_VERIFY | C_SCAN},
            {"k", 1, C_SCAN},                 {"key-file", 1, C_KEYED},
            {"passphrase-file", 1, C_KEYED},  {"passphrase-env", 1, C_KEYED},
            {"kdf-ops", 1, C_CREATE},         {"kdf-mem", 1, C_CREATE},
            {"int8", 0, C_CREATE},            {"audit", 1, C_AUDITED},
            {"sign-key", 1, C_AUDITED},       {"public-key", 1, C_AUDIT},
            {"label", 1, C_ENROLL},           {"expires", 1, C_ENROLL},
            {"face", 1, C_ENROLL},            {"now", 1, C_PURGE | C_SCAN},
            {"stdin", 0, C_SCAN},             {"width", 1, C_SCAN},
            {"height", 1, C_SCAN},            {"format", 1, C_SCAN},
            {"watchlist", 1, C_AUDIT},        {"camera", 1, C_SCAN},
            {"passphrase", 1, 0}, /* refused with an explanation below */
        };
        size_t t = 0;
        for (; t < sizeof table / sizeof table[0]; t++)
            if (!strcmp(name, table[t].name)) break;
        if (t == sizeof table / sizeof table[0]) return usage_error("unknown option --%s", name);
        if (!strcmp(name, "passphrase"))
            return usage_error("a passphrase on the command line is visible to every user; "
                               "use --passphrase-file or --passphrase-env");
        if (!(table[t].cmds & cmd)) return usage_error("--%s does not apply to this command", name);
        if (table[t].takes_value && !val) {
            if (i + 1 >= argc) return usage_error("--%s needs a value", name);
            val = argv[++i];
        } else if (!table[t].takes_value && val) {
            return usage_error("--%s takes no value", name);
        }
        int ok = 1;
        int64_t v64;
        if (!strcmp(name, "models")) o->models = val;
        else if (!strcmp(name, "detector")) {
            if (!strcmp(val, "tiny")) o->detector = FACE_DETECTOR_TINY;
            else if (!strcmp(val, "ssd")) o->detector = FACE_DETECTOR_SSD;
            else ok = 0;
        } else if (!strcmp(name, "min-face")) ok = parse_int(val, 0, 100000, &o->min_face);
        else if (!strcmp(name, "score")) ok = parse_double(val, 1e-6, 0.999999, &o->score);
        else if (!strcmp(name, "threads")) ok = parse_int(val, 1, 64, &o->threads);
        else if (!strcmp(name, "annotate")) o->annotate = val;
        else if (!strcmp(name, "landmarks")) o->landmarks = 1;
        else if (!strcmp(name, "threshold")) {
            ok = parse_double(val, 0.0, 10.0, &o->threshold);
            o->threshold_set = 1;
        } else if (!strcmp(name, "k")) ok = parse_int(val, 1, FACE_WATCHLIST_MAX_K, &o->k);
        else if (!strcmp(name, "key-file")) o->key_file = val;
        else if (!strcmp(name, "passphrase-file")) o->passphrase_file = val;
        else if (!strcmp(name, "passphrase-env")) o->passphrase_env = val;
        else if (!strcmp(name, "kdf-ops")) {
            ok = parse_i64(val, FACE_WATCHLIST_KDF_OPSLIMIT_MIN, FACE_WATCHLIST_KDF_OPSLIMIT_MAX, &v64);
            o->kdf_ops = (uint64_t)v64;
        } else if (!strcmp(name, "kdf-mem")) {
            ok = parse_i64(val, FACE_WATCHLIST_KDF_MEMLIMIT_MIN, FACE_WATCHLIST_KDF_MEMLIMIT_MAX, &v64);
            o->kdf_mem = (uint64_t)v64;
        } else if (!strcmp(name, "int8")) o->int8 = 1;
        else if (!strcmp(name, "audit")) o->audit = val;
        else if (!strcmp(name, "sign-key")) o->sign_key = val;
        else if (!strcmp(name, "public-key")) o->public_key = val;
        else if (!strcmp(name, "label")) o->label = val;
        else if (!strcmp(name, "expires")) ok = parse_i64(val, 0, INT64_MAX, &o->expires);
        else if (!strcmp(name, "face")) ok = parse_int(val, 0, MAX_DETECT - 1, &o->face_index);
        else if (!strcmp(name, "now")) ok = parse_i64(val, 0, INT64_MAX, &o->now);
        else if (!strcmp(name, "stdin")) o->use_stdin = 1;
        else if (!strcmp(name, "width")) ok = parse_int(val, 1, 1 << 16, &o->width);
        else if (!strcmp(name, "height")) ok = parse_int(val, 1, 1 << 16, &o->height);
        else if (!strcmp(name, "format")) ok = parse_format(val, &o->format);
        else if (!strcmp(name, "watchlist")) o->watchlist = val;
        else if (!strcmp(name, "camera")) o->camera = val;
        if (!ok) return usage_error("bad value for --%s: %s", name, val ? val : "");
    }
    return EXIT_OK;
}

/* ------------------------------------------------------------------ files */

/* Read a small file whole. Used for keys: the buffer is wiped by the caller. */
static int read_small_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return io_error("cannot open", path);
    size_t n = fread(buf, 1, cap, f);
    int extra = fgetc(f) != EOF;
    int err = ferror(f);
    fclose(f);
    if (err) return io_error("cannot read", path);
    if (extra) {
        errno = EFBIG;
        return io_error("file too large", path);
    }
    *len = n;
    return EXIT_OK;
}

/* Write a new file that must not exist (keys are never overwritten: that
 * would shred every watchlist sealed with the old key). Mode 0600. */
static int write_new_file(const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            io_error("refusing to overwrite", path);
            return EXIT_EXISTS;
        }
        return io_error("cannot create", path);
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(path);
            errno = e;
            return io_error("cannot write", path);
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(path);
        return io_error("cannot write", path);
    }
    return EXIT_OK;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Key material assembled from --key-file / --passphrase-*; wiped by key_free. */
typedef struct cli_key {
    face_watchlist_key key;
    uint8_t raw[FACE_WATCHLIST_KEY_BYTES];
    char *pass; /* sodium_malloc'd: guarded and locked */
    size_t pass_len;
} cli_key;

static void key_free(cli_key *k)
{
    sodium_memzero(k->raw, sizeof k->raw);
    if (k->pass) sodium_free(k->pass);
    k->pass = NULL;
}

/* A key file holds 32 raw bytes, or 64 hex digits and an optional newline. */
static int load_key(const options *o, cli_key *k, int creating)
{
    int sources = !!o->key_file + !!o->passphrase_file + !!o->passphrase_env;
    const char *env_default = getenv("FACE_WATCHLIST_PASSPHRASE");
    if (sources > 1) return usage_error("give one of --key-file, --passphrase-file, --passphrase-env");
    memset(k, 0, sizeof *k);
    if (o->key_file) {
        uint8_t buf[130];
        size_t n = 0;
        int rc = read_small_file(o->key_file, buf, sizeof buf, &n);
        if (rc) return rc;
        if (n == FACE_WATCHLIST_KEY_BYTES) {
            memcpy(k->raw, buf, n);
        } else {
            while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) n--;
            if (n != 2 * FACE_WATCHLIST_KEY_BYTES) {
                sodium_memzero(buf, sizeof buf);
                return report(FACE_ERR_INVALID_ARGUMENT, NULL,
                              "a key file holds 32 raw bytes or 64 hex digits", o->key_file);
            }
            for (size_t i = 0; i < FACE_WATCHLIST_KEY_BYTES; i++) {
                int hi = hexval(buf[2 * i]), lo = hexval(buf[2 * i + 1]);
                if (hi < 0 || lo < 0) {
                    sodium_memzero(buf, sizeof buf);
                    return report(FACE_ERR_INVALID_ARGUMENT, NULL,
                                  "a key file holds 32 raw bytes or 64 hex digits", o->key_file);
                }
                k->raw[i] = (uint8_t)(hi << 4 | lo);
            }
        }
        sodium_memzero(buf, sizeof buf);
        face_watchlist_key_raw(&k->key, k->raw);
        return EXIT_OK;
    }
    k->pass = sodium_malloc(PASSPHRASE_MAX + 2);
    if (!k->pass) return report(FACE_ERR_OUT_OF_MEMORY, NULL, "allocating key memory", NULL);
    if (o->passphrase_file) {
        size_t n = 0;
        int rc = read_small_file(o->passphrase_file, (uint8_t *)k->pass, PASSPHRASE_MAX + 1, &n);
        if (rc) return rc;
        /* One trailing newline is what every editor and `echo` add. */
        if (n > 0 && k->pass[n - 1] == '\n') n--;
        if (n > 0 && k->pass[n - 1] == '\r') n--;
        k->pass_len = n;
    } else {
        const char *var = o->passphrase_env ? o->passphrase_env : "FACE_WATCHLIST_PASSPHRASE";
        const char *p = o->passphrase_env ? getenv(o->passphrase_env) : env_default;
        if (!p) {
            if (!o->passphrase_env)
                return usage_error("no key: give --key-file, --passphrase-file or "
                                   "--passphrase-env, or set FACE_WATCHLIST_PASSPHRASE");
            return usage_error("environment variable %s is not set", var);
        }
        size_t n = strlen(p);
        if (n > PASSPHRASE_MAX) return usage_error("passphrase longer than %d bytes", PASSPHRASE_MAX);
        memcpy(k->pass, p, n);
        k->pass_len = n;
    }
    if (k->pass_len == 0) return usage_error("empty passphrase");
    if (k->pass_len > PASSPHRASE_MAX) return usage_error("passphrase longer than %d bytes", PASSPHRASE_MAX);
    face_watchlist_key_passphrase(&k->key, k->pass, k->pass_len);
    if (creating) {
        k->key.opslimit = o->kdf_ops;
        k->key.memlimit = o->kdf_mem;
    }
    return EXIT_OK;
}

/* ------------------------------------------------------------------ engine */

typedef struct app {
    options *o;
    face_engine *engine;
    face_ctx *ctx;
    face_detect_options dopt;
} app;

static int app_open(app *a, options *o)
{
    memset(a, 0, sizeof *a);
    a->o = o;
    const char *dir = o->models ? o->models : getenv("FACE_MODEL_DIR");
    if (!dir || !*dir) return usage_error("no models: give --models DIR or set FACE_MODEL_DIR");
    face_status s = face_engine_create_from_dir(dir, NULL, &a->engine);
    if (s) return report(s, NULL, "loading models", dir);
    s = face_ctx_create(a->engine, NULL, &a->ctx);
    if (s) return report(s, NULL, "creating context", NULL);
    if (o->threads > 1 && (s = face_ctx_set_option(a->ctx, FACE_OPT_THREADS, o->threads)))
        return report(s, a->ctx, "setting threads", NULL);
    face_detect_options_init(&a->dopt);
    if (o->detector) a->dopt.detector = o->detector;
    if (o->detector == FACE_DETECTOR_SSD) a->dopt.input_size = 512;
    a->dopt.min_face_size = o->min_face;
    if (o->score > 0) a->dopt.score_threshold = (float)o->score;
    return EXIT_OK;
}

static void app_close(app *a)
{
    face_ctx_destroy(a->ctx);
    face_engine_destroy(a->engine);
}

/* Detect, then landmarks for each face. n is the number of faces found,
 * which may exceed MAX_DETECT (only MAX_DETECT are filled). */
static face_status find_faces(app *a, const face_image *img, face_detection *det,
                              face_landmarks *lm, size_t *n, size_t *filled)
{
    face_status s = face_detect(a->ctx, img, &a->dopt, det, MAX_DETECT, n);
    if (s == FACE_ERR_BUFFER_TOO_SMALL) s = FACE_OK;
    if (s) return s;
    *filled = *n < MAX_DETECT ? *n : MAX_DETECT;
    if (lm)
        for (size_t i = 0; i < *filled; i++)
            if ((s = face_landmarks_detect(a->ctx, img, &det[i].box, &lm[i]))) return s;
    return FACE_OK;
}

static face_status embed_face(app *a, const face_image *img, const face_landmarks *lm,
                              face_template *t)
{
    face_chip *chip = sodium_malloc(sizeof *chip);
    if (!chip) return FACE_ERR_OUT_OF_MEMORY;
    face_status s = face_align_chip(a->ctx, img, lm, chip);
    if (!s) s = face_embed_chip(a->ctx, chip, NULL, t);
    sodium_free(chip); /* zeroes before release */
    return s;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* ------------------------------------------------------------------ detect */

/* A box outline `thick` pixels wide on each side of the edge, clipped. */
static void draw_rect(uint8_t *rgb, int w, int h, face_rect r, int thick)
{
    int x0 = (int)floorf(r.x), y0 = (int)floorf(r.y);
    int x1 = (int)ceilf(r.x + r.width), y1 = (int)ceilf(r.y + r.height);
    for (int y = y0 - thick; y <= y1 + thick; y++) {
        if (y < 0 || y >= h) continue;
        int edge_row = abs(y - y0) <= thick || abs(y - y1) <= thick;
        for (int x = x0 - thick; x <= x1 + thick; x++) {
            if (x < 0 || x >= w) continue;
            if (!edge_row && abs(x - x0) > thick && abs(x - x1) > thick) continue;
            uint8_t *p = rgb + ((size_t)y * (size_t)w + (size_t)x) * 3;
            p[0] = 255;
            p[1] = 32;
            p[2] = 32;
        }
    }
}

static void draw_dot(uint8_t *rgb, int w, int h, face_point c, int radius)
{
    int cx = (int)lrintf(c.x), cy = (int)lrintf(c.y);
    for (int y = cy - radius; y <= cy + radius; y++)
        for (int x = cx - radius; x <= cx + radius; x++) {
            if (x < 0 || y < 0 || x >= w || y >= h) continue;
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > radius * radius) continue;
            uint8_t *p = rgb + ((size_t)y * (size_t)w + (size_t)x) * 3;
            p[0] = 32;
            p[1] = 255;
            p[2] = 64;
        }
}

/* Write the annotated copy to path.tmp, then rename: a reader never sees a
 * half-written PNG. */
static int write_annotated(const char *path, const face_image *img, const face_detection *det,
                           const face_landmarks *lm, size_t n)
{
    size_t w = (size_t)img->width, h = (size_t)img->height;
    uint8_t *rgb = malloc(w * h * 3);
    if (!rgb) return report(FACE_ERR_OUT_OF_MEMORY, NULL, "annotating", path);
    for (size_t y = 0; y < h; y++) memcpy(rgb + y * w * 3, img->data + y * (size_t)img->stride, w * 3);
    int scale = (int)((w > h ? w : h) / 500) + 1; /* lines stay visible on big frames */
    for (size_t i = 0; i < n; i++) {
        draw_rect(rgb, (int)w, (int)h, det[i].box, scale);
        for (int p = 0; p < FACE_LANDMARK_COUNT; p++)
            draw_dot(rgb, (int)w, (int)h, lm[i].points[p], scale + 1);
    }
    char tmp[PATH_MAX];
    int rc = EXIT_OK;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        rc = usage_error("path too long: %s", path);
    } else {
        struct png_sink sink = {fopen(tmp, "wb"), 0};
        if (!sink.file) {
            rc = io_error("cannot create", tmp);
        } else {
            int ok = cli_png_write(&sink, (int)w, (int)h, rgb);
            if (fclose(sink.file) != 0) ok = 0;
            if (!ok || rename(tmp, path) != 0) {
                rc = io_error("cannot write", path);
                unlink(tmp);
            }
        }
    }
    /* The annotated copy holds faces: wipe it like the library wipes its own. */
    sodium_memzero(rgb, w * h * 3);
    free(rgb);
    return rc;
}

static int cmd_detect(options *o)
{
    if (o->pos_count < 1) return usage_error("detect needs at least one IMAGE");
    if (o->annotate && o->pos_count != 1) return usage_error("--annotate takes one IMAGE");
    app a;
    int rc = app_open(&a, o);
    if (rc) {
        app_close(&a);
        return rc;
    }
    static face_detection det[MAX_DETECT];
    static face_landmarks lm[MAX_DETECT];
    int worst = EXIT_OK;
    size_t total = 0;
    for (int i = 0; i < o->pos_count; i++) {
        const char *path = o->pos[i];
        face_image img;
        face_status s = face_image_load_file(a.ctx, path, &img);
        if (s) {
            int e = report(s, a.ctx, "loading image", path);
            if (e > worst) worst = e;
            continue;
        }
        size_t n = 0, filled = 0;
        s = find_faces(&a, &img, det, lm, &n, &filled);
        if (s) {
            int e = report(s, a.ctx, "detecting", path);
            if (e > worst) worst = e;
            face_image_free(a.ctx, &img);
            continue;
        }
        for (size_t f = 0; f < filled; f++) {
            fputs("{\"type\":\"face\",\"image\":", stdout);
            json_cstr(stdout, path);
            fprintf(stdout, ",\"index\":%zu,\"score\":", f);
            json_num(stdout, det[f].score);
            fputs(",\"box\":", stdout);
            json_box(stdout, &det[f].box);
            if (o->landmarks) {
                fputs(",\"landmarks\":[", stdout);
                for (int p = 0; p < FACE_LANDMARK_COUNT; p++) {
                    fputs(p ? ",[" : "[", stdout);
                    json_num(stdout, lm[f].points[p].x);
                    fputc(',', stdout);
                    json_num(stdout, lm[f].points[p].y);
                    fputc(']', stdout);
                }
                fputc(']', stdout);
            }
            fputs("}\n", stdout);
        }
        fputs("{\"type\":\"image\",\"image\":", stdout);
        json_cstr(stdout, path);
        fprintf(stdout, ",\"width\":%d,\"height\":%d,\"faces\":%zu", img.width, img.height, n);
        if (n > filled) fprintf(stdout, ",\"reported\":%zu", filled);
        if (o->annotate) {
            fputs(",\"annotated\":", stdout);
            json_cstr(stdout, o->annotate);
        }
        fputs("}\n", stdout);
        total += n;
        if (o->annotate) {
            int e = write_annotated(o->annotate, &img, det, lm, filled);
            if (e > worst) worst = e;
        }
        face_image_free(a.ctx, &img);
    }
    app_close(&a);
    if (worst) return worst;
    return total ? EXIT_OK : EXIT_NO_MATCH;
}

/* ------------------------------------------------------------------ verify */

/* Template of the best-scoring face of an image (detections come best first). */
static int template_of(app *a, const char *path, face_template *t, face_rect *box)
{
    face_image img;
    face_status s = face_image_load_file(a->ctx, path, &img);
    if (s) return report(s, a->ctx, "loading image", path);
    face_detection det[MAX_DETECT];
    face_landmarks lm;
    size_t n = 0, filled = 0;
    s = find_faces(a, &img, det, NULL, &n, &filled);
    if (!s && n == 0) {
        face_image_free(a->ctx, &img);
        report(FACE_ERR_NOT_FOUND, NULL, "no face found", path);
        return EXIT_NO_MATCH;
    }
    if (!s) s = face_landmarks_detect(a->ctx, &img, &det[0].box, &lm);
    if (!s) s = embed_face(a, &img, &lm, t);
    face_image_free(a->ctx, &img);
    if (s) return report(s, a->ctx, "embedding", path);
    *box = det[0].box;
    return EXIT_OK;
}

/* The network's trained decision distance: same person below it. */
#define VERIFY_THRESHOLD 0.6
/* A 1:N search multiplies false matches by N, so alerts use a stricter
 * default (see docs/concepts.md, "Thresholds"). */
#define SCAN_THRESHOLD 0.5

static int cmd_verify(options *o)
{
    if (o->pos_count != 2) return usage_error("verify needs exactly two IMAGEs");
    app a;
    int rc = app_open(&a, o);
    face_template ta, tb;
    face_rect ba, bb;
    memset(&ta, 0, sizeof ta);
    memset(&tb, 0, sizeof tb);
    if (!rc) rc = template_of(&a, o->pos[0], &ta, &ba);
    if (!rc) rc = template_of(&a, o->pos[1], &tb, &bb);
    if (!rc) {
        float d = 0, sim = 0;
        face_status s = face_compare(&ta, &tb, &d, &sim);
        if (s) {
            rc = report(s, NULL, "comparing", NULL);
        } else {
            double thr = o->threshold_set ? o->threshold : VERIFY_THRESHOLD;
            int same = d <= thr;
            fputs("{\"type\":\"verify\",\"a\":", stdout);
            json_cstr(stdout, o->pos[0]);
            fputs(",\"b\":", stdout);
            json_cstr(stdout, o->pos[1]);
            fputs(",\"box_a\":", stdout);
            json_box(stdout, &ba);
            fputs(",\"box_b\":", stdout);
            json_box(stdout, &bb);
            fputs(",\"distance\":", stdout);
            json_num(stdout, d);
            fputs(",\"similarity\":", stdout);
            json_num(stdout, sim);
            fputs(",\"threshold\":", stdout);
            json_num(stdout, thr);
            fprintf(stdout, ",\"match\":%s}\n", same ? "true" : "false");
            rc = same ? EXIT_OK : EXIT_NO_MATCH;
        }
    }
    face_template_wipe(&ta);
    face_template_wipe(&tb);
    app_close(&a);
    return rc;
}

/* ------------------------------------------------------------------ watchlist */

static int load_sign_key(const options *o, uint8_t sk[FACE_AUDIT_SECRET_KEY_BYTES])
{
    size_t n = 0;
    int rc = read_small_file(o->sign_key, sk, FACE_AUDIT_SECRET_KEY_BYTES, &n);
    if (rc) return rc;
    if (n != FACE_AUDIT_SECRET_KEY_BYTES)
        return report(FACE_ERR_INVALID_ARGUMENT, NULL, "a signing key file holds 64 bytes",
                      o->sign_key);
    return EXIT_OK;
}

/* Open (or with create, make) the watchlist named by path. The engine, when
 * given, pins the model fingerprint so a file of another model is refused. */
static int wl_open(options *o, const char *path, const face_engine *engine, int create,
                   face_watchlist **wl)
{
    cli_key k;
    int rc = load_key(o, &k, create);
    if (rc) {
        key_free(&k);
        return rc;
    }
    uint8_t *sk = NULL;
    if (o->sign_key) {
        sk = sodium_malloc(FACE_AUDIT_SECRET_KEY_BYTES);
        if (!sk) rc = report(FACE_ERR_OUT_OF_MEMORY, NULL, "allocating key memory", NULL);
        else rc = load_sign_key(o, sk);
    }
    face_watchlist_options wo;
    face_watchlist_options_init(&wo);
    wo.audit_path = o->audit;
    wo.audit_sign_key = sk;
    face_status s = FACE_OK;
    if (!rc && engine) {
        s = face_engine_fingerprint(engine, FACE_ALIGN_DLIB, wo.fingerprint);
        wo.check_fingerprint = 1;
        if (s) rc = report(s, NULL, "fingerprint", NULL);
    }
    if (!rc) {
        if (create) {
            wo.storage = o->int8 ? FACE_WATCHLIST_INT8 : FACE_WATCHLIST_FLOAT32;
            s = face_watchlist_create(&wo, &k.key, wl);
            if (s) rc = report(s, NULL, "creating watchlist", path);
        } else {
            s = face_watchlist_open(path, &k.key, &wo, wl);
            if (s) rc = report(s, NULL, "opening watchlist", path);
        }
    }
    if (sk) sodium_free(sk);
    key_free(&k);
    return rc;
}

static int wl_save(face_watchlist *wl, const char *path)
{
    face_status s = face_watchlist_save(wl, path);
    return s ? report(s, NULL, "saving watchlist", path) : EXIT_OK;
}

static void json_entry(FILE *f, const face_watchlist_entry *e)
{
    fputs("{\"type\":\"entry\",\"id\":", f);
    json_str(f, (const char *)e->id, e->id_len);
    fputs(",\"label\":", f);
    json_cstr(f, e->label);
    fprintf(f, ",\"templates\":%u,\"created_at\":%lld,\"expires_at\":%lld}\n", e->template_count,
            (long long)e->created_at, (long long)e->expires_at);
}

static int check_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > FACE_WATCHLIST_ID_MAX)
        return usage_error("an id is 1..%d bytes", FACE_WATCHLIST_ID_MAX);
    return EXIT_OK;
}

static int cmd_create(options *o)
{
    if (o->pos_count != 1) return usage_error("watchlist create needs WATCHLIST");
    struct stat st;
    if (stat(o->pos[0], &st) == 0) {
        errno = EEXIST;
        io_error("refusing to overwrite", o->pos[0]);
        return EXIT_EXISTS;
    }
    app a;
    int rc = app_open(&a, o);
    face_watchlist *wl = NULL;
    if (!rc) rc = wl_open(o, o->pos[0], a.engine, 1, &wl);
    if (!rc) rc = wl_save(wl, o->pos[0]);
    if (!rc) {
        fputs("{\"type\":\"watchlist\",\"path\":", stdout);
        json_cstr(stdout, o->pos[0]);
        fprintf(stdout, ",\"created\":true,\"storage\":\"%s\",\"entries\":0}\n",
                o->int8 ? "int8" : "float32");
    }
    face_watchlist_close(wl);
    app_close(&a);
    return rc;
}

static int cmd_enroll(options *o)
{
    if (o->pos_count < 3) return usage_error("watchlist enroll needs WATCHLIST ID IMAGE...");
    if (o->pos_count - 2 > MAX_ENROLL_IMAGES)
        return usage_error("at most %d images per identity", MAX_ENROLL_IMAGES);
    int rc = check_id(o->pos[1]);
    if (rc) return rc;
    if (o->label && strlen(o->label) > FACE_WATCHLIST_LABEL_MAX)
        return usage_error("a label is at most %d bytes", FACE_WATCHLIST_LABEL_MAX);
    app a;
    rc = app_open(&a, o);
    face_watchlist *wl = NULL;
    if (!rc) rc = wl_open(o, o->pos[0], a.engine, 0, &wl);
    static face_template tpl[MAX_ENROLL_IMAGES];
    static face_detection det[MAX_DETECT];
    size_t nt = 0;
    for (int i = 2; !rc && i < o->pos_count; i++) {
        const char *path = o->pos[i];
        face_image img;
        face_status s = face_image_load_file(a.ctx, path, &img);
        if (s) {
            rc = report(s, a.ctx, "loading image", path);
            break;
        }
        size_t n = 0, filled = 0;
        s = find_faces(&a, &img, det, NULL, &n, &filled);
        /* An enrollment photo must show one person unless the operator picks
         * the face: enrolling a bystander would make them a suspect. */
        size_t pick = o->face_index >= 0 ? (size_t)o->face_index : 0;
        if (!s && n == 0) {
            report(FACE_ERR_NOT_FOUND, NULL, "no face found", path);
            rc = EXIT_NO_MATCH;
        } else if (!s && o->face_index < 0 && n > 1) {
            rc = usage_error("%s shows %zu faces; choose one with --face N (see face detect)",
                             path, n);
        } else if (!s && pick >= filled) {
            rc = usage_error("%s has no face %zu (%zu found)", path, pick, n);
        } else if (!s) {
            face_landmarks lm;
            s = face_landmarks_detect(a.ctx, &img, &det[pick].box, &lm);
            if (!s) s = embed_face(&a, &img, &lm, &tpl[nt]);
            if (!s) nt++;
        }
        if (s) rc = report(s, a.ctx, "embedding", path);
        face_image_free(a.ctx, &img);
    }
    if (!rc) {
        face_status s = face_watchlist_enroll(wl, (const uint8_t *)o->pos[1], strlen(o->pos[1]),
                                              o->label, tpl, nt, o->expires);
        if (s) rc = report(s, NULL, "enrolling", o->pos[1]);
    }
    if (!rc) rc = wl_save(wl, NULL);
    if (!rc) {
        face_watchlist_entry e;
        memset(&e, 0, sizeof e);
        e.struct_size = sizeof e;
        face_status s = face_watchlist_get(wl, (const uint8_t *)o->pos[1], strlen(o->pos[1]), &e,
                                           NULL, 0);
        if (s) rc = report(s, NULL, "reading back", o->pos[1]);
        else json_entry(stdout, &e);
    }
    for (size_t i = 0; i < nt; i++) face_template_wipe(&tpl[i]);
    face_watchlist_close(wl);
    app_close(&a);
    return rc;
}

static int cmd_list(options *o)
{
    if (o->pos_count != 1) return usage_error("watchlist list needs WATCHLIST");
    face_watchlist *wl = NULL;
    int rc = wl_open(o, o->pos[0], NULL, 0, &wl);
    static face_watchlist_entry e[256];
    for (size_t off = 0; !rc;) {
        size_t n = 0;
        face_status s = face_watchlist_list(wl, off, e, sizeof e / sizeof e[0], &n);
        if (s) {
            rc = report(s, NULL, "listing", o->pos[0]);
            break;
        }
        for (size_t i = 0; i < n; i++) json_entry(stdout, &e[i]);
        if (n == 0) break;
        off += n;
    }
    face_watchlist_close(wl);
    return rc;
}

static int cmd_remove(options *o)
{
    if (o->pos_count != 2) return usage_error("watchlist remove needs WATCHLIST ID");
    int rc = check_id(o->pos[1]);
    face_watchlist *wl = NULL;
    if (!rc) rc = wl_open(o, o->pos[0], NULL, 0, &wl);
    if (!rc) {
        face_status s = face_watchlist_remove(wl, (const uint8_t *)o->pos[1], strlen(o->pos[1]));
        if (s) rc = report(s, NULL, "removing", o->pos[1]);
    }
    if (!rc) rc = wl_save(wl, NULL);
    if (!rc) {
        fputs("{\"type\":\"removed\",\"id\":", stdout);
        json_cstr(stdout, o->pos[1]);
        fputs("}\n", stdout);
    }
    face_watchlist_close(wl);
    return rc;
}

static int cmd_purge(options *o)
{
    if (o->pos_count != 1) return usage_error("watchlist purge needs WATCHLIST");
    face_watchlist *wl = NULL;
    int rc = wl_open(o, o->pos[0], NULL, 0, &wl);
    size_t removed = 0;
    if (!rc) {
        face_status s = face_watchlist_purge_expired(wl, o->now, &removed);
        if (s) rc = report(s, NULL, "purging", o->pos[0]);
    }
    if (!rc && removed) rc = wl_save(wl, NULL);
    if (!rc) fprintf(stdout, "{\"type\":\"purged\",\"removed\":%zu}\n", removed);
    face_watchlist_close(wl);
    return rc;
}

static int cmd_destroy(options *o)
{
    if (o->pos_count != 1) return usage_error("watchlist destroy needs WATCHLIST");
    /* Open first: destroying needs the key, so nobody shreds a deployment's
     * watchlist (and writes "destroy" in its audit log) without it. */
    face_watchlist *wl = NULL;
    int rc = wl_open(o, o->pos[0], NULL, 0, &wl);
    if (!rc) {
        face_status s = face_watchlist_destroy(wl);
        if (s) rc = report(s, NULL, "destroying", o->pos[0]);
    }
    if (!rc) {
        fputs("{\"type\":\"destroyed\",\"path\":", stdout);
        json_cstr(stdout, o->pos[0]);
        fputs("}\n", stdout);
    }
    return rc;
}

static void hex_out(FILE *f, const uint8_t *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) fprintf(f, "%02x", p[i]);
    fputc('"', f);
}

static int cmd_info(options *o)
{
    if (o->pos_count != 1) return usage_error("watchlist info needs WATCHLIST");
    face_watchlist_file_info fi;
    memset(&fi, 0, sizeof fi);
    fi.struct_size = sizeof fi;
    face_status s = face_watchlist_peek(o->pos[0], &fi);
    if (s) return report(s, NULL, "reading header", o->pos[0]);
    fputs("{\"type\":\"watchlist\",\"path\":", stdout);
    json_cstr(stdout, o->pos[0]);
    fprintf(stdout, ",\"format_version\":%u,\"key\":\"%s\",\"storage\":\"%s\",\"entries\":%u,"
                    "\"templates\":%u,\"key_id\":",
            fi.format_version, fi.key_kind == FACE_WATCHLIST_KEY_RAW ? "raw" : "passphrase",
            fi.storage == FACE_WATCHLIST_INT8 ? "int8" : "float32", fi.entry_count,
            fi.template_count);
    hex_out(stdout, fi.key_id, sizeof fi.key_id);
    fputs(",\"fingerprint\":", stdout);
    hex_out(stdout, fi.fingerprint, sizeof fi.fingerprint);
    fputs(",\"authenticated\":false}\n", stdout);
    return EXIT_OK;
}

/* ------------------------------------------------------------------ scan */

typedef struct scan_state {
    app *a;
    face_watchlist *wl;
    face_watchlist_search_options so;
    size_t frames, faces, searched, alerts;
    int worst;
} scan_state;

/* Search every face of one frame. Faces that match nothing leave no trace:
 * no line, and their templates are wiped at once. */
static void scan_frame(scan_state *st, const char *source, const face_image *img)
{
    static face_detection det[MAX_DETECT];
    app *a = st->a;
    size_t n = 0, filled = 0;
    size_t frame_alerts = 0;
    face_status s = find_faces(a, img, det, NULL, &n, &filled);
    if (s) {
        int e = report(s, a->ctx, "detecting", source);
        if (e > st->worst) st->worst = e;
        return;
    }
    st->frames++;
    st->faces += n;
    for (size_t f = 0; f < filled; f++) {
        face_landmarks lm;
        face_template t;
        face_watchlist_match m[FACE_WATCHLIST_MAX_K];
        size_t count = 0;
        s = face_landmarks_detect(a->ctx, img, &det[f].box, &lm);
        if (!s) s = embed_face(a, img, &lm, &t);
        if (!s) {
            s = face_watchlist_search(st->wl, &t, &st->so, m, FACE_WATCHLIST_MAX_K, &count);
            st->searched++;
        }
        face_template_wipe(&t);
        if (s) {
            int e = report(s, a->ctx, "searching", source);
            if (e > st->worst) st->worst = e;
            continue;
        }
        for (size_t j = 0; j < count; j++) {
            face_watchlist_entry e;
            memset(&e, 0, sizeof e);
            e.struct_size = sizeof e;
            if (face_watchlist_get(st->wl, m[j].id, m[j].id_len, &e, NULL, 0) != FACE_OK)
                e.label[0] = 0;
            float sim = 1.0f - m[j].distance / 1.2f;
            if (sim < 0) sim = 0;
            fputs("{\"type\":\"alert\",\"source\":", stdout);
            json_cstr(stdout, source);
            fprintf(stdout, ",\"face\":%zu,\"rank\":%zu,\"box\":", f, j);
            json_box(stdout, &det[f].box);
            fputs(",\"id\":", stdout);
            json_str(stdout, (const char *)m[j].id, m[j].id_len);
            fputs(",\"label\":", stdout);
            json_cstr(stdout, e.label);
            fputs(",\"distance\":", stdout);
            json_num(stdout, m[j].distance);
            fputs(",\"similarity\":", stdout);
            json_num(stdout, sim);
            fputs("}\n", stdout);
            if (st->a->o->audit) {
                char detail[256];
                snprintf(detail, sizeof detail, "%s%s%s face %zu",
                         st->a->o->camera ? st->a->o->camera : "",
                         st->a->o->camera ? " " : "", base_name(source), f);
                s = face_watchlist_audit_alert(st->wl, m[j].id, m[j].id_len, detail);
                if (s) {
                    int e2 = report(s, NULL, "audit alert", source);
                    if (e2 > st->worst) st->worst = e2;
                }
            }
            frame_alerts++;
        }
        st->alerts += count;
        memset(m, 0, sizeof m);
    }
    fputs("{\"type\":\"frame\",\"source\":", stdout);
    json_cstr(stdout, source);
    fprintf(stdout, ",\"faces\":%zu,\"alerts\":%zu}\n", n, frame_alerts);
    fflush(stdout);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_image_name(const char *n)
{
    const char *dot = strrchr(n, '.');
    if (!dot || n[0] == '.') return 0;
    static const char *const ext[] = {".jpg", ".jpeg", ".png", ".bmp", ".JPG", ".JPEG", ".PNG", ".BMP"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (!strcmp(dot, ext[i])) return 1;
    return 0;
}

static void scan_path(scan_state *st, const char *path);

/* A folder of frames, in name order (frame numbers sort when zero-padded). */
static void scan_dir(scan_state *st, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        int e = io_error("cannot open directory", dir);
        if (e > st->worst) st->worst = e;
        return;
    }
    size_t n = 0, cap = 0;
    char **names = NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!is_image_name(de->d_name)) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) break;
            names = nn;
            cap = nc;
        }
        names[n] = strdup(de->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX];
        if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, names[i]) < sizeof p) scan_path(st, p);
        free(names[i]);
    }
    free(names);
}

static void scan_path(scan_state *st, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        scan_dir(st, path);
        return;
    }
    face_image img;
    face_status s = face_image_load_file(st->a->ctx, path, &img);
    if (s) {
        int e = report(s, st->a->ctx, "loading image", path);
        if (e > st->worst) st->worst = e;
        return;
    }
    scan_frame(st, path, &img);
    face_image_free(st->a->ctx, &img);
}

/* Raw frames back to back on stdin, all width x height in one format. */
static void scan_stdin(scan_state *st)
{
    const options *o = st->a->o;
    static const int bpp[] = {0, 1, 3, 3, 4, 4};
    size_t row = (size_t)o->width * (size_t)bpp[o->format];
    size_t size = row * (size_t)o->height;
    uint8_t *buf = malloc(size);
    if (!buf) {
        st->worst = report(FACE_ERR_OUT_OF_MEMORY, NULL, "frame buffer", NULL);
        return;
    }
    for (size_t frame = 0;; frame++) {
        size_t got = fread(buf, 1, size, stdin);
        if (got == 0 && feof(stdin)) break;
        if (got != size) {
            errno = ferror(stdin) ? EIO : EPIPE;
            char what[64];
            snprintf(what, sizeof what, "stdin frame %zu", frame);
            fputs("{\"error\":\"truncated frame\",\"subject\":", stderr);
            json_cstr(stderr, what);
            fprintf(stderr, ",\"bytes\":%zu,\"expected\":%zu}\n", got, size);
            if (st->worst < EXIT_IO) st->worst = EXIT_IO;
            break;
        }
        face_image img;
        face_status s = face_image_init(&img, o->format, o->width, o->height, (int)row, buf);
        if (s) {
            st->worst = report(s, NULL, "frame", NULL);
            break;
        }
        char name[64];
        snprintf(name, sizeof name, "stdin:%zu", frame);
        scan_frame(st, name, &img);
    }
    sodium_memzero(buf, size);
    free(buf);
}

static int cmd_scan(options *o)
{
    if (o->use_stdin) {
        if (o->pos_count != 1) return usage_error("scan --stdin takes only WATCHLIST");
        if (!o->width || !o->height || !o->format)
            return usage_error("scan --stdin needs --width, --height and --format");
    } else if (o->pos_count < 2) {
        return usage_error("scan needs WATCHLIST and IMAGE or DIRECTORY arguments");
    }
    app a;
    int rc = app_open(&a, o);
    scan_state st;
    memset(&st, 0, sizeof st);
    st.a = &a;
    if (!rc) rc = wl_open(o, o->pos[0], a.engine, 0, &st.wl);
    if (!rc) {
        face_watchlist_search_options_init(&st.so);
        st.so.k = (uint32_t)(o->k ? o->k : 1);
        st.so.threshold = (float)(o->threshold_set ? o->threshold : SCAN_THRESHOLD);
        st.so.now = o->now;
        if (o->use_stdin) scan_stdin(&st);
        else
            for (int i = 1; i < o->pos_count; i++) scan_path(&st, o->pos[i]);
        /* The per-run counters are what a deployment publishes; no biometric
         * data is in them. */
        fprintf(stdout,
                "{\"type\":\"summary\",\"frames\":%zu,\"faces\":%zu,\"searched\":%zu,"
                "\"alerts\":%zu,\"threshold\":",
                st.frames, st.faces, st.searched, st.alerts);
        json_num(stdout, st.so.threshold);
        fputs("}\n", stdout);
        rc = st.worst ? st.worst : st.alerts ? EXIT_OK : EXIT_NO_MATCH;
    }
    face_watchlist_close(st.wl);
    app_close(&a);
    return rc;
}

/* ------------------------------------------------------------------ audit */

static int cmd_audit_verify(options *o)
{
    if (o->pos_count != 1) return usage_error("audit verify needs LOG");
    uint8_t pk[FACE_AUDIT_PUBLIC_KEY_BYTES];
    int have_pk = 0;
    if (o->public_key) {
        size_t n = 0;
        int rc = read_small_file(o->public_key, pk, sizeof pk, &n);
        if (rc) return rc;
        if (n != sizeof pk)
            return report(FACE_ERR_INVALID_ARGUMENT, NULL, "a public key file holds 32 bytes",
                          o->public_key);
        have_pk = 1;
    }
    if (!o->watchlist && !have_pk)
        return usage_error("audit verify needs --watchlist WATCHLIST (and its key) or --public-key");
    face_audit_report r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    face_status s;
    int rc = EXIT_OK;
    if (o->watchlist) {
        face_watchlist *wl = NULL;
        rc = wl_open(o, o->watchlist, NULL, 0, &wl);
        if (rc) return rc;
        s = face_watchlist_audit_verify(wl, o->pos[0], have_pk ? pk : NULL, &r);
        face_watchlist_close(wl);
    } else {
        s = face_audit_verify_signed(o->pos[0], pk, &r);
    }
    fputs("{\"type\":\"audit\",\"path\":", stdout);
    json_cstr(stdout, o->pos[0]);
    fprintf(stdout, ",\"ok\":%s,\"records\":%llu,\"first_bad\":%llu,\"signed\":%s",
            s ? "false" : "true", (unsigned long long)r.records,
            (unsigned long long)r.first_bad, r.signed_records ? "true" : "false");
    if (s) fprintf(stdout, ",\"status\":\"%s\"", status_name(s));
    fputs("}\n", stdout);
    if (s) rc = report(s, NULL, "audit verify", o->pos[0]);
    return rc;
}

/* ------------------------------------------------------------------ keygen */

static int cmd_keygen(options *o)
{
    if (o->pos_count == 1) {
        uint8_t k[FACE_WATCHLIST_KEY_BYTES];
        randombytes_buf(k, sizeof k);
        int rc = write_new_file(o->pos[0], k, sizeof k);
        sodium_memzero(k, sizeof k);
        if (!rc) {
            fputs("{\"type\":\"key\",\"path\":", stdout);
            json_cstr(stdout, o->pos[0]);
            fputs(",\"kind\":\"raw\",\"bytes\":32}\n", stdout);
        }
        return rc;
    }
    if (o->pos_count == 2) {
        /* An operator signing key pair for the audit log. */
        uint8_t pk[crypto_sign_PUBLICKEYBYTES];
        uint8_t *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
        if (!sk) return report(FACE_ERR_OUT_OF_MEMORY, NULL, "allocating key memory", NULL);
        crypto_sign_keypair(pk, sk);
        int rc = write_new_file(o->pos[0], sk, crypto_sign_SECRETKEYBYTES);
        sodium_free(sk);
        if (!rc) rc = write_new_file(o->pos[1], pk, sizeof pk);
        if (!rc) {
            fputs("{\"type\":\"key\",\"path\":", stdout);
            json_cstr(stdout, o->pos[0]);
            fputs(",\"kind\":\"ed25519\",\"public\":", stdout);
            json_cstr(stdout, o->pos[1]);
            fputs("}\n", stdout);
        }
        return rc;
    }
    return usage_error("keygen needs KEYFILE, or SECRET_KEYFILE PUBLIC_KEYFILE");
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
    fputs(
        "usage: face COMMAND [ARGS] [OPTIONS]\n"
        "\n"
        "  detect IMAGE... [--annotate OUT.png] [--landmarks]\n"
        "  verify IMAGE_A IMAGE_B [--threshold D]          (default D 0.6)\n"
        "  watchlist create WATCHLIST [--int8] [--kdf-ops N --kdf-mem BYTES]\n"
        "  watchlist enroll WATCHLIST ID IMAGE... [--label L] [--expires UNIX] [--face N]\n"
        "  watchlist list|purge|destroy WATCHLIST     (purge: [--now UNIX])\n"
        "  watchlist remove WATCHLIST ID\n"
        "  watchlist info WATCHLIST                   (clear header, no key)\n"
        "  scan WATCHLIST IMAGE|DIR... [--threshold D] [--k N] [--camera NAME]\n"
        "  scan WATCHLIST --stdin --width W --height H --format gray8|rgb24|bgr24|rgba32|bgra32\n"
        "  search ...                                 (same as scan)\n"
        "  audit verify LOG --watchlist WATCHLIST [--public-key PK]\n"
        "  audit verify LOG --public-key PK\n"
        "  keygen KEYFILE | keygen SECRET_KEYFILE PUBLIC_KEYFILE\n"
        "  version | help\n"
        "\n"
        "Engine: --models DIR (or FACE_MODEL_DIR) --detector tiny|ssd --min-face PX\n"
        "        --score S --threads N\n"
        "Keys:   --key-file F (32 bytes or 64 hex) | --passphrase-file F |\n"
        "        --passphrase-env VAR | FACE_WATCHLIST_PASSPHRASE. Never on the command line.\n"
        "Audit:  --audit LOG [--sign-key SECRET_KEYFILE] on any watchlist command or scan.\n"
        "\n"
        "Output: JSON lines on stdout; errors as JSON lines on stderr.\n"
        "Exit:   0 ok / match / alert   1 no match, no face, not found   2 usage\n"
        "        3 I/O   4 wrong key, tampered or corrupt   5 model mismatch\n"
        "        6 limit   7 exists   8 other failure\n",
        f);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return report(FACE_ERR_INTERNAL, NULL, "libsodium init", NULL);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *c1 = argv[1];
    const char *c2 = argc > 2 ? argv[2] : "";
    int cmd = 0, skip = 2;
    int (*fn)(options *) = NULL;
    if (!strcmp(c1, "help") || !strcmp(c1, "--help") || !strcmp(c1, "-h")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(c1, "version") || !strcmp(c1, "--version")) {
        fprintf(stdout, "{\"type\":\"version\",\"version\":\"%s\",\"abi\":%d,\"isa\":\"%s\"}\n",
                face_version_string(), face_abi_version(), face_isa_name(face_active_isa()));
        return EXIT_OK;
    }
    if (!strcmp(c1, "detect")) cmd = C_DETECT, fn = cmd_detect;
    else if (!strcmp(c1, "verify")) cmd = C_VERIFY, fn = cmd_verify;
    else if (!strcmp(c1, "scan") || !strcmp(c1, "search")) cmd = C_SCAN, fn = cmd_scan;
    else if (!strcmp(c1, "keygen")) cmd = C_KEYGEN, fn = cmd_keygen;
    else if (!strcmp(c1, "audit") && !strcmp(c2, "verify")) cmd = C_AUDIT, fn = cmd_audit_verify, skip = 3;
    else if (!strcmp(c1, "watchlist")) {
        skip = 3;
        if (!strcmp(c2, "create")) cmd = C_CREATE, fn = cmd_create;
        else if (!strcmp(c2, "enroll")) cmd = C_ENROLL, fn = cmd_enroll;
        else if (!strcmp(c2, "list")) cmd = C_LIST, fn = cmd_list;
        else if (!strcmp(c2, "remove")) cmd = C_REMOVE, fn = cmd_remove;
        else if (!strcmp(c2, "purge")) cmd = C_PURGE, fn = cmd_purge;
        else if (!strcmp(c2, "destroy")) cmd = C_DESTROY, fn = cmd_destroy;
        else if (!strcmp(c2, "info")) cmd = C_INFO, fn = cmd_info;
    }
    if (!fn) {
        usage(stderr);
        return usage_error("unknown command: %s %s", c1, c2);
    }
    options o;
    memset(&o, 0, sizeof o);
    o.face_index = -1;
    o.pos = calloc((size_t)argc, sizeof *o.pos);
    if (!o.pos) return report(FACE_ERR_OUT_OF_MEMORY, NULL, "arguments", NULL);
    int rc = parse_options(cmd, argc - skip, argv + skip, &o);
    if (!rc) rc = fn(&o);
    free(o.pos);
    if (fflush(stdout) != 0 && !rc) rc = io_error("cannot write", "stdout");
    return rc;
}
