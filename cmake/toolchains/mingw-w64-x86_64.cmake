# Cross-compiles for 64-bit Windows with MinGW-w64 (posix thread model, so std::thread and
# std::mutex exist; linked statically, so no MinGW runtime DLL has to be shipped beside an .exe).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)

# Headers and libraries come from the MinGW sysroot only; build tools from the host.
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest and gtest_discover_tests run the .exe files under Wine.
find_program(CERTBED_WINE_PROGRAM NAMES wine /usr/lib/wine/wine64)
if(CERTBED_WINE_PROGRAM)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CERTBED_WINE_PROGRAM})
endif()

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
