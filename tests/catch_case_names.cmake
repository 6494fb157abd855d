# Fails when a Catch2 test case name holds a `;`. catch_discover_tests turns
# the binary's case names into a CMake list, where `;` separates items: the
# name is cut there, CTest registers the cut name, and the case never runs.
# Run as: cmake -DTEST_BINARY=path/to/syncsim_tests -P catch_case_names.cmake
# The exit code is the number of cases listed (modulo 256), so it says
# nothing; the names are counted from the output instead.
execute_process(COMMAND ${TEST_BINARY} --list-test-names-only OUTPUT_VARIABLE names)
string(REGEX MATCHALL "[^\n]+" lines "${names}")
list(LENGTH lines case_count)
if(case_count EQUAL 0)
  message(FATAL_ERROR "${TEST_BINARY} lists no test case")
endif()
string(FIND "${names}" ";" semicolon)
if(NOT semicolon EQUAL -1)
  # Show the line that holds it.
  string(SUBSTRING "${names}" 0 ${semicolon} before)
  string(FIND "${before}" "\n" line_start REVERSE)
  math(EXPR line_start "${line_start} + 1")
  string(SUBSTRING "${names}" ${line_start} 200 line)
  string(FIND "${line}" "\n" line_end)
  string(SUBSTRING "${line}" 0 ${line_end} line)
  message(FATAL_ERROR "a test case name holds ';' (CTest would cut it and never run the case): ${line}")
endif()
message(STATUS "${case_count} test case names, none with ';'")
