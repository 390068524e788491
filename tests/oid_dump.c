/* Prints "name .1.3.6..." for every OID the C code uses (see oids.h), so
 * tests/mib/lint.sh can compare them with what snmptranslate reads from the
 * MIB. */
#include "config.h"

#include <stdio.h>

#include "oids.h"
#include "rows.h"

int main(void)
{
    for (size_t i = 0; i < sd_oid_names_count; i++) {
        printf("%s ", sd_oid_names[i].name);
        for (size_t j = 0; j < sd_oid_names[i].len; j++)
            printf(".%lu", sd_oid_names[i].oid[j]);
        printf("\n");
    }
    printf("#objectid-max %d\n", SD_OBJECTID_MAX);
    return 0;
}
