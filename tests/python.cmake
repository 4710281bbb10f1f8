# Python binding (bindings/python): its unittest suite against the library
# just built, and an offline install into a venv as docs/python.md describes.
# Tests that need models or ../shared skip inside the suite (unittest skips
# are passes), so the suite is safe to run without them.
set(FACE_PYTHON "/usr/bin/python3" CACHE FILEPATH "Python used for the binding's tests")

if(EXISTS "${FACE_PYTHON}")
  set(FACE_PY_SRC "${PROJECT_SOURCE_DIR}/bindings/python")

  add_test(NAME python_binding
    COMMAND ${FACE_PYTHON} -m unittest discover -s ${FACE_PY_SRC}/tests -v)
  set_tests_properties(python_binding PROPERTIES
    LABELS "python"
    TIMEOUT 900
    ENVIRONMENT "LIBFACE_LIBRARY=$<TARGET_FILE:face>;PYTHONPATH=${FACE_PY_SRC};FACE_MODEL_DIR=${FACE_MODEL_DIR};FACE_SHARED_DIR=${FACE_SHARED_DIR};OPENBLAS_NUM_THREADS=1;PYTHONDONTWRITEBYTECODE=1")

  add_test(NAME python_install
    COMMAND sh ${FACE_PY_SRC}/tests/check_install.sh ${FACE_PYTHON} ${FACE_PY_SRC}
            ${PROJECT_BINARY_DIR}/python-install $<TARGET_FILE:face>)
  set_tests_properties(python_install PROPERTIES
    LABELS "python"
    TIMEOUT 300)
else()
  message(STATUS "python binding tests disabled: ${FACE_PYTHON} not found")
endif()
