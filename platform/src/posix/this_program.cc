// run_this_program on Linux: posix_spawn of /proc/self/exe, which names this program's own
// executable whatever the current folder or PATH.
#include "certbed/platform/this_program.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "certbed/repair/model/printable.h"

extern char** environ;

namespace certbed::platform {

namespace {

// posix_spawn_file_actions_t, destroyed however the run ends.
class FileActions {
 public:
  FileActions() { ::posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

}  // namespace

repair::Result<int> run_this_program(const std::vector<std::string>& args,
                                     const std::string& stdout_path,
                                     const std::string& stderr_path) {
  FileActions actions;
  const int output_flags = O_WRONLY | O_CREAT | O_TRUNC;
  if (::posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0) != 0 ||
      ::posix_spawn_file_actions_addopen(actions.get(), 1, stdout_path.c_str(), output_flags,
                                         0666) != 0 ||
      ::posix_spawn_file_actions_addopen(actions.get(), 2, stderr_path.c_str(), output_flags,
                                         0666) != 0) {
    return repair::make_error(repair::ErrorCode::kIo, "cannot prepare a certbed child process");
  }
  std::vector<char*> argv;
  std::string program = "certbed";
  argv.push_back(program.data());
  std::vector<std::string> copies = args;  // posix_spawn takes char* const[]
  for (auto& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int err =
          ::posix_spawn(&pid, "/proc/self/exe", actions.get(), nullptr, argv.data(), environ);
      err != 0) {
    return repair::make_error(repair::ErrorCode::kIo,
                              std::string("cannot run certbed again: ") + std::strerror(err));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return repair::make_error(repair::ErrorCode::kIo,
                                std::string("cannot wait for certbed: ") + std::strerror(errno));
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  const std::string command = args.empty() ? std::string("certbed") : "certbed " + args.front();
  return repair::make_error(
      repair::ErrorCode::kInternal,
      repair::printable(command) + " ended by signal " + std::to_string(WTERMSIG(status)) +
          (stderr_path != "/dev/null" ? "; its error output is in " + stderr_path : ""));
}

}  // namespace certbed::platform
