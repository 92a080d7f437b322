#pragma once
// Shared by the sdp unit tests: loads the sample files under data/.

#include <fstream>
#include <sstream>
#include <string>

namespace huddle::rtc::test {

inline std::string readSdpSample(const std::string& name) {
  std::ifstream in(std::string(HUDDLE_SDP_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace huddle::rtc::test
