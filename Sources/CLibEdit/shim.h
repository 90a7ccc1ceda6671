#ifndef CLIBEDIT_SHIM_H
#define CLIBEDIT_SHIM_H

/* Native libedit API (histedit.h) for the LineEditor target.
   el_set/el_get/history() are C variadic functions, which Swift cannot call,
   so every use is wrapped in a non-variadic static inline function here.
   The C stdio globals (stdin/stdout/stderr) are only touched from C: in Swift 6
   mode referring to them is an error ("not concurrency-safe"). */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <histedit.h>

typedef unsigned char (*clibedit_fn_t)(EditLine *, int);
typedef char *(*clibedit_prompt_t)(EditLine *);

static inline EditLine *clibedit_init(const char *prog) { return el_init(prog, stdin, stdout, stderr); }

static inline void clibedit_write_stdout(const char *s) { fputs(s, stdout); fflush(stdout); }
static inline void clibedit_clearerr_stdin(void) { clearerr(stdin); }

/* The prompt may contain terminal escapes wrapped between two `literal` characters;
   libedit prints them but does not count them in the prompt width. */
static inline int clibedit_set_prompt(EditLine *el, clibedit_prompt_t fn, char literal) {
    return el_set(el, EL_PROMPT_ESC, fn, literal);
}
static inline int clibedit_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int clibedit_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int clibedit_add_function(EditLine *el, const char *name, const char *help, clibedit_fn_t fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int clibedit_bind(EditLine *el, const char *key, const char *fn) {
    return el_set(el, EL_BIND, key, fn, NULL);
}
static inline int clibedit_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int clibedit_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *clibedit_get_clientdata(EditLine *el) {
    void *d = NULL;
    if (el_get(el, EL_CLIENTDATA, &d) != 0) return NULL;
    return d;
}

static inline int clibedit_history_setsize(History *h, int n) { HistEvent ev; return history(h, &ev, H_SETSIZE, n); }
static inline int clibedit_history_getsize(History *h) {
    HistEvent ev;
    if (history(h, &ev, H_GETSIZE) == -1) return 0;
    return ev.num;
}
static inline int clibedit_history_setunique(History *h, int on) { HistEvent ev; return history(h, &ev, H_SETUNIQUE, on); }
static inline int clibedit_history_enter(History *h, const char *line) { HistEvent ev; return history(h, &ev, H_ENTER, line); }
static inline int clibedit_history_load(History *h, const char *path) { HistEvent ev; return history(h, &ev, H_LOAD, path); }
static inline int clibedit_history_save(History *h, const char *path) { HistEvent ev; return history(h, &ev, H_SAVE, path); }
/* op is H_FIRST (newest), H_NEXT (one older), H_LAST or H_PREV. NULL when there is none.
   The string belongs to the history: copy it before the next history() call. */
static inline const char *clibedit_history_step(History *h, int op) {
    HistEvent ev;
    if (history(h, &ev, op) == -1) return NULL;
    return ev.str;
}

/* Columns of the terminal on fd, or 0 if fd is not a terminal or the size is unknown. */
static inline int clibedit_terminal_columns(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
}

#endif
