# The face CLI (tests/test_cli.py) and the examples (tests/test_examples.py):
# built and run so they never rot. Without models the model tests exit 77.
# The targets live in examples/, added after tests/: test FACE_BUILD_EXAMPLES,
# not TARGET (generator expressions resolve them later).
set(FACE_PYTHON "/usr/bin/python3" CACHE FILEPATH "Python used for the binding's tests")
if(EXISTS "${FACE_PYTHON}" AND FACE_BUILD_EXAMPLES)
  set(_cli_env "FACE_CLI=$<TARGET_FILE:face_cli>;FACE_MODEL_DIR=${FACE_MODEL_DIR};FACE_SOURCE_DIR=${PROJECT_SOURCE_DIR};FACE_EXAMPLES_DIR=$<TARGET_FILE_DIR:face_demo>;LIBFACE_LIBRARY=$<TARGET_FILE:face>;OPENBLAS_NUM_THREADS=1;PYTHONDONTWRITEBYTECODE=1")
  add_test(NAME cli_quick COMMAND ${FACE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/test_cli.py quick)
  add_test(NAME cli COMMAND ${FACE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/test_cli.py models)
  add_test(NAME demo_labels COMMAND ${FACE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/test_examples.py demo)
  add_test(NAME examples_c COMMAND ${FACE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/test_examples.py c)
  add_test(NAME examples_python COMMAND ${FACE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/test_examples.py python)
  set_tests_properties(cli_quick cli demo_labels examples_c examples_python PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 900 ENVIRONMENT "${_cli_env}")
  set_tests_properties(cli_quick PROPERTIES LABELS "quick;cli")
  set_tests_properties(cli PROPERTIES LABELS "cli;models")
  set_tests_properties(demo_labels examples_c PROPERTIES LABELS "examples;models")
  set_tests_properties(examples_python PROPERTIES LABELS "examples;models;python")
endif()
