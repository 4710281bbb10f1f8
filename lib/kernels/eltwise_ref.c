/* Reference element-wise kernels and vector distances. */
#include "kernels/kernels_impl.h"

void lf_bias_act_ref(float *x, int rows, int cols, int ld, const float *bias, lf_act act)
{
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * ld;
        for (int c = 0; c < cols; c++) row[c] = lf_act1(bias ? row[c] + bias[c] : row[c], act);
    }
}

void lf_affine_act_ref(float *x, int rows, int cols, int ld, const float *scale,
                       const float *shift, lf_act act)
{
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * ld;
        /* Product rounded before the add (no FMA) so every ISA matches. */
        for (int c = 0; c < cols; c++) {
            float p = row[c] * scale[c];
            row[c] = lf_act1(p + shift[c], act);
        }
    }
}

void lf_add_act_ref(float *out, const float *a, const float *b, size_t n, lf_act act)
{
    for (size_t i = 0; i < n; i++) out[i] = lf_act1(a[i] + b[i], act);
}

float lf_l2sq_ref(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float d = a[i] - b[i];
        s += d * d;
    }
    return s;
}

float lf_dot_ref(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}
