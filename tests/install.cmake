# cmake --install into a temporary prefix and build examples/ against it
# with pkg-config and with find_package (tests/test_install.sh). Not quick:
# it configures and builds three small projects.
add_test(NAME install_tree
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_install.sh ${PROJECT_BINARY_DIR}
          ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/install-test ${FACE_MODEL_DIR})
set_tests_properties(install_tree PROPERTIES LABELS "install" TIMEOUT 900)
