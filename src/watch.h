/*
 * watch: notices that a file source changed, on the main thread.
 *
 * inotify on the file's directory sees what real exporters do: replace by
 * rename (temp file + mv, rsync, the PowerShell exporter), truncate and
 * rewrite (scp, Out-File), delete. It reacts only to completed writes
 * (close-after-write, rename into place, delete), so a file being written is
 * not read half-way. Stat polling runs beside it, for file systems where
 * inotify sees nothing (NFS, SMB mounts) or when inotify is unavailable; it
 * reports a change only once the file has looked the same at two polls in a
 * row. Either way `changed` is called after a short settle delay, at most
 * once per burst of events; a burst that never ends (a writer rewriting the
 * file more often than the delay) still gives a call every 5 s, so a busy
 * writer cannot starve loads.
 */
#ifndef SD_WATCH_H
#define SD_WATCH_H

struct sd_watch;

/* Starts watching path; poll_s is the stat polling interval (0: no polling).
 * NULL when out of memory. Each watch is on its own. */
struct sd_watch *sd_watch_start(const char *path, unsigned poll_s, void (*changed)(void *),
                                void *arg);
/* Records what the file looks like now as the loaded state (call on submit).
 * NULL is fine. */
void sd_watch_mark_loaded(struct sd_watch *w);
/* Stops and frees; NULL is fine. */
void sd_watch_stop(struct sd_watch *w);

#endif
