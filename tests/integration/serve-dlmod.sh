#!/bin/bash
# serve-dlmod.sh: serve.sh, all of it, against the dlmod form: the same
# MIB module loaded into snmpd by `dlmod smsdist .../smsdist.so`, its
# directives read from snmpd.conf. Same code, same checks, no AgentX hop.
SD_FORM=dlmod
export SD_FORM
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/serve.sh"
