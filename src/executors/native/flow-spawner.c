/*
 * flow-spawner: the native twin of flow's shell helper (src/executors/shell-helper.ts). One
 * long-lived process that starts a job per record read on stdin with posix_spawn (vfork + exec
 * in glibc: no copy of the parent's page tables) and reports `S <id> <pid>` when the job has
 * started and `E <id> <status>` when it ended, status as sh reports it (128 + N for signal N).
 * An S line waits up to HOLD_MS for its job's E line, so both go in one write.
 *
 * A record is NUL-separated fields: id, mode, after, cwd, log, argc, argv..., envc, env...
 *   mode x: run argv (PATH searched in the job's own environment, after the chdir)
 *   mode b: a shell builtin with no process of its own; argv[0] is its exit status. A child is
 *           forked all the same, so that every job has a pid and its log file is created.
 *   after:  empty to start at once, or the id of a job to start after, only if it exits 0 (a
 *           chain's next task, recorded by flow before its end: docs/adr/0009). Reaping that
 *           job starts its followers (S lines), or drops them (`C <id> 0`: never started),
 *           before its own E line, so flow learns of the hand-over before the end. A job that
 *           has ended already is looked up among the last RECENT ends; not found there (or
 *           still waiting as a follower itself: flow names only jobs that have started), the
 *           follower is dropped, and flow starts it its usual way.
 * The record `id NUL c NUL` cancels a follower that has not started (answered by its C line;
 * one that has started is stopped by flow as any running job). Records are read before
 * children are reaped, so a cancel written before a stop signal is seen first.
 * The job's log is opened for append (its folder created when missing) as stdout and stderr,
 * stdin is /dev/null, PWD is the job's cwd, and everything else of the environment is the
 * helper's plus the record's entries. Jobs stay in the helper's process group.
 *
 * On EOF on stdin (flow exited, even by SIGKILL) or on SIGTERM/SIGHUP/SIGINT, the helper sends
 * SIGTERM to its group, waits `grace` seconds (argv[1]) and sends SIGKILL, as the sh helper's
 * EXIT trap does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

extern char **environ;

static int wake[2];
static volatile sig_atomic_t stopping;
static int closing;
static int subreaper;
static char *in;
static size_t in_len, in_cap;
static char out[65536];
static size_t out_len;
/*
 * An E or C line (or the S line of a follower) is waiting in `out`: it goes now. Else, when
 * `out` holds S lines only, since when they wait.
 */
static int out_has_end;
static struct timespec starts_since;
/*
 * S lines wait up to HOLD_MS for the job's E line, so that a quick job costs flow one wake-up
 * and not two; flow needs a pid only to stop a job, which it can do from the S line on.
 */
#define HOLD_MS 2

struct job { pid_t pid; long id; };
static struct job *jobs;
static size_t jobs_len, jobs_cap;

/* A record waiting for job `after` to exit 0, kept as read (parsed again when it starts). */
struct follower { long id; long after; char *record; size_t len; };
static struct follower *followers;
static size_t followers_len, followers_cap;

/* The exit status of the last RECENT jobs that ended, for followers written after the end. */
#define RECENT 1024
static struct { long id; long status; } recent[RECENT];
static size_t recent_count;

static void on_signal(int sig) {
  int saved = errno;
  if (sig != SIGCHLD) stopping = 1;
  (void)!write(wake[1], "", 1);
  errno = saved;
}

static void flush_out(void) {
  size_t done = 0;
  while (done < out_len) {
    ssize_t n = write(1, out + done, out_len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break; /* flow is gone: EOF on stdin follows */
    done += (size_t)n;
  }
  out_len = 0;
  out_has_end = 0;
}

static void report(char kind, long id, long value) {
  if (out_len > sizeof out - 64) flush_out();
  if (out_len == 0) clock_gettime(CLOCK_MONOTONIC, &starts_since);
  if (kind != 'S') out_has_end = 1;
  out_len += (size_t)snprintf(out + out_len, 64, "%c %ld %ld\n", kind, id, value);
}

/* Milliseconds the S lines in `out` may still wait: 0 when they must go now. */
static int hold_left(void) {
  if (out_len == 0) return -1;
  if (out_has_end) return 0;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long waited = (now.tv_sec - starts_since.tv_sec) * 1000 + (now.tv_nsec - starts_since.tv_nsec) / 1000000;
  return waited >= HOLD_MS ? 0 : (int)(HOLD_MS - waited);
}

static void add_job(pid_t pid, long id) {
  if (jobs_len == jobs_cap) {
    jobs_cap = jobs_cap ? jobs_cap * 2 : 64;
    jobs = realloc(jobs, jobs_cap * sizeof *jobs);
    if (!jobs) _exit(70);
  }
  jobs[jobs_len].pid = pid;
  jobs[jobs_len].id = id;
  jobs_len++;
}

static void run_record(const char *record, size_t len);

static int job_running(long id) {
  for (size_t i = 0; i < jobs_len; i++)
    if (jobs[i].id == id) return 1;
  return 0;
}

/* The status job `id` ended with, when it is among the last RECENT to end; else -1. */
static long recent_status(long id) {
  size_t count = recent_count < RECENT ? recent_count : RECENT;
  for (size_t back = 1; back <= count; back++) {
    size_t at = (recent_count - back) % RECENT;
    if (recent[at].id == id) return recent[at].status;
  }
  return -1;
}

/* Job `id` ended with `code`: its followers start if it is 0, else are dropped. */
static void release_followers(long id, long code) {
  size_t kept = 0;
  for (size_t i = 0; i < followers_len; i++) {
    struct follower f = followers[i];
    if (f.after != id) {
      followers[kept++] = f;
      continue;
    }
    /* After EOF or a stop signal nothing new starts: the group is about to be stopped. */
    if (code != 0 || closing || stopping) report('C', f.id, 0);
    else run_record(f.record, f.len);
    free(f.record);
  }
  followers_len = kept;
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < jobs_len; i++) {
      if (jobs[i].pid != pid) continue;
      long code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      long id = jobs[i].id;
      jobs[i] = jobs[--jobs_len];
      recent[recent_count % RECENT].id = id;
      recent[recent_count % RECENT].status = code;
      recent_count++;
      if (followers_len > 0) release_followers(id, code);
      report('E', id, code);
      break;
    }
  }
}

/* mkdir -p of the folder of `file`; errors show up when the file is opened. */
static void make_parents(const char *file) {
  char path[4096];
  size_t len = strlen(file);
  if (len >= sizeof path) return;
  memcpy(path, file, len + 1);
  char *slash = strrchr(path, '/');
  if (!slash || slash == path) return;
  *slash = 0;
  if (mkdir(path, 0777) == 0 || errno == EEXIST) return;
  if (errno != ENOENT) return;
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    mkdir(path, 0777);
    *p = '/';
  }
  mkdir(path, 0777);
}

/* The log's folder is made only when the open says it is missing: a run's tries share one. */
static int open_log(const char *file) {
  int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
  int fd = open(file, flags, 0666);
  if (fd >= 0 || errno != ENOENT) return fd;
  make_parents(file);
  return open(file, flags, 0666);
}

/* A job that cannot be spawned still gets a process: it writes why and exits, as sh's would. */
static pid_t fork_exit(int log, int code, const char *message, const char *what) {
  pid_t pid = fork();
  if (pid == 0) {
    if (log >= 0 && message) dprintf(log, "flow: %s: %s\n", what, message);
    _exit(code);
  }
  return pid;
}

/* The job's environment: the helper's, minus names the record sets, plus the record's. */
static char **job_env(char **extra, long count) {
  size_t base = 0;
  while (environ[base]) base++;
  char **env = malloc((base + (size_t)count + 1) * sizeof *env);
  if (!env) _exit(70);
  size_t n = 0;
  for (size_t i = 0; i < base; i++) {
    const char *eq = strchr(environ[i], '=');
    size_t name = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
    int replaced = 0;
    for (long j = 0; j < count && !replaced; j++) replaced = strncmp(extra[j], environ[i], name) == 0;
    if (!replaced) env[n++] = environ[i];
  }
  for (long j = 0; j < count; j++) env[n++] = extra[j];
  env[n] = NULL;
  return env;
}

static void start(long id, char mode, const char *cwd, const char *logfile, char **argv, char **env) {
  int log = open_log(logfile);
  pid_t pid = -1;
  if (log < 0) {
    pid = fork_exit(-1, 2, NULL, NULL);
  } else if (mode == 'b') {
    pid = fork_exit(log, atoi(argv[0]), NULL, NULL);
  } else {
    static int devnull = -1;
    if (devnull < 0) devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, cwd);
    posix_spawn_file_actions_adddup2(&actions, devnull, 0);
    posix_spawn_file_actions_adddup2(&actions, log, 1);
    posix_spawn_file_actions_adddup2(&actions, log, 2);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    /* posix_spawnp searches PATH in `environ` after the chdir: the job's PATH, from its cwd. */
    char **saved = environ;
    environ = env;
    int error = posix_spawnp(&pid, argv[0], &actions, &attr, argv, env);
    if (error == ENOEXEC) {
      /* A script without #!: sh runs it as a script, as it would from a shell. */
      long argc = 0;
      while (argv[argc]) argc++;
      char **sh = malloc((size_t)(argc + 4) * sizeof *sh);
      sh[0] = "sh";
      sh[1] = "-c";
      sh[2] = "exec \"$0\" \"$@\"";
      for (long i = 0; i <= argc; i++) sh[3 + i] = argv[i];
      error = posix_spawn(&pid, "/bin/sh", &actions, &attr, sh, env);
      free(sh);
    }
    environ = saved;
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (error) {
      struct stat st;
      char why[4200];
      snprintf(why, sizeof why, "can't cd to %s", cwd);
      if (stat(cwd, &st) != 0 || !S_ISDIR(st.st_mode))
        pid = fork_exit(log, 2, why, "cd");
      else
        pid = fork_exit(log, error == ENOENT ? 127 : 126,
                        error == ENOENT ? "not found" : strerror(error), argv[0]);
    }
  }
  if (log >= 0) close(log);
  if (pid < 0) {
    report('S', id, 0);
    report('E', id, 2);
    return;
  }
  add_job(pid, id);
  report('S', id, pid);
}

/*
 * Splits the record at `buf + *at` into `fields`; returns their count, or 0 when the record is
 * not complete yet (`*at` then unchanged).
 */
static size_t split_record(char *buf, size_t len, size_t *at, char **fields, size_t max) {
  size_t count = 0, p = *at;
  long argc = -1, envc = -1;
  for (;;) {
    char *end = memchr(buf + p, 0, len - p);
    if (!end) return 0;
    if (count == max) _exit(65);
    fields[count++] = buf + p;
    p = (size_t)(end - buf) + 1;
    if (count == 2 && fields[1][0] == 'c') break;
    if (count == 6) argc = atol(fields[5]);
    if (argc >= 0 && count == (size_t)(6 + argc + 1)) envc = atol(fields[count - 1]);
    if (envc >= 0 && count == (size_t)(6 + argc + 1 + envc)) break;
  }
  *at = p;
  return count;
}

static char *record_fields[8192];

/* Starts the job of a complete record, whatever its `after` says. */
static void start_fields(char **fields) {
  long argc = atol(fields[5]);
  char *argv[4096];
  if (argc >= 4095) _exit(65);
  for (long i = 0; i < argc; i++) argv[i] = fields[6 + i];
  argv[argc] = NULL;
  char **env = job_env(fields + 6 + argc + 1, atol(fields[6 + argc]));
  start(atol(fields[0]), fields[1][0], fields[3], fields[4], argv, env);
  free(env);
}

/* A follower's record, kept since it was read: it starts now. */
static void run_record(const char *record, size_t len) {
  char *copy = malloc(len);
  if (!copy) _exit(70);
  memcpy(copy, record, len);
  size_t at = 0;
  if (split_record(copy, len, &at, record_fields, sizeof record_fields / sizeof *record_fields))
    start_fields(record_fields);
  free(copy);
}

static void cancel(long id) {
  for (size_t i = 0; i < followers_len; i++) {
    if (followers[i].id != id) continue;
    free(followers[i].record);
    followers[i] = followers[--followers_len];
    report('C', id, 0);
    return;
  }
}

/* Keeps a record until job `after` ends. */
static void follow(long id, long after, const char *record, size_t len) {
  if (followers_len == followers_cap) {
    followers_cap = followers_cap ? followers_cap * 2 : 16;
    followers = realloc(followers, followers_cap * sizeof *followers);
    if (!followers) _exit(70);
  }
  char *copy = malloc(len);
  if (!copy) _exit(70);
  memcpy(copy, record, len);
  followers[followers_len++] = (struct follower){id, after, copy, len};
}

/* Acts on one record from `in` at `*at`; returns 0 when it is not complete yet. */
static int next_record(size_t *at) {
  size_t from = *at;
  size_t count = split_record(in, in_len, at, record_fields,
                              sizeof record_fields / sizeof *record_fields);
  if (count == 0) return 0;
  long id = atol(record_fields[0]);
  if (record_fields[1][0] == 'c') {
    cancel(id);
    return 1;
  }
  if (record_fields[2][0] != 0) {
    long job = atol(record_fields[2]);
    if (job_running(job)) {
      follow(id, job, in + from, *at - from);
      return 1;
    }
    if (recent_status(job) != 0) {
      report('C', id, 0);
      return 1;
    }
    /* Late: its S line goes at once, so that flow can send the job that follows it in time. */
    start_fields(record_fields);
    out_has_end = 1;
    return 1;
  }
  start_fields(record_fields);
  return 1;
}

/*
 * SIGTERM to the group; then, where the helper is a subreaper (Linux: every orphaned descendant
 * becomes its child), reap until no descendant is left, so that flow's close() returns as soon
 * as the last one exits; SIGKILL to the group once `grace` seconds have passed.
 */
static void shut_down(int grace) {
  signal(SIGTERM, SIG_IGN);
  kill(0, SIGTERM);
  struct timespec tick = {0, 10 * 1000 * 1000};
  for (long waited = 0; waited < grace * 100L; waited++) {
    pid_t reaped;
    while ((reaped = waitpid(-1, NULL, WNOHANG)) > 0) {
    }
    if (subreaper && reaped < 0 && errno == ECHILD) _exit(0);
    nanosleep(&tick, NULL);
  }
  kill(0, SIGKILL);
  _exit(143);
}

int main(int argc, char **argv) {
  int grace = argc > 1 ? atoi(argv[1]) : 5;
  /* flow starts it as a group leader; when run by hand, lead a group all the same, so that the
     shutdown below stops only its own jobs. */
  if (getpgrp() != getpid()) setpgid(0, 0);
#ifdef __linux__
  subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
#endif
  if (pipe(wake) != 0) return 70;
  fcntl(wake[0], F_SETFD, FD_CLOEXEC);
  fcntl(wake[1], F_SETFD, FD_CLOEXEC);
  fcntl(wake[0], F_SETFL, O_NONBLOCK);
  fcntl(wake[1], F_SETFL, O_NONBLOCK);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  int eof = 0;
  while (!eof && !stopping) {
    struct pollfd fds[2] = {{0, POLLIN, 0}, {wake[0], POLLIN, 0}};
    if (poll(fds, 2, hold_left()) < 0 && errno != EINTR) break;
    char drain[256];
    while (read(wake[0], drain, sizeof drain) > 0) {
    }
    /* Records first: a cancel that came before a follower's job ended is acted on first. */
    if (fds[0].revents) {
      if (in_cap - in_len < 65536) {
        in_cap = in_cap ? in_cap * 2 : 262144;
        in = realloc(in, in_cap);
        if (!in) return 70;
      }
      ssize_t n = read(0, in + in_len, in_cap - in_len);
      if (n == 0) eof = closing = 1;
      if (n > 0) {
        in_len += (size_t)n;
        size_t at = 0;
        while (next_record(&at)) {
        }
        memmove(in, in + at, in_len - at);
        in_len -= at;
      }
    }
    reap();
    if (hold_left() == 0) flush_out();
  }
  flush_out();
  shut_down(grace);
  return 0;
}
