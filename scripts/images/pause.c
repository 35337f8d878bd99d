/*
 * The pod sandbox's entrypoint: holds the pod's namespaces open and does nothing else.
 * It sleeps in sigsuspend(2) until SIGTERM or SIGINT asks it to leave, and reaps any child
 * that is reparented to it (it is pid 1 when the pod shares a pid namespace), so no
 * zombie outlives its container. Built static, so the image needs no libc.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t leaving;

static void on_leave(int sig) {
  (void)sig;
  leaving = 1;
}

static void on_child(int sig) {
  (void)sig;
  int saved = errno; /* a handler must not clobber the interrupted code's errno */
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

static int handle(int sig, void (*fn)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  return sigaction(sig, &sa, NULL);
}

int main(void) {
  /* As pid 1 the kernel drops signals that have no handler, so each one we obey needs one. */
  if (handle(SIGTERM, on_leave, 0) || handle(SIGINT, on_leave, 0) ||
      handle(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART)) {
    perror("pause: sigaction");
    return 1;
  }
  /* Blocked outside sigsuspend, so a signal landing between the test and the wait is not lost. */
  sigset_t leave, waiting;
  sigemptyset(&leave);
  sigaddset(&leave, SIGTERM);
  sigaddset(&leave, SIGINT);
  if (sigprocmask(SIG_BLOCK, &leave, &waiting)) {
    perror("pause: sigprocmask");
    return 1;
  }
  while (!leaving) sigsuspend(&waiting);
  return 0;
}
