/* Golden outputs of face-api.js (../shared/golden/faceapi-1.7.15-samples.json)
 * for the tests, plus the exact pixels face-api saw (images/sampleN.png).
 *
 *   tu_golden *g = tu_golden_load();        // NULL when ../shared is absent
 *   g->images[i].det[TU_TINY].faces[j].box  ...
 *   pixels: <g->dir>/<g->images[i].file>, a PNG (lossless, so any decoder
 *   gives face-api's exact input)
 *
 * A small JSON reader is included: the file is machine-written and trusted,
 * so it handles exactly what that file uses (objects, arrays, numbers,
 * strings without escapes beyond \" and \\, true/false/null). */
#ifndef FACE_TESTS_GOLDEN_H
#define FACE_TESTS_GOLDEN_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define TU_TINY 0
#define TU_SSD 1
#define TU_MAX_GOLDEN_FACES 64

typedef struct tu_golden_face {
    double score;
    double box[4];  /* x, y, width, height */
    double crop[4]; /* descriptorCrop x, y, width, height */
    double landmarks[68][2];
    double descriptor[128];
} tu_golden_face;

typedef struct tu_golden_image {
    char file[256]; /* relative to the golden dir, e.g. images/sample1.png */
    int width, height;
    struct {
        int nfaces;
        tu_golden_face faces[TU_MAX_GOLDEN_FACES];
    } det[2];
} tu_golden_image;

typedef struct tu_golden {
    char dir[4096];
    int nimages;
    tu_golden_image images[8];
} tu_golden;

/* ---------------------------------------------------------------- JSON */

typedef struct tu_json {
    int type; /* 'o' object, 'a' array, 'n' number, 's' string, 'b' other */
    double num;
    char *str;
    int n;
    char **keys;
    struct tu_json **items;
} tu_json;

static const char *tu_json_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p)) p++;
    return p;
}

static tu_json *tu_json_parse(const char **pp);

static char *tu_json_string(const char **pp)
{
    const char *p = *pp + 1;
    size_t cap = 64, n = 0;
    char *s = malloc(cap);
    while (*p && *p != '"') {
        char c = *p++;
        if (c == '\\' && *p) c = *p++;
        if (n + 2 > cap) s = realloc(s, cap *= 2);
        s[n++] = c;
    }
    s[n] = 0;
    *pp = *p ? p + 1 : p;
    return s;
}

static tu_json *tu_json_parse(const char **pp)
{
    const char *p = tu_json_ws(*pp);
    tu_json *j = calloc(1, sizeof *j);
    if (*p == '{' || *p == '[') {
        int obj = *p == '{';
        j->type = obj ? 'o' : 'a';
        p = tu_json_ws(p + 1);
        int cap = 0;
        while (*p && *p != (obj ? '}' : ']')) {
            if (j->n == cap) {
                cap = cap ? cap * 2 : 8;
                j->items = realloc(j->items, (size_t)cap * sizeof *j->items);
                j->keys = realloc(j->keys, (size_t)cap * sizeof *j->keys);
            }
            j->keys[j->n] = NULL;
            if (obj) {
                j->keys[j->n] = tu_json_string(&p);
                p = tu_json_ws(p);
                if (*p == ':') p++;
            }
            j->items[j->n++] = tu_json_parse(&p);
            p = tu_json_ws(p);
            if (*p == ',') p = tu_json_ws(p + 1);
        }
        if (*p) p++;
    } else if (*p == '"') {
        j->type = 's';
        j->str = tu_json_string(&p);
    } else if (*p == '-' || isdigit((unsigned char)*p)) {
        char *end;
        j->type = 'n';
        j->num = strtod(p, &end);
        p = end;
    } else {
        j->type = 'b';
        while (*p && isalpha((unsigned char)*p)) p++;
    }
    *pp = p;
    return j;
}

static void tu_json_free(tu_json *j)
{
    if (!j) return;
    for (int i = 0; i < j->n; i++) {
        tu_json_free(j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->str);
    free(j);
}

static tu_json *tu_json_get(const tu_json *j, const char *key)
{
    if (!j || j->type != 'o') return NULL;
    for (int i = 0; i < j->n; i++)
        if (strcmp(j->keys[i], key) == 0) return j->items[i];
    return NULL;
}

static double tu_json_num(const tu_json *j, const char *key)
{
    const tu_json *v = tu_json_get(j, key);
    return v && v->type == 'n' ? v->num : 0.0;
}

/* ---------------------------------------------------------------- golden */

static void tu_golden_rect(const tu_json *r, double out[4])
{
    out[0] = tu_json_num(r, "x");
    out[1] = tu_json_num(r, "y");
    out[2] = tu_json_num(r, "width");
    out[3] = tu_json_num(r, "height");
}

static tu_golden *tu_golden_load(void)
{
    const char *shared = tu_shared_dir();
    if (!shared) return NULL;
    tu_golden *g = calloc(1, sizeof *g);
    snprintf(g->dir, sizeof g->dir, "%s/golden", shared);
    char path[4200];
    snprintf(path, sizeof path, "%s/faceapi-1.7.15-samples.json", g->dir);
    size_t size = 0;
    char *text = (char *)tu_read_file(path, &size);
    if (!text) {
        free(g);
        return NULL;
    }
    text[size] = 0;
    const char *p = text;
    tu_json *root = tu_json_parse(&p);
    const tu_json *images = tu_json_get(root, "images");
    static const char *const names[2] = {"tinyFaceDetector", "ssdMobilenetv1"};
    for (int i = 0; images && i < images->n && i < 8; i++) {
        const tu_json *im = images->items[i];
        tu_golden_image *gi = &g->images[g->nimages++];
        const tu_json *file = tu_json_get(im, "file");
        snprintf(gi->file, sizeof gi->file, "%s", file && file->str ? file->str : "");
        gi->width = (int)tu_json_num(im, "width");
        gi->height = (int)tu_json_num(im, "height");
        for (int d = 0; d < 2; d++) {
            const tu_json *faces = tu_json_get(tu_json_get(tu_json_get(im, "detectors"), names[d]),
                                               "faces");
            for (int f = 0; faces && f < faces->n && f < TU_MAX_GOLDEN_FACES; f++) {
                const tu_json *jf = faces->items[f];
                tu_golden_face *gf = &gi->det[d].faces[gi->det[d].nfaces++];
                gf->score = tu_json_num(jf, "score");
                tu_golden_rect(tu_json_get(jf, "box"), gf->box);
                tu_golden_rect(tu_json_get(jf, "descriptorCrop"), gf->crop);
                const tu_json *lm = tu_json_get(jf, "landmarks");
                for (int k = 0; lm && k < lm->n && k < 68; k++) {
                    gf->landmarks[k][0] = lm->items[k]->items[0]->num;
                    gf->landmarks[k][1] = lm->items[k]->items[1]->num;
                }
                const tu_json *desc = tu_json_get(jf, "descriptor");
                for (int k = 0; desc && k < desc->n && k < 128; k++)
                    gf->descriptor[k] = desc->items[k]->num;
            }
        }
    }
    tu_json_free(root);
    free(text);
    return g;
}

#endif /* FACE_TESTS_GOLDEN_H */
