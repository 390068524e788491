/*
 * krb: tickets from krb5Keytab and the reasons Negotiate fails; see krb.h.
 * Each MIT krb5 error an operator can meet is turned into its cause and its
 * fix; the library's own text follows where it adds something.
 */
#include "config.h"

#include <krb5/krb5.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "krb.h"

/* The keytab (and principal) the cache was last filled from: a new file
 * there (a new key after a password change) is used at once. */
static struct {
    char path[256];
    char principal[512];
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    off_t size;
} last;

void sd_krb_reset(void)
{
    memset(&last, 0, sizeof(last));
}

static void lib_text(krb5_context ctx, krb5_error_code code, char *buf, size_t len)
{
    const char *m = krb5_get_error_message(ctx, code);

    snprintf(buf, len, "%s", m ? m : "unknown Kerberos error");
    krb5_free_error_message(ctx, m);
}

static const char *realm_of(krb5_const_principal p, char *buf, size_t len)
{
    snprintf(buf, len, "%.*s", (int)p->realm.length, p->realm.data);
    return buf;
}

/*
 * A failure to get a ticket (from the keytab, or for the SPN) in words.
 * who: the client principal; keytab: where its key came from, or NULL (a
 * ticket cache).
 */
static void describe(krb5_context ctx, krb5_error_code code, const char *who,
                     const char *realm, const char *keytab, char *err, size_t errlen)
{
    char lib[256], from[300];

    lib_text(ctx, code, lib, sizeof(lib));
    if (keytab)
        snprintf(from, sizeof(from), "krb5Keytab %s", keytab);
    else
        snprintf(from, sizeof(from), "the ticket cache");
    switch (code) {
    case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
        snprintf(err, errlen, "Kerberos: the KDC does not know the principal %s (%s: the wrong "
                 "keytab or krb5Principal, or the account was renamed or deleted)", who, from);
        break;
    case KRB5KDC_ERR_PREAUTH_FAILED:
    case KRB5KRB_AP_ERR_BAD_INTEGRITY:
        snprintf(err, errlen, "Kerberos: the KDC refused the key of %s in %s (the account's "
                 "password changed after the keytab was made: make it again with ktpass or "
                 "msktutil)", who, from);
        break;
    case KRB5_KDC_UNREACH:
        snprintf(err, errlen, "Kerberos: no KDC of realm %s answered (check kdc in krb5.conf's "
                 "[realms] or DNS's _kerberos._udp/_tcp records, and that port 88 of the domain "
                 "controllers is reachable): %s", realm, lib);
        break;
    case KRB5_REALM_UNKNOWN:
    case KRB5_REALM_CANT_RESOLVE:
        snprintf(err, errlen, "Kerberos: no KDC of realm %s is known (add it to krb5.conf's "
                 "[realms], or let DNS find it: dns_lookup_kdc = true): %s", realm, lib);
        break;
    case KRB5KRB_AP_ERR_SKEW:
    case KRB5_KDCREP_SKEW:
        snprintf(err, errlen, "Kerberos: clock skew: this host's clock and the KDC's differ by "
                 "more than krb5.conf's clockskew (300 s unless set); keep it in time with "
                 "the domain controllers (chrony or systemd-timesyncd)");
        break;
    case KRB5KDC_ERR_CLIENT_REVOKED:
        snprintf(err, errlen, "Kerberos: the account %s is disabled, locked out or expired "
                 "(see it in Active Directory)", who);
        break;
    case KRB5KDC_ERR_KEY_EXP:
        snprintf(err, errlen, "Kerberos: the password of %s has expired (a service account's "
                 "should never expire; set a new one and make the keytab again)", who);
        break;
    case KRB5_KT_NOTFOUND:
        snprintf(err, errlen, "Kerberos: %s holds no key for %s (check krb5Principal and "
                 "klist -k -e)", from, who);
        break;
    case KRB5KDC_ERR_ETYPE_NOSUPP:
        snprintf(err, errlen, "Kerberos: the KDC and %s share no encryption type for %s (make "
                 "the keytab with AES keys: ktpass -crypto AES256-SHA1)", from, who);
        break;
    default:
        snprintf(err, errlen, "Kerberos: cannot get a ticket for %s (%s): %s", who, from, lib);
        break;
    }
}

/* The principal to use: krb5Principal, or the keytab's first entry. */
static krb5_error_code keytab_client(krb5_context ctx, krb5_keytab kt, const char *principal,
                                     const char *path, krb5_principal *client,
                                     char *err, size_t errlen)
{
    krb5_kt_cursor cur;
    krb5_keytab_entry entry;
    krb5_error_code code;
    char lib[256];

    if (principal && *principal) {
        code = krb5_parse_name(ctx, principal, client);
        if (code) {
            lib_text(ctx, code, lib, sizeof(lib));
            snprintf(err, errlen, "krb5Principal '%s': %s", principal, lib);
        }
        return code;
    }
    code = krb5_kt_start_seq_get(ctx, kt, &cur);
    if (!code) {
        code = krb5_kt_next_entry(ctx, kt, &entry, &cur);
        if (!code) {
            code = krb5_copy_principal(ctx, entry.principal, client);
            krb5_free_keytab_entry_contents(ctx, &entry);
        }
        krb5_kt_end_seq_get(ctx, kt, &cur);
    }
    if (code == KRB5_KT_END)
        snprintf(err, errlen, "krb5Keytab %s holds no keys (make it with ktpass or msktutil)",
                 path);
    else if (code) {
        lib_text(ctx, code, lib, sizeof(lib));
        snprintf(err, errlen, "krb5Keytab %s: not a keytab MIT Kerberos can read: %s", path, lib);
    }
    return code;
}

/* Does cc hold client's ticket-granting ticket, with a quarter of its
 * life left at least? */
static bool tgt_fresh(krb5_context ctx, krb5_ccache cc, krb5_principal client)
{
    krb5_principal owner = NULL, tgs = NULL;
    krb5_creds match, creds;
    bool fresh = false;

    if (krb5_cc_get_principal(ctx, cc, &owner))
        return false;
    if (!krb5_principal_compare(ctx, owner, client))
        goto done;
    if (krb5_build_principal_ext(ctx, &tgs, client->realm.length, client->realm.data,
                                 KRB5_TGS_NAME_SIZE, KRB5_TGS_NAME, client->realm.length,
                                 client->realm.data, 0))
        goto done;
    memset(&match, 0, sizeof(match));
    match.client = client;
    match.server = tgs;
    if (krb5_cc_retrieve_cred(ctx, cc, 0, &match, &creds) == 0) {
        krb5_timestamp start = creds.times.starttime ? creds.times.starttime
                                                     : creds.times.authtime;
        long life = (long)creds.times.endtime - (long)start;
        long left = (long)creds.times.endtime - (long)time(NULL);
        fresh = left > life / 4;
        krb5_free_cred_contents(ctx, &creds);
    }
done:
    krb5_free_principal(ctx, tgs);
    krb5_free_principal(ctx, owner);
    return fresh;
}

static bool same_keytab(const char *path, const char *principal, const struct stat *st)
{
    return strcmp(last.path, path) == 0 && strcmp(last.principal, principal) == 0 &&
           last.dev == st->st_dev && last.ino == st->st_ino && last.size == st->st_size &&
           last.mtime.tv_sec == st->st_mtim.tv_sec && last.mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static void remember(const char *path, const char *principal, const struct stat *st)
{
    snprintf(last.path, sizeof(last.path), "%s", path);
    snprintf(last.principal, sizeof(last.principal), "%s", principal);
    last.dev = st->st_dev;
    last.ino = st->st_ino;
    last.size = st->st_size;
    last.mtime = st->st_mtim;
}

int sd_krb_ensure(const char *keytab, const char *principal, char *err, size_t errlen)
{
    krb5_context ctx = NULL;
    krb5_keytab kt = NULL;
    krb5_principal client = NULL;
    krb5_ccache cc = NULL;
    krb5_get_init_creds_opt *opt = NULL;
    krb5_creds creds;
    krb5_error_code code;
    char ktname[300], *who = NULL, realm[256], lib[256];
    struct stat st;
    int fd, ret = -1;

    fd = sd_http_open_private("krb5Keytab", keytab, err, errlen);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0) {
        snprintf(err, errlen, "krb5Keytab %s: cannot stat it", keytab);
        close(fd);
        return -1;
    }
    close(fd);
    code = krb5_init_context(&ctx);
    if (code) {
        snprintf(err, errlen, "Kerberos: cannot start (is krb5.conf, or KRB5_CONFIG, readable "
                 "and valid?): error %ld", (long)code);
        return -1;
    }
    snprintf(ktname, sizeof(ktname), "FILE:%s", keytab);
    code = krb5_kt_resolve(ctx, ktname, &kt);
    if (code) {
        lib_text(ctx, code, lib, sizeof(lib));
        snprintf(err, errlen, "krb5Keytab %s: %s", keytab, lib);
        goto done;
    }
    if (keytab_client(ctx, kt, principal, keytab, &client, err, errlen))
        goto done;
    if (krb5_unparse_name(ctx, client, &who)) {
        snprintf(err, errlen, "Kerberos: out of memory");
        goto done;
    }
    code = krb5_cc_default(ctx, &cc);
    if (code) {
        lib_text(ctx, code, lib, sizeof(lib));
        snprintf(err, errlen, "Kerberos: no credential cache (check KRB5CCNAME): %s", lib);
        goto done;
    }
    if (same_keytab(keytab, who, &st) && tgt_fresh(ctx, cc, client)) {
        ret = 0;
        goto done;
    }
    memset(&last, 0, sizeof(last));
    code = krb5_get_init_creds_opt_alloc(ctx, &opt);
    if (!code)
        code = krb5_get_init_creds_opt_set_out_ccache(ctx, opt, cc);
    if (!code) {
        memset(&creds, 0, sizeof(creds));
        code = krb5_get_init_creds_keytab(ctx, &creds, client, kt, 0, NULL, opt);
        if (!code)
            krb5_free_cred_contents(ctx, &creds);
    }
    if (code) {
        describe(ctx, code, who, realm_of(client, realm, sizeof(realm)), keytab, err, errlen);
        goto done;
    }
    remember(keytab, who, &st);
    ret = 0;
done:
    krb5_get_init_creds_opt_free(ctx, opt);
    krb5_free_unparsed_name(ctx, who);
    krb5_free_principal(ctx, client);
    if (cc)
        krb5_cc_close(ctx, cc);
    if (kt)
        krb5_kt_close(ctx, kt);
    krb5_free_context(ctx);
    return ret;
}

int sd_krb_diagnose(const char *host, char *why, size_t whylen, long *starts)
{
    krb5_context ctx = NULL;
    krb5_ccache cc = NULL;
    krb5_principal client = NULL, server = NULL;
    krb5_creds in, *out = NULL;
    krb5_error_code code;
    char *who = NULL, spn[600], realm[256], lib[256];
    int ret = 0;

    if (krb5_init_context(&ctx)) {
        snprintf(why, whylen, "Kerberos: cannot start (is krb5.conf, or KRB5_CONFIG, readable "
                 "and valid?)");
        return 0;
    }
    if (krb5_cc_default(ctx, &cc) || krb5_cc_get_principal(ctx, cc, &client)) {
        snprintf(why, whylen, "Kerberos: no credentials (no ticket in the credential cache %s%s%s "
                 "and no krb5Keytab: set krb5Keytab, or KRB5CCNAME to the cache you keep)",
                 cc ? krb5_cc_get_type(ctx, cc) : "",
                 cc ? ":" : "", cc ? krb5_cc_get_name(ctx, cc) : "(none)");
        goto done;
    }
    if (krb5_unparse_name(ctx, client, &who))
        goto nomem;
    realm_of(client, realm, sizeof(realm));
    code = krb5_sname_to_principal(ctx, host, "HTTP", KRB5_NT_SRV_HST, &server);
    if (code) {
        lib_text(ctx, code, lib, sizeof(lib));
        snprintf(why, whylen, "Kerberos: no SPN can be made of the host %s: %s", host, lib);
        goto done;
    }
    /* HTTP/host@REALM as the operator registers it (a referral realm is empty) */
    snprintf(spn, sizeof(spn), "HTTP/%.*s@%s",
             server->length > 1 ? (int)server->data[1].length : 0,
             server->length > 1 ? server->data[1].data : "",
             server->realm.length ? realm_of(server, lib, sizeof(lib)) : realm);
    memset(&in, 0, sizeof(in));
    in.client = client;
    in.server = server;
    code = krb5_get_credentials(ctx, 0, cc, &in, &out);
    if (code == KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN)
        snprintf(why, whylen, "Kerberos: the KDC knows no SPN %s (register it on the account the "
                 "AdminService runs as: setspn -S HTTP/FQDN ACCOUNT; a URL with an IP address "
                 "or an alias asks for that name's SPN, so name the provider by its FQDN and "
                 "map it with httpResolve if DNS cannot)", spn);
    else if (code)
        describe(ctx, code, who, realm, NULL, why, whylen);
    else {
        snprintf(why, whylen, "the server refused the Kerberos ticket for %s from %s (the "
                 "server's key for this SPN is not the one the KDC has: another account holds "
                 "the SPN, or its keytab is old)", spn, who);
        *starts = (long)(out->times.starttime ? out->times.starttime : out->times.authtime);
        ret = 1;
    }
    goto done;
nomem:
    snprintf(why, whylen, "Kerberos: out of memory");
done:
    krb5_free_creds(ctx, out);
    krb5_free_unparsed_name(ctx, who);
    krb5_free_principal(ctx, server);
    krb5_free_principal(ctx, client);
    if (cc)
        krb5_cc_close(ctx, cc);
    krb5_free_context(ctx);
    return ret;
}
