# FindMeshauth.cmake: find libmeshauth (the meshauth C API) and its header.
#
#   list(APPEND CMAKE_MODULE_PATH /path/to/meshauth/ffi-c/cmake)
#   find_package(Meshauth REQUIRED)          # set Meshauth_ROOT to a prefix or the repo checkout
#   target_link_libraries(my_filter PRIVATE Meshauth::meshauth)
#
# Uses pkg-config (meshauth.pc) when available, else searches Meshauth_ROOT: its include/ and
# lib/ (an install) or target/release/ (a build tree). Defines Meshauth_FOUND,
# Meshauth_INCLUDE_DIR, Meshauth_LIBRARY, Meshauth_VERSION and the imported target
# Meshauth::meshauth (shared library; set Meshauth_USE_STATIC ON for libmeshauth.a).

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_MESHAUTH QUIET meshauth)
endif()

find_path(Meshauth_INCLUDE_DIR meshauth.h
  HINTS ${Meshauth_ROOT} ${PC_MESHAUTH_INCLUDE_DIRS}
  PATH_SUFFIXES include)

if(Meshauth_USE_STATIC)
  set(_meshauth_names libmeshauth.a)
else()
  set(_meshauth_names meshauth)
endif()
find_library(Meshauth_LIBRARY NAMES ${_meshauth_names}
  HINTS ${Meshauth_ROOT} ${PC_MESHAUTH_LIBRARY_DIRS}
  PATH_SUFFIXES lib target/release)

if(Meshauth_INCLUDE_DIR AND EXISTS "${Meshauth_INCLUDE_DIR}/meshauth.h")
  file(STRINGS "${Meshauth_INCLUDE_DIR}/meshauth.h" _meshauth_ver REGEX "^#define MESHAUTH_VERSION ")
  string(REGEX REPLACE ".*\"([^\"]+)\".*" "\\1" Meshauth_VERSION "${_meshauth_ver}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Meshauth
  REQUIRED_VARS Meshauth_LIBRARY Meshauth_INCLUDE_DIR
  VERSION_VAR Meshauth_VERSION)

if(Meshauth_FOUND AND NOT TARGET Meshauth::meshauth)
  add_library(Meshauth::meshauth UNKNOWN IMPORTED)
  set_target_properties(Meshauth::meshauth PROPERTIES
    IMPORTED_LOCATION "${Meshauth_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Meshauth_INCLUDE_DIR}")
  if(Meshauth_USE_STATIC)
    find_package(Threads REQUIRED)
    set_property(TARGET Meshauth::meshauth PROPERTY
      INTERFACE_LINK_LIBRARIES Threads::Threads ${CMAKE_DL_LIBS} m rt util)
  endif()
endif()
mark_as_advanced(Meshauth_INCLUDE_DIR Meshauth_LIBRARY)
