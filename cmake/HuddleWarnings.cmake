# Warnings apply to our own targets only (through huddle_apply_warnings), never to generated code.
function(huddle_apply_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                           -Wimplicit-fallthrough)
  # -Wnull-dereference is left out: with g++ 12 at -O2 it fires inside inlined std::string and
  # CLI11 code, on paths that cannot happen.
  if(HUDDLE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
