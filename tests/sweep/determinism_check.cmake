# `syncsim sweep --check-determinism 100`, run by CTest with
#   cmake -DSYNCSIM=<tool> -DSCENARIO=<file> -DSEEDS=A..B -DCHECK=<same|mismatch> -P determinism_check.cmake
# same:     every seed is re-run, none differs, the sweep exits 0.
# mismatch: with SYNCSIM_TEST_NONDETERMINISM=pid every run moves a clock by
#           its process id, so each re-run differs: the sweep exits 1 and
#           prints the first trace line where the two runs differ.
cmake_minimum_required(VERSION 3.19)  # string(JSON)

set(environment "")
if(CHECK STREQUAL "mismatch")
  set(environment SYNCSIM_TEST_NONDETERMINISM=pid)
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env ${environment}
                        ${SYNCSIM} sweep ${SCENARIO} --seeds ${SEEDS} --jobs 2 --check-determinism 100 --json
                OUTPUT_VARIABLE sweep ERROR_VARIABLE human RESULT_VARIABLE code)
string(JSON runs_count LENGTH "${sweep}" runs)
string(JSON rechecked_count LENGTH "${sweep}" determinism rechecked)
string(JSON mismatch_count LENGTH "${sweep}" determinism mismatches)
if(NOT rechecked_count EQUAL runs_count)
  message(FATAL_ERROR "100% re-ran ${rechecked_count} of ${runs_count} seeds:\n${human}")
endif()

if(CHECK STREQUAL "same")
  if(NOT code EQUAL 0 OR NOT mismatch_count EQUAL 0)
    message(FATAL_ERROR "exit ${code}, ${mismatch_count} mismatches; expected 0 and none:\n${human}")
  endif()
  message(STATUS "${rechecked_count} seeds re-run: same trace and state fingerprints")
elseif(CHECK STREQUAL "mismatch")
  if(NOT code EQUAL 1 OR NOT mismatch_count EQUAL runs_count)
    message(FATAL_ERROR "exit ${code}, ${mismatch_count} mismatches of ${runs_count}; expected 1 and all:\n${human}")
  endif()
  string(JSON first_difference GET "${sweep}" determinism mismatches 0 first_difference)
  if(NOT first_difference MATCHES "^first difference at trace line [0-9]+:\n    first run: .+\n    re-run:    .+")
    message(FATAL_ERROR "no first differing trace line: ${first_difference}")
  endif()
  if(NOT human MATCHES "first difference at trace line")
    message(FATAL_ERROR "the human output does not show the differing line:\n${human}")
  endif()
  message(STATUS "caught: ${first_difference}")
else()
  message(FATAL_ERROR "CHECK must be same or mismatch, not '${CHECK}'")
endif()
