/*
 * krb: the Kerberos side of the AdminService's Negotiate authentication,
 * with MIT krb5 (the library libcurl's GSSAPI uses on Debian). libcurl does
 * the Negotiate exchange itself from the default credential cache; this
 * fills that cache from krb5Keytab (as kinit -k would, again before the
 * ticket runs out or when the keytab changes), and when the server still
 * says 401, finds out why in words an operator can act on. Loader thread
 * only (its little state: the keytab last used).
 */
#ifndef SD_KRB_H
#define SD_KRB_H

#include <stddef.h>

/* krb5.conf's clockskew unless set, and Active Directory's: seconds two
 * clocks may differ by before a ticket is refused. */
#define SD_KRB_CLOCKSKEW 300

/*
 * Makes sure the default credential cache holds a ticket-granting ticket
 * for principal (NULL or "": the keytab's first) from keytab, valid for a
 * quarter of its lifetime more at least; gets a new one from the KDC when
 * not, or when the keytab file or the principal changed since. 0, or -1
 * with err set: the cause and its fix ("Kerberos: the KDC does not know
 * the principal ...").
 */
int sd_krb_ensure(const char *keytab, const char *principal, char *err, size_t errlen);

/*
 * After a 401 to a Negotiate request to host: asks the KDC for a ticket
 * for the SPN HTTP/host as libcurl's GSSAPI would. 0 with why set when
 * that fails (no credentials, SPN unknown, KDC trouble); 1 when a ticket
 * exists (the server refused it), with why naming the SPN and the client,
 * and *starts set to the time the ticket is valid from (the KDC's clock).
 */
int sd_krb_diagnose(const char *host, char *why, size_t whylen, long *starts);

/* Forgets the keytab last used (tests). */
void sd_krb_reset(void);

#endif
