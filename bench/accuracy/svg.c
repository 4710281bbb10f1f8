/* Line plots in SVG: axes with decade (log) or 5-step (linear) ticks, one
 * polyline per series, a legend. Enough for DET and recall curves. */
#include "svg.h"

#include <math.h>
#include <stdio.h>

#define W 640.0
#define H 440.0
#define L 70.0 /* margins */
#define R 20.0
#define T 36.0
#define B 56.0

static const char *colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                "#9467bd", "#8c564b", "#e377c2", "#17becf"};

static double map(double v, double lo, double hi, int lg, double a, double b)
{
    if (lg) v = log10(v), lo = log10(lo), hi = log10(hi);
    return a + (v - lo) / (hi - lo) * (b - a);
}

static void xml_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else fputc(*s, f);
    }
}

static void ticks(FILE *f, const svg_plot *p, int axis)
{
    int lg = axis ? p->logy : p->logx;
    double lo = axis ? p->ymin : p->xmin, hi = axis ? p->ymax : p->xmax;
    double vals[64];
    int n = 0;
    if (lg) {
        for (double e = floor(log10(lo)); e <= ceil(log10(hi)) && n < 64; e++) {
            double v = pow(10, e);
            if (v >= lo * 0.999 && v <= hi * 1.001) vals[n++] = v;
        }
    } else {
        double step = (hi - lo) / 5;
        for (int i = 0; i <= 5; i++) vals[n++] = lo + i * step;
    }
    for (int i = 0; i < n; i++) {
        char lab[32];
        if (lg) snprintf(lab, sizeof lab, "1e%d", (int)lround(log10(vals[i])));
        else snprintf(lab, sizeof lab, "%g", vals[i]);
        if (axis) {
            double y = map(vals[i], lo, hi, lg, H - B, T);
            fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>\n", L, y,
                    W - R, y);
            fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='end' font-size='11'>%s</text>\n",
                    L - 4, y + 4, lab);
        } else {
            double x = map(vals[i], lo, hi, lg, L, W - R);
            fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>\n", x, T, x,
                    H - B);
            fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='middle' font-size='11'>%s</text>\n",
                    x, H - B + 16, lab);
        }
    }
}

int svg_write(const char *path, const svg_plot *p, const svg_series *s, size_t ns)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
               "font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n",
            W, H);
    ticks(f, p, 0);
    ticks(f, p, 1);
    fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='none' stroke='black'/>\n",
            L, T, W - L - R, H - T - B);
    fprintf(f, "<text x='%.1f' y='22' text-anchor='middle' font-size='14'>", W / 2);
    xml_text(f, p->title);
    fprintf(f, "</text>\n<text x='%.1f' y='%.1f' text-anchor='middle' font-size='12'>", W / 2,
            H - 16);
    xml_text(f, p->xlabel);
    fprintf(f, "</text>\n<text transform='translate(16,%.1f) rotate(-90)' text-anchor='middle' "
               "font-size='12'>",
            (H - B + T) / 2);
    xml_text(f, p->ylabel);
    fprintf(f, "</text>\n");
    for (size_t k = 0; k < ns; k++) {
        const char *c = colours[k % (sizeof colours / sizeof colours[0])];
        fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='1.8' points='", c);
        for (size_t i = 0; i < s[k].n; i++) {
            double x = s[k].x[i], y = s[k].y[i];
            if (!isfinite(x) || !isfinite(y)) continue;
            if ((p->logx && x <= 0) || (p->logy && y <= 0)) continue;
            x = fmin(fmax(x, p->xmin), p->xmax);
            y = fmin(fmax(y, p->ymin), p->ymax);
            fprintf(f, "%.1f,%.1f ", map(x, p->xmin, p->xmax, p->logx, L, W - R),
                    map(y, p->ymin, p->ymax, p->logy, H - B, T));
        }
        fprintf(f, "'/>\n");
        double ly = T + 16 + 16.0 * (double)k;
        fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='%s' stroke-width='2'/>",
                W - R - 190, ly - 4, W - R - 170, ly - 4, c);
        fprintf(f, "<text x='%.1f' y='%.1f' font-size='11'>", W - R - 165, ly);
        xml_text(f, s[k].name);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</svg>\n");
    return fclose(f) == 0 ? 0 : -1;
}
