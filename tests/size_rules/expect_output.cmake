# Runs the size-rules checker and compares its exit code and standard output
# with what a fixture expects. -DCHECKER=... -DARGUMENTS=a|b|c -DEXPECTED_RC=N
# -DEXPECTED=FILE (the exact stdout) -DWORKING_DIRECTORY=DIR, and optionally
# -DEXPECTED_ERROR=REGEX that standard error must match
string(REPLACE "|" ";" arguments "${ARGUMENTS}")
execute_process(COMMAND ${CHECKER} ${arguments}
                WORKING_DIRECTORY ${WORKING_DIRECTORY}
                OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE rc)
file(READ ${EXPECTED} expected)
if(NOT rc STREQUAL EXPECTED_RC)
  message(FATAL_ERROR "size_rules ${arguments}: exit code ${rc}, expected ${EXPECTED_RC}\n${output}${errors}")
endif()
if(NOT output STREQUAL expected)
  message(FATAL_ERROR "size_rules ${arguments}: output differs from ${EXPECTED}\n--- got:\n${output}--- expected:\n${expected}")
endif()
if(DEFINED EXPECTED_ERROR AND NOT errors MATCHES "${EXPECTED_ERROR}")
  message(FATAL_ERROR "size_rules ${arguments}: standard error does not match ${EXPECTED_ERROR}\n${errors}")
endif()
# Every case checks at least one file: the summary line says how many.
if(NOT output MATCHES "size_rules: [1-9][0-9]* file\\(s\\)" AND EXPECTED_RC LESS 2)
  message(FATAL_ERROR "size_rules ${arguments}: no file checked\n${output}")
endif()
message(STATUS "size_rules ${arguments}: exit code ${rc}, output as expected")
