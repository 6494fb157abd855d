# `syncsim engines` must list exactly the engines the scenario x engine
# matrix of tests/CMakeLists.txt runs (EXPECTED: the default first, then the
# others), so that an engine added to the registry and not to the matrix, or
# the reverse, fails here instead of going untested.
execute_process(COMMAND ${SYNCSIM} engines RESULT_VARIABLE exit_code OUTPUT_VARIABLE listed)
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "syncsim engines exited ${exit_code}")
endif()
string(STRIP "${listed}" listed)
string(REPLACE "\n" ";" listed "${listed}")
list(REMOVE_ITEM EXPECTED "")
list(LENGTH listed listed_count)
if(listed_count EQUAL 0)
  message(FATAL_ERROR "syncsim engines listed no engine")
endif()
if(NOT "${listed}" STREQUAL "${EXPECTED}")
  message(FATAL_ERROR "syncsim engines lists [${listed}], the test matrix runs [${EXPECTED}]: "
                      "add the engine to SYNCSIM_OTHER_ENGINES in tests/CMakeLists.txt")
endif()
message(STATUS "engines: ${listed}")
