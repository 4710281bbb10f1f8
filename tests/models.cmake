# Model files and image decoding (lib/nn/model.c, lib/base/decode.c).
face_test(test_model LABELS quick SOURCES test_model.c)
face_test(test_decode LABELS quick SOURCES test_decode.c)

# The same program against the real converted models (skips without them).
add_test(NAME test_model_real COMMAND test_model --real)
set_tests_properties(test_model_real PROPERTIES
  LABELS "models"
  SKIP_RETURN_CODE 77
  ENVIRONMENT "FACE_SHARED_DIR=${FACE_SHARED_DIR};FACE_MODEL_DIR=${FACE_MODEL_DIR};OPENBLAS_NUM_THREADS=1")

# The converter is stdlib-only Python run with the system interpreter.
if(EXISTS /usr/bin/python3)
  add_test(NAME test_convert COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_convert.py)
  set_tests_properties(test_convert PROPERTIES LABELS "quick")
endif()
