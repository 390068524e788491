/*
 * The one place net-snmp's headers are included (STYLE.md habit 7):
 * config.h first, then net-snmp's own config, whose PACKAGE_* macros would
 * otherwise clash with ours.
 */
#ifndef SD_SNMP_H
#define SD_SNMP_H

#include "config.h"

#undef PACKAGE_BUGREPORT
#undef PACKAGE_NAME
#undef PACKAGE_STRING
#undef PACKAGE_TARNAME
#undef PACKAGE_URL
#undef PACKAGE_VERSION
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>
#undef PACKAGE_BUGREPORT
#undef PACKAGE_NAME
#undef PACKAGE_STRING
#undef PACKAGE_TARNAME
#undef PACKAGE_URL
#undef PACKAGE_VERSION

#define SD_VERSION SD_PACKAGE_VERSION

#endif
