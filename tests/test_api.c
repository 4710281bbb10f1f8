/* Public API contract: constants equal their getters, every status has its
 * own text, destroy(NULL) is a no-op, and create calls reject bad arguments.
 * Links the shared library only, the way a vendor's binary does. */
#include <face/face.h>

#include "testutil.h"

static void test_version_getters(void **state)
{
    (void)state;
    assert_int_equal(face_version_number(), FACE_VERSION_NUMBER);
    assert_string_equal(face_version_string(), FACE_VERSION_STRING);
    assert_int_equal(face_abi_version(), FACE_ABI_MAJOR);
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", FACE_VERSION_MAJOR, FACE_VERSION_MINOR,
             FACE_VERSION_PATCH);
    assert_string_equal(buf, FACE_VERSION_STRING);
}

static void test_size_getters(void **state)
{
    (void)state;
    assert_int_equal(face_template_dim(), FACE_TEMPLATE_DIM);
    assert_int_equal(face_template_sizeof(), sizeof(face_template));
    assert_int_equal(face_template_serialized_bytes(), FACE_TEMPLATE_SERIALIZED_BYTES);
    assert_int_equal(face_sizeof_image(), sizeof(face_image));
    assert_int_equal(face_sizeof_detection(), sizeof(face_detection));
    assert_int_equal(face_sizeof_landmarks(), sizeof(face_landmarks));
    assert_int_equal(face_sizeof_chip(), sizeof(face_chip));
    assert_int_equal(face_sizeof_detect_options(), sizeof(face_detect_options));
    assert_int_equal(face_sizeof_embed_options(), sizeof(face_embed_options));
    assert_int_equal(face_sizeof_engine_config(), sizeof(face_engine_config));
    /* The chip holds 150x150 RGB, nothing less. */
    assert_true(sizeof(face_chip) >= FACE_CHIP_SIZE * FACE_CHIP_SIZE * 3);
}

static void test_strerror_distinct(void **state)
{
    (void)state;
    const char *seen[FACE_ERR_INTERNAL + 1];
    for (int s = FACE_OK; s <= FACE_ERR_INTERNAL; s++) {
        seen[s] = face_strerror(s);
        assert_non_null(seen[s]);
        assert_string_not_equal(seen[s], "unknown error");
        for (int t = 0; t < s; t++) assert_string_not_equal(seen[s], seen[t]);
    }
    assert_string_equal(face_strerror(-1), "unknown error");
    assert_string_equal(face_strerror(9999), "unknown error");
}

static void test_status_numbers_are_stable(void **state)
{
    (void)state;
    /* These numbers are ABI: a failure here means someone renumbered. */
    assert_int_equal(FACE_OK, 0);
    assert_int_equal(FACE_ERR_INVALID_ARGUMENT, 1);
    assert_int_equal(FACE_ERR_OUT_OF_MEMORY, 2);
    assert_int_equal(FACE_ERR_IO, 3);
    assert_int_equal(FACE_ERR_UNSUPPORTED_VERSION, 4);
    assert_int_equal(FACE_ERR_CORRUPT, 5);
    assert_int_equal(FACE_ERR_AUTH, 6);
    assert_int_equal(FACE_ERR_MODEL_MISMATCH, 7);
    assert_int_equal(FACE_ERR_LIMIT, 8);
    assert_int_equal(FACE_ERR_NOT_FOUND, 9);
    assert_int_equal(FACE_ERR_ISA_UNAVAILABLE, 10);
    assert_int_equal(FACE_ERR_BUFFER_TOO_SMALL, 11);
    assert_int_equal(FACE_ERR_EXISTS, 12);
    assert_int_equal(FACE_ERR_STATE, 13);
    assert_int_equal(FACE_ERR_INTERNAL, 14);
}

static void test_isa(void **state)
{
    (void)state;
    const char *force = getenv("FACE_FORCE_ISA");
    face_status s = face_init();
    if (force && *force) {
        int want = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(face_isa_name(i), force) == 0) want = i;
        if (want >= 0 && face_isa_supported(want)) {
            assert_int_equal(s, FACE_OK);
            assert_int_equal(face_active_isa(), want);
        } else {
            assert_int_equal(s, FACE_ERR_ISA_UNAVAILABLE);
            face_engine *e = (face_engine *)1;
            assert_int_equal(face_engine_create_from_dir("/nonexistent", NULL, &e),
                             FACE_ERR_ISA_UNAVAILABLE);
            assert_null(e);
        }
    } else {
        assert_int_equal(s, FACE_OK);
        assert_true(face_isa_supported(face_active_isa()));
    }
    assert_true(face_isa_supported(FACE_ISA_REF));
    assert_string_equal(face_isa_name(FACE_ISA_REF), "ref");
    assert_string_equal(face_isa_name(42), "unknown");
    assert_false(face_isa_supported(-1));
    assert_false(face_isa_supported(4));
}

static void test_destroy_null(void **state)
{
    (void)state;
    face_engine_destroy(NULL);
    face_ctx_destroy(NULL);
    face_model_destroy(NULL);
    face_template_wipe(NULL);
    face_image_free(NULL, NULL);
    assert_int_equal(face_model_kind_of(NULL), 0);
    assert_string_equal(face_ctx_last_error(NULL), "");
}

static void test_create_bad_arguments(void **state)
{
    (void)state;
    if (face_init() != FACE_OK) skip();
    face_engine *e = (face_engine *)1;
    assert_int_equal(face_engine_create(NULL, &e), FACE_ERR_INVALID_ARGUMENT);
    assert_null(e);
    assert_int_equal(face_engine_create_from_dir(NULL, NULL, &e), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_engine_create_from_dir("/nonexistent", NULL, NULL),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_engine_create_from_dir("/nonexistent/dir", NULL, &e), FACE_ERR_NOT_FOUND);
    assert_null(e);

    face_engine_config cfg;
    face_engine_config_init(&cfg);
    assert_int_equal(cfg.struct_size, sizeof cfg);
    cfg.struct_size = 4; /* a caller built against a header we never shipped */
    assert_int_equal(face_engine_create(&cfg, &e), FACE_ERR_INVALID_ARGUMENT);

    face_allocator half = {sizeof half, 0, NULL, NULL, NULL};
    face_engine_config_init(&cfg);
    cfg.model_dir = "/nonexistent";
    cfg.allocator = &half;
    assert_int_equal(face_engine_create(&cfg, &e), FACE_ERR_INVALID_ARGUMENT);

    face_ctx *c = (face_ctx *)1;
    assert_int_equal(face_ctx_create(NULL, NULL, &c), FACE_ERR_INVALID_ARGUMENT);
    assert_null(c);

    face_model *m = (face_model *)1;
    assert_int_equal(face_model_load_file(NULL, NULL, &m), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_model_load_file("/nonexistent.fmdl", NULL, &m), FACE_ERR_IO);
    assert_null(m);
    assert_int_equal(face_model_load_memory(NULL, 10, NULL, &m), FACE_ERR_INVALID_ARGUMENT);
    /* an empty buffer is a truncated model file */
    assert_int_equal(face_model_load_memory("x", 0, NULL, &m), FACE_ERR_CORRUPT);
}

static void test_image_init(void **state)
{
    (void)state;
    static uint8_t px[4 * 3 * 2];
    face_image img;
    assert_int_equal(face_image_init(&img, FACE_PIXEL_RGB24, 4, 2, 12, px), FACE_OK);
    assert_int_equal(img.struct_size, sizeof img);
    assert_int_equal(face_image_init(&img, FACE_PIXEL_RGB24, 4, 2, 11, px),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_image_init(&img, FACE_PIXEL_RGB24, 0, 2, 12, px),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_image_init(&img, FACE_PIXEL_RGB24, -4, 2, 12, px),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_image_init(&img, 99, 4, 2, 12, px), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_image_init(&img, FACE_PIXEL_RGB24, 4, 2, 12, NULL),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_image_init(NULL, FACE_PIXEL_RGB24, 4, 2, 12, px),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_image_init(&img, FACE_PIXEL_GRAY8, 100000, 100000, 100000, px),
                     FACE_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_getters),      cmocka_unit_test(test_size_getters),
        cmocka_unit_test(test_strerror_distinct),    cmocka_unit_test(test_status_numbers_are_stable),
        cmocka_unit_test(test_isa),                  cmocka_unit_test(test_destroy_null),
        cmocka_unit_test(test_create_bad_arguments), cmocka_unit_test(test_image_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
