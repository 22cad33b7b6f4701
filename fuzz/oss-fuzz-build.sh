#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: every fuzz target built with $CC $CXX $CFLAGS $CXXFLAGS and
# linked with $LIB_FUZZING_ENGINE into $OUT, with <target>_seed_corpus.zip, <target>.dict and
# <target>.options beside each. SRC defaults to the repository this script is in.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${CERTBED_SRC:-$root}
work=${WORK:-$src/build}/oss-fuzz

cmake -S "$src" -B "$work" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCERTBED_BUILD_TESTS=OFF -DCERTBED_BUILD_FUZZ=ON -DCERTBED_WERROR=OFF \
  -DCERTBED_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$work" -j "$(nproc)"

mkdir -p "$OUT"
for source in "$src"/fuzz/fuzz_*.cc; do
  target=$(basename "$source" .cc)
  cp "$work/fuzz/$target" "$OUT/"
  cp "$work/fuzz/seeds/${target}_seed_corpus.zip" "$OUT/"
  cp "$src/fuzz/dicts/$target.dict" "$OUT/"
  cp "$src/fuzz/options/$target.options" "$OUT/"
done
