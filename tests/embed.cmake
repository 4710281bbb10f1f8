# lib/embed: templates (public byte form, comparison) and the recognition net.
face_test(test_template LABELS quick SOURCES test_template.c)

# Recognition net: dlib-chip path against faceref.py (tests/data, written by
# tools/gen_embed_golden.py), flip averaging, padding, fingerprints, bad input.
face_test(test_embed LABELS models shared SOURCES test_embed.c)
target_compile_definitions(test_embed PRIVATE EMBED_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data")
target_include_directories(test_embed PRIVATE ${STB_INCLUDE_DIR})

# face-api crop path against face-api.js's golden descriptors.
face_test(test_embed_golden LABELS models shared SOURCES test_embed_golden.c)
target_include_directories(test_embed_golden PRIVATE ${STB_INCLUDE_DIR})
