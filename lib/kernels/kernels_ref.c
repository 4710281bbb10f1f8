/* The reference table: plain C everywhere, GEMM included. */
#include "kernels/kernels_impl.h"

const lf_kernels lf_kernels_ref = {
    .isa = FACE_ISA_REF,
    .gemm = lf_gemm_ref,
    .bias_act = lf_bias_act_ref,
    .affine_act = lf_affine_act_ref,
    .dwconv3x3 = lf_dwconv3x3_ref,
    .im2col = lf_im2col_ref,
    .maxpool = lf_maxpool_ref,
    .avgpool = lf_avgpool_ref,
    .add_act = lf_add_act_ref,
    .resize_bilinear = lf_resize_bilinear_ref,
    .l2sq = lf_l2sq_ref,
    .dot = lf_dot_ref,
    .conv_direct = lf_conv_direct_ref,
    .wsum_u8 = lf_wsum_u8_ref,
};
