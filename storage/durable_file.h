#pragma once
// Small-file durability primitives shared by checkpoints, markers and the topic
// store. Every failure throws std::system_error naming the path.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::storage {

// Throws std::system_error for the current errno: "<what> <path>: <reason>".
[[noreturn]] void throw_io_error(std::string_view what, const std::filesystem::path& path);
[[noreturn]] void throw_io_error(int err, std::string_view what, const std::filesystem::path& path);

// Replaces `path` with `contents` so that a crash leaves either the complete old
// file or the complete new one: writes <path>.tmp, fsyncs it, renames it over
// `path`, then fsyncs the directory so the rename itself is durable.
void write_file_durably(const std::filesystem::path& path, std::string_view contents);

// fsync of a directory, making file creations, renames and unlinks in it durable.
void fsync_directory(const std::filesystem::path& dir);

// The whole file, or nullopt when it does not exist.
std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);

}  // namespace sluice::storage
