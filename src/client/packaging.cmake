# Packaging of libhuddle-client (issue 8): an installable SDK for applications built outside this
# repository. The in-tree code keeps linking the static huddle_client; this file adds
#   - huddle_client_shared: libhuddle-client.so.0, huddle_client's objects plus the internal static
#     modules they use, exporting only huddle::client (version script), so the OpenSSL, protobuf
#     and asio code of our internals never clashes with an application's own copies;
#   - install rules (component "client_sdk"): the .so, the public headers under
#     include/huddle/client, a CMake package (find_package(Huddle), target Huddle::client) and
#     huddle-client.pc for pkg-config.
# tests/package checks the result the way an application would use it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The whole public API. Every header here must include only the standard library and other
# headers of this list (tests/package checks it against the installed tree).
set(HUDDLE_CLIENT_PUBLIC_HEADERS
  room.h
  connection_stats.h
  participant.h
  events.h
  options.h
  reconnect_policy.h
  track_publication.h
  local_track.h
  remote_track.h
  media_frames.h
  synthetic_source.h)
list(TRANSFORM HUDDLE_CLIENT_PUBLIC_HEADERS PREPEND ${CMAKE_CURRENT_LIST_DIR}/)

set(HUDDLE_CLIENT_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR}/packaging)
set(HUDDLE_CLIENT_VERSION_SCRIPT ${HUDDLE_CLIENT_PACKAGING_DIR}/libhuddle-client.map)

# Built from huddle_client's objects rather than by linking the archive: the linker would keep
# only the archive members something already references, and nothing in a shared library does.
# Every file added to huddle_client is picked up without naming it here. Linking huddle_client
# as well brings in the internal modules it depends on (only what its objects use) and the
# external libraries, which stay shared dependencies of the .so.
add_library(huddle_client_shared SHARED $<TARGET_OBJECTS:huddle_client>)
target_link_libraries(huddle_client_shared
  PRIVATE huddle_client
  PUBLIC Threads::Threads)
target_compile_features(huddle_client_shared PUBLIC cxx_std_20)
# Applications write #include "client/room.h".
target_include_directories(huddle_client_shared INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/huddle>)
target_link_options(huddle_client_shared PRIVATE
  "LINKER:--version-script=${HUDDLE_CLIENT_VERSION_SCRIPT}")
# A symbol left for the application to provide would be a missing dependency. (clang links no
# sanitizer runtime into shared libraries, so its instrumented builds leave those undefined.)
if(NOT (CMAKE_CXX_COMPILER_ID MATCHES "Clang" AND (HUDDLE_SANITIZE OR HUDDLE_FUZZ)))
  target_link_options(huddle_client_shared PRIVATE "LINKER:--no-undefined")
endif()
set_target_properties(huddle_client_shared PROPERTIES
  OUTPUT_NAME huddle-client
  EXPORT_NAME client
  VERSION ${PROJECT_VERSION}
  SOVERSION 0
  LINK_DEPENDS ${HUDDLE_CLIENT_VERSION_SCRIPT})

install(TARGETS huddle_client_shared EXPORT HuddleTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT client_sdk NAMELINK_COMPONENT client_sdk)
install(FILES ${HUDDLE_CLIENT_PUBLIC_HEADERS}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/huddle/client COMPONENT client_sdk)

set(HUDDLE_CMAKE_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Huddle)
install(EXPORT HuddleTargets NAMESPACE Huddle:: DESTINATION ${HUDDLE_CMAKE_PACKAGE_DIR}
  COMPONENT client_sdk)
configure_package_config_file(${HUDDLE_CLIENT_PACKAGING_DIR}/HuddleConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/HuddleConfig.cmake
  INSTALL_DESTINATION ${HUDDLE_CMAKE_PACKAGE_DIR})
# 0.x: a new minor version may change the ABI (the SONAME stays 0 until 1.0).
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/HuddleConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/HuddleConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/HuddleConfigVersion.cmake
  DESTINATION ${HUDDLE_CMAKE_PACKAGE_DIR} COMPONENT client_sdk)

# The .pc file finds its prefix from its own location, so the tree can be installed with
# `cmake --install --prefix` anywhere, or moved.
file(RELATIVE_PATH HUDDLE_PC_TO_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" HUDDLE_PC_TO_PREFIX "${HUDDLE_PC_TO_PREFIX}")
configure_file(${HUDDLE_CLIENT_PACKAGING_DIR}/huddle-client.pc.in
  ${CMAKE_CURRENT_BINARY_DIR}/huddle-client.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/huddle-client.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT client_sdk)
