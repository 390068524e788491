/*
 * smsdistd: command line, start-up order, signals and the main loop.
 *
 * Start-up order matters (STYLE.md habit 4): subagent role and AgentX
 * socket before init_agent(); the ping interval after init_agent() (which
 * resets it) and before init_snmp(), which reads smsdistd.conf and connects.
 * Signals only set flags and write to a self-pipe that the agent's select
 * loop watches, so a SIGHUP is acted on at once, never inside a handler.
 */
#include "sd_snmp.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "conf.h"
#include "http.h"
#include "notify.h"
#include "notifystate.h"
#include "source.h"

#define APP "smsdistd"
#define DEFAULT_PING_INTERVAL 5

enum { EXIT_USAGE = 1, EXIT_START = 2 };

static volatile sig_atomic_t got_term, got_hup;
static int sigpipe_fds[2] = { -1, -1 };
static struct sd_config config;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: " APP " [OPTIONS]\n"
            "Serves ConfigMgr's SMS_DistributionStatus to an SNMP master agent over AgentX.\n\n"
            "  -f            stay in the foreground\n"
            "  -L<how>       logging, as snmpd: -Le stderr, -Lo stdout, -Lf FILE, -Ls FACILITY\n"
            "  -D[TOKENS]    debug output for these tokens (e.g. -Dsmsdistd,agentx/subagent)\n"
            "  -x ADDRESS    the master's AgentX socket (default /var/agentx/master)\n"
            "  -c FILE       read FILE as configuration too\n"
            "  -C            read no default configuration files (only -c FILE)\n"
            "  -p FILE       write the process ID to FILE\n"
            "  -H            list the configuration directives\n"
            "  -t            check the configuration and exit (0: fine, 1: problems);\n"
            "                connects to nothing\n"
            "  -v            print the version\n"
            "  -h            this help\n");
}

static void on_signal(int sig)
{
    int saved = errno;

    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_term = 1;
    if (sigpipe_fds[1] >= 0 && write(sigpipe_fds[1], "s", 1) < 0) {
        /* pipe full: a wakeup is already pending */
    }
    errno = saved;
}

static void drain_sigpipe(int fd, void *data)
{
    char buf[64];

    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

static int setup_signals(void)
{
    struct sigaction sa;

    if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return register_readfd(sigpipe_fds[0], drain_sigpipe, NULL) == FD_REGISTERED_OK ? 0 : -1;
}

static int write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        snmp_log(LOG_ERR, "cannot write pid file %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "%ld\n", (long)getpid());
    if (fclose(f) != 0) {
        snmp_log(LOG_ERR, "cannot write pid file %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

struct options {
    int check_only;
    int foreground;
    int logging_set;
    int print_directives;
    const char *pidfile;
};

/* Parses argv into opts and net-snmp's default store; exits on -h, -v, errors. */
static void parse_args(int argc, char **argv, struct options *o)
{
    int c;

    while ((c = getopt(argc, argv, "fL:D::x:c:Cp:Hhtv")) != -1) {
        switch (c) {
        case 'f':
            o->foreground = 1;
            break;
        case 'L':
            if (snmp_log_options(optarg, argc, argv) < 0) {
                usage(stderr);
                exit(EXIT_USAGE);
            }
            o->logging_set = 1;
            break;
        case 'D':
            debug_register_tokens(optarg ? optarg : "smsdistd");
            snmp_set_do_debugging(1);
            break;
        case 'x':
            netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, optarg);
            break;
        case 'c':
            netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG, optarg);
            break;
        case 'C':
            netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
            break;
        case 'p':
            o->pidfile = optarg;
            break;
        case 'H':
            o->print_directives = 1;
            break;
        case 't':
            o->check_only = 1;
            break;
        case 'v':
            printf(APP " %s (net-snmp %s)\n", SD_PACKAGE_VERSION, netsnmp_get_version());
            exit(0);
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            exit(EXIT_USAGE);
        }
    }
    if (optind < argc) {
        fprintf(stderr, APP ": unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        exit(EXIT_USAGE);
    }
}

static void init_library(void)
{
    /* A subagent serves OIDs and needs no MIB files: load none (and say
     * nothing about missing ones) unless the administrator asks for some. */
    setenv("MIBS", "", 0);
    setenv("MIBDIRS", "", 0);
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    /* A subagent has no state to keep: never write /var/lib/snmp. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    /* No warning per failed reconnection attempt: notify.c says one line
     * when the master goes and one when it is back. */
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
    SOCK_STARTUP;
    init_agent(APP);
    /* init_agent() resets it to the library's 15 s; agentXPingInterval in
     * smsdistd.conf still overrides this when init_snmp() reads it. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       DEFAULT_PING_INTERVAL);
    sd_config_register(APP, &config);
    sd_notify_preinit();
}

/* The -c files must be there and readable: net-snmp skips an unreadable
 * one without a word (EACCES), and all that would show is "no source". */
static void check_files(struct sd_config_report *r)
{
    const char *list = netsnmp_ds_get_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG);
    char *copy, *save = NULL;

    if (!list || !(copy = strdup(list)))
        return;
    for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        struct stat st;
        int fd = open(f, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
            sd_config_report_add(r, "cannot read %s: %s", f, strerror(errno));
            snmp_log(LOG_ERR, "cannot read %s: %s\n", f, strerror(errno));
            continue;
        }
        if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
            sd_config_report_add(r, "cannot read %s: not a regular file", f);
            snmp_log(LOG_ERR, "cannot read %s: not a regular file\n", f);
        }
        close(fd);
    }
    free(copy);
}

/* The configuration's source as it may be shown: without user:password@. */
static const char *source_shown(void)
{
    static char shown[1024];
    char *d = config.source ? sd_source_display(config.source) : NULL;

    snprintf(shown, sizeof(shown), "%s", d ? d : "?");
    free(d);
    return shown;
}

/* Where the configuration comes from, for messages. */
static const char *config_files(void)
{
    const char *list = netsnmp_ds_get_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG);

    return list ? list : APP ".conf";
}

/* Every problem of a read, or of the configuration read: 0 when none. The
 * first one goes to `why` (with a count of the others). */
static int verdict(const struct sd_config_report *r, const struct sd_config *c,
                   char *why, size_t whylen)
{
    char err[256];

    if (r->problems) {
        if (r->problems > 1)
            snprintf(why, whylen, "%s (and %u more problem%s)", r->first, r->problems - 1,
                     r->problems > 2 ? "s" : "");
        else
            snprintf(why, whylen, "%s", r->first);
        return -1;
    }
    if (sd_config_check(c, err, sizeof(err)) < 0) {
        snprintf(why, whylen, "%s: %s", config_files(), err);
        snmp_log(LOG_ERR, "%s\n", why);
        return -1;
    }
    return 0;
}

/*
 * SIGHUP: the configuration is read into a staging copy and checked whole;
 * only a configuration without a single problem replaces the one in use.
 * Otherwise nothing changes (the source is not even reloaded), the refusal
 * is logged with file, line and reason, and counted in the MIB.
 */
static void reload_config(void)
{
    struct sd_config staging = { 0 };
    struct sd_config_report r = { 0 };
    char why[512];

    snmp_log(LOG_INFO, "SIGHUP: re-reading the configuration (%s)\n", config_files());
    check_files(&r);
    sd_config_target(&staging);
    sd_config_capture_begin(&r);
    update_config();
    sd_config_capture_end();
    sd_config_target(&config);
    if (verdict(&r, &staging, why, sizeof(why)) < 0) {
        sd_config_release(&staging);
        snmp_log(LOG_ERR, "configuration reload refused: %s; still running on the previous "
                 "configuration (source %s)\n", why, source_shown());
        sd_agent_config_refused(why);
        return;
    }
    sd_config_release(&config);
    config = staging;
    sd_agent_config_applied();
    sd_agent_reconfigure(&config);
}

static void run(void)
{
    while (!got_term) {
        agent_check_and_process(1);
        if (got_hup && !got_term) {
            got_hup = 0;
            reload_config();
        }
    }
}

/* net-snmp's subagent connects to the master once the configuration is
 * read (a POST_READ_CONFIG callback that init_agent() registers); -t must
 * not, so it takes that callback away. Exported by libnetsnmpagent. */
extern int subagent_startup(int major, int minor, void *server, void *client);

/* -t: read and check the configuration as a start would, connect nowhere. */
static int check_only(void)
{
    struct sd_config_report r = { 0 };
    char why[512];

    snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                             subagent_startup, NULL, 0);
    check_files(&r);
    sd_config_set_deep(true);
    sd_config_capture_begin(&r);
    init_snmp(APP);
    sd_config_capture_end();
    if (verdict(&r, &config, why, sizeof(why)) < 0) {
        fprintf(stderr, APP ": configuration %s: %u problem%s; the first: %s\n", config_files(),
                r.problems ? r.problems : 1, r.problems > 1 ? "s" : "", why);
        return EXIT_USAGE;
    }
    /* as at a start: a folder it cannot write in is a warning, not a refusal
     * (checked as the user -t runs as: run it as smsdistd's user) */
    if (config.notify.state_file[0] &&
        sd_nstate_probe(config.notify.state_file, why, sizeof(why)) < 0)
        fprintf(stderr, APP ": warning: notifyStateFile %s: %s: the rows announced in error will "
                "not be kept across a restart\n", config.notify.state_file, why);
    fprintf(stderr, APP ": configuration %s is fine (source %s)\n", config_files(), source_shown());
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = { 0 };
    char err[512];
    int rc = 0;

    parse_args(argc, argv, &o);
    if (sd_http_global_init() < 0) {
        fprintf(stderr, APP ": cannot initialise libcurl\n");
        return EXIT_START;
    }
    if (!o.logging_set)
        snmp_enable_stderrlog();
    init_library();
    if (o.print_directives) {
        printf("Configuration directives understood by " APP " (smsdistd.conf):\n");
        fflush(stdout);
        read_config_print_usage("  ");
        return 0;
    }
    if (o.check_only) {
        rc = check_only();
        snmp_shutdown(APP);
        sd_config_release(&config);
        SOCK_CLEANUP;
        sd_http_global_cleanup();
        return rc;
    }
    if (!o.foreground && netsnmp_daemonize(1, snmp_stderrlog_status()) != 0) {
        snmp_log(LOG_ERR, "cannot become a daemon\n");
        return EXIT_START;
    }
    if (o.pidfile && write_pidfile(o.pidfile) < 0)
        return EXIT_START;
    {
        struct sd_config_report r = { 0 };
        check_files(&r);
        sd_config_capture_begin(&r);
        init_snmp(APP);
        sd_config_capture_end();
        if (verdict(&r, &config, err, sizeof(err)) < 0) {
            snmp_log(LOG_ERR, "not starting: %s (check with " APP " -t)\n", err);
            rc = EXIT_USAGE;
            goto shutdown;
        }
    }
    if (setup_signals() < 0 || sd_agent_start(&config) < 0) {
        rc = EXIT_START;
        goto shutdown;
    }
    snmp_log(LOG_INFO, APP " %s started (source %s)\n", SD_PACKAGE_VERSION, source_shown());
    if (!sd_notify_master_connected())
        snmp_log(LOG_WARNING, "AgentX master not reachable at %s; retrying every %d s\n",
                 netsnmp_ds_get_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET)
                     ? netsnmp_ds_get_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET)
                     : "the default socket",
                 netsnmp_ds_get_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL));
    run();
    snmp_log(LOG_INFO, APP " stopping\n");
shutdown:
    sd_agent_stop();
    snmp_shutdown(APP);
    sd_config_release(&config);
    if (o.pidfile)
        unlink(o.pidfile);
    SOCK_CLEANUP;
    sd_http_global_cleanup();
    return rc;
}
