#pragma once
// The table the build generates (embed_files.cmake): file name -> bytes, in read-only memory
// for the life of the process. Read it through findDemoAsset(), not directly.

#include <cstddef>
#include <string_view>

namespace huddle::server::demo {

struct EmbeddedFile {
  std::string_view name;
  std::string_view bytes;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

}  // namespace huddle::server::demo
