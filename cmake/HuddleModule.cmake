# One library target per module folder. Usage:
#   huddle_add_module(huddle_auth SOURCES jwt.cpp ... PUBLIC_DEPS huddle_common PRIVATE_DEPS OpenSSL::Crypto)
# The include root is the repository's src/, so code includes "auth/jwt.h", "common/result.h".
function(huddle_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  huddle_apply_warnings(${name})
endfunction()

# A GoogleTest executable registered with CTest under a label (unit, integration, interop, stress).
#   huddle_add_test(common_unit LABEL unit SOURCES a_test.cpp DEPS huddle_common)
function(huddle_add_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  huddle_apply_warnings(${name})
  include(GoogleTest)
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()

# A libFuzzer target with its seed corpus, built only with HUDDLE_FUZZ (clang).
#   huddle_add_fuzzer(fuzz_jwt SOURCES fuzz_jwt.cpp DEPS huddle_auth CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus)
# Each one gets a CTest entry (label "fuzz") that runs it for a bounded number of seconds.
set(HUDDLE_FUZZ_SECONDS 20 CACHE STRING "Seconds each fuzzer runs under CTest")
function(huddle_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  if(NOT HUDDLE_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  # The fuzz stage builds only this aggregate (the fuzzers and what they link), not the server,
  # tools and tests a full build of the clang tree would also compile.
  if(NOT TARGET huddle_fuzzers)
    add_custom_target(huddle_fuzzers)
  endif()
  add_dependencies(huddle_fuzzers ${name})
  huddle_apply_warnings(${name})
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus)
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
                   $<TARGET_FILE:${name}> -max_total_time=${HUDDLE_FUZZ_SECONDS} -timeout=10
                   -rss_limit_mb=2048 -print_final_stats=1 ${work} ${ARG_CORPUS})
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  file(MAKE_DIRECTORY ${work})
endfunction()
