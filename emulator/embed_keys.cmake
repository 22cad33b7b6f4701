# Generates key_pool_data.h: the committed test keys as string literals, so deterministic mode
# works wherever the binary runs. Invoked with -DKEY_DIR=... -DOUT=...
file(GLOB pems "${KEY_DIR}/*.pem")
list(SORT pems)
set(body "// Generated from fixtures/keys by emulator/embed_keys.cmake. Do not edit.\n#pragma once\n\nnamespace certbed::emulator {\n\nstruct KeyPoolEntry {\n  const char* file;\n  const char* algorithm;\n  const char* pem;\n};\n\ninline constexpr KeyPoolEntry kKeyPoolEntries[] = {\n")
foreach(pem ${pems})
  get_filename_component(name "${pem}" NAME)
  string(REGEX REPLACE "-[0-9]+\\.pem$" "" algorithm "${name}")
  file(READ "${pem}" text)
  string(APPEND body "    {\"${name}\", \"${algorithm}\", R\"PEM(${text})PEM\"},\n")
endforeach()
string(APPEND body "};\n\n}  // namespace certbed::emulator\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
