#include "storage/checkpoint.h"

#include "storage/durable_file.h"

#include <charconv>
#include <string>
#include <string_view>

namespace sluice::storage {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        auto line = text.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        start = nl + 1;
    }
    return lines;
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

template <class T>
T parse_number(std::string_view s, const std::filesystem::path& file, size_t line_no) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        throw checkpoint_error(file.string() + ":" + std::to_string(line_no) + ": \"" +
                               std::string(s) + "\" is not a number");
    return v;
}

// Checks the version and count lines; returns the entry lines.
std::vector<std::string_view> entry_lines(const std::string& text,
                                          const std::filesystem::path& file) {
    auto lines = split_lines(text);
    if (lines.size() < 2)
        throw checkpoint_error(file.string() + ": missing version or entry count line");
    if (parse_number<int32_t>(lines[0], file, 1) != 0)
        throw checkpoint_error(file.string() + ": unsupported checkpoint version \"" +
                               std::string(lines[0]) + "\"");
    auto count = parse_number<int64_t>(lines[1], file, 2);
    std::vector<std::string_view> entries(lines.begin() + 2, lines.end());
    while (!entries.empty() && entries.back().empty()) entries.pop_back();
    if (count < 0 || size_t(count) != entries.size())
        throw checkpoint_error(file.string() + ": says " + std::to_string(count) +
                               " entries but holds " + std::to_string(entries.size()));
    return entries;
}

}  // namespace

offset_checkpoint read_offset_checkpoint(const std::filesystem::path& file) {
    offset_checkpoint out;
    auto text = read_file_if_exists(file);
    if (!text) return out;
    auto lines = entry_lines(*text, file);
    for (size_t i = 0; i < lines.size(); ++i) {
        auto f = split_fields(lines[i]);
        if (f.size() != 3)
            throw checkpoint_error(file.string() + ":" + std::to_string(i + 3) +
                                   ": expected \"topic partition offset\"");
        topic_partition tp{std::string(f[0]), parse_number<int32_t>(f[1], file, i + 3)};
        out[tp] = parse_number<int64_t>(f[2], file, i + 3);
    }
    return out;
}

void write_offset_checkpoint(const std::filesystem::path& file, const offset_checkpoint& offsets) {
    std::string text = "0\n" + std::to_string(offsets.size()) + "\n";
    for (auto& [tp, offset] : offsets)
        text += tp.topic + " " + std::to_string(tp.partition) + " " + std::to_string(offset) + "\n";
    write_file_durably(file, text);
}

std::vector<epoch_entry> read_leader_epoch_checkpoint(const std::filesystem::path& file) {
    std::vector<epoch_entry> out;
    auto text = read_file_if_exists(file);
    if (!text) return out;
    auto lines = entry_lines(*text, file);
    for (size_t i = 0; i < lines.size(); ++i) {
        auto f = split_fields(lines[i]);
        if (f.size() != 2)
            throw checkpoint_error(file.string() + ":" + std::to_string(i + 3) +
                                   ": expected \"epoch start_offset\"");
        out.push_back(
            {parse_number<int32_t>(f[0], file, i + 3), parse_number<int64_t>(f[1], file, i + 3)});
    }
    return out;
}

void write_leader_epoch_checkpoint(const std::filesystem::path& file,
                                   const std::vector<epoch_entry>& entries) {
    std::string text = "0\n" + std::to_string(entries.size()) + "\n";
    for (auto& e : entries)
        text += std::to_string(e.epoch) + " " + std::to_string(e.start_offset) + "\n";
    write_file_durably(file, text);
}

}  // namespace sluice::storage
