// Runs certbed itself again with other arguments, as a child process: a command that replays a
// case (certbed case) runs the very commands a support engineer runs, with their own output,
// instead of a second implementation of them.
#pragma once

#include <string>
#include <vector>

#include "certbed/repair/model/result.h"

namespace certbed::platform {

// The child's standard output and error go to the two files (created or truncated, 0666 &
// ~umask; "/dev/null" to drop one); its standard input is /dev/null. Returns its exit code; an
// error when it cannot start or ends by a signal.
repair::Result<int> run_this_program(const std::vector<std::string>& args,
                                     const std::string& stdout_path,
                                     const std::string& stderr_path);

}  // namespace certbed::platform
