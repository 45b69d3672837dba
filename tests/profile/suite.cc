#include "suite.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace cpa::profile::testing {

nlohmann::json LoadSuite(const std::string& relative) {
  const std::string path = std::string(CPA_TESTDATA_DIR) + "/" + relative;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "conformance data missing: " << path;
    return nullptr;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) {
    ADD_FAILURE() << "conformance data is not JSON: " << path;
    return nullptr;
  }
  return doc;
}

}  // namespace cpa::profile::testing
