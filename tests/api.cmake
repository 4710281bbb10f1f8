face_test(test_api LABELS quick SOURCES test_api.c PUBLIC_ONLY)
add_test(NAME abi_exports COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/check_exports.sh $<TARGET_FILE:face>)
set_tests_properties(abi_exports PROPERTIES LABELS "quick")
