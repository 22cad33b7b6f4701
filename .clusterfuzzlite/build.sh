#!/bin/bash -eu
# ClusterFuzzLite entry point: the same build OSS-Fuzz runs.
CERTBED_SRC=$SRC/certbed "$SRC/certbed/fuzz/oss-fuzz-build.sh"
