#pragma once
// Read access to environment variables behind an interface, so that tests inject their own.
// ProcessEnvironment reads the real environment (getenv): call it only while no thread changes
// the environment, i.e. during startup. MapEnvironment is a plain value, not synchronised.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace huddle::server {

class Environment {
 public:
  virtual ~Environment() = default;
  // nullopt when the variable is unset; an empty string when it is set to "".
  [[nodiscard]] virtual std::optional<std::string> get(std::string_view name) const = 0;
};

class ProcessEnvironment final : public Environment {
 public:
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const override;
};

class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::map<std::string, std::string, std::less<>> vars)
      : vars_(std::move(vars)) {}

  void set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const override;

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

}  // namespace huddle::server
