/* Crash safety of save. A forked child saves a new watchlist over an old
 * one and dies by SIGKILL: first right after each individual step of the
 * save (every write, the fsync, the close, the rename, the directory
 * fsync), through the internal fault hook; then at random moments chosen by
 * the parent's timer. After every kill the file must open as exactly the
 * old or the new watchlist; the test requires both outcomes to occur, and
 * the per-step kills must flip from old to new exactly at the rename. */
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "test_watchlist_util.h"
#include "watchlist/watchlist_internal.h"

#define OLD_N 40
#define NEW_N 1500

static char g_dir[4096], g_path[4200];
static uint8_t *g_old;
static size_t g_old_len;
static int g_kill_step, g_steps, g_rename_step;

static void count_hook(int step) { g_steps = step + 1; }
static void kill_hook(int step)
{
    if (step == g_kill_step) raise(SIGKILL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static face_watchlist *build(unsigned n, uint64_t seed)
{
    face_watchlist_options o;
    wt_options(&o, FACE_WATCHLIST_FLOAT32);
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wl = NULL;
    assert_int_equal(face_watchlist_create(&o, &k, &wl), FACE_OK);
    uint64_t rng = seed;
    for (unsigned i = 0; i < n; i++) {
        face_template t;
        wt_template(&t, &rng);
        uint8_t id[64];
        size_t idl;
        wt_id(id, &idl, i);
        assert_int_equal(face_watchlist_enroll(wl, id, idl, NULL, &t, 1, 0), FACE_OK);
    }
    return wl;
}

static int remove_tmp_files(void)
{
    DIR *d = opendir(g_dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".tmp-")) continue;
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
        unlink(p);
        n++;
    }
    closedir(d);
    return n;
}

/* 0 = old, 1 = new; fails on anything else. */
static int classify(void)
{
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wl = NULL;
    face_status st = face_watchlist_open(g_path, &k, NULL, &wl);
    if (st != FACE_OK) fail_msg("after a kill the watchlist does not open: %d", st);
    size_t n = 0;
    assert_int_equal(face_watchlist_count(wl, &n, NULL), FACE_OK);
    face_watchlist_close(wl);
    if (n == OLD_N) return 0;
    if (n == NEW_N) return 1;
    fail_msg("after a kill the watchlist has %zu entries", n);
    return -1;
}

/* Run one save in a child; the parent kills it after delay_us (< 0: never,
 * the fault hook does). Returns 1 if the child died by SIGKILL. */
static int trial(face_watchlist *wl, int kill_step, long delay_us)
{
    wt_write_file(g_path, g_old, g_old_len);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        g_kill_step = kill_step;
        lf_wl_fault_hook = kill_step >= 0 ? kill_hook : NULL;
        face_status st = face_watchlist_save(wl, g_path);
        _exit(st == FACE_OK ? 0 : 1);
    }
    if (delay_us >= 0) {
        struct timespec ts = {delay_us / 1000000, (delay_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {
        assert_int_equal(WEXITSTATUS(status), 0); /* a completed save succeeded */
        return 0;
    }
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    return 1;
}

static void test_crash_safety(void **s)
{
    (void)s;
    face_watchlist *old = build(OLD_N, 1);
    assert_int_equal(face_watchlist_save(old, g_path), FACE_OK);
    face_watchlist_close(old);
    g_old = tu_read_file(g_path, &g_old_len);
    assert_non_null(g_old);
    face_watchlist *wl = build(NEW_N, 2);

    /* Count the steps of one save, and time it. */
    char scratch[4300];
    snprintf(scratch, sizeof scratch, "%s/scratch.fwl", g_dir);
    lf_wl_fault_hook = count_hook;
    double t0 = now_s();
    assert_int_equal(face_watchlist_save(wl, scratch), FACE_OK);
    double save_s = now_s() - t0;
    lf_wl_fault_hook = NULL;
    unlink(scratch);
    /* header, >= 12 chunks, fsync, close, rename, dir fsync */
    assert_true(g_steps >= 17);
    g_rename_step = g_steps - 2;

    int kills = 0, seen[2] = {0, 0};
    for (int step = 0; step < g_steps; step++) {
        assert_int_equal(trial(wl, step, -1), 1);
        kills++;
        int outcome = classify();
        seen[outcome]++;
        /* Before the rename the old file is untouched; from it on, new. */
        assert_int_equal(outcome, step >= g_rename_step ? 1 : 0);
        int tmp = remove_tmp_files();
        assert_int_equal(tmp, step < g_rename_step ? 1 : 0);
    }
    /* Random moments across the save (and a little past its usual end). */
    uint64_t rng = 77;
    long span_us = (long)(save_s * 1.3e6) + 50;
    int trials = 0;
    while (kills < 260 && trials < 2000) {
        trials++;
        long delay = (long)(tu_rand(&rng) % (uint32_t)span_us);
        kills += trial(wl, -1, delay);
        seen[classify()]++;
        remove_tmp_files();
    }
    fprintf(stderr,
            "save of %d entries: %d steps, %.1f ms; %d kills in all (%d step-by-step, %d random "
            "trials): %d old, %d new\n",
            NEW_N, g_steps, save_s * 1e3, kills, g_steps, trials, seen[0], seen[1]);
    assert_true(kills >= 200);
    assert_true(seen[0] > 0 && seen[1] > 0);
    free(g_old);
    face_watchlist_close(wl);
}

static int setup(void **state)
{
    (void)state;
    wt_mkdtemp(g_dir, sizeof g_dir);
    snprintf(g_path, sizeof g_path, "%s/w.fwl", g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wt_rmdir(g_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_crash_safety)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
