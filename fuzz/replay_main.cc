// A main() for fuzz targets without libFuzzer: runs LLVMFuzzerTestOneInput once per file, so any
// compiler (g++ too) replays seed corpora and kept regression inputs as an ordinary test.
//
//   fuzz_x_replay [--if-exists] PATH...   PATH is a file or a directory (its regular files, in
//                                         name order); --if-exists makes the next PATH optional
//
// Arguments starting with '-' other than --if-exists (libFuzzer flags) are ignored.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional in a target; weak so the replay links whether or not the target defines it.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

namespace fs = std::filesystem;

bool read_whole(const fs::path& path, std::vector<std::uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> files;
  bool optional_next = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--if-exists") {
      optional_next = true;
      continue;
    }
    if (arg.starts_with("-")) continue;
    const fs::path path(arg);
    const bool optional = optional_next;
    optional_next = false;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec)) found.push_back(entry.path());
      }
      if (ec) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.data(), ec.message().c_str());
        return 2;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
      files.push_back(path);
    } else if (!optional) {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", arg.data());
      return 2;
    }
  }
  std::vector<std::uint8_t> data;
  for (const auto& file : files) {
    if (!read_whole(file, data)) {
      std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
      return 2;
    }
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), data.size());
    // A fresh copy, so reading past the end is caught by ASan in sanitized builds.
    const std::vector<std::uint8_t> input(data);
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::fprintf(stderr, "replay: %zu inputs, no failure\n", files.size());
  return files.empty() ? 1 : 0;
}
