// sluiced: the Sluice broker daemon.
#include "broker/broker.h"
#include "broker/settings.h"
#include "config/config.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

extern char** environ;

int main(int argc, char** argv) {
    CLI::App app{"sluiced - Kafka-compatible message broker"};
    std::string config_file;
    std::vector<std::string> sets;
    bool version = false;
    bool reference = false;
    app.add_option("-c,--config", config_file, "YAML configuration file (Kafka key names)");
    app.add_option("--set", sets, "override a key: --set key=value (repeatable)");
    app.add_flag("--version", version, "print the version and exit");
    app.add_flag("--print-config-reference", reference,
                 "print the configuration reference (Markdown) and exit");
    CLI11_PARSE(app, argc, argv);

    if (version) {
        std::cout << "sluiced " << SLUICE_VERSION << "\n";
        return 0;
    }
    if (reference) {
        std::cout << sluice::config::config_reference_markdown();
        return 0;
    }

    std::map<std::string, std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }

    // stderr for journald; the journal adds its own timestamps, so none here
    // when running under systemd.
    auto logger = spdlog::stderr_color_mt("sluiced");
    if (std::getenv("JOURNAL_STREAM"))
        logger->set_pattern("[%l] %v");
    else
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");
    spdlog::set_default_logger(logger);

    sluice::broker::broker_settings settings;
    try {
        auto cfg = sluice::config::load_broker_config(
            config_file.empty() ? std::nullopt : std::optional<std::string>(config_file), sets, env);
        settings = sluice::broker::settings_from_config(cfg);
    } catch (const std::exception& e) {
        std::cerr << "sluiced: configuration error: " << e.what() << "\n";
        return 2;
    }
    spdlog::set_level(spdlog::level::from_str(settings.log_level));

    try {
        sluice::broker::broker b(std::move(settings));
        return b.run();
    } catch (const std::exception& e) {
        spdlog::critical("fatal: {}", e.what());
        return 1;
    }
}
