# docs/api-reference.md is generated from the header comments: fail when a
# FACE_API declaration has no contract comment or the file is stale
# (regenerate with tools/gen_api_reference.py).
set(FACE_PYTHON "/usr/bin/python3" CACHE FILEPATH "Python used for the binding's tests")
if(EXISTS "${FACE_PYTHON}")
  add_test(NAME api_reference
    COMMAND ${FACE_PYTHON} ${PROJECT_SOURCE_DIR}/tools/gen_api_reference.py --check
            --root ${PROJECT_SOURCE_DIR})
  set_tests_properties(api_reference PROPERTIES LABELS "quick;docs"
    ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
endif()
