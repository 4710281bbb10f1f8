# ABI guard (docs/hardening.md): the exports of libface.so, with their version
# nodes, must equal the checked-in abi/libface.symbols. On a difference the
# test prints what changed and how to record it (scripts/ci/update_abi.sh).
add_test(NAME abi_symbols COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/ci/symbols.sh check
  $<TARGET_FILE:face> ${PROJECT_SOURCE_DIR}/abi/libface.symbols)
set_tests_properties(abi_symbols PROPERTIES LABELS "quick")
