#pragma once
// sluice::config — everything the broker and the CLI need from config/:
// the declarations table, listener parsing, broker loading and topic configs.

#include "config/broker_config.h"
#include "config/declarations.h"
#include "config/listener.h"
#include "config/topic_config.h"
