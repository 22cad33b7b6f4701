cmake_minimum_required(VERSION 3.25)
# Builds one target's seed corpus: copies FILES (a |-separated list) into OUT_DIR under flattened
# names (fixtures/cases/x/input.textproto -> fixtures_cases_x_input.textproto), then zips it as
# OSS-Fuzz wants it (<target>_seed_corpus.zip beside the folder).
#   cmake -DOUT_DIR=... -DZIP=... -DBASE=<source dir> -DFILES="a|b|c" -P seed_corpus.cmake
string(REPLACE "|" ";" files "${FILES}")
file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}")
set(names "")
foreach(f IN LISTS files)
  file(RELATIVE_PATH rel "${BASE}" "${f}")
  if(rel MATCHES "^fuzz/corpus/[^/]+/(.*)$")
    set(rel "${CMAKE_MATCH_1}")
  elseif(NOT rel MATCHES "^fixtures/")
    get_filename_component(rel "${f}" NAME)  # generated in the build tree
  endif()
  string(REPLACE "/" "_" name "${rel}")
  if(name IN_LIST names)
    message(FATAL_ERROR "two seeds would both be named ${name}")
  endif()
  list(APPEND names "${name}")
  file(COPY_FILE "${f}" "${OUT_DIR}/${name}" ONLY_IF_DIFFERENT)
endforeach()
file(REMOVE "${ZIP}")
execute_process(COMMAND ${CMAKE_COMMAND} -E tar cf "${ZIP}" --format=zip -- ${names}
                WORKING_DIRECTORY "${OUT_DIR}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cannot write ${ZIP}")
endif()
