#!/bin/bash
# zabbix7-server.sh: tests/contrib/zabbix-server.sh against Zabbix 7.0
# (Debian 13's packages in a cached debootstrap chroot; see
# tests/contrib/zabbix-runtime.sh).
SD_ZABBIX_VERSION=7.0 exec bash "$(dirname "$0")/zabbix-server.sh" "$@"
